"""``update`` against a fake FRED (and the other fakes) as a subprocess, fault by fault.

Every case asserts the exit code, the message, and the snapshot bytes: unchanged when a series
fails, exactly old + new rows when it succeeds. The fakes speak the real wire formats, so these
are contract tests of the whole path: fredapi, retries, the gate, the atomic write, the manifest.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest

from generator.catalogue.load import load_config
from generator.fetch.update import Outcome, Progress
from tests.fakes import fred_server
from tests.fakes.base import Reply
from tests.fakes.harness import (
    add_series,
    data_files,
    environment,
    make_project,
    manifest,
    run_update,
    series_bytes,
    series_entry,
    start_servers,
)

SOFR_NEW = [("2026-08-21", "3.64"), ("2026-08-24", "3.65")]
SOFR_NEW_LINES = b"2026-08-21,3.64\n2026-08-24,3.65\n"


def summary_row(stdout: str, series_id: str) -> list[str]:
    """[series, added, revised, status, note] from the summary table."""
    return next(
        line.split(None, 4) for line in stdout.splitlines() if line.startswith(series_id + " ")
    )


def assert_sofr_failed(project, before, run, fragment):
    """The shared expectations of a failed SOFR fetch: exit 3, old bytes, stale badge."""
    assert run.returncode == 3, run.output
    assert summary_row(run.stdout, "SOFR")[3] == "stale"
    assert fragment in run.stdout, run.output
    after = data_files(project)
    assert {k: v for k, v in after.items() if k != "manifest.json"} == {
        k: v for k, v in before.items() if k != "manifest.json"
    }
    entry = manifest(project)["SOFR"]
    assert entry["status"] == "stale"
    assert entry["stale_since"] == "2026-08-22"  # the date of the last successful fetch
    assert fragment in entry["message"]
    assert entry["fetched_at"] == "2026-08-22T16:12:14Z"


# -- the normal nights ----------------------------------------------------------------------


def test_up_to_date_snapshot_costs_one_request_per_series_and_changes_no_data(
    project, servers, env
):
    before = data_files(project)
    known = manifest(project)
    run = run_update(project, env)
    assert run.returncode == 0, run.output
    after = data_files(project)
    # only entries that never had a fetched_at get one; a second check changes nothing at all
    assert [name for name in after if before.get(name) != after[name]] == ["manifest.json"]
    # 12 FRED series (WRBWFRBL and WDTGAL since issue 13)
    # One request per configured series of each source (counted from the config under test);
    # IOER, optional and absent from FRED, is the one unavailable.
    config = load_config(project / "indicators.yml")
    per_source = Counter(spec.source for spec in config.series.values())
    logs = {name: len(getattr(servers, name).log) for name in ("fred", "nyfed", "market", "crypto")}
    assert logs == {name: per_source[name] for name in logs}
    entries = manifest(project)
    assert entries["IOER"]["status"] == "unavailable" and "series/fred/IOER.csv" not in after
    # nothing new: the last fetch that changed SOFR is still the one on record (issue 21)
    assert entries["SOFR"]["status"] == "fresh"
    assert entries["SOFR"]["fetched_at"] == known["SOFR"]["fetched_at"]
    # Series kept by hand (source: manual) are never fetched.
    fetched = [s for s, spec in config.series.items() if spec.source != "manual"]
    total = len(fetched)
    assert f"{total} series: {total - 1} fresh, 0 stale, 1 unavailable" in run.stdout
    first = fetched[0]
    assert f"[ 1/{total}] {first}: fresh, +0 rows, 0 revised" in run.stderr  # one line each
    assert run_update(project, env).returncode == 0 and data_files(project) == after


def test_new_observations_are_appended_and_the_manifest_refreshed(project, servers, env):
    old = series_bytes(project, "fred", "SOFR")
    servers.fred.add("SOFR", *SOFR_NEW)
    run = run_update(project, env, "--only", "SOFR")
    assert run.returncode == 0, run.output
    assert series_bytes(project, "fred", "SOFR") == old + SOFR_NEW_LINES
    (request,) = servers.fred.log
    assert request.query["observation_start"] == "2026-05-22"  # last date minus 90 days
    entry = manifest(project)["SOFR"]
    assert (entry["last"], entry["rows"], entry["status"]) == ("2026-08-24", 2096, "fresh")
    assert "stale_since" not in entry and "message" not in entry
    assert summary_row(run.stdout, "SOFR")[:4] == ["SOFR", "2", "0", "fresh"]


def test_proxy_variables_do_not_hijack_loopback_requests(project, servers, env):
    """fredapi installs a process-wide proxy opener when HTTP(S)_PROXY is set; with NO_PROXY
    covering loopback, every source must still reach the fakes directly."""
    servers.fred.add("SOFR", *SOFR_NEW)
    dead_proxy = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}
    run = run_update(project, {**env, **dead_proxy}, "--only", "SOFR", "SP500")
    assert run.returncode == 0, run.output
    assert len(servers.fred.log) == 1 and len(servers.market.log) == 1


def test_missing_values_never_overwrite_and_are_not_stored(project, servers, env):
    old = series_bytes(project, "fred", "SOFR")
    servers.fred.add("SOFR", ("2026-08-19", "."), ("2026-08-21", "."), ("2026-08-24", "3.65"))
    run = run_update(project, env, "--only", "SOFR")
    assert run.returncode == 0, run.output
    assert series_bytes(project, "fred", "SOFR") == old + b"2026-08-24,3.65\n"


def test_revision_inside_the_window_is_applied_and_reported(project, servers, env):
    old = series_bytes(project, "fred", "SOFR")
    servers.fred.add("SOFR", ("2026-08-14", "3.70"), ("2026-08-21", "3.64"))
    run = run_update(project, env, "--only", "SOFR")
    assert run.returncode == 0, run.output
    expected = old.replace(b"2026-08-14,3.62\n", b"2026-08-14,3.7\n") + b"2026-08-21,3.64\n"
    assert series_bytes(project, "fred", "SOFR") == expected
    assert "revised 2026-08-14 3.62 -> 3.7" in run.stdout
    assert summary_row(run.stdout, "SOFR")[:4] == ["SOFR", "1", "1", "fresh"]


# -- mistakes found before any request (exit 2, nothing sent, nothing written) ---------------


@pytest.mark.parametrize(
    ("key", "fragment"),
    [(None, "is not set"), ("", "is not set"), ("   ", "is not set"), ("abc-1&x=y", "characters")],
)
def test_missing_or_malformed_key_stops_before_any_request(project, servers, key, fragment):
    before = data_files(project)
    run = run_update(project, environment(servers, key=None, FRED_API_KEY=key))
    assert run.returncode == 2, run.output
    assert run.stdout == ""
    (line,) = run.stderr.strip().splitlines()
    assert "FRED_API_KEY" in line and fragment in line
    assert "https://fredaccount.stlouisfed.org/apikeys" in line
    assert servers.requests() == 0
    assert data_files(project) == before


@pytest.mark.parametrize(
    ("series_id", "source"),
    [("GDP&units=pch", "fred"), ("SOFR.X", "fred"), ("sofr", "fred"), ("BTC USD", "crypto")],
)
def test_malformed_series_id_in_the_config_stops_before_any_request(
    project, servers, env, series_id, source
):
    add_series(project, series_entry(series_id, source))
    before = data_files(project)
    run = run_update(project, env)
    assert run.returncode == 2, run.output
    assert repr(series_id) in run.stderr
    assert servers.requests() == 0
    assert data_files(project) == before


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FRED_API_ROOT", "file:///etc", "FRED_API_ROOT must start with http:// or https://"),
        ("MARKET_TIMEOUT", "soon", "MARKET_TIMEOUT must be a number"),
        ("UPDATE_TODAY", "tomorrow", "UPDATE_TODAY: 'tomorrow' is not a date written YYYY-MM-DD"),
    ],
)
def test_broken_environment_settings_stop_before_any_request(
    project, servers, env, name, value, message
):
    before = data_files(project)
    run = run_update(project, {**env, name: value})
    assert run.returncode == 2, run.output
    assert message in run.stderr
    assert servers.requests() == 0
    assert data_files(project) == before


def test_progress_is_a_bar_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = Progress(2, stream)
    progress.start(1, "SOFR")
    progress.done(1, Outcome("SOFR", "fresh", added=2))
    progress.start(2, "IORB")
    progress.close()
    text = stream.getvalue()
    assert "\r[" + "." * 24 + "] 1/2 SOFR" in text and "] 2/2 IORB" in text
    assert text.endswith("\r") and "\n" not in text


def test_unknown_only_argument_is_a_config_error(project, servers, env):
    run = run_update(project, env, "--only", "SOFRR")
    assert run.returncode == 2
    assert "unknown series 'SOFRR': did you mean 'SOFR'?" in run.stderr
    assert servers.requests() == 0


# -- what FRED can answer --------------------------------------------------------------------


def test_rejected_key_gets_one_delayed_retry_then_stops_that_source_only(project, servers):
    """A key FRED rejects stops FRED for the night (one delayed second chance, then no other
    FRED series is asked); the keyless sources still update and the night ends with exit 3,
    so the report and the publish still happen (it used to end everything with exit 2)."""
    before = data_files(project)
    servers.market.add("SP500", ("2026-08-24", "6500.5"))
    run = run_update(project, environment(servers, key="ffffffffffffffffffffffffffffffff"))
    assert run.returncode == 3, run.output
    assert "FRED rejected the key in FRED_API_KEY (not registered)" in run.stdout
    assert "check FRED_API_KEY" in run.stdout
    assert "not asked: fred rejected the key earlier tonight" in run.stdout
    first, second = servers.fred.log
    assert second.at - first.at >= 0.01
    config = load_config(project / "indicators.yml")
    keyless = [s for s, spec in config.series.items() if spec.source not in ("fred", "manual")]
    assert servers.requests() == 2 + len(keyless)  # every keyless series is still asked
    after = data_files(project)
    fred = [name for name in before if name.startswith("series/fred/")]
    assert {name: after[name] for name in fred} == {name: before[name] for name in fred}
    assert after["series/market/SP500.csv"] == before["series/market/SP500.csv"] + (
        b"2026-08-24,6500.5\n"
    )
    assert manifest(project)["SOFR"]["status"] == "stale"


def test_unknown_series_is_unavailable_and_the_others_proceed(project, servers, env):
    add_series(project, series_entry("NOSUCH", "fred"))
    servers.fred.add("SOFR", *SOFR_NEW)
    old = series_bytes(project, "fred", "SOFR")
    run = run_update(project, env, "--only", "SOFR", "NOSUCH")
    assert run.returncode == 3, run.output
    assert "FRED says the series does not exist" in run.stdout
    assert len(servers.fred.requests_for("NOSUCH")) == 1  # permanent: not retried
    assert series_bytes(project, "fred", "SOFR") == old + SOFR_NEW_LINES
    entries = manifest(project)
    assert entries["NOSUCH"]["status"] == "unavailable"
    assert entries["SOFR"]["status"] == "fresh"


def test_optional_series_the_source_lacks_is_unavailable_without_failing(project, servers, env):
    run = run_update(project, env, "--only", "IOER")
    assert run.returncode == 0, run.output
    assert manifest(project)["IOER"]["status"] == "unavailable"
    assert not (project / "data" / "series" / "fred" / "IOER.csv").exists()


def test_429_with_retry_after_waits_as_told_then_succeeds(project, servers, env):
    servers.fred.add("SOFR", *SOFR_NEW)
    old = series_bytes(project, "fred", "SOFR")
    servers.fred.fail(fred_server.rate_limited(retry_after="1"), series="SOFR", times=1)
    run = run_update(project, env, "--only", "SOFR")
    assert run.returncode == 0, run.output
    first, second = servers.fred.log
    assert second.at - first.at >= 0.95  # Retry-After: 1, although FRED_RETRY_WAIT is 0.01
    assert series_bytes(project, "fred", "SOFR") == old + SOFR_NEW_LINES


def test_429_without_retry_after_backs_off_a_bounded_number_of_times(project, servers, env):
    before = data_files(project)
    servers.fred.fail(fred_server.rate_limited(), series="SOFR")
    run = run_update(project, env, "--only", "SOFR")
    assert_sofr_failed(project, before, run, "FRED rate limit (HTTP 429); gave up after 3 attempts")
    assert len(servers.fred.log) == 3


def test_retry_after_beyond_the_longest_wait_gives_up_at_once(project, servers, env):
    before = data_files(project)
    servers.fred.fail(fred_server.rate_limited(retry_after="3600"), series="SOFR")
    run = run_update(project, {**env, "FRED_RETRY_MAX_WAIT": "0.5"}, "--only", "SOFR")
    assert_sofr_failed(project, before, run, "FRED rate limit (HTTP 429)")
    assert len(servers.fred.log) == 1 and run.seconds < 10


@pytest.mark.parametrize(
    ("reply", "fragment"),
    [
        (fred_server.server_error(), "FRED server error (HTTP 500, Internal Server Error)"),
        (fred_server.html_504(), "FRED server error (HTTP 504, not an XML error reply)"),
        (fred_server.html_502_broken(), "FRED server error (HTTP 502, body is not XML)"),
        (Reply(truncate=300), "FRED sent a reply that is not valid XML (truncated?)"),
    ],
    ids=["500", "html-504", "broken-html-502", "truncated-xml"],
)
def test_server_errors_and_garbled_replies_are_retried_then_kept_stale(
    project, servers, env, reply, fragment
):
    before = data_files(project)
    servers.fred.fail(reply, series="SOFR")
    run = run_update(project, env, "--only", "SOFR")
    assert_sofr_failed(project, before, run, fragment + "; gave up after 3 attempts")
    assert len(servers.fred.log) == 3


def test_a_transient_error_that_clears_costs_nothing(project, servers, env):
    servers.fred.add("SOFR", *SOFR_NEW)
    old = series_bytes(project, "fred", "SOFR")
    servers.fred.fail(fred_server.html_504(), series="SOFR", times=2)
    run = run_update(project, env, "--only", "SOFR")
    assert run.returncode == 0, run.output
    assert series_bytes(project, "fred", "SOFR") == old + SOFR_NEW_LINES


def test_a_reply_that_never_comes_times_out(project, servers, env):
    before = data_files(project)
    servers.fred.fail(Reply(hang=30), series="SOFR")
    slow = {**env, "FRED_TIMEOUT": "0.2", "FRED_RETRY_ATTEMPTS": "2"}
    run = run_update(project, slow, "--only", "SOFR")
    assert_sofr_failed(
        project, before, run, "FRED did not answer within 0.2 s; gave up after 2 attempts"
    )
    assert run.seconds < 8


def test_nothing_listening_is_a_connection_error(project, servers, env):
    before = data_files(project)
    servers.fred.stop()
    run = run_update(project, env, "--only", "SOFR")
    assert_sofr_failed(project, before, run, "cannot reach FRED (connection refused)")


def _window(servers) -> list[str]:
    return [day for day, _ in servers.fred.rows["SOFR"] if day >= "2026-05-22"]


BAD_REPLIES = {
    "empty": (
        lambda s: s.fred.rows.update(SOFR=[]),
        "SOFR: the source sent no observations since 2026-05-22; kept the stored data",
    ),
    "all-missing": (
        lambda s: s.fred.add("SOFR", *[(day, ".") for day in _window(s)]),
        "SOFR: the source sent only missing values since 2026-05-22; kept the stored data",
    ),
    "duplicate-dates": (
        lambda s: s.fred.duplicate("SOFR", "2026-08-18"),
        "FRED sent 2026-08-18 more than once",
    ),
    "non-numeric": (
        lambda s: s.fred.add("SOFR", ("2026-08-18", "n/a")),
        "FRED sent a non-numeric value 'n/a' on 2026-08-18",
    ),
    "shrank-inside": (
        lambda s: s.fred.remove("SOFR", "2026-07-01", "2026-07-02"),
        "SOFR: the reply lacks 2 stored date(s) between 2026-05-22 and 2026-08-20 "
        "(first 2026-07-01); refused: history would shrink",
    ),
    "last-date-backwards": (
        lambda s: s.fred.remove("SOFR", "2026-08-18", "2026-08-19", "2026-08-20"),
        "SOFR: the last date would move back from 2026-08-20 to 2026-08-17; refused",
    ),
    "out-of-range": (
        lambda s: s.fred.add("SOFR", ("2026-08-21", "250")),
        "SOFR: value 250 on 2026-08-21 is above the plausible range [-1, 25]; refused",
    ),
}


@pytest.mark.parametrize("case", list(BAD_REPLIES))
def test_bad_replies_never_reach_the_snapshot(project, servers, env, case):
    before = data_files(project)
    change, fragment = BAD_REPLIES[case]
    change(servers)
    run = run_update(project, env, "--only", "SOFR")
    assert_sofr_failed(project, before, run, fragment)
    assert len(servers.fred.log) == 1  # bad content is not retried


# -- crashes and secrets ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["mid-write", "before-rename"])
def test_a_process_killed_while_writing_leaves_the_old_files_intact(project, servers, env, mode):
    servers.fred.add("SOFR", *SOFR_NEW)
    before = data_files(project)
    killed = run_update(project, env, "--only", "SOFR", kill=mode)
    assert killed.returncode == -9, killed.output
    after = data_files(project)
    leftovers = [name for name in after if name.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].startswith("series/fred/.SOFR.csv.")
    assert {k: v for k, v in after.items() if k not in leftovers} == before
    rerun = run_update(project, env, "--only", "SOFR")
    assert rerun.returncode == 0, rerun.output
    final = data_files(project)
    assert not [name for name in final if name.endswith(".tmp")]
    assert final["series/fred/SOFR.csv"] == before["series/fred/SOFR.csv"] + SOFR_NEW_LINES


def test_the_key_never_appears_in_any_output_or_file(tmp_path):
    sentinel = "sentinelkey7f3a9c2e5b8d1f4a6c0e9b2d"
    outputs = []
    project = make_project(tmp_path)
    servers = start_servers(project, key=sentinel)
    try:
        env = environment(servers, key=sentinel, FRED_TIMEOUT="0.3", FRED_RETRY_ATTEMPTS="2")
        servers.fred.add("SOFR", *SOFR_NEW)
        servers.fred.fail(fred_server.html_504(), series="WALCL")
        servers.fred.fail(Reply(hang=10), series="TREAST")
        servers.fred.fail(fred_server.rate_limited(), series="IORB")
        servers.fred.duplicate("WRESBAL", "2026-08-19")
        outputs.append(run_update(project, env))
        outputs.append(run_update(project, env, "--only", "SOFR", kill="mid-write"))
        wrong = environment(servers, key=sentinel[::-1])
        outputs.append(run_update(project, wrong))
        servers.fred.stop()
        outputs.append(run_update(project, env, "--only", "SOFR"))
    finally:
        servers.stop()
    assert outputs[0].returncode == 3 and outputs[2].returncode == 3
    for run in outputs:
        for text in (run.stdout, run.stderr):
            assert sentinel not in text and sentinel[::-1] not in text
            assert "api_key" not in text and "127.0.0.1" not in text  # no URL is ever printed
    for path in tmp_path.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert sentinel.encode() not in content, path
            assert sentinel[::-1].encode() not in content, path


def test_a_failed_series_is_marked_stale_on_the_built_site(tmp_path):
    """The night's failure reaches the reader: home card and indicator page carry the badge."""
    from tests.conftest import copy_project, run_generator

    project = copy_project(tmp_path / "site-project")
    running = start_servers(project)
    try:
        running.fred.fail(fred_server.html_504(), series="SOFR")
        run = run_update(project, environment(running), "--only", "SOFR")
    finally:
        running.stop()
    assert run.returncode == 3, run.output
    run_generator(project, "build")
    badge = "stale since 2026-08-22"
    page = (project / "site/indicators/sofr-iorb-spread.md").read_text()
    assert f"SOFR {badge}" in page
    assert badge in (project / "site/index.md").read_text()
    assert "stale" in (project / "site/data-status.md").read_text()


