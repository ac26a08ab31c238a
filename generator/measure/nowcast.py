"""This week's reserves and net liquidity before the H.4.1 says them: a nowcast from daily data.

Why: the Board publishes the week's balance sheet on Thursday at 16:30 ET for the week to
Wednesday, but most of what moves reserves in between is published daily: the Treasury's cash
account (the Daily Treasury Statement, about 16:00 ET the next business day), the overnight
reverse repo (the NY Fed's results, about 13:15 ET the same day) and the Desk's bill purchases
(per operation, settling the next business day). A TGA that jumps 150 bn USD on a tax date is
known days before the H.4.1 that shows reserves falling by as much.

The estimate of week W (Thursday W-6 to Wednesday W), made on day D, starts from the last
published H.4.1 week W0 = W - 7 and adds the changes since, each aligned as the H.4.1 defines
the figure it estimates (the ids are the defaults of ``nowcast: series:`` in
``indicators.yml``, which names the series of each part; the code knows only the parts):

- **reserves** (WRESBAL, the week average of the seven calendar days to Wednesday, as the
  reserves card and chart show it) = WRESBAL(W0) + change in the week-average Fed assets
  (purchases settled) - change in the week-average TGA - change in the week-average ON RRP;
- **reserves_wednesday** (WRBWFRBL, the Wednesday close) = WRBWFRBL(W0) + purchases settled
  in (W0, W] - change in the TGA from W0 to W - change in ON RRP from W0 to W;
- **net_liquidity** (as the net-liquidity indicator defines it: WALCL on Wednesday less the
  week-average TGA, WTREGEN, less ON RRP on the Wednesday) = WALCL(W0) + purchases settled in
  (W0, W] - the week-average TGA from the DTS - ON RRP on W.

Week averages count every calendar day, a weekend or holiday carrying the previous business
day's balance (WTREGEN equals the DTS average computed so to within 1 mn USD on every week
since May 2022). Days of week W not yet published carry the last balance known on D
(persistence). What is left out, and so in the error: the Standing Repo Facility and the
discount window, float, currency in circulation, the foreign repo pool, other deposits, and
every change in the Fed's assets other than the bill purchases (runoff of maturing securities,
MBS paydowns, loans); the Desk's purchases are counted only once an operation's results are
out (the schedule ahead is not in the snapshot).

Only data known on D is used (``known``): H.4.1 weeks from the Thursday after (the
``published_after:`` of ``indicators.yml``), a DTS balance from the next business day, ON RRP
and purchase results from their own day, each series as its revision file says it stood. The
backtest scores, for every published week since the DTS covers a whole base week (May 2022),
the estimates made on the Friday after the previous release, on the Wednesday itself and on
the release Thursday before 16:30 ET (the DTS of Wednesday is out at 16:00 ET; the H.4.1 is
not), against the figures as first published, beside the naive estimate "no change".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd
from pandas.tseries.offsets import CustomBusinessDay

from generator.catalogue.models import Config
from generator.catalogue.nowcast import TARGETS as TARGETS
from generator.catalogue.nowcast import NowcastSeries
from generator.snapshot import vintages
from generator.snapshot.holidays import FedHolidays
from generator.snapshot.load import Snapshot
from generator.snapshot.store import Store
from generator.snapshot.vintages import Revision

# The inputs are keyed by their part in the estimate, never by series id: ``nowcast: series:``
# in indicators.yml names the series of each part (``catalogue/nowcast.py``).
# The H.4.1 parts (millions USD, dated on the Wednesday, known on the Thursday after).
H41 = ("reserves", "reserves_wednesday", "fed_assets", "tga_week")
TGA, RRP, BILLS = "tga_daily", "rrp", "purchases"
DAILY = (TGA, RRP, BILLS)
PARTS = H41 + DAILY
# Estimates scored per week: made on W-5 (the Friday after the previous release), on W and on
# the release Thursday W+1 before the H.4.1 (daily data of that day, no H.4.1 of week W).
HORIZONS = {"friday": -5, "wednesday": 0, "release": 1}
H41_LAG = 1  # calendar days; used when indicators.yml gives no published_after
BUSINESS_DAY = CustomBusinessDay(calendar=FedHolidays())


@dataclass
class Inputs:
    """The series the nowcast reads, keyed by part (``PARTS``), today's vintage, with their
    revision files and lags."""

    series: dict[str, pd.Series]
    revisions: dict[str, list[Revision]] = field(default_factory=dict)
    lags: dict[str, int] = field(default_factory=dict)
    # The day each row of today's vintage became known when the series was never revised
    # (the date plus its lag; a DTS balance the next business day), so that cutting a
    # series for each of the backtest's estimates is one comparison.
    released: dict[str, pd.DatetimeIndex] = field(init=False, repr=False)
    arrays: dict[str, tuple[np.ndarray, np.ndarray]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.released = {}
        self.arrays = {sid: _arrays(values) for sid, values in self.series.items()}
        for sid, values in self.series.items():
            if sid == TGA:
                days = pd.DatetimeIndex([next_business_day(d) for d in values.index])
            elif sid in H41:
                days = values.index + pd.Timedelta(days=self.lags.get(sid, H41_LAG))
            else:
                days = values.index
            self.released[sid] = days


@dataclass(frozen=True)
class Estimate:
    """One nowcast: values in bn USD for ``TARGETS``, the base week it started from and how
    many of the target week's seven days had a published TGA balance."""

    week: date  # the Wednesday estimated
    made_on: date
    base_week: date  # the last H.4.1 week known on made_on
    values: dict[str, float]
    base: dict[str, float]  # the same quantities in the base week, as published
    tga_through: date  # last DTS balance used
    rrp_through: date
    days_observed: int  # days of the target week (of 7) with a DTS balance known


