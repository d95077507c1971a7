"""Every error the workbook raises on purpose: one base class and a few kinds.

Each error renders as one or more lines that say where (file, sheet, row, column or key
path), what was expected and what was found, so the CLI can print them and exit 2.
"""

from __future__ import annotations

from dataclasses import dataclass


class WorkbookError(Exception):
    """Base of every error a planner can cause with bad input; the CLI exits 2 on it."""

    exit_code = 2

    def lines(self) -> list[str]:
        return [str(self)]


class ParamsError(WorkbookError):
    """A parameter file (YAML) or a parameter value does not fit the schema."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def lines(self) -> list[str]:
        return list(self.problems)


@dataclass(frozen=True)
class CellProblem:
    """One bad cell (or row) in a planner's table, located as Excel shows it."""

    file: str
    sheet: str | None
    row: int | None  # Excel row number (1-based, as the planner sees it); None for the file
    column: str | None  # the header as written in the file
    message: str

    def render(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return f"{', '.join(parts)}: {self.message}"


class DataFileError(WorkbookError):
    """A ledger, arrivals or event file has bad rows; holds every problem found, not just the first."""

    def __init__(self, problems: list[CellProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.render() for p in self.problems))

    def lines(self) -> list[str]:
        return [p.render() for p in self.problems]


class InputError(WorkbookError):
    """A command-line value (date, quarter, path) that cannot be used."""


class InfeasiblePlanError(WorkbookError):
    """No roadshow plan meets the constraints; the lines name the constraints that conflict."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("\n".join(self.reasons))

    def lines(self) -> list[str]:
        return list(self.reasons)
