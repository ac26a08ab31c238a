"""The Federal Reserve's holidays and business days: one calendar for the stages that count
business days (the Desk's periods in ``measure/desk.py``, release dates in
``snapshot/releases.py``), kept in the snapshot stage so both may import it."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from pandas.tseries.holiday import (
    MO,
    AbstractHolidayCalendar,
    Holiday,
    USLaborDay,
    USMartinLutherKingJr,
    USMemorialDay,
    USPresidentsDay,
    USThanksgivingDay,
    sunday_to_monday,
)
from pandas.tseries.offsets import DateOffset


class FedHolidays(AbstractHolidayCalendar):  # type: ignore[misc]  # pandas is untyped
    """The Federal Reserve's holidays: a holiday on a Sunday is observed on the Monday; one on
    a Saturday is not observed (the Reserve Banks open on the Friday before), unlike the federal
    government's calendar, which closes on that Friday."""

    rules = [
        Holiday("New Year's Day", month=1, day=1, observance=sunday_to_monday),
        USMartinLutherKingJr,
        USPresidentsDay,
        USMemorialDay,
        Holiday(
            "Juneteenth", month=6, day=19, start_date="2022-01-01", observance=sunday_to_monday
        ),
        Holiday("Independence Day", month=7, day=4, observance=sunday_to_monday),
        USLaborDay,
        Holiday("Columbus Day", month=10, day=1, offset=DateOffset(weekday=MO(2))),
        Holiday("Veterans Day", month=11, day=11, observance=sunday_to_monday),
        USThanksgivingDay,
        Holiday("Christmas Day", month=12, day=25, observance=sunday_to_monday),
    ]


@lru_cache(maxsize=64)
def holidays(year: int) -> frozenset[date]:
    days = FedHolidays().holidays(date(year, 1, 1), date(year, 12, 31))
    return frozenset(day.date() for day in days)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def next_business_day(day: date) -> date:
    """``day`` itself when it is a business day, else the first one after it."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day
