"""Vega-Lite chart specs (via Altair), their data tables, and card sparklines.

A chart's data lives in a CSV next to nothing else: the spec points at it by URL, the page
offers it as the download, so the numbers a reader downloads are exactly the ones drawn.
Third-party text never enters a Vega expression: labels travel as data (a lookup table).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

import altair as alt
import pandas as pd
from altair.utils.schemapi import debug_mode

from generator.catalogue.models import ChartConfig, Event
from generator.measure import transforms
from generator.measure.indicators import IndicatorResult
from generator.publish import csv_cells
from generator.publish import format as fmt
from generator.publish.annotations import (
    Reference,
    date_tooltip,
    event_layers,
    halo_param,
    note,
    reference_layers,
    shown_events,
    window_filter,
    window_param,
)
from generator.publish.render import cache_bytes

# What a chart shows first: the last two years, the full history a click away (charts.js sets
# the chart's lw_all parameter). A chart spanning little more than this shows everything.
RECENT = pd.DateOffset(years=2)
RECENT_SLACK_DAYS = 45

# Part of every cache key: the code that draws specs, so editing it rebuilds cached specs.
SPEC_VERSION = hashlib.sha256(
    b"".join(
        (Path(__file__).parent / name).read_bytes() for name in ("charts.py", "annotations.py")
    )
).hexdigest()[:16]


def chart_frame(result: IndicatorResult, chart: ChartConfig) -> pd.DataFrame:
    """The table a chart draws: ``date`` plus one column per plotted quantity.

    Long daily histories are cut to weekly (last value of each week ending Friday) so a ten-year
    chart stays a few dozen kilobytes; bar charts keep their own (monthly) buckets.
    """
    columns = {name: result.quantities[name] for name in chart.plot}
    frame = pd.DataFrame(columns).sort_index()
    if frame.empty:
        return frame.reset_index().rename(columns={"index": "date"})
    end = frame.index.max()
    if chart.window != "all":
        frame = frame[frame.index > end - transforms.offset(chart.window)]
    span_days = (frame.index.max() - frame.index.min()).days if len(frame) else 0
    if chart.kind not in ("bar", "stacked_bar") and span_days > transforms.days(chart.weekly_after):
        # The last row of each week keeps its real date, so the final point is the latest value.
        frame = frame[transforms.last_of_week(pd.DatetimeIndex(frame.index))]
    frame.index.name = "date"
    frame = frame.reset_index()
    if chart.kind == "stacked_bar":
        # Each bar spans the period it sums: from its first day to the day that dates it (a
        # Desk period, mid-month to mid-month); a row of a plain calendar series spans a day.
        starts = frame["date"].map(result.spans)
        frame.insert(1, "period_start", starts.fillna(frame["date"]))
    return frame


def frame_to_csv(frame: pd.DataFrame, decimals: dict[str, int]) -> str:
    """CSV text with fixed rounding per column, so rebuilds are byte-identical."""
    columns = [frame.iloc[:, 0].dt.strftime("%Y-%m-%d").to_numpy(dtype=str)]
    for column in frame.columns[1:]:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            columns.append(frame[column].dt.strftime("%Y-%m-%d").to_numpy(dtype=str))
            continue
        values = frame[column].to_numpy(dtype="float64")
        columns.append(fmt.csv_numbers(values, decimals.get(column, 4)))
    rows = [",".join(cells) for cells in zip(*columns, strict=True)]
    return csv_cells.line(frame.columns) + "".join(row + "\n" for row in rows)


Width = int | Literal["container"]  # a chart's width in pixels, or its container's
P = ParamSpec("P")
R = TypeVar("R")


def unchecked(build: Callable[P, R]) -> Callable[P, R]:
    """A spec builder run with Altair's debug mode off. In it every schema object checked
    itself against the Vega-Lite schema as it was made, a third of a spec's cost; the specs
    are the same either way, and the tests check every published spec against the schema
    whole (tests/test_build.py)."""

    @functools.wraps(build)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with debug_mode(False):
            return build(*args, **kwargs)

    return run


@unchecked
def chart_spec(
    result: IndicatorResult,
    chart: ChartConfig,
    frame: pd.DataFrame,
    data_url: str,
    events: Sequence[Event],
    width: Width = "container",
) -> dict[str, Any]:
    """A layered Vega-Lite spec: the quantities, dated event rules, an optional level rule."""
    labels: list[dict[str, object]] = [
        {"quantity": name, "label": result.config.quantities[name].label} for name in chart.plot
    ]
    looked_up = ["label"]
    if chart.kind == "stacked_bar":  # the stacking order travels as data, like the labels
        for position, item in enumerate(labels):
            item["order"] = position
        looked_up.append("order")
    unit = fmt.unit(result.config, chart.plot[0])
    parse = {"date": "date", **{name: "number" for name in chart.plot}}
    if chart.kind == "stacked_bar":
        parse["period_start"] = "date"
    source = alt.UrlData(url=data_url, format=alt.CsvDataFormat(type="csv", parse=parse))
    x = alt.X("date:T", title=None, scale=alt.Scale(type="utc"), axis=date_axis())
    y_scale = alt.Scale(type="log") if chart.log_scale else alt.Scale(zero=chart.kind == "bar")
    y = alt.Y("value:Q", title=unit, scale=y_scale)
    colour = alt.Color(
        "label:N",
        title=None,
        sort=[str(item["label"]) for item in labels],
        legend=alt.Legend(orient="top") if len(labels) > 1 else None,
    )
    tooltip = [
        date_tooltip("Date", unit="utcyearmonth", fmt="%b %Y")
        if chart.kind == "bar"
        else date_tooltip("Date"),
        alt.Tooltip("label:N", title="Quantity"),
        alt.Tooltip(
            "value:Q", title=unit, format=f",.{fmt.decimals(result.config, chart.plot[0])}f"
        ),
    ]
    start, end = _span(frame)
    recent = recent_start(start, end)
    kept = window_filter(recent)
    data = alt.Chart(source)
    base = (
        (data.transform_filter(kept) if kept else data)
        .transform_fold(list(chart.plot), as_=["quantity", "value"])
        .transform_filter("isValid(datum.value)")
        .transform_lookup(
            lookup="quantity",
            from_=alt.LookupData(alt.InlineData(values=labels), key="quantity", fields=looked_up),
        )
    )
    if chart.kind == "bar":
        marks = base.mark_bar(tooltip=True).encode(
            x=alt.X("utcyearmonth(date):T", title=None, scale=alt.Scale(type="utc")),
            y=y,
            color=colour,
            tooltip=tooltip,
        )
    elif chart.kind == "stacked_bar":
        # Each bar spans its period (period_start to the date that ends it, inclusive); the
        # parts stack in the order plotted, the first at the bottom.
        tooltip[0:1] = [date_tooltip("From", "period_start"), date_tooltip("To")]
        stacked = base.transform_calculate(
            period_end="time(datum.date) + 86400000"
        ).transform_stack(
            stack="value", groupby=["date"], as_=["bottom", "top"], sort=[alt.SortField("order")]
        )
        marks = stacked.mark_bar(tooltip=True, stroke="white", strokeWidth=1).encode(
            x=alt.X(
                "period_start:T",
                title=None,
                scale=alt.Scale(type="utc"),
                # One tick a month: finer ticks would print the same month twice.
                axis=alt.Axis(format="%b %Y", tickCount="month"),
            ),
            x2=alt.X2("period_end:T"),
            y=alt.Y("bottom:Q", title=unit, scale=alt.Scale(zero=True)),
            y2=alt.Y2("top:Q"),
            color=colour,
            tooltip=tooltip,
        )
    else:
        mark = base.mark_area(opacity=0.5, line=True) if chart.kind == "area" else base.mark_line()
        line = mark.encode(x=x, y=y, color=colour)
        marks = line + nearest_points(base, x=x, y=y, color=colour, tooltip=tooltip)
    layers = [marks]
    if start is not None and end is not None:
        layers += event_layers(shown_events(events, start, end), start, end, recent)
    layers += reference_layers(chart_references(result, chart))
    spec = layered(layers, chart_params(recent), result.config.title, 300, width)
    spec["usermeta"] = {"indicator": result.id}
    return spec


def date_axis() -> alt.Axis:
    """Month-year labels, at most one per 90 pixels of the chart's width and never two that
    overlap: a ten-year history put twenty labels on a phone."""
    return alt.Axis(
        format="%b %Y", labelOverlap="greedy", tickCount=alt.ExprRef(expr="ceil(width / 90)")
    )


def recent_start(start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.Timestamp | None:
    """The first day of the default window, or None when the chart is short enough to show
    whole."""
    if start is None or end is None:
        return None
    first = end - RECENT
    return first if (first - start).days > RECENT_SLACK_DAYS else None


def default_window(frame: pd.DataFrame) -> pd.Timestamp | None:
    """The first day an indicator or regime chart shows before the reader asks for its full
    history, or None when it shows it all: what the spec filters and the sentence says."""
    return recent_start(*_span(frame))


def chart_params(recent: pd.Timestamp | None) -> list[alt.Parameter]:
    """The halo colour, and the full-history switch when the chart has a default window."""
    return [halo_param(), window_param()] if recent is not None else [halo_param()]


def layered(
    layers: Sequence[alt.Chart | alt.LayerChart],
    params: Sequence[alt.Parameter],
    title: str,
    height: int,
    width: Width,
    colour: Literal["independent", "shared"] = "independent",
) -> dict[str, Any]:
    """The layers as one top-level spec with the chart's ``params``, its colour scale
    resolution, size and title, built by a single LayerChart constructor.

    Altair copies a layered chart whole, every layer deeply, at each chained call (each copy
    constructs it again): ``alt.layer(...).add_params(...).resolve_scale(...).properties(...)``
    cost most of a build's spec time. The params ride on the last layer, so Altair lifts them
    to the top after the layers' own selections, where ``add_params`` put them: the spec is
    the one the chained calls made."""
    *first, last = layers
    chart = alt.LayerChart(
        layer=[*first, last.add_params(*params)],
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(color=colour)),
        width=width,
        height=height,
        title=alt.TitleParams(title, anchor="start"),
    )
    spec: dict[str, Any] = chart.to_dict(validate=False)
    return spec


def nearest_points(base: alt.Chart, name: str = "lw_nearest", **encoding: Any) -> alt.Chart:
    """Invisible points whose tooltip shows for the point nearest the pointer (a Voronoi
    layer, so a tap anywhere near a line finds its point, not only within a few pixels of it);
    the point found is drawn. Its mark opacity of 0 tells pictures.py to leave it out."""
    hover = alt.selection_point(
        name=name, nearest=True, on="pointerover", clear="pointerout", empty=False
    )
    # Altair names this layer's view by a hash of its encoding as printed (repr), so the view
    # name published (tests/golden/fed-assets.vl.json) depends on how each channel was built:
    # the condition stays the dict alt.condition makes; alt.Y("score:Q") prints as the string
    # "score:Q" encode turned into a channel did.
    points: alt.Chart = (
        base.mark_point(size=40, opacity=0, filled=True)
        .encode(**encoding, opacity=alt.condition(hover, alt.value(1), alt.value(0)))
        .add_params(hover)
    )
    return points


def _span(frame: pd.DataFrame) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The first and last day a chart draws (a stacked bar's first period from its start)."""
    if frame.empty:
        return None, None
    first = frame["period_start"].min() if "period_start" in frame else frame["date"].min()
    return first, frame["date"].max()


