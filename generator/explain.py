"""``python -m generator explain INDICATOR.QUANTITY [--date D]``: one number, made plain.

Wiring only: the configuration and snapshot are loaded as ``build`` loads them, the number is
traced by ``measure/lineage`` and worded by ``publish/explain``. An unknown name is a one-line
error (exit 2) naming what exists.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from generator.catalogue.load import load_config, load_events
from generator.catalogue.messages import ConfigError
from generator.measure import lineage
from generator.publish import explain as explain_text
from generator.snapshot.load import load_snapshot
from generator.snapshot.store import Store


def explain(root: Path, name: str, day: date | None = None) -> int:
    events = load_events(root / "events.yml")
    config = load_config(root / "indicators.yml", events)
    store = Store(root / "data")
    snapshot = load_snapshot(config, store)
    provenance = lineage.Provenance(
        snapshot.revisions, {k: r.fetched_at for k, r in store.records.items()}
    )
    try:
        traced = lineage.explain(config, snapshot.series, name, day, provenance)
    except lineage.UnknownName as exc:
        raise ConfigError([f"explain {name}: {exc}"]) from None
    indicator = next(i for i in config.indicators if i.id == traced.indicator)
    sys.stdout.write(explain_text.text(traced, indicator))
    return 0
