"""Transforms checked against numbers worked out by hand from the committed snapshot.

Each expected value is written out with the arithmetic that produced it, from rows of the CSV
files under data/series/ on the named dates.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from generator.measure import transforms as t
from generator.snapshot.store import Store
from tests.conftest import FIXTURE

STORE = Store(FIXTURE / "data")
D = pd.Timestamp


def load(source: str, series_id: str) -> pd.Series:
    return STORE.load(source, series_id).dropna()


def test_change_over_13_weeks_fed_assets():
    walcl = load("fred", "WALCL")
    # 2026-08-19: 6,745,699; 13 weeks earlier, 2026-05-20: 6,713,643 (millions)
    assert t.change(walcl, window="13w")[D("2026-08-19")] == 6745699 - 6713643 == 32056
    # 4 weeks earlier, 2026-07-22: 6,747,378
    assert t.change(walcl, window="4w")[D("2026-08-19")] == 6745699 - 6747378


def test_change_in_observations_adp():
    adp = load("fred", "ADPMNUSNERSA")
    # 2026-07-01: 132,763,000 persons; 2026-06-01: 132,719,000
    assert t.change(adp, periods=1)[D("2026-07-01")] == 44000


def test_net_liquidity_aligns_units_and_dates():
    walcl, tga = load("fred", "WALCL"), load("fred", "WTREGEN")
    rrp_millions = t.scale(load("fred", "RRPONTSYD"), 1000)
    net = t.difference(walcl, tga, rrp_millions)
    # 6,745,699 - 953,612 - 0.317 bn * 1000 = 5,791,770 million on Wednesday 2026-08-19
    assert net[D("2026-08-19")] == pytest.approx(6745699 - 953612 - 317)
    assert net.index[-1] == D("2026-08-19")  # keeps WALCL's Wednesday dates


def test_sofr_minus_iorb_in_basis_points():
    spread = t.spread(load("fred", "SOFR"), load("fred", "IORB"), 100)
    # SOFR 3.63 - IORB 3.65 = -0.02 percent = -2 bp on 2026-08-20
    assert spread[D("2026-08-20")] == pytest.approx(-2.0)
    # and 3.65 - 3.65 = 0 on 2026-08-18
    assert spread[D("2026-08-18")] == pytest.approx(0.0)
    assert spread.index[0] == D("2021-07-29")  # IORB starts here


def test_ratio_russell_over_sp500():
    ratio = t.ratio(load("market", "RUT"), load("market", "SP500"))
    assert ratio[D("2026-08-21")] == pytest.approx(3017.87 / 7674.37)


def test_monthly_sum_of_bill_purchases_with_partial_month_dropped():
    bills = load("nyfed", "FED_RMP_BILL_PURCHASES")
    monthly = t.resample(bills, "month", "sum", complete_only=True)
    # July 2026: 6.637 + 3.319 + 6.637 + 5.18 + 3.453 + 5.179
    assert monthly[D("2026-07-01")] == pytest.approx(30.405)
    assert monthly.index[-1] == D("2026-07-01")  # August stops on the 20th: not complete
    assert t.resample(bills, "month", "sum").index[-1] == D("2026-08-01")


def test_thirty_day_return_and_drawdown_bitcoin():
    btc = load("crypto", "BTC-USD")
    # 2026-08-21: 78,335.19; 30 days earlier, 2026-07-22: 66,100.80
    assert t.pct_change(btc, window="30d")[D("2026-08-21")] == pytest.approx(
        (78335.19 / 66100.80 - 1) * 100
    )
    # peak close 124,752.53 on 2025-10-06
    assert t.drawdown(btc)[D("2026-08-21")] == pytest.approx((78335.19 / 124752.53 - 1) * 100)
    assert t.drawdown(btc)[D("2025-10-06")] == 0


def test_percentile_is_expanding_and_counts_ties_fairly():
    s = pd.Series([3.0, 1.0, 2.0, 4.0], index=pd.date_range("2020-01-01", periods=4))
    # day 3: 2 is the 2nd of [3, 1, 2] -> 2/3; day 4: 4 is the top of 4 values -> 100
    assert list(t.percentile(s).round(4)) == [100.0, 50.0, pytest.approx(66.6667), 100.0]


def test_count_and_rolling_mean_over_observations():
    s = pd.Series([1.0, -1.0, 2.0, -3.0, 0.5], index=pd.date_range("2020-01-01", periods=5))
    assert list(t.count(s, above=0, periods=3)) == [2.0, 1.0, 2.0]
    assert list(t.rolling_mean(s, periods=2)) == [0.0, 0.5, -0.5, -1.25]


def test_rolling_std_is_the_sample_deviation_over_the_window():
    s = pd.Series([1.0, -1.0, 2.0, -3.0, 0.5], index=pd.date_range("2020-01-01", periods=5))
    # [1, -1, 2]: mean 2/3, squared deviations 1/9 + 25/9 + 16/9 = 42/9, over n - 1 = 2: 7/3
    assert t.rolling_std(s, periods=3).iloc[0] == pytest.approx((7 / 3) ** 0.5)
    assert len(t.rolling_std(s, periods=3)) == 3
    # over a span of time: 2 days holds two daily values, and one value has no deviation
    spans = t.rolling_std(s, window="2d")
    assert spans.index[0] == D("2020-01-02") and spans.iloc[0] == pytest.approx(2**0.5)


def test_splice_takes_before_then_after():
    a = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2020-01-01", periods=3))
    b = pd.Series([9.0, 8.0, 7.0], index=pd.date_range("2020-01-02", periods=3))
    out = t.splice(a, b, D("2020-01-03"))
    assert list(out) == [1.0, 2.0, 8.0, 7.0]
    assert list(t.splice(None, b, D("2020-01-03"))) == [8.0, 7.0]


def test_align_refuses_values_older_than_a_week():
    base = pd.Series([1.0, 1.0], index=pd.to_datetime(["2020-01-10", "2020-02-10"]))
    other = pd.Series([5.0], index=pd.to_datetime(["2020-01-08"]))
    aligned = t.align(base, other)
    assert aligned.iloc[0] == 5.0 and math.isnan(aligned.iloc[1])


def test_zscore_of_constant_is_missing_not_infinite():
    s = pd.Series([2.0] * 5, index=pd.date_range("2020-01-01", periods=5))
    assert t.zscore(s, periods=3).empty


@pytest.mark.parametrize("series_id", ["WALCL", "SOFR", "BTC-USD", "ADPMNUSNERSA"])
def test_weekly_last_matches_pandas_resample(series_id):
    """The vectorised weekly close equals pandas' W-FRI resample, empty weeks included."""
    from generator.catalogue.load import load_config
    from generator.measure.transforms import weekly_last
    from generator.snapshot.store import Store

    config = load_config(FIXTURE / "indicators.yml")
    series = Store(FIXTURE / "data").load(config.series[series_id].source, series_id)
    expected = series.resample("W-FRI").last()
    pd.testing.assert_series_equal(weekly_last(series), expected, check_freq=False)
    gappy = series.iloc[::17]  # weeks with no observation must come back as NaN
    pd.testing.assert_series_equal(
        weekly_last(gappy), gappy.resample("W-FRI").last(), check_freq=False
    )


