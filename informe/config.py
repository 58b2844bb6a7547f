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


def params_file(year: int) -> Path:
    return PARAMS_DIR / f"{year}.yaml"


def output_dir(year: int, out: Path | None = None) -> Path:
    return Path(out) if out else OUTPUTS_DIR / str(year)
