"""One build's inputs and measurements, computed once: the run object every page reads.

Wiring, like ``build``: it loads the catalogue and the snapshot and runs ``measure`` on them,
so the page list (``site_pages``) and the writers (``writers``) only read a frozen ``Run``.
Before it, ``build`` was one function passing a dozen locals from stage to stage, and a page
could be handed a value computed differently from the one beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from generator.catalogue.load import load_config, load_events
from generator.catalogue.models import Config, Event
from generator.measure import attribution, indicators, ladder, vintage_reads
from generator.measure import claims as claims_measure
from generator.measure import regime as analysis
from generator.publish import attribution as attribution_text
from generator.publish import nowcast as nowcast_text
from generator.snapshot import freshness
from generator.snapshot.load import Snapshot, as_published, known_on, load_snapshot
from generator.snapshot.store import Store


@dataclass(frozen=True)
class Run:
    """What one build knows: the configuration, the snapshot (as known on ``as_of`` for
    ``build --as-of``) and every measurement the pages show, each computed once."""

    root: Path
    as_of: date | None
    events: list[Event]
    config: Config
    store: Store
    snapshot: Snapshot
    results: list[indicators.IndicatorResult]
    regime: analysis.Regime | None
    ladder: ladder.Ladder | None
    claims: list[claims_measure.ClaimResult]
    attribution: pd.DataFrame  # the weekly change in reserves split by driver
    driver: str | None  # the sentence on what drove reserves, None without one
    estimate: nowcast_text.View  # the nowcast and its backtest

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def posts(self) -> Path:
        return self.site / "blog" / "posts"

    @property
    def written(self) -> date | None:
        return written_on(self.config)


@dataclass(frozen=True)
class Loaded:
    """What ``load`` read: the catalogue and the snapshot, before any measurement."""

    events: list[Event]
    config: Config
    store: Store
    snapshot: Snapshot


def load(root: Path, as_of: date | None) -> Loaded:
    """The catalogue and the snapshot (``build --as-of``: as it would have been on that day)."""
    events = load_events(root / "events.yml")
    config = load_config(root / "indicators.yml", events)
    store = Store(root / "data")
    snapshot = load_snapshot(config, store)
    if as_of is not None:
        snapshot = known_on(snapshot, as_of)
    return Loaded(events, config, store, snapshot)


def measure(root: Path, as_of: date | None, loaded: Loaded) -> Run:
    """Every measurement of the build, from what ``load`` read."""
    events, config, store, snapshot = loaded.events, loaded.config, loaded.store, loaded.snapshot
    results = indicators.evaluate(config, snapshot.series, snapshot.stale, snapshot.overdue)
    weekly_parts = attribution.attribution(snapshot.series, config.attribution.series)
    return Run(
        root=root,
        as_of=as_of,
        events=events,
        config=config,
        store=store,
        snapshot=snapshot,
        results=results,
        regime=analysis.compute_regime(config, results),
        ladder=ladder.from_config(config, events, results, snapshot.series),
        claims=judge_claims(config, events, snapshot, results, store, as_of),
        attribution=weekly_parts,
        driver=attribution_text.driver_sentence(attribution.main_driver(weekly_parts)),
        estimate=nowcast_text.compute(config, snapshot, store, as_of, root / ".cache" / "nowcast"),
    )


def written_on(config: Config) -> date | None:
    return config.claims.written if config.claims is not None else None


def judge_claims(
    config: Config,
    events: list[Event],
    snapshot: Snapshot,
    results: list[indicators.IndicatorResult],
    store: Store,
    as_of: date | None = None,
) -> list[claims_measure.ClaimResult]:
    """Each claim judged on the snapshot as published when the article was written, and on
    the whole snapshot as of the day the sources were last asked (months up to it complete)."""
    if config.claims is None:
        return []
    fetched = freshness.last_update([r.fetched_at for r in store.records.values()])
    latest = max((s.index[-1].date() for s in snapshot.series.values()), default=None)
    now = fetched or latest or config.claims.written
    now = min(now, as_of) if as_of is not None else now
    day = config.claims.written
    then = as_published(snapshot, config, day)
    results_then = indicators.evaluate(config, then.series)
    first = {}
    for claim in config.claims.items:
        read = vintage_reads.claim_reads(config, claim, snapshot, results_then, day)
        if read is not None:
            first[claim.id] = read
    return claims_measure.judge_claims(
        config, events, (results, snapshot.series, now), (results_then, then.series), first
    )
