"""Every error the workbook raises on purpose: one base class and a few kinds.

Each error renders as one or more lines that say where (file, sheet, row, column or key
path), what was expected and what was found, so the CLI can print them and exit 2. Lines
are held as `Message`s (or plain text) and rendered by `lines(lang)` in Chinese (default)
or English; `str(error)` is the English text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workbook.text.messages import Message, render


class WorkbookError(Exception):
    """Base of every error a planner can cause with bad input; the CLI exits 2 on it."""

    exit_code = 2

    def __init__(self, problems: str | Message | Iterable[str | Message | CellProblem] = ()):
        if isinstance(problems, str | Message):
            self.problems: list[Any] = [problems]
            super().__init__(problems)  # the args rebuild the error when it is pickled
        else:
            self.problems = list(problems)
            super().__init__(self.problems)

    def lines(self, lang: str = "zh") -> list[str]:
        """One line per problem in `lang` ("zh" or "en"); plain-text problems as they are."""
        return [render(p, lang) for p in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines("en"))


class ParamsError(WorkbookError):
    """A parameter file (YAML) or a parameter value does not fit the schema."""


@dataclass(frozen=True)
class CellProblem:
    """One bad cell (or row) in a planner's table, located as Excel shows it."""

    file: str
    sheet: str | None
    row: int | None  # Excel row number (1-based, as the planner sees it); None for the file
    column: str | None  # the header as written in the file
    message: Message

    def render(self, lang: str = "zh") -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(Message("where.sheet", sheet=self.sheet).render(lang))
        if self.row is not None:
            parts.append(Message("where.row", row=self.row).render(lang))
        if self.column:
            parts.append(Message("where.column", column=self.column).render(lang))
        where = Message("where.sep").render(lang).join(parts)
        return Message("at", where=where, body=self.message).render(lang)


REPORT_LIMIT = 200  # problems shown one per line; the rest are counted by kind


class DataFileError(WorkbookError):
    """A ledger, arrivals or event file has bad rows; holds every problem found, not just the first."""

    def __init__(self, problems: Iterable[CellProblem]):
        super().__init__(problems)

    def lines(self, lang: str = "zh") -> list[str]:
        """The first REPORT_LIMIT problems, one per line; beyond them, one line per kind of
        problem (file, sheet, column and message) with its count and first example. O(N)."""
        shown = [render(p, lang) for p in self.problems[:REPORT_LIMIT]]
        if len(self.problems) <= REPORT_LIMIT:
            return shown
        kinds: dict[tuple[Any, ...], list[Any]] = {}
        for p in self.problems:
            if isinstance(p, CellProblem):
                key: tuple[Any, ...] = (p.file, p.sheet, p.column, p.message.key)
                example = CellProblem(p.file, p.sheet, None, p.column, p.message)
            else:
                key, example = ("", None, None, "text"), p
            entry = kinds.setdefault(key, [0, example])
            entry[0] += 1
        more = len(self.problems) - REPORT_LIMIT
        shown.append(render(Message("problems.more", more=more, total=len(self.problems)), lang))
        for count, example in sorted(kinds.values(), key=lambda e: -e[0]):
            shown.append(
                render(Message("problems.kind", count=count, example=render(example, lang)), lang)
            )
        return shown


class InputError(WorkbookError):
    """A command-line value (date, quarter, path) that cannot be used."""


class InfeasiblePlanError(WorkbookError):
    """No roadshow plan meets the constraints; the lines (in the plan's language) name them."""
