"""The vintage store: revision files, a series as known on a day, and ``update`` keeping every
value it revises (issue 20). Expected values are worked out here from the files' rows, not
through ``snapshot/vintages.py``.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.snapshot.store import Store, StoreError
from generator.snapshot.vintages import (
    HEADER,
    Revision,
    as_of,
    first_prints,
    parse_revisions_csv,
    revisions_to_csv,
)
from tests.conftest import FIXTURE, ROOT, run_generator
from tests.fakes.harness import TODAY, run_update, series_bytes

WHERE = "data/series/fred/X.revisions.csv"


def series(rows: dict[str, float]) -> pd.Series:
    index = pd.DatetimeIndex(pd.to_datetime(list(rows)), name="date").as_unit("ns")
    return pd.Series(list(rows.values()), index=index, dtype="float64")


def revision_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


# -- the file format ------------------------------------------------------------------------


def test_rows_round_trip_sorted_with_the_series_value_format():
    rows = [
        Revision(date(2026, 8, 14), 3.62, date(2026, 8, 15), date(2026, 8, 28), "rule"),
        Revision(date(2026, 8, 12), 6745699.0, date(2026, 8, 13), date(2026, 8, 20), "seen"),
    ]
    text = revisions_to_csv(rows).decode()
    assert text == (
        "date,value,known_from,known_to,basis\n"
        "2026-08-12,6745699,2026-08-13,2026-08-20,seen\n"
        "2026-08-14,3.62,2026-08-15,2026-08-28,rule\n"
    )
    assert parse_revisions_csv(text, WHERE) == sorted(rows, key=lambda r: r.day)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("date,value\n", ":1: expected the header 'date,value,known_from,known_to,basis'"),
        ("date,value,known_from,known_to,basis\n2026-08-14,3.6,2026-08-15\n", ":2: expected 5"),
        (
            "date,value,known_from,known_to,basis\n2026-02-30,1,2026-03-01,2026-03-02,rule\n",
            ":2: date '2026-02-30' is not a real calendar date",
        ),
        (
            "date,value,known_from,known_to,basis\n2026-08-14,x,2026-08-15,2026-08-16,rule\n",
            ":2: value 'x' on 2026-08-14 is not a number",
        ),
        (
            "date,value,known_from,known_to,basis\n2026-08-14,1,2026-08-15,2026-08-10,rule\n",
            ":2: known_to 2026-08-10 is before known_from 2026-08-15",
        ),
        (
            "date,value,known_from,known_to,basis\n2026-08-14,1,2026-08-15,2026-08-16,guess\n",
            ":2: basis 'guess' on 2026-08-14 is not one of seen, release, rule",
        ),
        (
            "date,value,known_from,known_to,basis\n2026-08-14,1,2026-08-15,2026-08-20,rule\n"
            "2026-08-14,2,2026-08-18,2026-08-21,seen\n",
            ":3: 2026-08-14 known from 2026-08-18, before",
        ),
        (
            "date,value,known_from,known_to,basis\n2026-08-14,1,2026-08-15,2026-08-20,rule\n"
            "2026-08-13,2,2026-08-18,2026-08-21,seen\n",
            ":3: rows must be sorted",
        ),
    ],
)
def test_a_broken_revision_file_is_named_with_its_line(text: str, fragment: str):
    with pytest.raises(StoreError) as error:
        parse_revisions_csv(text, WHERE)
    assert str(error.value).startswith(WHERE + ":")
    assert fragment in str(error.value)


# -- a series as known on a day -------------------------------------------------------------


def test_without_revisions_as_of_is_the_publication_rule():
    walcl = Store(FIXTURE / "data").load("fred", "WALCL")
    known = as_of(walcl, [], 1, date(2025, 12, 31))
    assert known.index[-1] == pd.Timestamp("2025-12-24")  # 12-31 is released on 2026-01-01
    pd.testing.assert_series_equal(known, walcl[:"2025-12-30"])


def test_as_of_returns_the_value_current_on_the_day():
    current = series({"2026-08-12": 10.0, "2026-08-13": 20.0, "2026-08-14": 30.0})
    rows = [
        Revision(date(2026, 8, 13), 19.0, date(2026, 8, 14), date(2026, 8, 20), "rule"),
        Revision(date(2026, 8, 13), 19.5, date(2026, 8, 20), date(2026, 8, 25), "seen"),
    ]
    assert as_of(current, rows, 1, date(2026, 8, 13)).to_dict() == {
        pd.Timestamp("2026-08-12"): 10.0
    }
    day = {
        d: as_of(current, rows, 1, date(2026, 8, d)).get(pd.Timestamp("2026-08-13"))
        for d in (14, 19, 20, 24, 25, 30)
    }
    assert day == {14: 19.0, 19: 19.0, 20: 19.5, 24: 19.5, 25: 20.0, 30: 20.0}


def known_by_hand(
    current: dict[date, float], rows: list[Revision], lag: int, day: date
) -> dict[date, float]:
    """``as_of`` as its docstring states it, one date at a time: a date with revision rows
    shows the row whose period holds ``day``, else today's value once its last row ended
    (else nothing); any other date shows today's value from ``lag`` days after it."""
    known = {}
    for when in sorted(set(current) | {row.day for row in rows}):
        own = [row for row in rows if row.day == when]
        if not own:
            if when + timedelta(days=lag) <= day:
                known[when] = current[when]
            continue
        holding = [row.value for row in own if row.known_from <= day < row.known_to]
        if holding:
            known[when] = holding[0]
        elif when in current and all(row.known_to <= day for row in own):
            known[when] = current[when]
    return known


