"""Stage 1's readers: every file of the data folder, read safely, as text.

Every file of the data folder (CSV, YAML, Markdown) is read by one safe reader,
:func:`read_bytes`: only regular files inside the data folder (a symbolic link must
point inside it), at most :data:`MAX_BYTES` each. Every CSV is read as text first (so
a bad value can be reported exactly as the user typed it, with its row), validated by
:mod:`informe.datos.contrato`, and only then converted to typed columns (:mod:`informe.datos.entradas`).

Row numbers are the ones a spreadsheet shows: the header is row 1, the first record
row 2, and each record is one row even when a cell holds line breaks.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import stat
import unicodedata
from pathlib import Path

import pandas as pd
import yaml

from informe.problemas import Problem

LINE = "_linea"  # hidden column: the spreadsheet row of the record in its file

CSV_FILES = ("objetivos.csv", "estrategias.csv", "indicadores.csv", "resultados.csv")
#: Tables a data folder may have (contract v3): the programme's interim targets and its programmes.
OPTIONAL_CSV_FILES = ("metas.csv", "programas.csv")

#: Largest file read from the data folder (bytes); the 2023 data's largest file is 40 KB.
MAX_BYTES = 20 * 1024 * 1024
#: Largest YAML file (parsed by a pure-Python loader; the project's YAML files are a few KB).
MAX_YAML_BYTES = 1024 * 1024

UTF8_HELP = (
    "el archivo no está en UTF-8. Ábralo en su hoja de cálculo y use "
    "«Guardar como → CSV UTF-8 (delimitado por comas)», o en un editor de texto "
    "«Guardar con codificación → UTF-8»"
)
SAVE_AS_CSV = "guarde el archivo como «CSV UTF-8 (delimitado por comas)»"
SAVE_AS_BOOK = "ábralo en Excel o LibreOffice y guárdelo como «Libro de Excel (.xlsx)»"




# ----------------------------------------------------------------------------- the safe reader

def open_file(path: Path) -> int:
    """Open for reading without blocking (a FIFO) or acquiring a terminal; tests replace it."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(path, flags)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _inside(path: Path, root: Path) -> tuple[bool, str]:
    """Whether ``path`` (every link followed) is inside ``root``; and where it really is."""
    real, base = os.path.realpath(path), os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep), real


def present(path: Path) -> bool:
    """The name exists in its folder (also a broken symbolic link, so the reader can say so)."""
    return os.path.lexists(path)


def read_bytes(path: Path, root: Path | None = None, name: str | None = None,
               limit: int = MAX_BYTES) -> tuple[bytes | None, list[Problem]]:
    """The bytes of one input file, or one problem saying why it cannot be used.

    Refused: a folder, anything that is not a regular file (device, FIFO, socket), a file
    (or symbolic link) whose real location is outside ``root`` (the data folder), a file
    larger than ``limit`` bytes, a file the user cannot read. Nothing else reads input files.
    """
    path = Path(path)
    name = name or path.name

    def refuse(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(name, message)]

    try:
        info = os.stat(path)  # follows symbolic links; never opens the target
    except FileNotFoundError:
        if os.path.islink(path):
            return refuse(f"es un enlace simbólico roto (apunta a {os.readlink(path)}, que no existe); "
                          "reemplácelo por el archivo.")
        return refuse("falta el archivo.")
    except PermissionError:
        return refuse("no se puede leer: permiso denegado. Dé permiso de lectura al archivo "
                      "(p. ej. «chmod a+r ARCHIVO») o cópielo a una carpeta suya.")
    except OSError as err:
        return refuse(f"no se puede leer ({err.strerror}); revise la ruta.")
    if stat.S_ISDIR(info.st_mode):
        return refuse("es una carpeta, no un archivo; ponga en su lugar el archivo con ese nombre.")
    if not stat.S_ISREG(info.st_mode):
        return refuse("no es un archivo normal (es un dispositivo, una tubería o un socket); ponga en su "
                      "lugar un archivo de texto.")
    if root is not None:
        inside, real = _inside(path, root)
        if not inside:
            return refuse(f"es un enlace simbólico que apunta fuera de la carpeta de datos ({real}); por "
                          "seguridad no se lee. Copie el archivo dentro de la carpeta de datos en lugar del enlace.")
    if info.st_size > limit:
        return refuse(f"pesa {_size(info.st_size)}; el máximo es {_size(limit)} por archivo. Revise que sea "
                      "el archivo correcto (los datos de una dependencia pesan unos cuantos KB).")
    try:
        fd = open_file(path)
    except PermissionError:
        return refuse("no se puede leer: permiso denegado. Dé permiso de lectura al archivo "
                      "(p. ej. «chmod a+r ARCHIVO») o cópielo a una carpeta suya.")
    except OSError as err:
        return refuse(f"no se puede leer ({err.strerror}); revise la ruta.")
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # replaced between stat and open
            return refuse("no es un archivo normal; ponga en su lugar un archivo de texto.")
        data = handle.read(limit + 1)
    if len(data) > limit:
        return refuse(f"pesa más de {_size(limit)}; el máximo es {_size(limit)} por archivo.")
    return data, []


