"""What "today" is, for every stage: the UTC date, or ``UPDATE_TODAY`` for reproducible runs.

Sources ask for data up to today and drop today's unfinished candle; reports refuse dates after
today. One definition, so a test or a bench that pins the date pins it everywhere.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime


def today() -> date:
    """The current UTC date, or ``UPDATE_TODAY`` (YYYY-MM-DD)."""
    override = os.environ.get("UPDATE_TODAY", "").strip()
    if override:
        return date.fromisoformat(override)
    return datetime.now(UTC).date()


def today_overridden() -> bool:
    return bool(os.environ.get("UPDATE_TODAY", "").strip())
