"""The lead/lag routine finds a planted lag, and finds nothing in noise."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from generator.measure import ladder

WEEKS = pd.date_range("2012-01-06", periods=600, freq="W-FRI")


def test_recovers_a_planted_lag_of_three_weeks():
    rng = np.random.default_rng(7)
    driver = pd.Series(rng.normal(size=len(WEEKS)), index=WEEKS)
    returns = 0.6 * driver.shift(3) + pd.Series(rng.normal(size=len(WEEKS)), index=WEEKS)
    result = ladder.lead_lag(driver, returns.dropna(), max_lag=12, asset="SP500")
    assert result.peak_lag == 3
    assert result.significant
    assert result.peak_correlation > 0.4


def test_pure_noise_gives_no_significant_peak():
    for seed in range(5):
        rng = np.random.default_rng(100 + seed)
        driver = pd.Series(rng.normal(size=len(WEEKS)), index=WEEKS)
        returns = pd.Series(rng.normal(size=len(WEEKS)), index=WEEKS)
        assert not ladder.lead_lag(driver, returns, asset="BTC-USD").significant, seed


def test_turning_points_need_two_positive_weeks_and_a_gap():
    values = [-1, -1, 1, 1, 1, -1, 1, -1, -1] + [-1] * 10 + [1, 1]
    index = pd.date_range("2020-01-03", periods=len(values), freq="W-FRI")
    turns = ladder.turning_points(pd.Series(values, index=index, dtype=float), min_gap_weeks=13)
    # week 3 turns up and holds; week 7 is a one-week blip and too close anyway; week 20 holds
    assert turns == [index[2].date(), index[19].date()]


def test_event_study_returns_from_last_close_before_event():
    prices = pd.Series(
        [100.0, 110.0, 121.0], index=pd.to_datetime(["2025-12-11", "2025-12-19", "2025-12-26"])
    )
    out = ladder.event_study(prices, date(2025, 12, 12), horizons=(1, 2, 4))
    assert round(out[1], 6) == 10.0 and round(out[2], 6) == 21.0
    assert np.isnan(out[4])  # not enough history after the event yet


def test_order_against_the_article():
    def result(asset, lag):
        return ladder.LagResult(asset, [lag], [0.5], [0.001], 100, lag, 0.5, 0.001, 0.05)

    order, tau = ladder.response_order(
        [result("SP500", 1), result("RUT", 2), result("BTC-USD", 3), result("ETH-USD", 4)]
    )
    assert order == ["SP500", "RUT", "BTC-USD", "ETH-USD"] and tau == 1.0
