"""Property tests: the series CSV round trip, alignment and resampling, the condition grammar.

The unit tests check hand-computed numbers on the real snapshot; these check the same code on
inputs nobody would write by hand (odd gaps, tiny and huge values, arbitrary text). Every test
is derandomised, so a run is reproducible and CI never fails on a new random draw; a property
that finds a real bug stays here as a strict xfail with the smallest input that shows it.
"""

from __future__ import annotations

import math
import operator
import string
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.catalogue.conditions import ConditionError, parse
from generator.measure import transforms as t
from generator.snapshot.store import format_value, parse_series_csv, series_to_csv

FAST = settings(
    derandomize=True,
    deadline=None,
    database=None,  # no example database: every run draws the same inputs
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
MORE = settings(FAST, max_examples=150)


# -- strategies ----------------------------------------------------------------------------
def _series(days: list[date], values: list[float]) -> pd.Series:
    index = pd.DatetimeIndex(pd.to_datetime(days), name="date").as_unit("ns")
    return pd.Series(values, index=index, dtype="float64")


@st.composite
def dated_values(draw, values=None, min_size=0, max_size=40, start=None, end=None) -> pd.Series:
    """A series on sorted, unique dates between 1900 and 2100, with the given values."""
    days = draw(
        st.lists(
            st.dates(start or date(1900, 1, 1), end or date(2100, 12, 31)),
            min_size=min_size,
            max_size=max_size,
            unique=True,
        )
    )
    days.sort()
    if values is None:
        values = st.floats(allow_nan=False, allow_infinity=False)
    return _series(days, [draw(values) for _ in days])


@st.composite
def daily_like(draw, min_size=1, max_size=80) -> pd.Series:
    """A series with gaps of 1 to 12 days (weekends, holidays, outages) from a random start."""
    first = draw(st.dates(date(1990, 1, 1), date(2030, 12, 31)))
    gaps = draw(st.lists(st.integers(1, 12), min_size=min_size - 1, max_size=max_size - 1))
    days = [first]
    for gap in gaps:
        days.append(days[-1] + timedelta(days=gap))
    values = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3))
    return _series(days, [draw(values) for _ in days])


def _round_trip(series: pd.Series) -> pd.Series:
    return parse_series_csv(series_to_csv(series).decode(), "data/series/fred/X.csv")


def _by_hand_earlier(series: pd.Series, span: pd.Timedelta) -> list[float]:
    """For each date, the last value on or before (date - span), by a plain loop."""
    found = []
    for when in series.index:
        before = [v for d, v in series.items() if d <= when - span]
        found.append(before[-1] if before else math.nan)
    return found


# -- (a) the series CSV round trip ---------------------------------------------------------
FIFTEEN_DIGITS = st.floats(
    min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False
).map(lambda v: float(f"{v:.15g}"))


@MORE
@given(dated_values(values=FIFTEEN_DIGITS))
def test_csv_round_trip_keeps_dates_and_values(series):
    """Values as sources publish them (at most 15 significant digits) come back exactly."""
    back = _round_trip(series)
    assert list(back.index) == list(series.index)
    assert back.index.name == "date"
    assert back.dtype == "float64"
    assert back.to_numpy().tolist() == series.to_numpy().tolist()


@MORE
@given(dated_values(values=st.floats(min_value=-1e307, max_value=1e307, allow_nan=False)))
def test_csv_round_trip_within_fifteen_significant_digits(series):
    back = _round_trip(series)
    assert list(back.index) == list(series.index)
    np.testing.assert_allclose(back.to_numpy(), series.to_numpy(), rtol=5e-15, atol=0)


@FAST
@given(dated_values(values=st.one_of(st.just(math.nan), FIFTEEN_DIGITS), min_size=1))
def test_csv_round_trip_keeps_missing_values_missing(series):
    """An empty cell is a missing value: it is written empty and read back as NaN."""
    back = _round_trip(series)
    assert back.isna().tolist() == series.isna().tolist()
    assert back.dropna().tolist() == series.dropna().tolist()


