"""A claim's inputs as first published, where the snapshot holds the vintages to say so.

"When written" otherwise cuts today's vintage at the publication rule: right for series never
revised, wrong for one like ADP, whose every monthly report revises the month before (March
2025 first printed +155k, today -53k). For each date whose first release is on record
(``snapshot/vintages.py`` ``first_prints``: a release date or a night ``update`` saw it), the
indicator is evaluated on the vintage of that day and the quantity read at that date, so a
monthly change is the one the report printed. Dates published by the cut-off whose first
release is not on record are listed as *unchecked*, never filled from today's vintage: the
scorecard says which months it could not check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from generator.catalogue.claims import ClaimConfig
from generator.catalogue.models import Config
from generator.measure.indicators import IndicatorResult, evaluate_one
from generator.snapshot.load import Snapshot, as_published
from generator.snapshot.vintages import RECORDED, first_prints


@dataclass
class VintageRead:
    """A claim's reads on first releases: the series per role, the revised series they come
    from, the release days used, and the dates published by the cut-off left unchecked."""

    reads: dict[str, pd.Series]
    series: list[str]
    releases: list[date] = field(default_factory=list)
    unchecked: list[date] = field(default_factory=list)
    # "first prints" (each date as first published, the nearest record) or "as of" (the
    # vintage of the cut-off day itself is on record: the figures as published that day)
    kind: str = "first prints"


def claim_reads(
    config: Config,
    claim: ClaimConfig,
    snapshot: Snapshot,
    results_then: list[IndicatorResult],
    cutoff: date,
) -> VintageRead | None:
    """The claim's reads as known on ``cutoff`` where the record holds that day's vintage,
    else as first published by ``cutoff``; None when none of the series it reads has a first
    release on record (the publication rule applies)."""
    by_id = {r.id: r for r in results_then}
    spanning = _vintage_of_the_day(claim, by_id, snapshot, cutoff)
    if spanning:
        that_day = {role: _quantity(by_id, ref) for role, ref in claim.reads.items()}
        return VintageRead(that_day, spanning, [cutoff], [], "as of")
    reads: dict[str, pd.Series] = {}
    used: list[str] = []
    releases: set[date] = set()
    unchecked: set[date] = set()
    for role, ref in claim.reads.items():
        indicator_id, _, quantity = ref.partition(".")
        then = by_id.get(indicator_id)
        if then is None:
            return None
        prints = _first_prints_by(then, snapshot, cutoff, used)
        if not prints:
            return None
        values = _values_as_first_printed(config, snapshot, then, quantity, prints)
        releases.update(prints.values())
        unchecked.update(_unchecked(then.quantities.get(quantity), values))
        index = pd.DatetimeIndex(sorted(values), name="date").as_unit("ns")
        reads[role] = pd.Series([values[s] for s in index], index=index, dtype="float64")
    return VintageRead(reads, used, sorted(releases), sorted(unchecked))


def _first_prints_by(
    then: IndicatorResult, snapshot: Snapshot, cutoff: date, used: list[str]
) -> dict[date, date]:
    """Each date of the indicator's series first published by ``cutoff`` -> the day it was
    (the latest over its series); the series that contributed are added to ``used``."""
    prints: dict[date, date] = {}
    for series_id in then.series:
        for day, known in first_prints(snapshot.revisions.get(series_id, [])).items():
            if known <= cutoff:
                prints[day] = max(known, prints.get(day, known))
                if series_id not in used:
                    used.append(series_id)
    return prints


def _values_as_first_printed(
    config: Config,
    snapshot: Snapshot,
    then: IndicatorResult,
    quantity: str,
    prints: dict[date, date],
) -> dict[pd.Timestamp, float]:
    """The quantity at each date, evaluated on the vintage of the day that date was first
    published (one evaluation per release day)."""
    values: dict[pd.Timestamp, float] = {}
    for known in sorted(set(prints.values())):
        vintage = as_published(snapshot, config, known)
        result = evaluate_one(config, then.config, vintage.series)
        got = result.quantities.get(quantity, pd.Series(dtype="float64"))
        for day in [d for d, k in prints.items() if k == known]:
            stamp = pd.Timestamp(day)
            if stamp in got.index:
                values[stamp] = float(got[stamp])
    return values


def _unchecked(published: pd.Series | None, values: dict[pd.Timestamp, float]) -> set[date]:
    """Dates published after the first checked one whose first release is not on record."""
    if published is None or not values:
        return set()
    first = min(values)
    return {stamp.date() for stamp in published.index if stamp > first and stamp not in values}


def _quantity(by_id: dict[str, IndicatorResult], ref: str) -> pd.Series:
    indicator_id, _, quantity = ref.partition(".")
    return by_id[indicator_id].quantities.get(quantity, pd.Series(dtype="float64"))


def _vintage_of_the_day(
    claim: ClaimConfig, by_id: dict[str, IndicatorResult], snapshot: Snapshot, cutoff: date
) -> list[str]:
    """The revised series a claim reads, when the record holds each one's vintage of
    ``cutoff`` (a recorded value current across that day, as an ALFRED back-fill through it
    leaves); empty otherwise. Then ``as_published`` already is that vintage."""
    used: list[str] = []
    for ref in claim.reads.values():
        result = by_id.get(ref.partition(".")[0])
        if result is None:
            return []
        for series_id in result.series:
            rows = snapshot.revisions.get(series_id, [])
            if not rows:
                continue
            if not any(r.basis in RECORDED and r.known_from <= cutoff < r.known_to for r in rows):
                return []
            if series_id not in used:
                used.append(series_id)
    return used