@settings(derandomize=True, deadline=None, database=None, max_examples=150)
@given(
    st.lists(st.integers(0, 60), min_size=1, max_size=40, unique=True),
    st.lists(
        st.tuples(
            st.integers(-5, 65), st.integers(0, 80), st.lists(st.integers(1, 20), max_size=3)
        ),
        max_size=12,
    ),
    st.integers(0, 10),
    st.integers(-10, 100),
)
def test_as_of_is_each_dates_value_current_on_the_day(offsets, revised, lag, asked):
    """Any series, any revision rows (dates in it or not, one to three periods back to back,
    sorted as the file keeps them), any lag and day, against the walk above."""
    start = date(2026, 1, 1)
    current = {start + timedelta(days=o): float(o) + 0.5 for o in sorted(offsets)}
    rows = []
    for offset, known_from, lengths in revised:
        when = start + timedelta(days=offset)
        if any(row.day == when for row in rows):
            continue  # one date's rows are one chain of periods
        begin = start + timedelta(days=known_from)
        for k, length in enumerate(lengths):
            end = begin + timedelta(days=length)
            rows.append(Revision(when, -float(offset) - k, begin, end, "seen"))
            begin = end
    rows.sort(key=lambda row: (row.day, row.known_from))
    day = start + timedelta(days=asked)
    found = as_of(series({d.isoformat(): v for d, v in current.items()}), rows, lag, day)
    assert {stamp.date(): value for stamp, value in found.items()} == known_by_hand(
        current, rows, lag, day
    )
    assert found.index.is_monotonic_increasing and found.index.name == "date"


