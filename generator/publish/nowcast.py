"""The nowcast in public: the dashed estimate on the reserves and net-liquidity charts, the
line on their home cards, the sentence added to the charts' text alternative, the backtest
errors as ``data/nowcast-errors.csv`` and ``api/nowcast.json`` (``schemas/nowcast.schema.json``)
and the methodology page's table (``snippets/nowcast-backtest.md``, included by
``site/methodology.md``). Numbers from ``measure/nowcast.py``.

Why its own module: the build and the page modules are shared by many changes; the wiring
there is a handful of calls.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from generator.catalogue.models import Config
from generator.measure import nowcast
from generator.measure.indicators import IndicatorResult
from generator.publish.contexts import Estimate
from generator.publish.format import Number, format_date, format_number
from generator.snapshot import freshness
from generator.snapshot.load import Snapshot
from generator.snapshot.store import Store

# What each target is, its series named from ``nowcast: series:`` (parts in braces).
TARGET_NAMES = {
    "reserves": "Reserves (week average, {reserves})",
    "reserves_wednesday": "Reserves (Wednesday level, {reserves_wednesday})",
    "net_liquidity": "Net liquidity ({fed_assets} - {tga_week} - ON RRP)",
}
HORIZON_NAMES = {
    "friday": "Friday after the previous release",
    "wednesday": "Wednesday (the day estimated)",
    "release": "Thursday before the release",
}
CARD_HORIZONS = {
    "friday": "early in the week",
    "wednesday": "on the Wednesday",
    "release": "on release day",
}
LEAVES_OUT = (
    "the Standing Repo Facility and the discount window",
    "float, currency in circulation, the foreign repo pool and other deposits",
    "changes in the Fed's assets other than settled bill purchases (maturing securities, "
    "MBS paydowns, loans)",
    "purchases not yet operated (the Desk's schedule ahead)",
)
CSV = "nowcast-errors.csv"
VERSION = 1
TOLERANCE = 0.5  # bn USD: the estimate's base week must match the indicator's last value


@dataclass
class View:
    """Everything the pages need: today's estimate, the backtest's errors and scores."""

    estimate: nowcast.Estimate | None
    errors: pd.DataFrame
    scores: list[nowcast.Score] = field(default_factory=list)
    # indicator id -> (target, the quantity its chart and card show), from `nowcast: charts:`
    shown: dict[str, tuple[str, str]] = field(default_factory=dict)
    # the target -> its name in the methodology table, with the series ids of this config
    names: dict[str, str] = field(default_factory=dict)


def shown_of(config: Config) -> dict[str, tuple[str, str]]:
    """Indicator id -> (target, quantity) for each chart ``nowcast: charts:`` lists."""
    if config.nowcast is None:
        return {}
    return {c.indicator: (c.target, c.quantity) for c in config.nowcast.charts}


def names_of(config: Config) -> dict[str, str]:
    """Each target's name in the methodology table, naming this config's series."""
    if config.nowcast is None:
        return {}
    parts = config.nowcast.series.parts()
    return {target: text.format(**parts) for target, text in TARGET_NAMES.items()}


def made_on(store: Store, as_of: date | None) -> date | None:
    """The day the site's estimate is made: the last time the sources were asked (so a build
    is the same on any day from the same snapshot), or ``build --as-of``'s day if earlier."""
    fetched = freshness.last_update([r.fetched_at for r in store.records.values()])
    if fetched is None or as_of is None:
        return fetched or as_of
    return min(fetched, as_of)


def compute(
    config: Config, snapshot: Snapshot, store: Store, as_of: date | None, cache: Path | None
) -> View:
    """Today's estimate and the backtest over every published week known on ``made_on``; the
    backtest (a few seconds) is cached under ``cache`` by the bytes of its inputs."""
    inputs = nowcast.gather(config, snapshot, store)
    day = made_on(store, as_of)
    shown, names = shown_of(config), names_of(config)
    if day is None:
        return View(None, nowcast.backtest(nowcast.Inputs({})), [], shown, names)
    estimate = nowcast.nowcast(inputs, day)
    errors = _cached_backtest(inputs, day, cache)
    return View(estimate, errors, nowcast.scores(errors), shown, names)


