"""The workbook route: the whole data contract in one Excel workbook (``.xlsx``).

* :func:`write_template` — ``informe plantilla``: one sheet per table of the contract
  (``programas``, ``objetivos``, ``estrategias``, ``indicadores``, ``resultados``, ``metas``; the first and
  the last optional, read only when they have rows) plus ``dependencia``
  (clave/valor) and ``directorio`` / ``enlaces`` (nombre/cargo), which replace
  ``dependencia.yaml``. Every header cell carries a note (its meaning, from :data:`NOTES`),
  closed lists and the ids that must exist in another sheet are drop-down lists, id and text
  columns are formatted as text (Excel never turns «1.10» into 1.1), the header row is frozen.
  With a data folder, its data are filled in: numbers as numbers with a format that shows the
  decimals the CSV had (84.20 → 84.2 shown as «0.00»).
* :func:`read_book` — what :func:`informe.datos.entradas.read_raw` returns for a folder, from a workbook:
  the same raw text tables (object dtype, ``None`` for empty, :data:`~informe.datos.lectura.LINE` = the
  row the sheet shows, ``attrs["header_row"]``) and the same ``dependencia`` dict, so
  validation, the engine, the exports and the notebooks are unchanged. The narrative
  (``narrativa/``, ``institucional/``) and ``params/`` stay as files in the workbook's folder.

**A cell reads as the sheet shows it.** A number reads with the decimals its number format
shows (value 84.2 with «0.00» → ``84.20``; with «General» → the shortest text ``84.2``,
at most 15 significant digits as Excel shows them; 2023.0 → ``2023``), without thousands
separators; a percent format shows the value × 100 without the sign (0.842 with «0.00%» →
``84.20``); a date is its year in a year column (``anio``, ``linea_base_anio``,
``meta_anio``) and ISO text elsewhere (``2023-06-13``); a boolean is ``VERDADERO``/``FALSO``;
a cell with only spaces is empty, and so are rows that only have formatting. A formula is read
through the value the program that saved the workbook cached (Excel and LibreOffice always
do); a formula without a cached value, or one that shows an error (``#DIV/0!``), is a problem
of that cell. Before any cell is read, :mod:`informe.datos.hoja_xml` checks each sheet's XML: merged cells
and a damaged cell (a shared string or a format that does not exist, ``NaN`` stored as a number,
an impossible reference) are problems of that sheet, which is then not read.

**Why openpyxl (and not python-calamine).** Measured on this machine (2 cores, another
engineer's work running; median of 5; README «El libro de Excel»), reading the sheets into
Python values: the template of ``data/`` (7 sheets, 48 results) takes 45 ms with openpyxl
(read-only mode, this module's reader) and 2 ms with python-calamine 0.9; a 5,000-row
``resultados`` sheet 0.61 s and 30 ms. (Saved with shared strings, as Excel does; the
template as openpyxl writes it, with inline strings, takes 63 ms and 0.86 s.) calamine is
~20× faster, but it returns values without their number formats: 84.20 shown as «0.00»
arrives as 84.2 and a cell that shows «84.20 %» as 0.842, so neither the published precision
nor a percent can be recovered, and the precision is part of the contract. openpyxl is fast
enough (a workbook is read once per build: the notebooks read the validated copy), it is
already a dependency, and it also writes the template (notes, drop-down lists, formats).
"""

from __future__ import annotations

import datetime as _dt
import functools
import io
import math
import re
import zipfile
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import pandas as pd

from informe.datos.contrato import (
    COLUMNS,
    DEPENDENCIA_PEOPLE,
    DEPENDENCIA_TEXTS,
    ESTADOS,
    FRECUENCIAS,
    NUMBER,
    OPTIONAL_COLUMNS,
    PERSON_KEYS,
    SEMAFOROS,
    SENTIDOS,
    TIPOS_PROGRAMA,
)
from informe.datos.hoja_xml import check_sheet
from informe.datos.lectura import (
    CSV_FILES,
    LINE,
    MAX_BYTES,
    OPTIONAL_CSV_FILES,
    SAVE_AS_BOOK,
    closest,
    header_problems,
    read_bytes,
)
from informe.escritura import atomic_path
from informe.problemas import DataError, InformeError, Problem

