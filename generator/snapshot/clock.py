"""What "today" and "now" are, for every stage: the UTC date and time, or ``UPDATE_TODAY`` and
``UPDATE_NOW`` for reproducible runs.

Sources ask for data up to today and drop today's unfinished candle; reports refuse dates after
today; ``update --due`` and the release calendar compare release times with now. One
definition, so a test or a bench that pins the date pins it everywhere.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time

from generator.catalogue.messages import ConfigError

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def today() -> date:
    """The current UTC date, or ``UPDATE_NOW``'s date, or ``UPDATE_TODAY`` (YYYY-MM-DD).

    A bad ``UPDATE_TODAY`` is the user's error, said in one line (the commands turn a
    ``ConfigError`` into exit 2), never a traceback from deep inside a stage."""
    pinned = _now_override()
    if pinned is not None:
        return pinned.date()
    override = os.environ.get("UPDATE_TODAY", "").strip()
    if override:
        try:
            if not _ISO_DAY.fullmatch(override):
                raise ValueError(override)
            return date.fromisoformat(override)
        except ValueError:
            shown = override[:40].encode("unicode_escape").decode("ascii")
            raise ConfigError(
                [
                    f"UPDATE_TODAY: '{shown}' is not a date written YYYY-MM-DD; set a real "
                    "day such as 2026-09-10, or unset it to use today's UTC date"
                ]
            ) from None
    return datetime.now(UTC).date()


def now() -> datetime:
    """The current UTC time (aware), or ``UPDATE_NOW`` (ISO 8601, e.g. 2026-08-27T20:45:00Z),
    or the start (00:00 UTC) of ``UPDATE_TODAY``: a run pinned to a day is pinned to one instant
    of it, so the calendar it prints is the same on every machine."""
    pinned = _now_override()
    if pinned is not None:
        return pinned
    if os.environ.get("UPDATE_TODAY", "").strip():
        return datetime.combine(today(), time(0, 0), tzinfo=UTC)
    return datetime.now(UTC).replace(microsecond=0)


def _now_override() -> datetime | None:
    text = os.environ.get("UPDATE_NOW", "").strip()
    if not text:
        return None
    shown = text[:40].encode("unicode_escape").decode("ascii")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            [f"UPDATE_NOW: '{shown}' is not a time written like 2026-08-27T20:45:00Z"]
        ) from None
    if moment.tzinfo is None:
        raise ConfigError([f"UPDATE_NOW: '{shown}' has no time zone: end it with Z (UTC)"])
    return moment.astimezone(UTC)


def today_overridden() -> bool:
    return bool(os.environ.get("UPDATE_TODAY", "").strip() or _now_override())
