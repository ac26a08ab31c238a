"""The risk ladder, measured: does net liquidity lead asset returns, by how many weeks, in
which order?

The pieces, each a pure function over weekly series:
- ``primary_test``: the one test stated before any scan (this week's change in net liquidity
  against the cumulative return over weeks 1 to 5, one regression, a HAC p-value), so a verdict
  does not rest on the best of 13 tries;
- ``lead_lag``: the exploratory scan, correlation of this week's change in net liquidity with
  an asset's return k weeks later, k = 0..12, with a HAC (Newey-West) p-value per lag from
  statsmodels, because weekly returns are autocorrelated enough to make naive p-values too
  optimistic. Lag 0 is the same week (moving together), not a lead;
- ``detectable_r``: the correlation a test finds with 80% power, the one source of every
  "could have been detected";
- ``turning_points`` and ``event_study``: returns after liquidity turns up, and
  ``abnormal_returns`` against a placebo of random Fridays (``placebo.py``);
- ``response_order``: the order in which assets peak, beside the article's order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from generator.catalogue.models import Config, Event
from generator.measure import placebo, transforms
from generator.measure.indicators import IndicatorResult
from generator.measure.placebo import Abnormal

# The assets and the article's order (equities, small caps, Bitcoin, Ether, other coins) are
# `ladder: assets:` in indicators.yml, passed in as ``names`` (series id -> name, in order).
# The one home of the ladder's test settings: its sample start, the lags scanned (0 to 12
# weeks: "weeks to a month" and then some) and the level shared over them. The claims and the
# ladder page read these.
SINCE = date(2015, 1, 1)
MAX_LAG = 12
ALPHA = 0.05


@dataclass
class LagResult:
    asset: str
    lags: list[int]
    correlations: list[float]
    p_values: list[float]
    observations: int
    peak_lag: int | None
    peak_correlation: float
    peak_p_value: float
    alpha: float

    @property
    def significant(self) -> bool:
        """Significant after a Bonferroni correction over all lags tried."""
        return self.peak_p_value < self.alpha / len(self.lags)


@dataclass
class EventRow:
    asset: str
    event: str
    when: date
    returns: dict[int, float]  # weeks after -> percent return


@dataclass
class Ladder:
    since: date
    until: date
    lags: list[LagResult]
    events: list[date]
    event_rows: list[EventRow] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    rank_correlation: float = math.nan
    studied: list[tuple[str, date]] = field(default_factory=list)  # configured events
    common: list[LagResult] = field(default_factory=list)  # the same weeks for every asset
    common_weeks: pd.DatetimeIndex | None = None
    abnormal: list[Abnormal] = field(default_factory=list)
    # The primary test per asset (its own weeks), then all assets pooled (their common weeks).
    primary: list[Primary] = field(default_factory=list)
    # Every configured asset, series id -> display name, in the article's expected order.
    names: dict[str, str] = field(default_factory=dict)

    @property
    def article_order(self) -> list[str]:
        return list(self.names)


def weekly_close(series: pd.Series) -> pd.Series:
    """Last observation of each week ending Friday."""
    return transforms.weekly_last(series).dropna()


def weekly_returns(prices: pd.Series) -> pd.Series:
    """Weekly log returns in percent; a close of zero or below (no price can be) is left out
    rather than turned into an infinite return."""
    closes = weekly_close(prices)
    closes = closes[closes > 0]
    return (np.log(closes).diff() * 100.0).dropna()


def lead_lag(
    driver: pd.Series,
    returns: pd.Series,
    max_lag: int = MAX_LAG,
    alpha: float = ALPHA,
    asset: str = "",
) -> LagResult:
    """corr(driver_t, returns_{t+k}) for k = 0..max_lag, and a HAC p-value at the peak lag.

    The peak is chosen among all lags, so its p-value is judged against alpha divided by the
    number of lags (Bonferroni); the other lags need no test of their own.
    """
    frame = pd.concat({"x": driver, "y": returns}, axis=1, sort=True)
    x = frame["x"].to_numpy(dtype="float64")
    later = frame["y"].to_numpy(dtype="float64")
    lags = list(range(max_lag + 1))
    # Row k holds the returns k weeks later (frame["y"].shift(-k)); all lags at once.
    shifted = np.full((len(lags), len(later)), np.nan)
    for lag in lags:
        shifted[lag, : max(len(later) - lag, 0)] = later[lag:]
    keep = ~(np.isnan(x)[None, :] | np.isnan(shifted))
    correlations = _correlations(x, shifted, keep)
    p_values = [math.nan] * len(lags)
    valid = [i for i, c in enumerate(correlations) if not math.isnan(c)]
    if not valid:
        return LagResult(
            asset,
            lags,
            correlations,
            p_values,
            len(frame.dropna()),
            None,
            math.nan,
            math.nan,
            alpha,
        )
    best = max(valid, key=lambda i: correlations[i])
    pair = {"x": x[keep[best]], "y": shifted[best][keep[best]]}
    p_values[best] = hac_p_value(pd.DataFrame(pair), lags[best])
    return LagResult(
        asset=asset,
        lags=lags,
        correlations=correlations,
        p_values=p_values,
        observations=len(frame.dropna()),
        peak_lag=lags[best],
        peak_correlation=correlations[best],
        peak_p_value=p_values[best],
        alpha=alpha,
    )


def _correlations(x: np.ndarray, shifted: np.ndarray, keep: np.ndarray) -> list[float]:
    """Pearson's r of ``x`` with each row of ``shifted`` over the weeks both have (``keep``);
    NaN for a row with fewer than 30 such weeks or with either side constant."""
    count = keep.sum(axis=1)
    xs = np.where(keep, x[None, :], 0.0)
    ys = np.where(keep, shifted, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dx = np.where(keep, xs - (xs.sum(axis=1) / count)[:, None], 0.0)
        dy = np.where(keep, ys - (ys.sum(axis=1) / count)[:, None], 0.0)
        sxx, syy = (dx * dx).sum(axis=1), (dy * dy).sum(axis=1)
        r = (dx * dy).sum(axis=1) / np.sqrt(sxx * syy)
    usable = (count >= 30) & (sxx > 0) & (syy > 0)
    return [float(v) if ok else math.nan for v, ok in zip(r, usable, strict=True)]


def hac_p_value(pair: pd.DataFrame, lag: int) -> float:
    """p-value of the slope of standardised y on x with Newey-West standard errors."""
    zx = (pair["x"] - pair["x"].mean()) / pair["x"].std()
    zy = (pair["y"] - pair["y"].mean()) / pair["y"].std()
    model = sm.OLS(zy.to_numpy(), sm.add_constant(zx.to_numpy()))
    fitted = model.fit(cov_type="HAC", cov_kwds={"maxlags": max(4, lag + 1)})
    return float(fitted.pvalues[1])


def turning_points(change_13w: pd.Series, min_gap_weeks: int = 13) -> list[date]:
    """Weeks where the 13-week change in net liquidity turns from negative to positive.

    The rule needs the change to stay positive for two weeks, and turns closer than
    ``min_gap_weeks`` to the previous one are ignored, so noise around zero is not a turn.
    """
    weekly = weekly_close(change_13w)
    positive = (weekly > 0).to_numpy()
    # Candidates: positive this week and the next, not the week before.
    starts = np.flatnonzero(positive[1:-1] & positive[2:] & ~positive[:-2]) + 1
    turns: list[date] = []
    last: pd.Timestamp | None = None
    for i in starts:
        stamp = weekly.index[i]
        if last is None or (stamp - last).days >= 7 * min_gap_weeks:
            turns.append(stamp.date())
            last = stamp
    return turns


def published_turns(change_13w: pd.Series, min_gap_weeks: int = 13) -> list[date]:
    """The turning points as a reader could act on them: a turn in week t is confirmed by the
    following Wednesday's figure, published that Thursday, so it enters on that Friday (t + 1
    week on the Friday grid). Counting returns from week t would use a week not yet known."""
    return [t + timedelta(weeks=1) for t in turning_points(change_13w, min_gap_weeks)]


def event_study(
    prices: pd.Series, when: date, horizons: tuple[int, ...] = (1, 2, 4, 8, 12)
) -> dict[int, float]:
    """Percent return from the last close on or before ``when`` to N weeks later."""
    stamp = pd.Timestamp(when)
    index, values = prices.index, prices.to_numpy()
    start_at = index.searchsorted(stamp, side="right") - 1
    if start_at < 0:
        return {h: math.nan for h in horizons}
    out = {}
    for horizon in horizons:
        target = stamp + pd.Timedelta(weeks=horizon)
        if index[-1] < target:
            out[horizon] = math.nan
        else:
            end_at = index.searchsorted(target, side="right") - 1
            start, end = float(values[start_at]), float(values[end_at])
            usable = start > 0 and math.isfinite(start) and math.isfinite(end)
            out[horizon] = (end / start - 1.0) * 100.0 if usable else math.nan
    return out


HORIZONS = (1, 2, 4, 8, 12)
# Abnormal returns, each with 16,000 placebo sets, only at the horizons the page shows.
ABNORMAL_HORIZONS = (2, 4, 12)


POWER = 0.80
PRIMARY_WEEKS = (1, 5)  # the primary test: the cumulative return over weeks 1 to 5


def detectable_r(n: int, tests: int = 13, alpha: float = ALPHA, power: float = POWER) -> float:
    """The smallest |r| that a two-sided test on ``n`` weeks finds with probability ``power``
    at level ``alpha`` shared over ``tests`` tests (Bonferroni: 13 lags for the scan, 1 for a
    primary test). Normal approximation, (z(1 - alpha / 2 tests) + z(power)) / sqrt(n), with no
    allowance for autocorrelation, so optimistic. The one place the site's "could have been
    detected" comes from: at 80% power, 0.156 for 572 weeks and 0.18 for 424 over 13 lags
    (the critical value alone, 0.12 for 572 weeks, is found only half the time)."""
    if n <= 3:
        return math.nan
    critical = stats.norm.ppf(1 - alpha / (2 * tests))
    return float((critical + stats.norm.ppf(power)) / math.sqrt(n))


@dataclass
class Primary:
    """The pre-specified primary test: weekly change in net liquidity against the cumulative
    return of the next ``PRIMARY_WEEKS`` weeks, one regression, a HAC p-value."""

    assets: list[str]
    n: int
    r: float
    p_value: float
    detectable: float  # |r| found with 80% power at 5% (one test)
    last: date | None


def primary_test(driver_change: pd.Series, returns: dict[str, pd.Series]) -> Primary:
    """The one test stated before the lag scan: does this week's change in net liquidity move
    with the cumulative return over weeks 1 to 5 after it? Several assets are pooled into one
    basket (each week's return standardised per asset, then averaged) so that a claim about a
    set of assets has one test, not one per asset. Weeks where every asset and the driver have
    a value, as ``common_lags``; the HAC lags (6) cover the overlap of 5-week windows."""
    first, last = PRIMARY_WEEKS
    assets = list(returns)
    frame = pd.concat({"x": driver_change, **returns}, axis=1, sort=True).dropna()
    if frame.empty or not assets:
        return Primary(assets, 0, math.nan, math.nan, math.nan, None)
    z = (frame[assets] - frame[assets].mean()) / frame[assets].std()
    basket = z.mean(axis=1).to_numpy()
    ahead = np.full(len(basket), np.nan)
    for k in range(first, last + 1):
        shifted = np.full(len(basket), np.nan)
        shifted[: max(len(basket) - k, 0)] = basket[k:]
        ahead = shifted if k == first else ahead + shifted
    pair = pd.DataFrame({"x": frame["x"].to_numpy(), "y": ahead}).dropna()
    n = len(pair)
    if n < 30 or pair["x"].std() == 0 or pair["y"].std() == 0:
        return Primary(assets, n, math.nan, math.nan, math.nan, None)
    r = float(np.corrcoef(pair["x"], pair["y"])[0, 1])
    p_value = hac_p_value(pair, last)
    return Primary(assets, n, r, p_value, detectable_r(n, 1), frame.index[-1].date())


def common_lags(
    driver: pd.Series,
    prices: dict[str, pd.Series],
    assets: list[str],
    since: date = SINCE,
    max_lag: int = MAX_LAG,
    known: dict[str, pd.Series] | None = None,
) -> tuple[list[LagResult], pd.DatetimeIndex]:
    """Lead/lag per asset on ONE common sample (weeks where every asset has a return), so peak
    lags are compared on the same weeks; and those weeks. ``known`` holds weekly returns since
    ``since`` already computed by the caller (the claims test several sets of the same assets);
    those missing from it are computed and added."""
    start = pd.Timestamp(since)
    change = weekly_close(driver[driver.index >= start]).diff().dropna()
    present = [a for a in assets if a in prices]
    known = {} if known is None else known
    for asset in present:
        if asset not in known:
            known[asset] = weekly_returns(prices[asset][prices[asset].index >= start])
    returns = {a: known[a] for a in present}
    frame = pd.concat({"x": change, **returns}, axis=1, sort=True).dropna()
    results = [lead_lag(frame["x"], frame[a], max_lag=max_lag, asset=a) for a in present]
    return results, frame.index


def abnormal_returns(
    rows: list[EventRow], prices: dict[str, pd.Series], since: date, order: list[str]
) -> list[Abnormal]:
    """Per asset and horizon: the returns after the turns against every h-week return of the
    sample since ``since`` (means against means, medians against medians), each with a 90%
    placebo interval and that interval's measured coverage (``placebo.py``). One seeded
    generator, so every build prints the same intervals."""
    rng = np.random.default_rng(placebo.PLACEBO_SEED)
    found = []
    for asset in [a for a in order if a in prices]:
        closes = weekly_close(prices[asset][prices[asset].index >= pd.Timestamp(since)])
        ahead = {h: ((closes.shift(-h) / closes - 1.0) * 100.0).dropna() for h in ABNORMAL_HORIZONS}
        slots = min(len(a) for a in ahead.values())
        sets: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for horizon in ABNORMAL_HORIZONS:
            after = np.array(
                [r.returns[horizon] for r in rows if r.asset == asset], dtype="float64"
            )
            size = int((~np.isnan(after)).sum())
            if size not in sets:
                sets[size] = placebo.placebo_sets(rng, slots, size)
            every = ahead[horizon].to_numpy()
            row = placebo.abnormal(asset, horizon, after, every, sets[size])
            if row is not None:
                found.append(row)
    return found


def response_order(results: list[LagResult], article: list[str]) -> tuple[list[str], float]:
    """Assets sorted by peak lag, and Kendall's tau against the article's order ``article``."""
    ranked = [r for r in results if r.peak_lag is not None]
    ranked.sort(key=lambda r: (r.peak_lag, article.index(r.asset)))
    order = [r.asset for r in ranked]
    if len(ranked) < 3:
        return order, math.nan
    expected = [article.index(r.asset) for r in ranked]
    observed = [r.peak_lag for r in ranked]
    tau = stats.kendalltau(expected, observed).statistic
    return order, float(tau)


def measure(
    net_liquidity: pd.Series,
    net_change_13w: pd.Series,
    prices: dict[str, pd.Series],
    extra_events: list[tuple[str, date]],
    names: dict[str, str],
    since: date = SINCE,
    max_lag: int = MAX_LAG,
) -> Ladder:
    """The whole ladder analysis over the snapshot, from ``since`` on, for the assets of
    ``names`` (series id -> name) in the article's order; those without prices are left out."""
    article = list(names)
    start = pd.Timestamp(since)
    driver = weekly_close(net_liquidity[net_liquidity.index >= start]).diff().dropna()
    lags, primary, known = [], [], {}
    for asset in article:
        if asset not in prices:
            continue
        returns = known[asset] = weekly_returns(prices[asset][prices[asset].index >= start])
        lags.append(lead_lag(driver, returns, max_lag=max_lag, asset=asset))
        primary.append(primary_test(driver, {asset: returns}))
    primary.append(primary_test(driver, known))
    turns = [t for t in published_turns(net_change_13w) if t >= since]
    rows = []
    events = [(f"net liquidity turns up ({t:%d %b %Y})", t) for t in turns] + extra_events
    for label, when in events:
        for asset in article:
            if asset in prices:
                rows.append(EventRow(asset, label, when, event_study(prices[asset], when)))
    common, weeks = common_lags(net_liquidity, prices, article, since, max_lag, known)
    # The order is compared on the common sample, where every asset has the same weeks.
    order, tau = response_order(common if len(weeks) >= 30 else lags, article)
    until = net_liquidity.index[-1].date()
    turn_rows = [r for r in rows if r.when in turns]
    abnormal = abnormal_returns(turn_rows, prices, since, article)
    return Ladder(
        since,
        until,
        lags,
        turns,
        rows,
        order,
        tau,
        list(extra_events),
        common,
        weeks,
        abnormal,
        primary,
        dict(names),
    )


def from_config(
    config: Config,
    events: list[Event],
    results: list[IndicatorResult],
    series: dict[str, pd.Series],
) -> Ladder | None:
    """The ladder as ``indicators.yml`` sets it up (``ladder:``), when its indicator has data and
    at least two asset prices exist; the assets and their order are ``ladder: assets:`` (``check``
    refuses one without data, so none is dropped here unseen); the events it studies come from
    events.yml by id."""
    spec = config.ladder
    if spec is None:
        return None
    driver = next((r for r in results if r.id == spec.indicator), None)
    prices = {a: series[a] for a in spec.order if a in series}
    if driver is None or driver.quantity(spec.level).empty or len(prices) < 2:
        return None
    studied = [(e.label, e.date) for e in events if e.id in spec.events]
    return measure(
        driver.quantity(spec.level), driver.quantity(spec.change), prices, studied, spec.names
    )
