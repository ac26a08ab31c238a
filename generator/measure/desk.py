"""The Desk's purchase periods measured: what it bought, what it reinvested, what it added.

Since December 2025 every outright bill purchase of the New York Fed's Desk is one of two
things: a reserve management purchase (RMP), which grows the balance sheet, or the reinvestment
of the principal the Fed's agency MBS pay down, which only replaces it. The operation results
(``FED_RMP_BILL_PURCHASES``) hold both. The MBS holdings (``WSHOMCB``) fall by the principal
paid down, so per Desk period

    RMP = bills bought in the period - fall in MBS holdings over the period.

The fall is measured between the Wednesday levels on or before the day before the period began
and on or before its last day. Paydowns settle around the 25th, inside the period that runs
mid-month to mid-month, which is the period whose schedule the Desk sized to reinvest them.

Periods listed in ``desk:`` are taken as written; later ones are derived here from the
announcement rule (the n-th business day of each month, Federal Reserve holidays excluded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from generator.catalogue.desk import DeskConfig
from generator.snapshot.holidays import holidays as _holidays


def business_day(year: int, month: int, n: int) -> date:
    """The n-th business day of a month (weekdays that are not Federal Reserve holidays)."""
    day = date(year, month, 1)
    count = 0
    while True:
        if day.weekday() < 5 and day not in _holidays(year):
            count += 1
            if count == n:
                return day
        day += timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    announced: date
    rmp: float | None = None  # announced, bn USD
    source: str | None = None
    derived: bool = False  # continued by the rule, not listed in desk:

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def periods(desk: DeskConfig, through: date) -> list[Period]:
    """The listed periods and, after them, derived ones up to the period holding ``through``."""
    found = [
        Period(p.start, p.end, p.announced, p.rmp, p.source, derived=False) for p in desk.periods
    ]
    while found[-1].end < through:
        last = found[-1]
        following = last.end + timedelta(days=32)
        end = business_day(following.year, following.month, desk.announce_business_day)
        if end <= last.end:  # a listed period that ran past the next month's announcement
            following += timedelta(days=31)
            end = business_day(following.year, following.month, desk.announce_business_day)
        found.append(Period(last.end + timedelta(days=1), end, last.end, derived=True))
    return found


def per_period(series: pd.Series, spans: list[Period], how: str) -> pd.Series:
    """A flow summed, or a level's fall, per complete period, dated on the period's last day.

    A period is complete once the series has an observation after its end: the data has moved
    on, so no operation of the period can still be missing."""
    index = pd.DatetimeIndex([], name="date")
    if series.empty:
        return pd.Series(dtype="float64", index=index)
    dates = series.index.to_numpy(dtype="datetime64[ns]")
    values = series.to_numpy(dtype="float64")
    last = dates[-1]
    out_dates: list[pd.Timestamp] = []
    out_values: list[float] = []
    for span in spans:
        start = np.datetime64(span.start, "ns")
        end = np.datetime64(span.end, "ns")
        if last <= end:
            break
        if how == "sum":
            inside = (dates >= start) & (dates <= end)
            total = float(values[inside].sum())
        else:
            before = np.searchsorted(dates, start, side="left") - 1  # on or before start - 1 day
            upto = np.searchsorted(dates, end, side="right") - 1
            if before < 0:
                continue
            total = float(values[before] - values[upto])
        out_dates.append(pd.Timestamp(span.end))
        out_values.append(total)
    return pd.Series(out_values, index=pd.DatetimeIndex(out_dates, name="date"), dtype="float64")


def boundary_problems(operations: pd.Series, spans: list[Period], days: int) -> list[str]:
    """Operations within ``days`` of a period boundary: the last ``days`` days of a period or
    the first ``days`` of the next. The periods are derived from a rule; an operation there
    means the Desk's rhythm changed and the grouping can no longer be trusted."""
    problems: list[str] = []
    if operations.empty or days == 0:
        return problems
    dates = [d.date() for d in operations.index]
    for span in spans[:-1]:
        low = span.end - timedelta(days=days - 1)
        high = span.end + timedelta(days=days)
        near = [d for d in dates if low <= d <= high]
        for day in near:
            problems.append(
                f"an operation on {day.isoformat()} falls within {days} days of the boundary "
                f"after the Desk period ending {span.end.isoformat()}: the periods no longer "
                "match the Desk's schedule; list the real period under desk: in indicators.yml"
            )
    return problems


@dataclass(frozen=True)
class PeriodRow:
    """One complete period: what was bought, reinvested and added, and the cross-checks."""

    period: Period
    bought: float
    reinvested: float
    checks: dict[str, float]  # column -> change of a level over the period, bn USD

    @property
    def rmp(self) -> float:
        return self.bought - self.reinvested


def table(
    spans: list[Period],
    bought: pd.Series,
    reinvested: pd.Series,
    checks: dict[str, pd.Series] | None = None,
) -> list[PeriodRow]:
    """The complete periods that have both purchases and a reinvestment figure.

    ``checks`` are levels in bn USD (Treasury holdings, total assets): their change over the
    same span says whether the bills were really added to the balance sheet."""
    by_end = {span.end: span for span in spans}
    rows = []
    for when, value in bought.items():
        span = by_end.get(when.date())
        if span is None or when not in reinvested.index:
            continue
        changes = {}
        for column, level in (checks or {}).items():
            fall = per_period(level, [span], "fall")
            changes[column] = -float(fall.iloc[0]) if len(fall) else math.nan
        rows.append(PeriodRow(span, float(value), float(reinvested[when]), changes))
    return rows


@dataclass(frozen=True)
class UnderWay:
    """The period under way on a day, as far as it had gone."""

    period: Period
    bought: float
    reinvested: float
    share: float  # of the period's days gone, 0-1
    last: date | None  # the last operation so far

    @property
    def rmp(self) -> float:
        return self.bought - self.reinvested


def under_way(desk: DeskConfig, flows: pd.Series, level: pd.Series, day: date) -> UnderWay | None:
    """The period holding ``day``: bills bought and MBS paid down in it up to ``day`` (from the
    data published by then), and the share of its days gone."""
    spans = periods(desk, day)
    span = next((s for s in spans if s.start <= day <= s.end), None)
    if span is None:
        return None
    start, cut = pd.Timestamp(span.start), pd.Timestamp(day)
    inside = flows[(flows.index >= start) & (flows.index <= cut)]
    before = level[level.index < start]
    upto = level[level.index <= cut]
    reinvested = float(before.iloc[-1] - upto.iloc[-1]) if len(before) and len(upto) else math.nan
    share = ((day - span.start).days + 1) / span.days
    last = inside.index[-1].date() if len(inside) else None
    return UnderWay(span, float(inside.sum()), reinvested, share, last)