@FAST
@given(dated_values(min_size=2))
def test_csv_file_is_sorted_unique_iso_dates(series):
    lines = series_to_csv(series).decode().splitlines()
    assert lines[0] == "date,value"
    days = [line.split(",")[0] for line in lines[1:]]
    assert days == sorted(set(days))
    assert all(len(day) == 10 and date.fromisoformat(day) for day in days)


@FAST
@given(dated_values(min_size=1))
@example(_series([date(2024, 1, 2)], [0.1 + 0.2]))
def test_csv_round_trip_is_exact_for_every_finite_float(series):
    back = _round_trip(series)
    assert back.to_numpy().tolist() == series.to_numpy().tolist()


def test_csv_writes_only_values_it_can_read_back():
    """The largest float once rounded to 1.79769313486232e+308, which reads back as infinity."""
    largest = _series([date(2024, 1, 2)], [np.finfo("float64").max])
    assert format_value(float(largest.iloc[0])) == "1.7976931348623157e+308"
    assert _round_trip(largest).iloc[0] == largest.iloc[0]


def test_csv_keeps_published_decimals_short():
    assert [format_value(v) for v in (7674.37, 1234567.0, 0.1 + 0.2)] == [
        "7674.37",
        "1234567",
        "0.30000000000000004",
    ]


# -- (b) alignment, carry-forward, resampling, changes --------------------------------------
@MORE
@given(
    dated_values(max_size=25, start=date(2020, 1, 1), end=date(2020, 12, 31)),
    dated_values(max_size=25, start=date(2020, 1, 1), end=date(2020, 12, 31)),
    st.integers(0, 30),
)
def test_align_is_the_latest_value_at_most_n_days_old(base, other, tolerance):
    aligned = t.align(base, other, tolerance_days=tolerance)
    assert list(aligned.index) == list(base.index)
    for when, got in aligned.items():
        known = other[other.index <= when]
        if known.empty or (when - known.index[-1]).days > tolerance:
            assert math.isnan(got)
        else:
            assert got == known.iloc[-1]


@MORE
@given(daily_like(max_size=30), daily_like(max_size=30), st.sampled_from([1.0, 100.0, -0.5]))
def test_spread_is_a_minus_b_carried_forward_on_a_dates(a, b, factor):
    got = t.spread(a, b, factor)
    expected = {}
    for when, value in a.items():
        known = b[b.index <= when]
        if not known.empty and (when - known.index[-1]).days <= 7:
            expected[when] = (value - known.iloc[-1]) * factor
    assert list(got.index) == list(expected)
    np.testing.assert_allclose(got.to_numpy(), list(expected.values()), rtol=1e-12, atol=1e-9)