#: Each table of the contract and its sheet, in the template's order (programmes before their objectives, the
#: interim targets after the results); the sheets of :data:`~informe.datos.lectura.OPTIONAL_CSV_FILES` may be absent.
SHEETS = {file: file.removesuffix(".csv") for file in ("programas.csv", *CSV_FILES, "metas.csv")}
DEPENDENCIA = "dependencia"
KEY_COLUMNS = ["clave", "valor"]
#: Every sheet the program reads, in the template's order.
KNOWN = (DEPENDENCIA, *DEPENDENCIA_PEOPLE, *SHEETS.values())
#: dependencia.yaml keys that must have a value (validate.DEPENDENCIA_TEXTS: the first two).
REQUIRED_KEYS = DEPENDENCIA_TEXTS[:2]

#: What each column means (the contract, docs/contrato-de-datos.md): the note of its header cell.
NOTES: dict[str, dict[str, str]] = {
    "programas": {
        "programa_id": "Clave del programa (p. ej. PSE): letras sin acentos, dígitos, «-» o «_», única. Llene esta "
                       "hoja solo si la dependencia informa de varios programas; vacía, no se usa.",
        "nombre": "Nombre del programa, como encabeza sus objetivos en la sección VII.",
        "tipo": "sectorial, institucional, especial o regional (lista desplegable).",
    },
    "objetivos": {
        "objetivo_id": "Número del objetivo: entero ≥ 1 (1, 2, 3…), único en la hoja.",
        "nombre": "El objetivo, literal (encabezado «Objetivo N …» de la sección VII).",
        "programa_id": "Programa del objetivo: un programa_id de la hoja «programas» (lista desplegable). "
                       "Obligatoria si la hoja «programas» tiene filas; si no, déjela vacía.",
        "ped_eje": "Eje del Plan Estatal de Desarrollo al que se alinea el objetivo (p. ej. «Eje 1 Gobierno "
                   "eficiente»), escrito igual en todas las dependencias: el consolidado estatal agrupa por él.",
    },
    "estrategias": {
        "estrategia_id": "Clave de la estrategia (p. ej. 1.1), única. Se compara tal como está escrita: la "
                         "columna tiene formato de texto para que «1.10» no se convierta en 1.1.",
        "objetivo_id": "Objetivo al que pertenece: un objetivo_id de la hoja «objetivos» (lista desplegable).",
        "nombre": "La estrategia, literal.",
    },
    "indicadores": {
        "indicador_id": "Clave del indicador: letras sin acentos, dígitos, «-» o «_» (p. ej. OM-2-06), única.",
        "objetivo_id": "Objetivo al que pertenece: un objetivo_id de la hoja «objetivos» (lista desplegable).",
        "estrategia_id": "Estrategia del indicador, si se conoce: una estrategia_id de la hoja «estrategias» "
                         "que pertenece al mismo objetivo (lista desplegable).",
        "nombre": "Nombre como aparece en la tabla de resultados de la sección VII.",
        "nombre_cedula": "«INDICADOR:» de la cédula del anexo, si difiere de «nombre»; la cédula lo muestra en "
                         "lugar de «nombre».",
        "objetivo_cedula": "«OBJETIVO SECTORIAL, INSTITUCIONAL O TRANSVERSAL» de la cédula; si falta, la cédula "
                           "muestra el nombre del objetivo.",
        "objetivo_indicador": "«OBJETIVO DEL INDICADOR» de la cédula.",
        "descripcion": "«DESCRIPCIÓN GENERAL» de la cédula; para varios párrafos, un salto de línea dentro de "
                       "la celda (Alt+Intro).",
        "metodo_calculo": "«MÉTODO DE CÁLCULO» de la cédula, como texto plano.",
        "sentido": "ascendente, descendente o no_aplica (lista desplegable): si mejorar es subir o bajar; "
                   "no_aplica si ninguno es mejor (semáforo y trayectoria «No aplica»).",
        "frecuencia": "anual, semestral, trimestral, mensual, bienal, trienal, quinquenal, sexenal o irregular "
                      "(lista desplegable). Un indicador bienal o menos frecuente sin resultado en el año del "
                      "informe muestra su última medición, con su año.",
        "unidad_medida": "Unidad del indicador, texto libre. Con «porcentaje» el informe agrega «%» a las cifras "
                         "y el valor calculado con numerador y denominador se multiplica por 100.",
        "fuente": "«FUENTE» de la cédula.",
        "unidad_responsable": "Unidad responsable, de la cédula.",
        "unidad_ejecutora": "Unidad ejecutora, de la cédula.",
        "referencia_adicional": "Referencia adicional de la cédula (vacía si está en blanco; N/A si dice N/A).",
        "nota_cedula": "Notas al pie de la cédula («Tema: texto»).",
        "linea_base_anio": "Año de la línea base que declara la cédula (cuatro cifras).",
        "linea_base_valor": "Línea base de la cédula, un número; vacía = N/A. Se publica con los decimales que "
                            "muestra la celda (formato 0.00 → 84.20).",
        "meta_anio": "Año de la meta (cuatro cifras). Vacía, con meta_valor vacía, si el indicador no tiene meta "
                     "(«Sin meta»).",
        "meta_valor": "Meta, un número; se publica con los decimales que muestra la celda. Va con meta_anio: las "
                      "dos o ninguna.",
    },
    "resultados": {
        "indicador_id": "Indicador: un indicador_id de la hoja «indicadores» (lista desplegable). Una fila por "
                        "indicador y año.",
        "anio": "Año del resultado (cuatro cifras); la pareja (indicador_id, anio) no se repite.",
        "valor": "Cifra publicada, en la unidad del indicador (38.89 = 38.89 %). Se publica con los decimales "
                 "que muestra la celda (formato 0.00 → 84.20); una celda con formato de porcentaje que muestra "
                 "84.20 % se lee como 84.20.",
        "numerador": "Numerador (puede ser 0); con numerador y denominador el valor se calcula.",
        "denominador": "Total con el que se divide: un número mayor que 0. Numerador y denominador van los dos "
                       "o ninguno.",
        "estado": "Vacío = valor medido; ND = no disponible todavía; pendiente = aún no se mide (lista "
                  "desplegable).",
        "nota": "Nota que se muestra debajo de la tabla del indicador (y junto a «N/D» o «Pendiente»).",
        "fuente": "Fuente como la publica la tabla de resultados del año; si falta, se usa la «fuente» de la "
                  "cédula.",
        "semaforo_publicado": "Opcional: el semáforo que imprimió una publicación (lista desplegable). No se "
                              "imprime: la revisión de calidad avisa si el semáforo calculado es otro.",
    },
    "metas": {
        "indicador_id": "Indicador: un indicador_id de la hoja «indicadores» (lista desplegable). Una fila por "
                        "indicador y año de meta intermedia; vacía, no se usa.",
        "anio": "Año de la meta intermedia: posterior al de la línea base y no posterior al de la meta.",
        "meta_valor": "Meta intermedia de ese año; la del año de la meta es la misma de la cédula. Con ella se "
                      "calcula el avance esperado de ese año en lugar de la línea recta.",
    },
    DEPENDENCIA: {
        "clave": "Obligatoria. Qué dato es (lista desplegable): nombre, gobierno, siglas, lema, mision o vision; "
                 "cada clave una sola vez.",
        "valor": "El texto de esa clave. nombre y gobierno son obligatorias; una clave con el valor vacío no "
                 "se usa.",
    },
    "directorio": {
        "nombre": "Obligatoria. Directorio de la portada, en el orden del informe, una persona por fila: su "
                  "nombre (p. ej. Lic. …).",
        "cargo": "Obligatoria. Su cargo.",
    },
    "enlaces": {
        "nombre": "Obligatoria. Enlaces de la dependencia, en el orden del informe, una persona por fila: su "
                  "nombre.",
        "cargo": "Obligatoria. Su cargo.",
    },
}
#: The note of each key of the ``dependencia`` sheet (on its «clave» cell).
KEY_NOTES = {
    "nombre": "Obligatoria. Nombre de la dependencia (p. ej. Oficialía Mayor).",
    "gobierno": "Obligatoria. P. ej. Gobierno del Estado de Sonora.",
    "siglas": "Siglas.",
    "lema": "Lema de la portada.",
    "mision": "Misión (sección III).",
    "vision": "Visión (sección III).",
}