def chart_references(result: IndicatorResult, chart: ChartConfig) -> list[Reference]:
    """The chart's reference line, labelled with its own words or else its value and unit."""
    if chart.rule_at is None:
        return []
    label = chart.rule_label or fmt.quantity_text(result.config, chart.plot[0], chart.rule_at)
    return [Reference(chart.rule_at, label)]


def chart_note(
    result: IndicatorResult, chart: ChartConfig, frame: pd.DataFrame, events: Sequence[Event]
) -> str:
    """The line under an indicator chart naming the event and reference lines it opens with
    (the last two years, when it has that window)."""
    start, end = _span(frame)
    shown = shown_events(events, recent_start(start, end) or start, end)
    return note(shown, chart_references(result, chart))


def regime_references(easing_above: float, tight_below: float) -> list[Reference]:
    """The regime chart's thresholds and its zero line."""
    return [
        Reference(easing_above, f"easing above {fmt.format_number(easing_above, 1, True)}"),
        Reference(0.0, "0"),
        Reference(tight_below, f"tight below {fmt.format_number(tight_below, 1, True)}"),
    ]


def spec_json(spec: dict[str, Any]) -> str:
    """Stable JSON with ``<``/``>``/``&`` escaped, so a spec can never close a script tag."""
    text = json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def sparkline_svg(series: pd.Series, points: int = 52, width: int = 120, height: int = 32) -> str:
    """A tiny inline SVG of the last year, drawn server-side so cards need no JavaScript."""
    if series.empty:
        return ""
    recent = series[series.index > series.index[-1] - pd.DateOffset(years=1)]
    if len(recent) > points:
        step = math.ceil(len(recent) / points)
        recent = pd.concat([recent.iloc[::step], recent.iloc[-1:]]).loc[
            lambda s: ~s.index.duplicated()
        ]
    values = recent.to_numpy(dtype=float)
    if len(values) < 2:
        return ""
    low, high = float(values.min()), float(values.max())
    span = (high - low) or 1.0
    coords = []
    for i, value in enumerate(values):
        x = i * (width - 2) / (len(values) - 1) + 1
        y = height - 1 - (value - low) / span * (height - 2)
        coords.append(f"{x:.1f},{y:.1f}")
    return (
        f'<svg class="lw-spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="last 12 months"><polyline fill="none" stroke="currentColor" '
        f'stroke-width="1.5" points="{" ".join(coords)}"/></svg>'
    )