def gather(config: Config, snapshot: Snapshot, store: Store) -> Inputs:
    """The nowcast's inputs, keyed by part, each read from the series ``nowcast: series:``
    names: from the snapshot when an indicator reads it, else from the store as the manifest
    records it. Lags: ``published_after:`` where declared, one day for the H.4.1 parts
    otherwise. No inputs when ``nowcast:`` is null."""
    series: dict[str, pd.Series] = {}
    revisions: dict[str, list[Revision]] = {}
    lags: dict[str, int] = {}
    if config.nowcast is None:
        return Inputs(series)
    for part, sid in series_ids(config.nowcast.series).items():
        spec = config.series.get(sid)
        if sid in snapshot.series:
            series[part] = snapshot.series[sid]
            revisions[part] = snapshot.revisions.get(sid, [])
        else:
            record = store.records.get(sid)
            if record is None or not store.exists(record.source, sid):
                continue
            series[part] = store.load(record.source, sid).dropna()
            revisions[part] = store.load_revisions(record.source, sid)
        if spec is not None:
            lags[part] = spec.published_after
        elif part in H41:
            lags[part] = H41_LAG
    return Inputs(series, revisions, lags)


def series_ids(names: NowcastSeries) -> dict[str, str]:
    """Part -> the series id that plays it, in ``PARTS`` order."""
    parts = names.parts()
    return {part: parts[part] for part in PARTS}


def next_business_day(day: pd.Timestamp) -> pd.Timestamp:
    """The Federal Reserve's next business day after ``day`` (weekends and holidays skipped)."""
    return pd.Timestamp(day) + BUSINESS_DAY


Arrays = dict[str, tuple[np.ndarray, np.ndarray]]  # id -> (datetime64[ns] dates, float64 values)


def known(inputs: Inputs, daily_on: date, h41_on: date | None = None) -> dict[str, pd.Series]:
    """Each series as known on its day: the H.4.1 on ``h41_on`` (default ``daily_on``), the
    daily series on ``daily_on``. A DTS balance is published the next business day; ON RRP and
    purchase results on their own day. Values revised since are read back from the revision
    files (``snapshot.vintages.as_of``)."""
    arrays = _known_arrays(inputs, daily_on, h41_on)
    return {
        sid: pd.Series(values, index=pd.DatetimeIndex(stamps, name="date"), dtype="float64")
        for sid, (stamps, values) in arrays.items()
    }


def _known_arrays(inputs: Inputs, daily_on: date, h41_on: date | None = None) -> Arrays:
    h41_on = daily_on if h41_on is None else h41_on
    out: Arrays = {}
    for sid, values in inputs.series.items():
        day = h41_on if sid in H41 else daily_on
        revised = inputs.revisions.get(sid, [])
        if not revised:  # released days ascend with the dates: a prefix
            count = inputs.released[sid].searchsorted(pd.Timestamp(day), side="right")
            stamps, data = inputs.arrays[sid]
            out[sid] = (stamps[:count], data[:count])
            continue
        lag = inputs.lags.get(sid, H41_LAG) if sid in H41 else 0
        kept = vintages.as_of(values, revised, lag, day).dropna()
        if sid == TGA and not kept.empty:  # released the next business day
            kept = kept[[next_business_day(d) <= pd.Timestamp(day) for d in kept.index]]
        out[sid] = _arrays(kept)
    return out