#: Columns with a closed list of values (a drop-down list in the template).
LISTS = {("indicadores", "sentido"): SENTIDOS, ("indicadores", "frecuencia"): FRECUENCIAS,
         ("programas", "tipo"): TIPOS_PROGRAMA,
         ("resultados", "estado"): ESTADOS, ("resultados", "semaforo_publicado"): SEMAFOROS,
         (DEPENDENCIA, "clave"): DEPENDENCIA_TEXTS}
#: Id columns whose value must exist in (the first column of) another sheet (a drop-down list).
REFERENCES = {("estrategias", "objetivo_id"): "objetivos", ("indicadores", "objetivo_id"): "objetivos",
              ("indicadores", "estrategia_id"): "estrategias", ("resultados", "indicador_id"): "indicadores",
              ("objetivos", "programa_id"): "programas", ("metas", "indicador_id"): "indicadores"}
NUMBER_COLUMNS = {"linea_base_valor", "meta_valor", "valor", "numerador", "denominador"}
YEAR_COLUMNS = {"anio", "linea_base_anio", "meta_anio"}

#: Largest workbook once unzipped (a 5,000-row results sheet is ≈ 1 MB): a guard against zip bombs.
MAX_UNZIPPED = 200 * 1024 * 1024
LAST_ROW = 1048576  # Excel's last row: drop-down lists cover the whole column
TEXT = "@"


