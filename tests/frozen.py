"""The frozen project (``tests/fixtures/project``) as the stages see it: its events, its
configuration, its snapshot and the indicators evaluated over it, each loaded the first time a
test asks and kept for the rest of the process.

Fifteen test modules loaded these at import, so every pytest process (each xdist worker, and
then a nested run in test_fixtures) spent seconds of its collection loading the same files
fifteen times before its first test, for modules it might not even run. Shared by every
module, so they are read-only: a test that needs a changed configuration, snapshot or result
makes its own (``Config.model_copy``, ``Series.copy``, ``evaluate`` again), as the tests do.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from tests.conftest import FIXTURE

if TYPE_CHECKING:
    from generator.catalogue.models import Config, Event
    from generator.measure.indicators import IndicatorResult
    from generator.snapshot.load import Snapshot
    from generator.snapshot.store import Store


@functools.cache
def events() -> list[Event]:
    from generator.catalogue.load import load_events

    return load_events(FIXTURE / "events.yml")


@functools.cache
def config() -> Config:
    """``indicators.yml`` validated against ``events.yml`` (its references into it). The modules
    that loaded it without the events had an equal configuration: the events add checks, not
    content."""
    from generator.catalogue.load import load_config

    return load_config(FIXTURE / "indicators.yml", events())


@functools.cache
def store() -> Store:
    from generator.snapshot.store import Store

    return Store(FIXTURE / "data")


@functools.cache
def snapshot() -> Snapshot:
    """The snapshot of ``config()``'s series (the events change no series)."""
    from generator.snapshot.load import load_snapshot

    return load_snapshot(config(), store())


@functools.cache
def results() -> list[IndicatorResult]:
    """Every indicator evaluated over the snapshot's series (freshness not passed: no stale or
    overdue marks, as the modules that evaluated it at import did)."""
    from generator.measure import indicators

    return indicators.evaluate(config(), snapshot().series)
