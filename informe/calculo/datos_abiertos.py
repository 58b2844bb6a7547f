"""Stage 2: the open data of a year, in ``<out>/datos/`` (docs/contrato-de-datos.md, section 13).

* ``indicadores_<Y>.csv`` — one row per indicator (``motor.EXPORT_COLUMNS``); the published figures
  (``linea_base_valor``, ``resultado_valor``, ``meta_valor``) keep the decimals they were published
  with (``84.20`` stays ``84.20``); a figure computed from numerador/denominador has no published
  precision and is rounded to 2 decimals, like the progress percentages.
* ``resumen_<Y>.csv`` — counts per objective and a ``total`` row.
* ``indicadores_<Y>.xlsx`` — the same two tables, one sheet per CSV, numbers as numbers (the
  published decimals as number formats).
* ``datapackage.json`` — a Frictionless Data Package describing the three files: a Table Schema
  per CSV written from the contract below (never inferred from the data), sizes and SHA-256.

The fast path to publish the year's figures: no notebook is executed. Every file is written
atomically, mode 0644, and the same inputs give the same bytes (no date of the machine anywhere).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from informe import config
from informe.calculo import motor
from informe.config import REPRODUCIBLE_DATE
from informe.datos.conjunto import Dataset
from informe.datos.contrato import SENTIDOS
from informe.escritura import write_bytes_atomic, write_text_atomic
from informe.problemas import InformeError
from informe.valores import is_missing

#: Published figures (written with their published decimals) and the engine's column of those decimals.
PUBLISHED = {"linea_base_valor": "referencia_decimales", "resultado_valor": "resultado_decimales",
             "meta_valor": "meta_decimales", "meta_intermedia": "meta_intermedia_decimales"}
#: Decimals of what has no published precision: percentages and figures computed from numerador/denominador.
COMPUTED_DECIMALS = 2
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = {"minimum": 1000, "maximum": 9999}

# The Table Schema of each column: (type, title, description, constraints). The contract, not the data,
# decides the types; every column of motor.EXPORT_COLUMNS / SUMMARY_COLUMNS must be here.
INDICATOR_FIELDS = {
    "indicador_id": ("string", "Clave del indicador", "Clave del indicador en indicadores.csv.",
                     {"required": True, "unique": True, "pattern": "[A-Za-z0-9_-]+"}),
    "objetivo_id": ("integer", "Objetivo", "Número del objetivo al que pertenece el indicador.",
                    {"required": True, "minimum": 1}),
    "estrategia_id": ("string", "Estrategia", "Clave de la estrategia del indicador; vacía si no se registró.", {}),
    "nombre": ("string", "Indicador", "Nombre del indicador como aparece en la tabla de resultados.",
               {"required": True}),
    "sentido": ("string", "Sentido", "Si mejorar es subir (ascendente) o bajar (descendente); no_aplica si el "
                "indicador no tiene un sentido mejor.", {"required": True, "enum": list(SENTIDOS)}),
    "unidad_medida": ("string", "Unidad de medida", "Unidad del indicador (texto libre; «porcentaje» = %).",
                      {"required": True}),
    "linea_base_anio": ("integer", "Año de la línea base", "Año de la línea base que declara la cédula.",
                        {"required": True, **YEAR}),
    "linea_base_valor": ("number", "Línea base", "Referencia con la que se calcula el semáforo (resultado del "
                         "año de la línea base o, si no lo hay, la línea base de la cédula), con los decimales con "
                         "que se publicó; vacía si no hay.", {}),
    "resultado_anio": ("integer", "Año del resultado", "Año del resultado usado: el del informe o, para un indicador "
                       "bienal, trienal, quinquenal, sexenal o irregular sin resultado ese año, el de su última "
                       "medición.", {"required": True, **YEAR}),
    "resultado_valor": ("number", "Resultado", "Resultado del año con los decimales con que se publicó (calculado "
                        "con numerador y denominador: redondeado a 2 decimales); vacío si no hay resultado.", {}),
    "estado": ("string", "Estado", "ND = no disponible todavía; pendiente = aún no se mide; vacío = valor medido.",
               {"enum": ["ND", "pendiente"]}),
    "meta_anio": ("integer", "Año de la meta", "Año de la meta que declara la cédula; vacío si el indicador no tiene "
                  "meta.", {**YEAR}),
    "meta_valor": ("number", "Meta", "Meta de la cédula, con los decimales con que se publicó; vacía si el indicador "
                   "no tiene meta.", {}),
    "semaforo": ("string", "Semáforo", "Resultado respecto a la línea base, en el sentido del indicador; no_aplica "
                 "si el indicador no tiene sentido.",
                 {"required": True, "enum": list(motor.STATUSES)}),
    "avance_meta_pct": ("number", "Avance hacia la meta (%)", "(resultado − línea base) / (meta − línea base) × "
                        "100, redondeado a 2 decimales; vacío si no se puede calcular.", {}),
    "avance_esperado_pct": ("number", "Avance esperado (%)", "Avance que correspondería al año del resultado en "
                            "línea recta de la línea base a la meta o, si el programa fijó una meta intermedia para "
                            "ese año, el de esa meta (tope 100), redondeado a 2 decimales.", {}),
    "trayectoria": ("string", "Trayectoria", "Avance hacia la meta frente al avance esperado; sin_meta si el "
                    "indicador no tiene meta y no_aplica si no tiene sentido.",
                    {"required": True, "enum": list(motor.TRAJECTORIES)}),
    "fuente": ("string", "Fuente", "Fuente del resultado del año (la de la cédula si el año no la da).",
               {"required": True}),
    "nota": ("string", "Nota", "Nota del resultado del año (p. ej., por qué no hay dato); vacía si no hay.", {}),
    "meta_intermedia": ("number", "Meta intermedia", "Meta intermedia del programa para el año del resultado "
                        "(metas.csv), con los decimales con que se publicó; vacía si no la hay. Cuando la hay, el "
                        "avance esperado se calcula con ella.", {}),
    "programa_id": ("string", "Programa", "Clave del programa al que pertenece el objetivo del indicador "
                    "(programas.csv); vacía si la dependencia no declara programas.", {}),
    "ped_eje": ("string", "Eje del Plan Estatal de Desarrollo", "Eje del Plan Estatal de Desarrollo al que se "
                "alinea el objetivo del indicador (objetivos.csv); vacío si la dependencia no lo declara.", {}),
}
COUNT = {"required": True, "minimum": 0}
SUMMARY_FIELDS = {
    "objetivo_id": ("string", "Objetivo", "Número del objetivo, o «total» en el último renglón (por eso es texto).",
                    {"required": True, "unique": True, "pattern": "[1-9][0-9]*|total"}),
    "indicadores": ("integer", "Indicadores", "Número de indicadores del objetivo.", COUNT),
    "con_avance": ("integer", "Con avance", "Indicadores con semáforo con_avance.", COUNT),
    "sin_avance": ("integer", "Sin avance", "Indicadores con semáforo sin_avance.", COUNT),
    "igual": ("integer", "Igual", "Indicadores con semáforo igual.", COUNT),
    "sin_informacion": ("integer", "Sin información", "Indicadores con semáforo sin_informacion.", COUNT),
    "no_aplica": ("integer", "No aplica", "Indicadores con semáforo no_aplica (sin sentido).", COUNT),
}


def check_year(ds: Dataset, year: int) -> None:
    """A year without any result is an error, not an empty report."""
    if year not in ds.years:
        present = ", ".join(map(str, ds.years)) or "ninguno"
        raise InformeError(
            f"No hay resultados para el año {year} en {_results_place(ds.path)} (años con resultados: "
            f"{present}). Agregue las filas de {year} (una por indicador, columna anio = {year}) o pida otro año.")


def _results_place(data: Path) -> str:
    """Where the results of ``data`` are: its resultados.csv, or the «resultados» sheet of a workbook."""
    return f"{data}, hoja «resultados»" if config.is_book(data) else str(Path(data) / "resultados.csv")


def plain(x) -> str:
    """Plain decimal text: 84.2, 100, 0.5, 0.00001 (never "1e-05"); empty for missing."""
    if is_missing(x):
        return ""
    if isinstance(x, (int, float)):
        x = float(x)
        return str(int(x)) if x.is_integer() else format(Decimal(repr(x)), "f")
    return str(x)


#: What a spreadsheet program takes for the start of a formula when it opens a CSV ("CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(x) -> str:
    """A CSV cell: :func:`plain`; a text that would start a formula in a spreadsheet (``=HYPERLINK(…)``,
    ``@SUM(…)``) gets a leading apostrophe, so it opens as the text it is. Numbers are never touched."""
    text = plain(x)
    return "'" + text if isinstance(x, str) and text.startswith(FORMULA_START) else text


def published(x, decimals) -> str:
    """A figure with the decimals it was published with (84.2 and 2 -> "84.20"); without them (computed
    from numerador/denominador) rounded to 2 decimals, as plain text."""
    if is_missing(x):
        return ""
    if is_missing(decimals):
        return plain(round(float(x), COMPUTED_DECIMALS))
    return f"{float(x) + 0.0:.{int(decimals)}f}"  # + 0.0: no "-0.00"


@dataclass(frozen=True)
class OpenData:
    """The year's open-data tables: ``indicators`` (``motor.EXPORT_COLUMNS``, figures rounded to what
    is written), ``decimals`` (per row, the published decimals of each ``PUBLISHED`` column; NA =
    computed, up to 2) and ``summary`` (``motor.SUMMARY_COLUMNS``)."""

    indicators: pd.DataFrame
    decimals: pd.DataFrame
    summary: pd.DataFrame


def export_tables(ds: Dataset, year: int, params: dict) -> OpenData:
    """The open-data tables, with exactly the contract's columns."""
    check_year(ds, year)
    table = motor.year_table(ds, year, params)
    indicators = table[motor.EXPORT_COLUMNS].copy()
    for column in ("avance_meta_pct", "avance_esperado_pct"):
        indicators[column] = indicators[column].round(COMPUTED_DECIMALS)
    decimals = pd.DataFrame({column: table[source] for column, source in PUBLISHED.items()})
    for column in PUBLISHED:
        computed = decimals[column].isna()
        indicators.loc[computed, column] = indicators.loc[computed, column].round(COMPUTED_DECIMALS)
    _refuse_infinite(indicators)
    summary = motor.summary(table, list(ds.objetivos["objetivo_id"]))
    return OpenData(indicators, decimals, summary)


