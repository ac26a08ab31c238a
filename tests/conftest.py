"""Shared fixtures: the real project, a throw-away copy of it, and golden-file comparison."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
# What the tests read instead of the live indicators.yml, events.yml and data/: a frozen copy
# (tools/freeze_fixtures.py, `make fixtures`), so a nightly row or a fork's edit of the live
# files never moves a test or a golden file. The live files are checked by `make check`.
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "project"
FROZEN = ("indicators.yml", "events.yml", "data")
# What a build needs; generated output (site/indicators, public/...) is left behind on purpose.
PROJECT_FILES = (
    "indicators.yml",
    "events.yml",
    "mkdocs.yml",
    "templates",
    "data",
    "site",
    "overrides",
)
GENERATED = (
    "site/index.md",
    "site/data-status.md",
    "site/revisions.md",
    "site/indicators",
    "site/charts",
    "site/data",
    "site/api",
    "site/snippets",
    "site/downloads",
    "site/embed",
    "site/feed_rss_created.xml",
    "site/feed_rss_updated.xml",
    "site/feed_json_created.json",
    "site/feed_json_updated.json",
    "site/feed_rss_alerts.xml",
    "site/feed_rss_alerts_updated.xml",
    "site/feed_json_alerts.json",
    "site/feed_json_alerts_updated.json",
)


# One build cache (chart specs and pictures, keyed by everything they are drawn from) shared by
# every project copy of a test run, xdist workers included: a copy's first build would otherwise
# draw all ~30 charts in four variants again (most of a build's time). Made once per run, so a
# change to the drawing code is never hidden by a picture cached by an earlier run.
CACHE_VARIABLE = "LW_TEST_BUILD_CACHE"


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get(CACHE_VARIABLE):
        os.environ[CACHE_VARIABLE] = tempfile.mkdtemp(prefix="lw-test-cache-")


def copy_project(target: Path) -> Path:
    """A private copy of the project that tests may break without touching the real one: the
    frozen configuration and data (``FIXTURE``), the templates, pages and overrides of the tree,
    and the run's shared build cache (``CACHE_VARIABLE``)."""
    target.mkdir(parents=True, exist_ok=True)
    shared = Path(os.environ[CACHE_VARIABLE])
    for kind in ("specs", "pictures"):
        (shared / kind).mkdir(parents=True, exist_ok=True)
        link = target / ".cache" / kind
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.exists():
            link.symlink_to(shared / kind, target_is_directory=True)
    for name in PROJECT_FILES:
        source = (FIXTURE if name in FROZEN else ROOT) / name
        if not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    for name in GENERATED:
        path = target / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    return target


def private_cache(root: Path) -> Path:
    """Give a project copy its own empty build cache (a test of drawing itself, such as the
    rebuild being byte-identical, must draw rather than read the run's shared pictures)."""
    shutil.rmtree(root / ".cache", ignore_errors=True)  # unlinks the links, keeps their targets
    return root


def run_generator(
    root: Path, *args: str, check: bool = True, env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"generator {args} failed:\n{result.stdout}\n{result.stderr}")
    return result


def run_mkdocs(root: Path, check: bool = True) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` into ``root/public``, then the post-build step ``make site``
    runs (``generator csp``: each page's Content-Security-Policy), so tests see the site as
    published. With ``check=False`` a failed build is returned, not raised, and the step skipped.
    """
    # PYTHONPATH names this tree, so nothing MkDocs loads can pick up the code the shared
    # .venv's editable install points at.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}")
    if result.returncode == 0:
        from generator.publish import csp

        csp.write_site(root / "public")
    return result


def assert_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/<name>; `make golden` rewrites the files for review."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual)
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing: run `make golden` and review the diff")
    expected = path.read_text()
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), str(path), "actual", n=2
            )
        )
        pytest.fail(
            f"{name} differs from its golden file (run `make golden` if intended):\n{diff[:6000]}"
        )


BUILT_NOW = "2026-08-27T12:00:00Z"  # a Thursday: the H.4.1 is due at 16:30 ET


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real snapshot built end to end (generator + mkdocs --strict) in a private copy."""
    root = copy_project(tmp_path_factory.mktemp("project"))
    # the release calendar is as of "now": pinned, so the home page's panel is a golden too
    run_generator(root, "build", env_extra={"UPDATE_NOW": BUILT_NOW})
    run_mkdocs(root)
    return root


# -- a project copy with fake sources on 127.0.0.1 (tests of update and the sources) ---------
# Shared by test_sources, test_update, test_hostile_sources and test_hostile_runs; a module that
# needs another kind of project (test_report, test_feeds, test_fork) defines its own `project`.


@pytest.fixture
def project(tmp_path: Path) -> Path:
    from tests.fakes.harness import make_project

    return make_project(tmp_path)


@pytest.fixture
def servers(project: Path):
    from tests.fakes.harness import start_servers

    running = start_servers(project)
    yield running
    running.stop()


@pytest.fixture
def env(servers) -> dict:
    from tests.fakes.harness import environment

    return environment(servers)
