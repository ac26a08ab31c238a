"""The liquidity attribution in public: its CSV, its stacked bar chart and the sentence that
names the main driver of reserves (numbers from ``measure/attribution.py``)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from generator.measure.attribution import COLUMNS, PARTS, Driver
from generator.publish.annotations import HALO, WINDOW
from generator.publish.charts import (
    Width,
    chart_params,
    date_axis,
    layered,
    nearest_points,
    unchecked,
)
from generator.publish.format import format_date, format_number

LABELS = {
    "fed_assets": "Fed assets (WALCL)",
    "tga": "Treasury General Account",
    "rrp": "Overnight reverse repo",
    "other": "Other (residual)",
}
NAMES = {
    "fed_assets": "the Fed's assets",
    "tga": "the Treasury General Account",
    "rrp": "the overnight reverse repo facility",
    "other": "other items (currency and other liabilities)",
}
CHART_WEEKS = 104
DAY_MS = 86_400_000


def attribution_csv(frame: pd.DataFrame) -> str:
    """``date,reserves_change,fed_assets,tga,rrp,other`` in bn USD, 3 decimals, every week."""
    text: str = frame[list(COLUMNS)].to_csv(
        float_format="%.3f", date_format="%Y-%m-%d", index_label="date", lineterminator="\n"
    )
    return text


@unchecked
def attribution_spec(data_url: str, since: str, width: Width = "container") -> dict[str, Any]:
    """Stacked weekly bars of the four parts from ``since`` (ISO date), with the change in
    reserves as a line on top; the full history, a click away, in quarters.

    Each bar spans its period: a week, from the Thursday after the previous Wednesday to the
    Wednesday that dates it (a bar drawn at a single date on a time axis was 0.003 px wide, so
    the legend matched nothing); a quarter in the full history, where twenty years of weeks
    would again be thinner than a pixel."""
    parse = {"date": "date", **{c: "number" for c in COLUMNS}}
    source = alt.UrlData(url=data_url, format=alt.CsvDataFormat(type="csv", parse=parse))
    recent = pd.Timestamp(since)
    weekly = (
        alt.Chart(source)
        .transform_filter(f"!{WINDOW}")
        .transform_filter(f"{WINDOW} || time(datum.date) >= {recent.value // 1_000_000}")
        .transform_calculate(
            start=f"time(datum.date) - {6 * DAY_MS}", end=f"time(datum.date) + {DAY_MS}"
        )
    )
    quarterly = (
        alt.Chart(source)
        .transform_filter(WINDOW)
        .transform_timeunit(start="utcyearquarter(date)")
        .transform_aggregate(
            [
                *(alt.AggregatedFieldDef(op="sum", field=c, **{"as": c}) for c in COLUMNS),
                alt.AggregatedFieldDef(op="max", field="date", **{"as": "date"}),
            ],
            groupby=["start"],
        )
        .transform_calculate(end="utc(utcyear(datum.start), utcmonth(datum.start) + 3, 1)")
    )
    layers = [
        *_period_layers(weekly, "Week to", "lw_nearest_week"),
        *_period_layers(quarterly, "Quarter to", "lw_nearest_quarter"),
    ]
    title = "Weekly change in reserves, by source"
    return layered(layers, chart_params(recent), title, 300, width, colour="shared")


def _period_layers(periods: alt.Chart, to: str, nearest: str) -> list[alt.Chart]:
    """Stacked bars of the parts over each period (``start`` to ``end``), the change in
    reserves as a line, and its nearest point's tooltip."""
    labels = [{"part": p, "label": LABELS[p], "order": i} for i, p in enumerate(PARTS)]
    x = alt.X("date:T", title=None, scale=alt.Scale(type="utc"), axis=date_axis())
    period = alt.Tooltip("utcyearmonthdate(date):T", title=to, format="%-d %b %Y")
    bars = (
        periods.transform_fold(list(PARTS), as_=["part", "bn"])
        .transform_lookup(
            lookup="part",
            from_=alt.LookupData(
                alt.InlineData(values=labels), key="part", fields=["label", "order"]
            ),
        )
        .transform_stack(
            stack="bn", groupby=["date"], as_=["bottom", "top"], sort=[alt.SortField("order")]
        )
        .mark_bar(tooltip=True)
        .encode(
            x=alt.X("start:T", title=None, scale=alt.Scale(type="utc"), axis=date_axis()),
            x2=alt.X2("end:T"),
            y=alt.Y("bottom:Q", title="bn USD"),
            y2=alt.Y2("top:Q"),
            color=alt.Color(
                "label:N",
                title=None,
                sort=[LABELS[p] for p in PARTS],
                legend=alt.Legend(orient="top", columns=2),
            ),
            tooltip=[
                period,
                alt.Tooltip("label:N", title="Part"),
                alt.Tooltip("bn:Q", title="bn USD", format="+,.1f"),
            ],
        )
    )
    # The total in the page's ink: dark on a light page, light on a dark one (the halo
    # parameter is the page's colour).
    ink = alt.ExprRef(expr=f"luminance({HALO}) > 0.5 ? '#222222' : '#e6e6e6'")
    line = periods.mark_line(color=ink).encode(x=x, y=alt.Y("reserves_change:Q"))
    points = nearest_points(
        periods,
        name=nearest,
        x=x,
        y=alt.Y("reserves_change:Q"),
        tooltip=[
            period,
            alt.Tooltip("reserves_change:Q", title="Change in reserves, bn USD", format="+,.1f"),
        ],
    )
    return [bars, line, points]