@pytest.mark.parametrize("series_id", ["WALCL", "SOFR", "BTC-USD", "ADPMNUSNERSA"])
def test_last_of_week_keeps_the_rows_a_weekly_groupby_keeps(series_id):
    """A chart's weekly cut: the rows ``groupby(pd.Grouper(freq="W-FRI")).tail(1)`` keeps,
    on daily, weekly, monthly and gappy series, and on times of day (a Friday evening is
    still that Friday's week)."""
    from generator.catalogue.load import load_config

    config = load_config(FIXTURE / "indicators.yml")
    series = STORE.load(config.series[series_id].source, series_id)
    evening = series.copy()
    evening.index = evening.index + pd.Timedelta(hours=21)
    for values in (series, series.iloc[::17], series.iloc[::3], evening):
        frame = pd.DataFrame({"value": values, "other": values.shift(2)})
        expected = frame.groupby(pd.Grouper(freq="W-FRI")).tail(1)
        kept = frame[t.last_of_week(pd.DatetimeIndex(frame.index))]
        pd.testing.assert_frame_equal(kept, expected)
    empty = pd.DatetimeIndex([])
    assert len(t.last_of_week(empty)) == 0


def test_window_dates_are_those_the_rolling_window_reads():
    """The dates a window ending on a day reads, by count and by span (closed right), checked
    against a mask written here."""
    index = pd.DatetimeIndex(STORE.load("fred", "WALCL").dropna().index)
    for day in (index[-1], index[400], index[3]):
        upto = [d for d in index if d <= day]
        assert list(t.window_dates(index, day, 4, None)) == upto[-4:]
        start = day - pd.Timedelta(days=13 * 7)
        assert list(t.window_dates(index, day, None, "13w")) == [d for d in upto if d > start]
    between = index[10] + pd.Timedelta(days=2)  # a day that is not in the index
    assert t.window_dates(index, between, 2, None)[-1] == index[10]


