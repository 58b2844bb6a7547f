"""``informe plantilla``: the workbook to fill in, empty or holding an agency's data."""

from __future__ import annotations

from pathlib import Path

from informe.datos.contrato import validate_tables
from informe.datos.entradas import read_raw
from informe.datos.libro import write_book
from informe.problemas import DataError, Problem


def write_template(out: Path, data: Path | str | None = None) -> list[Problem]:
    """Write the workbook ``out`` (atomically, mode 0644): empty, or with the data of ``data`` (a data folder
    or a workbook). Returns the problems the validator finds in those data (written as they are, to be fixed
    in the workbook); raises :class:`DataError` when they cannot be read at all."""
    dependencia: dict = {}
    tables: dict = {}
    found: list[Problem] = []
    if data is not None:
        dependencia, tables, problems = read_raw(Path(data))
        if problems:
            raise DataError(problems)
        found = validate_tables(dependencia, tables)
    write_book(Path(out), dependencia, tables)
    return found
