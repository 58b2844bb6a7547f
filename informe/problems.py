"""Problems found in the input data, reported in Spanish with file, line and column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in one place of the data directory.

    ``line`` is the line number as a spreadsheet or a text editor shows it
    (the header is line 1 of a CSV file).
    """

    file: str
    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"línea {self.line}")
        if self.column:
            where.append(f"columna «{self.column}»")
        text = ", ".join(where) + ": "
        if self.value is not None:
            text += f"valor «{self.value}»: "
        return text + self.message


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
