"""FRED's vintages (ALFRED) through ``fetch/sources/fred.py``, against the fake FRED on
127.0.0.1: one vintage asked for with ``realtime_start = realtime_end = D``, the dates a
series changed, the 2,000-vintage refusal, and the misspelt parameter FRED ignores silently.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from fredapi import Fred

from generator.fetch.sources import SourceError, fred
from generator.snapshot.store import Store
from generator.snapshot.vintages import Revision, revisions_to_csv
from tests.fakes.fred_server import REALTIME, too_many_vintages
from tests.fakes.harness import KEY, environment, fred_in_process, run_update


@pytest.fixture
def fake(servers, monkeypatch):
    fred_in_process(servers, monkeypatch)
    # ADP's report of 2 Apr 2025 printed March at 134,399,000 (first release); today's value
    # is the snapshot's. The fake knows that vintage from 2025-04-02 to 2025-04-29.
    servers.fred.vintage("ADPMNUSNERSA", "2025-03-01", "134399000", "2025-04-02", "2025-04-29")
    return servers.fred


def test_one_vintage_is_asked_for_with_both_real_time_parameters(fake, project):
    got = fred.fetch_as_of("ADPMNUSNERSA", date(2025, 4, 10), since=date(2025, 1, 1))
    assert got[pd.Timestamp("2025-03-01")] == 134399000
    query = fake.log[-1].query
    assert (query["realtime_start"], query["realtime_end"]) == ("2025-04-10", "2025-04-10")
    assert query["observation_start"] == "2025-01-01"
    later = fred.fetch_as_of("ADPMNUSNERSA", date(2025, 4, 30), since=date(2025, 1, 1))
    today = pd.read_csv(
        project / "data/series/fred/ADPMNUSNERSA.csv", parse_dates=["date"], index_col="date"
    )["value"]
    assert later[pd.Timestamp("2025-03-01")] == today[pd.Timestamp("2025-03-01")] != 134399000


def test_every_row_carries_the_window_asked_for(fake):
    fred.fetch_as_of("ADPMNUSNERSA", date(2025, 4, 10))
    body = fake.route("/fred/series/observations", fake.log[-1].query).body.decode()
    assert body.count('realtime_start="2025-04-10" realtime_end="2025-04-10"') == (
        body.count("<observation ") + 1
    )


def test_a_misspelt_window_is_ignored_by_fred_and_refused_here(fake, monkeypatch):
    # FRED (and the fake) ignore a parameter they do not know: fredapi gets today's values.
    client = Fred(api_key=KEY)
    client.root_url = fake.root
    quiet = client.get_series("ADPMNUSNERSA", vintage_date="2025-04-10")
    assert quiet[pd.Timestamp("2025-03-01")] != 134399000
    body = fake.route("/fred/series/observations", fake.log[-1].query).body.decode()
    assert f'realtime_start="{REALTIME}"' in body
    # The same slip in our request is caught by the window check, before any value is used.
    monkeypatch.setattr(fred, "WINDOW_PARAMETERS", ("realtime_strat", "realtime_ned"))
    with pytest.raises(SourceError) as error:
        fred.fetch_as_of("ADPMNUSNERSA", date(2025, 4, 10))
    assert "did not honour the real-time window 2025-04-10 to 2025-04-10" in error.value.message
    assert f"carries {REALTIME} to {REALTIME}" in error.value.message


def test_vintage_dates_list_the_days_values_changed(fake):
    assert fred.vintage_dates("ADPMNUSNERSA") == [date(2025, 4, 2), date(2025, 4, 30)]
    assert fake.log[-1].path == "/fred/series/vintagedates"


def test_a_period_over_2000_vintages_is_refused_with_freds_message(fake):
    start = pd.Timestamp("2019-01-01")
    for offset in range(2001):
        day = (start + pd.Timedelta(days=offset)).date().isoformat()
        fake.vintage("SOFR", "2018-04-03", "1.8", day, day)
    client = Fred(api_key=KEY)
    client.root_url = fake.root
    with pytest.raises(ValueError) as raw:
        client.get_series_all_releases("SOFR")
    count = len(fred.vintage_dates("SOFR"))
    assert count == 2002  # 2,001 old days and the day today's value took over
    assert str(raw.value) == too_many_vintages(count + 1, "1776-07-04", "9999-12-31")
    # One vintage at a time stays far below the cap.
    one = fred.fetch_as_of("SOFR", date(2019, 1, 5), since=date(2018, 4, 3))
    assert one[pd.Timestamp("2018-04-03")] == 1.8


def test_the_vintages_command_back_fills_a_revision_file_from_alfred(project, servers):
    """WALCL's week of 12 Aug 2026 read 6,759,455 in the vintage of 13 Aug and 6,759,955 from
    20 Aug (a revision the fake keeps as ALFRED would): the command asks for the vintage dates,
    then one vintage per date, and keeps the old value with its real-time period."""
    servers.fred.vintage("WALCL", "2026-08-12", "6759455", "2026-08-13", "2026-08-19")
    env = environment(servers)
    run = run_update(project, env, "WALCL", "--since", "2026-08-01", command_name="vintages")
    assert run.returncode == 0, run.output
    assert "1 superseded value(s) from 2 ALFRED vintage(s)" in run.stderr
    asked = [(e.path, e.query.get("realtime_start")) for e in servers.fred.log]
    assert asked == [
        ("/fred/series/vintagedates", None),
        ("/fred/series/observations", "2026-08-13"),
        ("/fred/series/observations", "2026-08-20"),
    ]
    text = (project / "data/series/fred/WALCL.revisions.csv").read_text()
    # Present in the first vintage fetched, so dated by the publication rule (1 day), not
    # as a first release; replaced on the day of the vintage that changed it.
    assert text == (
        "date,value,known_from,known_to,basis\n2026-08-12,6759455,2026-08-13,2026-08-20,rule\n"
    )
    store = Store(project / "data")
    assert (
        store.load("fred", "WALCL", as_of=date(2026, 8, 19), published_after=1)["2026-08-12"]
        == 6759455
    )
    assert store.load("fred", "WALCL")["2026-08-12"] == 6759955


def test_a_value_first_carried_by_a_later_vintage_is_a_first_release(monkeypatch):
    from generator.fetch.vintages import history

    monkeypatch.setenv("UPDATE_TODAY", "2026-09-10")

    def vintage(rows: dict[str, float]) -> pd.Series:
        return pd.Series(list(rows.values()), index=pd.to_datetime(list(rows)), dtype="float64")

    runs = [
        (date(2025, 3, 5), vintage({"2025-01-01": 10.0, "2025-02-01": 20.0})),
        (date(2025, 4, 2), vintage({"2025-01-01": 10.0, "2025-02-01": 21.0, "2025-03-01": 30.0})),
        (date(2025, 4, 30), vintage({"2025-01-01": 10.0, "2025-02-01": 21.0, "2025-03-01": 29.0})),
    ]
    today = vintage({"2025-01-01": 11.0, "2025-02-01": 21.0, "2025-03-01": 29.0})
    rows = [
        (str(r.day), r.value, str(r.known_from), str(r.known_to), r.basis)
        for r in history(runs, today, 37)
    ]
    assert rows == [
        # in the first vintage fetched: dated by the rule (1 Jan + 37 days), not a release
        ("2025-01-01", 10.0, "2025-02-07", "2026-09-10", "rule"),
        ("2025-02-01", 20.0, "2025-03-05", "2025-04-02", "rule"),
        # first carried by the vintage of 2 Apr: its first release
        ("2025-03-01", 30.0, "2025-04-02", "2025-04-30", "release"),
    ]


def test_a_back_fill_continues_the_imported_first_releases_one_value_at_a_time(monkeypatch):
    """ADP live: the file holds the reports to 30 Jul 2025; ALFRED's vintages from that day
    add August's first print (and July's revision) without two values at once, and the
    change August's report printed comes out of the vintage of its day."""
    from generator.fetch.vintages import combine
    from generator.snapshot.vintages import as_of, first_prints, parse_revisions_csv

    monkeypatch.setenv("UPDATE_TODAY", "2026-09-10")
    existing = [
        Revision(date(2025, 6, 1), 100.0, date(2025, 7, 2), date(2025, 7, 30), "release"),
        Revision(date(2025, 6, 1), 101.0, date(2025, 7, 30), date(2025, 9, 7), "release"),
        Revision(date(2025, 7, 1), 110.0, date(2025, 7, 30), date(2025, 9, 7), "release"),
    ]

    def vintage(rows: dict[str, float]) -> pd.Series:
        return pd.Series(list(rows.values()), index=pd.to_datetime(list(rows)), dtype="float64")

    runs = [
        (date(2025, 7, 30), vintage({"2025-06-01": 101.0, "2025-07-01": 110.0})),
        (date(2025, 9, 3), vintage({"2025-06-01": 101.0, "2025-07-01": 108.0, "2025-08-01": 95.0})),
        (
            date(2025, 10, 1),
            vintage({"2025-06-01": 101.0, "2025-07-01": 108.0, "2025-08-01": 97.0}),
        ),
    ]
    today = vintage({"2025-06-01": 102.0, "2025-07-01": 109.0, "2025-08-01": 98.0})
    rows = combine(existing, runs, today, 37)
    parse_revisions_csv(revisions_to_csv(rows).decode(), "t")  # one value at a time
    assert first_prints(rows)[date(2025, 8, 1)] == date(2025, 9, 3)
    assert first_prints(rows)[date(2025, 7, 1)] == date(2025, 7, 30)
    known = as_of(today, rows, 37, date(2025, 9, 3))
    assert known[pd.Timestamp("2025-08-01")] - known[pd.Timestamp("2025-07-01")] == 95 - 108