@unchecked
def regime_spec(
    frame: pd.DataFrame,
    data_url: str,
    events: Sequence[Event],
    easing_above: float,
    tight_below: float,
    width: Width = "container",
) -> dict[str, Any]:
    """The weekly regime score with its two thresholds and the dated events."""
    source = alt.UrlData(
        url=data_url,
        format=alt.CsvDataFormat(type="csv", parse={"date": "date", "score": "number"}),
    )
    x = alt.X("date:T", title=None, scale=alt.Scale(type="utc"), axis=date_axis())
    start, end = (frame["date"].min(), frame["date"].max()) if not frame.empty else (None, None)
    recent = recent_start(start, end)
    kept = window_filter(recent)
    data = alt.Chart(source).transform_filter(kept) if kept else alt.Chart(source)
    line = data.mark_line().encode(x=x, y=alt.Y("score:Q", title="score (z)"))
    points = nearest_points(
        data,
        x=x,
        y=alt.Y("score:Q"),
        tooltip=[
            date_tooltip("Week to"),
            alt.Tooltip("score:Q", title="Score", format="+.2f"),
        ],
    )
    references = regime_references(easing_above, tight_below)
    layers = [line + points, *reference_layers(references, [2, 2])]
    if start is not None and end is not None:
        layers += event_layers(shown_events(events, start, end), start, end, recent)
    return layered(layers, chart_params(recent), "Liquidity regime score", 260, width)


