"""Hostile or broken sources (issue 15): future rows, a key echoed back, replies that trickle,
bodies too large to hold, redirects to another host.

Each case runs ``update`` as a subprocess against the fakes and asserts the exit code, the
message, the snapshot bytes of the failing series (unchanged), that a healthy series still
updates, and that no piece of the key reaches any output or file.
"""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from generator.fetch.sources import net
from tests.fakes.base import Reply
from tests.fakes.harness import (
    KEY,
    data_files,
    environment,
    manifest,
    run_update,
    series_bytes,
)

IORB_NEW = [("2026-08-25", "3.9"), ("2026-08-26", "3.9")]


def key_pieces(key: str = KEY) -> list[str]:
    """Every piece of the key of 8 characters: none may appear anywhere."""
    return [key[i : i + 8] for i in range(len(key) - 7)]


def assert_no_key_piece(*texts: str, folder: Path | None = None) -> None:
    for text in texts:
        for piece in key_pieces():
            assert piece not in text.lower(), f"{piece!r} leaked in {text!r}"
    if folder is not None:
        for path in folder.rglob("*"):
            if path.is_file():
                content = path.read_bytes().lower()
                for piece in key_pieces():
                    assert piece.encode() not in content, path


def row(stdout: str, series_id: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith(series_id + " "))


def assert_stale_and_others_fresh(project: Path, before: dict, run, series: str, fragment: str):
    """The failing series keeps its bytes and turns stale; IORB (healthy) gets its new rows."""
    assert run.returncode == 3, run.output
    assert fragment in row(run.stdout, series), run.output
    after = data_files(project)
    for name, content in before.items():
        if name.endswith(f"/{series}.csv"):
            assert after[name] == content
    entry = manifest(project)[series]
    assert entry["status"] == "stale" and fragment in entry["message"]
    assert series_bytes(project, "fred", "IORB").endswith(b"2026-08-25,3.9\n2026-08-26,3.9\n")
    assert manifest(project)["IORB"]["status"] == "fresh"


# -- 1. rows dated after tomorrow -----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "series"), [("fred", "SOFR"), ("nyfed", "FED_RMP_BILL_PURCHASES")]
)
def test_rows_dated_after_tomorrow_are_refused_and_the_series_goes_stale(
    project, servers, source, series
):
    """Found: a 2099-12-31 row was stored and froze the series for good (exit 3 every night)."""
    fake = getattr(servers, source)
    fake.ignore_range = True
    fake.add(series, ("2099-12-31", "3.6"))
    servers.fred.add("IORB", *IORB_NEW)
    before = data_files(project)
    run = run_update(project, environment(servers), "--only", series, "IORB")
    message = f"{series}: source {source} sent a row dated 2099-12-31, after tomorrow (2026-08-29)"
    assert_stale_and_others_fresh(project, before, run, series, message)


def test_a_row_dated_tomorrow_is_still_accepted(project, servers):
    """A source a few hours ahead of UTC may date a row tomorrow: that is not a mistake."""
    servers.fred.add("SOFR", ("2026-08-29", "3.6"))
    run = run_update(project, environment(servers), "--only", "SOFR")
    assert run.returncode == 0, run.output
    assert series_bytes(project, "fred", "SOFR").endswith(b"2026-08-29,3.6\n")


# -- 2. the key, and any piece of it, is never printed or written --------------------------


@pytest.mark.parametrize("status", [400, 403, 500, 503])
def test_an_error_reply_quoting_the_key_leaks_no_piece_of_it(tmp_path, project, servers, status):
    """Found: error text was clipped to 80 characters before the key was masked, leaving 28 of
    its 32 characters in stdout and in data/manifest.json (4xx and 5xx paths alike)."""
    servers.fred.fail(servers.fred.echo_key(status), series="SOFR")
    servers.fred.add("IORB", *IORB_NEW)
    before = data_files(project)
    run = run_update(project, environment(servers), "--only", "SOFR", "IORB")
    assert_stale_and_others_fresh(project, before, run, "SOFR", "Quota exceeded")
    assert "***" in manifest(project)["SOFR"]["message"]
    assert_no_key_piece(run.stdout, run.stderr, folder=tmp_path)


def test_redaction_masks_every_piece_of_eight_characters_before_clipping(monkeypatch):
    monkeypatch.setenv("FRED_API_KEY", KEY)
    text = "Bad Request.  Quota exceeded, contact support now: " + KEY
    for clipped in (net.clean(text, 80), net.clean(text.upper(), 60), net.redact(text[:-5])):
        assert_no_key_piece(clipped)
        assert "***" in clipped
    split = f"first {KEY[:10]} then {KEY[10:20]} and {KEY[20:27]}"
    assert net.redact(split) == f"first *** then *** and {KEY[20:27]}"  # 7 characters: a word
    assert net.redact("nothing secret here") == "nothing secret here"


# -- 3. deadlines, size caps and redirects -------------------------------------------------


def test_a_reply_trickling_one_byte_at_a_time_hits_the_deadline(project, servers):
    """Found: the timeout covered each socket read, so one byte every 1.5 s with FRED_TIMEOUT=2
    never timed out, and as files are written after every fetch, no series was updated."""
    servers.fred.fail(Reply(trickle=0.1), series="SOFR")
    servers.fred.add("IORB", *IORB_NEW)
    env = environment(servers, FRED_TIMEOUT="2", FRED_DEADLINE="0.5", FRED_RETRY_ATTEMPTS="1")
    before = data_files(project)
    run = run_update(project, env, "--only", "SOFR", "IORB")
    message = "FRED did not send the whole reply within 0.5 s (set FRED_DEADLINE"
    assert_stale_and_others_fresh(project, before, run, "SOFR", message)
    assert run.seconds < 10


