"""The committed snapshot as the later stages see it: every configured series that is on disk,
validated, plus which are missing, stale (the last update failed) or overdue (the source seems
to have stopped publishing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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
        if spec.valid_from is not None:
            # Implausible early history (a change of source, say) cut by configuration.
            loaded = loaded[loaded.index >= pd.Timestamp(spec.valid_from)]
        if loaded.empty:
            missing.append(series_id)
            continue
        series[series_id] = loaded
        record = store.records.get(series_id)
        if record is not None and record.status == "stale":
            stale[series_id] = record.stale_since or record.last or "unknown"
    checked = freshness.last_update([r.fetched_at for r in store.records.values()])
    return Snapshot(series, missing, stale, freshness.overdue(series, checked))


def as_published(snapshot: Snapshot, config: Config, cutoff: date) -> Snapshot:
    """The snapshot as a reader could have seen it on ``cutoff``: each series keeps only the
    observations published by then (dated ``published_after`` days or more before it).

    Why: a claim judged "when written" must not use a Wednesday figure released the next day,
    or a month of payrolls released five weeks after the month began. Values are today's
    vintage: later revisions (ADP's, say) are not undone, which the methodology states.
    """
    series: dict[str, pd.Series] = {}
    for series_id, values in snapshot.series.items():
        spec = config.series.get(series_id)
        lag = spec.published_after if spec is not None else 0
        last = pd.Timestamp(cutoff) - pd.Timedelta(days=lag)
        kept = values[values.index <= last]
        if not kept.empty:
            series[series_id] = kept
    missing = snapshot.missing + [s for s in snapshot.series if s not in series]
    return Snapshot(series, missing, {}, {})
