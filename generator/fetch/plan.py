"""What ``update`` needs to know about the sources before and while it fetches: each series'
source model, the keys they declare, and one worker thread per host.

Kept apart from ``update.py`` so the order of work there (offline checks, fetch, gate, one
write) reads as before, whichever sources a fork declares.

Why threads per host: a night's run was a queue of a few dozen requests to five hosts, each
waiting on the slowest (FRED paces itself at a second a request). Each host now has its own
worker, which fetches its series one after another at that host's own pace (``net.pacer``;
FRED keeps its module pacer, one host), so FRED's pacing no longer delays
the ECB or DefiLlama, and no host sees more than one request at a time from us.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from generator.catalogue.models import Config
from generator.catalogue.sources import SourceSpec, key_variables
from generator.fetch import sources
from generator.fetch.sources import net

T = TypeVar("T")
MAX_HOSTS = 8  # worker threads at most (UPDATE_HOSTS overrides; 1: one host at a time)


def max_hosts() -> int:
    raw = os.environ.get("UPDATE_HOSTS", "").strip()
    return int(raw) if raw.isdigit() and int(raw) >= 1 else MAX_HOSTS


def fetchers(config: Config) -> dict[str, SourceSpec]:
    """Every series' source model (the catalogue has checked that each resolves)."""
    return {series_id: spec.fetcher(series_id) for series_id, spec in config.series.items()}


def declare_secrets(config: Config) -> None:
    """Mask every key any series declares, selected or not, before the first request."""
    net.declare_secrets(key_variables(list(fetchers(config).values())))


def fetched(config: Config, selected: list[str]) -> list[str]:
    """The selected series ``update`` fetches: a manual source's rows are added by hand."""
    return [s for s in selected if config.series[s].fetcher(s).source != "manual"]


def keyless(config: Config, selected: list[str]) -> list[str]:
    """The selected series whose source needs no key (``update --keyless``)."""
    return [s for s in selected if config.series[s].fetcher(s).key_variable() is None]


def problems(config: Config, selected: list[str]) -> list[str]:
    """Keys and ``<SOURCE>_*`` variables that cannot be used, found before any request."""
    found: list[str] = []
    raw = os.environ.get("UPDATE_HOSTS", "").strip()
    if raw and not (raw.isdigit() and int(raw) >= 1):
        found.append("UPDATE_HOSTS must be a whole number of at least 1 (hosts fetched at once)")
    specs = [config.series[series_id].fetcher(series_id) for series_id in selected]
    seen: set[str] = set()
    for spec in specs:
        name = spec.key_variable()
        if name is None or name in seen:
            continue
        seen.add(name)
        problem = sources.key_problem(spec)
        if problem:
            found.append(problem)
    for source in sorted({spec.source for spec in specs}):
        found += [p for p in sources.check_environment(source) if p not in found]
    return found


def _by_host(config: Config, selected: list[str]) -> dict[str, list[str]]:
    """The selected series per host, in catalogue order."""
    by_host: dict[str, list[str]] = {}
    for series_id in selected:
        host = sources.host(config.series[series_id].fetcher(series_id))
        by_host.setdefault(host, []).append(series_id)
    return by_host


def _run_hosts(hosts: list[list[str]], worker: Callable[[list[str]], None]) -> None:
    """One thread per host (none at all for a single host or max_hosts() 1); the first error a
    worker raised is raised here once all have stopped."""
    if len(hosts) <= 1 or max_hosts() == 1:  # no thread at all: one host after another
        for series_ids in hosts:
            worker(series_ids)
        return
    with ThreadPoolExecutor(max_workers=min(max_hosts(), len(hosts))) as pool:
        futures = [pool.submit(worker, ids) for ids in hosts]
        errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise errors[0]  # type: ignore[misc]


def run_by_host(
    config: Config,
    selected: list[str],
    work: Callable[[str], T],
    done: Callable[[str, T], None],
) -> list[T]:
    """``work(series_id)`` for every selected series, one worker thread per host, series of a
    host in catalogue order (a keyed host's first series before any thread starts); ``done``
    is called (under a lock) as each finishes. Returns the results in ``selected`` order. The
    first exception a worker raises stops every worker before its next series and is raised
    here."""
    by_host = _by_host(config, selected)
    results: dict[str, T] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def worker(series_ids: list[str]) -> None:
        for series_id in series_ids:
            if stop.is_set():
                return
            try:
                result = work(series_id)
            except BaseException:
                stop.set()
                raise
            with lock:
                results[series_id] = result
                done(series_id, result)

    # A keyed host's first series goes first, alone, so a refused key is known before any
    # other source is asked (whatever update then does with the refusal).
    for series_ids in by_host.values():
        first = series_ids[0]
        if config.series[first].fetcher(first).key_variable() is not None:
            worker([first])
            series_ids.pop(0)
    _run_hosts([ids for ids in by_host.values() if ids], worker)
    return [results[series_id] for series_id in selected if series_id in results]
