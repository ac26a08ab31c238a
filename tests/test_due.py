"""``update --due`` (``fetch/due.py``) and FRED's release calendar (``fred/release/dates``).

The due rule is checked over many instants (each release's occurrences walked through 2026,
Thanksgiving week included, where the H.4.1 moves to Friday); the calendar against the fake
FRED's real wire format; and the whole run end to end: a release late on FRED changes no
committed file and is asked for again by the next run, then fetched once it lands.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, date, datetime, timedelta

import pytest

from generator.catalogue.load import load_config
from generator.fetch import due, plan
from generator.fetch.sources import SourceError, fred
from generator.snapshot.releases import Schedule, load_schedule
from generator.snapshot.store import SeriesRecord, Store
from tests import frozen
from tests.conftest import FIXTURE
from tests.fakes.base import Reply
from tests.fakes.fred_server import XML
from tests.fakes.harness import (
    KEY,
    data_files,
    environment,
    fred_in_process,
    manifest,
    run_update,
)

CONFIG = frozen.config()  # at collection: its releases are the parameters below
H41_SERIES = [s for s, spec in CONFIG.series.items() if spec.release == "h41"]
# FRED's H.4.1 days around Thanksgiving 2026 as a test's calendar (Friday 27 November)
H41_DAYS = ["2026-11-12", "2026-11-19", "2026-11-27", "2026-12-03", "2026-12-10"]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def records(fetched: datetime | None) -> dict[str, SeriesRecord]:
    return {
        s: SeriesRecord(source=spec.source, fetched_at=stamp(fetched) if fetched else None)
        for s, spec in CONFIG.series.items()
    }


def due_ids(schedule: Schedule, fetched: datetime | None, now: datetime) -> set[str]:
    return {d.series_id for d in due.due_series(CONFIG, records(fetched), schedule, now)}


@pytest.mark.parametrize("release_id", sorted(CONFIG.releases))
def test_due_after_each_release_until_fetched_and_never_before(release_id):
    schedule = load_schedule(CONFIG, FIXTURE / "data")
    # a series kept by hand (source: manual) is never due: no run can fetch it
    fetchable = set(plan.fetched(CONFIG, list(CONFIG.series)))
    members = {s for s, spec in CONFIG.series.items() if spec.release == release_id} & fetchable
    for occurrence in schedule.occurrences(release_id, date(2026, 1, 1), date(2026, 12, 31)):
        before = occurrence.at + due.SETTLE - timedelta(minutes=1)
        previous = schedule.latest_before(release_id, occurrence.at - timedelta(seconds=1))
        assert previous is not None
        fetched = previous.at + due.SETTLE + timedelta(minutes=5)  # the run after it
        if fetched < before:
            assert not members & due_ids(schedule, fetched, before)
        after = occurrence.at + due.SETTLE + timedelta(minutes=1)
        assert members <= due_ids(schedule, fetched, after)
        # fetched with new data after this release: not due again before the next one
        assert not members & due_ids(schedule, after, after + timedelta(minutes=30))
        # never fetched: due; given up two days after the release (the nightly run takes over)
        assert members <= due_ids(schedule, None, after)
        late = occurrence.at + timedelta(days=2, hours=1)
        following = schedule.next_after(release_id, occurrence.at)
        if following is not None and following.at > late:
            assert not members & due_ids(schedule, fetched, late)


def test_due_follows_the_fetch_plan_so_a_series_kept_by_hand_is_never_due(tmp_path):
    """One rule (``plan.fetched``) says what ``update`` fetches and so what can be due: the
    same series with the same release is due from the NY Fed, never when kept by hand."""
    text = (FIXTURE / "indicators.yml").read_text()
    by_hand = text.replace(
        "    source: nyfed\n    release: repo_ops\n    fetch: {source: nyfed, dataset: repo}\n",
        "    source: manual\n    release: repo_ops\n"
        "    fetch: {source: manual, every: 1d, lag: 1d, how: the NY Fed's repo results}\n",
    )
    assert by_hand != text
    (tmp_path / "indicators.yml").write_text(by_hand)
    kept = load_config(tmp_path / "indicators.yml")
    assert kept.series["SRF_USAGE"].release == CONFIG.series["SRF_USAGE"].release == "repo_ops"
    schedule = load_schedule(CONFIG, FIXTURE / "data")
    latest = schedule.latest_before("repo_ops", utc(2026, 11, 12, 23, 0))
    assert latest is not None
    after = latest.at + due.SETTLE + timedelta(minutes=1)
    never = {s: SeriesRecord(source=spec.source) for s, spec in CONFIG.series.items()}
    fetched = {d.series_id for d in due.due_series(CONFIG, never, schedule, after)}
    by_hand_due = {d.series_id for d in due.due_series(kept, never, schedule, after)}
    assert "SRF_USAGE" in fetched and "SRF_USAGE" not in by_hand_due
    assert fetched - {"SRF_USAGE"} == by_hand_due  # nothing else moved
    for config, found in ((CONFIG, fetched), (kept, by_hand_due)):
        assert found <= set(plan.fetched(config, list(config.series)))
    manual = [s for s, spec in CONFIG.series.items() if spec.source == "manual" and spec.release]
    assert manual and not set(manual) & fetched  # the PBoC's series have releases too


def test_a_series_that_missed_a_whole_release_is_left_to_the_nightly_run():
    schedule = load_schedule(CONFIG, FIXTURE / "data")
    # (16:30 EST is 21:30 UTC) the H.4.1 of 5 November; 12 November's brought nothing new
    fetched = utc(2026, 11, 5, 21, 40)
    assert set(H41_SERIES) <= due_ids(schedule, fetched, utc(2026, 11, 12, 21, 50))
    assert not set(H41_SERIES) & due_ids(schedule, fetched, utc(2026, 11, 19, 21, 50))
    # once the nightly run stores the new figures, the next release makes them due again
    assert set(H41_SERIES) <= due_ids(schedule, utc(2026, 11, 20, 6, 20), utc(2026, 11, 27, 21, 50))


def test_thanksgiving_week_the_h41_is_due_on_friday_not_thursday():
    for schedule in (
        load_schedule(CONFIG, FIXTURE / "data"),  # by the rule
        Schedule(CONFIG.releases, {20: [date.fromisoformat(d) for d in H41_DAYS]}),  # by FRED
    ):
        fetched = utc(2026, 11, 19, 21, 40)  # the H.4.1 of Thursday 19 November (21:30 UTC)
        assert not set(H41_SERIES) & due_ids(schedule, fetched, utc(2026, 11, 26, 21, 50))
        assert set(H41_SERIES) <= due_ids(schedule, fetched, utc(2026, 11, 27, 21, 50))


# -- FRED's calendar against the fake -----------------------------------------------------------


@pytest.fixture
def fake(servers, monkeypatch):
    fred_in_process(servers, monkeypatch)
    servers.fred.release_calendar[20] = list(H41_DAYS)
    servers.fred.today = "2026-11-20"
    return servers.fred


def test_release_dates_ask_for_future_days_and_get_them(fake):
    got = fred.release_dates(20, date(2026, 11, 15))
    assert got == [date.fromisoformat(d) for d in H41_DAYS[1:]]  # 27 Nov on: not yet released
    query = fake.log[-1].query
    assert fake.log[-1].path == "/fred/release/dates"
    assert query["include_release_dates_with_no_data"] == "true"
    assert (query["release_id"], query["realtime_start"]) == ("20", "2026-11-15")
    assert list(query)[-1] == "api_key"


def test_the_fake_lists_future_days_only_when_asked(fake):
    def ask(extra: str) -> str:
        url = f"{fake.root}/release/dates?release_id=20&api_key={KEY}{extra}"
        with urllib.request.urlopen(url) as reply:
            assert reply.headers["Content-Type"].startswith("text/xml")
            return reply.read().decode()

    plain = ask("&realtime_start=2026-01-01")
    assert '<release_date release_id="20">2026-11-19</release_date>' in plain
    assert "2026-11-27" not in plain and 'count="2"' in plain
    assert plain.startswith('<?xml version="1.0" encoding="utf-8" ?>\n<release_dates ')
    full = ask("&realtime_start=2026-01-01&include_release_dates_with_no_data=true")
    assert full.count("<release_date ") == 5 and 'order_by="release_date"' in full
    desc = ask("&include_release_dates_with_no_data=true&sort_order=desc&limit=1")
    assert desc.count("<release_date ") == 1 and "2026-12-10" in desc and 'count="5"' in desc


def test_an_unknown_release_and_a_foreign_reply_are_refused(fake):
    with pytest.raises(SourceError, match="release does not exist"):
        fred.release_dates(999, date(2026, 1, 1))
    with pytest.raises(SourceError, match="out of range"):
        fred.release_dates(0, date(2026, 1, 1))
    foreign = fake.route("/fred/release/dates", {"release_id": "20", "api_key": KEY}).body
    assert foreign is not None
    fake.release_calendar[194] = ["2026-11-04"]
    fake.fail(Reply(200, foreign, XML), series="release/194", times=1)
    with pytest.raises(SourceError, match="listed a date of release 20 when asked for release 194"):
        fred.release_dates(194, date(2026, 1, 1))
    fake.fail(Reply(200, foreign.replace(b'count="2"', b'count="9"'), XML), series="release/20")
    with pytest.raises(SourceError, match="listed 2 of 9 release dates"):
        fred.release_dates(20, date(2026, 1, 1))


# -- end to end: a late release, then the release ----------------------------------------------


def committed(project) -> dict[str, bytes]:
    return {k: v for k, v in data_files(project).items() if k != due.CHECKED}


def fetched_with_the_rest(project) -> None:
    """The snapshot does not know when STABLECOINS_TOTAL_USD was fetched (its upstream commit
    carries no date), so it is due at every crypto close until a run records one. These tests
    are about other series: record it as fetched with the rest, on 22 Aug 2026 at 16:12."""
    store = Store(project / "data")
    assert store.records["STABLECOINS_TOTAL_USD"].fetched_at is None
    store.record("STABLECOINS_TOTAL_USD", fetched_at=store.records["SRF_USAGE"].fetched_at)
    store.write_manifest()


def test_a_late_release_changes_nothing_and_is_fetched_by_the_next_run(project, servers):
    servers.fred.release_calendar[20] = ["2026-08-20", "2026-08-27", "2026-09-03"]
    servers.fred.release_calendar[194] = ["2026-08-05", "2026-09-02"]
    servers.fred.today = "2026-08-27"
    fetched_with_the_rest(project)
    env = environment(servers, UPDATE_NOW="2026-08-27T20:46:00Z")
    before = committed(project)
    run = run_update(project, env, "--due")
    assert run.returncode == 0, run.output
    asked = {entry.series for entry in servers.fred.log if entry.path.endswith("observations")}
    # due: the H.4.1 of 27 Aug 16:30 ET is out; WSHOBL (stopped in Nov 2025, fetched then)
    # missed every release since, so the nightly run, not each timed run, asks for it
    assert asked == set(H41_SERIES) - {"WSHOBL"}
    assert "due: WALCL (H.4.1 of 2026-08-27 20:30 UTC)" in run.stdout
    after = committed(project)
    changed = {k for k in after if before.get(k) != after[k]}
    # the calendars ran short and were stored; FRED had no new H.4.1 yet: no series changed
    assert changed == {"releases/fred-20.csv", "releases/fred-194.csv"}, changed
    checked = json.loads((project / "data" / due.CHECKED).read_text())
    assert checked["WALCL"] == {"checked_at": "2026-08-27T20:46:00Z"}
    # an hour later FRED has it: the next run asks again and stores it, once
    servers.fred.add("WALCL", ("2026-08-26", "6600000"))
    servers.fred.log.clear()
    env = environment(servers, UPDATE_NOW="2026-08-27T21:46:00Z")
    run = run_update(project, env, "--due")
    assert run.returncode == 0, run.output
    walcl = [e for e in servers.fred.log if e.series == "WALCL"]
    assert len(walcl) == 1
    assert manifest(project)["WALCL"]["fetched_at"] == "2026-08-27T21:46:00Z"
    assert (project / "data/series/fred/WALCL.csv").read_text().endswith("2026-08-26,6600000\n")
    # and the run after that leaves WALCL alone until the next H.4.1
    servers.fred.log.clear()
    env = environment(servers, UPDATE_NOW="2026-08-27T22:46:00Z")
    run = run_update(project, env, "--due")
    assert run.returncode == 0, run.output
    assert not [e for e in servers.fred.log if e.series == "WALCL"]
    assert (project / "data/releases/fred-20.csv").read_text() == (
        "date\n2026-08-20\n2026-08-27\n2026-09-03\n"
    )


def test_nothing_due_means_no_request_and_no_file_changed(project, servers):
    # Saturday 22 August 2026, 16:30 UTC: every release since Friday was fetched at 16:12
    fetched_with_the_rest(project)
    env = environment(servers, UPDATE_NOW="2026-08-22T16:30:00Z")
    before = data_files(project)
    run = run_update(project, env, "--due", "--keyless")
    assert run.returncode == 0, run.output
    assert "2026-08-22 16:30 UTC: no series is due; nothing fetched" in run.stdout
    assert servers.requests() == 0 and data_files(project) == before
    # the next crypto close (00:10 UTC, out by 00:25) makes BTC, ETH and the stablecoin supply
    # (DefiLlama's chain "all") due, and only them (BNB-USD stopped in February 2026: left to
    # the nightly run)
    env = environment(servers, UPDATE_NOW="2026-08-23T00:30:00Z")
    run = run_update(project, env, "--due", "--keyless")
    assert run.returncode == 0, run.output
    asked = {e.series for server in servers.all() for e in server.log}
    assert asked == {"BTC-USD", "ETH-USD", "all"}
    assert "due: STABLECOINS_TOTAL_USD (Crypto close of 2026-08-23 00:10 UTC)" in run.stdout


def test_update_calendars_stores_fred_calendars_once(project, servers):
    servers.fred.release_calendar[20] = list(H41_DAYS)
    servers.fred.release_calendar[194] = ["2026-11-04", "2026-12-02"]
    servers.fred.today = "2026-11-20"
    env = environment(servers, UPDATE_NOW="2026-11-20T12:00:00Z")
    run = run_update(project, env, "--calendars")
    assert run.returncode == 0, run.output
    stored = (project / "data/releases/fred-20.csv").read_text()
    assert stored == "date\n" + "\n".join(H41_DAYS) + "\n"
    assert (project / "data/releases/fred-194.csv").read_text() == "date\n2026-11-04\n2026-12-02\n"
    asked = [e.query for e in servers.fred.log]
    assert [q["realtime_start"] for q in asked] == ["2025-10-16", "2025-10-16"]  # 400 days back
    before = data_files(project)
    assert run_update(project, env, "--calendars").returncode == 0
    assert data_files(project) == before  # the same calendar: no file rewritten
    # FRED failing keeps the stored calendar and says so (exit 3)
    servers.fred.release_calendar.pop(194)
    run = run_update(project, env, "--calendars")
    assert run.returncode == 3 and "FRED release 194 calendar" in run.stderr
    assert data_files(project) == before
    # without the key nothing is asked
    servers.fred.log.clear()
    run = run_update(project, environment(servers, key=None), "--calendars")
    assert run.returncode == 0 and not servers.fred.log
