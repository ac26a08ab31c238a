"""The article's claims, measured and judged: numbers and verdicts, no wording.

Each test of ``catalogue/claims.py`` is a function here that turns the quantities a claim reads
into named outputs (each with its date). ``judge`` applies the claim's ``when:`` conditions:
*not testable* when an output it needs is missing, else *inconclusive* when the data cannot
decide, else *supported* or *not supported*. ``judge_claims`` does it twice, on the snapshot as
published by the day the article was written and on the whole snapshot, so the page can say
whether the article held then and whether it holds now (a claim about "today" that was true
when written is not refuted by later data; it has aged).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from generator.catalogue import conditions
from generator.catalogue.claims import TESTS, ClaimConfig
from generator.catalogue.desk import DeskConfig
from generator.catalogue.models import VERDICTS, Config, Event, Verdict
from generator.measure import desk, easing, ladder
from generator.measure.indicators import IndicatorResult
from generator.measure.transforms import last_on_or_before
from generator.measure.vintage_reads import VintageRead

# The verdicts (their one home is catalogue.models.Verdict), named for the code deciding them.
SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE, UNTESTABLE = VERDICTS
# The ladder's sample, lags and level are the ladder's own (measure/ladder), so a claim about
# the ladder is judged on the same test the ladder page shows.
LADDER_SINCE = ladder.SINCE
ALPHA = ladder.ALPHA
MAX_LAG = ladder.MAX_LAG


@dataclass
class Evidence:
    """A test's outputs (NaN when it could not be measured) and the date of each.

    ``stopped`` names the inputs whose data ended before the others' and so cut the test's
    sample short (series id -> its last date): BNB's prices stop on 20 Feb 2026, and a test on
    one common sample of weeks for all its assets then stops there too."""

    values: dict[str, float]
    dates: dict[str, date | None] = field(default_factory=dict)
    as_of: date | None = None
    stopped: dict[str, date] = field(default_factory=dict)


# What a judgement's values are: today's vintage ("latest"), today's vintage cut at the
# publication rule ("rule"), or first releases on record ("vintage", with the series, the
# release days used and the published dates it could not check).
LATEST, RULE, VINTAGE = "latest", "rule", "vintage"
# The words ``scorecard.csv`` uses for them (column ``basis_written``).
VERDICT_BASES = {LATEST: "latest", RULE: "publication rule", VINTAGE: "first release"}


@dataclass
class Judgement:
    verdict: Verdict
    cutoff: date
    evidence: Evidence
    basis: str = RULE
    vintage: VintageRead | None = None

    @property
    def current(self) -> bool:
        """False when an input stopped early: the verdict is "as of" its evidence's date, not
        of the snapshot, and the tallies count it apart from the current ones."""
        return not self.evidence.stopped


@dataclass
class ClaimResult:
    config: ClaimConfig
    written: Judgement
    now: Judgement


@dataclass
class Context:
    """What a test may read besides its quantities: the day judged, prices, events by id."""

    cutoff: date
    prices: dict[str, pd.Series]
    events: dict[str, date]
    # What several tests compute alike on one day: the ladder's lead/lag fit per driver and
    # asset set (peak-order and peak-window claims), with the driver it came from; and each
    # asset's weekly returns since LADDER_SINCE, shared by every asset set.
    ladder_fits: dict[tuple[Any, ...], tuple[pd.Series, dict[str, Any] | None]] = field(
        default_factory=dict
    )
    weekly_returns: dict[str, pd.Series] = field(default_factory=dict)
    desk: DeskConfig | None = None
    # The Fed's policy easing starts: events.yml events of kind policy marked easing.
    policy: list[date] = field(default_factory=list)


def _nan(test: str) -> Evidence:
    return Evidence({name: math.nan for name in TESTS[test].outputs})


def month_sums(flows: pd.Series, cutoff: date) -> tuple[pd.Series, pd.Series]:
    """(complete, partial) monthly sums, each labelled by the month's first day.

    The month the flows began is partial unless they began on its first business day; the month
    under way on ``cutoff`` is partial. Complete months without any flow count as zero, so a
    stop in purchases shows as a zero month instead of vanishing."""
    if flows.empty:
        empty = pd.Series(dtype="float64", index=pd.DatetimeIndex([], name="date"))
        return empty, empty
    first = flows.index[0]
    start = first.to_period("M").to_timestamp()
    end = pd.Timestamp(cutoff).to_period("M").to_timestamp()
    months = pd.date_range(start, end, freq="MS", name="date")
    sums = flows.resample("MS").sum().reindex(months, fill_value=0.0).astype("float64")
    started_late = first > start + pd.offsets.BusinessDay(0)
    month_end = months + pd.offsets.MonthEnd(0)
    partial = (month_end > pd.Timestamp(cutoff)) | ((months == start) & started_late)
    return sums[~partial], sums[partial]


def monthly_pace(reads: dict[str, pd.Series], params: dict[str, Any], ctx: Context) -> Evidence:
    flows = reads["flows"]
    flows = flows[flows.index <= pd.Timestamp(ctx.cutoff)]
    if flows.empty:
        return _nan("monthly_pace")
    complete, partial = month_sums(flows, ctx.cutoff)
    months = int(params["months"])
    recent = complete.iloc[-months:]
    first_month = flows.index[0].to_period("M").to_timestamp()
    start = partial[partial.index == first_month]
    under_way = partial[partial.index != first_month]
    values = {
        "pace": float(recent.mean()) if len(complete) >= months else math.nan,
        "average": float(complete.mean()) if len(complete) else math.nan,
        "complete": float(len(complete)),
        "partial": float(under_way.iloc[-1]) if len(under_way) else math.nan,
        "start": float(start.iloc[0]) if len(start) else math.nan,
        "last_month": float(complete.iloc[-1]) if len(complete) else math.nan,
    }
    dates = {
        "pace": recent.index[-1].date() if len(recent) else None,
        "average": complete.index[0].date() if len(complete) else None,
        "partial": flows.index[-1].date() if len(under_way) else None,
        "start": flows.index[0].date(),
        "last_month": complete.index[-1].date() if len(complete) else None,
    }
    return Evidence(values, dates, flows.index[-1].date())


def desk_pace(reads: dict[str, pd.Series], params: dict[str, Any], ctx: Context) -> Evidence:
    """RMP per complete Desk period and, for the period under way, what had been announced and
    bought so far (``measure/desk.py`` does the arithmetic)."""
    rmp = reads["rmp"][reads["rmp"].index <= pd.Timestamp(ctx.cutoff)]
    count = int(params["periods"])
    recent = rmp.iloc[-count:]
    values = _nan("desk_pace").values
    dates: dict[str, date | None] = {}
    values["complete"] = float(len(rmp))
    if len(rmp) >= count:
        values["pace"] = float(recent.mean())
        dates["pace"] = recent.index[-1].date()
    if len(rmp):
        values["last_rmp"] = float(rmp.iloc[-1])
        dates["last_rmp"] = rmp.index[-1].date()
    now = desk.under_way(ctx.desk, reads["flows"], reads["level"], ctx.cutoff) if ctx.desk else None
    if now is not None:
        announced = now.period.rmp if now.period.announced <= ctx.cutoff else None
        values["underway_bought"] = now.bought
        values["underway_rmp"] = now.rmp
        values["underway_share"] = 100.0 * now.share
        dates["underway_bought"] = dates["underway_rmp"] = now.last
        dates["underway_share"] = now.period.start
        if announced is not None:
            values["announced"] = announced
            values["underway_expected"] = announced * now.share
            dates["announced"] = now.period.announced
            dates["underway_expected"] = now.period.end
    as_of = rmp.index[-1].date() if len(rmp) else (now.last if now is not None else None)
    return Evidence(values, dates, as_of)


def level_trend(reads: dict[str, pd.Series], params: dict[str, Any], ctx: Context) -> Evidence:
    level = reads["level"]
    if level.empty:
        return _nan("level_trend")
    last_at, last = level.index[-1], float(level.iloc[-1])
    # ``since`` is a date or an event id from events.yml (the one home of event dates)
    start = params["since"] or level.index[0].date()
    since = pd.Timestamp(ctx.events.get(start, start) if isinstance(start, str) else start)
    base_date, base = last_on_or_before(level, since - pd.Timedelta(days=1))
    date_26, value_26 = last_on_or_before(level, last_at - pd.Timedelta(weeks=26))
    date_13, value_13 = last_on_or_before(level, last_at - pd.Timedelta(weeks=13))
    regime_from = pd.Timestamp(params["regime_from"] or level.index[0].date())
    regime = level[level.index >= regime_from]
    move_date, move = last_on_or_before(reads["move"], last_at)
    move = move if move > 0 else math.nan
    values = {
        "level": last,
        "change_since": last - base,
        "weeks_since": (last_at - pd.Timestamp(base_date)).days / 7 if base_date else math.nan,
        "change_26w": last - value_26,
        "change_13w": last - value_13,
        "pct_regime": float(regime.rank(pct=True).iloc[-1] * 100.0),
        "move": move,
    }
    for span in ("since", "26w", "13w"):
        values[f"moves_{span}"] = values[f"change_{span}"] / move
    dates = {
        "level": last_at.date(),
        "change_since": base_date,
        "change_26w": date_26,
        "change_13w": date_13,
        "pct_regime": regime.index[0].date(),
        "move": move_date,
    }
    return Evidence(values, dates, last_at.date())


def spread_sign(reads: dict[str, pd.Series], params: dict[str, Any], ctx: Context) -> Evidence:
    mean, days = reads["mean"], reads["days"]
    if mean.empty or days.empty:
        return _nan("spread_sign")
    values = {"mean": float(mean.iloc[-1]), "days": float(days.iloc[-1])}
    dates = {"mean": mean.index[-1].date(), "days": days.index[-1].date()}
    return Evidence(values, dates, mean.index[-1].date())


def negative_months(reads: dict[str, pd.Series], params: dict[str, Any], ctx: Context) -> Evidence:
    change = reads["change"]
    year = int(params["year"])
    months = change[change.index.year == year]
    if months.empty:
        return _nan("negative_months")
    negative = months[months < 0]
    values = {
        "negative": float(len(negative)),
        "known": float(len(months)),
        "worst": float(months.min()),
    }
    dates = {"known": months.index[-1].date(), "worst": months.idxmin().date()}
    return Evidence(values, dates, months.index[-1].date())


def percentile_low(reads: dict[str, pd.Series], params: dict[str, Any], ctx: Context) -> Evidence:
    value, pct = reads["value"], reads["percentile"]
    if value.empty or pct.empty:
        return _nan("percentile_low")
    values = {
        "value": float(value.iloc[-1]),
        "percentile": float(pct.iloc[-1]),
        "low": float(value.min()),
    }
    dates = {"value": value.index[-1].date(), "low": value.idxmin().date()}
    return Evidence(values, dates, value.index[-1].date())


def _ladder_common(
    reads: dict[str, pd.Series], params: dict[str, Any], ctx: Context
) -> dict[str, Any] | None:
    assets = list(params["assets"])
    driver = reads["driver"]
    # Keyed by the driver's identity; the memo holds the driver, so the id cannot be reused.
    key = ("ladder_common", tuple(assets), id(driver))
    if key not in ctx.ladder_fits:
        ctx.ladder_fits[key] = (driver, _ladder_common_uncached(driver, assets, ctx))
    return ctx.ladder_fits[key][1]


def _ladder_common_uncached(
    driver: pd.Series, assets: list[str], ctx: Context
) -> dict[str, Any] | None:
    if driver.empty or sum(a in ctx.prices for a in assets) < 2:
        return None
    results, weeks = ladder.common_lags(
        driver, ctx.prices, assets, LADDER_SINCE, MAX_LAG, known=ctx.weekly_returns
    )
    n = len(weeks)
    valid = [r for r in results if r.peak_lag is not None]
    if not valid:
        return None
    strongest = max(valid, key=lambda r: abs(r.peak_correlation))
    # The claim's pre-specified primary test: its assets pooled, weeks 1-5 (ladder.primary_test).
    change = ladder.weekly_close(driver[driver.index >= pd.Timestamp(LADDER_SINCE)]).diff()
    pooled = {r.asset: ctx.weekly_returns[r.asset] for r in results}
    primary = ladder.primary_test(change.dropna(), pooled)
    last = weeks[-1].date() if n else None
    values = {
        "n": float(n),
        "detectable_r": ladder.detectable_r(n, MAX_LAG + 1, ALPHA),
        "significant": float(sum(r.significant for r in valid)),
        "strongest_r": strongest.peak_correlation,
        "strongest_lag": float(strongest.peak_lag or 0),
        "primary_n": float(primary.n),
        "primary_r": primary.r,
        "primary_p": primary.p_value,
        "primary_detectable_r": primary.detectable,
    }
    stopped = _stopped(driver, [a for a in assets if a in ctx.prices], last, ctx)
    return {
        "values": values,
        "results": results,
        "assets": assets,
        "last": last,
        "stopped": stopped,
    }


def _stopped(
    driver: pd.Series, assets: list[str], last: date | None, ctx: Context
) -> dict[str, date]:
    """The assets whose weekly returns end before the common sample could otherwise reach
    (the driver's last week, or the last week any asset is priced, whichever is earlier),
    with their last dates; empty when the sample ends where its inputs do."""
    if last is None:
        return {}
    ends = {a: ctx.weekly_returns[a].index[-1] for a in assets if len(ctx.weekly_returns[a])}
    if not ends:
        return {}
    reach = min(ladder.weekly_close(driver).index[-1], max(ends.values()))
    if pd.Timestamp(last) >= reach:
        return {}
    return {a: end.date() for a, end in ends.items() if end < reach}


def peak_order(reads: dict[str, pd.Series], params: dict[str, Any], ctx: Context) -> Evidence:
    found = _ladder_common(reads, params, ctx)
    if found is None:
        return _nan("peak_order")
    values = dict(found["values"])
    by_asset = {r.asset: r for r in found["results"]}
    for i, asset in enumerate(found["assets"][:3], start=1):
        result = by_asset.get(asset)
        values[f"lag_{i}"] = (
            float(result.peak_lag) if result and result.peak_lag is not None else math.nan
        )
        values[f"r_{i}"] = result.peak_correlation if result else math.nan
    significant = [
        by_asset[a] for a in found["assets"] if a in by_asset and by_asset[a].significant
    ]
    lags = [r.peak_lag for r in significant]
    ordered = len(lags) >= 2 and all(a <= b for a, b in zip(lags, lags[1:], strict=False))
    values["ordered"] = 1.0 if ordered else 0.0
    for name in TESTS["peak_order"].outputs:
        values.setdefault(name, math.nan)
    return Evidence(values, {"n": found["last"]}, found["last"], found["stopped"])


def peak_window(reads: dict[str, pd.Series], params: dict[str, Any], ctx: Context) -> Evidence:
    found = _ladder_common(reads, params, ctx)
    if found is None:
        return _nan("peak_window")
    low, high = float(params["low"]), float(params["high"])
    values = dict(found["values"])
    values["inside"] = float(
        sum(r.significant and low <= (r.peak_lag or -1) <= high for r in found["results"])
    )
    values["assets"] = float(len(found["results"]))
    values["share"] = 100.0 * values["inside"] / values["assets"]
    return Evidence(values, {"n": found["last"]}, found["last"], found["stopped"])


def fall_first(reads: dict[str, pd.Series], params: dict[str, Any], ctx: Context) -> Evidence:
    """Easing starts in two groups, each entered when it was known: the Fed's policy easing
    starts (events of kind ``policy`` marked ``easing`` in events.yml, plus any ids in
    ``events``), on their dates; and the upturns of ``turns``, on the Friday after the Thursday
    release that confirmed them. Most upturns in net liquidity come from Treasury cash and the
    reverse repo, not from the Fed, so pooling them with the Fed's own decisions would let 17
    Treasury-cash swings speak for "easing" (issue 19); the claim is judged on the policy
    group, the upturns are shown beside it."""
    assets = [a for a in params["assets"] if a in ctx.prices]
    weeks = int(params["weeks"])
    cutoff = pd.Timestamp(ctx.cutoff)
    upturns = [t for t in ladder.published_turns(reads["turns"]) if t >= LADDER_SINCE]
    policy = list(ctx.policy) + [ctx.events[e] for e in params["events"] if e in ctx.events]
    prices = {a: ctx.prices[a] for a in assets}
    turned = easing.falls(upturns, prices, weeks, cutoff)
    decided = easing.falls([p for p in policy if p >= LADDER_SINCE], prices, weeks, cutoff)
    if turned[0] == 0 and decided[0] == 0:
        return _nan("fall_first")
    base = easing.base_rate(prices, weeks, cutoff, LADDER_SINCE)
    effect = float(params["effect"]) / 100.0
    values = {
        **easing.fall_values("", turned[:2], base),
        **easing.fall_values("policy_", decided[:2], base),
        "base": 100.0 * base,
        "policy_needed": float(easing.events_needed(base, effect)),
    }
    dates = {"events": turned[2], "policy_events": decided[2]}
    ends = [d for d in (turned[3], decided[3]) if d is not None]
    return Evidence(values, dates, max(ends) if ends else None)


RUNNERS: dict[str, Callable[[dict[str, pd.Series], dict[str, Any], Context], Evidence]] = {
    "monthly_pace": monthly_pace,
    "desk_pace": desk_pace,
    "level_trend": level_trend,
    "spread_sign": spread_sign,
    "negative_months": negative_months,
    "percentile_low": percentile_low,
    "peak_order": peak_order,
    "peak_window": peak_window,
    "fall_first": fall_first,
}


def _reads(claim: ClaimConfig, results: list[IndicatorResult]) -> dict[str, pd.Series] | None:
    by_id = {r.id: r for r in results}
    found: dict[str, pd.Series] = {}
    for role, ref in claim.reads.items():
        indicator, _, quantity = ref.partition(".")
        result = by_id.get(indicator)
        if result is None or quantity not in result.quantities:
            return None
        found[role] = result.quantities[quantity]
    return found


def judge(
    claim: ClaimConfig,
    results: list[IndicatorResult],
    ctx: Context,
    basis: str = RULE,
    vintage: VintageRead | None = None,
) -> Judgement:
    """The claim's verdict on these results (already cut to what was published by then), or
    on ``vintage``'s first releases when the snapshot has them."""
    reads = vintage.reads if vintage is not None else _reads(claim, results)
    basis = VINTAGE if vintage is not None else basis
    params = TESTS[claim.test].arguments(claim.params)
    evidence = RUNNERS[claim.test](reads, params, ctx) if reads is not None else None
    if evidence is None:
        return Judgement(UNTESTABLE, ctx.cutoff, _nan(claim.test), basis, vintage)
    values = evidence.values
    needs = claim.needs or list(values)[:1]
    if any(math.isnan(values.get(name, math.nan)) for name in needs):
        return Judgement(UNTESTABLE, ctx.cutoff, evidence, basis, vintage)
    holds = {k: conditions.holds(v, values) for k, v in claim.conditions().items()}
    if holds.get("inconclusive"):
        verdict = INCONCLUSIVE
    elif holds["supported"]:
        verdict = SUPPORTED
    elif "not_supported" not in holds or holds["not_supported"]:
        verdict = NOT_SUPPORTED
    else:
        verdict = INCONCLUSIVE
    return Judgement(verdict, ctx.cutoff, evidence, basis, vintage)


def judge_claims(
    config: Config,
    events: list[Event],
    now: tuple[list[IndicatorResult], dict[str, pd.Series], date],
    written: tuple[list[IndicatorResult], dict[str, pd.Series]],
    vintages: dict[str, VintageRead] | None = None,
) -> list[ClaimResult]:
    """Every claim judged on the data as published by ``written`` (on first releases for the
    claims in ``vintages``) and on the whole snapshot (``now`` carries the day the snapshot
    was last fetched: months up to it are complete)."""
    vintages = vintages or {}
    if config.claims is None:
        return []
    by_id = {e.id: e.date for e in events if e.id}
    policy = [e.date for e in events if e.kind == "policy" and e.easing]
    results_now, prices_now, today = now
    results_then, prices_then = written
    day = config.claims.written
    then_ctx = Context(day, prices_then, by_id, desk=config.desk, policy=policy)
    now_ctx = Context(today, prices_now, by_id, desk=config.desk, policy=policy)
    return [
        ClaimResult(
            claim,
            judge(claim, results_then, then_ctx, RULE, vintages.get(claim.id)),
            judge(claim, results_now, now_ctx, LATEST),
        )
        for claim in config.claims.items
    ]
