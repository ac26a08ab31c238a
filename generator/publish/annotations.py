"""Event rules, reference lines and their labels: on the chart and in one line under it.

Hover tooltips alone cannot name a line on a touch screen, so every dashed event rule and every
reference line carries a short printed label, and the page says in words what they mark.
Label text travels as data (a field), never inside a Vega expression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from generator.catalogue.models import Event
from generator.publish.format import format_date

EVENT_COLOURS = {"fomc": "#7f7f7f", "policy": "#d62728", "market": "#9467bd"}
KIND_WORDS = {"fomc": "grey", "policy": "red", "market": "purple"}
# Labels stack in this many rows at the top of the plot so neighbouring events stay legible.
LABEL_ROWS = 3
LABEL_FONT = 9
# One character of a label as a share of the plot width (about 5 px of a 650 px plot).
CHAR_WIDTH = 0.008
# Below this plot width (px) labels use the rows worked out for a narrow plot (a phone).
NARROW_BELOW = 480
NARROW_CHAR_WIDTH = 0.018  # about 5 px of a 290 px plot
# Every label is drawn twice: first outlined in the page's background colour (a halo), then
# in its own colour, so the dashed rules and data lines that cross a label stop at its letters.
# The colour is a chart parameter: light by default, the dark page's colour in the dark
# pictures (pictures.py) and in the interactive chart when the page is dark (charts.js).
HALO = "lw_halo"
HALO_LIGHT = "#ffffff"
HALO_DARK = "#1e2129"  # Material's slate background, hsl(225, 15%, 14%)
HALO_MARK: dict[str, Any] = {
    "stroke": alt.ExprRef(expr=HALO),
    "fill": alt.ExprRef(expr=HALO),
    "strokeWidth": 3,
    "strokeJoin": "round",
}


@dataclass(frozen=True)
class Reference:
    """A horizontal line at ``level`` with the short ``label`` printed beside it."""

    level: float
    label: str


def date_tooltip(
    title: str, field: str = "date", unit: str = "utcyearmonthdate", fmt: str = "%-d %b %Y"
) -> alt.Tooltip:
    """A date in a tooltip. The UTC time unit makes Vega-Lite format with ``utcFormat``;
    ``formatType: "utc"`` instead calls Vega's ``utc()`` date constructor and prints NaN."""
    return alt.Tooltip(f"{unit}({field}):T", title=title, format=fmt)


def short_label(event: Event) -> str:
    """What the chart prints at the top of an event's rule."""
    if event.short:
        return event.short
    return "FOMC" if event.kind == "fomc" else event.label[:16]


def shown_events(
    events: Sequence[Event], start: pd.Timestamp | None, end: pd.Timestamp | None
) -> list[Event]:
    if start is None or end is None:
        return []
    return [e for e in events if start <= pd.Timestamp(e.date) <= end]


def halo_param() -> alt.Parameter:
    """The halo colour parameter, for the top level of a chart that carries labels."""
    return alt.param(name=HALO, value=HALO_LIGHT)


def _kind_colour() -> alt.Color:
    return alt.Color(
        "kind:N",
        scale=alt.Scale(domain=list(EVENT_COLOURS), range=list(EVENT_COLOURS.values())),
        legend=None,
    )


def label_rows(
    shown: Sequence[Event],
    start: pd.Timestamp,
    end: pd.Timestamp,
    char_width: float = CHAR_WIDTH,
) -> list[int | None]:
    """A row at the top of the plot for each event's label, or None when every row is taken
    there (dense FOMC dates on a ten-year chart): the rule keeps its tooltip and the line under
    the chart names it. Policy and market events claim rows before FOMC meetings."""
    span = max((end - start).days, 1)
    # Each label covers [position, position + width) as shares of the plot width.
    extents = [(_position(e, start, span), (len(short_label(e)) + 1) * char_width) for e in shown]
    rows: list[int | None] = [None] * len(shown)
    order = sorted(range(len(shown)), key=lambda i: (shown[i].kind == "fomc", shown[i].date))
    for i in order:
        at, width = extents[i]
        for row in range(LABEL_ROWS):
            taken = [extents[j] for j in range(len(shown)) if rows[j] == row]
            if all(not (other < at + width and at < other + w) for other, w in taken):
                rows[i] = row
                break
    return rows