@unchecked
def lag_spec(
    assets: dict[str, str],
    data_url: str,
    width: Width = "container",
    significant_beyond: float | None = None,
) -> dict[str, Any]:
    """Correlation of net-liquidity change with later returns, one line per asset by lag,
    with the dashed band outside which a peak counts as significant after the correction for
    the lags tried (the threshold the page's text stresses)."""
    parse = {"lag": "number", **{column: "number" for column in assets}}
    labels = [{"asset": column, "label": label} for column, label in assets.items()]
    source = alt.UrlData(url=data_url, format=alt.CsvDataFormat(type="csv", parse=parse))
    base = (
        alt.Chart(source)
        .transform_fold(list(assets), as_=["asset", "correlation"])
        .transform_filter("isValid(datum.correlation)")
        .transform_lookup(
            lookup="asset",
            from_=alt.LookupData(alt.InlineData(values=labels), key="asset", fields=["label"]),
        )
    )
    # Whole weeks only: a tick between two lags would be a week that was never measured.
    x = alt.X(
        "lag:Q",
        title="weeks after the change in net liquidity",
        scale=alt.Scale(domain=[0, 12], nice=False),
        axis=alt.Axis(values=list(range(13)), format="d", labelOverlap="greedy"),
    )
    encoding: dict[str, Any] = {
        "x": x,
        "y": alt.Y("correlation:Q", title="correlation"),
        "color": alt.Color(
            "label:N", title=None, sort=list(assets.values()), legend=alt.Legend(orient="top")
        ),
    }
    lines = base.mark_line(point=alt.OverlayMarkDef(size=25)).encode(**encoding)
    points = nearest_points(
        base,
        **encoding,
        tooltip=[
            alt.Tooltip("label:N", title="Asset"),
            alt.Tooltip("lag:Q", title="Lag (weeks)"),
            alt.Tooltip("correlation:Q", title="Correlation", format="+.3f"),
        ],
    )
    zero = (
        alt.Chart(alt.InlineData(values=[{"level": 0}]))
        .mark_rule(color="#888")
        .encode(y=alt.Y("level:Q"))
    )
    layers = [lines, points, zero]
    if significant_beyond is not None and math.isfinite(significant_beyond):
        text = f"significant beyond \u00b1{fmt.format_number(significant_beyond, 2)}"
        layers += reference_layers(
            [Reference(significant_beyond, text), Reference(-significant_beyond, "")], [4, 3]
        )
    return layered(layers, [halo_param()], "Lead/lag correlation", 300, width)


