"""``python -m generator update``: bring every configured series up to date without ever
damaging the committed snapshot.

The order of work is what makes it safe. The whole run holds ``data/.lock``, so two runs never
interleave. Everything that can be checked offline (the config, series ids, the FRED key, the
files on disk) is checked before the first request, so those mistakes exit 2 with nothing sent
and nothing written. Then each series is fetched from (last stored date - its revision window),
the series most claims read first, each request within its source's deadline, the night's
``--deadline`` (``fetch/budget.py``) and a size cap; merged and put through a regression gate
(rows after tomorrow, history lost, implausible or infinite values) and the revision gate
(``fetch/gate.py``: a revision too large or a change of scale waits for ``accept``). Each
series on its own: any failure (a bad reply, an HTML page, a rejected key, which stops that
source only) leaves it stale and the others updated. Only when every fetch is done are the
changed files written, as one transaction (all staged, then renamed, the manifest last): a run
killed or aborted before that point leaves the snapshot exactly as it was. A revised value is
never lost: the old one goes to ``<ID>.revisions.csv`` with the night it was replaced
(``snapshot/vintages.py``). Exit codes: 0 all fresh, 2 config or key error found before any
request, or the lock is held, 3 some series failed and kept their last good data, 4 ``data/``
cannot be written.
"""

from __future__ import annotations

import difflib
import math
import os
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from generator.catalogue.grammar import SERIES_ID
from generator.catalogue.load import load_config
from generator.catalogue.messages import ConfigError
from generator.catalogue.models import Config, SeriesConfig, SeriesStatus
from generator.fetch import gate, plan, sources
from generator.fetch.budget import Breaker, Budget, active, priority
from generator.fetch.sources import KeyRejected, NotFound, SourceError
from generator.fetch.sources.net import clean, redact
from generator.fetch.summary import Progress, print_summary
from generator.snapshot import clock, vintages
from generator.snapshot.clock import today
from generator.snapshot.lock import WriteError, describe_os_error, exclusive
from generator.snapshot.store import (
    Store,
    StoreError,
    format_value,
    leftovers,
    parse_series_csv,
    series_to_csv,
    stage_bytes,
)
from generator.snapshot.verify import latest_allowed

EXIT_OK = 0
EXIT_CONFIG = 2
EXIT_PARTIAL = 3


class GateError(Exception):
    """The reply would damage the stored series; the message names series, date and rule."""


@dataclass
class Outcome:
    """What happened to one series; ``merged`` is the new content when the file must change."""

    series_id: str
    status: SeriesStatus
    failed: bool = False
    added: int = 0
    revisions: list[tuple[date, float, float]] = field(default_factory=list)
    message: str | None = None
    merged: pd.Series | None = None
    held: pd.Series | None = None  # a reply the revision gate held, kept for `accept`
    stop_source: str | None = None  # why the source is not asked again tonight
    unreachable: bool = False  # the source did not answer at all


def update(
    root: Path, only: list[str] | None, keyless: bool = False, deadline: float | None = None
) -> int:
    """Fetch, merge, gate and write every selected series under the data lock; returns the
    process exit code. ``keyless`` selects only series whose source needs no key, so a fork
    without a FRED key still updates the rest (their manifest entries are left as they are).
    ``deadline`` (seconds) bounds the fetching: the series left when it passes are kept."""
    with exclusive(Path(root) / "data", "update"):
        return _update(root, only, keyless, deadline)


