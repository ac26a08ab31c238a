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
# Labels are placed in pixels, for the narrowest plot of each class of chart width: the chart's
# own width (a Vega signal) picks the class, so the live chart on a phone, a tablet or a desktop
# and both pictures (720 and 340 px) each use a placement worked out for a plot no wider than
# theirs. (chart width from which the class applies, the plot width assumed: the chart minus
# the y axis and its title, about 70 px.)
WIDTH_CLASSES: tuple[tuple[str, int, int], ...] = (("n", 0, 220), ("m", 480, 410), ("w", 640, 570))
# Conservative glyph widths at LABEL_FONT (DejaVu Sans, the widest of the fonts a reader's
# browser or vl-convert falls back to): a label drawn is never wider than its estimate.
UPPER_PX, LOWER_PX, SPACE_PX = 7.5, 5.8, 3.0
LABEL_DX = 2  # between a rule and its label
LABEL_GAP = 4  # between two labels in a row
ROW_TOP = 3  # the first row's top: a glyph's box rises above its "top" baseline
# Every label is drawn twice: first outlined in the page's background colour (a halo), then
# in its own colour, so the dashed rules and data lines that cross a label stop at its letters.
# The colour is a chart parameter: light by default, the dark page's colour in the dark
# pictures (pictures.py) and in the interactive chart when the page is dark (charts.js).
HALO = "lw_halo"
WINDOW = "lw_all"  # the chart parameter: true shows the full history
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


def label_width(text: str) -> float:
    """A label's width in pixels, estimated high (see UPPER_PX)."""
    return sum(
        SPACE_PX if c.isspace() else UPPER_PX if c.isupper() or c in "MW" else LOWER_PX
        for c in text
    )


@dataclass(frozen=True)
class Placement:
    """Where an event's label goes: a row at the top of the plot (-1: no room, the rule keeps
    its tooltip and the line under the chart names it), right of its rule or, near the plot's
    right edge, left of it (``flip``)."""

    row: int
    flip: bool = False


def place_labels(
    shown: Sequence[Event], start: pd.Timestamp, end: pd.Timestamp, plot_px: float
) -> list[Placement]:
    """A placement for each event's label on a plot ``plot_px`` wide, such that no two labels
    of a row overlap and no label leaves the plot. The newest events claim rows first (the
    right edge is where the news is), policy and market events before FOMC meetings."""
    span = max((end - start).days, 1)
    placed = [Placement(-1)] * len(shown)
    taken: list[list[tuple[float, float]]] = [[] for _ in range(LABEL_ROWS)]
    order = sorted(
        range(len(shown)), key=lambda i: (shown[i].kind == "fomc", -shown[i].date.toordinal())
    )
    for i in order:
        at = (pd.Timestamp(shown[i].date) - start).days / span * plot_px
        width = label_width(short_label(shown[i]))
        options = []
        if at + LABEL_DX + width <= plot_px:
            options.append((at + LABEL_DX, at + LABEL_DX + width, False))
        if at - LABEL_DX - width >= 0:
            options.append((at - LABEL_DX - width, at - LABEL_DX, True))
        placement = _first_free(options, taken)
        if placement is not None:
            placed[i] = placement
    return placed


def _first_free(
    options: list[tuple[float, float, bool]], taken: list[list[tuple[float, float]]]
) -> Placement | None:
    for row, boxes in enumerate(taken):
        for low, high, flip in options:
            if all(high + LABEL_GAP <= a or b + LABEL_GAP <= low for a, b in boxes):
                boxes.append((low, high))
                return Placement(row, flip)
    return None


def window_filter(recent_start: pd.Timestamp | None) -> str | None:
    """The Vega expression keeping rows in the shown window: the last two years unless the
    reader asked for the full history (the ``lw_all`` parameter); None when there is no cut.
    Numbers only: no configuration text enters an expression."""
    if recent_start is None:
        return None
    return f"{WINDOW} || time(datum.date) >= {_ms(recent_start)}"


def window_param() -> alt.Parameter:
    """The full-history switch (false: the last two years), set by charts.js on a click."""
    return alt.param(name=WINDOW, value=False)