@pytest.mark.parametrize(
    ("source", "series", "label"), [("fred", "SOFR", "FRED"), ("market", "SP500", "Yahoo Finance")]
)
def test_a_status_line_and_headers_trickled_byte_by_byte_hit_the_deadline(
    project, servers, source, series, label
):
    """The body reader's checks cannot see the status line and headers: a watchdog shuts the
    socket at the deadline whatever the request is doing."""
    getattr(servers, source).fail(Reply(trickle_headers=0.1), series=series)
    servers.fred.add("IORB", *IORB_NEW)
    prefix = source.upper()
    env = environment(
        servers,
        **{f"{prefix}_TIMEOUT": "2", f"{prefix}_DEADLINE": "0.5", f"{prefix}_RETRY_ATTEMPTS": "1"},
    )
    before = data_files(project)
    run = run_update(project, env, "--only", series, "IORB")
    message = f"{label} did not send the whole reply within 0.5 s (set {prefix}_DEADLINE"
    assert_stale_and_others_fresh(project, before, run, series, message)
    assert run.seconds < 10


def test_a_keyless_source_trickling_hits_its_own_deadline(project, servers):
    servers.market.fail(Reply(trickle=0.1), series="SP500")
    servers.fred.add("IORB", *IORB_NEW)
    env = environment(servers, MARKET_DEADLINE="0.5", MARKET_RETRY_ATTEMPTS="1")
    before = data_files(project)
    run = run_update(project, env, "--only", "SP500", "IORB")
    message = "Yahoo Finance did not send the whole reply within 0.5 s (set MARKET_DEADLINE"
    assert_stale_and_others_fresh(project, before, run, "SP500", message)


@pytest.mark.parametrize(
    ("source", "series", "label"), [("fred", "SOFR", "FRED"), ("market", "SP500", "Yahoo Finance")]
)
def test_a_huge_body_is_refused_at_the_cap_without_holding_it(
    project, servers, source, series, label
):
    """Found: a 1.5 GB body took 3.1 GB of memory. Now reading stops at the cap."""
    getattr(servers, source).fail(Reply(huge=1_500_000_000), series=series)
    servers.fred.add("IORB", *IORB_NEW)
    prefix = source.upper()
    env = environment(servers, **{f"{prefix}_MAX_BYTES": "5000000"})
    before = data_files(project)
    run = run_update(project, env, "--only", series, "IORB")
    message = f"{label} sent a reply over 5,000,000 bytes; refused (set {prefix}_MAX_BYTES"
    assert_stale_and_others_fresh(project, before, run, series, message)
    assert getattr(servers, source).bytes_sent < 200_000_000  # it stopped reading early
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert peak < 600_000_000


@pytest.mark.parametrize(
    ("source", "series", "label"),
    [("fred", "SOFR", "FRED"), ("nyfed", "FED_RMP_BILL_PURCHASES", "NY Fed")],
)
def test_a_redirect_to_another_host_is_not_followed(project, servers, source, series, label):
    """Found: a redirect to another host was followed silently and that host's data stored.
    ``localhost`` is another host than ``127.0.0.1`` although it reaches the same fake."""
    fake = getattr(servers, source)
    fake.fail(Reply(redirect_to=f"http://localhost:{fake.port}"), series=series, times=1)
    servers.fred.add("IORB", *IORB_NEW)
    before = data_files(project)
    run = run_update(project, environment(servers), "--only", series, "IORB")
    message = f"{label} redirected to another host (localhost, HTTP 302); not followed"
    assert_stale_and_others_fresh(project, before, run, series, message)
    assert len(fake.requests_for(series)) == 1  # the other host was never asked
    assert_no_key_piece(run.stdout, run.stderr)


def test_a_redirect_on_the_same_host_is_followed(project, servers):
    servers.fred.add("SOFR", ("2026-08-21", "3.64"))
    servers.fred.fail(Reply(redirect_to=servers.fred.origin), series="SOFR", times=1)
    run = run_update(project, environment(servers), "--only", "SOFR")
    assert run.returncode == 0, run.output
    assert len(servers.fred.log) == 2
    assert series_bytes(project, "fred", "SOFR").endswith(b"2026-08-21,3.64\n")


def test_deadline_and_size_settings_must_be_numbers(project, servers):
    run = run_update(project, environment(servers, FRED_DEADLINE="soon"), "--only", "SOFR")
    assert run.returncode == 2
    assert "FRED_DEADLINE must be a number" in run.stderr
    assert len(servers.fred.log) == 0


def test_an_unexpected_exception_quoting_the_key_leaks_no_piece_of_it(monkeypatch):
    """The third message path: a bug in a source raising an exception whose text holds the
    key (e.g. a URL) ends as a stale series whose message is redacted, then clipped."""
    from generator.catalogue.models import SeriesConfig
    from generator.fetch import update

    monkeypatch.setenv("FRED_API_KEY", KEY)

    def broken(source: str, series_id: str, since: object) -> None:
        raise RuntimeError("x" * 70 + f" https://api.example/?api_key={KEY} " + KEY.upper())

    monkeypatch.setattr(update.sources, "fetch", broken)
    spec = SeriesConfig(source="fred", title="t", units="u", owner="o", frequency="Daily")
    outcome = update._update_series("SOFR", spec, None)
    assert outcome.failed and outcome.message.startswith("unexpected RuntimeError: xxx")
    assert_no_key_piece(outcome.message)
