"""The revision log for readers: every value the snapshot superseded, newest first, as a page
(``revisions.md``) and as ``api/revisions.json`` (schema ``schemas/revisions.schema.json``).

A site that judges claims on what was known then owes its readers the list of what changed
since: which figure, from what to what, and when the site saw it. Values of series whose
owner forbids redistribution (``redistribute: false``) are withheld (``null``), as in the rest
of the API: a revision log of raw levels would be a copy of the data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pandas as pd

from generator.catalogue.models import Config
from generator.measure.indicators import IndicatorResult
from generator.publish.contexts import HeldReply, RevisionsPage
from generator.publish.format import Number, format_date
from generator.snapshot.store import Store, format_value
from generator.snapshot.vintages import Revision

REVISIONS_VERSION = 1


@dataclass(frozen=True)
class LoggedRevision:
    """One superseded value: what it was, what replaced it, and when."""

    series: str
    day: date
    old: float | None
    new: float | None
    known_from: date
    replaced: date
    basis: str
    withheld: bool


def log(
    config: Config, series: dict[str, pd.Series], revisions: dict[str, list[Revision]]
) -> list[LoggedRevision]:
    """Every superseded value, newest replacement first (then series, then date)."""
    rows: list[LoggedRevision] = []
    for series_id, superseded in revisions.items():
        spec = config.series.get(series_id)
        withheld = spec is not None and not spec.redistribute
        current = series.get(series_id, pd.Series(dtype="float64"))
        by_day: dict[date, list[Revision]] = {}
        for row in superseded:
            by_day.setdefault(row.day, []).append(row)
        for day, chain in by_day.items():
            chain = sorted(chain, key=lambda r: r.known_from)
            for position, row in enumerate(chain):
                if position + 1 < len(chain):
                    new: float | None = chain[position + 1].value
                else:
                    stamp = pd.Timestamp(day)
                    new = float(current[stamp]) if stamp in current.index else None
                rows.append(
                    LoggedRevision(
                        series_id,
                        day,
                        None if withheld else row.value,
                        None if withheld or new is None else new,
                        row.known_from,
                        row.known_to,
                        row.basis,
                        withheld,
                    )
                )
    return sorted(rows, key=lambda r: (-r.replaced.toordinal(), r.series, r.day))


def revisions_json(rows: list[LoggedRevision]) -> str:
    """``api/revisions.json``: sorted keys, one revision per item, ISO dates."""
    payload = {
        "version": REVISIONS_VERSION,
        "revisions": [
            {
                "series": r.series,
                "date": r.day.isoformat(),
                "old": r.old,
                "new": r.new,
                "known_from": r.known_from.isoformat(),
                "replaced": r.replaced.isoformat(),
                "basis": r.basis,
                "withheld": r.withheld,
            }
            for r in rows
        ],
    }
    return json.dumps(payload, indent=1, sort_keys=True) + "\n"


BASIS_WORDS = {
    "seen": "the night update saw it",
    "release": "the source's release date",
    "rule": "the publication rule",
}


def value_number(value: float | None, withheld: bool, day: date | None = None) -> Number | str:
    """A stored value with the decimals it is stored with (3.65 shows as 3.65, 3.7 as 3.7), or
    "withheld" for a series whose owner forbids redistribution."""
    if withheld:
        return "withheld"
    if value is None:
        return Number(None)
    text = format_value(value)
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
    return Number(value, decimals=decimals, date=day)


def value_text(value: float | None, withheld: bool) -> str:
    return str(value_number(value, withheld))


def held(config: Config, store: Store) -> list[HeldReply]:
    """The replies the revision gate held for review (``fetch/gate.py``): series, how many
    values the reply would change, since when and why. Listed on the revision log until
    ``python -m generator accept ID`` applies one (or the series is fresh again)."""
    found: list[HeldReply] = []
    for series_id, spec in config.series.items():
        reply = store.load_held(spec.source, series_id)
        if reply is None:
            continue
        current = (
            store.load(spec.source, series_id) if store.exists(spec.source, series_id) else None
        )
        common = reply.index if current is None else reply.index.intersection(current.index)
        changed = sum(
            1
            for day in common
            if current is None or format_value(current[day]) != format_value(reply[day])
        )
        record = store.records.get(series_id)
        found.append(
            {
                "series": series_id,
                "changed": changed,
                "since": record.stale_since if record and record.stale_since else "",
                "reason": record.message if record and record.message else "",
            }
        )
    return found


def page_context(
    rows: list[LoggedRevision], limit: int = 500, held: list[HeldReply] | None = None
) -> RevisionsPage:
    """``revisions.md``: the newest ``limit`` revisions as words, and how many there are,
    after the replies held for review."""
    return {
        "held": held or [],
        "total": len(rows),
        "shown": min(len(rows), limit),
        "withheld": sorted({r.series for r in rows if r.withheld}),
        "rows": [
            {
                "series": r.series,
                "date": format_date(r.day),
                "old": value_number(r.old, r.withheld, r.day),
                "new": value_number(r.new, r.withheld, r.day),
                "known_from": format_date(r.known_from),
                "replaced": format_date(r.replaced),
                "basis": BASIS_WORDS[r.basis],
            }
            for r in rows[:limit]
        ],
    }


def revised_mark(result: IndicatorResult, revisions: dict[str, list[Revision]]) -> str | None:
    """The words behind a card's "revised" mark: the series it reads whose value on the day of
    the card's latest figure was revised (the figure is not the one first published), e.g.
    "Revised since first published: WALCL, 19 Aug 2026"; None when nothing was. A reader
    comparing the card with an earlier report then knows why the numbers differ."""
    day = result.as_of
    if day is None:
        return None
    revised = sorted(s for s in result.series if any(r.day == day for r in revisions.get(s, [])))
    if not revised:
        return None
    return f"Revised since first published: {', '.join(revised)}, {format_date(day)}"
