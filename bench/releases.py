"""Release-to-page delay: a simulated year of the release calendar, run through the timed
workflow (``.github/workflows/releases.yml``) and ``update --due``'s own due rule, against
today's single nightly run at 06:17 UTC.

The calendar is the catalogue's (``releases:`` in indicators.yml, each occurrence from its rule;
FRED's stored calendar where ``data/releases/`` has one). The cron lines are read from the two
workflow files. Everything that is not ours is a stated, seeded assumption (``ASSUMPTIONS``):
how long a source takes to show a release after its official time, how late GitHub starts a
scheduled run, how long a run takes. A run fetches the series ``fetch/due.py`` says are due at
its start; a series whose release is not yet on its source is fetched again by a later run.
The page is published when the run that fetched new data has built and deployed. Runs share one
concurrency group: a run waits for the one in progress, and a newer pending run replaces an
older one (GitHub's rule), so a waiting timed run may be cancelled.

Run: ``PYTHONPATH=. python bench/releases.py`` (seconds; it also stores its figures under
"releases" in bench/results.json). ``make bench`` runs it too.
"""

from __future__ import annotations

import bisect
import json
import random
import re
import statistics
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.catalogue.load import load_config  # noqa: E402
from generator.catalogue.models import Config  # noqa: E402
from generator.fetch.due import due_series  # noqa: E402
from generator.snapshot.releases import Occurrence, Schedule, load_schedule  # noqa: E402
from generator.snapshot.store import SeriesRecord  # noqa: E402

YEAR = 2026
SEED = 21
ASSUMPTIONS = {
    "source_lag_minutes": [2, 15],  # uniform: the release reaching FRED / the NY Fed API
    "late_share": 0.03,  # of releases, late on the source by
    "late_minutes": [60, 300],
    "github_start_delay_minutes": "3 + lognormal(median 5, sigma 0.8)",
    "update_minutes": 2,  # checkout, install, fetch what is due
    "build_deploy_minutes": 6,  # make site, upload, deploy to Pages
    "nightly_minutes": 14,  # fetch everything, report, build, deploy
}
GOAL_GROUPS = ("H.4.1", "SOFR", "DTS")
GOAL = {"median_minutes": 45, "p95_minutes": 120, "fetches_per_release": 1}
# DTS is declared under releases: but no series reads it yet (TGA_DTS is in data/series/
# treasury, to be read by the nowcast): the bench gives it that one member.
EXTRA_MEMBERS = {"dts": ["TGA_DTS"]}
CRON = re.compile(r"^\s*-\s*cron:\s*\"([^\"]+)\"", re.MULTILINE)


@dataclass(order=True)
class Run:
    start: datetime
    kind: str = field(compare=False)  # timed | nightly


class FastSchedule(Schedule):
    """The real schedule's occurrences, computed once for the year and searched by bisection
    (the due rule calls latest_before for every series at every run)."""

    def __init__(self, base: Schedule, start: date, end: date) -> None:
        super().__init__(base.releases, base.fred_dates)
        self.cache = {r: base.occurrences(r, start, end) for r in base.releases}
        self.times = {r: [o.at for o in found] for r, found in self.cache.items()}

    def latest_before(self, release_id: str, moment: datetime) -> Occurrence | None:
        index = bisect.bisect_right(self.times[release_id], moment)
        return self.cache[release_id][index - 1] if index else None


def cron_times(expression: str, start: date, end: date) -> list[datetime]:
    """The UTC instants of a 'M H[,H] * * DOW' line (the forms our workflows use)."""
    minute, hours, _, _, dows = expression.split()
    days = set(range(7))
    if dows != "*":
        days = set()
        for part in dows.split(","):
            low, _, high = part.partition("-")
            days |= set(range(int(low), int(high or low) + 1))
    found = []
    day = start
    while day <= end:
        if (day.isoweekday() % 7) in days:
            for hour in hours.split(","):
                found.append(
                    datetime(day.year, day.month, day.day, int(hour), int(minute), tzinfo=UTC)
                )
        day += timedelta(days=1)
    return found


def workflow_crons(name: str) -> list[str]:
    return CRON.findall((ROOT / ".github" / "workflows" / name).read_text())