def _decode(data: bytes, name: str, csv_rows: bool = False) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a BOM is accepted); else a clear problem where the first bad byte is: its text
    line, or with ``csv_rows`` its row as a spreadsheet counts rows."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        decoded = err.object  # without the BOM: err.start counts from here
        if csv_rows:
            prefix = decoded[: err.start].decode("utf-8", errors="replace")
            line = _row_of_offset(prefix, len(prefix))
        else:
            line = decoded[: err.start].count(b"\n") + 1
        return None, [Problem(name, UTF8_HELP + ".", line=line,
                              value=repr(decoded[err.start: err.start + 1])[2:-1])]


def read_text(path: Path, root: Path | None = None, name: str | None = None,
              limit: int = MAX_BYTES) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 file through :func:`read_bytes`; a clear problem if it cannot be used."""
    name = name or Path(path).name
    data, problems = read_bytes(path, root, name, limit)
    if data is None:
        return None, problems
    return _decode(data, name)


# ----------------------------------------------------------------------------- CSV

def _records(text: str):
    """(text lines consumed, record) pairs of a CSV text, parsed strictly (an unclosed quote is an error)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    for record in reader:
        yield reader.line_num, record


def _row_of_offset(text: str, offset: int) -> int:
    """The spreadsheet row of the character at ``offset`` (records before it + 1)."""
    prefix = text[:offset] + "x"  # the partial record (or a new one after a line break) counts
    return sum(1 for _ in csv.reader(io.StringIO(prefix, newline="")))


def _scan_quote(text: str, start: int) -> tuple[int | None, int | None, int | None]:
    """Where the bad quote of the record starting at ``start`` opens: (cell index, offset, closing offset).

    The closing offset is None when the quote never closes (it runs to the end of the file),
    else the offset of the quote that closes it and is followed by more text. (None, None,
    None) when no quote problem is found.
    """
    i, n, cell, cell_start = start, len(text), 0, True
    opened, opened_at = None, None
    while i < n:
        c = text[i]
        if opened is not None:
            if c == '"':
                if text.startswith('""', i):
                    i += 2
                    continue
                if text[i + 1: i + 2] not in (",", "\n", "\r", ""):
                    return opened, opened_at, i
                opened, cell_start = None, False
            i += 1
            continue
        if c == '"' and cell_start:
            opened, opened_at = cell, i
        elif c == ",":
            cell += 1
            cell_start = True
            i += 1
            continue
        elif c in "\r\n":
            return None, None, None
        cell_start = False
        i += 1
    return opened, opened_at, None


