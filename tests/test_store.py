"""The snapshot loads, validates, and fails with the file and line named."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from generator.catalogue.load import load_config
from generator.snapshot.store import Store, StoreError, atomic_write_bytes, parse_series_csv
from tests.conftest import FIXTURE


def test_every_configured_series_loads_or_is_declared_optional():
    config = load_config(FIXTURE / "indicators.yml")
    store = Store(FIXTURE / "data")
    for series_id, spec in config.series.items():
        if not store.exists(spec.source, series_id):
            assert spec.optional, f"{series_id} has no file and is not optional"
            continue
        series = store.load(spec.source, series_id)
        assert series.index.is_monotonic_increasing and series.index.is_unique
        assert len(series.dropna()) > 0


def test_manifest_checksums_and_dates_match_the_files():
    store = Store(FIXTURE / "data")
    manifest = json.loads((FIXTURE / "data" / "manifest.json").read_text())["series"]
    # 23 from the first import, WRBWFRBL and WDTGAL (issue 13), WSHOMCB (issue 19), 11 for
    # issue 22 (exchange rates, ECB, BoJ, PBoC, M2, stablecoins, bills, SRF)
    assert len(manifest) == 37
    for series_id, entry in manifest.items():
        path = store.path_for(entry["source"], series_id)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], series_id
        series = store.load(entry["source"], series_id).dropna()
        assert f"{series.index[0]:%Y-%m-%d}" == entry["first"]
        assert f"{series.index[-1]:%Y-%m-%d}" == entry["last"]
        assert entry["status"] in {"fresh", "stale", "unavailable"}


def test_real_values_are_read_exactly():
    store = Store(FIXTURE / "data")
    walcl = store.load("fred", "WALCL")
    assert walcl[pd.Timestamp("2026-08-19")] == 6745699
    rrp = store.load("fred", "RRPONTSYD")
    assert rrp[pd.Timestamp("2026-08-19")] == pytest.approx(0.317)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "x.csv:1: the file is empty"),
        ("day,value\n2020-01-01,1\n", "x.csv:1: expected the header 'date,value'"),
        (
            "date,value\n2020-01-01,1\n2020-13-01,2\n",
            "x.csv:3: '2020-13-01' is not a real calendar date",
        ),
        ("date,value\n2020-01-01,1\n01/02/2020,2\n", "x.csv:3: '01/02/2020' is not an ISO date"),
        ("date,value\n2020-01-02,1\n2020-01-01,2\n", "x.csv:3: date 2020-01-01 comes before"),
        ("date,value\n2020-01-01,1\n2020-01-01,2\n", "x.csv:3: date 2020-01-01 repeats"),
        ("date,value\n2020-01-01,n/a\n", "x.csv:2: value 'n/a' on 2020-01-01 is not a number"),
        ("date,value\n2020-01-01,1,2\n", "x.csv:2: expected 2 fields"),
        ("date,value\n2020-01-01,inf\n", "x.csv:2: value 'inf' on 2020-01-01 is not finite"),
    ],
)
def test_broken_files_name_file_and_line(text: str, message: str):
    with pytest.raises(StoreError) as caught:
        parse_series_csv(text, "x.csv")
    assert str(caught.value).startswith(message)


def test_empty_value_is_missing_not_zero():
    series = parse_series_csv("date,value\n2020-01-01,1.5\n2020-01-02,\n", "x.csv")
    assert series.iloc[0] == 1.5 and math.isnan(series.iloc[1])


def test_broken_snapshot_file_fails_the_build_with_its_path(tmp_path: Path):
    from tests.conftest import copy_project, run_generator

    root = copy_project(tmp_path / "p")
    path = root / "data" / "series" / "fred" / "WALCL.csv"
    lines = path.read_text().splitlines()
    lines[10] = lines[10].split(",")[0] + ",12x"
    path.write_text("\n".join(lines) + "\n")
    result = run_generator(root, "build", check=False)
    assert result.returncode == 2
    assert "data/series/fred/WALCL.csv:11: value '12x'" in result.stderr
    assert "Traceback" not in result.stderr


def test_text_parsed_before_is_not_parsed_again_and_each_caller_gets_its_own_copy(
    monkeypatch,
):
    from generator.snapshot import store

    parsed: list[str] = []
    real = store._parse_valid_fast
    monkeypatch.setattr(store, "_PARSED", {})
    monkeypatch.setattr(store, "_parse_valid_fast", lambda text: parsed.append(text) or real(text))
    text = "date,value\n2020-01-01,1.5\n2020-01-02,2.5\n"
    first = parse_series_csv(text, "a.csv")
    first.iloc[0] = 99.0
    first.name = "A"
    second = parse_series_csv(text, "b.csv")
    assert parsed == [text]
    assert second.tolist() == [1.5, 2.5] and second.name is None
    for bad in ("date,value\n2020-01-02,1\n2020-01-01,2\n", "date,value\nx,1\n"):
        for where in ("one.csv", "two.csv"):  # a text with a problem is named where it is read
            with pytest.raises(StoreError, match=f"^{where}:"):
                parse_series_csv(bad, where)
    for number in range(store.PARSED_KEPT + 5):
        parse_series_csv(f"date,value\n2020-01-01,{number}\n", "c.csv")
    assert len(store._PARSED) == store.PARSED_KEPT


def test_atomic_write_replaces_whole_file(tmp_path: Path):
    target = tmp_path / "a.csv"
    target.write_text("old")
    atomic_write_bytes(target, b"new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_write_round_trips(tmp_path: Path):
    store = Store(tmp_path)
    series = pd.Series(
        [1.0, math.nan, 2.5], index=pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"])
    )
    path = store.write("fred", "X", series)
    assert path.read_text() == "date,value\n2020-01-01,1\n2020-01-02,\n2020-01-03,2.5\n"
    loaded = store.load("fred", "X")
    assert loaded.iloc[2] == 2.5 and math.isnan(loaded.iloc[1])


def test_fast_reader_agrees_with_the_line_by_line_reader():
    from generator.snapshot.store import _parse_line_by_line, _parse_valid_fast

    for path in sorted((FIXTURE / "data" / "series").rglob("*.csv")):
        if path.name.endswith(".revisions.csv"):  # their own format, tests/test_vintages.py
            continue
        text = path.read_text()
        fast = _parse_valid_fast(text)
        assert fast is not None, path.name
        slow = _parse_line_by_line(text, path.name)
        pd.testing.assert_series_equal(fast, slow, check_names=False)


@pytest.mark.parametrize(
    ("manifest", "fragment"),
    [
        (b"[]", 'expected an object {"series": {id: entry, ...}}'),
        (b'{"series": []}', 'expected an object {"series"'),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b'{"series": {"SOFR": {"source": "fred", "rows": "many"}}}', "field 'rows': expected a"),
        (b'{"series": {"SOFR": {"source": "fred", "rows": true}}}', "field 'rows': expected a"),
        (
            b'{"series": {"SOFR": {"source": "fred", "fetched_at": "yesterday"}}}',
            "field 'fetched_at': expected a UTC time YYYY-MM-DDTHH:MM:SSZ, found \"yesterday\"",
        ),
        (b'{"series": {"SOFR": {"source": "fred", "status": "ok"}}}', "field 'status'"),
        (b'{"series": {"SOFR": {"source": 7}}}', "field 'source': expected text"),
    ],
)
def test_a_manifest_of_the_wrong_shape_is_a_store_error(tmp_path, manifest, fragment):
    """Found: `rows: "many"`, `fetched_at: "yesterday"`, a manifest that is `[]` or not UTF-8
    passed `check` and crashed `build` with a traceback."""
    (tmp_path / "manifest.json").write_bytes(manifest)
    with pytest.raises(StoreError) as caught:
        Store(tmp_path).records  # noqa: B018
    assert fragment in str(caught.value)


@pytest.mark.parametrize("day", ["1677-01-01", "2263-01-01", "0001-01-01"])
def test_csv_dates_outside_the_computable_range_name_the_line(day):
    with pytest.raises(StoreError, match=rf"^x.csv:3: date {day} is outside 1678-01-01"):
        parse_series_csv(f"date,value\n1999-01-01,1\n{day},2\n", "x.csv")


# -- paths and secrets (issue 25, class 6) ---------------------------------------------------

SENTINEL_KEY = "sentinelkey7f3a9c2e5b8d1f4a6c0e9b2d"


def run_with_secret(project: Path, *args: str) -> tuple[int, str]:
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT), "FRED_API_KEY": SENTINEL_KEY}
    env["UNRELATED_MARKER"] = "marker-from-the-environment"
    done = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(project), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def run_forked_with_secret(project: Path, *args: str) -> tuple[int, str]:
    """``run_with_secret`` in a child of the fork server (tests/forked.py), without a new
    interpreter's seconds of imports: for a test that needs the key in the command's
    environment, not in the file ``/proc/self/environ`` (which a forked child inherits from
    the fork server, not from the environment it is given)."""
    from tests.conftest import run_generator

    extra = {"FRED_API_KEY": SENTINEL_KEY, "UNRELATED_MARKER": "marker-from-the-environment"}
    done = run_generator(project, *args, check=False, env_extra=extra)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("command", [("check",), ("update", "--only", "SOFR"), ("build",)])
def test_a_series_file_linked_to_the_environment_is_refused_without_echoing_it(
    tmp_path: Path, command: tuple[str, ...]
):
    from tests.conftest import copy_project

    project = copy_project(tmp_path / "full")
    target = project / "data" / "series" / "fred" / "SOFR.csv"
    target.unlink()
    target.symlink_to("/proc/self/environ")
    code, output = run_with_secret(project, *command)
    assert code == 2, output
    assert "data/series/fred/SOFR.csv is a symbolic link; refused" in output
    assert SENTINEL_KEY not in output and "marker-from-the-environment" not in output
    assert "PATH=" not in output


def test_a_series_file_linked_to_a_csv_outside_data_is_not_read(project: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("date,value\n2026-08-20,999999\n")
    target = project / "data" / "series" / "fred" / "SOFR.csv"
    target.unlink()
    target.symlink_to(outside)
    store = Store(project / "data")
    with pytest.raises(StoreError, match="is a symbolic link"):
        store.load("fred", "SOFR")
    linked = project / "data" / "series" / "linked"  # a linked folder too
    linked.symlink_to(tmp_path)
    with pytest.raises(StoreError, match="series/linked is a symbolic link"):
        store.load("linked", "elsewhere")


def test_a_manifest_source_that_climbs_out_of_data_is_refused(project: Path):
    path = project / "data" / "manifest.json"
    payload = json.loads(path.read_text())
    payload["series"]["ELSEWHERE"] = {"source": "../../..", "rows": 1, "sha256": "0" * 64}
    path.write_text(json.dumps(payload))
    code, output = run_forked_with_secret(project, "check")
    assert code == 2
    assert "series 'ELSEWHERE', field 'source': expected a source name" in output
    with pytest.raises(StoreError, match="'..' is refused"):
        Store(project / "data").read_bytes(project / "data" / "series" / ".." / ".." / "x")


def test_every_printed_line_goes_through_redaction(project: Path):
    """A store error that quotes text holding the key (a CSV line) prints it masked: the
    command's output streams redact, whichever module worded the message."""
    path = project / "data" / "series" / "fred" / "SOFR.csv"
    path.write_text(f"date,value\n2026-08-20,{SENTINEL_KEY}\n")
    code, output = run_forked_with_secret(project, "check")
    assert code == 2 and "data/series/fred/SOFR.csv:2" in output, output
    assert SENTINEL_KEY not in output and SENTINEL_KEY[:8] not in output
    assert "***" in output