def simulate(  # noqa: C901 - one event loop over the simulated year, read top to bottom
    config: Config, schedule: FastSchedule, timed: bool, rng: random.Random
) -> dict:
    start, end = date(YEAR, 1, 1), date(YEAR, 12, 31)
    members: dict[str, list[str]] = {}
    for series_id, spec in config.series.items():
        if spec.release:
            members.setdefault(spec.release, []).append(series_id)
    for release_id, extra in EXTRA_MEMBERS.items():
        members.setdefault(release_id, []).extend(extra)
    series_release = {s: r for r, group in members.items() for s in group}
    # when each occurrence's data is on its source
    available: dict[tuple[str, datetime], datetime] = {}
    late: set[tuple[str, datetime]] = set()
    for release_id in members:
        for occurrence in schedule.cache[release_id]:
            lag = rng.uniform(*ASSUMPTIONS["source_lag_minutes"])
            if rng.random() < ASSUMPTIONS["late_share"]:
                lag = rng.uniform(*ASSUMPTIONS["late_minutes"])
            available[(release_id, occurrence.at)] = occurrence.at + timedelta(minutes=lag)
            if lag > ASSUMPTIONS["source_lag_minutes"][1]:
                late.add((release_id, occurrence.at))
    triggers = [
        Run(t, "nightly") for e in workflow_crons("nightly.yml") for t in cron_times(e, start, end)
    ]
    if timed:
        triggers += [
            Run(t, "timed")
            for e in workflow_crons("releases.yml")
            for t in cron_times(e, start, end)
        ]
    for run in triggers:
        run.start += timedelta(minutes=3 + rng.lognormvariate(1.609, 0.8))  # GitHub's delay
    triggers.sort()
    records = {
        s: SeriesRecord(source="bench", fetched_at="2025-12-31T12:00:00Z") for s in series_release
    }
    fetched: dict[tuple[str, datetime], datetime] = {}  # occurrence -> when its data was fetched
    published: dict[tuple[str, datetime], datetime] = {}
    fetches: dict[tuple[str, str, datetime], int] = {}
    requests = 0
    busy_until = datetime(YEAR - 1, 12, 31, tzinfo=UTC)
    pending: Run | None = None
    cancelled = 0
    queue = list(triggers)
    done_runs = 0
    while queue or pending:
        if pending is not None and (not queue or queue[0].start >= busy_until):
            run, pending = pending, None
            run.start = max(run.start, busy_until)
        else:
            run = queue.pop(0)
            if run.start < busy_until:  # waits; a newer waiting run replaces an older one
                if pending is not None:
                    cancelled += 1
                pending = run
                continue
        done_runs += 1
        at = run.start + timedelta(minutes=1)
        if run.kind == "nightly":
            chosen = list(series_release)
        else:
            fake = Config.model_construct(
                series={
                    s: config.series[s] if s in config.series else _extra(config, series_release[s])
                    for s in series_release
                },
                releases=config.releases,
            )
            chosen = [d.series_id for d in due_series(fake, records, schedule, at)]
        changed = False
        for series_id in chosen:
            requests += 1
            release_id = series_release[series_id]
            latest = schedule.latest_before(release_id, at)
            if latest is None:
                continue
            key = (release_id, latest.at)
            if run.kind == "timed":
                fetches[(series_id, release_id, latest.at)] = (
                    fetches.get((series_id, release_id, latest.at), 0) + 1
                )
            if available[key] <= at and _newer(records[series_id], latest.at):
                records[series_id] = SeriesRecord(
                    source="bench", fetched_at=at.strftime("%Y-%m-%dT%H:%M:%SZ")
                )
                fetched.setdefault(key, at)
                changed = True
        minutes = (
            ASSUMPTIONS["nightly_minutes"]
            if run.kind == "nightly"
            else ASSUMPTIONS["update_minutes"]
            + (ASSUMPTIONS["build_deploy_minutes"] if changed else 0)
        )
        finish = run.start + timedelta(minutes=minutes)
        busy_until = finish
        if changed or run.kind == "nightly":
            for key, when in fetched.items():
                if key not in published and when <= at:
                    published[key] = finish
    return _summary(
        config, members, published, fetches, late, requests, done_runs, cancelled, timed
    )