def _refuse_infinite(indicators: pd.DataFrame) -> None:
    """Nothing infinite is published: validation refuses a figure that overflows, but the difference of
    two huge figures (avance hacia la meta) can still overflow; that is an error naming the indicator."""
    for column in indicators.select_dtypes("number").columns:
        infinite = np.isinf(indicators[column].astype(float))
        if infinite.any():
            iid = indicators.loc[infinite, "indicador_id"].iloc[0]
            raise InformeError(
                f"El cálculo de «{column}» del indicador {iid} da un número infinito: la línea base, el resultado "
                "o la meta son demasiado grandes (cerca de 1.8 × 10^308). Revise esas cifras en indicadores.csv "
                "y resultados.csv.")


def csv_text(frame: pd.DataFrame, decimals: pd.DataFrame | None = None) -> str:
    """The CSV of ``frame`` (UTF-8 text, ``\\n``): numbers as plain text, the columns of ``decimals`` with
    their published decimals."""
    cells = frame.map(csv_cell)
    for column in decimals.columns if decimals is not None else ():
        cells[column] = [published(x, d) for x, d in zip(frame[column], decimals[column])]
    return cells.to_csv(index=False, lineterminator="\n")


def write_csv_atomic(frame: pd.DataFrame, path: Path, decimals: pd.DataFrame | None = None) -> Path:
    """Write a CSV through a temporary file (mode 0644), so a failure never leaves half a file."""
    return write_text_atomic(path, csv_text(frame, decimals))


