"""Zones with one capital type only, or months without arrivals, load, report and forecast
on the pandas the project installs (pandas 3 infers `str` for an empty text column)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from workbook.cli import main
from workbook.zone.ledger import ARRIVAL_DTYPES, arrivals_frame, arrivals_in, load_ledger
from workbook.zone.loader import load_zone
from workbook.zone.metrics import actuals

LEDGER_HEAD = "项目编号,项目名称,内外资,阶段,总投资(亿元),年度计划到位(亿元),签约日期,开工日期\n"


def _zone(tmp_path: Path, projects: list[str], arrivals: list[str], targets: str) -> Path:
    (tmp_path / "ledger.csv").write_text(LEDGER_HEAD + "".join(projects), encoding="utf-8")
    (tmp_path / "arrivals.csv").write_text(
        "项目编号,月份,到位金额,币种\n" + "".join(arrivals), encoding="utf-8"
    )
    params = tmp_path / "zone.yaml"
    params.write_text(
        "zone: 测试园区\nzone_en: Test Zone\nyear: 2020\nfx_cny_per_usd: 7.0\n"
        f"targets:\n{targets}"
        "data:\n  ledger: ledger.csv\n  arrivals: arrivals.csv\n",
        encoding="utf-8",
    )
    return params


BOTH = (
    "  domestic_capital:\n    annual: 10\n"
    "  foreign_capital:\n    annual: 1\n    currency: USD\n"
    "  new_starts:\n    annual: 3\n"
)
DOMESTIC = "P1,甲,内资,开工,20,8,2020-01-10,2020-02-01\nP2,乙,内资,签约,5,2,2020-03-01,\n"
FOREIGN = "F1,丙,外资,开工,14,7,2019-11-01,2020-01-15\n"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_arrivals_frame_keeps_its_dtypes_when_empty():
    df = arrivals_frame()
    assert list(df.columns) == list(ARRIVAL_DTYPES)
    assert df["amount"].dtype == "float64" and df["currency"].dtype == object
    assert df["month"].dtype == "datetime64[ns]" and df["row"].dtype == "int64"


@pytest.mark.parametrize(
    "case, projects, arrivals, expect",
    [
        # Only 内资: the 外资 target has no project and no arrival at all.
        (
            "domestic_only",
            [DOMESTIC],
            ["P1,2020-01,1,人民币\n", "P1,2020-03,2,人民币\n"],
            (3.0, 0.0),
        ),
        # Only 外资: no 内资 arrival (an empty CNY side).
        ("foreign_only", [FOREIGN], ["F1,2020-02,0.5,美元\n"], (0.0, 0.5)),
        # 外资 starts arriving in March, reviewed for February (as-of 2020-02-29).
        (
            "foreign_later",
            [DOMESTIC, FOREIGN],
            ["P1,2020-02,1,人民币\n", "F1,2020-03,0.2,美元\n"],
            (1.0, 0.0),
        ),
    ],
)
def test_one_capital_type_or_months_without_arrivals(
    tmp_path, capsys, case, projects, arrivals, expect
):
    params = _zone(tmp_path, projects, arrivals, BOTH)
    zone = load_zone(params)
    as_of = pd.Timestamp("2020-02-29").date()
    facts = actuals(
        zone.params,
        zone.ledger,
        as_of if case == "foreign_later" else as_of.replace(month=6, day=30),
    )
    assert (facts["domestic_capital"], facts["foreign_capital"]) == pytest.approx(expect)
    for key in ("domestic_capital", "foreign_capital"):
        assert isinstance(facts[key], float)

    extra = ["--as-of", "2020-02-29"] if case == "foreign_later" else ["--as-of", "2020-06-30"]
    rc, out, err = _run(capsys, "status", str(params), *extra)
    assert rc == 0, err
    rc, out, err = _run(capsys, "simulate", str(params), "--trials", "200", "--json", *extra)
    assert rc == 0, err
    data = json.loads(out)
    dom, fgn = data["targets"]["domestic_capital"], data["targets"]["foreign_capital"]
    assert dom["actual_to_date"] == pytest.approx(expect[0])
    assert fgn["actual_to_date"] == pytest.approx(expect[1])
    assert dom["p10"] >= expect[0] - 1e-9 and fgn["p10"] >= expect[1] - 1e-9


def test_no_arrivals_file_rows(tmp_path):
    """An arrivals file with a header only: every sum is a float 0."""
    params = _zone(tmp_path, [DOMESTIC], [], BOTH)
    ledger = load_ledger(tmp_path / "ledger.csv", tmp_path / "arrivals.csv")
    assert ledger.arrivals.dtypes.to_dict() == {
        k: pd.Series([], dtype=v).dtype for k, v in ARRIVAL_DTYPES.items()
    }
    s = arrivals_in(ledger, "CNY", 7.0, "domestic")
    assert s.dtype == "float64" and float(s.sum()) == 0.0
    zone = load_zone(params)
    facts = actuals(zone.params, zone.ledger, pd.Timestamp("2020-06-30").date())
    assert facts["domestic_capital"] == 0.0 and facts["foreign_capital"] == 0.0


def test_projects_frame_dtypes_do_not_depend_on_what_the_cells_hold(tmp_path):
    """Text columns that are empty in every row (no 投资方, no 专班) are objects like full ones."""
    params = _zone(tmp_path, [DOMESTIC, FOREIGN], [], BOTH)
    zone = load_zone(params)
    p = zone.ledger.projects
    for col in ("project_id", "name", "investor", "team", "capital_type", "four_new"):
        assert p[col].dtype == object, col
    assert p["investor"].isna().all() and p["row"].dtype == "int64"
    assert p["total_investment"].dtype == "float64" and str(p["signed_date"].dtype).startswith(
        "datetime64"
    )
