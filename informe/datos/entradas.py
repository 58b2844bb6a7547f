"""Stage 1's entry: an agency's data (a folder or a workbook) read, checked against the contract and typed.

:func:`load` / :func:`check` read the tables; :func:`year_inputs` is every blocker of building one year at once
(the tables, the year's results, parameters and narrative), as ``informe validar`` and ``informe construir`` report them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from informe import config
from informe.datos import narrativa
from informe.datos.conjunto import Dataset
from informe.datos.contrato import COLUMNS, YEAR, dependencia_problems, validate_tables
from informe.datos.lectura import (
    CSV_FILES,
    LINE,
    OPTIONAL_CSV_FILES,
    SAVE_AS_BOOK,
    closest,
    present,
    read_csv,
    read_yaml_node,
)
from informe.datos.libro import in_book, read_book
from informe.datos.parametros import check_params
from informe.problemas import DataError, Problem


def read_raw(data_dir: Path) -> tuple[dict, dict[str, pd.DataFrame], list[Problem]]:
    """Read dependencia.yaml and the four CSVs as text; report unreadable or missing files.

    ``data_dir`` may also be a workbook (``.xlsx``, :mod:`informe.datos.libro`): the same tables, read from its
    sheets, each problem naming the workbook, the sheet and the row as the sheet shows it.
    """
    data_dir = Path(data_dir)
    if config.is_book(data_dir):
        return read_book(data_dir)
    problems: list[Problem] = []
    if not data_dir.exists():
        raise DataError([Problem(str(data_dir), "la carpeta de datos no existe; indique otra con --data DIR.")])
    if not data_dir.is_dir():
        hint = (" Un libro .xls u .ods: " + SAVE_AS_BOOK + "." if data_dir.suffix.lower() in (".xls", ".ods")
                else "")
        raise DataError([Problem(str(data_dir), "no es una carpeta ni un libro de Excel (.xlsx); indique la carpeta "
                                 "de datos o el libro con --data." + hint)])
    dependencia: dict = {}
    dep_path = data_dir / "dependencia.yaml"
    if not present(dep_path):
        problems.append(Problem("dependencia.yaml", "falta el archivo obligatorio; créelo con al menos "
                                "«nombre:» y «gobierno:».", ))
    else:
        content, node, found = read_yaml_node(dep_path, data_dir)
        problems += found
        if not found and not content:  # empty file, only comments, or "{}": no required key
            problems.append(Problem("dependencia.yaml", "el archivo está vacío; debe tener al menos "
                                    "«nombre:» y «gobierno:»."))
        elif content is not None and not isinstance(content, dict):
            problems.append(Problem("dependencia.yaml", "debe ser un conjunto de claves "
                                    "(p. ej. «nombre: Oficialía Mayor»)."))
        elif isinstance(content, dict):
            shape = dependencia_problems(content, node)
            problems += shape
            dependencia = content
    tables: dict[str, pd.DataFrame] = {}
    for name in CSV_FILES:
        path = data_dir / name
        if not present(path):
            problems.append(Problem(name, f"falta el archivo obligatorio en {data_dir}; "
                                    "vea el contrato de datos en data/README.md."))
            continue
        frame, found = read_csv(path, data_dir)
        problems += found
        if frame is not None:
            tables[name] = frame
    for name in OPTIONAL_CSV_FILES:
        if present(data_dir / name):
            frame, found = read_csv(data_dir / name, data_dir)
            problems += found
            if frame is not None and len(frame):  # an optional table without rows is as if absent
                tables[name] = frame
    return dependencia, tables, problems


#: What a data folder may hold besides the tables (the contract's section 1); hidden files are not looked at.
YEAR_NAME = re.compile(r"[0-9]{4}")
FOLDER_FILES = ("dependencia.yaml", *CSV_FILES, *OPTIONAL_CSV_FILES, "README.md", "LEEME.md")
FOLDERS = ("narrativa", "institucional", "params")


def unknown_files(data_dir: Path | str) -> list[tuple[str, str | None]]:
    """The files and folders of a data folder that the contract does not know, as (path relative to the folder,
    ending in «/» for a folder; the known name it most likely meant, or None): nothing is ignored without a
    word. Beside a workbook only ``narrativa/``, ``institucional/`` and ``params/`` are looked at (the rest of
    its folder is not data)."""
    folder = config.data_folder(data_dir)
    found: list[tuple[str, str | None]] = []

    def look(where: Path, files: tuple[str, ...] = (), folders: tuple[str, ...] = (), keep=lambda path: False) -> None:
        if not where.is_dir():
            return
        known = [*files, *(f"{name}/" for name in folders)]
        for path in sorted(where.iterdir()):
            name = path.name + ("/" if path.is_dir() else "")
            if not path.name.startswith(".") and name not in known and not keep(path):
                found.append((str(path.relative_to(folder)) + name[len(path.name):], closest(name, known)))

    def year_folder(path: Path) -> bool:
        return path.is_dir() and YEAR_NAME.fullmatch(path.name) is not None

    if not config.is_book(data_dir):
        look(folder, FOLDER_FILES, FOLDERS)
    look(folder / "narrativa", keep=year_folder)
    for year in sorted(filter(year_folder, (folder / "narrativa").glob("*"))):
        look(year, narrativa.YEAR_FILES)
    look(folder / "institucional", narrativa.INSTITUTIONAL_FILES)
    look(folder / "params", keep=lambda p: p.is_file() and p.suffix == ".yaml" and YEAR_NAME.fullmatch(p.stem))
    return found


def located(data_dir: Path | str, problems: list[Problem], earlier: list[Problem] = ()) -> list[Problem]:
    """``problems`` found in the tables of ``data_dir`` (named by their CSV file and line), named where the user
    sees them: unchanged for a data folder; for a workbook, by its sheet and row (:func:`informe.datos.libro.in_book`;
    a cell already among ``earlier`` is not reported twice)."""
    return in_book(Path(data_dir), problems, list(earlier)) if config.is_book(data_dir) else problems


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
                "unidad_responsable", "unidad_ejecutora", "referencia_adicional", "linea_base_valor", "meta_anio",
                "meta_valor"):
        if col not in ind:
            ind[col] = None
    ind["objetivo_id"] = ind["objetivo_id"].astype(int)
    ind["linea_base_anio"] = ind["linea_base_anio"].astype(int)
    ind["meta_anio"] = pd.to_numeric(ind["meta_anio"]).astype("Int64")  # no target: empty
    for col in ("linea_base_valor", "meta_valor"):
        ind[col + "_decimales"] = _decimals(ind[col])
        ind[col] = _number(ind[col])
    ind["unidad_medida"] = ind["unidad_medida"].str.strip()
    res = tables["resultados.csv"].drop(columns=LINE).copy()
    for col in ("valor", "numerador", "denominador", "estado", "nota", "fuente", "semaforo_publicado"):
        if col not in res:
            res[col] = None
    res["anio"] = res["anio"].astype(int)
    res["valor_decimales"] = _decimals(res["valor"])
    for col in ("valor", "numerador", "denominador"):
        res[col] = _number(res[col])
    for col in ("programa_id", "ped_eje"):
        if col not in obj:
            obj[col] = None
    metas = _optional(tables, "metas.csv")
    metas["anio"] = metas["anio"].astype(int)
    metas["meta_valor_decimales"] = _decimals(metas["meta_valor"])
    metas["meta_valor"] = _number(metas["meta_valor"])
    programas = _optional(tables, "programas.csv")
    if len(programas):  # the objectives grouped by programme (in programas.csv's order), each group in file order
        rank = {pid: k for k, pid in enumerate(programas["programa_id"])}
        obj = obj.sort_values("programa_id", key=lambda s: s.map(rank), kind="stable").reset_index(drop=True)
    for frame in (obj, est, ind, res, metas, programas):
        for col in frame.columns:
            if frame[col].dtype == object:
                frame[col] = frame[col].astype("string")
    return {"objetivos": obj, "estrategias": est, "indicadores": ind, "resultados": res, "metas": metas,
            "programas": programas}


def _optional(tables: dict[str, pd.DataFrame], file: str) -> pd.DataFrame:
    """An optional table as read (without its row numbers), or an empty one with the contract's columns."""
    frame = tables.get(file)
    if frame is None:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in COLUMNS[file]})
    return frame.drop(columns=LINE).copy()