def _extra(config: Config, release_id: str):
    return next(iter(config.series.values())).model_copy(update={"release": release_id})


def _newer(record: SeriesRecord, release_at: datetime) -> bool:
    return record.fetched_at is None or record.fetched_at < release_at.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def _summary(config, members, published, fetches, late, requests, runs, cancelled, timed) -> dict:
    weeks = 52.14
    groups = {}
    for release_id in members:
        delays = sorted(
            (when - at).total_seconds() / 60
            for (r, at), when in published.items()
            if r == release_id
        )
        if not delays:
            continue
        per = [n for (s, r, at), n in fetches.items() if r == release_id and (r, at) not in late]
        retries = [n for (s, r, at), n in fetches.items() if r == release_id and (r, at) in late]
        groups[config.releases[release_id].name] = {
            "releases": len(delays),
            "median_minutes": round(statistics.median(delays), 1),
            "p95_minutes": round(delays[int(0.95 * (len(delays) - 1))], 1),
            "timed_fetches_per_release_max": max(per) if per else 0,
            "timed_fetches_per_release_mean": round(statistics.mean(per), 2) if per else 0,
            "late_releases": len(
                {(r, at) for (s, r, at) in fetches if (r, at) in late and r == release_id}
            ),
            "timed_fetches_per_late_release_max": max(retries) if retries else 0,
        }
    return {
        "schedule": "timed + nightly" if timed else "nightly 06:17 UTC only",
        "runs_per_week": round(runs / weeks, 1),
        "cancelled_runs": cancelled,
        "requests_per_week": round(requests / weeks, 1),
        "groups": groups,
    }


def measure() -> dict:
    config = load_config(ROOT / "indicators.yml")
    base = load_schedule(config, ROOT / "data")
    schedule = FastSchedule(base, date(YEAR - 1, 11, 1), date(YEAR + 1, 1, 31))
    timed = simulate(config, schedule, True, random.Random(SEED))
    nightly = simulate(config, schedule, False, random.Random(SEED))
    goal = {}
    for name in GOAL_GROUPS:
        got = timed["groups"][name]
        goal[name] = (
            got["median_minutes"] < GOAL["median_minutes"]
            and got["p95_minutes"] < GOAL["p95_minutes"]
            and got["timed_fetches_per_release_max"] <= GOAL["fetches_per_release"]
        )
    return {
        "year": YEAR,
        "seed": SEED,
        "assumptions": ASSUMPTIONS,
        "timed": timed,
        "nightly": nightly,
        "goal_met": goal,
    }


def print_table(result: dict) -> None:
    timed, nightly = result["timed"], result["nightly"]
    print(f"Release to published page, a simulated {result['year']} (seed {result['seed']})\n")
    print(
        "| release | releases | timed median | timed p95 | nightly median | nightly p95 "
        "| fetches per on-time release (max, mean) | late: count, max fetches |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name, got in timed["groups"].items():
        night = nightly["groups"].get(name, {})
        print(
            f"| {name} | {got['releases']} | {got['median_minutes']:.0f} min "
            f"| {got['p95_minutes']:.0f} min | {night.get('median_minutes', 0) / 60:.1f} h "
            f"| {night.get('p95_minutes', 0) / 60:.1f} h | "
            f"{got['timed_fetches_per_release_max']}, {got['timed_fetches_per_release_mean']} | "
            f"{got['late_releases']}, {got['timed_fetches_per_late_release_max']} |"
        )
    for run in (timed, nightly):
        print(
            f"\n{run['schedule']}: {run['runs_per_week']} runs a week, {run['requests_per_week']} "
            f"requests a week, {run['cancelled_runs']} pending runs replaced in the year"
        )
    print(
        "\ngoal (median < 45 min, p95 < 2 h, one fetch per on-time release): "
        + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in result["goal_met"].items())
    )
    print("assumptions: " + json.dumps(result["assumptions"]))


def main() -> int:
    result = measure()
    print_table(result)
    path = ROOT / "bench" / "results.json"
    stored = json.loads(path.read_text()) if path.is_file() else {}
    stored["releases"] = result
    # top-level keys in order, the rest as stored (re-sorting would reorder scale's "20", "100")
    ordered = {key: stored[key] for key in sorted(stored)}
    path.write_text(json.dumps(ordered, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