def _update(root: Path, only: list[str] | None, keyless: bool, deadline: float | None) -> int:
    config = load_config(Path(root) / "indicators.yml")
    store = Store(Path(root) / "data")
    plan.declare_secrets(config)  # every declared key is masked from here on
    selected = plan.fetched(config, _select(config, only))  # a manual source is left alone
    if keyless:
        selected = plan.keyless(config, selected)
    stored = _preflight(config, store, selected)
    progress = Progress(len(selected), sys.stderr)
    found: dict[str, Outcome] = {}
    budget, breaker = Budget(deadline), Breaker()
    order = priority(config, selected)
    positions = {series_id: position for position, series_id in enumerate(order, start=1)}
    hosts = {s: sources.host(config.series[s].fetcher(s)) for s in order}
    left = Counter(hosts.values())  # series still to come, per host (each host has a thread)
    lock = threading.Lock()

    def one(series_id: str) -> Outcome:
        spec = config.series[series_id]
        with lock:
            skip = budget.expired() or breaker.blocked(spec.source)
            host_left = left[hosts[series_id]]
            left[hosts[series_id]] -= 1
        if skip:
            status: SeriesStatus = "stale" if series_id in stored else "unavailable"
            return Outcome(series_id, status, failed=True, message=skip)
        budget.start_series(host_left)  # a fair share of the time left, per host thread
        outcome = _update_series(series_id, spec, stored.get(series_id))
        with lock:
            breaker.record(spec.source, unreachable=outcome.unreachable, stop=outcome.stop_source)
        return outcome

    def done(series_id: str, outcome: Outcome) -> None:
        found[series_id] = outcome
        progress.start(positions[series_id], series_id)
        progress.done(positions[series_id], outcome)

    with active(budget):  # one thread per host (fetch/plan.py), each in priority order
        plan.run_by_host(config, order, one, done)
    progress.close()
    outcomes = [found[series_id] for series_id in selected]  # the summary in config order
    _commit(store, config, outcomes)
    print_summary(outcomes, sys.stdout)
    return EXIT_PARTIAL if any(outcome.failed for outcome in outcomes) else EXIT_OK


# -- before any request ---------------------------------------------------------------------


def _select(config: Config, only: list[str] | None) -> list[str]:
    """The series asked for: all, or those named (``plan.fetched`` then leaves out the ones
    kept by hand)."""
    if not only:
        return list(config.series)
    unknown = [name for name in only if name not in config.series]
    if unknown:
        problems = []
        for name in unknown:
            close = difflib.get_close_matches(name, list(config.series), n=1)
            hint = f": did you mean {close[0]!r}?" if close else ""
            problems.append(f"--only: unknown series {name!r}{hint}")
        raise ConfigError(problems)
    return [name for name in config.series if name in only]


def _preflight(config: Config, store: Store, selected: list[str]) -> dict[str, pd.Series]:
    """Every check that needs no network; raises ConfigError/StoreError (exit 2)."""
    problems: list[str] = []
    for series_id in selected:
        if not SERIES_ID.fullmatch(series_id):
            problems.append(f"indicators.yml: series id {series_id!r} is malformed")
            continue
    problems += plan.problems(config, selected)  # every declared key, every <SOURCE>_* variable
    if problems:
        raise ConfigError(problems)
    store.records  # noqa: B018 - a broken manifest must fail now, before any request
    for series_id in selected:  # and a broken revision file, which the write appends to
        store.load_revisions(config.series[series_id].source, series_id)
    return {
        series_id: store.load(config.series[series_id].source, series_id)
        for series_id in selected
        if store.exists(config.series[series_id].source, series_id)
    }


# -- one series -----------------------------------------------------------------------------


def _update_series(series_id: str, spec: SeriesConfig, stored: pd.Series | None) -> Outcome:
    valid = stored.dropna() if stored is not None else None
    since = None
    if valid is not None and len(valid):
        since = valid.index[-1].date() - timedelta(days=spec.revision_days)
    no_data: SeriesStatus = "unavailable" if stored is None else "stale"
    try:
        fetched = sources.fetch(spec.fetcher(series_id), series_id, since)
    except KeyRejected as error:
        stop = f"not asked: {spec.source} rejected the key earlier tonight"
        return Outcome(series_id, no_data, failed=True, message=error.message, stop_source=stop)
    except NotFound as error:
        if spec.optional and stored is None:
            return Outcome(series_id, "unavailable", message=f"{error.message} (optional)")
        return Outcome(series_id, "unavailable", failed=True, message=error.message)
    except SourceError as error:
        tries = f"; gave up after {error.attempts} attempts" if error.attempts > 1 else ""
        silent = error.transient and error.status is None  # no HTTP reply at all
        return Outcome(
            series_id, no_data, failed=True, message=error.message + tries, unreachable=silent
        )
    except Exception as error:  # a bug in one source must not stop the others
        reason = f"unexpected {type(error).__name__}: {clean(error, 80)}"
        return Outcome(series_id, no_data, failed=True, message=reason)
    try:
        refuse_future_rows(series_id, spec.source, fetched)
        merged, added, revisions = merge(series_id, stored, fetched, since, spec.plausible)
        changed = stored is None or bool(added) or bool(revisions)
        # What would be written must read back. Unchanged, it is the stored file's text (each
        # value formats as stored), which read back when loaded: most series on most nights,
        # whose round trip through CSV was 40 % of an up-to-date update's CPU (1.1 -> 0.6 s).
        if changed:
            parse_series_csv(series_to_csv(merged).decode(), f"{series_id} (tonight's reply)")
        gate.check(series_id, stored, fetched.dropna(), revisions, spec.max_revision)
    except (GateError, StoreError) as error:
        return Outcome(series_id, no_data, failed=True, message=str(error))
    except gate.HeldError as error:
        return Outcome(series_id, "stale", failed=True, message=str(error), held=fetched)
    return Outcome(
        series_id,
        "fresh",
        added=added,
        revisions=revisions,
        merged=merged if changed else None,
    )


