"""The liquidity attribution in public: its CSV, its stacked bar chart and the sentence that
names the main driver of reserves (numbers from ``measure/attribution.py``)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from generator.measure.attribution import COLUMNS, PARTS, Driver
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


def attribution_csv(frame: pd.DataFrame) -> str:
    """``date,reserves_change,fed_assets,tga,rrp,other`` in bn USD, 3 decimals, every week."""
    text: str = frame[list(COLUMNS)].to_csv(
        float_format="%.3f", date_format="%Y-%m-%d", index_label="date", lineterminator="\n"
    )
    return text


def attribution_spec(data_url: str, since: str, width: int | str = "container") -> dict[str, Any]:
    """Stacked weekly bars of the four parts from ``since`` (ISO date), with the change in
    reserves as a line on top."""
    parse = {"date": "date", **{c: "number" for c in COLUMNS}}
    source = alt.UrlData(url=data_url, format=alt.CsvDataFormat(type="csv", parse=parse))
    labels = [{"part": p, "label": LABELS[p]} for p in PARTS]
    year, month, day = (int(part) for part in since.split("-"))
    base = alt.Chart(source).transform_filter(f"datum.date >= datetime({year}, {month - 1}, {day})")
    bars = (
        base.transform_fold(list(PARTS), as_=["part", "bn"])
        .transform_lookup(
            lookup="part",
            from_=alt.LookupData(alt.InlineData(values=labels), key="part", fields=["label"]),
        )
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(date):T", title=None),
            y=alt.Y("sum(bn):Q", title="bn USD per week", stack="zero"),
            color=alt.Color(
                "label:N",
                title=None,
                sort=[LABELS[p] for p in PARTS],
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("yearmonthdate(date):T", title="Week to"),
                alt.Tooltip("label:N", title="Part"),
                alt.Tooltip("sum(bn):Q", title="bn USD", format="+,.1f"),
            ],
        )
    )
    line = base.mark_line(color="#222", point=True).encode(
        x="yearmonthdate(date):T",
        y="reserves_change:Q",
        tooltip=[
            alt.Tooltip("yearmonthdate(date):T", title="Week to"),
            alt.Tooltip("reserves_change:Q", title="Change in reserves, bn USD", format="+,.1f"),
        ],
    )
    chart = alt.layer(bars, line).properties(
        width=width,
        height=300,
        title=alt.TitleParams("Weekly change in reserves, by source", anchor="start"),
    )
    return chart.to_dict(validate=False)


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
    'Weekly change in reserves by source, bn USD, Aug 2024 to Aug 2026: −16.8 bn USD in the
    week to 19 Aug 2026, the largest part the Treasury General Account (−23.0 bn USD).'"""
    shown = frame[frame.index >= pd.Timestamp(since)]
    if shown.empty:
        return "Weekly change in reserves by source: no data to draw."
    last = shown.iloc[-1]
    part = str(last[list(PARTS)].abs().idxmax())
    return (
        f"Weekly change in reserves by source, bn USD, {shown.index[0]:%b %Y} to "
        f"{shown.index[-1]:%b %Y}: {format_number(float(last['reserves_change']), 1, signed=True)}"
        f" bn USD in the week to {format_date(shown.index[-1].date())}, the largest part "
        f"{NAMES[part]} ({format_number(float(last[part]), 1, signed=True)} bn USD)."
    )