# ----------------------------------------------------------------------------- cells as the sheet shows them

class CellError(ValueError):
    """A cell that has no usable value (a formula error, a formula without a cached value)."""


def _strip_format(section: str) -> str:
    """A number format section without its literal text ("km", \\x), colours/conditions ([Red]) and padding."""
    return re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].', "", section)


def _first_section(number_format: str) -> str:
    """The section of a number format used for positive numbers (``0.00;[Red]-0.00`` → ``0.00``)."""
    return re.split(r';(?=(?:[^"]*"[^"]*")*[^"]*$)', number_format, maxsplit=1)[0]


@functools.lru_cache(maxsize=256)  # a workbook has a handful of formats and thousands of cells
def display(number_format: str | None) -> tuple[bool, tuple[int, int] | None]:
    """(percent, (most, fewest) decimals shown) of a number format; decimals None = as «General»."""
    if not number_format or number_format in ("General", TEXT):
        return False, None
    plain = _strip_format(_first_section(number_format))
    percent = "%" in plain
    if "General" in plain or re.search(r"[eE][+-]|/", plain) or not re.search(r"[0#?]", plain):
        return percent, None  # scientific, fractions, text: shown here as «General» would show them
    match = re.search(r"\.([0#?]*)", plain)
    run = match.group(1) if match else ""
    return percent, (len(run), sum(c in "0?" for c in run))