def _ms(day: pd.Timestamp) -> int:
    return int(pd.Timestamp(day).value // 1_000_000)


def event_layers(
    shown: Sequence[Event],
    start: pd.Timestamp,
    end: pd.Timestamp,
    recent_start: pd.Timestamp | None = None,
) -> list[Any]:
    """Dashed rules with a tooltip, plus their short labels staggered along the top, placed for
    each window (full history, last two years) and each class of chart width."""
    if not shown:
        return []
    windows = {"all": (start, list(range(len(shown))))}
    if recent_start is not None:
        inside = [i for i, e in enumerate(shown) if pd.Timestamp(e.date) >= recent_start]
        windows["recent"] = (recent_start, inside)
    values: list[dict[str, str | int]] = [
        {
            "date": f"{e.date:%Y-%m-%d}",
            "event": e.label,
            "kind": e.kind,
            "short": short_label(e),
        }
        for e in shown
    ]
    for window, (first, inside) in windows.items():
        for name, _, plot_px in WIDTH_CLASSES:
            placements = place_labels([shown[i] for i in inside], first, end, plot_px)
            found = dict(zip(inside, placements, strict=True))
            for i, value in enumerate(values):
                placement = found.get(i, Placement(-1))
                value[f"row_{window}_{name}"] = placement.row
                value[f"flip_{window}_{name}"] = int(placement.flip)
    data = alt.InlineData(values=values)
    x = alt.X("date:T", scale=alt.Scale(type="utc"))
    kept = window_filter(recent_start)

    def chart() -> alt.Chart:
        base = alt.Chart(data)
        return base.transform_filter(kept) if kept else base

    rules = (
        chart()
        .mark_rule(strokeDash=[4, 3], opacity=0.6)
        .encode(
            x=x,
            color=_kind_colour(),
            tooltip=[date_tooltip("Date"), alt.Tooltip("event:N", title="Event")],
        )
    )
    # The field holding a label's row and side in the window and width class shown now (the
    # chart's own width, a number: no config text in expressions).
    wider = [f"width >= {low} ? '{name}'" for name, low, _ in WIDTH_CLASSES[:0:-1]]
    width_class = "(" + " : ".join([*wider, f"'{WIDTH_CLASSES[0][0]}'"]) + ")"
    window = f"({WINDOW} ? 'all' : 'recent')" if recent_start is not None else "'all'"
    key = f"{window} + '_' + {width_class}"
    flip = f"datum['flip_' + {key}]"
    text: dict[str, Any] = {
        "align": alt.ExprRef(expr=f"{flip} ? 'right' : 'left'"),
        "baseline": "top",
        "dx": alt.ExprRef(expr=f"{flip} ? {-LABEL_DX} : {LABEL_DX}"),
        "fontSize": LABEL_FONT,
        "aria": False,
    }
    rows_used = sorted({int(v[k]) for v in values for k in v if k.startswith("row_")} - {-1})

    def row_text(row: int) -> alt.Chart:
        # One text layer per row at a fixed pixel height: a row field on y would join the
        # data's y scale.
        return chart().transform_filter(f"datum['row_' + {key}] == {row}")

    halos = [
        row_text(row)
        .mark_text(**text, **HALO_MARK)
        .encode(x=x, y=_row_y(row), text=alt.Text("short:N"))
        for row in rows_used
    ]
    labels = [
        row_text(row)
        .mark_text(**text)
        .encode(
            x=x,
            y=_row_y(row),
            text=alt.Text("short:N"),
            color=_kind_colour(),
        )
        for row in rows_used
    ]
    return [rules, *halos, *labels]


def _row_y(row: int) -> alt.YValue:
    """A label row's height in pixels, as a channel object: a plain ``alt.value`` dict costs
    Altair a search of its schema classes at every ``encode``."""
    return alt.YValue(ROW_TOP + row * (LABEL_FONT + 2))  # type: ignore[no-untyped-call]


def reference_layers(references: Sequence[Reference], dash: list[int] | None = None) -> list[Any]:
    """Grey horizontal lines, each with its label printed at the left end, above the line."""
    if not references:
        return []
    data = alt.InlineData(values=[{"level": r.level, "label": r.label} for r in references])
    rule = alt.Chart(data).mark_rule(color="#888", strokeWidth=1, strokeDash=dash or [])
    # At the left end: the right end is where the news and the newest event labels are.
    # Above the line, or below it when the line is too near the top of the plot for a label.
    below = f"scale('y', datum.level) < {LABEL_FONT + 6}"
    place: dict[str, Any] = {
        "align": "left",
        "baseline": alt.ExprRef(expr=f"{below} ? 'top' : 'bottom'"),
        "dx": LABEL_DX,
        "dy": alt.ExprRef(expr=f"{below} ? 3 : -2"),
        "fontSize": LABEL_FONT,
    }
    halo = alt.Chart(data).mark_text(**place, aria=False, **HALO_MARK)
    text = alt.Chart(data).mark_text(**place, color="#777")
    left = alt.XValue(0)  # type: ignore[no-untyped-call]
    where: dict[str, Any] = {"y": alt.Y("level:Q"), "x": left, "text": alt.Text("label:N")}
    return [rule.encode(y=where["y"]), halo.encode(**where), text.encode(**where)]


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
