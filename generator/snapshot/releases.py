"""When each release is published: its dates and times, known offline.

A release's dates come from two places (``catalogue/releases.py`` declares them). FRED's own
calendar, fetched by ``update`` from ``fred/release/dates`` and committed as
``data/releases/fred-<id>.csv`` (one ISO date per row, future dates included), is the record
wherever it reaches: it knows the H.4.1 of a holiday week moves to Friday. Before and after the
file's dates, and for releases FRED does not list, the release's rule gives the dates. The
rule's time of day (in its own time zone, so daylight saving is followed) dates both, as FRED
lists days only. Every time returned is an aware UTC ``datetime``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from generator.catalogue.models import Config
from generator.catalogue.releases import ReleaseConfig, Rule
from generator.snapshot.holidays import is_business_day, next_business_day

HEADER = "date"
# How far before and after a moment to look for a release's neighbours: a monthly release is
# at most ~5 weeks from the next; two months leaves room for a holiday shift.
REACH = timedelta(days=62)


class ReleaseDatesError(ValueError):
    """A stored release-dates file that does not parse (message: file, line, hint)."""


@dataclass(frozen=True)
class Occurrence:
    """One publication of a release: when (UTC) and how we know (``fred``: FRED's calendar;
    ``rule``: the release's rule)."""

    release: str
    at: datetime
    basis: str


def release_dates_path(data_dir: Path, fred_id: int) -> Path:
    return Path(data_dir) / "releases" / f"fred-{fred_id}.csv"


def parse_release_dates_csv(text: str, where: str) -> list[date]:
    """``date`` then one ISO date per row, strictly ascending."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != HEADER:
        raise ReleaseDatesError(f"{where}:1: the header must be exactly {HEADER!r}")
    days: list[date] = []
    for number, line in enumerate(lines[1:], start=2):
        try:
            day = date.fromisoformat(line)
        except ValueError:
            raise ReleaseDatesError(
                f"{where}:{number}: {line[:20]!r} is not a date (YYYY-MM-DD)"
            ) from None
        if days and day <= days[-1]:
            raise ReleaseDatesError(
                f"{where}:{number}: {day} is not after {days[-1]} (dates ascend, once each)"
            )
        days.append(day)
    return days


def release_dates_to_csv(days: list[date]) -> bytes:
    return ("\n".join([HEADER, *(day.isoformat() for day in sorted(set(days)))]) + "\n").encode()


def rule_dates(rule: Rule, start: date, end: date) -> list[date]:
    """The days from ``start`` to ``end`` (inclusive) the rule publishes on. Weekly and monthly
    dates on a Federal Reserve holiday move to the next business day."""
    found: list[date] = []
    day = start - timedelta(days=7)  # a shifted date may come from before start
    while day <= end:
        hit: date | None
        if rule.kind == "daily":
            hit = day
        elif rule.kind == "weekdays":
            hit = day if day.weekday() < 5 else None
        elif rule.kind == "business":
            hit = day if is_business_day(day) else None
        elif rule.kind == "weekly":
            hit = next_business_day(day) if day.weekday() == rule.weekday else None
        else:
            hit = next_business_day(day) if _nth_weekday(day, rule) else None
        if hit is not None and start <= hit <= end and (not found or hit > found[-1]):
            found.append(hit)
        day += timedelta(days=1)
    return found


def _nth_weekday(day: date, rule: Rule) -> bool:
    if day.weekday() != rule.weekday:
        return False
    if rule.nth == -1:
        return (day + timedelta(days=7)).month != day.month
    return (day.day - 1) // 7 + 1 == rule.nth


class Schedule:
    """Every release's occurrences, from FRED's stored calendar where it reaches, else the
    rule."""

    def __init__(self, releases: dict[str, ReleaseConfig], fred_dates: dict[int, list[date]]):
        self.releases = releases
        self.fred_dates = fred_dates
        # ``latest_before`` and ``next_after`` ask for a two-month window around each moment,
        # and ``due_series`` asks for every series: a window walked day by day for each moment
        # was walked again for the next day's moment (about 47,000 walks for a year of
        # instants). Each release's calendar year is walked once; a window is read from them.
        self._years: dict[tuple[str, int], tuple[list[date], list[Occurrence]]] = {}

    def occurrences(self, release_id: str, start: date, end: date) -> list[Occurrence]:
        """The occurrences published on the days from ``start`` to ``end`` (inclusive)."""
        found: list[Occurrence] = []
        for year in range(start.year, end.year + 1):
            days, occurrences = self._year(release_id, year)
            found += occurrences[bisect_left(days, start) : bisect_right(days, end)]
        return found

    def _year(self, release_id: str, year: int) -> tuple[list[date], list[Occurrence]]:
        """The year's publication days, ascending, and their occurrences."""
        key = (release_id, year)
        if key not in self._years:
            walked = self._occurrences(release_id, date(year, 1, 1), date(year, 12, 31))
            self._years[key] = ([day for day, _ in walked], [o for _, o in walked])
        return self._years[key]

    def _occurrences(
        self, release_id: str, start: date, end: date
    ) -> list[tuple[date, Occurrence]]:
        """Each publication day from ``start`` to ``end`` with its occurrence."""
        spec = self.releases[release_id]
        rule = spec.parsed
        known = self.fred_dates.get(spec.fred) if spec.fred is not None else None
        days: list[tuple[date, str]] = []
        if known:
            first, last = known[0], known[-1]
            days += [(d, "rule") for d in rule_dates(rule, start, end) if d < first or d > last]
            days += [(d, "fred") for d in known if start <= d <= end]
        else:
            days = [(d, "rule") for d in rule_dates(rule, start, end)]
        return [(day, Occurrence(release_id, _at(rule, day), basis)) for day, basis in sorted(days)]

    def latest_before(self, release_id: str, moment: datetime) -> Occurrence | None:
        """The last occurrence at or before ``moment``."""
        found = self.occurrences(release_id, (moment - REACH).date(), moment.date() + timedelta(1))
        past = [o for o in found if o.at <= moment]
        return past[-1] if past else None

    def next_after(self, release_id: str, moment: datetime) -> Occurrence | None:
        """The first occurrence strictly after ``moment``."""
        found = self.occurrences(release_id, moment.date() - timedelta(1), (moment + REACH).date())
        ahead = [o for o in found if o.at > moment]
        return ahead[0] if ahead else None


def _at(rule: Rule, day: date) -> datetime:
    return datetime.combine(day, rule.at, tzinfo=rule.tz).astimezone(UTC)


def load_schedule(config: Config, data_dir: Path) -> Schedule:
    """The schedule of every declared release, with each FRED release's stored dates."""
    fred_dates: dict[int, list[date]] = {}
    for spec in config.releases.values():
        if spec.fred is None:
            continue
        path = release_dates_path(data_dir, spec.fred)
        if path.is_file():
            where = f"data/releases/{path.name}"
            fred_dates[spec.fred] = parse_release_dates_csv(path.read_text("utf-8"), where)
    return Schedule(config.releases, fred_dates)


def releases_read(config: Config) -> dict[str, list[str]]:
    """Release id -> the series that declare it, in catalogue order (releases no series
    declares are left out: the site does not read them)."""
    found: dict[str, list[str]] = {}
    for series_id, spec in config.series.items():
        if spec.release is not None:
            found.setdefault(spec.release, []).append(series_id)
    return {release_id: found[release_id] for release_id in config.releases if release_id in found}