def number_text(value: int | float, number_format: str | None = "General") -> str:
    """A number as the sheet shows it, without thousands separators and, for a percent, × 100 without «%»."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    percent, decimals = display(number_format)
    if decimals is None and not percent:  # the common case, without Decimal: «General», 15 digits
        text = str(value) if isinstance(value, int) else f"{value:.15g}"
        if "e" not in text:
            return "0" if text == "-0" else text
    with localcontext() as context:
        context.prec = 400  # quantize needs every digit of the largest double
        number = Decimal(value) if isinstance(value, int) else Decimal(f"{value:.15g}")  # Excel's 15 digits
        if percent:
            number = number.scaleb(2)
        if decimals is None:
            text = format(number.normalize(), "f")
        else:
            most, fewest = decimals
            text = format(number.quantize(Decimal(1).scaleb(-most), rounding=ROUND_HALF_UP), "f")
            if most > fewest:  # optional digits («0.0#»): trailing zeros beyond the required ones go
                whole, _, frac = text.partition(".")
                frac = frac.rstrip("0").ljust(fewest, "0")
                text = f"{whole}.{frac}" if frac else whole
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no «-0»


def cell_text(value, data_type: str = "n", number_format: str | None = "General", year: bool = False) -> str | None:
    """The text of one cell as the sheet shows it (see the module docstring); None for an empty cell.

    ``year``: the column holds years (a date there is its year). Raises :class:`CellError` for a
    cell that shows a formula error.
    """
    if value is None:
        return None
    if data_type == "e":
        raise CellError(f"la celda muestra el error {value} de una fórmula; corrija la fórmula o escriba el valor.")
    if isinstance(value, bool):
        return "VERDADERO" if value else "FALSO"
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, _dt.datetime):
        if year:
            return str(value.year)
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return str(value.year) if year else value.isoformat()
    if isinstance(value, (int, float)):
        return number_text(value, number_format)
    return str(value).strip() or None  # a time or a duration


# ----------------------------------------------------------------------------- reading

def _on_sheet(problems: list[Problem], book: str, sheet: str) -> list[Problem]:
    return [replace(p, file=book, sheet=sheet) for p in problems]


def _open(data: bytes, data_only: bool = True):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)


FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _formulas(data: bytes, sheets: list[str]) -> dict[str, dict[tuple[int, int], str]]:
    """{sheet: {(row, column): formula}} of ``sheets``, read only when the workbook has a formula at all.

    Read with ``data_only=True``, a formula without a cached value is an empty cell; this tells them apart.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(FORMULA.search(archive.read(n)) for n in parts):
            return {}
    workbook = _open(data, data_only=False)
    try:
        found = {}
        for sheet in sheets:
            ws = workbook[sheet]
            ws.reset_dimensions()
            found[sheet] = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row
                            if getattr(c, "data_type", None) == "f"}
        return found
    finally:
        workbook.close()


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def read_sheet(ws, book: str, sheet: str, formulas: dict[tuple[int, int], str],
               required: bool = True) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One sheet as :func:`informe.datos.lectura.read_csv` reads a CSV: text cells, ``None`` for empty, :data:`LINE`.

    The first row with a value is the header; columns without a name are left out (a value in one
    is a problem); rows without any value (also those that only have formatting) are skipped. An
    empty sheet is a problem when ``required``, else it is as if it were absent (no frame).
    """
    ws.reset_dimensions()  # some programs write a wrong size: read every row there is
    problems: list[Problem] = []
    header: dict[int, str] | None = None
    header_row = 1
    rows: list[dict[int, str | None]] = []
    lines: list[int] = []

    def problem(message: str, row: int, column: str | None, value: str | None = None) -> None:
        problems.append(Problem(book, message, line=row, column=column, value=value, sheet=sheet))

    for cells in ws.iter_rows():
        texts: dict[int, str | None] = {}
        for c in cells:
            position = getattr(c, "column", None)
            if position is None:
                continue  # an empty cell between two others
            row = c.row
            name = header.get(position) if header else None
            if c.value is None:
                if (row, position) in formulas:
                    problem(f"la celda tiene la fórmula «{formulas[(row, position)]}» sin valor calculado "
                            "guardado; ábrala en Excel o LibreOffice y guarde el libro (así se guarda el valor), "
                            "o escriba el valor en lugar de la fórmula.", row, name or _letter(position))
                continue
            try:
                text = cell_text(c.value, c.data_type, c.number_format, year=name in YEAR_COLUMNS)
            except CellError as err:
                problem(str(err), row, name or _letter(position), str(c.value))
                continue
            if text is not None:
                texts[position] = text
        if not texts:
            continue
        if header is None:
            header, header_row = texts, row
            continue
        for position in sorted(set(texts) - set(header)):
            problem(f"hay un valor en la columna {_letter(position)}, que no tiene nombre en el encabezado (fila "
                    f"{header_row}); escriba el nombre de la columna (una columna adicional se permite) o borre "
                    "el valor.", row, None, texts[position])
        rows.append(texts)
        lines.append(row)
    if header is None:
        if required:
            problem("la hoja está vacía; debe tener una fila de encabezado con los nombres de columna.", None, None)
        return None, problems
    names = list(header.values())
    duplicated = sorted({h for h in names if names.count(h) > 1})
    if duplicated:
        problem(f"columnas repetidas en el encabezado: {', '.join(duplicated)}.", header_row, None)
        return None, problems
    positions = sorted(header)
    frame = pd.DataFrame([[texts.get(p) for p in positions] for texts in rows],
                         columns=[header[p] for p in positions], dtype="object")
    frame[LINE] = lines
    frame.attrs["header_row"] = header_row
    return frame, problems


def _missing_sheet(book: str, sheet: str, names: list[str]) -> Problem:
    other = closest(sheet, [n for n in names if n not in KNOWN])
    fix = (f"el libro tiene la hoja «{other}», que parece ser esa hoja con otro nombre; cámbiele el nombre a "
           f"«{sheet}»." if other else f"agregue una hoja llamada exactamente «{sheet}» (vea el contrato de datos, "
           "sección «Libro de Excel», o cree el libro con «informe plantilla»).")
    return Problem(book, f"falta la hoja obligatoria; {fix}", sheet=sheet)


#: How to repair a sheet whose cells cannot be read.
RESAVE = ("ábralo en Excel o LibreOffice, corrija o vuelva a escribir esa celda y guarde el libro como «Libro de "
          "Excel (.xlsx)»")
MERGED = ("están combinadas: solo la primera guarda el valor y las demás filas quedarían vacías. Sepárelas "
          "(en Excel, Inicio › Combinar y centrar › Separar celdas) y escriba el valor en cada fila")


def scan_sheets(data: bytes, workbook, book: str) -> dict[str, list[Problem]]:
    """{sheet: problems} of the sheets the program reads whose XML has merged cells or a damaged cell
    (:mod:`informe.datos.hoja_xml`); ``workbook`` is ``data`` opened read-only. :func:`read_book` reads no cell of
    such a sheet, so no other problem is reported from it."""
    styles = len(workbook._cell_styles)  # openpyxl keeps the cell formats and shared strings it read only in
    found: dict[str, list[Problem]] = {}  # these private attributes
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for sheet in (s for s in KNOWN if s in workbook.sheetnames):
            ws = workbook[sheet]
            merged, damage = check_sheet(archive, ws._worksheet_path, len(ws._shared_strings), styles)
            problems = found.setdefault(sheet, [])
            if damage is not None:
                where = f"la celda «{damage.cell}»" if damage.cell else "la hoja"
                problems.append(Problem(book, f"{where} {damage.what}; {RESAVE}.", line=damage.row, sheet=sheet))
            for ref in merged:
                first = re.match(r"[A-Z]+([0-9]+)", ref)
                problems.append(Problem(book, f"las celdas {ref} {MERGED}.", line=int(first.group(1)) if first else None,
                                        sheet=sheet))
    return {sheet: problems for sheet, problems in found.items() if problems}


def _read(workbook, book: str, sheet: str, formulas, damaged: dict[str, list[Problem]],
          required: bool = True) -> tuple[pd.DataFrame | None, list[Problem]]:
    """:func:`read_sheet` of a sheet :func:`scan_sheets` found sound; whatever openpyxl still cannot read is a problem
    of the sheet, not a traceback."""
    if sheet in damaged:
        return None, damaged[sheet]
    try:
        return read_sheet(workbook[sheet], book, sheet, formulas.get(sheet, {}), required)
    except (IndexError, KeyError, TypeError, ValueError) as err:
        return None, [Problem(book, f"la hoja está dañada y no se puede leer ({type(err).__name__}); {RESAVE}.",
                              sheet=sheet)]


def _checked(workbook, book: str, sheet: str, columns: list[str], formulas, damaged: dict[str, list[Problem]],
             required: bool = True) -> tuple[pd.DataFrame | None, list[Problem]]:
    """A sheet of fixed columns (dependencia, directorio, enlaces): its frame, or None with its problems."""
    frame, problems = _read(workbook, book, sheet, formulas, damaged, required)
    if frame is not None:
        header = header_problems(sheet, [c for c in frame.columns if c != LINE], columns,
                                 row=frame.attrs["header_row"])
        problems += _on_sheet(header, book, sheet)
        if header:
            frame = None
    return frame, problems


def _dependencia(workbook, book: str, formulas, damaged: dict[str, list[Problem]]) -> tuple[dict, list[Problem]]:
    """The ``dependencia`` sheet (clave/valor) and the ``directorio``/``enlaces`` sheets, as dependencia.yaml."""
    names = workbook.sheetnames
    if DEPENDENCIA not in names:
        return {}, [_missing_sheet(book, DEPENDENCIA, names)]
    dependencia: dict = {}
    frame, problems = _checked(workbook, book, DEPENDENCIA, KEY_COLUMNS, formulas, damaged)
    if frame is None:
        return {}, problems

    def problem(message: str, line: int | None, column: str | None, value: str | None = None) -> None:
        problems.append(Problem(book, message, line=line, column=column, value=value, sheet=DEPENDENCIA))

    rows: dict[str, int] = {}
    for key, value, line in zip(frame["clave"], frame["valor"], frame[LINE]):
        if key is None:
            problem("falta la clave de este valor; escriba en «clave» una de: " + ", ".join(DEPENDENCIA_TEXTS) + ".",
                    line, "clave")
        elif key not in DEPENDENCIA_TEXTS:
            guess = closest(key, [k for k in DEPENDENCIA_TEXTS if k not in rows])
            problem(f"clave desconocida; {f'¿quiso decir «{guess}»? ' if guess else ''}las claves válidas son: "
                    f"{', '.join(DEPENDENCIA_TEXTS)}.", line, "clave", key)
        elif key in rows:
            problem(f"la clave está repetida (también en la fila {rows[key]}); cada clave va en una sola fila.",
                    line, "clave", key)
        else:
            rows[key] = line
            if value is not None:
                dependencia[key] = value
    for key in REQUIRED_KEYS:
        if key not in dependencia:
            example = "Oficialía Mayor" if key == "nombre" else "Gobierno del Estado de Sonora"
            if key in rows:
                problem(f"la celda está vacía y la clave «{key}» es obligatoria (p. ej. «{example}»).",
                        rows[key], "valor")
            else:
                problem(f"falta la fila de la clave obligatoria «{key}» con su valor (p. ej. «{example}»).", None, "clave")
    for sheet in DEPENDENCIA_PEOPLE:
        if sheet not in names:
            continue  # optional, as the keys of dependencia.yaml
        people, found = _checked(workbook, book, sheet, list(PERSON_KEYS), formulas, damaged, required=False)
        problems += found
        if people is None:
            continue
        for record in people.to_dict("records"):
            for key in PERSON_KEYS:
                if record[key] is None:
                    problems.append(Problem(book, "la celda está vacía; cada persona lleva nombre y cargo.",
                                            line=record[LINE], column=key, sheet=sheet))
        if len(people):
            dependencia[sheet] = [{key: record[key] for key in PERSON_KEYS} for record in people.to_dict("records")]
    return dependencia, problems


def read_book(path: Path) -> tuple[dict, dict[str, pd.DataFrame], list[Problem]]:
    """:func:`informe.datos.entradas.read_raw` of a workbook: dependencia dict, raw text tables (keyed by the CSV names
    of the contract), problems (each naming the workbook, the sheet, the row and the column)."""
    path = Path(path)
    book = path.name
    if not path.exists() and not path.is_symlink():
        raise DataError([Problem(str(path), "el libro de datos no existe; indique otro con --data.")])
    data, problems = read_bytes(path, path.parent, book, limit=MAX_BYTES)
    if data is None:
        return {}, {}, problems
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
        if unzipped > MAX_UNZIPPED:
            return {}, {}, [Problem(book, f"descomprimido pesaría {unzipped / 1024 / 1024:.0f} MB; el máximo es "
                                    f"{MAX_UNZIPPED / 1024 / 1024:.0f} MB. Revise que sea el libro correcto.")]
        workbook = _open(data)
    except Exception as err:  # noqa: BLE001 - whatever openpyxl raises, the file is not a usable workbook
        return {}, {}, [Problem(book, f"no se puede abrir como libro de Excel ({type(err).__name__}); {SAVE_AS_BOOK}.")]
    try:
        names = workbook.sheetnames
        damaged = scan_sheets(data, workbook, book)
        formulas = _formulas(data, [s for s in KNOWN if s in names and s not in damaged])
        dependencia, problems = _dependencia(workbook, book, formulas, damaged)
        tables: dict[str, pd.DataFrame] = {}
        for file, sheet in SHEETS.items():
            if sheet not in names:
                if file not in OPTIONAL_CSV_FILES:
                    problems.append(_missing_sheet(book, sheet, names))
                continue
            frame, found = _read(workbook, book, sheet, formulas, damaged)
            problems += found
            if frame is not None and (len(frame) or file not in OPTIONAL_CSV_FILES):  # an empty optional sheet:
                tables[file] = frame                                                    # as if absent
        return dependencia, tables, problems
    finally:
        workbook.close()


def in_book(book: Path, problems: list[Problem], earlier: list[Problem]) -> list[Problem]:
    """Problems the validator found in the tables of ``book`` (named by their CSV file), named by the
    workbook and sheet, in the sheet's terms («fila», «la hoja «objetivos»»). A cell the reader already
    reported (a formula error) is not reported again."""
    taken = {(p.sheet, p.line, p.column) for p in earlier if p.sheet}
    named = []
    for p in problems:
        sheet = SHEETS.get(p.file)
        if sheet is None:
            named.append(p)
            continue
        if (sheet, p.line, p.column) in taken:
            continue
        message = p.message.replace("la línea", "la fila").replace("(línea ", "(fila ")
        for file, other in SHEETS.items():
            message = message.replace(f"en {file}", f"en la hoja «{other}»").replace(file, f"la hoja «{other}»")
        named.append(replace(p, file=Path(book).name, sheet=sheet, message=message))
    return named


# ----------------------------------------------------------------------------- writing the template

def note(sheet: str, column: str) -> str:
    """The header note of a column: required or optional, then its meaning."""
    file = f"{sheet}.csv"
    meaning = NOTES[sheet][column]
    if file not in COLUMNS or meaning.startswith("Obligatoria"):
        return meaning
    return ("Opcional. " if column in OPTIONAL_COLUMNS.get(file, ()) else "Obligatoria. ") + meaning


def _number_cell(text: str) -> tuple[int | float, str] | None:
    """(value, number format showing the same decimals) of a number written as text; None to keep it as text
    (not a number of the contract, or more digits than a spreadsheet keeps)."""
    if not re.match(NUMBER, text):
        return None
    digits = text.lstrip("+-").replace(".", "").lstrip("0")
    if len(digits) > 15:
        return None
    decimals = len(text.partition(".")[2])
    number = Decimal(text)
    return (float(number), "0." + "0" * decimals) if decimals else (int(number), "0")


def _cell_value(column: str, text: str | None) -> tuple[object, str]:
    """(value, number format) of a cell written from the raw text of a table."""
    if text is None:
        return None, TEXT if column not in NUMBER_COLUMNS | YEAR_COLUMNS else "General"
    if column in NUMBER_COLUMNS or column in YEAR_COLUMNS:
        number = _number_cell(text)
        if number is not None:
            return number
    return text, TEXT


def _sheet(workbook, sheet: str, columns: list[str], rows: list[list[str | None]], notes: dict[str, str]) -> None:
    """Write one sheet: header with notes, rows, formats, widths, drop-down lists, frozen header."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils.exceptions import IllegalCharacterError
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = workbook.create_sheet(sheet)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
    wrap = Alignment(wrap_text=True, vertical="top")
    for k, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=k, value=column)
        cell.font, cell.fill = bold, fill
        if column in notes:
            cell.comment = Comment(notes[column], "informe", height=140, width=320)
    for r, record in enumerate(rows, start=2):
        for k, (column, text) in enumerate(zip(columns, record), start=1):
            value, number_format = _cell_value(column, text)
            if value is None:
                continue
            cell = ws.cell(row=r, column=k)
            try:
                cell.value = value
            except IllegalCharacterError:
                raise InformeError(f"hoja «{sheet}», fila {r}, columna «{column}»: el texto tiene caracteres de "
                                   "control que un libro de Excel no admite; quítelos del archivo de datos.") from None
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula («=…») or an error code («#N/A»)
                if "\n" in value or len(value) > 60:
                    cell.alignment = wrap
            cell.number_format = number_format
    for k, column in enumerate(columns, start=1):
        letter = ws.cell(row=1, column=k).column_letter
        dimension = ws.column_dimensions[letter]
        if column not in NUMBER_COLUMNS | YEAR_COLUMNS:
            dimension.number_format = TEXT  # what is typed later in the column stays text too
        longest = max([len(column)] + [len((r[k - 1] or "").split("\n")[0]) for r in rows[:200]])
        dimension.width = min(60, max(10, longest + 2))
        listed = LISTS.get((sheet, column))
        target = REFERENCES.get((sheet, column))
        if listed:
            validation = DataValidation(type="list", formula1='"' + ",".join(listed) + '"', allow_blank=True,
                                        showErrorMessage=True, errorTitle="Valor no válido",
                                        error=f"Elija uno de: {', '.join(listed)}.")
        elif target:
            validation = DataValidation(type="list", formula1=f"{target}!$A$2:$A${LAST_ROW}", allow_blank=True,
                                        showErrorMessage=True, errorStyle="warning", errorTitle="Identificador",
                                        error=f"Use un {column} de la hoja «{target}» (primera columna).")
        else:
            continue
        validation.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(validation)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{ws.cell(row=1, column=len(columns)).column_letter}{max(2, len(rows) + 1)}"


def write_book(out: Path, dependencia: dict, tables: dict[str, pd.DataFrame]) -> None:
    """Write the workbook ``out`` (atomically, mode 0644) with ``dependencia`` and the text ``tables`` (each
    possibly missing: its sheet has only the header), one sheet per table of the contract, with notes and lists."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    keys = [[key, dependencia.get(key)] for key in DEPENDENCIA_TEXTS]
    _sheet(workbook, DEPENDENCIA, KEY_COLUMNS, keys, NOTES[DEPENDENCIA])
    ws = workbook[DEPENDENCIA]
    ws.column_dimensions["B"].width = 100
    from openpyxl.comments import Comment

    for r, key in enumerate(DEPENDENCIA_TEXTS, start=2):
        ws.cell(row=r, column=1).comment = Comment(KEY_NOTES[key], "informe", height=80, width=240)
    for sheet in DEPENDENCIA_PEOPLE:
        people = [[person.get(k) for k in PERSON_KEYS] for person in dependencia.get(sheet) or []]
        _sheet(workbook, sheet, list(PERSON_KEYS), people, NOTES[sheet])
    for file, sheet in SHEETS.items():
        frame = tables.get(file)
        extra = [c for c in frame.columns if c not in COLUMNS[file] and c != LINE] if frame is not None else []
        columns = COLUMNS[file] + extra
        rows = [] if frame is None else [[record.get(c) for c in columns] for record in frame.to_dict("records")]
        _sheet(workbook, sheet, columns, rows, {c: note(sheet, c) for c in COLUMNS[file]})
    with atomic_path(Path(out)) as tmp:
        workbook.save(tmp)