# --------------------------------------------------------------------------- workbook


def _number_format(decimals) -> str:
    if is_missing(decimals):
        return "General"
    return "0" + ("." + "0" * int(decimals) if int(decimals) > 0 else "")


def _cell_value(x):
    """A cell's value for openpyxl: None for missing, Python numbers, text."""
    if is_missing(x):
        return None
    if hasattr(x, "item"):  # numpy scalars
        x = x.item()
    return x


def _reproducible_zip(data: bytes) -> bytes:
    """The same XLSX with every ZIP entry dated REPRODUCIBLE_DATE and ``dcterms:modified`` set to it
    (openpyxl writes the time of saving in both): same content, same bytes."""
    stamp = REPRODUCIBLE_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>" + stamp + rb"\2", content)
            fixed = zipfile.ZipInfo(entry.filename, date_time=REPRODUCIBLE_DATE.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def workbook_bytes(sheets: list[tuple[str, pd.DataFrame, pd.DataFrame | None]], title: str, creator: str) -> bytes:
    """An XLSX with one sheet per ``(name, frame, decimals)``: header row, numbers as numbers with the
    published decimals as number formats, text always as text (a leading "=" is not a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, frame, decimals in sheets:
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for r, row in enumerate(frame.itertuples(index=False), start=2):
            for c, (column, x) in enumerate(zip(frame.columns, row), start=1):
                value = _cell_value(x)
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, str):
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
                    cell.data_type = "s"
                else:
                    cell.value = value
                if decimals is not None and column in decimals.columns and value is not None:
                    cell.number_format = _number_format(decimals[column].iloc[r - 2])
    book.properties.title = title
    book.properties.creator = creator
    book.properties.language = "es-MX"
    book.properties.created = book.properties.modified = REPRODUCIBLE_DATE.replace(tzinfo=None)
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible_zip(buffer.getvalue())




# --------------------------------------------------------------------------- data package


#: What every CSV resource of a Data Package says of its format (the files written by :func:`csv_text`).
CSV_RESOURCE = {"profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "dialect": {"delimiter": ",", "doubleQuote": True, "header": True, "lineTerminator": "\n",
                            "quoteChar": '"'}}
#: A workbook is described as a file (its tables are the CSVs'): "type": "file" keeps frictionless from reading
#: its first sheet as a table with inferred types.
XLSX_RESOURCE = {"profile": "data-resource", "type": "file", "format": "xlsx", "mediatype": XLSX_MEDIA_TYPE}


def slug(text: str) -> str:
    """"Oficialía Mayor" -> "oficialia-mayor" (a Data Package name: lowercase ASCII, digits, "-")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "dependencia"


def table_schema(fields: dict, columns: list[str], primary_key: str | list[str]) -> dict:
    """A Table Schema from the contract's field definitions, in the order of ``columns``."""
    schema_fields = []
    for column in columns:
        kind, title, description, constraints = fields[column]
        field = {"name": column, "type": kind, "title": title, "description": description}
        if constraints:
            field["constraints"] = dict(constraints)
        schema_fields.append(field)
    keys = [primary_key] if isinstance(primary_key, str) else list(primary_key)
    return {"fields": schema_fields, "primaryKey": keys, "missingValues": [""]}


def _file_facts(path: Path) -> dict:
    data = path.read_bytes()
    return {"path": path.name, "bytes": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest()}


def datapackage(ds: Dataset, year: int, params: dict, indicators_csv: Path, summary_csv: Path,
                workbook: Path) -> dict:
    """The Data Package (Frictionless, v1 descriptor) of the year's open data files."""
    nombre = str(ds.dependencia.get("nombre", ""))
    gobierno = str(ds.dependencia.get("gobierno", ""))
    titulo = str(params.get("titulo") or f"Informe Anual de Resultados {year}")
    return {
        "name": f"{slug(nombre)}-indicadores-{year}",
        "title": f"{titulo} — {nombre}: datos abiertos",
        "description": (f"Indicadores del {titulo} de {nombre} ({gobierno}): línea base, resultado, meta, "
                        "semáforo, avance hacia la meta y trayectoria de cada indicador, y el resumen por "
                        "objetivo. Las cifras publicadas conservan los decimales con que se publicaron."),
        "keywords": ["informe anual de resultados", "indicadores", "datos abiertos", nombre, str(year)],
        "contributors": [{"title": nombre, "role": "publisher", "organization": gobierno}],
        "sources": [{"title": f"{titulo} — {nombre}, {gobierno}"}],
        "resources": [
            {**CSV_RESOURCE, **_file_facts(indicators_csv), "name": f"indicadores_{year}",
             "title": f"Indicadores {year}",
             "description": "Un renglón por indicador, en el orden de sus cédulas.",
             "schema": table_schema(INDICATOR_FIELDS, motor.EXPORT_COLUMNS, "indicador_id")},
            {**CSV_RESOURCE, **_file_facts(summary_csv), "name": f"resumen_{year}",
             "title": f"Resumen de indicadores {year}",
             "description": "Indicadores por objetivo y semáforo; el último renglón (total) suma los objetivos.",
             "schema": table_schema(SUMMARY_FIELDS, motor.SUMMARY_COLUMNS, "objetivo_id")},
            {**_file_facts(workbook), **XLSX_RESOURCE, "name": f"indicadores_{year}_xlsx",
             "title": f"Indicadores y resumen {year} (libro de Excel)",
             "description": (f"Las mismas dos tablas que los CSV, una hoja por archivo (indicadores_{year} y "
                             f"resumen_{year}), con las cifras como números y los decimales publicados como "
                             "formato de número.")},
        ],
    }


# --------------------------------------------------------------------------- export


def export(ds: Dataset, year: int, params: dict, out_dir: Path) -> list[Path]:
    """Write the year's open data in ``<out_dir>/datos/``: ``indicadores_<year>.csv``, ``resumen_<year>.csv``,
    ``indicadores_<year>.xlsx`` and ``datapackage.json`` (the files, in that order)."""
    data = export_tables(ds, year, params)
    folder = Path(out_dir) / "datos"
    indicators_csv = write_csv_atomic(data.indicators, folder / f"indicadores_{year}.csv", data.decimals)
    summary_csv = write_csv_atomic(data.summary, folder / f"resumen_{year}.csv")
    nombre = str(ds.dependencia.get("nombre", ""))
    workbook = write_bytes_atomic(folder / f"indicadores_{year}.xlsx", workbook_bytes(
        [(f"indicadores_{year}", data.indicators, data.decimals), (f"resumen_{year}", data.summary, None)],
        title=f"{params.get('titulo') or 'Informe Anual de Resultados'} — {nombre}: datos abiertos", creator=nombre))
    package = datapackage(ds, year, params, indicators_csv, summary_csv, workbook)
    descriptor = write_text_atomic(folder / "datapackage.json",
                                   json.dumps(package, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return [indicators_csv, summary_csv, workbook, descriptor]


# --------------------------------------------------------------------------- the state's dataset (informe lote)

AGENCY_FIELDS = {
    "dependencia": ("string", "Dependencia", "Nombre de la dependencia (dependencia.yaml).", {"required": True}),
    "carpeta": ("string", "Carpeta", "Carpeta de datos de la dependencia (y de su informe en la salida del lote).",
                {"required": True}),
}
SHARE = {"minimum": 0, "maximum": 100}
STATE_SUMMARY_FIELDS = {
    **AGENCY_FIELDS,
    "carpeta": ("string", "Carpeta", "Carpeta de la dependencia; vacía en el renglón Total.", {}),
    **{k: v for k, v in SUMMARY_FIELDS.items() if k != "objetivo_id"},
    "con_avance_pct": ("number", "Con avance (%)", "con_avance / indicadores × 100.", SHARE),
    **{f"trayectoria_{code}": ("integer", label, f"Indicadores con trayectoria {code}.", COUNT)
       for code, label in motor.TRAJECTORY_LABELS.items()},
    "en_trayectoria_pct": ("number", "En trayectoria o meta alcanzada (%)",
                           "(trayectoria_meta_alcanzada + trayectoria_en_trayectoria) / indicadores × 100.", SHARE),
}


def export_state(state, folder: Path, gobierno: str = "") -> list[Path]:
    """Write the state's dataset of a lote's year in ``folder`` (``datos_estado_<Y>/``): ``estado_<Y>.csv`` (every indicator of
    every built agency: ``dependencia``, ``carpeta`` and the columns of ``indicadores_<Y>.csv``, with their
    published decimals), ``estado_resumen_<Y>.csv`` (by agency and in total), ``estado_<Y>.xlsx`` (both, as
    sheets) and ``datapackage.json``. ``state``: :class:`informe.calculo.estado.Estado`."""
    from informe.calculo import estado as calculo_estado

    year = state.anio
    columns = calculo_estado.AGENCY_COLUMNS + motor.EXPORT_COLUMNS
    indicators = state.indicadores[columns].astype({"semaforo": "string", "trayectoria": "string"})
    decimals = state.decimales
    summary = calculo_estado.resumen(state)
    summary[["con_avance_pct", "en_trayectoria_pct"]] = summary[["con_avance_pct", "en_trayectoria_pct"]].round(
        COMPUTED_DECIMALS)
    folder = Path(folder)
    indicators_csv = write_csv_atomic(indicators, folder / f"estado_{year}.csv", decimals)
    summary_csv = write_csv_atomic(summary, folder / f"estado_resumen_{year}.csv")
    title = f"Informe Anual de Resultados {year}: consolidado de las dependencias" + (f" — {gobierno}" if gobierno else "")
    workbook = write_bytes_atomic(folder / f"estado_{year}.xlsx", workbook_bytes(
        [(f"estado_{year}", indicators, decimals), (f"estado_resumen_{year}", summary, None)], title=title,
        creator=gobierno or "informe"))
    package = {
        "name": f"{slug(gobierno or 'estado')}-indicadores-dependencias-{year}",
        "title": f"{title}: datos abiertos",
        "description": ("Cada indicador de cada dependencia con informe en el año (las columnas de sus datos "
                        "abiertos, con su dependencia y su carpeta) y el resumen por dependencia. Las cifras "
                        "conservan los decimales con que cada dependencia las publicó."),
        "keywords": ["informe anual de resultados", "indicadores", "datos abiertos", "dependencias", str(year)],
        "contributors": [{"title": gobierno or "informe", "role": "publisher"}],
        "resources": [
            {**CSV_RESOURCE, **_file_facts(indicators_csv), "name": f"estado_{year}", "title": f"Indicadores {year}",
             "description": "Un renglón por indicador de cada dependencia, en el orden de la corrida.",
             "schema": table_schema({**AGENCY_FIELDS, **INDICATOR_FIELDS}, columns, ["carpeta", "indicador_id"])},
            {**CSV_RESOURCE, **_file_facts(summary_csv), "name": f"estado_resumen_{year}",
             "title": f"Resumen por dependencia {year}",
             "description": "Indicadores por semáforo y por trayectoria de cada dependencia; el último renglón "
                            "(Total) suma las dependencias.",
             "schema": table_schema(STATE_SUMMARY_FIELDS, list(summary.columns), "dependencia")},
            {**_file_facts(workbook), **XLSX_RESOURCE, "name": f"estado_{year}_xlsx",
             "title": f"Indicadores y resumen {year} (libro de Excel)",
             "description": "Las mismas dos tablas que los CSV, una hoja por archivo."},
        ],
    }
    descriptor = write_text_atomic(folder / "datapackage.json",
                                   json.dumps(package, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return [indicators_csv, summary_csv, workbook, descriptor]
