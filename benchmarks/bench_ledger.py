"""Ledger load-and-validate speed (DESIGN.md §6: 10,000 rows of Excel in <= 2 s; 100,000
rows in <= 15 s, with or without a problem on every row).

    .venv/bin/python benchmarks/bench_ledger.py [ROWS ...]

For each ROWS (default 10,000 and 100,000) writes a synthetic ledger of ROWS projects and an
arrivals file with two arrivals per project into a temporary folder, once clean and once
with one problem on every ledger row (a negative total investment), then times
`load_ledger` (best of 3 up to 10,000 rows, one run above) and how long rendering the
error's report takes (the first 200 problems and a count per kind), and prints the figures.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from workbook.zone.ledger import load_ledger

HEADER = [
    "序号",
    "项目编号",
    "项目名称",
    "投资方",
    "内外资",
    "500强类别",
    "阶段",
    "总投资(亿元)",
    "年度计划到位（万元）",
    "签约日期",
    "开工日期",
    "投产日期",
    "下一节点",
    "节点日期",
    "新签500强",
    "四新",
    "备注",
]
STAGES = ["线索", "接洽", "考察", "在谈", "意向", "签约", "开工", "投产"]


def write(folder: Path, n: int, bad: bool = False) -> tuple[Path, Path]:
    rng = np.random.default_rng(1)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("项目台账")
    ws.append(["基准测试台账"])
    ws.append(HEADER)
    for i in range(n):
        k = int(rng.integers(8))
        signed = (
            dt.date(2020, 1, 1) + dt.timedelta(days=int(rng.integers(0, 100))) if k >= 5 else None
        )
        start = signed + dt.timedelta(days=30) if k >= 6 else None
        prod = start + dt.timedelta(days=60) if k >= 7 else None
        date_text = i % 3 == 0  # a third of the dates typed as text
        fmt = (
            (lambda d: None if d is None else f"{d.year}年{d.month}月{d.day}日")
            if date_text
            else (lambda d: d)
        )
        ws.append(
            [
                i + 1,
                f"B{i:06d}",
                f"项目{i}",
                "某公司",
                "外资" if i % 7 == 0 else "内资",
                "无",
                STAGES[k],
                -1.0 if bad else round(float(rng.lognormal(0.4, 1.2)), 2),
                f"{rng.integers(0, 50000):,}",
                fmt(signed),
                fmt(start),
                fmt(prod),
                "签约",
                dt.date(2020, 8, 1),
                "否",
                "是" if i % 4 == 0 else "否",
                None,
            ]
        )
    ledger = folder / "ledger.xlsx"
    wb.save(ledger)
    wa = Workbook(write_only=True)
    wsa = wa.create_sheet("到位资金")
    wsa.append(["项目编号", "月份", "到位金额(万)", "币种"])
    for i in range(n):
        for m in (3, 5):
            wsa.append([f"B{i:06d}", f"2020-{m:02d}", 100.0, "美元" if i % 7 == 0 else "人民币"])
    arrivals = folder / "arrivals.xlsx"
    wa.save(arrivals)
    return ledger, arrivals


def bench(n: int, bad: bool) -> None:
    from workbook.text.errors import DataFileError

    with tempfile.TemporaryDirectory() as tmp:
        ledger, arrivals = write(Path(tmp), n, bad)
        times, report = [], 0.0
        for _ in range(3 if n <= 10_000 else 1):
            t0 = time.perf_counter()
            try:
                result = load_ledger(ledger, arrivals)
                problems = 0
                assert len(result.projects) == n
            except DataFileError as exc:
                times.append(time.perf_counter() - t0)
                t1 = time.perf_counter()
                lines = exc.lines("zh")
                report = time.perf_counter() - t1
                problems = len(exc.problems)
                assert problems == n and len(lines) > 200
                continue
            times.append(time.perf_counter() - t0)
        best = min(times)
        budget = 2.0 if n <= 10_000 else 15.0
        kind = f"{problems:,} problems" if bad else "clean"
        print(
            f"ledger rows {n:>7,} ({kind:>16}), arrivals rows {2 * n:,}: load + validate "
            f"{best:7.3f} s ({n / best:,.0f} rows/s; budget {budget:.1f} s)"
            + (f"; report lines {report:.3f} s" if bad else "")
        )


def main() -> int:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    for n in sizes:
        for bad in (False, True):
            bench(n, bad)
    return 0


if __name__ == "__main__":
    sys.exit(main())
