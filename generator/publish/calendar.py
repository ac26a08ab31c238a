"""The release calendar readers see: the home page's "Next releases" panel, the calendar page,
``api/calendar.json`` and the ``calendar.ics`` feed.

Each release the site reads (a series declares it with ``release:``) is listed with its next
occurrences after the build's "now" (``clock.now()``, or the start of the ``--as-of`` day), the
series it carries and, from the formulas, the indicators those series feed and the claims that
read those indicators: what the release can move. Times are shown in the release's own time
zone (the one its rule names, "16:30 ET") and given in UTC in the JSON and the feed. The brief
names, per indicator near a threshold, the next release that could flip it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from generator.catalogue.crossref import series_used
from generator.catalogue.models import Config
from generator.publish.contexts import CalendarPage, CalendarRow
from generator.snapshot import clock
from generator.snapshot.releases import Occurrence, Schedule, releases_read

HORIZON = timedelta(days=35)  # the page and the feed list this far ahead
UPCOMING = 5  # occurrences per release on the page and in the JSON
PANEL = 6  # releases in the home page's panel, soonest first
ZONE_NAMES = {"America/New_York": "ET", "UTC": "UTC"}


@dataclass(frozen=True)
class Entry:
    """One release the site reads, with what it can move."""

    release_id: str
    name: str
    title: str
    link: str | None
    zone: str
    upcoming: list[Occurrence]
    series: list[str]
    indicators: list[tuple[str, str]]  # (id, title)
    claims: list[str]

    @property
    def next(self) -> Occurrence | None:
        return self.upcoming[0] if self.upcoming else None


def entries(config: Config, schedule: Schedule, now: datetime) -> list[Entry]:
    """Every release the site reads, soonest next occurrence first (ties by catalogue order)."""
    found: list[Entry] = []
    by_indicator = {i.id: set(series_used(i, config)) for i in config.indicators}
    for release_id, series in releases_read(config).items():
        spec = config.releases[release_id]
        occurrences = schedule.occurrences(
            release_id, (now - timedelta(days=1)).date(), (now + HORIZON).date()
        )
        upcoming = [o for o in occurrences if o.at > now][:UPCOMING]
        moved = [(i.id, i.title) for i in config.indicators if by_indicator[i.id] & set(series)]
        moved_ids = {i for i, _ in moved}
        claims = [
            c.id
            for c in (config.claims.items if config.claims else [])
            if any(ref.split(".", 1)[0] in moved_ids for ref in c.reads.values())
        ]
        found.append(
            Entry(
                release_id,
                spec.name,
                spec.title,
                spec.link,
                spec.parsed.zone,
                upcoming,
                series,
                moved,
                claims,
            )
        )
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda e: e.next.at if e.next else far)


def as_of_moment(as_of: date | None) -> datetime:
    """The instant the calendar is as of: ``clock.now()``, or the start (00:00 UTC) of the
    ``build --as-of`` day."""
    if as_of is None:
        return clock.now()
    return datetime.combine(as_of, time(0, 0), tzinfo=UTC)


def local_text(occurrence: Occurrence, zone: str) -> str:
    """'Thu 27 Aug 16:30 ET': the day and time where the publisher is."""
    at = occurrence.at.astimezone(ZoneInfo(zone))
    short = ZONE_NAMES.get(zone, zone)
    return f"{at:%a} {at.day} {at:%b %H:%M} {short}"


def day_text(occurrence: Occurrence, zone: str) -> str:
    """'Thu 27 Aug': the publisher's day."""
    at = occurrence.at.astimezone(ZoneInfo(zone))
    return f"{at:%a} {at.day} {at:%b}"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def page_context(items: list[Entry], now: datetime) -> CalendarPage:
    """The calendar page's and the home panel's context (plain text; templates escape)."""
    rows: list[CalendarRow] = []
    for item in items:
        nxt = item.next
        rows.append(
            {
                "id": item.release_id,
                "name": item.name,
                "title": item.title,
                "link": item.link,
                "next": local_text(nxt, item.zone) if nxt else "none scheduled",
                "basis": _basis(nxt),
                "later": [local_text(o, item.zone) for o in item.upcoming[1:]],
                "series": item.series,
                "indicators": [{"id": i, "title": t} for i, t in item.indicators],
                "claims": item.claims,
            }
        )
    return {
        "as_of": f"{now:%Y-%m-%d %H:%M} UTC",
        # the home page says only the day: its bytes then change when a release passes, not
        # on every build
        "as_of_day": f"{now:%a} {now.day} {now:%b %Y}",
        "rows": rows,
        "panel": [r for r in rows if r["next"] != "none scheduled"][:PANEL],
    }


def _basis(occurrence: Occurrence | None) -> str:
    if occurrence is None:
        return ""
    return "FRED's release calendar" if occurrence.basis == "fred" else "the release's rule"


def calendar_data(items: list[Entry], now: datetime) -> dict[str, Any]:
    """``api/calendar.json`` (schema: ``schemas/calendar.schema.json``)."""
    return {
        "version": 1,
        "generated": _utc(now),
        "horizon_days": HORIZON.days,
        "releases": [
            {
                "id": item.release_id,
                "name": item.name,
                "title": item.title,
                "link": item.link,
                "time_zone": item.zone,
                "next": _utc(item.next.at) if item.next else None,
                "next_local": local_text(item.next, item.zone) if item.next else None,
                "basis": item.next.basis if item.next else None,
                "upcoming": [_utc(o.at) for o in item.upcoming],
                "series": item.series,
                "indicators": [i for i, _ in item.indicators],
                "claims": item.claims,
            }
            for item in items
        ],
    }


def calendar_json(items: list[Entry], now: datetime) -> str:
    return json.dumps(calendar_data(items, now), indent=1, ensure_ascii=False) + "\n"


def calendar_ics(items: list[Entry], now: datetime, site_name: str) -> bytes:
    """An RFC 5545 feed: one 15-minute event per occurrence within ``HORIZON``, in UTC, with a
    stable UID per release and day so a client updates an event rather than duplicating it."""
    cal = Calendar()
    cal.add("prodid", f"-//{site_name}//release calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{site_name}: data releases")
    for item in items:
        moves = ", ".join(t for _, t in item.indicators) or "no indicator"
        for occurrence in item.upcoming:
            event = Event()
            event.add("uid", f"{item.release_id}-{occurrence.at:%Y%m%d}@liquidity-watch")
            event.add("dtstamp", now.astimezone(UTC))
            event.add("dtstart", occurrence.at)
            event.add("dtend", occurrence.at + timedelta(minutes=15))
            event.add("summary", f"{item.name} release")
            text = f"{item.title}. Can move: {moves}. Series: {', '.join(item.series)}."
            event.add("description", text)
            if item.link:
                event.add("url", item.link)
            cal.add_component(event)
    payload: bytes = cal.to_ical()
    return payload


def flip_releases(config: Config, items: list[Entry]) -> dict[str, str]:
    """Indicator id -> 'the H.4.1 of Thu 27 Aug': the soonest release that carries one of its
    series (the brief names it beside a status near its threshold)."""
    found: dict[str, tuple[datetime, str]] = {}
    for item in items:
        nxt = item.next
        if nxt is None:
            continue
        for indicator_id, _ in item.indicators:
            if indicator_id not in found or nxt.at < found[indicator_id][0]:
                found[indicator_id] = (nxt.at, f"the {item.name} of {day_text(nxt, item.zone)}")
    return {indicator_id: text for indicator_id, (_, text) in found.items()}