def chart_since(frame: pd.DataFrame) -> str:
    """The first week the chart draws: the last two years (the CSV keeps every week)."""
    return f"{frame.index[-CHART_WEEKS:][0]:%Y-%m-%d}" if len(frame) else "2000-01-01"


def driver_sentence(driver: Driver | None) -> str | None:
    """'Over the 13 weeks to 19 Aug 2026, reserves (Wednesday level) changed by -194 bn USD,
    mostly through the Treasury General Account (-172 bn USD: it rose).'"""
    if driver is None:
        return None
    moved = ""
    if driver.part in ("tga", "rrp"):
        moved = ": it rose" if driver.contribution < 0 else ": it fell"
    return (
        f"Over the 13 weeks to {format_date(driver.until)}, reserves (Wednesday level) changed by "
        f"{format_number(driver.total, 0, signed=True)} bn USD; the largest part came from "
        f"{NAMES[driver.part]} ({format_number(driver.contribution, 0, signed=True)} bn USD"
        f"{moved})."
    )


def chart_sentence(frame: pd.DataFrame, since: str) -> str:
    """The chart's text alternative: what it shows, the latest week and its largest part, e.g.
    'Weekly change in reserves by source, bn USD, last two years, Aug 2024 to Aug 2026 (full
    history by quarter from Jan 2015 in the interactive chart and the data): −16.8 bn USD in
    the week to 19 Aug 2026, the largest part the Treasury General Account (−23.0 bn USD).'"""
    shown = frame[frame.index >= pd.Timestamp(since)]
    if shown.empty:
        return "Weekly change in reserves by source: no data to draw."
    last = shown.iloc[-1]
    part = str(last[list(PARTS)].abs().idxmax())
    span = f"{shown.index[0]:%b %Y} to {shown.index[-1]:%b %Y}"
    if len(shown) < len(frame):  # the picture shows two years; say where the rest starts
        span = (
            f"last two years, {span} (full history by quarter from {frame.index[0]:%b %Y} in "
            "the interactive chart and the data)"
        )
    return (
        f"Weekly change in reserves by source, bn USD, {span}: "
        f"{format_number(float(last['reserves_change']), 1, signed=True)}"
        f" bn USD in the week to {format_date(shown.index[-1].date())}, the largest part "
        f"{NAMES[part]} ({format_number(float(last[part]), 1, signed=True)} bn USD)."
    )
