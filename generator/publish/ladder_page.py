"""The risk-ladder page in words: the pre-specified primary test first, then the lead/lag scan
with its power (at 80%, from ``ladder.detectable_r``, the one owner of that figure), the order
on one common sample, and returns after liquidity turns as abnormal returns with placebo
intervals and their measured coverage (the numbers come from ``measure/ladder.py`` and
``measure/placebo.py``).

Lag 0 pairs a week's return with the same week's change in net liquidity, and about three of
the week's five trading days come before the Wednesday figure: a peak there is worded as moving
together, never as responding first."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from generator.measure import placebo
from generator.measure.ladder import (
    ALPHA,
    HORIZONS,
    MAX_LAG,
    POWER,
    PRIMARY_WEEKS,
    Ladder,
    LagResult,
    Primary,
    detectable_r,
)
from generator.publish.contexts import Cite, DriverSection, Figure, LadderPage, LadderRow
from generator.publish.format import (
    format_count,
    format_date,
    format_number,
    format_percent,
    format_significant,
)

SAME_WEEK = "0 wk (same week: moving together)"


def _lag(lag: int | None) -> str:
    """A peak lag in words; lag 0 is co-movement within a week, not a lead."""
    if lag is None:
        return "n/a"
    return SAME_WEEK if lag == 0 else f"{lag} wk"


def _primary_rows(ladder: Ladder) -> list[dict[str, str | int]]:
    """The primary test per asset (n tests, so 5%/n each) and pooled (one test, 5%)."""
    names = ladder.names
    pooled_name = f"All {_count(len(names))}, pooled (the primary test)"
    return primary_rows(ladder.primary, names, pooled_name, len(names))


def primary_rows(
    primary: list[Primary], names: Mapping[str, str], pooled_name: str, everything: int = 0
) -> list[dict[str, str | int]]:
    """Rows of primary tests: each single asset at 5% shared over the singles, the pooled
    basket at 5% (named ``pooled_name`` when it holds ``everything`` assets, or any number when
    ``everything`` is 0), each with the r it finds with 80% power; assets by their ``names``."""
    found: list[dict[str, str | int]] = []
    singles = [p for p in primary if len(p.assets) == 1]
    for p in primary:
        pooled = len(p.assets) > 1
        level = ALPHA if pooled else ALPHA / max(len(singles), 1)
        tests = 1 if pooled else max(len(singles), 1)
        named = pooled and (everything == 0 or len(p.assets) == everything)
        found.append(
            {
                "name": (pooled_name if named else ", ".join(names.get(a, a) for a in p.assets)),
                "weeks": p.n,
                "to": format_date(p.last),
                "r": format_number(p.r, 3, signed=True),
                "p_value": format_number(p.p_value, 3),
                "level": f"{format_significant(level * 100)}%",
                "significant": _significant(p, level),
                "detectable": format_number(detectable_r(p.n, tests), 2),
            }
        )
    return found


def lag_rows(lags: list[LagResult], names: Mapping[str, str]) -> list[dict[str, str | int]]:
    """The lag scan per asset: its peak, the correlation there and the corrected verdict."""
    return [
        {
            "name": names.get(r.asset, r.asset),
            "observations": r.observations,
            "peak_lag": _lag(r.peak_lag),
            "correlation": format_number(r.peak_correlation, 3, signed=True),
            "p_value": format_number(r.peak_p_value, 3),
            "significant": "yes" if r.significant else "no",
        }
        for r in lags
    ]


def _primary_sentence(ladder: Ladder) -> str:
    """The primary test in one sentence, before anything the scan found."""
    pooled = next((p for p in ladder.primary if len(p.assets) > 1), None)
    if pooled is None or math.isnan(pooled.r):
        return "Primary test: too few common weeks to run it."
    first, last = PRIMARY_WEEKS
    level = f"{format_percent(ALPHA)}"
    verdict = (
        f"not significant at {level}"
        if pooled.p_value >= ALPHA
        else (
            f"significant at {level}: returns rose in the weeks after net liquidity rose"
            if pooled.r > 0
            else f"significant at {level}, but in the opposite direction to the article's"
        )
    )
    return (
        f"Primary test, stated before the scan: the {_count(len(pooled.assets))} assets' pooled "
        f"return over weeks {first} to {last} after each week, against that week's change in net "
        f"liquidity, on {pooled.n} common weeks to {format_date(pooled.last)}: "
        f"r = {format_number(pooled.r, 3, signed=True)}, HAC p-value "
        f"{format_number(pooled.p_value, 3)}, {verdict} (with {pooled.n} weeks it finds r of "
        f"{format_number(pooled.detectable, 2)} with {format_percent(POWER)} probability)."
    )


def _count(n: int) -> str:
    words = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
    return words.get(n, str(n))


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _significant(p: Primary, level: float) -> str:
    if math.isnan(p.p_value):
        return "n/a"
    if p.p_value >= level:
        return "no"
    return "yes, rising together" if p.r > 0 else "yes, but opposite in sign"


def _pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{format_number(value, 1, signed=True)}%"


def significant_beyond(ladder: Ladder, tests: int = MAX_LAG + 1) -> float | None:
    """The |r| beyond which a lag's correlation counts as significant after the correction for
    the lags tried, on the asset with the fewest weeks (so it holds for every asset): the line the
    chart draws. It is ``detectable_r`` at 50% power: the critical value alone."""
    valid = [r.observations for r in ladder.lags if not math.isnan(r.peak_correlation)]
    if not valid:
        return None
    value = detectable_r(min(valid), tests, power=0.5)
    return None if math.isnan(value) else value


def ladder_page(
    ladder: Ladder,
    chart: str,
    csv: str,
    figure: Figure | None = None,
    cite: Cite | None = None,
    drivers: Sequence[DriverSection] = (),
) -> LadderPage:
    """Context for ladder.md: tables of lags, order and event returns, in words as well;
    ``figure``: the lag chart's pictures, ``drivers``: a section per ``ladder: also:`` driver."""
    threshold = ALPHA / (MAX_LAG + 1)
    beyond = significant_beyond(ladder)
    lags = lag_rows(ladder.lags, ladder.names)
    significant = [r for r in ladder.lags if r.significant]
    valid = [r for r in ladder.lags if not math.isnan(r.peak_correlation)]
    smallest = detectable_r(min((r.observations for r in valid), default=0))
    power = (
        f" With {min(r.observations for r in valid)} to {max(r.observations for r in valid)} "
        f"weeks per asset, the scan finds a correlation of {format_number(smallest, 2)} with "
        f"{format_percent(POWER)} probability at the corrected level; smaller effects, which may "
        "exist, are likely to be missed."
        if valid
        else ""
    )
    if significant:
        names = ", ".join(f"{ladder.names[r.asset]} ({_lag(r.peak_lag)})" for r in significant)
        summary = f"Exploratory scan: significant peaks for {names}." + power
    else:
        best = max(valid, key=lambda r: abs(r.peak_correlation)) if valid else None
        summary = (
            "Exploratory scan: no asset's peak correlation is significant after correcting for "
            f"the {MAX_LAG + 1} lags tried"
            + (
                f" (the strongest, by the size of r, is {ladder.names[best.asset]} at "
                f"{_lag(best.peak_lag)}, r = {format_number(best.peak_correlation, 3)})."
                if best
                else "."
            )
            + power
        )
    summary = _primary_sentence(ladder) + " " + summary
    tau = ladder.rank_correlation
    if math.isnan(tau):
        order_text = "Too few assets to compare orders."
    elif tau >= 0.8:
        order_text = (
            f"The order of peak lags matches the article's (Kendall's tau {format_number(tau, 2)})."
        )
    else:
        order_text = (
            "The order of peak lags does not match the article's (Kendall's tau "
            f"{format_number(tau, 2)}, where 1 would be the same order)"
            + (
                ", and the peaks are not significant, so the order is weak evidence either way."
                if not significant
                else "."
            )
        )
    together = [ladder.names[r.asset] for r in ladder.common if r.peak_lag == 0]
    if together:
        order_text += (
            f" {_names(together)} peak{'s' if len(together) == 1 else ''} at lag 0, the same "
            "week as the change in net liquidity (about three of its five trading days come "
            "before the Wednesday figure): moving together with it, not responding first."
        )
    events = []
    for row in ladder.event_rows:
        r = row.returns
        events.append(
            {
                "event": row.event,
                "asset": ladder.names[row.asset],
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
        cells: dict[str, str | int] = {"asset": ladder.names[asset]}
        for horizon in HORIZONS:
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
        f"has a price (with {len(weeks)} weeks, |r| of "
        f"{format_number(detectable_r(len(weeks)), 2)} is found with {format_percent(POWER)} "
        f"probability after the correction for {MAX_LAG + 1} lags)."
        if weeks is not None and len(weeks)
        else "The assets share too few weeks for a common sample; each uses its own."
    )
    common = [
        {
            "name": ladder.names[r.asset],
            "peak_lag": _lag(r.peak_lag),
            "correlation": format_number(r.peak_correlation, 3, signed=True),
            "significant": "yes" if r.significant else "no",
        }
        for r in ladder.common
    ]
    abnormal: list[LadderRow] = [
        {
            "asset": ladder.names[a.asset],
            "horizon": a.horizon,
            "events": a.events,
            "mean": _pct(a.mean),
            "mean_interval": f"{_pct(a.mean_low)} to {_pct(a.mean_high)}",
            "median": _pct(a.median),
            "median_interval": f"{_pct(a.median_low)} to {_pct(a.median_high)}",
            "unconditional": f"{_pct(a.unconditional_median)} / {_pct(a.unconditional_mean)}",
            "coverage": (
                f"{format_number(a.median_coverage, 1)}% / {format_number(a.mean_coverage, 1)}%"
            ),
        }
        for a in ladder.abnormal
    ]
    lag0 = {r.asset for r in ladder.common if r.peak_lag == 0}
    low, high = placebo.coverage_range(ladder.abnormal)
    coverage_text = (
        f"Each interval's promise is checked: {format_count(placebo.CHECK_DRAWS)} further random "
        "sets of Fridays per asset, drawn independently of those the intervals are built from, "
        "were each treated as if they were the turns; at every horizon the 90% interval "
        "contained zero in "
        f"{format_number(low, 1)}% to {format_number(high, 1)}% of them (nominal 90%; the last "
        "column, median / mean)."
        if ladder.abnormal
        else ""
    )
    skewed = max(
        ladder.abnormal,
        key=lambda a: a.unconditional_mean - a.unconditional_median,
        default=None,
    )
    skew_example = (
        f" ({ladder.names[skewed.asset]} over {skewed.horizon} weeks: mean "
        f"{_pct(skewed.unconditional_mean)}, median {_pct(skewed.unconditional_median)})"
        if skewed is not None
        else ""
    )
    first, last = PRIMARY_WEEKS
    return {
        "skew_example": skew_example,
        "summary": summary,
        "primary": _primary_rows(ladder),
        "primary_weeks": f"{first} to {last}",
        "placebo_draws": f"{format_count(placebo.PLACEBO_DRAWS)}",
        "coverage_text": coverage_text,
        "common_text": common_text,
        "common": common,
        "abnormal": abnormal,
        "since": ladder.since,
        "until": ladder.until,
        "lags": lags,
        "threshold": f"{format_number(threshold, 4)}",
        "beyond": "" if beyond is None else format_number(beyond, 2),
        "article_order": " → ".join(ladder.names.values()),
        "asset_count": _count(len(ladder.names)),
        "single_level": f"{format_significant(ALPHA * 100 / max(len(ladder.names), 1))}%",
        "observed_order": " → ".join(
            ladder.names[a] + (" (lag 0)" if a in lag0 else "") for a in ladder.order
        )
        or "n/a",
        "order_text": order_text,
        "turns": ladder.events,
        "events": events,
        "average": average,
        "fall_text": fall_text,
        "chart": chart,
        "csv": csv,
        "figure": figure,
        "cite": cite,
        "drivers": list(drivers),
    }
