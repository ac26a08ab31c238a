"""When each stored value became known: the revision files beside the series CSVs.

A series CSV holds today's vintage only. What a reader saw on an earlier day is kept in
``data/series/<source>/<ID>.revisions.csv``: one row per *superseded* value, with the day it
became known (``known_from``), the day it stopped being current (``known_to``, exclusive) and
how ``known_from`` was established (``basis``). A series never revised has no such file, so its
bytes never change for this. The current value of a date became known when its last revision
ended (``known_to``); a date never revised became known by the publication rule
(``published_after:`` days after its date), which is the back-fill for history stored before
revisions were logged. ``as_of`` rebuilds a series as known on a day from these rules, and
``first_prints`` finds, for each date, the vintage that first published it, so a claim judged
"when written" reads what was actually published then instead of today's revised figures.
The contract is in docs/architecture.md ("Revision files").
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from generator.snapshot.store import ISO_DATE, StoreError, format_value

HEADER = ["date", "value", "known_from", "known_to", "basis"]
# How known_from was established: ``seen`` (the night ``update`` saw it), ``release`` (the
# source's release date: an ALFRED vintage or the owner's release calendar) or ``rule`` (the
# observation date plus ``published_after:``, where no record of the release exists).
BASES = ("seen", "release", "rule")
RECORDED = ("seen", "release")
SUFFIX = ".revisions.csv"


@dataclass(frozen=True)
class Revision:
    """One superseded value of one observation date and the days it was the current one."""

    day: date
    value: float
    known_from: date
    known_to: date
    basis: str


def rule_known_from(day: date, published_after: int) -> date:
    """When a value never logged became known, by the publication rule."""
    return day + timedelta(days=published_after)


def revisions_to_csv(rows: list[Revision]) -> bytes:
    """Rows sorted by date then ``known_from``, values written as in the series CSV."""
    buffer = io.StringIO()
    buffer.write(",".join(HEADER) + "\n")
    for row in sorted(rows, key=lambda r: (r.day, r.known_from)):
        buffer.write(
            f"{row.day},{format_value(row.value)},{row.known_from},{row.known_to},{row.basis}\n"
        )
    return buffer.getvalue().encode()


def _day(raw: str, where: str, line: int, name: str) -> date:
    if not ISO_DATE.match(raw):
        raise StoreError(f"{where}:{line}: {name} {raw!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise StoreError(f"{where}:{line}: {name} {raw!r} is not a real calendar date") from None


def parse_revisions_csv(text: str, where: str) -> list[Revision]:
    """Parse and validate a revision file; ``where`` names it in every message.

    Each date's rows must follow one another in time (no two values current on the same day),
    because ``as_of`` picks the one row whose period holds the day asked for."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != HEADER:
        found = ",".join(header) if header else "nothing"
        raise StoreError(f"{where}:1: expected the header {','.join(HEADER)!r}, found {found!r}")
    rows: list[Revision] = []
    for line, cells in enumerate(reader, start=2):
        if not cells:
            continue
        if len(cells) != len(HEADER):
            raise StoreError(
                f"{where}:{line}: expected {len(HEADER)} fields ({','.join(HEADER)}), "
                f"found {len(cells)}"
            )
        row = _revision(cells, where, line)
        if rows:
            _check_follows(rows[-1], row, f"{where}:{line}")
        rows.append(row)
    return rows


def _revision(cells: list[str], where: str, line: int) -> Revision:
    """One row's fields, each checked: dates, a finite value, its period, a known basis."""
    day = _day(cells[0], where, line, "date")
    try:
        value = float(cells[1])
    except ValueError:
        raise StoreError(
            f"{where}:{line}: value {cells[1]!r} on {cells[0]} is not a number"
        ) from None
    if not math.isfinite(value):
        raise StoreError(f"{where}:{line}: value {cells[1]!r} on {cells[0]} is not finite")
    start = _day(cells[2], where, line, "known_from")
    end = _day(cells[3], where, line, "known_to")
    if end < start:
        raise StoreError(
            f"{where}:{line}: known_to {end} is before known_from {start} on {day}; "
            "a value stops being current after it became known"
        )
    if cells[4] not in BASES:
        raise StoreError(
            f"{where}:{line}: basis {cells[4]!r} on {day} is not one of {', '.join(BASES)}"
        )
    return Revision(day, value, start, end, cells[4])


