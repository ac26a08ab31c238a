"""When each series is released: the ``releases:`` section of ``indicators.yml`` as data.

A release is a publication several series share (the H.4.1 carries eight of ours), so it is
declared once under ``releases:`` and each series names it with ``release:``. Its dates come
from a rule written in words ("weekly Thursday 16:30 America/New_York"), and, for a FRED
release id, from FRED's own calendar (``fred/release/dates``, stored under ``data/releases/``
by ``update``) wherever that file covers: FRED knows when a holiday moves the H.4.1 to Friday,
the rule only knows that a holiday moves it to the next business day. The rule also gives the
time of day, which FRED's calendar lacks. Parsing lives here so ``check`` refuses a misspelt
weekday or time zone with its line before any stage uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from pydantic import Field, field_validator

from generator.catalogue.grammar import Strict, check_url

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = ("first", "second", "third", "fourth", "last")
# Day patterns a rule may use; the rest of the rule is "HH:MM Zone/Name".
KINDS = (
    "daily",
    "weekdays",
    "business days",
    "weekly <Weekday>",
    "monthly <first..last> <Weekday>",
)
RELEASE_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True)
class Rule:
    """A parsed rule. ``kind`` is daily, weekdays, business, weekly or monthly; ``weekday`` is
    0 (Monday) to 6 for weekly and monthly; ``nth`` is 1 to 4, or -1 for "last"."""

    kind: str
    at: time
    zone: str
    weekday: int | None = None
    nth: int | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


def parse_rule(text: str) -> Rule:
    """'weekly Thursday 16:30 America/New_York' -> Rule; ValueError worded for the YAML editor.
    A weekly or monthly release falling on a Federal Reserve holiday moves to the next business
    day (the H.4.1 of Thanksgiving week is published on Friday)."""
    words = text.split()
    if len(words) < 3:
        raise ValueError(f"{text!r} is not a release rule: {_SHAPE}")
    zone, clock = words[-1], words[-2]
    found = _TIME.fullmatch(clock)
    if found is None:
        raise ValueError(f"{text!r}: {clock!r} is not a time of day; write HH:MM, e.g. 16:30")
    at = time(int(found.group(1)), int(found.group(2)))
    _check_zone(text, zone)
    days = words[:-2]
    head = days[0]
    if days == ["daily"]:
        return Rule("daily", at, zone)
    if days == ["weekdays"]:
        return Rule("weekdays", at, zone)
    if days == ["business", "days"]:
        return Rule("business", at, zone)
    if head == "weekly" and len(days) == 2:
        return Rule("weekly", at, zone, weekday=_weekday(text, days[1]))
    if head == "monthly" and len(days) == 3:
        if days[1] not in ORDINALS:
            hint = _near(days[1], ORDINALS)
            raise ValueError(f"{text!r}: {days[1]!r} is not one of {', '.join(ORDINALS)}{hint}")
        nth = -1 if days[1] == "last" else ORDINALS.index(days[1]) + 1
        return Rule("monthly", at, zone, weekday=_weekday(text, days[2]), nth=nth)
    raise ValueError(f"{text!r} is not a release rule: {_SHAPE}")


_SHAPE = (
    "write one of " + "; ".join(KINDS) + ", then HH:MM and a time zone, "
    "e.g. 'weekly Thursday 16:30 America/New_York'"
)


def _weekday(text: str, word: str) -> int:
    if word not in WEEKDAYS:
        raise ValueError(f"{text!r}: {word!r} is not a weekday{_near(word, WEEKDAYS)}")
    return WEEKDAYS.index(word)


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _check_zone(text: str, zone: str) -> None:
    """Checked against the list of zone names, never by opening a file named by the YAML
    (a directory or an over-long name raises OSError there, not a message)."""
    if zone not in _zones():
        hint = _near(zone, sorted(_zones())) or " (e.g. America/New_York, UTC)"
        raise ValueError(f"{text!r}: {zone!r} is not an IANA time zone{hint}")


def _near(word: str, choices: tuple[str, ...] | list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f": did you mean {close[0]!r}?" if close else ""


class ReleaseConfig(Strict):
    """One publication: its name, the rule its dates follow and, when FRED lists it, the FRED
    release id whose calendar overrides the rule's dates."""

    name: str = Field(max_length=60, description="How the calendar names it, e.g. 'H.4.1'")
    title: str = Field(max_length=160, description="Its full name at the publisher")
    rule: str = Field(
        description="When it is published: 'business days 08:00 America/New_York', 'weekly "
        "Thursday 16:30 America/New_York', 'monthly first Wednesday 08:15 America/New_York', "
        "'weekdays ...' or 'daily ...'. A weekly or monthly date on a Federal Reserve holiday "
        "moves to the next business day"
    )
    fred: int | None = Field(
        None,
        ge=1,
        le=999999,
        description="FRED release id (H.4.1: 20, ADP: 194): `update` stores its dates from "
        "FRED's calendar in data/releases/fred-<id>.csv, which win over the rule's",
    )
    link: str | None = Field(None, description="The publisher's page of the release")

    @field_validator("rule")
    @classmethod
    def _rule(cls, value: str) -> str:
        parse_rule(value)
        return value

    @field_validator("link")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

    @property
    def parsed(self) -> Rule:
        return parse_rule(self.rule)


def check_release_id(value: str) -> str:
    if not RELEASE_ID.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid release id: use lowercase letters, digits and '_'"
        )
    return value
