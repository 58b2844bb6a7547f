"""Problems found in the input data, reported in Spanish with file, line and column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in one place of the data directory (or of a parameters file).

    ``line`` is where to look, as the user's program shows it:

    * in a CSV file, the **row as a spreadsheet shows it**: the header is row 1, the first
      record row 2, and each record is one row even when a cell holds line breaks (so it is
      not the text line once a cell spans several lines; a blank line is a row, as in a
      spreadsheet);
    * in a YAML or Markdown file, the text line as an editor shows it (1 = first line);
    * in a sheet of a workbook (``sheet`` set, ``file`` the workbook), the row as the sheet
      shows it, and the message says «fila».

    ``None`` when the problem is about the whole file (missing, unreadable, wrong separator)
    or about something absent (a missing key). ``column`` names the CSV column or the YAML
    key; ``value`` is the cell or value as the user wrote it.
    """

    file: str
    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"hoja «{self.sheet}»")
        if self.line is not None:
            where.append(f"{'fila' if self.sheet is not None else 'línea'} {self.line}")
        if self.column:
            where.append(f"columna «{self.column}»")
        text = ", ".join(where) + ": "
        if self.value is not None:
            text += f"valor «{shown(self.value)}»: "
        return text + self.message


#: A value longer than this is shown by its ends and its length, so the message stays readable.
SHOWN = 60


def shown(value: str) -> str:
    """``value`` as a message quotes it: whole, or its first and last characters and its length."""
    if len(value) <= SHOWN:
        return value
    return f"{value[:SHOWN // 2]}…{value[-10:]} ({len(value)} caracteres)"


class InformeError(Exception):
    """An error the user can fix; its message is Spanish and says how."""


class DataError(InformeError):
    """The data directory does not follow the contract; holds every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"Los datos no cumplen el contrato ({len(self.problems)} problema(s)):\n{lines}"
        )
