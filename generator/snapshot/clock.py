"""What "today" is, for every stage: the UTC date, or ``UPDATE_TODAY`` for reproducible runs.

Sources ask for data up to today and drop today's unfinished candle; reports refuse dates after
today. One definition, so a test or a bench that pins the date pins it everywhere.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime

from generator.catalogue.messages import ConfigError

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def today() -> date:
    """The current UTC date, or ``UPDATE_TODAY`` (YYYY-MM-DD).

    A bad ``UPDATE_TODAY`` is the user's error, said in one line (the commands turn a
    ``ConfigError`` into exit 2), never a traceback from deep inside a stage."""
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


def today_overridden() -> bool:
    return bool(os.environ.get("UPDATE_TODAY", "").strip())