def _cached_backtest(inputs: nowcast.Inputs, day: date, cache: Path | None) -> pd.DataFrame:
    """Backtest of the weeks whose release falls by ``day`` (a past page scores only the
    weeks it could have), read back from the cache when the inputs are byte-identical."""
    cut = nowcast.Inputs(
        nowcast.known(inputs, day), {k: v for k, v in inputs.revisions.items()}, inputs.lags
    )
    digest = hashlib.sha256(str(VERSION).encode())
    for sid in sorted(cut.series):
        digest.update(sid.encode() + cut.series[sid].to_csv().encode())
        digest.update(repr(cut.revisions.get(sid, [])).encode() + repr(cut.lags.get(sid)).encode())
    path = cache / f"nowcast-{digest.hexdigest()[:20]}.csv" if cache is not None else None
    if path is not None and path.exists():
        frame = pd.read_csv(path)
        # pd.to_datetime, not parse_dates: a backtest with no week (nowcast: null, or too
        # little data) is a header alone, which read_csv leaves as text.
        frame["week"] = pd.to_datetime(frame["week"]).dt.date
        frame["made_on"] = pd.to_datetime(frame["made_on"]).dt.date
        return frame
    frame = nowcast.backtest(cut)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("nowcast-*.csv"):  # one night's inputs replace the last's
            old.unlink()
        partial = path.with_name(path.name + ".partial")  # a killed build leaves no half file
        partial.write_text(frame.to_csv(index=False, float_format="%.17g", lineterminator="\n"))
        os.replace(partial, path)
    return frame


def errors_csv(errors: pd.DataFrame) -> str:
    """``week,made_on,horizon,target,estimate,published,error,naive_error``, bn USD with 3
    decimals, by week, then horizon and target in the module's order."""
    frame = errors.copy()
    frame["week"] = frame["week"].astype(str)
    frame["made_on"] = frame["made_on"].astype(str)
    return str(frame.to_csv(index=False, float_format="%.3f", lineterminator="\n"))


def _round(value: float) -> float:
    return round(float(value), 3)


def api_data(view: View) -> dict[str, Any]:
    """``api/nowcast.json``: the current estimate, what it leaves out, and the backtest."""
    estimate = view.estimate
    current = None
    if estimate is not None:
        current = {
            "week": estimate.week.isoformat(),
            "made_on": estimate.made_on.isoformat(),
            "base_week": estimate.base_week.isoformat(),
            "tga_through": estimate.tga_through.isoformat(),
            "rrp_through": estimate.rrp_through.isoformat(),
            "days_observed": estimate.days_observed,
            "values": {t: _round(estimate.values[t]) for t in nowcast.TARGETS},
            "base": {t: _round(estimate.base[t]) for t in nowcast.TARGETS},
        }
    return {
        "version": VERSION,
        "unit": "bn USD",
        "estimate": current,
        "leaves_out": list(LEAVES_OUT),
        "errors_csv": f"../data/{CSV}",
        "backtest": [
            {
                "target": s.target,
                "horizon": s.horizon,
                "n": s.n,
                "mae": _round(s.mae),
                "median": _round(s.median),
                "p90": _round(s.p90),
                "naive_mae": _round(s.naive_mae),
                "first": s.first.isoformat(),
                "last": s.last.isoformat(),
            }
            for s in view.scores
        ],
    }


def _shown(view: View, result: IndicatorResult) -> tuple[str, str] | None:
    """The target and quantity an indicator shows, when today's estimate continues its line:
    the base week is the indicator's last date and its value agrees (a fork that redefines
    the indicator gets no dashed segment that does not belong to its line)."""
    if result.id not in view.shown or view.estimate is None or not result.has_data:
        return None
    target, quantity = view.shown[result.id]
    if quantity not in result.quantities or result.quantities[quantity].empty:
        return None
    last = result.quantities[quantity]
    if last.index[-1].date() != view.estimate.base_week:
        return None
    if abs(float(last.iloc[-1]) - view.estimate.base[target]) > TOLERANCE:
        return None
    return target, quantity


def extend_spec(spec: dict[str, Any], result: IndicatorResult, view: View) -> dict[str, Any]:
    """The chart spec with a dashed segment from the last published week to the estimate,
    labelled "estimate" (a copy; the spec is unchanged when no estimate continues the line)."""
    shown = _shown(view, result)
    if shown is None or view.estimate is None:
        return spec
    target, quantity = shown
    label = result.config.quantities[quantity].label
    estimate = view.estimate
    decimals = result.config.decimals
    points = [
        {"date": estimate.base_week.isoformat(), "value": _round(estimate.base[target])},
        {"date": estimate.week.isoformat(), "value": _round(estimate.values[target])},
    ]
    for point in points:
        point["label"] = label
        point["kind"] = "Published" if point is points[0] else "Estimate (not yet published)"
    data = {"values": points, "format": {"parse": {"date": "date"}}}
    x = {"field": "date", "type": "temporal", "scale": {"type": "utc"}, "title": None}
    y = {"field": "value", "type": "quantitative"}
    colour = {"field": "label", "type": "nominal", "legend": None}
    layer = {
        "data": data,
        "layer": [
            {
                "mark": {"type": "line", "strokeDash": [4, 3], "strokeWidth": 2},
                "encoding": {"x": x, "y": y, "color": colour},
            },
            {
                "transform": [{"filter": "datum.kind != 'Published'"}],
                "mark": {"type": "point", "filled": False, "size": 50},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": colour,
                    "tooltip": [
                        {"field": "kind", "type": "nominal", "title": "Status"},
                        {
                            "field": "date",
                            "type": "temporal",
                            "timeUnit": "utcyearmonthdate",
                            "format": "%-d %b %Y",
                            "title": "Week to",
                        },
                        {
                            "field": "value",
                            "type": "quantitative",
                            "format": f",.{decimals}f",
                            "title": "bn USD",
                        },
                    ],
                },
            },
            {
                "transform": [{"filter": "datum.kind != 'Published'"}],
                # left of the point: the estimate is the chart's last date, at the plot's edge
                "mark": {"type": "text", "align": "right", "dx": -6, "dy": -8, "fontSize": 11},
                "encoding": {"x": x, "y": y, "text": {"value": "estimate"}, "color": colour},
            },
        ],
    }
    out = dict(spec)
    out["layer"] = [*spec.get("layer", []), layer]
    usermeta = dict(out.get("usermeta", {}))
    usermeta["nowcast"] = {"week": estimate.week.isoformat(), "target": target}
    out["usermeta"] = usermeta
    return out


