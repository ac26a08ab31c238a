"""Release schedules as data (``catalogue/releases.py``, ``snapshot/releases.py``) and
``clock.now()``: rules parsed and refused with a hint, dates derived by rule across holidays
and daylight saving, FRED's stored calendar winning where it reaches. Expected dates are
written out by hand or recomputed here from the weekday and the Fed's holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.catalogue.load import load_config
from generator.catalogue.messages import ConfigError
from generator.catalogue.releases import ReleaseConfig, parse_rule
from generator.snapshot import clock
from generator.snapshot.holidays import holidays
from generator.snapshot.releases import (
    ReleaseDatesError,
    Schedule,
    load_schedule,
    parse_release_dates_csv,
    release_dates_to_csv,
    rule_dates,
)
from tests.conftest import FIXTURE

H41 = parse_rule("weekly Thursday 16:30 America/New_York")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind", "weekday", "nth", "at"),
    [
        ("business days 08:00 America/New_York", "business", None, None, time(8, 0)),
        ("weekly Thursday 16:30 America/New_York", "weekly", 3, None, time(16, 30)),
        ("monthly first Wednesday 08:15 America/New_York", "monthly", 2, 1, time(8, 15)),
        ("monthly last Friday 10:00 UTC", "monthly", 4, -1, time(10, 0)),
        ("daily 00:10 UTC", "daily", None, None, time(0, 10)),
        ("weekdays 16:30 America/New_York", "weekdays", None, None, time(16, 30)),
    ],
)
def test_rules_parse(text, kind, weekday, nth, at):
    rule = parse_rule(text)
    assert (rule.kind, rule.weekday, rule.nth, rule.at) == (kind, weekday, nth, at)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("weekly Thurday 16:30 UTC", "did you mean 'Thursday'"),
        ("weekly Thursday 4pm UTC", "is not a time of day"),
        ("weekly Thursday 16:30 Mars/Olympus", "is not an IANA time zone"),
        ("daily 10:00 America", "is not an IANA time zone"),  # a folder of the zone files
        ("daily 10:00 " + "a" * 300, "is not an IANA time zone"),
        ("daily 10:00 ../../etc/passwd", "is not an IANA time zone"),
        ("monthly fifth Monday 08:00 UTC", "is not one of first, second"),
        ("fortnightly 08:00 UTC", "is not a release rule"),
        ("08:00", "is not a release rule"),
    ],
)
def test_bad_rules_are_refused_with_a_hint(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_rule(text)


def test_the_h41_moves_to_friday_when_thursday_is_a_holiday():
    days = rule_dates(H41, date(2024, 1, 1), date(2026, 12, 31))
    # by hand: Independence Day 2024 (Thu), Thanksgiving every year, Christmas 2025 and New
    # Year's Day 2026 (both Thursdays)
    for thursday, friday in [
        (date(2024, 7, 4), date(2024, 7, 5)),
        (date(2024, 11, 28), date(2024, 11, 29)),
        (date(2025, 11, 27), date(2025, 11, 28)),
        (date(2025, 12, 25), date(2025, 12, 26)),
        (date(2026, 1, 1), date(2026, 1, 2)),
        (date(2026, 11, 26), date(2026, 11, 27)),
    ]:
        assert thursday not in days and friday in days
    # every other week: its Thursday
    for day in days:
        thursday = day - timedelta(days=day.weekday() - 3)
        assert day == thursday or (thursday in holidays(thursday.year) and day.weekday() == 4)


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2022, 1, 1), max_value=date(2030, 12, 31)))
def test_every_week_has_one_h41_on_a_business_day(start):
    days = rule_dates(H41, start, start + timedelta(days=70))
    assert 9 <= len(days) <= 11
    for day in days:
        assert day.weekday() in (3, 4) and day not in holidays(day.year)
    for earlier, later in zip(days, days[1:], strict=False):
        assert 6 <= (later - earlier).days <= 8


def test_the_rule_time_follows_daylight_saving():
    schedule = Schedule({"sofr": release("business days 08:00 America/New_York")}, fred_dates={})
    summer = schedule.next_after("sofr", utc(2026, 8, 26, 0, 0))
    winter = schedule.next_after("sofr", utc(2026, 12, 2, 0, 0))
    assert summer is not None and summer.at == utc(2026, 8, 26, 12, 0)  # 08:00 EDT
    assert winter is not None and winter.at == utc(2026, 12, 2, 13, 0)  # 08:00 EST


def test_monthly_first_wednesday_by_hand():
    rule = parse_rule("monthly first Wednesday 08:15 America/New_York")
    assert rule_dates(rule, date(2026, 1, 1), date(2026, 6, 30)) == [
        date(2026, 1, 7),
        date(2026, 2, 4),
        date(2026, 3, 4),
        date(2026, 4, 1),
        date(2026, 5, 6),
        date(2026, 6, 3),
    ]


def release(rule: str, fred: int | None = None) -> ReleaseConfig:
    return ReleaseConfig(name="X", title="X release", rule=rule, fred=fred)


def test_fred_calendar_wins_where_it_reaches_and_the_rule_beyond():
    # FRED lists the H.4.1 of 2026-08-28 (a Friday: a made-up move) and stops on 2026-09-03
    fred_days = [date(2026, 8, 20), date(2026, 8, 28), date(2026, 9, 3)]
    schedule = Schedule({"h41": release(H41_TEXT, fred=20)}, {20: fred_days})
    found = schedule.occurrences("h41", date(2026, 8, 1), date(2026, 9, 30))
    assert [(o.at.date(), o.basis) for o in found] == [
        (date(2026, 8, 6), "rule"),
        (date(2026, 8, 13), "rule"),
        (date(2026, 8, 20), "fred"),
        (date(2026, 8, 28), "fred"),
        (date(2026, 9, 3), "fred"),
        (date(2026, 9, 10), "rule"),
        (date(2026, 9, 17), "rule"),
        (date(2026, 9, 24), "rule"),
    ]
    assert all(o.at.time() == time(20, 30) for o in found)  # 16:30 EDT
    latest = schedule.latest_before("h41", utc(2026, 8, 27, 23, 0))
    assert latest is not None and latest.at == utc(2026, 8, 20, 20, 30)
    upcoming = schedule.next_after("h41", utc(2026, 8, 27, 23, 0))
    assert upcoming is not None and upcoming.at == utc(2026, 8, 28, 20, 30)


H41_TEXT = "weekly Thursday 16:30 America/New_York"
RULES = [
    "weekly Thursday 16:30 America/New_York",
    "monthly first Friday 08:15 America/New_York",
    "monthly last Friday 10:00 UTC",
    "business days 08:00 America/New_York",
    "daily 23:30 America/New_York",  # a day later in UTC
]
# FRED's calendar of the first rule (Thursdays, one moved to a Friday) over the turn of a year
FRED_DAYS = [date(2025, 12, 18), date(2025, 12, 26), date(2026, 1, 2), date(2026, 1, 8)]


@settings(max_examples=60, deadline=None)
@given(
    rule=st.sampled_from(range(len(RULES))),
    start=st.dates(date(2024, 11, 1), date(2027, 2, 1)),
    days=st.integers(0, 130),
)
def test_a_window_reads_the_same_occurrences_as_a_walk_of_that_window(rule, start, days):
    """``occurrences`` reads a window from each release's calendar years, walked once each: the
    same publications as the rule walked over the window itself (and FRED's days where they
    reach), across years, holidays and a rule time that is the next day in UTC."""
    end = start + timedelta(days=days)
    fred = 7 if rule == 0 else None
    schedule = Schedule({"r": release(RULES[rule], fred=fred)}, {7: FRED_DAYS})
    parsed = parse_rule(RULES[rule])
    days_of = [(d, "rule") for d in rule_dates(parsed, start, end)]
    if fred is not None:
        days_of = [(d, b) for d, b in days_of if not FRED_DAYS[0] <= d <= FRED_DAYS[-1]]
        days_of += [(d, "fred") for d in FRED_DAYS if start <= d <= end]
    expected = [
        (datetime.combine(d, parsed.at, tzinfo=parsed.tz).astimezone(UTC), b)
        for d, b in sorted(days_of)
    ]
    assert [(o.at, o.basis) for o in schedule.occurrences("r", start, end)] == expected
    assert schedule.occurrences("r", start, end) == schedule.occurrences("r", start, end)


def test_release_dates_file_round_trips_and_is_refused_with_its_line():
    days = [date(2026, 9, 3), date(2026, 8, 27)]
    text = release_dates_to_csv(days).decode()
    assert text == "date\n2026-08-27\n2026-09-03\n"
    assert parse_release_dates_csv(text, "x.csv") == sorted(days)
    with pytest.raises(ReleaseDatesError, match=r"x.csv:3: 2026-08-27 is not after 2026-09-03"):
        parse_release_dates_csv("date\n2026-09-03\n2026-08-27\n", "x.csv")
    with pytest.raises(ReleaseDatesError, match=r"x.csv:2: 'Thu' is not a date"):
        parse_release_dates_csv("date\nThu\n", "x.csv")


def test_the_shipped_catalogue_gives_every_series_a_declared_release():
    config = load_config(FIXTURE / "indicators.yml")
    schedule = load_schedule(config, FIXTURE / "data")
    missing = [s for s, spec in config.series.items() if spec.release is None]
    assert missing == ["IOER"]  # discontinued in 2021: nothing to wait for
    for release_id in config.releases:
        upcoming = schedule.next_after(release_id, utc(2026, 8, 28, 0, 0))
        assert upcoming is not None and upcoming.at > utc(2026, 8, 28, 0, 0)


def test_now_honours_update_now_then_update_today(monkeypatch):
    monkeypatch.delenv("UPDATE_NOW", raising=False)
    monkeypatch.setenv("UPDATE_TODAY", "2026-08-27")
    assert clock.now() == utc(2026, 8, 27, 0, 0) and clock.today() == date(2026, 8, 27)
    monkeypatch.setenv("UPDATE_NOW", "2026-08-27T20:45:00Z")
    assert clock.now() == utc(2026, 8, 27, 20, 45) and clock.today() == date(2026, 8, 27)
    monkeypatch.setenv("UPDATE_NOW", "2026-08-27T20:45:00")
    with pytest.raises(ConfigError, match="no time zone"):
        clock.now()
    monkeypatch.delenv("UPDATE_NOW")
    monkeypatch.delenv("UPDATE_TODAY")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
