"""The night's time budget, the order series are fetched in, and which sources to stop asking.

A nightly job has a hard limit (the workflow's ``timeout-minutes``); a job cancelled at that
limit writes nothing, so the keyless updates, the report and the publish are all lost for one
hanging host. ``update --deadline SECONDS`` turns that into a budget the run keeps itself:

- every request ends by the night's deadline (``net.Limits`` takes the earlier of its own
  deadline and ``request_ends()``), and a retry whose wait (``Retry-After`` included) would
  pass it is not made: "not tonight";
- each series may use a fair share of the time left (``SHARE`` times what an equal split would
  give), so one hanging source cannot eat the time of the series after it;
- a source that did not answer for ``BREAK_AFTER`` series in a row, or rejected the key, is not
  asked again tonight (its other series keep their data and are reported stale);
- once the deadline has passed, the series not yet fetched keep their data and are reported
  stale with the reason.

The series most claims read are fetched first (``priority``), so a short night still refreshes
what the scorecard stands on. The budget is process-wide (one ``update`` per process, under the
data lock) and read by the network layer through ``request_ends`` and ``time_left``.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from generator.catalogue.crossref import series_used
from generator.catalogue.models import Config

SHARE = 3.0  # a series may use up to SHARE times an equal split of the time left
BREAK_AFTER = 2  # a source that did not answer for this many series in a row is left alone


class Budget:
    """The night's end (monotonic seconds; None: no deadline) and the current series' end."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.ends = None if seconds is None else time.monotonic() + seconds
        self._series = threading.local()

    def left(self) -> float:
        """Seconds until the night's deadline (infinite without one)."""
        return math.inf if self.ends is None else self.ends - time.monotonic()

    def expired(self) -> str | None:
        """Why no further series may be fetched tonight, or None."""
        if self.ends is not None and self.left() <= 0:
            return f"not fetched: the update's deadline ({self.seconds:g} s) had passed"
        return None

    def start_series(self, series_left: int) -> None:
        """Give the next series its share: ``SHARE`` equal splits of the time left, at most all
        of it (the last series may use everything that remains)."""
        if self.ends is None:
            self._series.ends = None
            return
        left = max(self.left(), 0.0)
        share = left * SHARE / (series_left + SHARE - 1)
        self._series.ends = time.monotonic() + min(left, share)

    def request_ends(self) -> float | None:
        """The monotonic time every request of the current series must end by."""
        if self.ends is None:
            return None
        series_ends = getattr(self._series, "ends", None)
        return self.ends if series_ends is None else min(self.ends, series_ends)


_active: Budget | None = None


@contextmanager
def active(budget: Budget) -> Iterator[Budget]:
    """Make ``budget`` the one the network layer reads for the duration."""
    global _active
    previous, _active = _active, budget
    try:
        yield budget
    finally:
        _active = previous


def request_ends() -> float | None:
    """When the request being made must end by tonight's budget (None: no budget)."""
    return _active.request_ends() if _active is not None else None


def time_left() -> float:
    """Seconds the current series may still use (infinite without a budget)."""
    ends = request_ends()
    return math.inf if ends is None else ends - time.monotonic()


def deadline_note() -> str:
    """How a message names the budget that cut a request short."""
    seconds = _active.seconds if _active is not None else None
    return f"the update's deadline (--deadline {seconds:g} s)" if seconds else "the deadline"


def priority(config: Config, selected: list[str]) -> list[str]:
    """``selected`` with the series read by the most claims first (then by most indicators),
    otherwise in ``indicators.yml`` order: a night cut short still refreshes what the
    scorecard and the most pages read."""
    by_indicator = {ind.id: series_used(ind, config) for ind in config.indicators}
    claims: Counter[str] = Counter()
    for claim in config.claims.items if config.claims else []:
        read = {s for ref in claim.reads.values() for s in by_indicator.get(ref.split(".")[0], [])}
        claims.update(read)
    indicators: Counter[str] = Counter(s for used in by_indicator.values() for s in set(used))
    position = {series_id: index for index, series_id in enumerate(selected)}
    return sorted(selected, key=lambda s: (-claims[s], -indicators[s], position[s]))


class Breaker:
    """Which sources are not asked again tonight, and why."""

    def __init__(self) -> None:
        self.silent: Counter[str] = Counter()
        self.stopped: dict[str, str] = {}

    def blocked(self, source: str) -> str | None:
        return self.stopped.get(source)

    def record(self, source: str, *, unreachable: bool, stop: str | None = None) -> None:
        """After each fetched series: ``unreachable`` when the source did not answer at all
        (timeouts, refused connections), ``stop`` a reason to leave the source alone now
        (a rejected key)."""
        if stop:
            self.stopped[source] = stop
            return
        self.silent[source] = self.silent[source] + 1 if unreachable else 0
        if self.silent[source] >= BREAK_AFTER:
            self.stopped[source] = (
                f"not asked: {source} did not answer for {BREAK_AFTER} series in a row tonight"
            )