def _quote_problem(name: str, text: str, header: list[str] | None, consumed: int, row: int,
                   error: csv.Error) -> Problem:
    """The problem of a record the strict CSV parser rejected, at the row where its quote opens."""
    lines = io.StringIO(text, newline="").readlines()
    start = sum(len(line) for line in lines[:consumed])
    cell, offset, closing = _scan_quote(text, start)
    if cell is None:
        return Problem(name, f"CSV mal formado ({error}); revise las comillas.", line=row)
    column = header[cell] if header and cell < len(header) else None
    where = "" if column else f" (celda {cell + 1} {'del encabezado' if header is None else 'de la fila'})"
    content = text[offset + 1:].splitlines()[0].split('"', 1)[0].strip() if text[offset + 1:] else ""
    value = content[:60] + ("…" if len(content) > 60 else "")
    if closing is None:
        message = ("la comilla que abre esta celda no se cierra: todo lo que sigue, hasta el final del "
                   "archivo, quedaría dentro de la celda. Escriba la comilla de cierre (\") al final del "
                   "texto de la celda.")
    elif "\n" in text[offset:closing] or "\r" in text[offset:closing]:
        message = ("la comilla que abre esta celda no se cierra al final de su texto: la celda se "
                   "extiende sobre las filas siguientes. Escriba la comilla de cierre (\") al final del "
                   "texto de la celda.")
    else:
        message = ("después de la comilla de cierre hay más texto en la misma celda; encierre toda la celda "
                   "entre comillas y escriba dobles (\"\") las comillas que van dentro del texto.")
    return Problem(name, message + where, line=_row_of_offset(text, offset), column=column, value=value or None)


def _separator_problem(name: str, record: list[str], row: int) -> Problem | None:
    """A header saved with «;» or a tab as separator (a spreadsheet in a Spanish locale does this)."""
    for sep, label in ((";", "«;» (punto y coma)"), ("\t", "tabuladores")):
        if sum(cell.count(sep) for cell in record) + 1 > len(record):
            return Problem(name, f"el archivo usa {label} como separador en lugar de comas; {SAVE_AS_CSV} "
                           "(en LibreOffice: «Guardar como», tipo «Texto CSV», separador de campos «,»).",
                           line=row)
    return None


def _swallowed_rows(record: list[str], header: list[str]) -> int | None:
    """The cell of ``record`` that holds line breaks followed by what looks like whole rows, if any.

    A quote opened and closed only much later (at another cell's quote) makes one cell
    swallow the rows in between; a line inside a cell with as many commas as a whole row
    is the sign. Only for files of 3 or more columns (a sentence with one comma is normal).
    """
    if len(header) < 3:
        return None
    for k, cell in enumerate(record):
        if "\n" in cell or "\r" in cell:
            if any(line.count(",") >= len(header) - 1 for line in cell.splitlines()[1:]):
                return k
    return None


