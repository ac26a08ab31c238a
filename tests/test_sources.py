"""The core ``update`` cases for each non-FRED source, against fakes in their real formats:
the NY Fed Markets API (Treasury operations), Yahoo Finance's chart JSON (index closes) and
Coinbase Exchange candles (crypto closes). Same promise as for FRED: the exit code, the
message, and the snapshot bytes are asserted every time.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.fakes.base import Reply
from tests.fakes.harness import (
    add_series,
    data_files,
    manifest,
    run_update,
    series_bytes,
    series_entry,
)


@dataclass(frozen=True)
class Case:
    source: str  # the snapshot folder and the Servers attribute
    series: str
    label: str  # how messages name the source
    new: tuple[tuple[str, str], ...]
    new_lines: bytes
    revised: tuple[str, str]  # (date, value) replacing a stored value inside the window
    revised_lines: tuple[bytes, bytes]  # (old line, new line)
    duplicate: str
    non_numeric: str
    out_of_range: tuple[str, str, str]  # (date, value, message fragment)
    last_dates: tuple[str, ...]  # removing these moves the last date back...
    moved_back_to: str  # ...to this one
    window_start: str


CASES = [
    Case(
        source="nyfed",
        series="FED_RMP_BILL_PURCHASES",
        label="NY Fed",
        new=(("2026-08-25", "4.5"), ("2026-08-27", "5.125")),
        new_lines=b"2026-08-25,4.5\n2026-08-27,5.125\n",
        revised=("2026-08-18", "4.3"),
        revised_lines=(b"2026-08-18,4.243\n", b"2026-08-18,4.3\n"),
        duplicate="NY Fed listed the operation of 2026-08-18 more than once",
        non_numeric="NY Fed sent a non-numeric accepted amount 'n/a' on 2026-08-18",
        out_of_range=(
            "2026-08-25",
            "150",
            "value 150 on 2026-08-25 is above the plausible range [0, 100]",
        ),
        last_dates=("2026-08-18", "2026-08-20"),
        moved_back_to="2026-08-11",
        window_start="2026-05-22",
    ),
    Case(
        source="market",
        series="SP500",
        label="Yahoo Finance",
        new=(("2026-08-24", "7701.12"), ("2026-08-25", "7712.5")),
        new_lines=b"2026-08-24,7701.12\n2026-08-25,7712.5\n",
        revised=("2026-08-20", "7641.5"),
        revised_lines=(b"2026-08-20,7641.16\n", b"2026-08-20,7641.5\n"),
        duplicate="Yahoo Finance sent 2026-08-20 more than once",
        non_numeric="Yahoo Finance sent a non-numeric close 'n/a' on 2026-08-20",
        out_of_range=(
            "2026-08-24",
            "50",
            "value 50 on 2026-08-24 is below the plausible range [100, 100000]",
        ),
        last_dates=("2026-08-20", "2026-08-21"),
        moved_back_to="2026-08-19",
        window_start="2026-05-23",
    ),
    Case(
        source="crypto",
        series="BTC-USD",
        label="Coinbase Exchange",
        new=(("2026-08-22", "78500.5"), ("2026-08-23", "79010.01")),
        new_lines=b"2026-08-22,78500.5\n2026-08-23,79010.01\n",
        revised=("2026-08-20", "73100"),
        revised_lines=(b"2026-08-20,73032.76\n", b"2026-08-20,73100\n"),
        duplicate="Coinbase Exchange sent 2026-08-20 more than once",
        non_numeric="Coinbase Exchange sent a non-numeric close 'n/a' on 2026-08-20",
        out_of_range=(
            "2026-08-22",
            "0.5",
            "value 0.5 on 2026-08-22 is below the plausible range [1, 10000000]",
        ),
        last_dates=("2026-08-20", "2026-08-21"),
        moved_back_to="2026-08-19",
        window_start="2026-05-23",
    ),
]


ALL = [case.series for case in CASES]


def fake(servers, case: Case):
    return getattr(servers, case.source)


def run_all(project, env):
    """One run for the three sources: each case below sets the same fault on all of them."""
    return run_update(project, env, "--only", *ALL)


def assert_failed(project, before, run, case: Case, fragment: str) -> None:
    assert run.returncode == 3, run.output
    assert fragment in run.stdout, (case.source, run.output)
    after = data_files(project)
    assert {k: v for k, v in after.items() if k != "manifest.json"} == {
        k: v for k, v in before.items() if k != "manifest.json"
    }
    entry = manifest(project)[case.series]
    assert (entry["status"], entry["stale_since"]) == ("stale", "2026-08-22")
    assert fragment in entry["message"]


def test_new_observations_are_appended_with_one_request_each(project, servers, env):
    old = {case: series_bytes(project, case.source, case.series) for case in CASES}
    for case in CASES:
        fake(servers, case).add(case.series, *case.new)
    run = run_all(project, env)
    assert run.returncode == 0, run.output
    for case in CASES:
        assert series_bytes(project, case.source, case.series) == old[case] + case.new_lines
        assert len(fake(servers, case).log) == 1, case.source
        assert manifest(project)[case.series]["status"] == "fresh"


def test_revision_inside_the_window_is_applied_and_reported(project, servers, env):
    old = {case: series_bytes(project, case.source, case.series) for case in CASES}
    for case in CASES:
        fake(servers, case).add(case.series, case.revised)
    run = run_all(project, env)
    assert run.returncode == 0, run.output
    for case in CASES:
        was, now = case.revised_lines
        assert old[case].count(was) == 1
        assert series_bytes(project, case.source, case.series) == old[case].replace(was, now)
        assert f"revised {case.revised[0]} " in run.stdout


def test_429_with_retry_after_waits_as_told(project, servers, env):
    old = {case: series_bytes(project, case.source, case.series) for case in CASES}
    limited = Reply(429, b'{"message":"Too Many Requests"}', headers={"Retry-After": "1"})
    for case in CASES:
        fake(servers, case).add(case.series, *case.new)
        fake(servers, case).fail(limited, series=case.series, times=1)
    run = run_all(project, env)
    assert run.returncode == 0, run.output
    for case in CASES:
        first, second = fake(servers, case).log
        assert second.at - first.at >= 0.95, case.source
        assert series_bytes(project, case.source, case.series) == old[case] + case.new_lines


FAULTS = {
    "429": (Reply(429, b'{"message":"Too Many Requests"}'), "rate limit (HTTP 429)"),
    "500": (Reply(500, b'{"message":"Internal Server Error"}'), "server error (HTTP 500)"),
    "html-504": (
        Reply(504, b"<html><body><h1>504 Gateway Time-out</h1></body></html>", "text/html"),
        "server error, non-JSON body (HTTP 504)",
    ),
    "html-200": (
        Reply(
            200,
            b"<!doctype html><html><body>Please verify you are human</body></html>",
            "text/html",
        ),
        "sent a reply that is not valid JSON",
    ),
    "truncated": (Reply(truncate=40), "sent a reply that is not valid JSON"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_transient_failures_are_retried_then_kept_stale(project, servers, env, fault):
    before = data_files(project)
    reply, fragment = FAULTS[fault]
    for case in CASES:
        fake(servers, case).fail(reply, series=case.series)
    run = run_all(project, env)
    for case in CASES:
        assert_failed(project, before, run, case, f"{case.label} {fragment}")
        assert len(fake(servers, case).log) == 3, case.source
    assert run.stdout.count("gave up after 3 attempts") == len(CASES)


def test_a_reply_that_never_comes_times_out(project, servers, env):
    before = data_files(project)
    slow = dict(env)
    for case in CASES:
        fake(servers, case).fail(Reply(hang=30), series=case.series)
        prefix = case.source.upper()
        slow.update({f"{prefix}_TIMEOUT": "0.2", f"{prefix}_RETRY_ATTEMPTS": "2"})
    run = run_all(project, slow)
    for case in CASES:
        fragment = f"{case.label} did not answer within 0.2 s; gave up after 2 attempts"
        assert_failed(project, before, run, case, fragment)
    assert run.seconds < 9


def _bad(case: Case) -> dict:
    return {
        "empty": (
            lambda f: f.rows.update({case.series: []}),
            f"{case.series}: the source sent no observations since {case.window_start}",
        ),
        "duplicate": (
            lambda f: (
                f.repeat_operation(case.revised[0])
                if case.source == "nyfed"
                else f.duplicate(case.series, case.revised[0])
            ),
            case.duplicate,
        ),
        "non-numeric": (lambda f: f.add(case.series, (case.revised[0], "n/a")), case.non_numeric),
        "last-date-backwards": (
            lambda f: f.remove(case.series, *case.last_dates),
            f"the last date would move back from {case.last_dates[-1]} to {case.moved_back_to}",
        ),
        "out-of-range": (
            lambda f: f.add(case.series, case.out_of_range[:2]),
            f"{case.series}: {case.out_of_range[2]}; refused",
        ),
    }


@pytest.mark.parametrize(
    "bad", ["empty", "duplicate", "non-numeric", "last-date-backwards", "out-of-range"]
)
def test_bad_replies_never_reach_the_snapshot(project, servers, env, bad):
    before = data_files(project)
    for case in CASES:
        change, _ = _bad(case)[bad]
        change(fake(servers, case))
    run = run_all(project, env)
    for case in CASES:
        assert_failed(project, before, run, case, _bad(case)[bad][1])
        assert len(fake(servers, case).log) == 1, case.source


def test_shrunken_history_inside_the_window_is_refused(project, servers, env):
    before = data_files(project)
    servers.market.remove("SP500", "2026-07-01", "2026-07-02")
    run = run_update(project, env, "--only", "SP500")
    fragment = "SP500: the reply lacks 2 stored date(s) between 2026-05-26 and 2026-08-21"
    assert_failed(project, before, run, CASES[1], fragment)


@pytest.mark.parametrize(
    ("source", "series_id", "fragment"),
    [
        ("market", "DJX", "Yahoo Finance has no such series (HTTP 404"),
        ("crypto", "DOGE-USD", "Coinbase Exchange does not list DOGE-USD"),
    ],
)
def test_unknown_series_is_unavailable_and_the_others_proceed(
    project, servers, env, source, series_id, fragment
):
    add_series(project, series_entry(series_id, source))
    case = next(case for case in CASES if case.source == source)
    fake(servers, case).add(case.series, *case.new)
    old = series_bytes(project, source, case.series)
    run = run_update(project, env, "--only", case.series, series_id)
    assert run.returncode == 3, run.output
    assert fragment in run.stdout
    assert manifest(project)[series_id]["status"] == "unavailable"
    assert series_bytes(project, source, case.series) == old + case.new_lines


def test_nyfed_counts_only_rmp_bill_purchases_summed_per_day(project, servers, env):
    """The fake mixes in coupon purchases, a pre-RMP bill purchase, an announcement without
    results, and splits the first RMP day in two operations: none of it may change the data."""
    before = data_files(project)
    run = run_update(
        project, {**env, "UPDATE_TODAY": "2026-08-21"}, "--only", "FED_RMP_BILL_PURCHASES"
    )
    assert run.returncode == 0, run.output
    assert (
        data_files(project)["series/nyfed/FED_RMP_BILL_PURCHASES.csv"]
        == before["series/nyfed/FED_RMP_BILL_PURCHASES.csv"]
    )
    (request,) = servers.nyfed.log
    assert request.query == {"startDate": "2026-05-22", "endDate": "2026-08-21"}


def test_crypto_leaves_out_the_unfinished_day_and_pages_long_ranges(project, servers, env):
    old = series_bytes(project, "crypto", "BNB-USD")
    servers.crypto.add(
        "BNB-USD", ("2026-08-26", "640.5"), ("2026-08-27", "641.25"), ("2026-08-28", "650")
    )
    run = run_update(project, {**env, "UPDATE_TODAY": "2026-08-28"}, "--only", "BNB-USD")
    assert run.returncode == 0, run.output
    assert (
        series_bytes(project, "crypto", "BNB-USD") == old + b"2026-08-26,640.5\n2026-08-27,641.25\n"
    )
    long_gap = {**env, "UPDATE_TODAY": "2027-06-01"}
    run = run_update(project, long_gap, "--only", "ETH-USD")
    assert run.returncode == 0, run.output
    assert len(servers.crypto.requests_for("ETH-USD")) == 2  # 2026-05-23..2027-05-31 > 300 days


def test_market_leaves_out_the_unfinished_session(project, servers, env):
    old = series_bytes(project, "market", "RUT")
    servers.market.add("RUT", ("2026-08-24", "3020.55"), ("2026-08-25", "3031.2"))
    run = run_update(project, {**env, "UPDATE_TODAY": "2026-08-25"}, "--only", "RUT")
    assert run.returncode == 0, run.output
    assert series_bytes(project, "market", "RUT") == old + b"2026-08-24,3020.55\n"
