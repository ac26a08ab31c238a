"""Sources declared in ``indicators.yml`` (``fetch:`` blocks): a fork adds a series from an SDMX
service or a CSV file by editing the YAML alone, ``update`` runs against fakes in the real wire
formats, and the series lands in ``data/``. A second keyed source's key, echoed back by its
server, never reaches the output or a file.
"""

from __future__ import annotations

from datetime import date

import pytest

from generator.fetch.sources.sdmx import period_date
from tests.fakes.csv_server import FakeCsv
from tests.fakes.harness import add_series, data_files, manifest, run_update
from tests.fakes.sdmx_server import ILM, FakeSdmx

CSV_KEY = "Zq8RtUvW3xYz5AbCdEf7GhJk"


def sdmx_entry(series_id: str, root: str, fmt: str = "csv") -> str:
    return (
        f"  {series_id}:\n"
        "    title: Eurosystem total assets (weekly financial statement)\n"
        "    units: Millions of Euros\n"
        "    frequency: Weekly, as of Friday\n"
        "    owner: European Central Bank\n"
        "    plausible: [100000, 20000000]\n"
        "    fetch:\n"
        "      source: sdmx\n"
        f"      root: {root}\n"
        "      flow: ILM\n"
        "      key: W.U2.C.T000000.Z5.Z01\n"
        f"      format: {fmt}\n"
    )


def csv_entry(series_id: str, url: str, extra: str = "") -> str:
    return (
        f"  {series_id}:\n"
        "    title: A vendor's daily close\n"
        "    units: Index\n"
        "    frequency: Daily\n"
        "    owner: A vendor\n"
        "    redistribute: false\n"
        "    fetch:\n"
        "      source: csv\n"
        f"      url: {url}\n"
        "      date_column: Date\n"
        "      value_column: Close\n" + extra
    )


@pytest.fixture
def sdmx():
    with FakeSdmx() as server:
        yield server


@pytest.fixture
def files():
    with FakeCsv(key=CSV_KEY) as server:
        server.rows["VENDOR"] = [["2026-08-24", "101.5"], ["2026-08-25", "102.25"]]
        yield server


def test_a_fork_adds_an_sdmx_and_a_csv_series_by_editing_the_yaml_alone(project, env, sdmx, files):
    add_series(project, sdmx_entry("ECB_ILM_TOTAL", sdmx.root))
    add_series(project, csv_entry("VENDOR_CLOSE", files.url("VENDOR")))
    run = run_update(project, env, "--only", "ECB_ILM_TOTAL", "VENDOR_CLOSE")
    assert run.returncode == 0, run.output
    written = data_files(project)
    # ISO weeks 31-34 of 2026 dated on their Fridays (31 July ... 21 August).
    assert written["series/sdmx/ECB_ILM_TOTAL.csv"] == (
        b"date,value\n2026-07-31,6101234\n2026-08-07,6098765\n"
        b"2026-08-14,6093150\n2026-08-21,6090022\n"
    )
    assert (
        written["series/csv/VENDOR_CLOSE.csv"]
        == b"date,value\n2026-08-24,101.5\n2026-08-25,102.25\n"
    )
    entries = manifest(project)
    assert entries["ECB_ILM_TOTAL"]["source"] == "sdmx" and entries["ECB_ILM_TOTAL"]["rows"] == 4
    assert (
        entries["VENDOR_CLOSE"]["source"] == "csv" and entries["VENDOR_CLOSE"]["status"] == "fresh"
    )
    assert sdmx.log[0].path == "/service/data/ILM/W.U2.C.T000000.Z5.Z01"
    assert sdmx.log[0].query == {}  # no stored data: the whole history
    # The next night asks from the revision window on, and a new week is appended.
    sdmx.add(ILM, ("2026-W35", "6088001"))
    again = run_update(project, env, "--only", "ECB_ILM_TOTAL")
    assert again.returncode == 0, again.output
    assert sdmx.log[-1].query == {"startPeriod": "2026-05-23"}  # 2026-08-21 less 90 days
    assert data_files(project)["series/sdmx/ECB_ILM_TOTAL.csv"].endswith(
        b"2026-08-21,6090022\n2026-08-28,6088001\n"
    )


def test_sdmx_json_gives_the_same_series_as_sdmx_csv(project, env, sdmx):
    add_series(project, sdmx_entry("ILM_CSV", sdmx.root, "csv"))
    add_series(project, sdmx_entry("ILM_JSON", sdmx.root, "json"))
    run = run_update(project, env, "--only", "ILM_CSV", "ILM_JSON")
    assert run.returncode == 0, run.output
    written = data_files(project)
    assert written["series/sdmx/ILM_JSON.csv"] == written["series/sdmx/ILM_CSV.csv"]
    # One path for both: the format is asked for in the Accept header (the fake answers 406
    # to anything but the two SDMX media types), never in the address.
    assert {entry.path for entry in sdmx.log} == {"/service/data/ILM/W.U2.C.T000000.Z5.Z01"}
    assert len(sdmx.log) == 2


