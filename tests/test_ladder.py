"""The lead/lag routine finds a planted lag, and finds nothing in noise."""

from __future__ import annotations

import functools
from datetime import date

import numpy as np
import pandas as pd

from generator.measure import ladder
from tests import frozen

# The article's order, spelled here by hand: the default of `ladder: assets:`.
ARTICLE = ["SP500", "RUT", "BTC-USD", "ETH-USD", "BNB-USD"]
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
        [result("SP500", 1), result("RUT", 2), result("BTC-USD", 3), result("ETH-USD", 4)],
        ARTICLE,
    )
    assert order == ["SP500", "RUT", "BTC-USD", "ETH-USD"] and tau == 1.0


def _real_ladder() -> ladder.Ladder:
    """The ladder of the frozen snapshot, everything loaded afresh (test_ladder_stats compares
    two)."""
    from generator.catalogue.load import load_config, load_events
    from generator.measure import indicators
    from generator.snapshot.load import load_snapshot
    from generator.snapshot.store import Store
    from tests.conftest import FIXTURE

    config = load_config(FIXTURE / "indicators.yml")
    snapshot = load_snapshot(config, Store(FIXTURE / "data"))
    results = indicators.evaluate(config, snapshot.series)
    found = ladder.from_config(
        config, load_events(FIXTURE / "events.yml"), results, snapshot.series
    )
    assert found is not None
    return found


@functools.cache
def real_ladder() -> ladder.Ladder:
    """The ladder of the shared frozen snapshot, made when a test first reads it
    (tests/frozen.py)."""
    config, snapshot = frozen.config(), frozen.snapshot()
    found = ladder.from_config(config, frozen.events(), frozen.results(), snapshot.series)
    assert found is not None
    return found


def test_turns_enter_on_the_friday_after_their_confirmation_is_published():
    for turn in real_ladder().events:
        stamp = pd.Timestamp(turn)
        assert stamp.day_of_week == 4  # a Friday, the day after Thursday's H.4.1 release
    net = real_ladder().events
    assert len(net) >= 10


def test_event_returns_by_hand_from_the_confirmation_friday():
    """S&P 500 +1 week -0.1%, Russell 2000 -0.8%, BNB +2 weeks +12.1% on average (issue 13)."""
    from tests.test_claims import raw

    def mean_after(prices: pd.Series, weeks: int) -> float:
        moves = []
        for turn in real_ladder().events:
            start = prices[: pd.Timestamp(turn)]
            end = prices[: pd.Timestamp(turn) + pd.Timedelta(weeks=weeks)]
            if prices.index[-1] < pd.Timestamp(turn) + pd.Timedelta(weeks=weeks) or start.empty:
                continue
            moves.append((end.iloc[-1] / start.iloc[-1] - 1) * 100)
        return float(np.mean(moves))

    assert round(mean_after(raw("market", "SP500"), 1), 1) == -0.1
    assert round(mean_after(raw("market", "RUT"), 1), 1) == -0.8
    bnb = raw("crypto", "BNB-USD")["2017-11-01":]
    assert round(mean_after(bnb, 2), 1) == 12.1


def test_abnormal_returns_against_the_unconditional_median_and_mean_by_hand():
    from tests.test_claims import raw

    btc = raw("crypto", "BTC-USD")["2015-01-01":]
    closes = btc.resample("W-FRI").last().dropna()
    ahead = (closes.shift(-12) / closes - 1).dropna() * 100
    assert round(ahead.mean(), 1) == 20.1 and round(ahead.median(), 1) == 8.4
    row = next(a for a in real_ladder().abnormal if a.asset == "BTC-USD" and a.horizon == 12)
    assert abs(row.unconditional_mean - ahead.mean()) < 1e-9
    assert abs(row.unconditional_median - ahead.median()) < 1e-9
    raw_moves = [
        r.returns[12]
        for r in real_ladder().event_rows
        if r.asset == "BTC-USD" and r.when in real_ladder().events
    ]
    raw_moves = [m for m in raw_moves if not np.isnan(m)]
    assert abs(row.mean - (np.mean(raw_moves) - ahead.mean())) < 1e-9
    assert abs(row.median - (np.median(raw_moves) - ahead.median())) < 1e-9
    assert row.mean_low < row.mean < row.mean_high
    assert row.median_low < row.median < row.median_high


def test_order_uses_one_common_sample():
    weeks = real_ladder().common_weeks
    assert weeks is not None and len(weeks) > 400
    # BNB's valid history (from 2017-11-01) and its last price (2026-02-20) bound the sample
    assert weeks[0] >= pd.Timestamp("2017-11-01") and weeks[-1] <= pd.Timestamp("2026-02-20")
    assert {r.asset for r in real_ladder().common} == set(ARTICLE)
    assert ladder.detectable_r(len(weeks)) > max(
        abs(r.peak_correlation) for r in real_ladder().common
    )


def test_random_sets_are_spaced_like_the_turns():
    rng = np.random.default_rng(3)
    sets = ladder.placebo.random_sets(rng, 420, 13, 2000, 13)
    assert sets.shape == (2000, 13)
    assert (np.diff(sets, axis=1) >= 13).all() and sets.min() >= 0 and sets.max() < 420
    # every slot can be drawn: the first and last positions both occur
    assert sets[:, 0].min() == 0 and sets[:, -1].max() == 419
    # a history just long enough: one way to place them, found at once (no endless redraws)
    tight = ladder.placebo.random_sets(rng, 13 + 12 * 12, 13, 50, 13)
    assert (tight == np.arange(13) * 13).all()
    short = ladder.placebo.random_sets(rng, 20, 13, 50, 13)  # too short to space: no spacing
    assert short.shape == (50, 13) and (np.diff(short, axis=1) >= 1).all()
