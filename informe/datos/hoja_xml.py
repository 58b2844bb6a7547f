"""A workbook's sheet checked as the XML it is, before openpyxl reads it.

A workbook written by a program other than Excel or LibreOffice, or damaged in transit, can hold
cells openpyxl cannot read (it stops with an ``IndexError`` or a ``ValueError`` and no cell named)
or reads into the wrong place (a reference ``B0``, or ``XFE2`` beyond the last column, is dropped
or moved without a word). Merged cells are readable but lose data: only the first cell of the
range holds the value, so the other rows of a text column arrive empty.

:func:`check_sheet` walks the sheet's XML once (``iterparse``, each row freed as it is read) and
returns the merged ranges and the first damaged cell, with the row and reference the user looks
for. It reads only what openpyxl reads, so a workbook that passes reads the same as before.
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass

from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_ISO8601
from openpyxl.xml.functions import iterparse

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#: A cell reference: column letters and row number (``B2``), within Excel's limits.
REFERENCE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
LAST_COLUMN, LAST_ROW = 16384, 1048576  # XFD, as Excel
#: The cell types of the format (ECMA-376 ST_CellType); a cell without ``t`` is a number.
TYPES = {"n", "s", "str", "inlineStr", "b", "e", "d"}


@dataclass(frozen=True)
class Damage:
    """The first cell of a sheet that cannot be read as written: its row (None if unknown), its reference
    as written (None without one) and what is wrong, in Spanish, to follow «la celda B2 »."""

    row: int | None
    cell: str | None
    what: str


def _reference_damage(ref: str, row: int | None) -> str | None:
    match = REFERENCE.fullmatch(ref)
    if not match or column_index_from_string(match.group(1)) > LAST_COLUMN or int(match.group(2)) > LAST_ROW:
        return f"tiene una referencia que no es válida (las columnas van de A a XFD y las filas de 1 a {LAST_ROW})"
    if row is not None and int(match.group(2)) != row:
        return f"está guardada dentro de la fila {row}"
    return None


def _value_damage(kind: str, value: str | None, strings: int) -> str | None:
    if kind not in TYPES:
        return f"tiene el tipo «{kind}», que no existe en el formato de Excel"
    if value is None:
        return None
    if kind == "n":
        try:
            number = float(value)
        except ValueError:
            return f"guarda «{value}» como número, que no es un número"
        if not math.isfinite(number):
            return f"guarda «{value}» como número, que no es un número finito"
    elif kind == "s":
        if not value.strip().isdigit() or int(value) >= strings:
            return (f"apunta al texto compartido n.º {value}, que no existe (el libro guarda {strings} "
                    f"texto{'s' if strings != 1 else ''})")
    elif kind == "b" and value.strip() not in ("0", "1"):
        return f"guarda «{value}» como valor lógico, que solo puede ser 0 o 1"
    elif kind == "d":
        try:
            from_ISO8601(value)
        except ValueError:
            return f"guarda «{value}» como fecha, que no es una fecha"
    return None


def _cell_damage(cell, row: int, strings: int, styles: int) -> Damage | None:
    ref = cell.get("r")
    what = _reference_damage(ref, row) if ref is not None else None
    style = cell.get("s")
    if what is None and style is not None and (not style.isdigit() or int(style) >= styles):
        what = f"usa el formato n.º {style}, que no existe (el libro guarda {styles} formato{'s' if styles != 1 else ''})"
    if what is None:
        value = cell.find(NS + "v")
        what = _value_damage(cell.get("t", "n"), value.text if value is not None else None, strings)
    return Damage(row, ref, what) if what is not None else None


def check_sheet(archive: zipfile.ZipFile, part: str, strings: int, styles: int) -> tuple[list[str], Damage | None]:
    """(merged ranges as written, e.g. ``["A2:A4"]``; the first damaged cell or None) of the sheet stored at
    ``part``, in a workbook with ``strings`` shared strings and ``styles`` cell formats."""
    merged: list[str] = []
    row: int | None = None
    with archive.open(part) as stream:
        for _, element in iterparse(stream, events=("end",)):  # openpyxl's: defusedxml when installed
            tag = element.tag
            if tag == NS + "row":
                given = element.get("r")
                if given is not None and not (given.isdigit() and 1 <= int(given) <= LAST_ROW):
                    return merged, Damage(row, None, f"tiene, después de la fila {row or 0}, una fila numerada "
                                          f"«{given}», que no es válida (las filas van de 1 a {LAST_ROW})")
                row = int(given) if given is not None else (row or 0) + 1
                for cell in element.iterfind(NS + "c"):
                    damage = _cell_damage(cell, row, strings, styles)
                    if damage is not None:
                        return merged, damage
                element.clear()  # a row at a time in memory
            elif tag == NS + "mergeCell":
                merged.append(element.get("ref", "?"))
    return merged, None
