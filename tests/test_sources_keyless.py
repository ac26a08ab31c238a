"""Contract tests for the keyless sources a fork declares in ``fetch:`` blocks: the Bank of
Japan (errors inside an HTTP 200), Treasury Fiscal Data (row forms that changed in October
2021, paging), DefiLlama (pegs summed, today's point dropped), the NY Fed's rates, repo and
reverse repo, and a series kept by hand. Each runs the real ``update`` against a fake in the
source's wire format and asserts the exit code, the message and the bytes written.
"""

from __future__ import annotations

import json
import threading

import pytest

from generator.catalogue.load import load_config
from generator.fetch import plan
from tests.conftest import FIXTURE, load_yaml
from tests.fakes.boj_server import BS01, FakeBoj
from tests.fakes.csv_server import FakeCsv
from tests.fakes.defillama_server import EUR, FakeDefiLlama
from tests.fakes.fiscaldata_server import FakeFiscalData
from tests.fakes.harness import add_series, data_files, manifest, run_update, series_bytes
from tests.fakes.nyfed_server import rp_operation
from tests.fakes.sdmx_server import FakeSdmx


def entry(series_id: str, fetch: str, plausible: str = "[-1000000000000, 1000000000000000]") -> str:
    return (
        f"  {series_id}:\n"
        f"    title: Test series {series_id}\n"
        "    units: As the source states them\n"
        "    frequency: As published\n"
        "    owner: Tests\n"
        f"    plausible: {plausible}\n"
        f"    fetch: {fetch}\n"
    )


@pytest.fixture
def boj():
    with FakeBoj() as server:
        yield server


BOJ_FETCH = "{source: boj, db: BS01, code: MABJMTA, frequency: monthly}"


def test_boj_monthly_series_lands_dated_on_the_first_of_each_month(project, env, boj):
    add_series(project, entry("BOJ_ASSETS", BOJ_FETCH))
    run = run_update(project, {**env, "BOJ_API_ROOT": boj.origin}, "--only", "BOJ_ASSETS")
    assert run.returncode == 0, run.output
    assert data_files(project)["series/boj/BOJ_ASSETS.csv"] == (
        b"date,value\n2026-04-01,7431256\n2026-05-01,7398810\n"
        b"2026-06-01,7402554\n2026-07-01,7376042\n"
    )
    query = boj.log[0].query
    assert (query["db"], query["code"], query["format"], query["lang"]) == (
        "BS01",
        "MABJMTA",
        "json",
        "en",
    )
    assert (query["startDate"], query["endDate"]) == ("195001", "202608")
    boj.add(BS01, ("2026-08-01", "7380001"))
    again = run_update(project, {**env, "BOJ_API_ROOT": boj.origin}, "--only", "BOJ_ASSETS")
    assert again.returncode == 0, again.output
    assert boj.log[-1].query["startDate"] == "202604"  # 2026-07-01 less 90 days: April
    assert data_files(project)["series/boj/BOJ_ASSETS.csv"].endswith(b"2026-08-01,7380001\n")


def test_boj_error_inside_http_200_is_read_from_status(project, env, boj):
    add_series(project, entry("BOJ_TYPO", BOJ_FETCH.replace("MABJMTA", "MABJMTX")))
    before = data_files(project)
    run = run_update(project, {**env, "BOJ_API_ROOT": boj.origin}, "--only", "BOJ_TYPO")
    assert run.returncode == 3, run.output
    assert "Bank of Japan has no series BS01 MABJMTX (M181013E)" in run.stdout
    assert manifest(project)["BOJ_TYPO"]["status"] == "unavailable"
    assert "series/boj/BOJ_TYPO.csv" not in data_files(project)
    assert {k for k in data_files(project)} == set(before)


def test_boj_database_error_inside_http_200_is_retried(project, env, boj):
    add_series(project, entry("BOJ_ASSETS", BOJ_FETCH))
    boj.body_faults = [503]
    run = run_update(project, {**env, "BOJ_API_ROOT": boj.origin}, "--only", "BOJ_ASSETS")
    assert run.returncode == 0, run.output
    assert len(boj.log) == 2
    boj.body_faults = [503, 503, 503]
    boj.add(BS01, ("2026-08-01", "7380001"))
    run = run_update(project, {**env, "BOJ_API_ROOT": boj.origin}, "--only", "BOJ_ASSETS")
    assert run.returncode == 3, run.output
    assert (
        "Bank of Japan server error (STATUS 503 M181091S); gave up after 3 attempts" in run.stdout
    )
    assert manifest(project)["BOJ_ASSETS"]["status"] == "stale"


