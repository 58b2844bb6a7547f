"""The validated inputs of a build (dataset and parameters), kept under their fingerprint so that each
notebook's ``secciones.open(huella)`` reads them instead of validating the data again: the data are
validated once per build. Only files of this user are read (they are pickles).
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from informe.escritura import atomic_path


def path(folder: Path, key: str) -> Path:
    """Where the inputs validated with fingerprint ``key`` are kept in the cache ``folder``."""
    return Path(folder) / "contextos" / f"{key}.pkl"


def load(folder: Path, key: str):
    """(dataset, params) validated by the build with fingerprint ``key`` (a notebook's ``huella``), or None."""
    key = core_of(key or "")
    kept = path(folder, key)
    if not key or not kept.is_file() or kept.stat().st_uid != os.getuid():
        return None
    return pickle.loads(kept.read_bytes())


def save(folder: Path, key: str, dataset, params: dict) -> Path:
    """Keep the validated ``dataset`` and ``params`` under the fingerprint ``key`` (atomically)."""
    kept = path(folder, key)
    with atomic_path(kept) as tmp:
        tmp.write_bytes(pickle.dumps((dataset, params), protocol=pickle.HIGHEST_PROTOCOL))
    return kept


def core_of(key: str) -> str:
    """The core fingerprint inside a notebook's ``huella`` (what the validated inputs are kept under)."""
    return key.split("-", 1)[0]