def read_csv(path: Path, root: Path | None = None, name: str | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a CSV as text, one row per record, with its spreadsheet row in column :data:`LINE`.

    Empty cells become missing values; surrounding spaces are removed. A file that cannot
    be split into its cells (another separator, an unclosed quote) gives one problem and no
    table: the rest of the file is not checked (its rows would all be wrong for one reason).
    The header's row is ``frame.attrs["header_row"]`` (1 unless the file starts with blank lines).
    """
    name = name or Path(path).name
    data, problems = read_bytes(path, root, name)
    if data is None:
        return None, problems
    text, problems = _decode(data, name, csv_rows=True)
    if text is None:
        return None, problems
    header: list[str] | None = None
    header_row = 1
    rows: list[list[str]] = []
    lines: list[int] = []
    row, consumed = 0, 0
    records = _records(text)
    while True:
        try:
            consumed_after, record = next(records)
        except StopIteration:
            break
        except csv.Error as err:
            return None, problems + [_quote_problem(name, text, header, consumed, row + 1, err)]
        spans_lines = consumed_after - consumed > 1  # a cell of this record holds a line break
        row, consumed = row + 1, consumed_after
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            separator = _separator_problem(name, record, row)
            if separator is not None:
                return None, [separator]
            header, header_row = [h.strip() for h in record], row
            continue
        swallowed = _swallowed_rows(record, header) if spans_lines else None
        if swallowed is not None:
            return None, problems + [Problem(
                name, "esta celda contiene saltos de línea seguidos de renglones que parecen filas enteras: "
                "probablemente falta cerrar una comilla. Escriba la comilla de cierre (\") al final del texto "
                "de la celda.", line=row, column=header[swallowed] if swallowed < len(header) else None,
                value=record[swallowed].splitlines()[0][:60])]
        if len(record) > len(header):
            problems.append(Problem(
                name,
                f"la fila tiene {len(record)} celdas y el encabezado {len(header)}; "
                "revise comas sin comillas dentro del texto (encierre el texto entre comillas).",
                line=row))
            record = record[: len(header)]
        record = record + [""] * (len(header) - len(record))
        rows.append([cell.strip() for cell in record])
        lines.append(row)
    if header is None:
        problems.append(Problem(name, "el archivo está vacío; debe tener una fila de encabezado."))
        return None, problems
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        problems.append(Problem(name, f"columnas repetidas en el encabezado: {', '.join(duplicated)}.",
                                line=header_row))
        return None, problems
    frame = pd.DataFrame(rows, columns=header, dtype="object")
    frame = frame.where(frame != "", None)
    frame[LINE] = lines
    frame.attrs["header_row"] = header_row
    return frame, problems


def _plain(name: str) -> str:
    """A column name compared loosely: lower case, no accents, spaces and dashes as «_»."""
    text = unicodedata.normalize("NFKD", name.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "".join("_" if c in " -." else c for c in text)


def closest(name: str, candidates: list[str]) -> str | None:
    """The candidate a misspelled ``name`` most likely meant (difflib), if any is close enough."""
    plain = {_plain(c): c for c in candidates}
    if _plain(name) in plain:
        return plain[_plain(name)]
    match = difflib.get_close_matches(_plain(name), list(plain), n=1, cutoff=0.75)
    return plain[match[0]] if match else None


def header_problems(file: str, header: list[str], columns: list[str], optional=(), row: int = 1) -> list[Problem]:
    """Missing required columns and misspelled columns of a CSV header, at the header's row.

    ``columns`` are the contract's columns in their documented order; those in ``optional``
    may be absent.

    * a required column that is missing is a problem; when another column of the header
      looks like it (``indicador id`` for ``indicador_id``), the problem says to rename it;
    * a column that is not in the contract is a problem when the header misses a required
      column (the header is wrong; its unknown columns are named with the closest expected
      one) or when it looks like an optional column of the contract (its data would be
      silently ignored); otherwise it is an extra column, which the contract allows.
    """
    optional = set(optional)
    listed = "Columnas esperadas: " + ", ".join(
        c + (" (opcional)" if c in optional else "") for c in columns) + "."
    present_names = [h for h in header if h]
    unknown = [h for h in present_names if h not in columns]
    missing = [c for c in columns if c not in optional and c not in present_names]
    absent = [c for c in columns if c not in present_names]
    problems: list[Problem] = []
    renamed: set[str] = set()
    for column in missing:
        typo = next((u for u in unknown if u not in renamed and closest(u, [column]) == column), None)
        if typo is not None:
            renamed.add(typo)
            problems.append(Problem(file, f"falta la columna obligatoria «{column}»: el encabezado tiene «{typo}», "
                                    f"que parece ser esa columna mal escrita; cambie «{typo}» por «{column}».",
                                    line=row, column=column, value=typo))
        else:
            problems.append(Problem(file, f"falta la columna obligatoria «{column}» en el encabezado; agréguela "
                                    f"con ese nombre exacto. {listed}", line=row, column=column))
    for name in unknown:
        if name in renamed:
            continue
        guess = closest(name, [c for c in absent if c not in renamed])
        if guess is None and not missing:
            continue  # an extra column: allowed by the contract
        fix = (f"¿quiso decir «{guess}»? Corrija el nombre o quite la columna." if guess
               else "corrija el nombre o quite la columna.")
        problems.append(Problem(file, f"columna desconocida «{name}» en el encabezado; {fix} {listed}",
                                line=row, column=name))
    return problems


# ----------------------------------------------------------------------------- YAML

class _Loader(yaml.SafeLoader):
    """The safe loader without anchors and aliases (``&a``, ``*a``): the project's YAML needs
    none, and aliases are what makes a small file expand without bound ("billion laughs")."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _AnchorError(event.start_mark)
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node):
        """An unquoted date that does not exist (``2024-13-45``) is a YAML problem at its line, not the
        ``ValueError`` of :mod:`datetime`."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as err:
            raise _DateError(node, _DATE_ERRORS.get(str(err), str(err))) from None


# SafeLoader's table of constructors holds its own function for the tag, not this method: registered again.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)

#: datetime's messages, in Spanish.
_DATE_ERRORS = {
    "month must be in 1..12": "el mes va de 1 a 12",
    "day is out of range for month": "ese mes no tiene ese día",
    "hour must be in 0..23": "la hora va de 0 a 23",
    "minute must be in 0..59": "los minutos van de 0 a 59",
    "second must be in 0..59": "los segundos van de 0 a 59",
    "year 0 is out of range": "no hay año 0",
}


class _AnchorError(yaml.YAMLError):
    def __init__(self, mark):
        super().__init__("anchor")
        self.problem_mark = mark


class _DateError(yaml.YAMLError):
    def __init__(self, node, why: str):
        super().__init__(f"«{node.value}» parece una fecha pero no existe ({why})")
        self.problem_mark = node.start_mark


def parse_yaml(text: str):
    """(value, node) of a YAML text with :class:`_Loader`; raises ``yaml.YAMLError``."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
        return value, node
    finally:
        loader.dispose()