def cached(
    cache_dir: Path | None, key: object, make: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """A spec from the build cache when everything it depends on is unchanged.

    Building a spec through Altair costs tens of milliseconds (deep copies and schema work);
    the spec depends only on the chart config, labels, the date span and the events, which
    rarely change between builds. The key includes Altair's version, so an upgrade rebuilds.
    """
    if cache_dir is None:
        return make()
    payload = json.dumps([alt.__version__, SPEC_VERSION, key], sort_keys=True, default=str)
    path = cache_dir / f"{hashlib.sha256(payload.encode()).hexdigest()}.json"
    if path.exists():
        stored: dict[str, Any] = json.loads(path.read_text())
        return stored
    spec = make()
    cache_bytes(path, json.dumps(spec, sort_keys=True).encode())
    return spec


def spec_key(
    result: IndicatorResult,
    chart: ChartConfig,
    frame: pd.DataFrame,
    url: str,
    events: Sequence[Event],
) -> list[Any]:
    """Everything chart_spec reads, as plain data."""
    span = [str(day) for day in _span(frame)] if not frame.empty else []
    quantities = {name: result.config.quantities[name].model_dump() for name in chart.plot}
    return [
        "indicator",
        result.config.title,
        result.config.unit,
        result.config.decimals,
        chart.model_dump(),
        quantities,
        span,
        url,
        [e.model_dump() for e in events],
    ]
