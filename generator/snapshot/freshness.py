"""Series that stopped publishing: fetched without error, but with nothing new for too long.

"Stale" (in the manifest) means the source failed on the last update. A source can also answer
fine and simply have no new observations, because the series was discontinued (WSHOBL stops at
2025-11-19) or the feed behind it ended (BNB in the snapshot stops at 2026-02-20). A reader
should not mistake such a number for current, so a series is *overdue* when the last update
found its latest observation more than ``FACTOR`` times its usual spacing old (and at least
``FLOOR_DAYS``, so weekends and holidays of daily series never count). The usual spacing is
measured from the series itself (median gap of its last observations), so no frequency needs
declaring and a fork's new series is covered too. Pure functions: no files.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from generator.catalogue.grammar import parse_duration

FACTOR = 3.0
FLOOR_DAYS = 7
RECENT = 30  # observations used to measure the usual spacing


def usual_spacing_days(series: pd.Series) -> float:
    """Median gap in days between the last ``RECENT`` observations (NaN with fewer than two)."""
    index = series.dropna().index[-(RECENT + 1) :]
    if len(index) < 2:
        return float("nan")
    return float(pd.Series(index).diff().dt.days.dropna().median())


def overdue(series: dict[str, pd.Series], checked: date | None) -> dict[str, str]:
    """Series id -> ISO date of its last observation, for every series overdue on ``checked``
    (the day of the last update); nothing when the snapshot was never updated."""
    if checked is None:
        return {}
    found: dict[str, str] = {}
    for series_id, values in series.items():
        values = values.dropna()
        spacing = usual_spacing_days(values)
        if values.empty or spacing != spacing:  # NaN: too short to judge
            continue
        last = values.index[-1].date()
        if (checked - last).days > max(FACTOR * spacing, FLOOR_DAYS):
            found[series_id] = last.isoformat()
    return found


def last_update(fetched: list[str | None]) -> date | None:
    """The day of the newest ``fetched_at`` in the manifest: when the sources were last asked."""
    days = [date.fromisoformat(value[:10]) for value in fetched if value]
    return max(days) if days else None


def manual_due(last: date, every: str, lag: str) -> date:
    """The day by which a series updated by hand should have its next observation: the last
    one's date plus its spacing (``every``) plus its publication delay (``lag``). Declared
    rather than measured, because a hand-kept series has no update night to judge it on."""
    when = pd.Timestamp(last)
    for text in (every, lag):
        count, unit = parse_duration(text)
        when += {
            "d": pd.DateOffset(days=count),
            "w": pd.DateOffset(weeks=count),
            "m": pd.DateOffset(months=count),
            "y": pd.DateOffset(years=count),
        }[unit]
    return date(when.year, when.month, when.day)
