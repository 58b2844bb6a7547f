"""Stage 1: read a data directory into typed tables, validated against the contract.

Every CSV is read as text first (so a bad value can be reported exactly as the
user typed it, with its line number), validated by :mod:`informe.validate`,
and only then converted to typed columns.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from . import config
from .problems import DataError, Problem

LINE = "_linea"  # hidden column: the line where the record starts in its file

CSV_FILES = ("objetivos.csv", "estrategias.csv", "indicadores.csv", "resultados.csv")

UTF8_HELP = (
    "el archivo no está en UTF-8. Ábralo en su hoja de cálculo y use "
    "«Guardar como → CSV UTF-8 (delimitado por comas)», o en un editor de texto "
    "«Guardar con codificación → UTF-8»"
)


@dataclass
class Dataset:
    """The validated, typed contents of one data directory."""

    path: Path
    dependencia: dict
    objetivos: pd.DataFrame
    estrategias: pd.DataFrame
    indicadores: pd.DataFrame
    resultados: pd.DataFrame
    raw: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.resultados["anio"].dropna().unique())

    def line_of(self, file: str, mask: pd.Series) -> int | None:
        """Line number in ``file`` of the first raw record selected by ``mask``."""
        raw = self.raw.get(file)
        if raw is None or not mask.any():
            return None
        return int(raw.loc[mask.to_numpy(), LINE].iloc[0])


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 file (a BOM is accepted); a clear problem if it is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return None, [
            Problem(path.name, UTF8_HELP + ".", line=line,
                    value=repr(data[err.start: err.start + 1])[2:-1])
        ]


def read_csv(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a contract CSV as text, one row per record, with its line number.

    Empty cells become missing values; surrounding spaces are removed.
    """
    text, problems = read_text(path)
    if text is None:
        return None, problems
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    last_end = 0
    try:
        for record in reader:
            start, last_end = last_end + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [h.strip() for h in record]
                continue
            if len(record) > len(header):
                problems.append(Problem(
                    path.name,
                    f"la fila tiene {len(record)} celdas y el encabezado {len(header)}; "
                    "revise comas sin comillas dentro del texto (encierre el texto entre comillas).",
                    line=start))
                record = record[: len(header)]
            record = record + [""] * (len(header) - len(record))
            rows.append([cell.strip() for cell in record])
            lines.append(start)
    except csv.Error as err:
        problems.append(Problem(path.name, f"CSV mal formado ({err}); revise las comillas.",
                                line=reader.line_num))
        return None, problems
    if header is None:
        problems.append(Problem(path.name, "el archivo está vacío; debe tener una fila de encabezado."))
        return None, problems
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        problems.append(Problem(path.name, f"columnas repetidas en el encabezado: {', '.join(duplicated)}.",
                                line=1))
        return None, problems
    frame = pd.DataFrame(rows, columns=header, dtype="object")
    frame = frame.where(frame != "", None)
    frame[LINE] = lines
    return frame, problems


def read_yaml(path: Path) -> tuple[object | None, list[Problem]]:
    text, problems = read_text(path)
    if text is None:
        return None, problems
    try:
        return yaml.safe_load(text), []
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err)
        return None, [Problem(path.name, f"YAML mal formado: {problem}. Revise la sangría y los dos puntos.",
                              line=line)]


