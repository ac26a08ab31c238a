"""``update --due``: fetch only the series a release has just made new, and keep FRED's release
calendar on file.

A series is due when the latest scheduled occurrence of its release (``snapshot/releases.py``)
is after its manifest ``fetched_at``, which ``update`` moves only when a fetch changed the
series. So a check that finds nothing (a release late on FRED) changes no committed file and
leaves the series due: the next timed run asks again. The timed runs stop asking, and the
nightly run (which fetches everything) takes over, after ``GIVE_UP``, and for a series that
missed a whole release before this one (``fetched_at`` before the previous occurrence: a
series that stopped, or one whose release has days without new data, such as the Desk's
operations): otherwise such a series would be fetched by every timed run. A series without
``release:`` is left to the nightly run too. Each check's time goes to ``data/checked.json``
(``checked_at``, not committed: it would change on every run) so a reader of the run can tell
"asked, nothing new" from "not asked".

FRED's calendar of each declared FRED release (``fred/release/dates``, future days included) is
stored as ``data/releases/fred-<id>.csv``: every plain ``update`` refreshes it, ``--due`` only
when the stored dates end within ``CALENDAR_AHEAD``, so the calendar is known offline.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from generator.catalogue.load import load_config
from generator.catalogue.models import Config
from generator.fetch import plan
from generator.fetch.sources import SourceError, fred
from generator.fetch.sources.net import redact
from generator.snapshot import clock
from generator.snapshot.lock import exclusive
from generator.snapshot.releases import (
    Occurrence,
    Schedule,
    load_schedule,
    parse_release_dates_csv,
    release_dates_path,
    release_dates_to_csv,
)
from generator.snapshot.store import SeriesRecord, Store, atomic_write_bytes

GIVE_UP = timedelta(days=2)
# A release counts as out this long after its official time: FRED and the NY Fed take minutes
# to show it, and a run that asks earlier (a delayed run of an earlier group) would spend a
# request on the old data. The timed groups start just after it (releases.yml).
SETTLE = timedelta(minutes=15)
CALENDAR_AHEAD = timedelta(days=21)
CALENDAR_BACK = timedelta(days=400)
CHECKED = "checked.json"


@dataclass(frozen=True)
class Due:
    series_id: str
    release: Occurrence


def due_series(
    config: Config, records: dict[str, SeriesRecord], schedule: Schedule, now: datetime
) -> list[Due]:
    """The series whose release's latest occurrence (at or before ``now - SETTLE``, within
    ``GIVE_UP``) is after their last fetch that changed them, in catalogue order. Only series
    ``update`` fetches (``plan.fetched``, the one rule) can be due: a series kept by hand has a
    release for the calendar, but no run could bring its rows."""
    found: list[Due] = []
    fetchable = set(plan.fetched(config, list(config.series)))  # the rule update applies
    for series_id, spec in config.series.items():
        if spec.release is None or series_id not in fetchable:  # e.g. kept by hand
            continue
        latest = schedule.latest_before(spec.release, now - SETTLE)
        if latest is None or now - latest.at > GIVE_UP:
            continue
        record = records.get(series_id)
        fetched = _parse_time(record.fetched_at) if record and record.fetched_at else None
        if fetched is None:
            found.append(Due(series_id, latest))
            continue
        previous = schedule.latest_before(spec.release, latest.at - timedelta(seconds=1))
        caught_up = previous is None or fetched >= previous.at
        if caught_up and fetched < latest.at:
            found.append(Due(series_id, latest))
    return found


def _parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def run_due(root: Path, keyless: bool, deadline: float | None = None) -> int:
    """Select the due series, update them (``fetch/update.py``), note the checks."""
    from generator.fetch.update import EXIT_OK, update

    root = Path(root)
    config = load_config(root / "indicators.yml")
    store = Store(root / "data")
    now = clock.now()
    selected = due_series(config, store.records, load_schedule(config, store.root), now)
    if keyless:
        free = set(plan.keyless(config, [d.series_id for d in selected]))
        selected = [d for d in selected if d.series_id in free]
    if not selected:
        print(f"{now:%Y-%m-%d %H:%M} UTC: no series is due; nothing fetched")
        return EXIT_OK
    for item in selected:
        print(
            f"due: {item.series_id} ({config.releases[item.release.release].name} of "
            f"{item.release.at:%Y-%m-%d %H:%M} UTC)"
        )
    code = update(root, only=[d.series_id for d in selected], keyless=keyless, deadline=deadline)
    record_checks(store.root, [d.series_id for d in selected], now)
    return code


def record_checks(data_dir: Path, series: list[str], now: datetime) -> None:
    """``checked_at`` of each series asked, in ``data/checked.json`` (git-ignored)."""
    path = Path(data_dir) / CHECKED
    try:
        checked = json.loads(path.read_text("utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        checked = {}
    if not isinstance(checked, dict):
        checked = {}
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    checked.update(dict.fromkeys(series, {"checked_at": stamp}))
    text = json.dumps(dict(sorted(checked.items())), indent=1) + "\n"
    atomic_write_bytes(path, text.encode())


def refresh_calendars(root: Path, only_when_short: bool) -> list[str]:
    """Fetch and store FRED's calendar of every declared FRED release; returns the problems
    (one line each, never the key). ``only_when_short``: skip a release whose stored dates
    still reach ``CALENDAR_AHEAD`` beyond today."""
    root = Path(root)
    config = load_config(root / "indicators.yml")
    fred_ids = sorted({r.fred for r in config.releases.values() if r.fred is not None})
    if not fred_ids or fred.key_problem():
        return []
    today = clock.today()
    problems: list[str] = []
    with exclusive(root / "data", "update"):
        for fred_id in fred_ids:
            path = release_dates_path(root / "data", fred_id)
            stored = _stored(path)
            if only_when_short and stored and stored[-1] >= today + CALENDAR_AHEAD:
                continue
            since = today - CALENDAR_BACK
            try:
                fetched = fred.release_dates(fred_id, since)
            except SourceError as error:
                problems.append(f"FRED release {fred_id} calendar: {redact(error.message)}")
                continue
            if not fetched:
                problems.append(f"FRED release {fred_id} calendar: FRED listed no dates; kept")
                continue
            payload = release_dates_to_csv([d for d in stored if d < since] + fetched)
            if not path.is_file() or path.read_bytes() != payload:
                atomic_write_bytes(path, payload)
                print(f"data/releases/{path.name}: {len(fetched)} dates from {since}")
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return problems


def _stored(path: Path) -> list[date]:
    if not path.is_file():
        return []
    return parse_release_dates_csv(path.read_text("utf-8"), f"data/releases/{path.name}")