def _arrays(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    return values.index.to_numpy(dtype="datetime64[ns]"), values.to_numpy(dtype="float64")


def _path(series: tuple[np.ndarray, np.ndarray], days: np.ndarray) -> np.ndarray:
    """The value on each of ``days`` (datetime64), each calendar day carrying the last value at
    or before it (weekends, holidays, and days not yet published); NaN before the first."""
    stamps, data = series
    where = np.searchsorted(stamps, days, side="right") - 1
    return np.where(where >= 0, data[np.maximum(where, 0)], np.nan)


@lru_cache(maxsize=4096)
def _settlement(day: np.datetime64) -> np.datetime64:
    return np.datetime64(next_business_day(pd.Timestamp(day)), "ns")


def _settled(bills: tuple[np.ndarray, np.ndarray] | None, days: np.ndarray) -> np.ndarray:
    """Purchases (bn USD) cumulated by settlement day (the next business day after the
    operation) on each of ``days``, counted from zero before the first."""
    if bills is None or len(bills[0]) == 0:
        return np.zeros(len(days))
    settle = np.array([_settlement(d) for d in bills[0]], dtype="datetime64[ns]")
    amounts = bills[1]
    return np.array([amounts[(settle > days[0]) & (settle <= d)].sum() for d in days])


def _at(series: tuple[np.ndarray, np.ndarray], stamp: np.datetime64) -> float | None:
    """The value dated exactly ``stamp``, or None."""
    stamps, data = series
    where = int(np.searchsorted(stamps, stamp))
    if where < len(stamps) and stamps[where] == stamp:
        return float(data[where])
    return None


def estimate(data: Mapping[str, pd.Series], made_on: date) -> Estimate | None:
    """The nowcast of the week after the last H.4.1 week in ``data`` (already cut to what was
    known on ``made_on``), or None when an input is missing or the DTS does not cover the
    base week."""
    return _estimate({sid: _arrays(values) for sid, values in data.items()}, made_on)


def _estimate(data: Arrays, made_on: date) -> Estimate | None:
    if any(sid not in data or len(data[sid][0]) == 0 for sid in (*H41, TGA, RRP)):
        return None
    common = data[H41[0]][0][-8:]
    for sid in H41[1:]:
        common = np.intersect1d(common, data[sid][0][-8:])
    weeks = pd.DatetimeIndex(common)
    weeks = weeks[weeks.day_of_week == 2]
    if weeks.empty:
        return None
    base = weeks[-1]
    week = base + pd.Timedelta(days=7)
    start = base - pd.Timedelta(days=6)  # the base week's Thursday
    days = np.arange(14, dtype="timedelta64[D]") + np.datetime64(start, "ns")
    tga = _path(data[TGA], days) / 1000.0
    rrp = _path(data[RRP], days)
    if np.isnan(tga).any() or np.isnan(rrp).any() or data[TGA][0][0] > days[0]:
        return None
    assets = _settled(data.get(BILLS), days)

    def change(path: np.ndarray) -> float:
        """Week average of the target week less that of the base week."""
        return float(path[7:].mean() - path[:7].mean())

    stamp = np.datetime64(base, "ns")
    at = {s: float(_at(data[s], stamp) or 0.0) / 1000.0 for s in H41}
    settled = float(assets[-1] - assets[6])
    values = {
        "reserves": at["reserves"] + change(assets) - change(tga) - change(rrp),
        "reserves_wednesday": at["reserves_wednesday"]
        + settled
        - float(tga[-1] - tga[6])
        - float(rrp[-1] - rrp[6]),
        "net_liquidity": at["fed_assets"] + settled - float(tga[7:].mean()) - float(rrp[-1]),
    }
    published = {
        "reserves": at["reserves"],
        "reserves_wednesday": at["reserves_wednesday"],
        "net_liquidity": at["fed_assets"] - at["tga_week"] - float(rrp[6]),
    }
    tga_last = pd.Timestamp(data[TGA][0][-1])
    return Estimate(
        week=week.date(),
        made_on=made_on,
        base_week=base.date(),
        values=values,
        base=published,
        tga_through=tga_last.date(),
        rrp_through=pd.Timestamp(data[RRP][0][-1]).date(),
        days_observed=int(min(max((tga_last - start).days - 6, 0), 7)),
    )


def nowcast(inputs: Inputs, made_on: date) -> Estimate | None:
    """The estimate a reader sees on ``made_on``: every input as known that day."""
    return _estimate(_known_arrays(inputs, made_on), made_on)


def published_figures(inputs: Inputs, week: date) -> dict[str, float] | None:
    """Week ``week``'s figures as first published, on its release day (the H.4.1 and ON RRP
    as known then), in bn USD; None when the week is not published in full."""
    release = week + timedelta(days=inputs.lags.get("fed_assets", H41_LAG))
    data = _known_arrays(inputs, release)
    stamp = np.datetime64(pd.Timestamp(week), "ns")
    found = {s: _at(data[s], stamp) if s in data else None for s in H41}
    if RRP not in data:
        return None
    rrp_stamps, rrp_values = data[RRP]
    where = int(np.searchsorted(rrp_stamps, stamp, side="right")) - 1
    if where < 0 or (stamp - rrp_stamps[where]) > np.timedelta64(7, "D"):
        return None
    at = {s: value / 1000.0 for s, value in found.items() if value is not None}
    if len(at) < len(H41):
        return None
    return {
        "reserves": at["reserves"],
        "reserves_wednesday": at["reserves_wednesday"],
        "net_liquidity": at["fed_assets"] - at["tga_week"] - float(rrp_values[where]),
    }


def backtest(inputs: Inputs, since: date | None = None) -> pd.DataFrame:
    """One row per published week, horizon and target: ``week``, ``made_on``, ``horizon``,
    ``target``, ``estimate``, ``published``, ``error`` (estimate - published) and
    ``naive_error`` (the last published week's figure - published), bn USD. An estimate made
    on the release day reads the H.4.1 as known the day before (the release is at 16:30 ET,
    after the DTS)."""
    rows: list[dict[str, object]] = []
    if any(sid not in inputs.series for sid in (*H41, TGA, RRP)):
        return _frame(rows)
    first = inputs.series[TGA].index[0] + pd.Timedelta(days=13)
    weeks = inputs.series["reserves"].index
    weeks = weeks[(weeks >= first) & (weeks.day_of_week == 2)]
    if since is not None:
        weeks = weeks[weeks >= pd.Timestamp(since)]
    for stamp in weeks:
        week = stamp.date()
        truth = published_figures(inputs, week)
        if truth is None:
            continue
        for horizon, offset in HORIZONS.items():
            made_on = week + timedelta(days=offset)
            h41_on = made_on - timedelta(days=1) if offset > 0 else made_on
            guess = _estimate(_known_arrays(inputs, made_on, h41_on), made_on)
            if guess is None or guess.week != week:
                continue
            for target in TARGETS:
                rows.append(
                    {
                        "week": week,
                        "made_on": made_on,
                        "horizon": horizon,
                        "target": target,
                        "estimate": guess.values[target],
                        "published": truth[target],
                        "error": guess.values[target] - truth[target],
                        "naive_error": guess.base[target] - truth[target],
                    }
                )
    return _frame(rows)


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    columns = [
        "week",
        "made_on",
        "horizon",
        "target",
        "estimate",
        "published",
        "error",
        "naive_error",
    ]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class Score:
    """Absolute errors of one target at one horizon, bn USD, with the naive estimate's MAE."""

    target: str
    horizon: str
    n: int
    mae: float
    median: float
    p90: float
    naive_mae: float
    first: date
    last: date


def scores(errors: pd.DataFrame) -> list[Score]:
    """Mean, median and 90th percentile (linear interpolation) of the absolute errors per
    target and horizon, in ``TARGETS`` and ``HORIZONS`` order."""
    out: list[Score] = []
    for target in TARGETS:
        for horizon in HORIZONS:
            part = errors[(errors["target"] == target) & (errors["horizon"] == horizon)]
            if part.empty:
                continue
            absolute = part["error"].abs().to_numpy(dtype="float64")
            out.append(
                Score(
                    target=target,
                    horizon=horizon,
                    n=len(part),
                    mae=float(absolute.mean()),
                    median=float(np.median(absolute)),
                    p90=float(np.percentile(absolute, 90)),
                    naive_mae=float(part["naive_error"].abs().mean()),
                    first=min(part["week"]),
                    last=max(part["week"]),
                )
            )
    return out