def read_yaml_node(path: Path, root: Path | None = None, name: str | None = None):
    """(value, node, problems) of a YAML file read through the safe reader; ``node`` gives lines."""
    name = name or Path(path).name
    text, problems = read_text(path, root, name, limit=MAX_YAML_BYTES)
    if text is None:
        return None, None, problems
    try:
        value, node = parse_yaml(text)
        return value, node, []
    except _AnchorError as err:
        return None, None, [Problem(name, "usa anclas o alias de YAML («&nombre», «*nombre»), que no se "
                                    "admiten; escriba cada valor completo donde va.",
                                    line=err.problem_mark.line + 1)]
    except _DateError as err:
        return None, None, [Problem(name, f"{err}; escriba una fecha que exista (AAAA-MM-DD), o el texto entre "
                                    "comillas si no es una fecha.", line=err.problem_mark.line + 1)]
    except RecursionError:
        return None, None, [Problem(name, "YAML anidado a demasiada profundidad; revise la sangría y los "
                                    "corchetes.")]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err)
        return None, None, [Problem(name, f"YAML mal formado: {problem}. Revise la sangría y los dos puntos.",
                                    line=line)]


def read_yaml(path: Path, root: Path | None = None, name: str | None = None) -> tuple[object | None, list[Problem]]:
    value, _, problems = read_yaml_node(path, root, name)
    return value, problems


def unknown_keys(file: str, mapping: dict, expected: tuple[str, ...], node, path: tuple, label: str) -> list[Problem]:
    """A problem per key of the YAML ``mapping`` (at ``path`` under ``node``) that is not ``expected``,
    with the closest expected key as a suggestion; ``label`` says where (e.g. "en el proyecto 2")."""
    problems = []
    for key in mapping:
        if key not in expected:
            guess = closest(str(key), [k for k in expected if k not in mapping])
            valid = f"las claves válidas son: {', '.join(expected)}."
            fix = f"¿quiso decir «{guess}»? {valid[0].upper()}{valid[1:]}" if guess else valid
            problems.append(Problem(file, f"clave desconocida «{key}» {label}; {fix}",
                                    line=yaml_line(node, *path, key), column=str(key)))
    return problems


def yaml_line(node, *keys) -> int | None:
    """The line of the value at ``keys`` (mapping keys or list indices) under ``node``."""
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            node = None
        if node is None:
            return None
    return node.start_mark.line + 1 if node is not None else None














