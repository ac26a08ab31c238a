"""Other drivers on the risk ladder: stablecoin supply against Bitcoin and Ether.

The question is the one ``ladder.py`` asks of net liquidity, asked of another measure of
liquidity: does this week's change lead the assets' returns? The statistics are
``ladder.py``'s own (``primary_test``, ``lead_lag``, ``detectable_r``): the same pre-specified
test, scan, HAC p-values and 80%-power statement, so the two answers can be set side by side.

What is particular to a driver is its weekly change: in the level's unit, as net liquidity, or
in percent for a level that grew many-fold (stablecoin supply went from about 1 bn USD in 2018
to about 300 bn USD, so a dollar change in 2018 and one in 2026 are not the same event); and a
week whose change spans one of the series' ``breaks:`` (a vintage step that is not a flow:
DefiLlama's 1.7 bn USD of July 2026) is left out rather than counted as a flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from generator.catalogue.crossref import series_used
from generator.catalogue.models import Config, LadderDriver
from generator.measure import ladder
from generator.measure.indicators import IndicatorResult


@dataclass
class DriverTest:
    """One driver against its assets: per asset the scan and the primary test, then pooled."""

    driver: LadderDriver
    since: date
    until: date
    lags: list[ladder.LagResult]
    primary: list[ladder.Primary]
    left_out: list[date] = field(default_factory=list)  # weeks (Fridays) spanning a break


def week_of(day: date) -> date:
    """The Friday ending ``day``'s week, the date ``ladder.weekly_close`` gives that week."""
    return day + timedelta(days=(4 - day.weekday()) % 7)


def weekly_change(level: pd.Series, how: str, breaks: list[date]) -> tuple[pd.Series, list[date]]:
    """The weekly change (Friday to Friday) of a level, and the weeks left out: those whose
    change spans a break (the Friday ending the break's week, where the step lands)."""
    closes = ladder.weekly_close(level)
    if how == "percent":
        closes = closes[closes > 0]
        change = (np.log(closes).diff() * 100.0).dropna()
    else:
        change = closes.diff().dropna()
    weeks = {pd.Timestamp(week_of(day)) for day in breaks}
    left_out = sorted(w.date() for w in weeks if w in change.index)
    return change[~change.index.isin(list(weeks))], left_out


def measure(
    driver: LadderDriver,
    level: pd.Series,
    prices: dict[str, pd.Series],
    breaks: list[date],
    since: date = date(2015, 1, 1),
) -> DriverTest:
    """The ladder's primary test and lag scan for one driver against its assets."""
    start = pd.Timestamp(since)
    change, left_out = weekly_change(level[level.index >= start], driver.change, breaks)
    returns = {
        asset: ladder.weekly_returns(prices[asset][prices[asset].index >= start])
        for asset in driver.assets
        if asset in prices
    }
    lags = [ladder.lead_lag(change, returns[a], asset=a) for a in returns]
    primary = [ladder.primary_test(change, {a: returns[a]}) for a in returns]
    if len(returns) > 1:
        primary.append(ladder.primary_test(change, returns))
    first = change.index[0].date() if len(change) else since
    last = change.index[-1].date() if len(change) else since
    return DriverTest(driver, first, last, lags, primary, left_out)


def from_config(
    config: Config, results: list[IndicatorResult], series: dict[str, pd.Series]
) -> list[DriverTest]:
    """Every driver in ``ladder: also:`` whose indicator has data; the breaks are those of
    every series its indicator reads."""
    if config.ladder is None:
        return []
    found = []
    by_id = {r.id: r for r in results}
    for driver in config.ladder.also:
        result = by_id.get(driver.indicator)
        if result is None or result.quantity(driver.level).empty:
            continue
        breaks = sorted(
            {
                day
                for series_id in series_used(result.config, config)
                if series_id in config.series
                for day in config.series[series_id].breaks
            }
        )
        prices = {a: series[a] for a in driver.assets if a in series}
        since = driver.since or date(2015, 1, 1)
        found.append(measure(driver, result.quantity(driver.level), prices, breaks, since))
    return found