def _position(event: Event, start: pd.Timestamp, span: int) -> float:
    days: int = (pd.Timestamp(event.date) - start).days
    return days / span


def event_layers(shown: Sequence[Event], start: pd.Timestamp, end: pd.Timestamp) -> list[Any]:
    """Dashed rules with a tooltip, plus their short labels staggered along the top."""
    if not shown:
        return []
    rows = label_rows(shown, start, end)
    narrow = label_rows(shown, start, end, NARROW_CHAR_WIDTH)
    values: list[dict[str, str | int]] = [
        {
            "date": f"{e.date:%Y-%m-%d}",
            "event": e.label,
            "kind": e.kind,
            "short": short_label(e),
            "row": -1 if row is None else row,
            "row_narrow": -1 if small is None else small,
        }
        for e, row, small in zip(shown, rows, narrow, strict=True)
    ]
    data = alt.InlineData(values=values)
    x = alt.X("date:T", scale=alt.Scale(type="utc"))
    rules = (
        alt.Chart(data)
        .mark_rule(strokeDash=[4, 3], opacity=0.6)
        .encode(
            x=x,
            color=_kind_colour(),
            tooltip=[date_tooltip("Date"), alt.Tooltip("event:N", title="Event")],
        )
    )
    # One text layer per row at a fixed pixel height: a row field on y would join the data's
    # y scale.
    rows_used = sorted(
        ({int(v["row"]) for v in values} | {int(v["row_narrow"]) for v in values}) - {-1}
    )
    text: dict[str, Any] = {
        "align": "left",
        "baseline": "top",
        "dx": 2,
        "fontSize": LABEL_FONT,
        "aria": False,
    }

    def row_text(row: int) -> alt.Chart:
        # The chart's own width picks the rows (numbers only: no config text in expressions).
        return alt.Chart(data).transform_filter(
            f"(width < {NARROW_BELOW} ? datum.row_narrow : datum.row) == {row}"
        )

    halos = [
        row_text(row)
        .mark_text(**text, **HALO_MARK)
        .encode(x=x, y=alt.value(row * (LABEL_FONT + 2)), text="short:N")
        for row in rows_used
    ]
    labels = [
        row_text(row)
        .mark_text(**text)
        .encode(x=x, y=alt.value(row * (LABEL_FONT + 2)), text="short:N", color=_kind_colour())
        for row in rows_used
    ]
    return [rules, *halos, *labels]


def reference_layers(references: Sequence[Reference], dash: list[int] | None = None) -> list[Any]:
    """Grey horizontal lines, each with its label printed at the right end, above the line."""
    if not references:
        return []
    data = alt.InlineData(values=[{"level": r.level, "label": r.label} for r in references])
    rule = alt.Chart(data).mark_rule(color="#888", strokeWidth=1, strokeDash=dash or [])
    place: dict[str, Any] = {
        "align": "right",
        "baseline": "bottom",
        "dx": -2,
        "dy": -2,
        "fontSize": LABEL_FONT,
    }
    halo = alt.Chart(data).mark_text(**place, aria=False, **HALO_MARK)
    text = alt.Chart(data).mark_text(**place, color="#777")
    where: dict[str, Any] = {"y": "level:Q", "x": alt.value("width"), "text": "label:N"}
    return [rule.encode(y="level:Q"), halo.encode(**where), text.encode(**where)]


def note(shown: Sequence[Event], references: Sequence[Reference], line_word: str = "grey") -> str:
    """One line under a chart saying what its dashed and reference lines mark."""
    parts = []
    fomc = [e for e in shown if e.kind == "fomc"]
    others = [e for e in shown if e.kind != "fomc"]
    for event in others:
        parts.append(
            f"{short_label(event)} ({KIND_WORDS[event.kind]}, {format_date(event.date)}): "
            f"{event.label}"
        )
    if fomc:
        count = "an FOMC meeting" if len(fomc) == 1 else f"{len(fomc)} FOMC meetings"
        parts.append(f"FOMC (grey): {count}, the last on {format_date(fomc[-1].date)}")
    text = ""
    if parts:
        text = "Dashed lines: " + "; ".join(parts) + "."
    if references:
        marks = "; ".join(r.label for r in references)
        lines = "line" if len(references) == 1 else "lines"
        text = (text + " " if text else "") + f"{line_word.capitalize()} {lines}: {marks}."
    return text
