"""The release calendar readers see (``publish/calendar.py``): ``api/calendar.json`` against its
schema, ``calendar.ics`` parsed back, the home page's "Next releases" panel in the rendered
HTML, and the brief naming the release that could flip a status. The build is pinned to
``BUILT_NOW`` (Thursday 27 August 2026, 12:00 UTC); the expected times are worked out by hand
from each release's rule (EDT is UTC-4 in August)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
from icalendar import Calendar

from generator.publish import calendar
from generator.snapshot.releases import load_schedule
from tests import frozen
from tests.conftest import BUILT_NOW, FIXTURE, ROOT

NOW = datetime.fromisoformat(BUILT_NOW.replace("Z", "+00:00"))
# by hand: H.4.1 Thu 27 Aug 16:30 EDT; SOFR next business day 08:00 EDT; ADP first Wednesday
# of September 08:15 EDT; crypto the next 00:10 UTC
EXPECTED_NEXT = {
    "h41": "2026-08-27T20:30:00Z",
    "sofr": "2026-08-28T12:00:00Z",
    "adp": "2026-09-02T12:15:00Z",
    "crypto_close": "2026-08-28T00:10:00Z",
    "rrp": "2026-08-27T17:15:00Z",
}


def calendar_json(built_project: Path) -> dict:
    return json.loads((built_project / "site" / "api" / "calendar.json").read_text())


def test_calendar_json_matches_its_schema_and_lists_every_series_read(built_project: Path):
    data = calendar_json(built_project)
    schema = json.loads((ROOT / "schemas" / "calendar.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    cls(schema, format_checker=cls.FORMAT_CHECKER).validate(data)
    assert data["generated"] == BUILT_NOW
    listed = [s for r in data["releases"] for s in r["series"]]
    declared = [s for s, spec in frozen.config().series.items() if spec.release is not None]
    assert sorted(listed) == sorted(declared)  # every series the site reads, once
    by_id = {r["id"]: r for r in data["releases"]}
    for release_id, when in EXPECTED_NEXT.items():
        assert by_id[release_id]["next"] == when, release_id
        assert by_id[release_id]["upcoming"][0] == when
    assert by_id["h41"]["next_local"] == "Thu 27 Aug 16:30 ET"
    assert by_id["h41"]["upcoming"][1] == "2026-09-03T20:30:00Z"
    assert {"reserves", "net-liquidity", "fed-assets"} <= set(by_id["h41"]["indicators"])
    assert "reserves-dwindling" in by_id["h41"]["claims"]
    nexts = [r["next"] for r in data["releases"]]
    assert nexts == sorted(nexts)  # soonest first


def test_calendar_ics_parses_and_agrees_with_the_json(built_project: Path):
    raw = (built_project / "site" / "calendar.ics").read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    parsed = Calendar.from_ical(raw)
    events = parsed.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    starts = sorted(e.decoded("DTSTART").astimezone(UTC) for e in events)
    wanted = sorted(
        datetime.fromisoformat(t.replace("Z", "+00:00"))
        for r in calendar_json(built_project)["releases"]
        for t in r["upcoming"]
    )
    assert starts == wanted
    h41 = [e for e in events if str(e["UID"]) == "h41-20260827@liquidity-watch"]
    assert len(h41) == 1 and str(h41[0]["SUMMARY"]) == "H.4.1 release"
    assert "Bank reserves" in str(h41[0]["DESCRIPTION"])
    # the site publishes it (mkdocs copies it) at the address the pages link to
    assert (built_project / "public" / "calendar.ics").read_bytes() == raw


def test_the_home_page_shows_the_next_releases(built_project: Path):
    html = (built_project / "public" / "index.html").read_text()
    assert "Next releases" in html and 'href="calendar.ics"' in html
    assert "Thu 27 Aug 16:30 ET</strong>: H.4.1, can move" in html
    page = (built_project / "public" / "calendar" / "index.html").read_text()
    assert "Release calendar" in page and "Thu 3 Sep 16:30 ET" in page


def test_the_brief_names_the_release_that_could_flip_a_status():
    schedule = load_schedule(frozen.config(), FIXTURE / "data")
    names = calendar.flip_releases(
        frozen.config(), calendar.entries(frozen.config(), schedule, NOW)
    )
    assert names["reserves"] == "the H.4.1 of Thu 27 Aug"
    # SOFR minus IORB reads SOFR (Fri 08:00) and IORB (Thu 16:30): the sooner is named
    assert names["sofr-iorb-spread"] == "the IORB of Thu 27 Aug"
    assert names["adp-payrolls"] == "the ADP of Wed 2 Sep"


def test_the_brief_line_reads_as_the_issue_asks(built_project: Path):
    home = (built_project / "site" / "index.md").read_text()
    lines = [line for line in home.splitlines() if line.startswith("- Near a threshold: the ")]
    assert lines and all(" could turn " in line for line in lines)
    # each flip is named with the next date of the release its indicator reads (which flips are
    # nearest depends on the data; SOFR minus IORB reads IORB, whose next release is Thu 27 Aug)
    named = re.compile(
        r"^- Near a threshold: the .+ of (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} \w{3} "
    )
    assert all(named.match(line) for line in lines), lines
    assert any(
        line.startswith("- Near a threshold: the IORB of Thu 27 Aug could turn SOFR minus IORB")
        for line in lines
    ), lines


def test_an_as_of_build_is_dated_at_the_start_of_its_day():
    moment = calendar.as_of_moment(date(2026, 8, 20))
    assert moment == datetime(2026, 8, 20, tzinfo=UTC)
    items = calendar.entries(
        frozen.config(), load_schedule(frozen.config(), FIXTURE / "data"), moment
    )
    h41 = next(i for i in items if i.release_id == "h41")
    assert h41.next is not None and h41.next.at == datetime(2026, 8, 20, 20, 30, tzinfo=UTC)
