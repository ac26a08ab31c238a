"""The thesis scorecard: each claim of the article, the indicator that tests it, a verdict and
the number behind the verdict, recomputed at every build.

Verdicts are deliberately plain: *supported*, *not supported*, or *not yet testable* (the data
needed is missing). The thresholds are stated on the page next to each verdict, so a reader
can disagree with the rule rather than with a black box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from generator.catalogue.crossref import Reader
from generator.measure.indicators import IndicatorResult
from generator.measure.ladder import ASSET_NAMES, Ladder
from generator.publish.format import format_date, format_number

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
UNTESTABLE = "not yet testable"

# The quantities read by name below; ``check`` fails with the line when a fork renames one.
READERS = [
    Reader(f"the scorecard (claim {claim!r})", indicator, quantity)
    for claim, indicator, quantities in (
        ("bill-purchases", "fed-bills", ("monthly",)),
        ("reserves-dwindling", "reserves", ("change_13w", "reserves", "pct")),
        ("sofr-above-iorb", "sofr-iorb-spread", ("mean_20d", "days_above")),
        ("adp-negative-2025", "adp-payrolls", ("change",)),
        ("small-caps-low", "small-large-ratio", ("ratio", "pct")),
    )
    for quantity in quantities
]

PACE_RANGE = (30.0, 50.0)  # "about 40 bn USD a month"
HISTORIC_LOW_PERCENTILE = 10.0
LAG_WEEKS = (1, 5)  # "several weeks to a month"


@dataclass
class Claim:
    claim: str
    indicator: str | None  # indicator id, or a page such as "ladder"
    rule: str
    verdict: str
    evidence: str
    as_of: date | None


def _untestable(claim: str, indicator: str | None, rule: str, why: str) -> Claim:
    return Claim(claim, indicator, rule, UNTESTABLE, why, None)


def bill_pace(results: dict[str, IndicatorResult]) -> Claim:
    claim, rule = (
        "The Fed buys about 40 bn USD of Treasury bills a month.",
        (
            f"average of complete months since purchases began within "
            f"{PACE_RANGE[0]:g}–{PACE_RANGE[1]:g} bn USD"
        ),
    )
    result = results.get("fed-bills")
    monthly = result.quantity("monthly") if result else None
    if monthly is None or monthly.empty:
        return _untestable(claim, "fed-bills", rule, "No monthly purchase totals in the snapshot.")
    mean = float(monthly.mean())
    verdict = SUPPORTED if PACE_RANGE[0] <= mean <= PACE_RANGE[1] else NOT_SUPPORTED
    first, last = monthly.index[0], monthly.index[-1]
    latest = format_number(monthly.iloc[-1], 1)
    evidence = (
        f"{format_number(mean, 1)} bn USD a month on average over {len(monthly)} complete months "
        f"({first:%b %Y} to {last:%b %Y}); {last:%B %Y}: {latest} bn USD."
    )
    return Claim(claim, "fed-bills", rule, verdict, evidence, last.date())


def reserves_dwindling(results: dict[str, IndicatorResult]) -> Claim:
    claim, rule = "Bank reserves are dwindling.", "13-week change in reserves below zero"
    result = results.get("reserves")
    if result is None or not result.has_data:
        return _untestable(claim, "reserves", rule, "WRESBAL is not in the snapshot.")
    change = result.latest("change_13w")
    level = result.latest("reserves")
    verdict = SUPPORTED if change < 0 else NOT_SUPPORTED
    evidence = (
        f"{format_number(change, 0, signed=True)} bn USD in the 13 weeks to "
        f"{format_date(result.as_of)}, to {format_number(level, 0)} bn USD "
        f"(percentile {format_number(result.latest('pct'), 0)} since 2002)."
    )
    return Claim(claim, "reserves", rule, verdict, evidence, result.as_of)


def sofr_above_iorb(results: dict[str, IndicatorResult]) -> Claim:
    claim, rule = "SOFR trades above IORB.", "20-day mean of SOFR minus IORB above zero"
    result = results.get("sofr-iorb-spread")
    if result is None or not result.has_data:
        return _untestable(claim, "sofr-iorb-spread", rule, "SOFR or IORB is not in the snapshot.")
    mean = result.latest("mean_20d")
    days = result.latest("days_above")
    verdict = SUPPORTED if mean > 0 else NOT_SUPPORTED
    evidence = (
        f"20-day mean {format_number(mean, 1, signed=True)} bp to {format_date(result.as_of)}; "
        f"SOFR was above IORB on {format_number(days, 0)} of the last 20 days."
    )
    return Claim(claim, "sofr-iorb-spread", rule, verdict, evidence, result.as_of)


def adp_negative_2025(results: dict[str, IndicatorResult]) -> Claim:
    claim, rule = (
        "ADP showed negative months in 2025.",
        "at least one negative monthly change in 2025",
    )
    result = results.get("adp-payrolls")
    change = result.quantity("change") if result else None
    if change is None or change.empty or change.index[-1] < pd.Timestamp("2025-12-01"):
        return _untestable(
            claim, "adp-payrolls", rule, "ADP data for all of 2025 is not in the snapshot."
        )
    year = change[(change.index >= "2025-01-01") & (change.index < "2026-01-01")]
    negative = year[year < 0]
    verdict = SUPPORTED if len(negative) else NOT_SUPPORTED
    if len(negative):
        months = ", ".join(f"{d:%b}" for d in negative.index)
        worst = negative.idxmin()
        evidence = (
            f"{len(negative)} negative months in 2025 ({months}); the largest fall was "
            f"{format_number(negative.min(), 0, signed=True)} thousand in {worst:%B %Y}."
        )
    else:
        evidence = "Every month of 2025 showed job growth."
    return Claim(claim, "adp-payrolls", rule, verdict, evidence, year.index[-1].date())


def small_caps_historic_low(results: dict[str, IndicatorResult]) -> Claim:
    claim = "The Russell 2000 / S&P 500 ratio is at a historic low."
    rule = f"latest ratio in the bottom {HISTORIC_LOW_PERCENTILE:g}% of its history since 2000"
    result = results.get("small-large-ratio")
    if result is None or not result.has_data:
        return _untestable(claim, "small-large-ratio", rule, "RUT or SP500 is not in the snapshot.")
    ratio = result.quantity("ratio")
    pct = result.latest("pct")
    low_date = ratio.idxmin()
    verdict = SUPPORTED if pct <= HISTORIC_LOW_PERCENTILE else NOT_SUPPORTED
    evidence = (
        f"{format_number(result.latest('ratio'), 3)} on {format_date(result.as_of)}, percentile "
        f"{format_number(pct, 0)}; the lowest close was {format_number(ratio.min(), 3)} on "
        f"{format_date(low_date.date())}."
    )
    return Claim(claim, "small-large-ratio", rule, verdict, evidence, result.as_of)


def _significant(ladder: Ladder, assets: list[str]) -> list:
    return [r for r in ladder.lags if r.asset in assets and r.significant]


def _order_claim(ladder: Ladder | None, claim: str, assets: list[str]) -> Claim:
    rule = (
        "peak lags of significant lead/lag correlations (HAC, Bonferroni over 13 lags) rise in "
        "the article's order"
    )
    if ladder is None:
        return _untestable(claim, "ladder", rule, "Net liquidity or prices missing.")
    present = [r for r in ladder.lags if r.asset in assets]
    if len(present) < 2:
        return _untestable(
            claim, "ladder", rule, "Fewer than two of the assets are in the snapshot."
        )
    significant = _significant(ladder, assets)
    peaks = "; ".join(
        f"{ASSET_NAMES[r.asset]} {r.peak_lag} wk (r {format_number(r.peak_correlation, 2)}, "
        f"p {format_number(r.peak_p_value, 3)})"
        for r in present
    )
    if len(significant) < 2:
        return Claim(
            claim,
            "ladder",
            rule,
            NOT_SUPPORTED,
            f"Too few assets follow net liquidity significantly to rank them. Peak lags: {peaks}.",
            ladder.until,
        )
    lags = [r.peak_lag for r in sorted(significant, key=lambda r: assets.index(r.asset))]
    ordered = all(a <= b for a, b in zip(lags, lags[1:], strict=False))
    verdict = SUPPORTED if ordered else NOT_SUPPORTED
    return Claim(claim, "ladder", rule, verdict, f"Peak lags: {peaks}.", ladder.until)


def fall_first(ladder: Ladder | None) -> Claim:
    claim = "Markets may fall first after easing starts."
    if ladder is None or not ladder.studied:
        rule = "most assets lower 2 weeks after reserve management purchases began"
        return _untestable(claim, "ladder", rule, "Prices or the studied event missing.")
    start = ladder.studied[0][1]
    rule = (
        f"most assets lower 2 weeks after reserve management purchases began ({format_date(start)})"
    )
    rows = [r for r in ladder.event_rows if r.when == start]
    known = [r for r in rows if not math.isnan(r.returns.get(2, math.nan))]
    if not known:
        return _untestable(
            claim, "ladder", rule, f"No prices two weeks after {format_date(start)}."
        )
    fell = [r for r in known if r.returns[2] < 0]
    verdict = SUPPORTED if len(fell) * 2 > len(known) else NOT_SUPPORTED
    detail = ", ".join(
        f"{ASSET_NAMES[r.asset]} {format_number(r.returns[2], 1, signed=True)}%" for r in known
    )
    evidence = f"{len(fell)} of {len(known)} assets were lower after 2 weeks: {detail}."
    return Claim(claim, "ladder", rule, verdict, evidence, start + timedelta(weeks=2))


def lag_weeks(ladder: Ladder | None) -> Claim:
    claim = "The lag is several weeks to a month."
    rule = f"significant peak lags between {LAG_WEEKS[0]} and {LAG_WEEKS[1]} weeks for most assets"
    if ladder is None or not ladder.lags:
        return _untestable(claim, "ladder", rule, "Net liquidity or prices missing.")
    significant = [r for r in ladder.lags if r.significant]
    best = min(ladder.lags, key=lambda r: r.peak_p_value if not math.isnan(r.peak_p_value) else 1)
    if not significant:
        evidence = (
            "No asset's weekly returns follow the weekly change in net liquidity significantly at "
            f"any lag from 0 to 12 weeks; the strongest was {ASSET_NAMES[best.asset]} at "
            f"{best.peak_lag} weeks (r {format_number(best.peak_correlation, 2)}, "
            f"p {format_number(best.peak_p_value, 3)} before correction)."
        )
        return Claim(claim, "ladder", rule, NOT_SUPPORTED, evidence, ladder.until)
    inside = [
        r
        for r in significant
        if r.peak_lag is not None and LAG_WEEKS[0] <= r.peak_lag <= LAG_WEEKS[1]
    ]
    verdict = SUPPORTED if len(inside) * 2 > len(ladder.lags) else NOT_SUPPORTED
    detail = ", ".join(f"{ASSET_NAMES[r.asset]} {r.peak_lag} wk" for r in significant)
    return Claim(claim, "ladder", rule, verdict, f"Significant peaks: {detail}.", ladder.until)


def scorecard(results: list[IndicatorResult], ladder: Ladder | None) -> list[Claim]:
    by_id = {r.id: r for r in results}
    return [
        bill_pace(by_id),
        reserves_dwindling(by_id),
        sofr_above_iorb(by_id),
        adp_negative_2025(by_id),
        small_caps_historic_low(by_id),
        _order_claim(
            ladder,
            "Money moves to equities first, then small caps, then crypto.",
            ["SP500", "RUT", "BTC-USD"],
        ),
        _order_claim(
            ladder,
            "Within crypto, Bitcoin leads, then Ether, then other coins.",
            ["BTC-USD", "ETH-USD", "BNB-USD"],
        ),
        fall_first(ladder),
        lag_weeks(ladder),
    ]
