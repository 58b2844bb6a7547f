"""Edits of a copied fixture directory, as a person editing the files by hand would make them.

Each function returns an ``edit(directory)`` callable, so test tables can list them.
Line numbers are the ones a spreadsheet shows (the header is line 1).
"""

from __future__ import annotations

import csv
from pathlib import Path

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


def read_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def cell(file: str, line: int, column: str, value: str):
    """Set one cell."""
    def edit(d: Path) -> None:
        rows = read_rows(d / file)
        rows[line - 1][rows[0].index(column)] = value
        write_rows(d / file, rows)
    return edit


def delete_line(file: str, line: int):
    def edit(d: Path) -> None:
        rows = read_rows(d / file)
        del rows[line - 1]
        write_rows(d / file, rows)
    return edit


def add_column(file: str, column: str, values: list[str]):
    """Append an optional column; ``values`` are the cells of lines 2, 3, ..."""
    def edit(d: Path) -> None:
        rows = read_rows(d / file)
        write_rows(d / file, [rows[0] + [column]] + [r + [v] for r, v in zip(rows[1:], values)])
    return edit


def drop_column(file: str, column: str):
    def edit(d: Path) -> None:
        rows = read_rows(d / file)
        i = rows[0].index(column)
        write_rows(d / file, [r[:i] + r[i + 1:] for r in rows])
    return edit


def add_row(file: str, values: dict[str, str]):
    """Append a record; ``values`` by column (the others empty)."""
    def edit(d: Path) -> None:
        rows = read_rows(d / file)
        write_rows(d / file, rows + [[values.get(c, "") for c in rows[0]]])
    return edit