def test_partial_first_month_is_dropped_and_empty_months_count_as_zero():
    ops = pd.Series(
        [10.0, 5.0, 7.0, 3.0],
        index=pd.to_datetime(["2025-12-12", "2025-12-19", "2026-02-10", "2026-03-30"]),
    )
    monthly = t.resample(ops, "month", "sum", complete_only=True, empty_as_zero=True)
    # December began on the 12th: partial; January had no purchase: zero; March reaches its
    # final three days: complete
    assert list(monthly.index.strftime("%Y-%m")) == ["2026-01", "2026-02", "2026-03"]
    assert list(monthly) == [0.0, 7.0, 3.0]
    without_zero = t.resample(ops, "month", "sum", complete_only=True)
    assert list(without_zero.index.strftime("%Y-%m")) == ["2026-02", "2026-03"]
    stops_early = pd.concat(
        [ops[ops.index < "2026-03-01"], pd.Series([1.0], index=[D("2026-03-27")])]
    )
    # 27 March is more than two days before the month's end: March is not complete
    last = t.resample(stops_early, "month", "sum", complete_only=True).index[-1]
    assert last == D("2026-02-01")


def test_percentile_since_a_regime():
    reserves = load("fred", "WRESBAL") / 1000
    since_2021 = t.percentile(reserves, since=date(2021, 1, 1))
    regime = reserves[reserves.index >= "2021-01-01"]
    assert since_2021.index[0] == regime.index[0]
    assert since_2021.iloc[-1] == pytest.approx((regime <= regime.iloc[-1]).mean() * 100)
    assert round(since_2021.iloc[-1]) == 5  # near the bottom of the ample-reserves regime
    assert t.percentile(reserves).iloc[-1] > 70  # against the pre-2008 10-40 bn USD: "high"


def _s(days: list[str], values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.DatetimeIndex(pd.to_datetime(days), name="date"))


def test_convert_takes_the_rate_of_the_day_or_the_month_end():
    rate = _s(["2024-01-30", "2024-01-31", "2024-02-28"], [2.0, 4.0, 5.0])
    monthly = _s(["2024-01-01", "2024-02-01"], [100.0, 100.0])
    assert t.convert(monthly, rate, "divide", 1.0, "month_end").tolist() == [25.0, 20.0]
    daily = _s(["2024-01-31", "2024-02-02"], [10.0, 10.0])
    assert t.convert(daily, rate, "multiply").tolist() == [40.0, 40.0]
    # A rate more than 7 days old converts nothing.
    assert t.convert(_s(["2024-03-15"], [1.0]), rate, "multiply").empty


def test_fx_split_parts_add_up_and_a_missing_month_gives_no_change():
    rate = _s(["2024-01-31", "2024-02-29", "2024-04-30"], [2.0, 3.0, 4.0])
    level = _s(["2024-01-01", "2024-02-01", "2024-04-01"], [10.0, 12.0, 20.0])
    args = (level, rate, "multiply")
    sheet = t.fx_split(*args, "balance_sheet", rate_on="month_end")
    moved = t.fx_split(*args, "exchange_rate", rate_on="month_end")
    # 12 x 3 - 10 x 2 = 16 = (12 - 10)(2 + 3)/2 + (3 - 2)(10 + 12)/2 = 5 + 11
    assert sheet.tolist() == [5.0] and moved.tolist() == [11.0]
    assert sheet.index[0] == pd.Timestamp("2024-02-01")  # no April change: March is missing


def test_breadth_counts_the_series_that_rose():
    days = ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]
    a = _s(days, [1.0, 2.0, 3.0, 4.0])
    b = _s(days, [4.0, 3.0, 2.0, 5.0])
    assert t.breadth(a, b, window="1m").tolist() == [50.0, 50.0, 100.0]
    assert t.breadth(a, b, periods=3).tolist() == [100.0]


@pytest.mark.parametrize("series_id", ["WALCL", "SOFR", "ADPMNUSNERSA"])
def test_last_on_or_before_is_the_last_row_up_to_the_day(series_id):
    """By binary search on a sorted index, by a mask otherwise: both checked against a scan
    written here, on dates in the index, between them, before the first and after the last."""
    from generator.catalogue.load import load_config

    config = load_config(FIXTURE / "indicators.yml")
    series = STORE.load(config.series[series_id].source, series_id).dropna()
    days = [series.index[0] - pd.Timedelta(days=1), series.index[0], series.index[-1]]
    days += [series.index[len(series) // 2] + pd.Timedelta(hours=h) for h in (0, 13, 24 * 3)]
    days += [series.index[-1] + pd.Timedelta(days=40)]
    shuffled = series.sample(frac=1.0, random_state=1)  # unsorted: the mask
    for day in days:
        rows = [(d, v) for d, v in series.items() if d <= day]
        expected = (rows[-1][0].date(), rows[-1][1]) if rows else (None, None)
        found = t.last_on_or_before(series, day)
        assert (found[0], None if found[0] is None else found[1]) == expected, day
        if found[0] is None:
            assert math.isnan(found[1])
        latest = max((d for d in shuffled.index if d <= day), default=None)
        unsorted = t.last_on_or_before(shuffled.sort_index(), day)
        assert unsorted[0] == (latest.date() if latest is not None else None)