def estimate_sentence(result: IndicatorResult, view: View) -> str:
    """Added to the chart's text alternative: 'The dashed segment is an estimate, not a
    published figure: 2,961 bn USD for the week to 26 Aug 2026, from daily data to 20 Aug.'"""
    shown = _shown(view, result)
    if shown is None or view.estimate is None:
        return ""
    target, _ = shown
    estimate = view.estimate
    value = format_number(estimate.values[target], result.config.decimals)
    return (
        f" The dashed segment is an estimate, not a published figure: {value} bn USD for the "
        f"week to {format_date(estimate.week)}, from the Treasury's daily cash balance to "
        f"{format_date(estimate.tga_through)} and the New York Fed's reverse repo to "
        f"{format_date(estimate.rrp_through)}."
    )


def note(result: IndicatorResult, view: View) -> str:
    """Added to the line under the chart: what the dashed end of the line is."""
    shown = _shown(view, result)
    if shown is None or view.estimate is None:
        return ""
    target, _ = shown
    horizon = horizon_of(view.estimate)
    typical = next((s for s in view.scores if s.target == target and s.horizon == horizon), None)
    error = ""
    if typical is not None:
        error = (
            f" (in the backtest, estimates made {CARD_HORIZONS[horizon]} were off by "
            f"{format_number(typical.mae, 0)} bn USD on average)"
        )
    return (
        f' Dashed end of the line, marked "estimate": the week to '
        f"{format_date(view.estimate.week)} estimated from daily data, not yet published"
        f"{error}; see the methodology page."
    )


def card(result: IndicatorResult, view: View) -> Estimate | None:
    """The card's estimate line: value, week, and the error it usually has."""
    shown = _shown(view, result)
    if shown is None or view.estimate is None:
        return None
    target, _ = shown
    estimate = view.estimate
    horizon = horizon_of(estimate)
    typical = next((s for s in view.scores if s.target == target and s.horizon == horizon), None)
    unit = result.config.unit
    return {
        "value": Number(estimate.values[target], unit, result.config.decimals, estimate.week),
        "week": format_date(estimate.week),
        "mae": Number(typical.mae, unit, 0) if typical else None,
        "horizon": CARD_HORIZONS[horizon] if typical else None,
    }


def horizon_of(estimate: nowcast.Estimate) -> str:
    """The backtest horizon an estimate is judged by: made on Monday or earlier in its week,
    the Friday's (the larger error); on Tuesday or Wednesday, the Wednesday's; on the release
    day or after, the release day's."""
    offset = (estimate.made_on - estimate.week).days
    if offset <= -2:
        return "friday"
    return "wednesday" if offset <= 0 else "release"


def methodology_table(view: View) -> str:
    """The backtest's figures as a Markdown table, for the methodology page."""
    if not view.scores:
        return "No backtest: the snapshot lacks a series the nowcast reads.\n"
    first = min(s.first for s in view.scores)
    last = max(s.last for s in view.scores)
    lines = [
        f"Backtest over the H.4.1 weeks from {format_date(first)} to {format_date(last)} "
        "(absolute errors in bn USD; *naive* is the error of assuming no change from the last "
        "published week):",
        "",
        "| Estimate of | Made on | Weeks | Mean | Median | 90th percentile | Naive mean |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for s in view.scores:
        lines.append(
            f"| {view.names.get(s.target, s.target)} | {HORIZON_NAMES[s.horizon]} | {s.n} | "
            f"{format_number(s.mae, 1)} | {format_number(s.median, 1)} | "
            f"{format_number(s.p90, 1)} | {format_number(s.naive_mae, 1)} |"
        )
    return "\n".join(lines) + "\n"
