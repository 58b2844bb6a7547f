"""Stage 3: open-data exports (``datos/indicadores_<Y>.csv`` and ``datos/resumen_<Y>.csv``).

The fast path to publish the year's figures: no notebook is executed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import engine
from .files import write_text_atomic
from .load import Dataset
from .problems import InformeError
from .values import is_missing


def check_year(ds: Dataset, year: int) -> None:
    """A year without any result is an error, not an empty report."""
    if year not in ds.years:
        present = ", ".join(map(str, ds.years)) or "ninguno"
        raise InformeError(
            f"No hay resultados para el año {year} en {ds.path / 'resultados.csv'} (años con resultados: "
            f"{present}). Agregue las filas de {year} (una por indicador, columna anio = {year}) o pida otro año.")


def plain(x) -> str:
    """Plain decimal text: 84.2, 100, 0.5; empty for missing."""
    if is_missing(x):
        return ""
    if isinstance(x, (int, float)):
        x = float(x)
        return str(int(x)) if x.is_integer() else repr(x)
    return str(x)


def export_tables(ds: Dataset, year: int, params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two open-data tables, with exactly the contract's columns."""
    check_year(ds, year)
    table = engine.indicator_table(ds.indicadores, ds.resultados, year, params)
    indicators = table[engine.EXPORT_COLUMNS].copy()
    for column in ("avance_meta_pct", "avance_esperado_pct"):
        indicators[column] = indicators[column].round(2)
    summary = engine.summary(table, list(ds.objetivos["objetivo_id"]))
    return indicators, summary


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> Path:
    """Write a CSV through a temporary file (mode 0644), so a failure never leaves half a file."""
    return write_text_atomic(path, frame.map(plain).to_csv(index=False, lineterminator="\n"))


def export(ds: Dataset, year: int, params: dict, out_dir: Path) -> list[Path]:
    """Write ``<out_dir>/datos/indicadores_<year>.csv`` and ``resumen_<year>.csv``."""
    indicators, summary = export_tables(ds, year, params)
    folder = Path(out_dir) / "datos"
    return [write_csv_atomic(indicators, folder / f"indicadores_{year}.csv"),
            write_csv_atomic(summary, folder / f"resumen_{year}.csv")]
