"""Section 3: the pipeline by stage (a funnel) and each project against the previous quarter's
ledger (advanced, new, stalled, moved back, dropped)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbook.review.render import chart_html, localize, note, table_html
from workbook.review.section import Context, Results, Section, frame
from workbook.text.labels import STAGES
from workbook.zone.cells import num, whole
from workbook.zone.ledger import load_ledger

CHANGES = ("advanced", "new", "stalled", "moved_back", "dropped", "unchanged")
CHANGES_SHOWN = 10  # per kind of change, largest first; review.xlsx lists them all


def funnel(projects: pd.DataFrame) -> pd.DataFrame:
    """Projects and money at each stage, and how many reached at least that stage."""
    g = projects.groupby("stage", observed=False).agg(
        projects=("project_id", "size"),
        total_investment=("total_investment", "sum"),
        planned_inflow=("planned_inflow", lambda s: float(s.fillna(0).sum())),
    )
    g = g.reindex(list(STAGES), fill_value=0)
    g["reached"] = g["projects"][::-1].cumsum()[::-1]
    g.index.name = "stage"
    return g.reset_index()


def changes(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Each project against the previous quarter's ledger: advanced, new, stalled (same stage
    before production), moved back, dropped, or unchanged (still producing)."""
    cols = ["project_id", "name", "stage", "total_investment", "team", "owner"]
    before = previous[cols].set_index("project_id")
    now = current[cols].set_index("project_id")
    ids = list(now.index) + [i for i in before.index if i not in now.index]
    rows = []
    order = {s: i for i, s in enumerate(STAGES)}
    for pid in ids:
        b = before.loc[pid] if pid in before.index else None
        n = now.loc[pid] if pid in now.index else None
        if b is None:
            change = "new"
        elif n is None:
            change = "dropped"
        else:
            sb, sn = order[str(b["stage"])], order[str(n["stage"])]
            if sn > sb:
                change = "advanced"
            elif sn < sb:
                change = "moved_back"
            elif str(n["stage"]) == STAGES[-1]:
                change = "unchanged"
            else:
                change = "stalled"
        src = n if n is not None else b
        assert src is not None  # a project is in one of the two ledgers at least
        rows.append(
            {
                "project_id": pid,
                "name": src["name"],
                "change": change,
                "stage_before": None if b is None else str(b["stage"]),
                "stage_now": None if n is None else str(n["stage"]),
                "total_investment": float(src["total_investment"]),
                "team": src["team"],
                "owner": src["owner"],
            }
        )
    out = pd.DataFrame(rows)
    out["_o"] = out["change"].map({c: i for i, c in enumerate(CHANGES)})
    out = out.sort_values(["_o", "total_investment"], ascending=[True, False]).drop(columns="_o")
    return out.reset_index(drop=True)


def change_counts(table: pd.DataFrame) -> dict[str, int]:
    counts = table["change"].value_counts()
    return {c: int(counts.get(c, 0)) for c in CHANGES}


@dataclass(frozen=True)
class Pipeline:
    """Section 3's result."""

    funnel: pd.DataFrame
    changes: pd.DataFrame | None  # None without a previous quarter's ledger


class PipelineSection(Section):
    name = "pipeline"

    def compute(self, ctx: Context, done: Results) -> Pipeline:
        ledger, prev = ctx.zone.ledger, ctx.params.previous_ledger
        moved = None
        if prev is not None:
            previous = ctx.timed("previous_ledger", lambda: load_ledger(prev))
            moved = changes(previous.projects, ledger.projects)
        return Pipeline(funnel(ledger.projects), moved)

    def charts(self, ctx: Context, done: Results) -> dict[str, Any]:
        from workbook.charts import review as rc

        r: Pipeline = done[self.name]
        out = {"funnel": rc.funnel_chart(r.funnel, ctx.lang)}
        if r.changes is not None:
            out["changes"] = rc.changes_chart(change_counts(r.changes), ctx.lang)
        return out

    def html(self, ctx: Context, done: Results, charts: Mapping[str, Any]) -> str:
        r: Pipeline = done[self.name]
        f, lang = r.funnel, ctx.lang
        signed = int(f.loc[f["stage"] == "signed", "reached"].iloc[0])
        parts = [
            note(
                ctx.t(
                    "funnel_note",
                    projects=int(f["projects"].sum()),
                    investment=float(f["total_investment"].sum()),
                    signed=signed,
                )
            ),
            '<div class="wb-row">',
            table_html(
                f, lang, ["stage", "projects", "reached", "total_investment", "planned_inflow"]
            ),
            chart_html(charts["funnel"], "funnel"),
            "</div>",
        ]
        if r.changes is None:
            parts.append(note(ctx.t("no_previous")))
        else:
            prev = ctx.params.previous_ledger
            parts.append(note(ctx.t("previous", file=prev.name if prev else "")))
            parts.append(chart_html(charts["changes"], "changes"))
            moved = r.changes[r.changes["change"] != "unchanged"]
            moved = moved.groupby("change", sort=False, group_keys=False).head(CHANGES_SHOWN)
            parts.append(note(ctx.t("changes_note", n=CHANGES_SHOWN)))
            parts.append(
                table_html(
                    moved,
                    lang,
                    [
                        "change",
                        "project_id",
                        "name",
                        "stage_before",
                        "stage_now",
                        "total_investment",
                        "team",
                        "owner",
                    ],
                )
            )
        return frame(ctx, "s3", *parts)

    def sheets(self, ctx: Context, done: Results) -> dict[str, pd.DataFrame]:
        r: Pipeline = done[self.name]
        out = {ctx.t("sheet_funnel"): localize(r.funnel, ctx.lang)}
        if r.changes is not None:
            out[ctx.t("sheet_changes")] = localize(r.changes, ctx.lang)
        return out

    def summary(self, ctx: Context, done: Results) -> dict[str, Any]:
        r: Pipeline = done[self.name]
        rp = ctx.params
        f = r.funnel.set_index("stage")
        pipeline = {
            "source": ctx.pipeline_source,
            "snapshot": ctx.snapshot.name if ctx.snapshot else None,
            "projects": int(f["projects"].sum()),
            "total_investment": float(f["total_investment"].sum()),
            "signed_or_beyond": whole(f.loc[STAGES[STAGES.index("signed")], "reached"]),
            "by_stage": {
                s: {
                    "projects": whole(f.loc[s, "projects"]),
                    "total_investment": num(f.loc[s, "total_investment"]),
                }
                for s in STAGES
            },
        }
        moved = None
        if r.changes is not None:
            moved = {
                "previous_ledger": rp.previous_ledger.name if rp.previous_ledger else None,
                **change_counts(r.changes),
            }
        return {"pipeline": pipeline, "changes": moved}


SECTION = PipelineSection()
