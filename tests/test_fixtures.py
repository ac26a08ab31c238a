"""The suite reads a frozen copy of the configuration and data (``tests/fixtures/project``),
so neither a nightly update nor a fork's edit of the live files can break it (issue 20: one
weekly WALCL row changed 44 lines of the home golden; adding an indicator failed 44 tests).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from generator.snapshot.store import Store
from generator.snapshot.vintages import Revision, revisions_to_csv
from tests.conftest import FIXTURE, ROOT, RUN_VARIABLE
from tests.test_fork import add_indicator_block, edit, example


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


def copy_repository(target: Path) -> Path:
    """The working tree without installs, caches and generated output."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "public", ".cache", "__pycache__", ".pytest_cache"
    )
    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)
    # the chart libraries the build copies into the site (installed once, by `npm ci`)
    (target / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return target


def build_inputs(root: Path, target: Path) -> dict[str, bytes]:
    """Every byte ``built_project`` in the repository at ``root`` builds from: the project copy
    made by that repository's own ``copy_project`` (tests/conftest.py), and the code that
    builds it (the generator, the conftest and the fork server that run it)."""
    spec = importlib.util.spec_from_file_location(
        f"conftest_of_{target.name}", root / "tests" / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.copy_project(target)
    project = {
        f"project/{p.relative_to(target).as_posix()}": p.read_bytes()
        for p in sorted(target.rglob("*"))
        if p.is_file() and ".cache" not in p.relative_to(target).parts  # the shared pictures
    }
    tests = [root / "tests" / "conftest.py", root / "tests" / "forked.py"]
    code = [*sorted((root / "generator").rglob("*.py")), *tests]
    return project | {p.relative_to(root).as_posix(): p.read_bytes() for p in code}


def run_folder(copy: Path, built_project: Path, folder: Path) -> Path:
    """The run folder for the nested pytest: its ``built_project`` is this run's own when the
    copy builds it from the same bytes (so the live edits did not reach it) — the same inputs
    and code give the same site (tests/test_build.py: a rebuild is byte-identical), so
    building it again would only repeat a 20-second build. Otherwise the folder is empty and
    the nested run builds its own from the copy, as it always did."""
    folder.mkdir()
    here = build_inputs(ROOT, folder / "inputs-here")
    there = build_inputs(copy, folder / "inputs-there")
    if here == there:
        (folder / "built_project").symlink_to(built_project, target_is_directory=True)
        (folder / "built_project.done").touch()
    for name in ("inputs-here", "inputs-there"):
        shutil.rmtree(folder / name)
    return folder


def test_a_row_in_the_live_data_and_an_indicator_in_the_live_config_break_no_test(
    tmp_path: Path, built_project: Path
):
    """In a copy of the repository, the nightly's row goes into the live ``data/`` and the
    Fork page's new series, new indicator and changed threshold into the live
    ``indicators.yml``; the tests that were pinned to the live files (the claims' figures,
    the 39 ``check`` goldens with their line numbers, the indicator ids) still pass there.
    Their ``built_project`` is this run's when the copy would build it from the same bytes
    (``run_folder``)."""
    copy = copy_repository(tmp_path / "repo")
    nightly(copy)
    add_indicator_block(copy, example("add-indicator"))
    edit(copy, "\nindicators:", "\n" + example("add-series").rstrip("\n") + "\n\nindicators:")
    threshold = example("threshold")
    edit(copy, "      - when: mean_20d > 0 or days_above >= 10", threshold.split("#")[0].rstrip())
    assert "yield-curve" in (copy / "indicators.yml").read_text()
    env = {**os.environ, "PYTHONPATH": str(copy)}
    env[RUN_VARIABLE] = str(run_folder(copy, built_project, tmp_path / "run"))
    tests = [
        "tests/test_config.py",
        "tests/test_check.py",
        "tests/test_claims.py",
        "tests/test_freshness.py",
        "tests/test_store.py",
    ]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
    # The frozen copy is what they read: untouched by the live edits.
    frozen = (copy / "tests/fixtures/project/indicators.yml").read_text()
    assert "yield-curve" not in frozen
    assert (copy / "tests/fixtures/project/data/series/fred/WALCL.csv").read_bytes() == (
        FIXTURE / "data/series/fred/WALCL.csv"
    ).read_bytes()


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