def refuse_future_rows(series_id: str, source: str, fetched: pd.Series) -> None:
    """A row dated after tomorrow is a source's mistake. Stored, it would become the series'
    last date for good: the gate would then refuse every real reply as moving it back."""
    limit = pd.Timestamp(latest_allowed())
    ahead = fetched.index[fetched.index > limit]
    if len(ahead):
        raise GateError(
            f"{series_id}: source {source} sent a row dated {ahead[-1]:%Y-%m-%d}, after "
            f"tomorrow ({limit:%Y-%m-%d}); refused, kept the stored data"
        )


def merge(
    series_id: str,
    stored: pd.Series | None,
    fetched: pd.Series,
    since: date | None,
    plausible: tuple[float, float] | None,
) -> tuple[pd.Series, int, list[tuple[date, float, float]]]:
    """New values replace old ones inside the window (``_commit`` keeps each old one in the
    series' revision file); the gate refuses anything that would lose history. Returns
    (merged series, rows added, [(date, old, new)] revisions).

    Missing values ('.', null) never overwrite a stored number and are not stored as new rows:
    the snapshot leaves days without a value out.
    """
    if not fetched.index.is_unique:
        day = fetched.index[fetched.index.duplicated()][0]
        raise GateError(f"{series_id}: the reply lists {day:%Y-%m-%d} more than once; refused")
    fetched = fetched.sort_index()
    new = fetched.dropna()
    window = f"since {since}" if since else "at all"
    infinite = gate.refuse_non_finite(series_id, new)
    if infinite:
        raise GateError(infinite)
    if new.empty:
        what = "only missing values" if len(fetched) else "no observations"
        raise GateError(f"{series_id}: the source sent {what} {window}; kept the stored data")
    _check_plausible(series_id, new, plausible)
    old = stored.dropna() if stored is not None else None
    if stored is None or old is None or old.empty:
        return new.rename(series_id), len(new), []
    listed = fetched.index  # a date sent as '.' is listed: its stored value is kept
    if listed[-1] < old.index[-1]:
        raise GateError(
            f"{series_id}: the last date would move back from {old.index[-1]:%Y-%m-%d} to "
            f"{listed[-1]:%Y-%m-%d}; refused"
        )
    missing = old.index[old.index >= listed[0]].difference(listed)
    if len(missing):
        raise GateError(
            f"{series_id}: the reply lacks {len(missing)} stored date(s) between "
            f"{listed[0]:%Y-%m-%d} and {listed[-1]:%Y-%m-%d} (first {missing[0]:%Y-%m-%d}); "
            "refused: history would shrink"
        )
    common = new.index.intersection(stored.index)
    revisions = [
        (day.date(), float(stored[day]), float(new[day]))
        for day in common
        if not math.isnan(stored[day]) and format_value(stored[day]) != format_value(new[day])
    ]
    fresh_days = new.index.difference(stored.index)
    filled = sum(1 for day in common if math.isnan(stored[day]))
    merged = stored.copy()
    merged.loc[common] = new.reindex(common).to_numpy()
    merged = pd.concat([merged, new.reindex(fresh_days)]).sort_index().rename(series_id)
    merged.index.name = "date"
    return merged, len(fresh_days) + filled, revisions


def _check_plausible(series_id: str, values: pd.Series, bounds: tuple[float, float] | None) -> None:
    if bounds is None:
        return
    low, high = bounds
    outside = values[(values < low) | (values > high)]
    if len(outside):
        day, value = outside.index[0], float(outside.iloc[0])
        side = "below" if value < low else "above"
        raise GateError(
            f"{series_id}: value {format_value(value)} on {day:%Y-%m-%d} is {side} the plausible "
            f"range [{format_value(low)}, {format_value(high)}]; refused"
        )


# -- writing --------------------------------------------------------------------------------


