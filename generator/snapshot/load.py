"""The committed snapshot as the later stages see it: every configured series that is on disk,
validated, plus which are missing, stale (the last update failed) or overdue (the source seems
to have stopped publishing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from generator.catalogue.models import Config
from generator.snapshot import freshness
from generator.snapshot.store import Store


@dataclass
class Snapshot:
    series: dict[str, pd.Series]
    missing: list[str]
    stale: dict[str, str]
    overdue: dict[str, str] = field(default_factory=dict)


def load_snapshot(config: Config, store: Store) -> Snapshot:
    """Every configured series that is on disk, validated; the rest listed as missing."""
    series: dict[str, pd.Series] = {}
    missing: list[str] = []
    stale: dict[str, str] = {}
    for series_id, spec in config.series.items():
        if not store.exists(spec.source, series_id):
            missing.append(series_id)
            continue
        loaded = store.load(spec.source, series_id).dropna()
        if loaded.empty:
            missing.append(series_id)
            continue
        series[series_id] = loaded
        record = store.records.get(series_id)
        if record is not None and record.status == "stale":
            stale[series_id] = record.stale_since or record.last or "unknown"
    checked = freshness.last_update([r.fetched_at for r in store.records.values()])
    return Snapshot(series, missing, stale, freshness.overdue(series, checked))