TGA_FETCH = (
    "{source: fiscaldata, endpoint: v1/accounting/dts/operating_cash_balance, rows: ["
    "{where: {account_type: Treasury General Account (TGA) Closing Balance}, "
    "value: open_today_bal}, "
    "{where: {account_type: Treasury General Account (TGA)}, value: close_today_bal}, "
    "{where: {account_type: Federal Reserve Account}, value: close_today_bal}]}"
)


@pytest.mark.parametrize("page", [10000, 3])
def test_fiscal_data_tga_joins_the_old_and_new_row_forms_across_pages(project, env, page):
    with FakeFiscalData() as fake:
        fake.max_page = page
        add_series(project, entry("TGA_DAILY", TGA_FETCH))
        run = run_update(project, {**env, "FISCALDATA_API_ROOT": fake.root}, "--only", "TGA_DAILY")
        assert run.returncode == 0, run.output
        # 2021-09-29/30: "Federal Reserve Account", close_today_bal; from 2021-10-01: the
        # "Closing Balance" row's open_today_bal (never the Opening Balance row's 215131).
        assert data_files(project)["series/fiscaldata/TGA_DAILY.csv"] == (
            b"date,value\n2021-09-29,201010\n2021-09-30,215131\n2021-10-01,234603\n"
            b"2026-08-24,871181\n2026-08-25,883335\n"
        )
        rows = 4 * 3 + 2 * 2  # three new-form dates of four rows, two old ones of two
        assert len(fake.log) == -(-rows // page)
        assert "filter" not in fake.log[0].query  # a first fetch asks for the whole history
        assert fake.log[0].query["fields"] == (
            "record_date,account_type,open_today_bal,close_today_bal"
        )


def test_defillama_sums_every_peg_and_drops_todays_moving_point(project, env):
    with FakeDefiLlama() as fake:
        add_series(project, entry("STABLES", "{source: defillama}"))
        add_series(project, entry("STABLES_USD", "{source: defillama, peg: peggedUSD}"))
        denv = {**env, "DEFILLAMA_API_ROOT": fake.origin}
        run = run_update(project, denv, "--only", "STABLES", "STABLES_USD")
        assert run.returncode == 0, run.output
        written = data_files(project)
        assert written["series/defillama/STABLES_USD.csv"] == (
            b"date,value\n2026-08-18,281023456789\n2026-08-19,281456789012\n"
            b"2026-08-20,282001234567\n"
        )  # 2026-08-28 (UPDATE_TODAY) is still moving: left out
        every_peg = 281023456789 + EUR  # the euro stablecoins' 250 m added by hand
        assert written["series/defillama/STABLES.csv"].startswith(
            f"date,value\n2026-08-18,{every_peg:.0f}\n".encode()
        )
        assert {entry.path for entry in fake.log} == {"/stablecoincharts/all"}


def test_nyfed_sofr_percentile_repo_and_reverse_repo(project, env, servers):
    nyfed = servers.nyfed
    nyfed.rates["sofr"] = [["2026-08-24", "4.31"], ["2026-08-25", "4.33"]]
    nyfed.rp["repo"] = [
        rp_operation("2026-08-24", "Repo", 0, 1),
        rp_operation("2026-08-25", "Repo", 5_250_000_000, 2),
        rp_operation("2026-08-25", "Repo", 1_000_000_000, 3),
        rp_operation("2026-08-25", "Repo", 1_000_000, 4, note="Small value exercise"),
    ]
    nyfed.rp["reverserepo"] = [rp_operation("2026-08-25", "Reverse Repo", 24_867_000_000, 5)]
    add_series(
        project, entry("SOFR_P99", "{source: nyfed, dataset: sofr, field: percentPercentile99}")
    )
    add_series(project, entry("SRF_TAKEN", "{source: nyfed, dataset: repo}"))
    add_series(project, entry("ONRRP", "{source: nyfed, dataset: reverse-repo}"))
    run = run_update(project, env, "--only", "SOFR_P99", "SRF_TAKEN", "ONRRP")
    assert run.returncode == 0, run.output
    written = data_files(project)
    assert written["series/nyfed/SOFR_P99.csv"] == b"date,value\n2026-08-24,4.39\n2026-08-25,4.41\n"
    # 5.25 + 1.0 bn accepted on the 25th (the 1 m small value exercise left out); 0 on the 24th.
    assert written["series/nyfed/SRF_TAKEN.csv"] == b"date,value\n2026-08-24,0\n2026-08-25,6.25\n"
    assert written["series/nyfed/ONRRP.csv"] == b"date,value\n2026-08-25,24.867\n"
    paths = {entry.path for entry in nyfed.log}
    assert paths == {
        "/api/rates/secured/sofr/search.json",
        "/api/rp/repo/all/results/search.json",
        "/api/rp/reverserepo/all/results/search.json",
    }


# The four series the snapshot once kept by hand, now fetched from their real sources: the
# request each makes, and the fake's reply built from the stored rows in the source's wire form.
MOVED = [
    ("STABLECOINS_TOTAL_USD", "defillama", "/stablecoincharts/all"),
    ("MSPD_BILLS", "fiscaldata", "/services/api/fiscal_service/v1/debt/mspd/mspd_table_1"),
    ("SRF_USAGE", "nyfed", "/api/rp/repo/all/results/search.json"),
    (
        "TGA_DTS",
        "fiscaldata",
        "/services/api/fiscal_service/v1/accounting/dts/operating_cash_balance",
    ),
]


@pytest.mark.parametrize(("series", "source", "path"), MOVED)
def test_a_series_once_kept_by_hand_fetches_its_stored_rows_back_from_its_source(
    project, servers, env, series, source, path
):
    stored = series_bytes(project, source, series)
    assert manifest(project)[series]["source"] == source
    # A fresh clone's first fetch: the whole history, byte for byte what the snapshot holds.
    (project / "data" / "series" / source / f"{series}.csv").unlink()
    run = run_update(project, env, "--only", series)
    assert run.returncode == 0, run.output
    assert series_bytes(project, source, series) == stored
    fake = getattr(servers, source)
    assert {entry.path for entry in fake.log} == {path}
    # The nightly run over the stored file: the window asked for again, nothing changed.
    before = data_files(project)
    asked = len(fake.log)
    again = run_update(project, env, "--only", series)
    assert again.returncode == 0, again.output
    assert data_files(project) == before
    assert len(fake.log) > asked


def test_a_manual_series_is_never_fetched_and_check_says_when_it_is_overdue(project, env):
    add_series(
        project,
        entry("PBOC_ASSETS", "{source: manual, every: 1m, lag: 45d, how: the PBoC's website}"),
    )
    folder = project / "data" / "series" / "manual"
    folder.mkdir(exist_ok=True)
    (folder / "PBOC_ASSETS.csv").write_bytes(b"date,value\n2026-05-01,440000\n2026-06-01,445000\n")
    before = data_files(project)
    run = run_update(project, env, "--only", "PBOC_ASSETS", "SOFR")
    assert run.returncode == 0, run.output
    assert "PBOC_ASSETS" not in run.output
    assert (
        data_files(project)["series/manual/PBOC_ASSETS.csv"]
        == before["series/manual/PBOC_ASSETS.csv"]
    )
    assert "PBOC_ASSETS" not in manifest(project)
    (project / "events.yml").write_bytes((FIXTURE / "events.yml").read_bytes())
    # 2026-06-01 + 1 month = 07-01; + 45 days (30 left in July, 15 in August) = 2026-08-15.
    checked = run_update(project, env, command_name="check")
    assert (
        "note: series 'PBOC_ASSETS' is updated by hand and overdue: the observation after "
        "2026-06-01 was due by 2026-08-15; add it to data/series/manual/PBOC_ASSETS.csv "
        "(from the PBoC's website)"
    ) in checked.stderr
    early = run_update(project, {**env, "UPDATE_TODAY": "2026-08-10"}, command_name="check")
    assert "'PBOC_ASSETS' is updated by hand; its next observation is due by 2026-08-15" in (
        early.stderr
    )


def test_hosts_are_fetched_at_once_and_each_keeps_its_own_pace(project, env):
    """The SDMX fake holds its first reply until the CSV fake has been asked: fetched one
    host after another, the CSV request would never come in time. Two series on the SDMX
    host are still a whole SDMX_MIN_INTERVAL apart."""
    with FakeSdmx() as sdmx, FakeCsv() as files:
        files.rows["VENDOR"] = [["2026-08-24", "101.5"]]
        overlapped = threading.Event()
        original = sdmx.route

        def held(path: str, query: dict[str, str]):
            if len(sdmx.log) == 1:  # the first SDMX request waits for the CSV one
                for _ in range(200):
                    if files.log:
                        overlapped.set()
                        break
                    threading.Event().wait(0.025)
            return original(path, query)

        sdmx.route = held  # type: ignore[method-assign]
        for name in ("ILM_A", "ILM_B"):
            add_series(
                project,
                entry(
                    name,
                    f"{{source: sdmx, root: {sdmx.root}, flow: ILM, key: W.U2.C.T000000.Z5.Z01}}",
                ),
            )
        add_series(
            project,
            entry(
                "VENDOR",
                f"{{source: csv, url: {files.url('VENDOR')}, date_column: Date, "
                "value_column: Close}",
            ),
        )
        run = run_update(
            project, {**env, "SDMX_MIN_INTERVAL": "0.5"}, "--only", "ILM_A", "ILM_B", "VENDOR"
        )
        assert run.returncode == 0, run.output
        assert overlapped.is_set()
        assert len(sdmx.log) == 2 and sdmx.log[1].at - sdmx.log[0].at >= 0.45
        lines = [line.split(":")[0] for line in run.stderr.splitlines() if line.startswith("[")]
        assert sorted(lines) == ["[1/3] ILM_A", "[2/3] ILM_B", "[3/3] VENDOR"]
        summary = [line.split()[0] for line in run.stdout.splitlines()[1:4]]
        assert summary == ["ILM_A", "ILM_B", "VENDOR"]  # catalogue order, whatever finished first


def test_run_by_host_keeps_catalogue_order_and_stops_at_the_first_error():
    config = load_config(FIXTURE / "indicators.yml")
    selected = list(config.series)
    seen: list[str] = []
    results = plan.run_by_host(config, selected, lambda s: s.lower(), lambda s, r: seen.append(s))
    assert results == [s.lower() for s in selected] and sorted(seen) == sorted(selected)
    fred = [s for s in selected if config.series[s].source == "fred"]

    def work(series_id: str) -> str:
        if series_id == fred[1]:
            raise RuntimeError("key refused")
        return series_id

    started: list[str] = []
    with pytest.raises(RuntimeError, match="key refused"):
        plan.run_by_host(config, selected, work, lambda s, r: started.append(s))
    assert fred[0] in started and not set(fred[2:]) & set(started)


def test_every_source_models_example_validates_and_names_a_module():
    from generator.catalogue.sources import SOURCE_MODELS
    from generator.fetch import sources

    for name, model in SOURCE_MODELS.items():
        example = model.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
        assert model.model_validate(example).source == name
        assert sources.module(name).host(model.model_validate(example))
    assert json.loads(json.dumps(list(SOURCE_MODELS))) == list(SOURCE_MODELS)


# How the series of ../shared/data/raw/ (issue 22) are described, for the catalogue that adds
# them: each must validate, resolve to its source and land in the folder named here.
ISSUE_22_SERIES = """
PBOC_TOTAL_ASSETS:
  fetch: {source: manual, every: 1m, lag: 45d, how: "PBoC, Monetary Authority balance sheet"}
CN_M2: {fetch: {source: manual, every: 1m, lag: 20d, how: "PBoC, Money Supply"}}
STABLECOINS_TOTAL_USD: {fetch: {source: defillama, peg: peggedUSD}}
MSPD_BILLS:
  fetch:
    source: fiscaldata
    endpoint: v1/debt/mspd/mspd_table_1
    rows:
      - where: {security_type_desc: Marketable, security_class_desc: Bills}
        value: debt_held_public_mil_amt
SRF_USAGE: {fetch: {source: nyfed, dataset: repo}}
SOFR99: {source: fred}
TGA_DTS:
  fetch:
    source: fiscaldata
    endpoint: v1/accounting/dts/operating_cash_balance
    rows:
      - where: {account_type: Treasury General Account (TGA) Closing Balance}
        value: open_today_bal
      - where: {account_type: Treasury General Account (TGA)}
        value: close_today_bal
      - where: {account_type: Federal Reserve Account}
        value: close_today_bal
ECBASSETSW: {source: fred}
ECB_ILM_TOTAL: {fetch: {source: sdmx, agency: ECB, flow: ILM, key: W.U2.C.T000000.Z5.Z01}}
JPNASSETS: {source: fred}
BOJ_TOTAL_ASSETS: {fetch: {source: boj, db: BS01, code: MABJMTA, frequency: monthly}}
DEXUSEU: {source: fred}
"""
FOLDERS = {
    "PBOC_TOTAL_ASSETS": "manual",
    "CN_M2": "manual",
    "STABLECOINS_TOTAL_USD": "defillama",
    "MSPD_BILLS": "fiscaldata",
    "SRF_USAGE": "nyfed",
    "SOFR99": "fred",
    "TGA_DTS": "fiscaldata",
    "ECBASSETSW": "fred",
    "ECB_ILM_TOTAL": "sdmx",
    "JPNASSETS": "fred",
    "BOJ_TOTAL_ASSETS": "boj",
    "DEXUSEU": "fred",
}


def test_the_issue_22_raw_series_can_each_be_described():

    from generator.catalogue.models import SeriesConfig

    common = {"title": "t", "units": "u", "owner": "o", "frequency": "f"}
    for series_id, block in load_yaml(ISSUE_22_SERIES).items():
        spec = SeriesConfig.model_validate({**common, **block})
        assert spec.source == FOLDERS[series_id], series_id
        assert spec.fetcher(series_id).source == spec.source
