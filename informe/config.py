"""Every path the project uses, in one place (no literal paths in notebooks)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent

#: The embedded default data: the Oficialía Mayor de Sonora.
DATA_DIR = Path(os.environ.get("INFORME_DATA", ROOT / "data"))
PARAMS_DIR = ROOT / "params"
NOTEBOOKS_DIR = ROOT / "notebooks"
OUTPUTS_DIR = ROOT / "outputs"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
#: The build cache (executed notebooks, validated inputs), keyed by content: never stale.
CACHE_DIR = Path(os.environ.get("INFORME_CACHE", OUTPUTS_DIR / ".cache"))


def params_file(year: int, data_dir: Path | str | None = None) -> Path:
    """The year's parameters: ``<data_dir>/params/<year>.yaml`` when the data folder has its own, else the
    project's ``params/<year>.yaml`` (which may not exist)."""
    if data_dir is not None:
        own = Path(data_dir) / "params" / f"{year}.yaml"
        if own.is_file():
            return own
    return PARAMS_DIR / f"{year}.yaml"


def output_dir(year: int, out: Path | None = None, data_dir: Path | str | None = None) -> Path:
    """``out`` if given; else ``outputs/<year>`` for the project's data, ``outputs/<data folder>/<year>`` for
    another agency's (its reports never overwrite those of ``data/``)."""
    if out:
        return Path(out)
    if data_dir is not None and Path(data_dir).resolve() != DATA_DIR.resolve():
        return OUTPUTS_DIR / Path(data_dir).resolve().name / str(year)
    return OUTPUTS_DIR / str(year)
