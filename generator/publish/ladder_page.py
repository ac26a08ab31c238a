"""The risk-ladder page in words: lead/lag tables with their power, the order on one common
sample, and returns after liquidity turns as abnormal returns with bootstrap intervals (the
numbers come from ``measure/ladder.py``)."""

from __future__ import annotations

import math

from generator.measure.ladder import ARTICLE_ORDER, ASSET_NAMES, Ladder, detectable_r
from generator.publish.format import format_date, format_number


def _pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{format_number(value, 1, signed=True)}%"


def ladder_page(ladder: Ladder, chart: str, csv: str) -> dict:
    """Context for ladder.md: tables of lags, order and event returns, in words as well."""
    threshold = 0.05 / 13
    lags = [
        {
            "name": ASSET_NAMES[r.asset],
            "observations": r.observations,
            "peak_lag": r.peak_lag,
            "correlation": format_number(r.peak_correlation, 3, signed=True),
            "p_value": format_number(r.peak_p_value, 3),
            "significant": "yes" if r.significant else "no",
        }
        for r in ladder.lags
    ]
    significant = [r for r in ladder.lags if r.significant]
    valid = [r for r in ladder.lags if not math.isnan(r.peak_correlation)]
    smallest = detectable_r(min((r.observations for r in valid), default=0))
    power = (
        f" With {min(r.observations for r in valid)} to {max(r.observations for r in valid)} "
        f"weeks per asset, only a correlation of about {format_number(smallest, 2)} or more "
        "could have been detected (half the time, at the corrected level); smaller effects, "
        "which may exist, are beyond what these data can show."
        if valid
        else ""
    )
    if significant:
        names = ", ".join(f"{ASSET_NAMES[r.asset]} ({r.peak_lag} wk)" for r in significant)
        summary = f"Net liquidity leads the returns of {names} significantly." + power
    else:
        best = max(valid, key=lambda r: abs(r.peak_correlation)) if valid else None
        summary = (
            "Inconclusive: no asset's peak correlation is significant after correcting for the "
            "13 lags tried"
            + (
                f" (the strongest, by the size of r, is {ASSET_NAMES[best.asset]} at "
                f"{best.peak_lag} weeks, r = {format_number(best.peak_correlation, 3)})."
                if best
                else "."
            )
            + power
        )
    tau = ladder.rank_correlation
    if math.isnan(tau):
        order_text = "Too few assets to compare orders."
    elif tau >= 0.8:
        order_text = f"The order of peak lags matches the article's (Kendall's tau {tau:.2f})."
    else:
        order_text = (
            f"The order of peak lags does not match the article's (Kendall's tau {tau:.2f}, where "
            "1 would be the same order)"
            + (
                ", and the peaks are not significant, so the order is weak evidence either way."
                if not significant
                else "."
            )
        )
    events = []
    for row in ladder.event_rows:
        r = row.returns
        events.append(
            {
                "event": row.event,
                "asset": ASSET_NAMES[row.asset],
                "r1": _pct(r[1]),
                "r2": _pct(r[2]),
                "r4": _pct(r[4]),
                "r8": _pct(r[8]),
                "r12": _pct(r[12]),
            }
        )
    turn_rows = [row for row in ladder.event_rows if row.when in ladder.events]
    average = []
    for asset in [r.asset for r in ladder.lags]:
        rows = [row for row in turn_rows if row.asset == asset]
        cells: dict[str, str | int] = {"asset": ASSET_NAMES[asset]}
        for horizon in (1, 2, 4, 8, 12):
            values = [row.returns[horizon] for row in rows if not math.isnan(row.returns[horizon])]
            cells[f"r{horizon}"] = _pct(sum(values) / len(values)) if values else "n/a"
            cells["n"] = max(int(cells.get("n", 0)), len(values))
        average.append(cells)
    two_week = [row.returns[2] for row in turn_rows if not math.isnan(row.returns[2])]
    fell = sum(1 for value in two_week if value < 0)
    fall_text = (
        f"Across the turning points, {fell} of {len(two_week)} asset returns were negative two "
        "weeks after the turn."
        if two_week
        else "No turning point has two weeks of prices after it yet."
    )
    weeks = ladder.common_weeks
    common_text = (
        f"The order is compared on one common sample: the {len(weeks)} weeks from "
        f"{format_date(weeks[0].date())} to {format_date(weeks[-1].date())} in which every asset "
        f"has a price (with {len(weeks)} weeks, only |r| of about "
        f"{format_number(detectable_r(len(weeks)), 2)} or more is detectable)."
        if weeks is not None and len(weeks)
        else "The assets share too few weeks for a common sample; each uses its own."
    )
    common = [
        {
            "name": ASSET_NAMES[r.asset],
            "peak_lag": r.peak_lag,
            "correlation": format_number(r.peak_correlation, 3, signed=True),
            "significant": "yes" if r.significant else "no",
        }
        for r in ladder.common
    ]
    abnormal = [
        {
            "asset": ASSET_NAMES[a.asset],
            "horizon": a.horizon,
            "events": a.events,
            "mean": _pct(a.mean),
            "median": _pct(a.median),
            "interval": f"{_pct(a.low)} to {_pct(a.high)}",
            "unconditional": _pct(a.unconditional),
        }
        for a in ladder.abnormal
        if a.horizon in (2, 4, 12)
    ]
    return {
        "summary": summary,
        "common_text": common_text,
        "common": common,
        "abnormal": abnormal,
        "since": ladder.since,
        "until": ladder.until,
        "lags": lags,
        "threshold": f"{threshold:.4f}",
        "article_order": " → ".join(ASSET_NAMES[a] for a in ARTICLE_ORDER),
        "observed_order": " → ".join(ASSET_NAMES[a] for a in ladder.order) or "n/a",
        "order_text": order_text,
        "turns": ladder.events,
        "events": events,
        "average": average,
        "fall_text": fall_text,
        "chart": chart,
        "csv": csv,
    }
