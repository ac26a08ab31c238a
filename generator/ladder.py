"""The risk ladder, measured: does net liquidity lead asset returns, by how many weeks, in
which order?

Three pieces, each a pure function over weekly series:
- ``lead_lag``: correlation of this week's change in net liquidity with an asset's return
  k weeks later, k = 0..12, with a HAC (Newey-West) p-value per lag from statsmodels, because
  weekly returns are autocorrelated enough to make naive p-values too optimistic;
- ``turning_points`` and ``event_study``: returns after liquidity turns up;
- ``response_order``: the order in which assets peak, beside the article's order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

# The article's order: equities, small caps, Bitcoin, Ether, other coins.
ARTICLE_ORDER = ["SP500", "RUT", "BTC-USD", "ETH-USD", "BNB-USD"]
ASSET_NAMES = {
    "SP500": "S&P 500",
    "RUT": "Russell 2000",
    "BTC-USD": "Bitcoin",
    "ETH-USD": "Ether",
    "BNB-USD": "BNB",
}


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


def weekly_close(series: pd.Series) -> pd.Series:
    """Last observation of each week ending Friday."""
    return series.resample("W-FRI").last().dropna()


def weekly_returns(prices: pd.Series) -> pd.Series:
    """Weekly log returns in percent."""
    closes = weekly_close(prices)
    return (np.log(closes).diff() * 100.0).dropna()


def lead_lag(
    driver: pd.Series,
    returns: pd.Series,
    max_lag: int = 12,
    alpha: float = 0.05,
    asset: str = "",
) -> LagResult:
    """corr(driver_t, returns_{t+k}) for k = 0..max_lag with HAC p-values of the slope."""
    frame = pd.concat({"x": driver, "y": returns}, axis=1, sort=True).dropna()
    lags, correlations, p_values = [], [], []
    for lag in range(max_lag + 1):
        x = driver
        y = returns.shift(-lag)
        pair = pd.concat({"x": x, "y": y}, axis=1, sort=True).dropna()
        if len(pair) < 30 or pair["x"].std() == 0 or pair["y"].std() == 0:
            lags.append(lag)
            correlations.append(math.nan)
            p_values.append(math.nan)
            continue
        zx = (pair["x"] - pair["x"].mean()) / pair["x"].std()
        zy = (pair["y"] - pair["y"].mean()) / pair["y"].std()
        model = sm.OLS(zy.to_numpy(), sm.add_constant(zx.to_numpy()))
        fitted = model.fit(cov_type="HAC", cov_kwds={"maxlags": max(4, lag + 1)})
        lags.append(lag)
        correlations.append(float(np.corrcoef(pair["x"], pair["y"])[0, 1]))
        p_values.append(float(fitted.pvalues[1]))
    valid = [i for i, c in enumerate(correlations) if not math.isnan(c)]
    if not valid:
        return LagResult(
            asset, lags, correlations, p_values, len(frame), None, math.nan, math.nan, alpha
        )
    best = max(valid, key=lambda i: correlations[i])
    return LagResult(
        asset=asset,
        lags=lags,
        correlations=correlations,
        p_values=p_values,
        observations=len(frame),
        peak_lag=lags[best],
        peak_correlation=correlations[best],
        peak_p_value=p_values[best],
        alpha=alpha,
    )


def turning_points(change_13w: pd.Series, min_gap_weeks: int = 13) -> list[date]:
    """Weeks where the 13-week change in net liquidity turns from negative to positive.

    The rule needs the change to stay positive for two weeks, and turns closer than
    ``min_gap_weeks`` to the previous one are ignored, so noise around zero is not a turn.
    """
    weekly = weekly_close(change_13w)
    positive = weekly > 0
    turns: list[date] = []
    last: pd.Timestamp | None = None
    for i in range(1, len(weekly) - 1):
        if positive.iloc[i] and positive.iloc[i + 1] and not positive.iloc[i - 1]:
            stamp = weekly.index[i]
            if last is None or (stamp - last).days >= 7 * min_gap_weeks:
                turns.append(stamp.date())
                last = stamp
    return turns


def event_study(
    prices: pd.Series, when: date, horizons: tuple[int, ...] = (1, 2, 4, 8, 12)
) -> dict[int, float]:
    """Percent return from the last close on or before ``when`` to N weeks later."""
    stamp = pd.Timestamp(when)
    before = prices[prices.index <= stamp]
    if before.empty:
        return {h: math.nan for h in horizons}
    start = float(before.iloc[-1])
    out = {}
    for horizon in horizons:
        target = stamp + pd.Timedelta(weeks=horizon)
        later = prices[prices.index <= target]
        if later.empty or prices.index[-1] < target:
            out[horizon] = math.nan
        else:
            out[horizon] = (float(later.iloc[-1]) / start - 1.0) * 100.0
    return out


def response_order(results: list[LagResult]) -> tuple[list[str], float]:
    """Assets sorted by peak lag, and Kendall's tau against the article's order."""
    ranked = [r for r in results if r.peak_lag is not None]
    ranked.sort(key=lambda r: (r.peak_lag, ARTICLE_ORDER.index(r.asset)))
    order = [r.asset for r in ranked]
    if len(ranked) < 3:
        return order, math.nan
    article = [ARTICLE_ORDER.index(r.asset) for r in ranked]
    observed = [r.peak_lag for r in ranked]
    tau = stats.kendalltau(article, observed).statistic
    return order, float(tau)


def measure(
    net_liquidity: pd.Series,
    net_change_13w: pd.Series,
    prices: dict[str, pd.Series],
    extra_events: list[tuple[str, date]],
    since: date = date(2015, 1, 1),
    max_lag: int = 12,
) -> Ladder:
    """The whole ladder analysis over the snapshot, from ``since`` on."""
    start = pd.Timestamp(since)
    driver = weekly_close(net_liquidity[net_liquidity.index >= start]).diff().dropna()
    lags = []
    for asset in ARTICLE_ORDER:
        if asset not in prices:
            continue
        returns = weekly_returns(prices[asset][prices[asset].index >= start])
        lags.append(lead_lag(driver, returns, max_lag=max_lag, asset=asset))
    turns = [t for t in turning_points(net_change_13w) if t >= since]
    rows = []
    events = [(f"net liquidity turns up ({t:%d %b %Y})", t) for t in turns] + extra_events
    for label, when in events:
        for asset in ARTICLE_ORDER:
            if asset in prices:
                rows.append(EventRow(asset, label, when, event_study(prices[asset], when)))
    order, tau = response_order(lags)
    until = net_liquidity.index[-1].date()
    return Ladder(since, until, lags, turns, rows, order, tau)