def _one_series(monkeypatch, reply: list[tuple[str, float]]):
    """``_update_series`` on WALCL (three stored weeks, million USD) with the reply ``reply``."""
    import pandas as pd

    from generator.fetch import update as update_module
    from tests import frozen

    def series(rows: list[tuple[str, float]]) -> pd.Series:
        index = pd.DatetimeIndex([day for day, _ in rows], name="date")
        return pd.Series([value for _, value in rows], index=index, name="WALCL", dtype=float)

    stored = series(
        [("2026-08-05", 6601500.0), ("2026-08-12", 6590250.0), ("2026-08-19", 6588000.0)]
    )
    monkeypatch.setattr(update_module.sources, "fetch", lambda *args: series(reply))
    spec = frozen.config().series["WALCL"]
    return update_module._update_series("WALCL", spec, stored)


def test_a_reply_that_changes_nothing_is_not_written_out_to_be_read_back(monkeypatch):
    """Unchanged, the merged rows are the stored file's text, which read back when loaded."""
    from generator.fetch import update as update_module

    def refuse(series):
        raise AssertionError("an unchanged series was written out")

    monkeypatch.setattr(update_module, "series_to_csv", refuse)
    outcome = _one_series(monkeypatch, [("2026-08-12", 6590250.0), ("2026-08-19", 6588000.0)])
    assert (outcome.status, outcome.failed, outcome.merged) == ("fresh", False, None)


def test_a_changed_series_that_would_not_read_back_is_refused_and_kept(monkeypatch):
    from generator.fetch import update as update_module

    monkeypatch.setattr(update_module, "series_to_csv", lambda s: b"date,value\n2026-13-01,1\n")
    outcome = _one_series(monkeypatch, [("2026-08-19", 6588000.0), ("2026-08-26", 6579000.0)])
    assert (outcome.status, outcome.failed, outcome.merged) == ("stale", True, None)
    assert outcome.message is not None and "WALCL (tonight's reply)" in outcome.message