@MORE
@given(daily_like(max_size=30), st.lists(daily_like(max_size=30), min_size=1, max_size=3))
def test_difference_and_total_are_pointwise_on_the_first_operands_dates(first, others):
    difference = t.difference(first, *others)
    total = t.total(first, *others)
    aligned = [t.align(first, other) for other in others]
    keep = ~np.any([a.isna().to_numpy() for a in aligned], axis=0)
    assert list(difference.index) == list(first.index[keep])
    assert list(total.index) == list(first.index[keep])
    minus = first.to_numpy()[keep] - sum(a.to_numpy()[keep] for a in aligned)
    plus = first.to_numpy()[keep] + sum(a.to_numpy()[keep] for a in aligned)
    np.testing.assert_allclose(difference.to_numpy(), minus, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(total.to_numpy(), plus, rtol=1e-12, atol=1e-6)
    # Every date kept is one of the first operand's dates: the result never gains a date.
    assert set(difference.index) <= set(first.index)


@MORE
@given(daily_like(max_size=120))
def test_weekly_last_matches_pandas_resample(series):
    expected = series.resample("W-FRI").last()
    got = t.weekly_last(series)
    pd.testing.assert_series_equal(got, expected, check_freq=False)
    assert (got.index.day_of_week == 4).all()


@MORE
@given(daily_like(max_size=120), st.sampled_from(["last", "first", "mean", "sum"]))
def test_resample_week_drops_only_empty_weeks(series, how):
    got = t.resample(series, "week", how)
    expected = getattr(series.resample("W-FRI"), how)()
    counts = series.resample("W-FRI").count()
    expected = expected[counts > 0].dropna()
    pd.testing.assert_series_equal(got, expected, check_freq=False, check_names=False)
    if how == "last":
        pd.testing.assert_series_equal(
            got, t.weekly_last(series).dropna(), check_freq=False, check_names=False
        )


@MORE
@given(daily_like(max_size=60), st.integers(1, 10))
def test_change_and_pct_change_over_observations(series, periods):
    values = series.to_numpy()
    change = t.change(series, periods=periods)
    assert list(change.index) == list(series.index[periods:])
    np.testing.assert_allclose(change.to_numpy(), values[periods:] - values[:-periods])
    pct = t.pct_change(series, periods=periods)
    expected = {
        when: (values[i] / values[i - periods] - 1.0) * 100.0
        for i, when in enumerate(series.index)
        if i >= periods and values[i - periods] != 0.0
    }
    assert list(pct.index) == list(expected)
    np.testing.assert_allclose(pct.to_numpy(), list(expected.values()), rtol=1e-12)


@MORE
@given(daily_like(max_size=60), st.sampled_from(["7d", "2w", "4w", "13w"]))
def test_change_over_a_window_uses_the_value_last_known_then(series, window):
    number, unit = int(window[:-1]), window[-1]
    span = pd.Timedelta(days=number * (7 if unit == "w" else 1))
    earlier = _by_hand_earlier(series, span)
    expected = {
        when: value - before
        for (when, value), before in zip(series.items(), earlier, strict=True)
        if not math.isnan(before)
    }
    got = t.change(series, window=window)
    assert list(got.index) == list(expected)
    np.testing.assert_allclose(got.to_numpy(), list(expected.values()), atol=1e-9)


# -- (c) the condition grammar ---------------------------------------------------------------
NAMES = st.sampled_from(["value", "change_13w", "z", "a_b"])
NUMBERS = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:g}"),
)
TOKENS = st.one_of(
    NAMES,
    NUMBERS,
    st.sampled_from(["<", "<=", ">", ">=", "==", "!=", "and", "or", "not", "(", ")", "-"]),
    st.sampled_from(["+", "*", "**", "[", "]", ",", "if", "else", "lambda", "'x'", "x.y", "f("]),
)
CONDITION_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(string.printable, max_size=40),
    st.lists(TOKENS, max_size=12).map(" ".join),
)
FINITE = st.floats(-1e12, 1e12, allow_nan=False)


