"""Every path the project uses, in one place (no literal paths in notebooks)."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _project() -> Path:
    """The project folder: the source tree that holds the package (a clone, installed editable), else the
    working directory (an installed package: ``data/``, ``params/`` and ``outputs/`` are those of the folder
    the command runs in)."""
    parent = PACKAGE_DIR.parent
    return parent if (parent / "pyproject.toml").is_file() and (parent / "data").is_dir() else Path.cwd()


ROOT = _project().resolve()

#: The embedded default data: the Oficialía Mayor de Sonora.
DATA_DIR = Path(os.environ.get("INFORME_DATA", ROOT / "data"))
PARAMS_DIR = ROOT / "params"
#: The report's notebooks, inside the package (``notebooks/`` of the project is a link to them).
NOTEBOOKS_DIR = PACKAGE_DIR / "cuadernos"
OUTPUTS_DIR = ROOT / "outputs"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
#: The build cache (executed notebooks, validated inputs), keyed by content: never stale.
CACHE_DIR = Path(os.environ.get("INFORME_CACHE", OUTPUTS_DIR / ".cache"))

#: A ``--data`` path with one of these suffixes is a workbook (:mod:`informe.datos.libro`), not a folder.
BOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_book(path: Path | str) -> bool:
    """Whether ``path`` names an Excel workbook holding the data tables (rather than a data folder)."""
    path = Path(path)
    return path.suffix.lower() in BOOK_SUFFIXES and not path.is_dir()


def data_folder(path: Path | str) -> Path:
    """The folder of a ``--data`` path: the folder itself, or the folder that holds the workbook. The
    narrative (``narrativa/``, ``institucional/``) and the data's own ``params/`` live there."""
    path = Path(path)
    return path.parent if is_book(path) else path


def params_file(year: int, data_dir: Path | str | None = None) -> Path:
    """The year's parameters: ``<data_dir>/params/<year>.yaml`` when the data folder has its own, else the
    project's ``params/<year>.yaml`` (which may not exist)."""
    if data_dir is not None:
        own = data_folder(data_dir) / "params" / f"{year}.yaml"
        if own.is_file():
            return own
    return PARAMS_DIR / f"{year}.yaml"


def output_dir(year: int, out: Path | None = None, data_dir: Path | str | None = None) -> Path:
    """``out`` if given; else ``outputs/<year>`` for the project's data, ``outputs/<data folder>/<year>`` for
    another agency's (its reports never overwrite those of ``data/``), ``outputs/<workbook name without
    .xlsx>/<year>`` for a workbook."""
    if out:
        return Path(out)
    if data_dir is not None and Path(data_dir).resolve() != DATA_DIR.resolve():
        name = Path(data_dir).resolve()
        return OUTPUTS_DIR / (name.stem if is_book(name) else name.name) / str(year)
    return OUTPUTS_DIR / str(year)


#: The date inside generated files that need one (PDF attachments, the XLSX's ZIP entries): fixed, so
#: that no date of the machine reaches an output (1980-01-01, the earliest date a ZIP entry can hold).
REPRODUCIBLE_DATE = datetime(1980, 1, 1, tzinfo=timezone.utc)


#: The page listing the notebook pages, beside them in ``notebooks/``.
NOTEBOOK_INDEX = "index.html"