def test_store_load_as_of_reads_the_revision_file(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", data)
    store = Store(data)
    adp = store.load("fred", "ADPMNUSNERSA", as_of=date(2025, 4, 2), published_after=37)
    # The report of 2 Apr 2025 printed March at 134,399,000 and February, revised, at
    # 134,244,000 (rows of the revision file known from that day).
    rows = [
        r
        for r in revision_rows(store.revisions_path_for("fred", "ADPMNUSNERSA"))
        if r["known_from"] == "2025-04-02"
    ]
    assert {r["date"]: float(r["value"]) for r in rows} == {
        "2025-02-01": 134244000.0,
        "2025-03-01": 134399000.0,
    }
    assert adp["2025-02-01"] == 134244000 and adp["2025-03-01"] == 134399000
    assert adp.index[-1] == pd.Timestamp("2025-03-01")
    assert adp["2025-03-01"] - adp["2025-02-01"] == 155000  # the change that report printed


def test_first_prints_are_only_the_releases_on_record():
    rows = parse_revisions_csv(
        (FIXTURE / "data/series/fred/ADPMNUSNERSA.revisions.csv").read_text(), WHERE
    )
    prints = first_prints(rows)
    assert prints[date(2025, 3, 1)] == date(2025, 4, 2)
    assert prints[date(2025, 7, 1)] == date(2025, 7, 30)
    assert date(2024, 12, 1) not in prints  # its report date is the rule's, not on record
    assert min(prints) == date(2025, 1, 1) and max(prints) == date(2025, 7, 1)


# -- update keeps what it revises; check verifies it ----------------------------------------

REVISED = {
    "2026-08-12": ("3.62", "3.66"),
    "2026-08-13": ("3.62", "3.61"),
    "2026-08-14": ("3.62", "3.7"),
}


def test_an_update_that_revises_three_values_keeps_old_and_new_with_dates(project, servers, env):
    old_csv = series_bytes(project, "fred", "SOFR").decode()
    for day, (old, _) in REVISED.items():
        assert f"\n{day},{old}\n" in old_csv  # the stored values this test revises
    servers.fred.add("SOFR", *[(day, new) for day, (_, new) in REVISED.items()])
    run = run_update(project, env, "--only", "SOFR")
    assert run.returncode == 0, run.output
    new_csv = series_bytes(project, "fred", "SOFR").decode()
    for day, (_, new) in REVISED.items():
        assert f"\n{day},{new}\n" in new_csv
    path = project / "data/series/fred/SOFR.revisions.csv"
    # SOFR is published the next business day (published_after: 1): never logged before, the
    # old values were known from the day after their date until tonight (UPDATE_TODAY).
    assert revision_rows(path) == [
        {
            "date": day,
            "value": old,
            "known_from": f"2026-08-{int(day[-2:]) + 1}",
            "known_to": TODAY,
            "basis": "rule",
        }
        for day, (old, _) in REVISED.items()
    ]
    store = Store(project / "data")
    before = store.load("fred", "SOFR", as_of=date(2026, 8, 27), published_after=1)
    after = store.load("fred", "SOFR", as_of=date(2026, 8, 28), published_after=1)
    for day, (old, new) in REVISED.items():
        assert (before[day], after[day]) == (float(old), float(new))
    shutil.copy2(FIXTURE / "events.yml", project / "events.yml")  # check reads it too
    checked = run_generator(project, "check", check=False)
    assert checked.returncode == 0, checked.stderr
    # A second night that revises one again appends, keeping the chain of values.
    servers.fred.add("SOFR", ("2026-08-14", "3.71"))
    env2 = {**env, "UPDATE_TODAY": "2026-08-29"}
    assert run_update(project, env2, "--only", "SOFR").returncode == 0
    last = [r for r in revision_rows(path) if r["date"] == "2026-08-14"]
    assert [(r["value"], r["known_from"], r["known_to"], r["basis"]) for r in last] == [
        ("3.62", "2026-08-15", TODAY, "rule"),
        ("3.7", TODAY, "2026-08-29", "seen"),
    ]


def test_untouched_series_keep_their_bytes_and_get_no_revision_file(project, servers, env):
    servers.fred.add("SOFR", ("2026-08-21", "3.64"))
    assert run_update(project, env, "--only", "SOFR").returncode == 0
    assert not list((project / "data/series").rglob("SOFR.revisions.csv"))


def test_check_refuses_a_revision_file_that_lost_its_series_date(project):
    path = project / "data/series/fred/ADPMNUSNERSA.revisions.csv"
    text = path.read_text().replace("2025-07-01,134561000", "2025-07-02,134561000")
    path.write_text(text)
    shutil.copy2(FIXTURE / "events.yml", project / "events.yml")
    result = run_generator(project, "check", check=False)
    assert result.returncode == 2
    assert "1 problem(s) found" in result.stderr
    assert "ADPMNUSNERSA.revisions.csv:" in result.stderr
    assert "2025-07-02 was revised but has no value" in result.stderr


def test_the_header_is_the_documented_contract():
    doc = (ROOT / "docs/architecture.md").read_text()
    assert f"`{','.join(HEADER)}`" in doc


def test_data_status_says_how_each_value_is_known(built_project: Path):
    page = (built_project / "site/data-status.md").read_text().splitlines()

    def row(series_id: str) -> str:
        return next(line for line in page if line.startswith(f"| [{series_id}]("))

    kept = (FIXTURE / "data/series/fred/ADPMNUSNERSA.revisions.csv").read_text().count("\n") - 1
    adp = row("ADPMNUSNERSA")
    assert "first releases on record (7 reports, 5 Feb 2025 to 30 Jul 2025)" in adp
    assert f"{kept} superseded values kept, the last replaced on 7 Sep 2025" in adp
    assert "otherwise the publication rule: each value known from 37 days after its date" in adp
    assert row("WALCL").endswith("| publication rule: each value known from 1 day after its date |")


def test_a_broken_revision_file_stops_update_before_any_request(project, servers, env):
    path = project / "data/series/fred/ADPMNUSNERSA.revisions.csv"
    path.write_text(path.read_text().replace(",release\n", ",guess\n", 1))
    run = run_update(project, env, "--only", "ADPMNUSNERSA")
    assert run.returncode == 2, run.output
    assert "ADPMNUSNERSA.revisions.csv:" in run.stderr and "basis 'guess'" in run.stderr
    assert servers.requests() == 0
