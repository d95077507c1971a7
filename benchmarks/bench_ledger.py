"""Ledger load-and-validate speed (DESIGN.md §6: 10,000 rows of Excel in <= 2 s).

    .venv/bin/python benchmarks/bench_ledger.py [ROWS]

Writes a synthetic ledger of ROWS projects (default 10,000) and an arrivals file with two
arrivals per project into a temporary folder, then times `load_ledger` (best of 3) and prints
the figures.
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


def write(folder: Path, n: int) -> tuple[Path, Path]:
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
                round(float(rng.lognormal(0.4, 1.2)), 2),
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


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        ledger, arrivals = write(Path(tmp), n)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            result = load_ledger(ledger, arrivals)
            times.append(time.perf_counter() - t0)
        assert len(result.projects) == n
        best = min(times)
        print(f"ledger rows: {n:,}; arrivals rows: {2 * n:,}")
        print(
            f"load + validate (best of 3): {best:.3f} s  ({n / best:,.0f} rows/s); budget 2.000 s"
        )
        print(f"all runs: {', '.join(f'{t:.3f}' for t in times)} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
