"""Pure pandas transforms over date-indexed series.

No files, no config models: each function takes series and numbers and returns a series, so
each can be checked by hand against the snapshot. Series are assumed sorted by date with no
missing values (the evaluator drops gaps before calling in).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from generator.catalogue.grammar import parse_duration

# Calendar spans for exact look-backs ("the value 13 weeks earlier").
_OFFSET = {
    "d": lambda n: pd.DateOffset(days=n),
    "w": lambda n: pd.DateOffset(weeks=n),
    "m": lambda n: pd.DateOffset(months=n),
    "y": lambda n: pd.DateOffset(years=n),
}
# Fixed spans for rolling windows, which pandas needs as a fixed frequency.
_DAYS = {"d": 1.0, "w": 7.0, "m": 30.4375, "y": 365.25}


def offset(duration: str) -> pd.DateOffset:
    """A calendar offset for '13w', '12m', '10y' (the catalogue's duration grammar)."""
    number, unit = parse_duration(duration)
    return _OFFSET[unit](number)


def days(duration: str) -> float:
    number, unit = parse_duration(duration)
    return number * _DAYS[unit]


def _window(periods: int | None, window: str | None) -> str:
    """The window, once we know it is given (the catalogue requires exactly one of the two)."""
    if window is None:
        raise ValueError(f"give either periods or a window (got periods={periods}, window=None)")
    return window


def align(base: pd.Series, other: pd.Series, tolerance_days: int = 7) -> pd.Series:
    """``other`` as known on each date of ``base``: the latest value at most N days old.

    Weekly H.4.1 levels and daily rates are combined on the first operand's dates, so net
    liquidity stays a Wednesday series and a spread stays on SOFR's business days.
    """
    if other.empty or base.empty:
        return pd.Series(np.nan, index=base.index, dtype="float64")
    positions = other.index.searchsorted(base.index, side="right") - 1
    values = np.full(len(base), np.nan)
    found = positions >= 0
    picked = positions[found]
    values[found] = other.to_numpy()[picked]
    age = np.full(len(base), np.inf)
    age[found] = (base.index[found] - other.index[picked]).days
    values[age > tolerance_days] = np.nan
    return pd.Series(values, index=base.index, dtype="float64")


def last_on_or_before(series: pd.Series, when: pd.Timestamp) -> tuple[date | None, float]:
    """The last (date, value) on or before ``when``; (None, NaN) when there is none. On a
    sorted index (every evaluated series) by a binary search, not a mask of every date: the
    pages ask this a few thousand times in a build."""
    index = series.index
    if isinstance(index, pd.DatetimeIndex) and index.is_monotonic_increasing:
        position = int(index.searchsorted(when, side="right"))
        if position == 0:
            return None, float("nan")
        return index[position - 1].date(), float(series.iloc[position - 1])
    earlier = series[index <= when]
    if earlier.empty:
        return None, float("nan")
    return earlier.index[-1].date(), float(earlier.iloc[-1])


def scale(series: pd.Series, factor: float) -> pd.Series:
    return series * factor


def spread(a: pd.Series, b: pd.Series, factor: float = 1.0) -> pd.Series:
    return ((a - align(a, b)) * factor).dropna()


def ratio(a: pd.Series, b: pd.Series) -> pd.Series:
    denominator = align(a, b).replace(0.0, np.nan)
    return (a / denominator).dropna()


def difference(first: pd.Series, *others: pd.Series) -> pd.Series:
    result = first.copy()
    for other in others:
        result = result - align(first, other)
    return result.dropna()


def total(first: pd.Series, *others: pd.Series) -> pd.Series:
    result = first.copy()
    for other in others:
        result = result + align(first, other)
    return result.dropna()


def earlier_positions(index: pd.DatetimeIndex, periods: int | None, window: str | None) -> Any:
    """For each date, the position of the value ``periods`` observations or ``window`` of
    calendar time before it (-1 where there is none). ``measure/lineage`` reads the same
    positions to name the two rows a change subtracted."""
    if periods is not None:
        return np.arange(len(index)) - periods
    span_text = _window(periods, window)
    number, unit = parse_duration(span_text)
    # Days and weeks are fixed spans: a Timedelta is exact and vectorised; months and years
    # need the calendar offset.
    span = pd.Timedelta(days=number * _DAYS[unit]) if unit in "dw" else offset(span_text)
    return index.searchsorted(index - span, side="right") - 1


def _earlier(series: pd.Series, periods: int | None, window: str | None) -> pd.Series:
    """The value ``periods`` observations or ``window`` of calendar time before each date."""
    if periods is not None:
        return series.shift(periods)
    positions = earlier_positions(pd.DatetimeIndex(series.index), periods, window)
    values = np.where(positions >= 0, series.to_numpy()[np.maximum(positions, 0)], np.nan)
    return pd.Series(values, index=series.index, dtype="float64")


def change(series: pd.Series, periods: int | None = None, window: str | None = None) -> pd.Series:
    """Level now minus the level one window earlier (as last known on that earlier date)."""
    return (series - _earlier(series, periods, window)).dropna()


def pct_change(
    series: pd.Series, periods: int | None = None, window: str | None = None
) -> pd.Series:
    """Percent change over the window; 30-day return for prices."""
    before = _earlier(series, periods, window).replace(0.0, np.nan)
    return ((series / before - 1.0) * 100.0).dropna()


def _rolling(series: pd.Series, periods: int | None, window: str | None) -> Any:
    """A pandas Rolling over a count of observations or a span of time."""
    if periods is not None:
        return series.rolling(periods, min_periods=periods)
    return series.rolling(pd.Timedelta(days=days(_window(periods, window))), min_periods=1)


def window_dates(
    index: pd.DatetimeIndex, day: pd.Timestamp, periods: int | None, window: str | None
) -> pd.DatetimeIndex:
    """The dates a rolling window ending on ``day`` reads, as ``_rolling`` reads them: the last
    ``periods`` observations, or the dates in (day - span, day] (pandas' closed-right window)."""
    upto = index[: index.searchsorted(day, side="right")]  # sorted dates: no mask to build
    if periods is not None:
        return upto[-periods:]
    start = day - pd.Timedelta(days=days(_window(periods, window)))
    return upto[upto.searchsorted(start, side="right") :]


def rolling_mean(
    series: pd.Series, periods: int | None = None, window: str | None = None
) -> pd.Series:
    return _rolling(series, periods, window).mean().dropna()


def rolling_sum(
    series: pd.Series, periods: int | None = None, window: str | None = None
) -> pd.Series:
    return _rolling(series, periods, window).sum().dropna()


def rolling_std(
    series: pd.Series, periods: int | None = None, window: str | None = None
) -> pd.Series:
    """Sample standard deviation (n - 1) over the window; a window of one value has none."""
    return _rolling(series, periods, window).std().dropna()


def zscore(series: pd.Series, periods: int | None = None, window: str | None = None) -> pd.Series:
    """Distance from the rolling mean in rolling standard deviations."""
    rolling = _rolling(series, periods, window)
    std = rolling.std().replace(0.0, np.nan)
    return ((series - rolling.mean()) / std).dropna()


def percentile(series: pd.Series, window: str = "all", since: date | None = None) -> pd.Series:
    """Where each value stands in its own history up to that date, 0 to 100.

    Expanding, not whole-sample: the reading on a past date uses only what was known then.
    ``since`` restricts the history to one regime (and the result starts there).
    """
    if since is not None:
        series = series[series.index >= pd.Timestamp(since)]
    if window == "all":
        ranked = series.expanding(min_periods=1).rank(pct=True)
    else:
        ranked = series.rolling(pd.Timedelta(days=days(window)), min_periods=1).rank(pct=True)
    return (ranked * 100.0).dropna()


def count(
    series: pd.Series,
    above: float | None = None,
    below: float | None = None,
    periods: int | None = None,
    window: str | None = None,
) -> pd.Series:
    """How many observations in the window were above (or below) a threshold."""
    hits = (series > above) if above is not None else (series < below)
    return _rolling(hits.astype("float64"), periods, window).sum().dropna()


_FREQ = {"week": "W-FRI", "month": "MS", "quarter": "QS"}


def period_bounds(freq: str, label: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the period ``resample`` labels ``label``: a week ends on its
    Friday label, a month or quarter starts on it."""
    if freq == "week":
        return label - pd.Timedelta(days=6), label
    step = pd.tseries.frequencies.to_offset(_FREQ[freq])
    return label, label + step - pd.Timedelta(days=1)


def weekly_last(series: pd.Series) -> pd.Series:
    """Last value of each week ending Friday, labelled with that Friday; empty weeks are NaN.

    The same result as ``series.resample("W-FRI").last()``, computed with array arithmetic on a
    sorted index: pandas builds anchored weekly bins with a Python loop per week, and even a
    groupby per call made the ladder's hundred weekly resamples a tenth of the build.
    """
    if series.empty:
        return series.resample("W-FRI").last()
    index = pd.DatetimeIndex(series.index)
    fridays = _fridays(index)
    weeks = pd.date_range(fridays.min(), fridays.max(), freq="7D")
    if not index.is_monotonic_increasing:
        last = series.groupby(fridays).last()
        return last.reindex(weeks).rename_axis(series.index.name)
    # Within each Friday's run of rows (the index is sorted), the last row with a value.
    valid = np.flatnonzero(series.notna().to_numpy())
    keys = fridays.asi8[valid]
    ends = valid[np.append(keys[1:] != keys[:-1], True)] if len(valid) else valid
    last = pd.Series(series.to_numpy()[ends], index=fridays[ends], name=series.name)
    return last.reindex(weeks).rename_axis(series.index.name)


def last_of_week(index: pd.DatetimeIndex) -> Any:
    """A mask of each week's last date (weeks ending Friday) over a sorted index: the rows
    ``frame.groupby(pd.Grouper(freq="W-FRI")).tail(1)`` keeps, without a groupby per chart
    (those were a tenth of a 200-indicator build)."""
    weeks = _fridays(index).asi8
    return np.append(weeks[1:] != weeks[:-1], True) if len(weeks) else np.zeros(0, dtype=bool)


def _fridays(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The Friday ending each date's week, in whole days (1 Jan 1970 was a Thursday)."""
    if index.tz is not None:
        return index.normalize() + pd.to_timedelta((4 - index.day_of_week) % 7, unit="D")
    days = index.to_numpy().astype("datetime64[D]")
    weekday = (days.view("int64") + 3) % 7  # Monday 0 ... Sunday 6
    return pd.DatetimeIndex((days + (4 - weekday) % 7).astype(index.dtype))


def resample(
    series: pd.Series,
    freq: str,
    how: str = "last",
    complete_only: bool = False,
    empty_as_zero: bool = False,
) -> pd.Series:
    """Bucket by calendar period, labelled by the period's first day (weeks: the Friday).

    With ``complete_only`` only whole periods are kept: the first is dropped when the data
    starts after its first business day (purchases that began on 12 December make December a
    partial month), the last unless the data reaches its final three days. A half-month of
    purchases is not a monthly pace. With ``empty_as_zero`` a period without observations sums
    to zero instead of vanishing, so a month with no purchases shows as 0, not as a gap.
    """
    grouped = series.resample(_FREQ[freq])
    result = getattr(grouped, how)()
    if how == "sum" and not empty_as_zero:
        # A period with no observation is missing, not zero.
        result = result[grouped.count() > 0]
    if how == "sum" and empty_as_zero:
        result = result.fillna(0.0)
    result = result.dropna()
    if complete_only and len(result):
        offset = pd.tseries.frequencies.to_offset(_FREQ[freq])
        first = result.index[0]
        begins = first - pd.Timedelta(days=6) if freq == "week" else first
        if series.index[0] > begins + pd.offsets.BusinessDay(0):
            result = result.iloc[1:]
    if complete_only and len(result):
        start = result.index[-1]
        end = start if freq == "week" else start + offset - pd.Timedelta(days=1)
        if series.index[-1] < end - pd.Timedelta(days=2):
            result = result.iloc[:-1]
    return result


def splice(before: pd.Series | None, after: pd.Series, at: pd.Timestamp) -> pd.Series:
    """``before`` up to the day before ``at``, ``after`` from ``at`` on."""
    head = before[before.index < at] if before is not None else before
    tail = after[after.index >= at]
    if head is None or head.empty:
        return tail
    return pd.concat([head, tail])


def drawdown(series: pd.Series) -> pd.Series:
    """Percent below the running peak (0 at a new high)."""
    return ((series / series.cummax() - 1.0) * 100.0).dropna()


def rate_for(values: pd.Series, rate: pd.Series, rate_on: str = "date") -> pd.Series:
    """The exchange rate each value is converted at: the rate of its own date or the last
    before it (at most 7 days older, so a rate series that stopped gives gaps, not a stale
    rate); with ``month_end`` the rate of the last day of the value's month, for a month-end
    level dated on the 1st (the BoJ's and PBoC's monthly totals)."""
    if rate_on == "date" or values.empty:
        return align(values, rate)
    ends = pd.DatetimeIndex(values.index) + pd.offsets.MonthEnd(0)
    found = align(pd.Series(0.0, index=ends), rate)
    return pd.Series(found.to_numpy(), index=values.index, dtype="float64")


def convert(
    values: pd.Series, rate: pd.Series, how: str, factor: float = 1.0, rate_on: str = "date"
) -> pd.Series:
    """Local currency into another: value x rate (or / rate), times ``factor``."""
    fx = rate_for(values, rate, rate_on).replace(0.0, np.nan)
    converted = values * fx if how == "multiply" else values / fx
    return (converted * factor).dropna()


def fx_split(
    values: pd.Series,
    rate: pd.Series,
    how: str,
    part: str,
    factor: float = 1.0,
    rate_on: str = "date",
    window: str = "1m",
) -> pd.Series:
    """One part of the change of ``convert(values, rate)`` over ``window``.

    With level L and conversion X (the rate, or its inverse, times ``factor``) the converted
    value is L x X and its change L1 X1 - L0 X0 = (L1 - L0)(X0 + X1)/2 + (X1 - X0)(L0 + L1)/2
    exactly: the first term is the balance sheet moving at the mean of the two rates, the
    second the exchange rate moving under the mean of the two levels. Symmetric, so neither
    part depends on which is taken to move first. The earlier value must be dated exactly one
    window before (a month missing at the source gives no change, never a two-month one)."""
    fx = rate_for(values, rate, rate_on).replace(0.0, np.nan)
    per_unit = (fx if how == "multiply" else 1.0 / fx) * factor
    frame = pd.DataFrame({"level": values, "x": per_unit}).dropna()
    earlier = frame.reindex(pd.DatetimeIndex(frame.index) - offset(window))
    level0, x0 = earlier["level"].to_numpy(), earlier["x"].to_numpy()
    level1, x1 = frame["level"].to_numpy(), frame["x"].to_numpy()
    if part == "balance_sheet":
        parts = (level1 - level0) * (x0 + x1) / 2.0
    else:
        parts = (x1 - x0) * (level0 + level1) / 2.0
    return pd.Series(parts, index=frame.index, dtype="float64").dropna()


def breadth(
    first: pd.Series, *others: pd.Series, periods: int | None = None, window: str | None = None
) -> pd.Series:
    """Percent of the series whose value rose over the window, on ``first``'s dates where
    every series has a value now and one window earlier (each other series as last known on
    each date, at most 7 days old; with ``window`` the earlier value dated exactly one window
    before, so a month missing at the source leaves a gap rather than a longer change)."""
    rose = []
    for series in (first, *others):
        aligned = (series if series is first else align(first, series)).dropna()
        if periods is not None:
            before = aligned.shift(periods)
        else:
            lookup = pd.DatetimeIndex(aligned.index) - offset(_window(periods, window))
            before = pd.Series(aligned.reindex(lookup).to_numpy(), index=aligned.index)
        rose.append(aligned - before)
    frame = pd.concat(rose, axis=1).dropna()
    return ((frame > 0).sum(axis=1) / len(rose) * 100.0).astype("float64")
