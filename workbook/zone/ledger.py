"""The project ledger (项目台账) and the capital arrivals (到位资金) planners keep.

`load_ledger(ledger_path, arrivals_path)` reads both files (xlsx or csv, Chinese or English
headers), checks every row and returns a frozen `Ledger` of two DataFrames. Money is held in
亿 (100 million) of its currency: ledger amounts in CNY, arrivals in CNY or USD as logged.
Every problem in the files is reported at once, as a `DataFileError`. Files are only read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import DTypeLike

from workbook.text.errors import CellProblem, DataFileError
from workbook.text.labels import STAGE_ZH, STAGES
from workbook.text.messages import Message
from workbook.zone.tabular import (
    CNY_UNITS,
    MONEY_UNITS,
    Column,
    Table,
    choice_parser,
    money_unit,
    parse_amount,
    parse_bool,
    parse_date,
    parse_month,
    parse_text,
    read_table,
)

STAGE_WORDS = {**{zh: en for en, zh in STAGE_ZH.items()}, **{en: en for en in STAGES}}
STAGE_WORDS.update(
    {
        "negotiation": "negotiating",
        "sign": "signed",
        "start": "started",
        "production": "producing",
        "site visit": "visit",
    }
)
CAPITAL_WORDS = {
    "内资": "domestic",
    "外资": "foreign",
    "港澳台": "foreign",
    "港资": "foreign",
    "台资": "foreign",
    "澳资": "foreign",
    "domestic": "domestic",
    "foreign": "foreign",
}
LIST_WORDS = {
    "世界500强": "global500",
    "中国500强": "china500",
    "民营500强": "private500",
    "无": "none",
    "global500": "global500",
    "china500": "china500",
    "private500": "private500",
    "none": "none",
}
CURRENCY_WORDS = {"人民币": "CNY", "美元": "USD", "cny": "CNY", "rmb": "CNY", "usd": "USD"}

# The stage a project must have reached for a date column to be required.
REQUIRED_DATES = {"signed_date": "signed", "start_date": "started", "production_date": "producing"}
DATE_HEADERS = {"signed_date": "签约日期", "start_date": "开工日期", "production_date": "投产日期"}

LEDGER_SCHEMA: tuple[Column, ...] = (
    Column("project_id", ("项目编号", "编号", "id"), parse_text, required=True),
    Column("name", ("项目名称", "名称"), parse_text, required=True),
    Column("investor", ("投资方", "投资主体"), parse_text),
    Column(
        "capital_type",
        ("内外资", "资金类型"),
        choice_parser(CAPITAL_WORDS, Message("what.capital_type")),
        required=True,
    ),
    Column(
        "list_flag",
        ("500强类别", "500强"),
        choice_parser(LIST_WORDS, Message("what.list"), empty="none"),
    ),
    Column("region", ("来源地", "来源地区"), parse_text),
    Column("sector", ("产业", "产业链", "行业"), parse_text),
    Column("channel", ("招商渠道", "渠道"), parse_text),
    Column("team", ("专班", "责任专班"), parse_text),
    Column("owner", ("责任人",), parse_text),
    Column(
        "stage",
        ("阶段", "项目阶段", "进展阶段"),
        choice_parser(STAGE_WORDS, Message("what.stage")),
        required=True,
    ),
    Column(
        "total_investment", ("总投资", "计划总投资"), parse_amount, required=True, units=CNY_UNITS
    ),
    Column("planned_inflow", ("年度计划到位", "计划到位"), parse_amount, units=CNY_UNITS),
    Column("signed_date", ("签约日期", "签约时间"), parse_date),
    Column("start_date", ("开工日期", "开工时间"), parse_date),
    Column("production_date", ("投产日期", "投产时间"), parse_date),
    # The date the project entered its stage (stages before signing age from it).
    Column("stage_date", ("阶段日期", "进入阶段日期"), parse_date),
    Column("next_milestone", ("下一节点", "下一步节点"), parse_text),
    Column("milestone_date", ("节点日期", "节点时间"), parse_date),
    Column("new_500_signing", ("新签500强",), parse_bool),
    Column("four_new", ("四新",), parse_bool),
)

ARRIVALS_SCHEMA: tuple[Column, ...] = (
    Column("project_id", ("项目编号", "编号", "id"), parse_text, required=True),
    Column("month", ("月份", "到位月份"), parse_month, required=True),
    Column("amount", ("到位金额", "金额"), parse_amount, required=True, units=tuple(MONEY_UNITS)),
    Column("currency", ("币种",), choice_parser(CURRENCY_WORDS, Message("what.currency"))),
)

PROJECT_COLUMNS = [c.name for c in LEDGER_SCHEMA] + ["row"]
PROJECT_TEXT = tuple(c.name for c in LEDGER_SCHEMA if c.parse is parse_text)
ARRIVAL_COLUMNS = ["project_id", "month", "amount", "currency", "row"]
# The arrivals frame's dtypes, whatever it holds (also when empty): pandas 3 would otherwise
# infer `str` for an empty column, and arithmetic on it fails far from here.
ARRIVAL_DTYPES: dict[str, DTypeLike] = {
    "project_id": object,
    "month": "datetime64[ns]",
    "amount": "float64",
    "currency": object,
    "row": "int64",
}
LEDGER_SHEETS = ("项目台账", "台账", "ledger", "projects")
ARRIVALS_SHEETS = ("到位资金", "到位", "arrivals")


@dataclass(frozen=True)
class Ledger:
    """The checked ledger: one row per project, one row per logged arrival, extra columns aside."""

    projects: pd.DataFrame  # PROJECT_COLUMNS; dates as datetime64, amounts in 亿元
    arrivals: pd.DataFrame  # ARRIVAL_COLUMNS; month as the first day, amount in 亿 of currency
    extras: pd.DataFrame  # columns the schema does not know (序号, 备注, ...), by project_id
    ledger_path: Path
    arrivals_path: Path | None = None
    skipped: tuple[CellProblem, ...] = ()  # total rows left out, each with its reason

    def summary(self) -> pd.DataFrame:
        """Projects and total investment by stage, in pipeline order."""
        grouped = self.projects.groupby("stage", observed=False).agg(
            projects=("project_id", "size"), total_investment=("total_investment", "sum")
        )
        return grouped.reindex(list(STAGES), fill_value=0)


def _check_projects(table: Table) -> None:
    seen: dict[str, int] = {}
    for values, row in zip(table.rows, table.row_numbers, strict=True):
        pid = values["project_id"]
        for name in ("project_id", "name", "capital_type", "stage", "total_investment"):
            header = table.headers.get(name)
            if values[name] is None and not table.has_problem(row, header.text if header else None):
                table.problem(row, name, Message("cell.empty"))
        if pid is not None:
            if pid in seen:
                table.problem(
                    row, "project_id", Message("row.duplicate_project", id=pid, first=seen[pid])
                )
            else:
                seen[pid] = row
        stage = values["stage"]
        if stage is not None:
            reached = STAGES.index(stage)
            for col, needed in REQUIRED_DATES.items():
                if reached >= STAGES.index(needed) and values[col] is None:
                    header = table.headers.get(col)
                    where = header.text if header else col
                    if not table.has_problem(row, where):
                        table.problem(
                            row,
                            col,
                            Message("row.stage_date", stage=STAGE_ZH[stage])
                            if header
                            else Message(
                                "row.stage_date_column",
                                stage=STAGE_ZH[stage],
                                column=DATE_HEADERS[col],
                            ),
                        )
        order = [
            c for c in ("signed_date", "start_date", "production_date") if values[c] is not None
        ]
        for a, b in zip(order, order[1:], strict=False):
            if values[b] < values[a]:
                table.problem(
                    row,
                    b,
                    Message(
                        "row.date_order",
                        date=values[b],
                        column=table.headers[a].text,
                        other=values[a],
                    ),
                )


def _projects_frame(table: Table) -> pd.DataFrame:
    df = pd.DataFrame(table.rows, columns=[c.name for c in LEDGER_SCHEMA])
    df["row"] = pd.Series(table.row_numbers, dtype="int64", index=df.index)
    # Text and flags as objects whatever they hold (pandas 3 infers `str` for text and would
    # make an empty column one): the same dtypes for a full ledger and an empty one.
    for col in (*PROJECT_TEXT, "capital_type", "list_flag", "new_500_signing", "four_new"):
        df[col] = pd.Series(df[col].to_numpy(dtype=object), dtype=object, index=df.index)
    for col in ("signed_date", "start_date", "production_date", "stage_date", "milestone_date"):
        df[col] = pd.to_datetime(df[col])
    for col in ("total_investment", "planned_inflow"):
        df[col] = df[col].astype(float)
    df["list_flag"] = df["list_flag"].fillna("none")
    df["stage"] = pd.Categorical(df["stage"], categories=list(STAGES), ordered=True)
    return df


def _arrivals_frame(table: Table, known: set[str], ledger_name: str) -> pd.DataFrame:
    header_unit = table.headers["amount"].unit
    _, unit_currency = money_unit(header_unit)
    records = []
    for values, row in zip(table.rows, table.row_numbers, strict=True):
        for name in ("project_id", "month", "amount"):
            if values[name] is None and not table.has_problem(row, table.headers[name].text):
                table.problem(row, name, Message("cell.empty"))
        currency = values.get("currency") or unit_currency or "CNY"
        if values.get("currency") and unit_currency and values["currency"] != unit_currency:
            table.problem(
                row,
                "currency",
                Message("row.currency_unit", currency=values["currency"], unit=header_unit),
            )
        pid = values["project_id"]
        if pid is not None and pid not in known:
            table.problem(
                row, "project_id", Message("row.unknown_project", id=pid, ledger=ledger_name)
            )
        records.append(
            {
                **{k: values[k] for k in ("project_id", "month", "amount")},
                "currency": currency,
                "row": row,
            }
        )
    return arrivals_frame(records)


def arrivals_frame(records: Sequence[Mapping[str, object]] | pd.DataFrame = ()) -> pd.DataFrame:
    """The arrivals as a frame of ARRIVAL_COLUMNS with ARRIVAL_DTYPES (the one place it is
    built): project id and currency as objects, month as datetime64, amount as float."""
    df = pd.DataFrame(records, columns=ARRIVAL_COLUMNS)
    out = pd.DataFrame(
        {
            "project_id": pd.Series(df["project_id"].to_numpy(dtype=object), dtype=object),
            "month": pd.to_datetime(pd.Series(df["month"].to_numpy(dtype=object))).astype(
                np.dtype(ARRIVAL_DTYPES["month"])
            ),
            "amount": pd.Series(df["amount"].to_numpy(dtype=object), dtype="float64"),
            "currency": pd.Series(df["currency"].to_numpy(dtype=object), dtype=object),
            "row": pd.Series(df["row"].to_numpy(dtype=object), dtype="int64"),
        }
    )
    return out


def read_projects(path: Path) -> tuple[Table, pd.DataFrame]:
    table = read_table(path, LEDGER_SCHEMA, LEDGER_SHEETS)
    _check_projects(table)
    return table, _projects_frame(table)


def load_ledger(ledger_path: str | Path, arrivals_path: str | Path | None = None) -> Ledger:
    """Read and check the ledger and (optionally) the arrivals; raise DataFileError listing every problem."""
    ledger_path = Path(ledger_path)
    problems: list[CellProblem] = []
    try:
        table, projects = read_projects(ledger_path)
        problems += table.sorted_problems()
    except DataFileError as exc:
        problems += exc.problems
        projects, table = None, None

    arrivals = arrivals_frame()
    skipped = list(table.skipped) if table is not None else []
    if arrivals_path is not None:
        arrivals_path = Path(arrivals_path)
        known = set(projects["project_id"].dropna()) if projects is not None else set()
        try:
            atable = read_table(arrivals_path, ARRIVALS_SCHEMA, ARRIVALS_SHEETS)
            arrivals = _arrivals_frame(atable, known, ledger_path.name)
            if projects is None:  # unknown ids are meaningless when the ledger itself failed
                atable.problems = [
                    p for p in atable.problems if p.message.key != "row.unknown_project"
                ]
            problems += atable.sorted_problems()
            skipped += atable.skipped
        except DataFileError as exc:
            problems += exc.problems
    if problems:
        raise DataFileError(problems)
    assert table is not None and projects is not None
    extras = pd.DataFrame(table.extras, index=pd.Index(projects["project_id"], name="project_id"))
    return Ledger(projects, arrivals, extras, ledger_path, arrivals_path, tuple(skipped))


def arrivals_in(
    ledger: Ledger,
    currency: str,
    fx_cny_per_usd: float,
    capital_type: str,
    until: dt.date | None = None,
) -> pd.Series:
    """Monthly arrived capital of one capital type, in 亿 of `currency`, up to and including `until`'s month."""
    a = ledger.arrivals.merge(ledger.projects[["project_id", "capital_type"]], on="project_id")
    a = a[a["capital_type"] == capital_type]
    if until is not None:
        a = a[a["month"] <= pd.Timestamp(until.year, until.month, 1)]
    amount = a["amount"].to_numpy(float) * rates(a["currency"], currency, fx_cny_per_usd)
    out = pd.Series(amount, index=a["month"], dtype="float64")
    return out.groupby(level=0).sum().sort_index()


def rates(currencies: pd.Series, to_currency: str, fx_cny_per_usd: float) -> np.ndarray:
    """float64 multipliers taking each row's currency to `to_currency` (empty stays float)."""
    values = currencies.to_numpy(dtype=object).astype(str)
    kinds, where = np.unique(values, return_inverse=True)
    per_kind = [convert_rate(c, to_currency, fx_cny_per_usd) for c in kinds]
    return np.asarray(per_kind, dtype=np.float64)[where].reshape(-1)


def convert_rate(from_currency: str, to_currency: str, fx_cny_per_usd: float) -> float:
    """Multiplier taking an amount in `from_currency` to `to_currency`."""
    if from_currency == to_currency:
        return 1.0
    if (from_currency, to_currency) == ("USD", "CNY"):
        return fx_cny_per_usd
    if (from_currency, to_currency) == ("CNY", "USD"):
        return 1.0 / fx_cny_per_usd
    raise ValueError(f"unknown currency pair {from_currency}->{to_currency}")