@st.composite
def valid_conditions(draw, depth=0) -> str:
    """Conditions the grammar accepts, nested with and/or/not and parentheses."""
    if depth < 2 and draw(st.booleans()):
        joiner = draw(st.sampled_from([" and ", " or "]))
        parts = draw(st.lists(valid_conditions(depth + 1), min_size=2, max_size=3))
        text = joiner.join(f"({p})" for p in parts)
        return f"not ({text})" if draw(st.booleans()) else text
    terms = draw(st.lists(st.one_of(NAMES, NUMBERS), min_size=2, max_size=3))
    ops = [draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="])) for _ in terms[1:]]
    text = terms[0]
    for op, term in zip(ops, terms[1:], strict=True):
        text += f" {op} {term}"
    return text


@MORE
@given(CONDITION_TEXT)
@example("")
@example("value > 0 and")
@example("__import__('os').system('true') > 0")
@example("value > (z > 1)")
@example("a\x00 > 1")
@example("True > 0")
def test_parse_accepts_or_raises_only_condition_error(text):
    try:
        condition = parse(text)
    except ConditionError:
        return
    assert isinstance(condition.names, frozenset)


@MORE
@given(valid_conditions(), st.dictionaries(NAMES, st.one_of(FINITE, st.just(math.nan))))
def test_valid_conditions_parse_and_evaluate_to_a_bool(text, values):
    condition = parse(text)
    assert condition.names <= {"value", "change_13w", "z", "a_b"}
    assert isinstance(condition.evaluate(values), bool)


@MORE
@given(CONDITION_TEXT, st.dictionaries(NAMES, FINITE))
def test_whatever_parses_evaluates_to_a_bool(text, values):
    try:
        condition = parse(text)
    except ConditionError:
        return
    assert isinstance(condition.evaluate(values), bool)


PYTHON_OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


@FAST
@given(FINITE, FINITE)
def test_comparison_agrees_with_python(left, right):
    values = {"a": left, "b": right}
    for text, python in PYTHON_OPS.items():
        assert parse(f"a {text} b").evaluate(values) == python(left, right)
    assert parse("a > b").evaluate({"a": left}) is False  # a missing name makes it false


def test_deep_nesting_raises_condition_error():
    with pytest.raises(ConditionError):
        parse("not " * 3000 + "value > 0")
    assert parse("not " * 40 + "value > 0").evaluate({"value": 1.0}) is True


def test_huge_number_literal_is_refused_when_parsed():
    """10**400 once parsed and then overflowed in evaluate()."""
    for text in ("value > 1" + "0" * 400, "value > 1e999", "value > -1" + "0" * 400):
        with pytest.raises(ConditionError, match="too large"):
            parse(text)


# -- the ladder's lead/lag correlations ---------------------------------------------------
def _by_hand_correlations(x: pd.Series, y: pd.Series, max_lag: int) -> list[float]:
    """corr(x_t, y_{t+k}) per lag with pandas' shift and numpy's corrcoef, one lag at a time."""
    frame = pd.concat({"x": x, "y": y}, axis=1, sort=True)
    found = []
    for lag in range(max_lag + 1):
        pair = pd.DataFrame({"x": frame["x"], "y": frame["y"].shift(-lag)}).dropna()
        if len(pair) < 30 or pair["x"].nunique() < 2 or pair["y"].nunique() < 2:
            found.append(math.nan)
            continue
        found.append(float(np.corrcoef(pair["x"], pair["y"])[0, 1]))
    return found


@st.composite
def weekly_pair(draw) -> tuple[pd.Series, pd.Series]:
    """A driver and returns on Fridays, overlapping partly, with holes and constant stretches."""
    length = draw(st.integers(20, 90))
    weeks = pd.date_range("2015-01-02", periods=length, freq="7D")
    values = st.one_of(st.floats(-50, 50, allow_nan=False), st.just(1.5), st.just(math.nan))
    x = pd.Series([draw(values) for _ in weeks], index=weeks, dtype="float64")
    shift = draw(st.integers(0, 10))
    y = pd.Series([draw(values) for _ in weeks], index=weeks + pd.Timedelta(weeks=shift))
    return x, y.astype("float64")


@FAST
@given(weekly_pair(), st.integers(0, 12))
def test_lead_lag_correlations_match_one_lag_at_a_time(pair, max_lag):
    from generator.measure.ladder import lead_lag

    x, y = pair
    got = lead_lag(x, y, max_lag=max_lag).correlations
    expected = _by_hand_correlations(x, y, max_lag)
    assert len(got) == len(expected)
    for lag, (a, b) in enumerate(zip(got, expected, strict=True)):
        assert math.isnan(a) == math.isnan(b), (lag, a, b)
        if not math.isnan(a):
            assert a == pytest.approx(b, abs=1e-9), lag
