"""Section 3: the pipeline by stage (a funnel) and each project against the previous quarter's
ledger (advanced, new, stalled, moved back, dropped).

停滞 (stalled) is the model's rule, not "unchanged": a project still in the stage it was in
last quarter that has been there longer than the forecast's mean time in that stage (the
drivers' `months_to_sign` of its stage, `months_to_start`, `months_to_production`: the lags
the engine draws and `workbook calibrate` estimates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbook.review.render import chart_html, localize, note, table_html
from workbook.review.section import Context, Results, Section, frame
from workbook.text.catalogue import label, say
from workbook.text.labels import STAGES
from workbook.zone.cells import num, whole
from workbook.zone.drivers import Drivers
from workbook.zone.ledger import load_ledger

# "stalled": in the same stage as last quarter for longer than the model expects a stay in
# that stage to last (`expected_months`); "in_stage": the same stage, not yet that long;
# "unchanged": still producing.
CHANGES = ("advanced", "new", "stalled", "moved_back", "dropped", "in_stage", "unchanged")
NOT_MOVES = ("in_stage", "unchanged")  # kept in review.xlsx, left out of the page's list
CHANGES_SHOWN = 10  # per kind of change, largest first; review.xlsx lists them all
MONTH_DAYS = 365.25 / 12


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


def expected_months(drivers: Drivers, stage: str) -> float | None:
    """The model's mean time in `stage` before the next one (workbook.forecast: the lag from
    entering a stage before signing to signing, from signing to starting, from starting to
    producing); None for 投产, the last stage."""
    if stage in STAGES[: STAGES.index("signed")]:
        return float(getattr(drivers.months_to_sign, stage))
    if stage == "signed":
        return float(drivers.months_to_start)
    if stage == "started":
        return float(drivers.months_to_production)
    return None


def months_in_stage(
    projects: pd.DataFrame, as_of: dt.date, since: dt.date | None = None
) -> pd.Series:
    """Months each project has been in its stage at `as_of` (by project_id), as the engine
    counts them: a signed (started) project from its signing (start) date, one before signing
    from its 阶段日期 (`stage_date`); without that date, from `since` (the date of the
    previous ledger that already had it there: a lower bound), else NaN."""
    ts = pd.Timestamp(as_of)
    stage = projects["stage"].astype(str)
    empty = pd.Series(pd.NaT, index=projects.index, dtype="datetime64[ns]")
    entered = pd.to_datetime(projects["stage_date"]) if "stage_date" in projects else empty
    entered = entered.where(stage.isin(STAGES[: STAGES.index("signed")]), pd.NaT)
    entered = entered.mask(stage == "signed", pd.to_datetime(projects["signed_date"]))
    entered = entered.mask(stage == "started", pd.to_datetime(projects["start_date"]))
    if since is not None:
        entered = entered.fillna(pd.Timestamp(since))
    months = (ts - entered).dt.days / MONTH_DAYS
    return pd.Series(months.clip(lower=0).to_numpy(), index=projects["project_id"].to_numpy())


def changes(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    as_of: dt.date,
    drivers: Drivers,
    since: dt.date | None = None,
) -> pd.DataFrame:
    """Each project against the previous quarter's ledger (kept on `since`): advanced, new,
    moved back, dropped; in the same stage, stalled when it has been there longer than the
    model's expected time in that stage (`expected_months`, `months_in_stage`), else in
    stage; unchanged when still producing. `months`/`expected` say how long and how long is
    expected (NaN where that does not apply)."""
    cols = ["project_id", "name", "stage", "total_investment", "team", "owner"]
    waited = months_in_stage(current, as_of, since)
    before = previous[cols].set_index("project_id")
    now = current[cols].set_index("project_id")
    ids = list(now.index) + [i for i in before.index if i not in now.index]
    rows = []
    order = {s: i for i, s in enumerate(STAGES)}
    for pid in ids:
        b = before.loc[pid] if pid in before.index else None
        n = now.loc[pid] if pid in now.index else None
        months = expected = float("nan")
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
                months = float(waited.get(pid, float("nan")))
                expected = expected_months(drivers, str(n["stage"])) or float("nan")
                change = "stalled" if months > expected else "in_stage"
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
                "months_in_stage": months,
                "expected_months": expected,
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
            since = ctx.params.quarter.previous().end  # the previous ledger's date
            drivers = ctx.zone.params.drivers
            moved = changes(previous.projects, ledger.projects, ctx.params.as_of, drivers, since)
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
            moved = r.changes[~r.changes["change"].isin(NOT_MOVES)]
            moved = moved.groupby("change", sort=False, group_keys=False).head(CHANGES_SHOWN)
            parts.append(note(ctx.t("changes_note", n=CHANGES_SHOWN)))
            parts.append(note(stalled_rule(ctx)))
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
                        "months_in_stage",
                        "expected_months",
                        "team",
                        "owner",
                    ],
                )
            )
        return frame(ctx, "s3", *parts)

    def sheets(self, ctx: Context, done: Results) -> dict[str, pd.DataFrame]:
        r: Pipeline = done[self.name]
        out = {ctx.t("sheet_funnel"): localize(r.funnel, ctx.lang, ctx.declared)}
        if r.changes is not None:
            out[ctx.t("sheet_changes")] = localize(r.changes, ctx.lang, ctx.declared)
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


def stalled_rule(ctx: Context) -> str:
    """The rule for 停滞 in one sentence, with the model's expected time of each stage."""
    d, lang = ctx.zone.params.drivers, ctx.lang
    pre = STAGES[: STAGES.index("signed")]
    sep = say("sep.list", lang)
    stay = ctx.t("stalled_stage")
    stages = sep.join(
        stay.format(stage=label("stage", s, lang), months=expected_months(d, s))
        for s in (*pre, "signed", "started")
    )
    return ctx.t("stalled_rule", stages=stages)


SECTION = PipelineSection()
