"""The suite reads a frozen copy of the configuration and data (``tests/fixtures/project``),
so neither a nightly update nor a fork's edit of the live files can break it (issue 20: one
weekly WALCL row changed 44 lines of the home golden; adding an indicator failed 44 tests).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from generator.snapshot.store import Store
from generator.snapshot.vintages import Revision, revisions_to_csv
from tests import live_guard
from tests.conftest import FIXTURE, ROOT, RUN_VARIABLE, copy_project, run_generator


def _freezer():
    spec = importlib.util.spec_from_file_location("freeze", ROOT / "tools" / "freeze_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fixture_files() -> dict[str, bytes]:
    return {
        p.relative_to(FIXTURE).as_posix(): p.read_bytes()
        for p in sorted(FIXTURE.rglob("*"))
        if p.is_file()
    }


def nightly(root: Path) -> None:
    """What a night after the cut-off does to data/: WALCL gains a week and its last stored
    week is revised (the old value kept in its revision file), the manifest refreshed."""
    store = Store(root / "data")
    walcl = store.load("fred", "WALCL")
    old = float(walcl.iloc[-1])
    walcl.iloc[-1] = old + 1000
    walcl[pd.Timestamp("2026-09-09")] = old - 5000
    store.write("fred", "WALCL", walcl)
    last = walcl.index[-2].date()
    row = Revision(last, old, date(2026, 8, 20), date(2026, 9, 10), "rule")
    (root / "data/series/fred/WALCL.revisions.csv").write_bytes(revisions_to_csv([row]))
    store.record("WALCL", fetched_at="2026-09-10T05:00:00Z")
    store.write_manifest()


def test_refreezing_after_nightly_updates_changes_no_fixture_byte(tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    nightly(project)
    assert (project / "data/series/fred/WALCL.csv").read_bytes() != (
        FIXTURE / "data/series/fred/WALCL.csv"
    ).read_bytes()
    assert _freezer().frozen_files(project) == fixture_files()


def test_a_test_that_reads_a_live_file_fails_where_it_reads(tmp_path: Path, monkeypatch):
    """The guard of ``tests/live_guard.py``, in this worker: a read of the live
    ``indicators.yml``, ``events.yml`` or a file under ``data/`` (by any path spelling) raises
    and is recorded for the run's end; the frozen copy and the rest of the tree read freely.
    (This test's reads are recorded in a folder of its own, not the run's.)"""
    monkeypatch.setenv(RUN_VARIABLE, str(tmp_path))
    live = [
        ROOT / "indicators.yml",
        ROOT / "events.yml",
        ROOT / "data/series/fred/WALCL.csv",
        ROOT / "tests/../data/manifest.json",
    ]
    for path in live:
        with pytest.raises(live_guard.LiveRead, match="read the frozen copy instead"):
            path.read_bytes()
    with pytest.raises(live_guard.LiveRead):
        os.listdir(ROOT / "data")
    with pytest.raises(live_guard.LiveRead):
        sorted((ROOT / "data" / "series").glob("*"))
    monkeypatch.chdir(ROOT)
    with pytest.raises(live_guard.LiveRead):
        open("events.yml").close()
    monkeypatch.undo()
    assert (FIXTURE / "indicators.yml").read_bytes() and (ROOT / "mkdocs.yml").read_bytes()
    with live_guard.reading_live():  # a test about the live repository: the read goes on
        live_guard._hook("open", (str(ROOT / "indicators.yml"), "r", 0))  # nothing read here
    lines = live_guard.recorded(tmp_path)
    assert len(lines) == 7 and all(line.startswith(f"pid {os.getpid()}: ") for line in lines)
    assert all("test_a_test_that_reads_a_live_file_fails_where_it_reads read" in x for x in lines)
    assert str(ROOT / "data/series/fred/WALCL.csv") in lines[2]
    assert str(ROOT / "data") in lines[4] and str(ROOT / "events.yml") in lines[6]


def test_a_command_the_suite_forks_is_watched_too(tmp_path: Path, monkeypatch):
    """A generator command forked by the suite (tests/forked.py) that reads the live files, as
    one run on the repository itself would, fails naming the file, and its read is recorded;
    the same command on a copy of the frozen project reads nothing live."""
    monkeypatch.setenv(RUN_VARIABLE, str(tmp_path))  # the child records here, not in the run's
    result = run_generator(ROOT, "check", check=False)
    assert result.returncode != 0
    said = result.stdout + result.stderr
    me = "tests/test_fixtures.py::test_a_command_the_suite_forks_is_watched_too"
    assert re.search(rf"{me} read the live (indicators|events)\.yml", said), said[-2000:]
    lines = live_guard.recorded(tmp_path)
    assert lines and all(f"{me} read the live" in line for line in lines)
    assert not any(line.startswith(f"pid {os.getpid()}: ") for line in lines)  # the child's
    (tmp_path / live_guard.LIVE_RECORD).unlink()
    copy = copy_project(tmp_path / "p")
    assert run_generator(copy, "check", check=False).returncode == 0
    assert live_guard.recorded(tmp_path) == []


LIVE = re.compile(r'ROOT\s*/\s*"(data|indicators\.yml|events\.yml)\b')


def test_no_test_reads_the_live_configuration_or_data():
    """A test that reads ``ROOT / "data"`` or the live ``indicators.yml`` breaks on the next
    nightly row or fork edit: read ``FIXTURE / ...`` (tests/conftest.py) instead."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if LIVE.search(line) and path.name != "test_fixtures.py"
    ]
    assert not found, "read FIXTURE, not the live files:\n" + "\n".join(found)
