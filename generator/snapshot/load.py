"""The committed snapshot as the later stages see it: every configured series that is on disk,
validated, plus which are missing, stale (the last update failed) or overdue (the source seems
to have stopped publishing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from generator.catalogue.models import Config
from generator.snapshot import freshness, vintages
from generator.snapshot.store import Store
from generator.snapshot.vintages import Revision


@dataclass
class Snapshot:
    """Today's vintage of every series, and the superseded values of those ever revised."""

    series: dict[str, pd.Series]
    missing: list[str]
    stale: dict[str, str]
    overdue: dict[str, str] = field(default_factory=dict)
    revisions: dict[str, list[Revision]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # stale series id -> why (manifest)


def load_snapshot(config: Config, store: Store) -> Snapshot:
    """Every configured series that is on disk, validated; the rest listed as missing."""
    series: dict[str, pd.Series] = {}
    missing: list[str] = []
    stale: dict[str, str] = {}
    reasons: dict[str, str] = {}
    revisions: dict[str, list[Revision]] = {}
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
        revised = store.load_revisions(spec.source, series_id)
        if revised:
            revisions[series_id] = revised
        record = store.records.get(series_id)
        # An unavailable series (FRED: "does not exist") whose data is kept is flagged as a
        # stale one is: its card, page and API entry say so, with the source's reason.
        if record is not None and record.status in ("stale", "unavailable"):
            stale[series_id] = record.stale_since or record.last or "unknown"
            reasons[series_id] = record.message or f"{record.status} at its source"
    checked = freshness.last_update([r.fetched_at for r in store.records.values()])
    overdue = freshness.overdue(series, checked)
    return Snapshot(series, missing, stale, overdue, revisions, reasons)


def as_published(snapshot: Snapshot, config: Config, cutoff: date) -> Snapshot:
    """The snapshot as a reader could have seen it on ``cutoff``: each series as known then
    (``vintages.as_of``): superseded values from its revision file where one holds the day,
    otherwise the observations published by then (dated ``published_after`` days or more
    before it).

    Why: a claim judged "when written" must not use a Wednesday figure released the next day,
    or a month of payrolls released five weeks after the month began, or a value revised
    since. Where no revision is on record the values are today's vintage, which the
    scorecard says ("publication rule").
    """
    series: dict[str, pd.Series] = {}
    for series_id, values in snapshot.series.items():
        spec = config.series.get(series_id)
        lag = spec.published_after if spec is not None else 0
        revised = snapshot.revisions.get(series_id, [])
        kept = vintages.as_of(values, revised, lag, cutoff).dropna()
        if spec is not None and spec.valid_from is not None:
            kept = kept[kept.index >= pd.Timestamp(spec.valid_from)]
        if not kept.empty:
            series[series_id] = kept
    missing = snapshot.missing + [s for s in snapshot.series if s not in series]
    revisions = {k: v for k, v in snapshot.revisions.items() if k in series}
    return Snapshot(series, missing, {}, {}, revisions)


def known_on(snapshot: Snapshot, day: date) -> Snapshot:
    """The snapshot as it stood on ``day``, for ``build --as-of``: each series as known then
    (observations dated after ``day`` dropped, a value revised since read back from its
    revision file, as ``report --date`` reads it), only the revisions already seen by then,
    and overdue series judged on that day. Why: a past page is rebuilt from what the site
    could have known, so it shows what readers were shown. The manifest's stale flags say
    how the latest fetch went, which ``day`` could not know: none are kept.
    """
    series: dict[str, pd.Series] = {}
    for series_id, values in snapshot.series.items():
        revised = snapshot.revisions.get(series_id, [])
        kept = vintages.as_of(values, revised, 0, day).dropna()
        if not kept.empty:
            series[series_id] = kept
    missing = snapshot.missing + [s for s in snapshot.series if s not in series]
    revisions = {
        key: seen
        for key, rows in snapshot.revisions.items()
        if key in series and (seen := [r for r in rows if r.known_to <= day])
    }
    return Snapshot(series, missing, {}, freshness.overdue(series, day), revisions)