def read_raw(data_dir: Path) -> tuple[dict, dict[str, pd.DataFrame], list[Problem]]:
    """Read dependencia.yaml and the four CSVs as text; report unreadable or missing files."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise DataError([Problem(str(data_dir), "la carpeta de datos no existe; indique otra con --data DIR.")])
    dependencia: dict = {}
    dep_path = data_dir / "dependencia.yaml"
    if not dep_path.exists():
        problems.append(Problem("dependencia.yaml", "falta el archivo obligatorio; créelo con al menos "
                                "«nombre:» y «gobierno:».", ))
    else:
        content, found = read_yaml(dep_path)
        problems += found
        if not found and not content:  # empty file, only comments, or "{}": no required key
            problems.append(Problem("dependencia.yaml", "el archivo está vacío; debe tener al menos "
                                    "«nombre:» y «gobierno:»."))
        elif content is not None and not isinstance(content, dict):
            problems.append(Problem("dependencia.yaml", "debe ser un conjunto de claves "
                                    "(p. ej. «nombre: Oficialía Mayor»)."))
        elif isinstance(content, dict):
            dependencia = content
    tables: dict[str, pd.DataFrame] = {}
    for name in CSV_FILES:
        path = data_dir / name
        if not path.exists():
            problems.append(Problem(name, f"falta el archivo obligatorio en {data_dir}; "
                                    "vea el contrato de datos en data/README.md."))
            continue
        frame, found = read_csv(path)
        problems += found
        if frame is not None:
            tables[name] = frame
    return dependencia, tables, problems


def _number(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("Float64")


def _decimals(series: pd.Series) -> pd.Series:
    """How many decimals each value was written with (84.20 -> 2): the published precision."""
    text = series.astype("string")
    return text.str.extract(r"\.(\d+)$")[0].str.len().fillna(0).astype("Int64").where(text.notna())


def typed(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Convert validated text tables to typed ones (ids stay text, numbers become Float64)."""
    obj = tables["objetivos.csv"].drop(columns=LINE).copy()
    obj["objetivo_id"] = obj["objetivo_id"].astype(int)
    est = tables["estrategias.csv"].drop(columns=LINE).copy()
    est["objetivo_id"] = est["objetivo_id"].astype(int)
    ind = tables["indicadores.csv"].drop(columns=LINE).copy()
    for col in ("estrategia_id", "objetivo_indicador", "descripcion", "metodo_calculo",
                "unidad_responsable", "unidad_ejecutora", "referencia_adicional", "linea_base_valor"):
        if col not in ind:
            ind[col] = None
    ind["objetivo_id"] = ind["objetivo_id"].astype(int)
    for col in ("linea_base_anio", "meta_anio"):
        ind[col] = ind[col].astype(int)
    for col in ("linea_base_valor", "meta_valor"):
        ind[col + "_decimales"] = _decimals(ind[col])
        ind[col] = _number(ind[col])
    ind["unidad_medida"] = ind["unidad_medida"].str.strip()
    res = tables["resultados.csv"].drop(columns=LINE).copy()
    for col in ("valor", "numerador", "denominador", "estado", "nota", "fuente"):
        if col not in res:
            res[col] = None
    res["anio"] = res["anio"].astype(int)
    res["valor_decimales"] = _decimals(res["valor"])
    for col in ("valor", "numerador", "denominador"):
        res[col] = _number(res[col])
    for frame in (obj, est, ind, res):
        for col in frame.columns:
            if frame[col].dtype == object:
                frame[col] = frame[col].astype("string")
    return {"objetivos": obj, "estrategias": est, "indicadores": ind, "resultados": res}


def check(data_dir: Path | str | None = None) -> tuple[Dataset | None, list[Problem]]:
    """Read and validate a data directory; return the dataset (None if invalid) and every problem."""
    from .validate import validate_tables  # local import: validate depends on this module's readers

    data_dir = Path(data_dir) if data_dir else config.DATA_DIR
    dependencia, tables, problems = read_raw(data_dir)
    problems += validate_tables(dependencia, tables)
    if problems or len(tables) < len(CSV_FILES):
        return None, problems
    frames = typed(tables)
    return Dataset(path=data_dir, dependencia=dependencia, raw=tables, **frames), []


def load(data_dir: Path | str | None = None) -> Dataset:
    """Read and validate a data directory, raising :class:`DataError` with every problem."""
    dataset, problems = check(data_dir)
    if problems:
        raise DataError(problems)
    return dataset
