"""``python -m generator vintages SERIES --since D``: back-fill a FRED series' revision file
from ALFRED, so its history says when each value became known instead of guessing it from the
publication rule.

One request for the dates the series changed (``series/vintagedates``), then one per vintage
date on or after ``since`` (``realtime_start = realtime_end = date``: never near the
2,000-vintage cap). A value that later vintages replaced becomes a revision row, known from
the vintage that first carried it (``release``) until the one that replaced it. A date already
present in the first vintage fetched may have been published earlier: its row is dated by the
publication rule (``rule``), never as a first release. Rows already in the revision file (the
import of ADP's first releases, say) keep what they say before the first vintage fetched; from
it on, ALFRED is the record, so each date has one value at a time.
Exit codes: 0 written, 2 config, key or source error.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from generator.catalogue.load import load_config
from generator.catalogue.messages import ConfigError
from generator.fetch.sources import SourceError, fred
from generator.snapshot.clock import today
from generator.snapshot.lock import exclusive
from generator.snapshot.store import Store, atomic_write_bytes, format_value
from generator.snapshot.vintages import (
    Revision,
    parse_revisions_csv,
    revisions_to_csv,
    rule_known_from,
)

# Observations asked for in each vintage: from this many days before ``since`` (revisions
# reach back a year at most, ADP's yearly benchmark).
OBSERVATIONS_BEFORE = 400


def backfill(root: Path, series_id: str, since: date) -> int:
    config = load_config(Path(root) / "indicators.yml")
    spec = config.series.get(series_id)
    if spec is None or spec.source != "fred":
        raise ConfigError([f"vintages: {series_id!r} is not a FRED series of indicators.yml"])
    with exclusive(Path(root) / "data", "vintages"):
        store = Store(Path(root) / "data")
        current = store.load(spec.source, series_id)
        existing = store.load_revisions(spec.source, series_id)
        source = spec.fetcher(series_id)  # FRED's own id: fetch: {source: fred, id: ...}
        fred_id = getattr(source, "id", None) or series_id
        try:
            days = [d for d in fred.vintage_dates(fred_id) if d >= since]
            start = since - timedelta(days=OBSERVATIONS_BEFORE)
            vintages = [(d, fred.fetch_as_of(fred_id, d, since=start)) for d in days]
        except SourceError as error:
            print(f"error: {series_id}: {error.message} (nothing was written)", file=sys.stderr)
            return 2
        merged = combine(existing, vintages, current, spec.published_after)
        path = store.revisions_path_for(spec.source, series_id)
        if merged:
            payload = revisions_to_csv(merged)
            parse_revisions_csv(payload.decode(), store.relative(path))  # one value at a time
            atomic_write_bytes(path, payload)
        added = len(merged) - len(existing)
        print(
            f"{store.relative(path)}: {added} superseded value(s) from {len(vintages)} ALFRED "
            f"vintage(s) since {since}",
            file=sys.stderr,
        )
        return 0


def combine(
    existing: list[Revision],
    vintages: list[tuple[date, pd.Series]],
    current: pd.Series,
    published_after: int,
) -> list[Revision]:
    """The revision file after a back-fill: ALFRED's vintages are the record from the first
    one fetched on; rows already on file keep what came before it (cut at that day), and a
    date they cover continues from it as a release."""
    if not vintages:
        return existing
    first = vintages[0][0]
    covered = {stamp.date() for _, values in vintages for stamp in values.dropna().index}
    before = [
        Revision(r.day, r.value, r.known_from, min(r.known_to, first), r.basis)
        if r.day in covered
        else r
        for r in existing
        if r.known_from < first or r.day not in covered
    ]
    continuing = {r.day for r in existing if r.known_from <= first and r.day in covered}
    rows = history(vintages, current, published_after, continuing)
    return sorted(before + rows, key=lambda r: (r.day, r.known_from))


def history(
    vintages: list[tuple[date, pd.Series]],
    current: pd.Series,
    published_after: int,
    continuing: set[date] | None = None,
) -> list[Revision]:
    """The superseded values in a run of vintages (oldest first): for each date, each value
    that a later vintage, or today's CSV, replaced. A date in ``continuing`` has its earlier
    values on file: its value in the first vintage is known from that vintage (a release)."""
    continuing = continuing or set()
    rows: list[Revision] = []
    seen: dict[date, tuple[str, date, str]] = {}  # date -> (value text, known_from, basis)
    for position, (day, values) in enumerate(vintages):
        for stamp, value in values.dropna().items():
            when = stamp.date()
            text = format_value(float(value))
            if when not in seen:
                if position == 0 and when in continuing:
                    seen[when] = (text, day, "release")
                elif position == 0:  # maybe published before the first vintage fetched
                    start = min(day, rule_known_from(when, published_after))
                    seen[when] = (text, start, "rule")
                else:
                    seen[when] = (text, day, "release")
                continue
            old, start, basis = seen[when]
            if text != old:
                rows.append(Revision(when, float(old), start, day, basis))
                seen[when] = (text, day, "release")
    end = today()
    for stamp, value in current.dropna().items():
        when = stamp.date()
        if when in seen and seen[when][0] != format_value(float(value)):
            old, start, basis = seen[when]
            rows.append(Revision(when, float(old), start, max(start, end), basis))
    return sorted(rows, key=lambda r: (r.day, r.known_from))