def test_an_unknown_sdmx_key_is_unavailable_and_nothing_is_written(project, env, sdmx):
    entry = sdmx_entry("ILM_TYPO", sdmx.root).replace("T000000", "T999999")
    add_series(project, entry)
    before = data_files(project)
    run = run_update(project, env, "--only", "ILM_TYPO")
    assert run.returncode == 3, run.output
    assert "SDMX (127.0.0.1) has no such series (HTTP 404)" in run.stdout
    assert {k: v for k, v in data_files(project).items() if k != "manifest.json"} == {
        k: v for k, v in before.items() if k != "manifest.json"
    }
    assert manifest(project)["ILM_TYPO"]["status"] == "unavailable"


def test_a_csv_with_day_first_dates_reads_with_its_declared_format(project, env, files):
    files.day_first = True
    add_series(
        project, csv_entry("VENDOR_DMY", files.url("VENDOR"), "      date_format: '%d/%m/%Y'\n")
    )
    run = run_update(project, env, "--only", "VENDOR_DMY")
    assert run.returncode == 0, run.output
    assert data_files(project)["series/csv/VENDOR_DMY.csv"].endswith(b"2026-08-25,102.25\n")


def test_a_csv_without_the_declared_columns_names_them(project, env, files):
    entry = csv_entry("VENDOR_COLS", files.url("VENDOR")).replace("Close", "Adj Close")
    add_series(project, entry)
    run = run_update(project, env, "--only", "VENDOR_COLS")
    assert run.returncode == 3, run.output
    assert "no header row with the columns 'Date' and 'Adj Close'" in run.stdout


KEYED = "      key: {variable: ACME_API_KEY, query: apikey}\n"


def test_a_second_keyed_source_is_checked_before_any_request(project, env, files):
    add_series(project, csv_entry("VENDOR_KEYED", files.url("VENDOR", keyed=True), KEYED))
    run = run_update(project, env, "--only", "VENDOR_KEYED")
    assert run.returncode == 2, run.output
    assert "ACME_API_KEY is not set" in run.stderr
    assert files.log == []


def test_a_second_keyed_sources_key_echoed_by_its_server_is_redacted_everywhere(
    project, env, files
):
    """The gateway answers 403 with the key in its message: the summary, the progress lines
    and the manifest carry the message, masked, and no file holds the key."""
    add_series(project, csv_entry("VENDOR_KEYED", files.url("VENDOR", keyed=True), KEYED))
    files.quota_spent = True
    run = run_update(project, {**env, "ACME_API_KEY": CSV_KEY}, "--only", "VENDOR_KEYED")
    assert run.returncode == 3, run.output
    assert files.log and files.log[0].query["apikey"] == CSV_KEY  # the key was really sent
    assert "Quota exceeded for API key ***" in run.stdout
    assert "Quota exceeded for API key ***" in manifest(project)["VENDOR_KEYED"]["message"]
    for piece in (CSV_KEY, CSV_KEY[:8], CSV_KEY[-8:], CSV_KEY[5:13].upper()):
        assert piece not in run.output, piece
        for name, content in data_files(project).items():
            assert piece.encode() not in content, name
    # With quota again, the same key fetches the file.
    files.quota_spent = False
    run = run_update(project, {**env, "ACME_API_KEY": CSV_KEY}, "--only", "VENDOR_KEYED")
    assert run.returncode == 0, run.output


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2026-08-21", date(2026, 8, 21)),
        ("2026-W26", date(2026, 6, 26)),  # ISO week 26 of 2026: Mon 22 June, Fri 26 June
        ("2020-W53", date(2021, 1, 1)),  # the 53-week year: its Friday is in January 2021
        ("2026-07", date(2026, 7, 1)),
        ("2026-Q3", date(2026, 7, 1)),
        ("2026-S2", date(2026, 7, 1)),
        ("2026", date(2026, 1, 1)),
    ],
)
def test_sdmx_periods_are_dated_as_the_snapshot_dates_them(period, expected):
    assert period_date(period, 5) == expected


def test_a_fred_series_may_be_stored_under_another_id(project, env, servers):
    """fetch: {source: fred, id: SOFR} asks FRED for SOFR and stores it as the fork names it."""
    add_series(
        project,
        "  MY_SOFR:\n    title: SOFR under a fork's own name\n    units: Percent\n"
        "    frequency: Daily\n    owner: Federal Reserve Bank of New York\n"
        "    fetch: {source: fred, id: SOFR}\n",
    )
    run = run_update(project, env, "--only", "MY_SOFR")
    assert run.returncode == 0, run.output
    written = data_files(project)
    assert written["series/fred/MY_SOFR.csv"] == written["series/fred/SOFR.csv"]
    assert {entry.query["series_id"] for entry in servers.fred.log} == {"SOFR"}