def _check_follows(last: Revision, row: Revision, at: str) -> None:
    """Rows sorted by date then known_from, and one date's values never current at once."""
    day, start = row.day, row.known_from
    if (day, start) < (last.day, last.known_from):
        raise StoreError(
            f"{at}: rows must be sorted by date, then known_from "
            f"({day} {start} comes after {last.day} {last.known_from})"
        )
    if last.day == day and start < last.known_to:
        raise StoreError(
            f"{at}: {day} known from {start}, before the previous value of the "
            f"same date stopped being current ({last.known_to}): two values at once"
        )


def current_known_from(
    day: date, revisions: list[Revision], published_after: int
) -> tuple[date, str]:
    """When today's value of ``day`` became known, and on what basis: the end of its last
    revision or, never revised, the publication rule. A row ``update`` wrote ends on the night
    it saw the next value (``seen``); an imported row of releases ends at the next release."""
    ends = [r for r in revisions if r.day == day]
    if ends:
        last = max(ends, key=lambda r: r.known_to)
        return last.known_to, "release" if last.basis == "release" else "seen"
    return rule_known_from(day, published_after), "rule"


def as_of(
    current: pd.Series, revisions: list[Revision], published_after: int, day: date
) -> pd.Series:
    """The series as it was known on ``day``: each date's value current then, dates not yet
    known left out. Without revisions this is exactly the publication rule (dates up to
    ``day - published_after``).

    A date with revision rows is decided by its rows, one by one; every other date is today's
    value up to the rule's cut, taken as a whole (the nowcast's backtest asks for about 1,000
    days of each revised series, and a walk over every date cost it 4 s a build)."""
    last = pd.Timestamp(day - timedelta(days=published_after))
    known = current[current.index <= last]
    if not revisions:
        return known
    by_day: dict[date, list[Revision]] = {}
    for row in revisions:
        by_day.setdefault(row.day, []).append(row)
    revised = pd.DatetimeIndex([pd.Timestamp(d) for d in by_day]).as_unit("ns")
    plain = known[~known.index.isin(revised)]
    now = current[current.index.isin(revised)]
    today = dict(zip(now.index.date, now.to_numpy(dtype="float64"), strict=True))
    chosen: dict[date, float] = {}
    for when, rows in by_day.items():
        held = [r for r in rows if r.known_from <= day < r.known_to]
        if held:
            chosen[when] = held[0].value
        elif when in today and max(r.known_to for r in rows) <= day:
            chosen[when] = today[when]
    stamps = np.concatenate(
        [
            plain.index.to_numpy(dtype="datetime64[ns]"),
            np.array([np.datetime64(d, "ns") for d in chosen], dtype="datetime64[ns]"),
        ]
    )
    values = np.concatenate(
        [plain.to_numpy(dtype="float64"), np.array(list(chosen.values()), dtype="float64")]
    )
    order = np.argsort(stamps, kind="stable")
    index = pd.DatetimeIndex(stamps[order], name="date").as_unit("ns")
    return pd.Series(values[order], index=index, dtype="float64")


def first_prints(revisions: list[Revision]) -> dict[date, date]:
    """Date -> the day its value was first published, for dates whose first value is on
    record with a real release or night (not the rule): the vintages a claim can be judged on.
    """
    first: dict[date, Revision] = {}
    for row in revisions:
        if row.day not in first or row.known_from < first[row.day].known_from:
            first[row.day] = row
    return {day: row.known_from for day, row in first.items() if row.basis in RECORDED}


def record(
    existing: list[Revision],
    changes: list[tuple[date, float, float]],
    night: date,
    published_after: int,
) -> list[Revision]:
    """``existing`` plus one row per revision ``update`` saw on ``night``: the old value, from
    when it was known (its last revision's end, or the rule) to ``night``."""
    rows = list(existing)
    for day, old, _new in changes:
        start, basis = current_known_from(day, rows, published_after)
        start = min(start, night)  # seen before the rule says it was due: known by then
        rows.append(Revision(day, old, start, night, basis))
    return sorted(rows, key=lambda r: (r.day, r.known_from))