def _commit(store: Store, config: Config, outcomes: list[Outcome]) -> None:
    """Write the night's changes as one transaction: every changed CSV staged (validated round
    trip, temp file, fsync), then all renamed, then the manifest last. A full or read-only disk
    while staging leaves every file as it was; ``check`` compares each CSV with the manifest's
    sha256 and row count, so a run killed between the renames and the manifest is found."""
    _remove_leftovers(store)
    staged: list[tuple[Path, Path]] = []
    try:
        for outcome in outcomes:
            spec = config.series[outcome.series_id]
            if outcome.held is not None:
                held_path = store.held_path_for(spec.source, outcome.series_id)
                staged.append((stage_bytes(held_path, series_to_csv(outcome.held)), held_path))
            if outcome.merged is None:
                continue
            path = store.path_for(spec.source, outcome.series_id)
            payload = series_to_csv(outcome.merged)
            parse_series_csv(payload.decode(), store.relative(path))
            staged.append((stage_bytes(path, payload), path))
            if outcome.revisions:
                staged.append(_stage_revisions(store, spec, outcome))
    except OSError as error:
        raise _abandon(
            store, staged, error, "write", "nothing was changed: free space or make it writable"
        ) from None
    try:
        for tmp, path in staged:
            os.replace(tmp, path)
        for outcome in outcomes:  # a series fresh again needs no review of an older reply
            if outcome.status == "fresh":
                spec = config.series[outcome.series_id]
                store.held_path_for(spec.source, outcome.series_id).unlink(missing_ok=True)
        _record(store, config, outcomes)
        store.write_manifest()
    except OSError as error:
        raise _abandon(
            store,
            staged,
            error,
            "finish writing",
            "some CSVs may be ahead of data/manifest.json: `python -m generator check` lists "
            "them; free space or make it writable",
        ) from None


def _stage_revisions(store: Store, spec: SeriesConfig, outcome: Outcome) -> tuple[Path, Path]:
    """The revision file with tonight's superseded values appended: a revised value is kept
    with the days it was current, never lost (``snapshot/vintages.py``)."""
    path = store.revisions_path_for(spec.source, outcome.series_id)
    existing = store.load_revisions(spec.source, outcome.series_id)
    rows = vintages.record(existing, outcome.revisions, today(), spec.published_after)
    payload = vintages.revisions_to_csv(rows)
    vintages.parse_revisions_csv(payload.decode(), store.relative(path))
    return stage_bytes(path, payload), path


def _abandon(
    store: Store, staged: list[tuple[Path, Path]], error: OSError, doing: str, advice: str
) -> WriteError:
    """Remove the staged files and word the error (full or read-only disk, exit 4)."""
    for tmp, _ in staged:
        tmp.unlink(missing_ok=True)
    return WriteError(
        f"cannot {doing} {store.relative(store.root)}/ ({describe_os_error(error)}); "
        f"{advice} and run update again"
    )


def _record(store: Store, config: Config, outcomes: list[Outcome]) -> None:
    """Refresh every selected series' manifest entry from the files now on disk."""
    now = clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")  # UPDATE_NOW pins it in tests
    for outcome in outcomes:
        spec = config.series[outcome.series_id]
        previous = store.records.get(outcome.series_id)
        fields: dict[str, object] = {}
        if previous is None or previous.source != spec.source:
            fields.update(
                source=spec.source,
                title=spec.title,
                units=spec.units,
                frequency=spec.frequency,
                owner=spec.owner,
            )
        if outcome.status == "fresh":
            # fetched_at moves only when the fetch changed the series (or it was stale): a
            # check that found nothing new leaves the manifest's bytes, and `--due` asks again
            at = now
            if previous is not None and previous.status == "fresh" and previous.fetched_at:
                at = previous.fetched_at if outcome.merged is None else now
            fields.update(status="fresh", fetched_at=at, stale_since=None, message=None)
        else:
            last_good = previous.fetched_at if previous and previous.fetched_at else None
            since = last_good[:10] if last_good else (previous.stale_since if previous else None)
            fields.update(
                status=outcome.status, stale_since=since, message=_redact(outcome.message)
            )
        store.record(outcome.series_id, **fields)


def _remove_leftovers(store: Store) -> None:
    """Temp files of a run that was killed mid-write: never read, safe to delete."""
    for leftover in leftovers(store.root):
        leftover.unlink(missing_ok=True)


def _redact(text: str | None) -> str | None:
    """Defence in depth: the key, or any piece of it, never reaches a message, a log or the
    manifest (sources redact already; this catches text from anywhere else)."""
    return None if text is None else redact(text)
