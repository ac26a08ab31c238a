"""``python -m generator accept ID``: apply a reply the revision gate held for review.

The gate (``fetch/gate.py``) keeps a reply that rewrites history too much, or changes its
scale, in ``<ID>.held.csv`` and leaves the series stale. A person who has checked the source
(FRED did rebase the series; the units did change and ``indicators.yml`` now says so) accepts it
with one command: the held reply is merged as ``update`` would have merged it, every other gate
still applies (dates after tomorrow, lost history, ``plausible``), the superseded values go to
the revision file with tonight's date, the series is fresh again and the held file is removed,
all in one transaction under the data lock.
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator.catalogue.load import load_config
from generator.catalogue.messages import ConfigError
from generator.fetch import update as nightly
from generator.snapshot.lock import exclusive
from generator.snapshot.store import Store

EXIT_OK = 0
EXIT_REFUSED = 2


def accept(root: Path, series_id: str) -> int:
    """Apply the held reply of ``series_id``; exit 2 with the reason when there is none or
    another gate refuses it."""
    with exclusive(Path(root) / "data", "accept"):
        config = load_config(Path(root) / "indicators.yml")
        spec = config.series.get(series_id)
        if spec is None:
            raise ConfigError([f"accept: {series_id!r} is not a series of indicators.yml"])
        store = Store(Path(root) / "data")
        held = store.load_held(spec.source, series_id)
        if held is None:
            where = store.relative(store.held_path_for(spec.source, series_id))
            raise ConfigError(
                [f"accept: {series_id!r} has no reply held for review ({where} is absent)"]
            )
        stored = (
            store.load(spec.source, series_id) if store.exists(spec.source, series_id) else None
        )
        since = held.index[0].date() if len(held) else None
        try:
            nightly.refuse_future_rows(series_id, spec.source, held)
            merged, added, revisions = nightly.merge(series_id, stored, held, since, spec.plausible)
        except nightly.GateError as error:
            print(f"error: {error}; the held reply was left for review", file=sys.stderr)
            return EXIT_REFUSED
        outcome = nightly.Outcome(
            series_id, "fresh", added=added, revisions=revisions, merged=merged
        )
        nightly._commit(store, config, [outcome])  # the one write path (private on purpose)
        print(
            f"{series_id}: accepted the held reply: +{added} rows, {len(revisions)} revised "
            "(the old values are in its revision file)"
        )
        return EXIT_OK