def check_tables(data_dir: Path | str | None = None) -> tuple[Dataset | None, list[Problem], dict[str, pd.DataFrame]]:
    """:func:`check`, plus the raw text tables that could be read (even when the data are invalid)."""
    data_dir = Path(data_dir) if data_dir else config.DATA_DIR
    dependencia, tables, problems = read_raw(data_dir)
    found = validate_tables(dependencia, tables)
    found = located(data_dir, found, problems)
    problems += found
    if problems or any(file not in tables for file in CSV_FILES):
        return None, problems, tables
    frames = typed(tables)
    return Dataset(path=data_dir, dependencia=dependencia, raw=tables, **frames), [], tables


def check(data_dir: Path | str | None = None) -> tuple[Dataset | None, list[Problem]]:
    """Read and validate a data directory; return the dataset (None if invalid) and every problem."""
    dataset, problems, _ = check_tables(data_dir)
    return dataset, problems


def load(data_dir: Path | str | None = None) -> Dataset:
    """Read and validate a data directory, raising :class:`DataError` with every problem."""
    dataset, problems = check(data_dir)
    if problems:
        raise DataError(problems)
    return dataset


@dataclass
class YearInputs:
    """What building one year needs, checked at once (see :func:`year_inputs`)."""

    year: int | None
    dataset: Dataset | None = None
    params: dict | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _raw_years(tables: dict[str, pd.DataFrame]) -> list[int] | None:
    """The years of resultados.csv read as text (None when the file or its column is unusable)."""
    res = tables.get("resultados.csv")
    if res is None or "anio" not in res:
        return None
    years = res["anio"].dropna().astype(str)
    return sorted({int(y) for y in years[years.str.fullmatch(YEAR)]})


