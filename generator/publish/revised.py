"""The nightly report's "Revised since the last report": the revisions seen since the previous
post that move what the site says.

A reader of the nightly report should not have to diff the revision log against the home page
to learn that last week's figure changed under a status. For each series revised since the
previous report, the indicators that read it are evaluated twice, on the values known before
the revisions (the old values put back) and on the values known on the report's night, and so
are the claims that read those indicators or the series itself; the revision is listed when a
status, a card value, a verdict or a claim's evidence differs between the two. Revisions that
move nothing stay on the revision log page only. Values of series marked
``redistribute: false`` are withheld here as on that page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from generator.catalogue.models import Config, Event
from generator.measure import claims as claims_measure
from generator.measure import indicators
from generator.measure.indicators import IndicatorResult
from generator.publish import pages
from generator.publish.format import format_date
from generator.publish.revisions import log, value_text
from generator.snapshot.vintages import Revision


@dataclass(frozen=True)
class RevisedRow:
    """One revision of the night, in words, and what it moves."""

    series: str
    date: str
    old: str
    new: str
    seen: str
    moves: str


def since_day(previous: date | None, day: date) -> date:
    """Revisions seen after this day count: the previous report's, else the night before."""
    return previous if previous is not None else day - timedelta(days=1)


def night_revisions(
    config: Config,
    events: list[Event],
    known: dict[str, pd.Series],
    revisions: dict[str, list[Revision]],
    results: list[IndicatorResult],
    since: date,
    day: date,
) -> list[RevisedRow]:
    """The revisions replaced after ``since`` and on or before ``day`` that move an indicator
    or a claim, by series then date. ``known`` is the data as known on ``day`` and ``results``
    the indicators evaluated on it."""
    seen = {key: [r for r in rows if r.known_to <= day] for key, rows in revisions.items()}
    logged = [r for r in log(config, known, seen) if since < r.replaced <= day]
    by_series: dict[str, list[Any]] = {}
    for row in logged:
        by_series.setdefault(row.series, []).append(row)
    rows: list[RevisedRow] = []
    for series_id in sorted(by_series):
        night = sorted(by_series[series_id], key=lambda r: r.day)
        # the oldest value replaced in the window is the one known before it
        before: dict[date, float] = {}
        for entry in revisions.get(series_id, []):
            if since < entry.known_to <= day and entry.known_from <= since:
                before.setdefault(entry.day, entry.value)
        moves = _moves(config, events, known, results, series_id, before, day)
        if not moves:
            continue
        rows += [
            RevisedRow(
                series_id,
                format_date(r.day),
                value_text(r.old, r.withheld),
                value_text(r.new, r.withheld),
                format_date(r.replaced),
                moves,
            )
            for r in night
        ]
    return rows


def _moves(
    config: Config,
    events: list[Event],
    known: dict[str, pd.Series],
    results: list[IndicatorResult],
    series_id: str,
    before: dict[date, float],
    day: date,
) -> str:
    """What putting back the values known before the night changes, in words ('' if nothing)."""
    current = known.get(series_id)
    if current is None or not before:
        return ""
    old = current.copy()
    for when, value in before.items():
        old[pd.Timestamp(when)] = value
    old = old.sort_index()
    then = {**known, series_id: old}
    readers = [r for r in results if series_id in r.series]
    redone = {r.id: indicators.evaluate_one(config, r.config, then, None, None) for r in readers}
    words: list[str] = []
    for result in readers:
        earlier = redone[result.id]
        was = earlier.status.level if earlier.status else "no status"
        now = result.status.level if result.status else "no status"
        title = result.config.title
        if was != now:
            words.append(f"{title}: {was} → {now}")
        elif pages.latest_value_text(earlier) != pages.latest_value_text(result):
            words.append(f"{title}: value moved, still {now}")
    words += _claim_moves(config, events, known, then, results, redone, series_id, day)
    return "; ".join(words)


def _claim_moves(
    config: Config,
    events: list[Event],
    known: dict[str, pd.Series],
    then: dict[str, pd.Series],
    results: list[IndicatorResult],
    redone: dict[str, IndicatorResult],
    series_id: str,
    day: date,
) -> list[str]:
    """The claims judged today that read a redone indicator or the series itself (an asset of
    a ladder test), judged before and after: a verdict that differs, or evidence that moved."""
    if config.claims is None:
        return []
    by_id = {e.id: e.date for e in events if e.id}
    policy = [e.date for e in events if e.kind == "policy" and e.easing]
    earlier = [redone.get(r.id, r) for r in results]
    words = []
    for claim in config.claims.items:
        reads = {ref.partition(".")[0] for ref in claim.reads.values()}
        if not (reads & set(redone)) and series_id not in str(claim.params):
            continue
        now_ctx = claims_measure.Context(day, known, by_id, desk=config.desk, policy=policy)
        then_ctx = claims_measure.Context(day, then, by_id, desk=config.desk, policy=policy)
        now = claims_measure.judge(claim, results, now_ctx, claims_measure.LATEST)
        was = claims_measure.judge(claim, earlier, then_ctx, claims_measure.LATEST)
        if was.verdict != now.verdict:
            words.append(f"claim {claim.id}: {was.verdict} → {now.verdict}")
        elif not _same(was.evidence.values, now.evidence.values):
            words.append(f"claim {claim.id}: evidence moved, still {now.verdict}")
    return words


def _same(left: dict[str, float], right: dict[str, float]) -> bool:
    if set(left) != set(right):
        return False
    return all(
        (math.isnan(a) and math.isnan(b)) or a == b
        for a, b in ((float(left[k]), float(right[k])) for k in left)
    )