def only_missing_year(problems: list[Problem], year: int) -> bool:
    """True when the only problem of building ``year`` is that the data have no results for it (an agency that
    does not report that year: ``informe lote`` lists it as such, not as a failure)."""
    return bool(problems) and all(p.column == "anio" and p.value == str(year) and
                                  p.message.startswith("no hay resultados para el año") for p in problems)


def year_inputs(data_dir: Path | str | None, year: int | None, params_path: Path | str | None = None, *,
                params_required: bool = True) -> YearInputs:
    """Every blocker for building ``year`` from ``data_dir``, at once, and what was read.

    The same checks, in the same terms, as ``informe construir``: the data contract (every
    file), results for ``year`` in resultados.csv, the year's parameters (``params_path``,
    by default ``<data_dir>/params/<year>.yaml`` if present, else ``params/<year>.yaml``; with ``params_required=False`` a missing default
    file means the default values, as ``informe validar`` without ``--year`` does), and
    the year's narrative and institucional/ files. ``year=None`` means the last year with
    results (then nothing year-specific is checked when there is none).
    """

    data_dir = Path(data_dir) if data_dir else config.DATA_DIR
    try:
        dataset, problems, tables = check_tables(data_dir)
    except DataError as err:  # the folder itself is unusable; the parameters are still checked below
        dataset, problems, tables = None, list(err.problems), {}
    years = dataset.years if dataset is not None else _raw_years(tables)
    if year is None:
        if not years:
            problems += narrativa.check(data_dir, None)  # institucional/ does not depend on the year
            return YearInputs(None, dataset if not problems else None, None, problems)
        year = years[-1]
    elif years is not None and year not in years:
        present = ", ".join(map(str, years)) or "ninguno"
        missing = [Problem(
            "resultados.csv", f"no hay resultados para el año {year} (años con resultados: {present}); agregue "
            f"las filas de {year} (una por indicador, columna anio = {year}) o pida otro año.", column="anio",
            value=str(year))]
        missing = located(data_dir, missing)
        problems += missing
    problems += narrativa.check(data_dir, year)
    params, found = check_params(year, params_path or config.params_file(year, data_dir), required=params_required)
    problems += found
    return YearInputs(year, dataset if not problems else None, params, problems)


def check_year_inputs(data_dir: Path | str | None, year: int, params_path: Path | str | None = None, *,
                      params_required: bool = True) -> list[Problem]:
    """Every blocker for ``informe construir --year <year>`` at once (empty list: the inputs are buildable).

    Data problems (every file of ``data_dir``, default ``data/``), missing results for
    ``year``, problems of the parameters file (``params_path``, default
    ``params/<year>.yaml``, required as ``informe construir`` requires it) and of the narrative
    (``narrativa/<year>/``, ``institucional/``). Each is a :class:`~informe.problemas.Problem`
    with file, row, column and how to fix it; raise ``DataError(problems)`` to report them.
    """
    return year_inputs(data_dir, year, params_path, params_required=params_required).problems
