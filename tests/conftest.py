"""Shared fixtures: the real project, a throw-away copy of it, and golden-file comparison."""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import fnmatch
import functools
import gc
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import live_guard

ROOT = live_guard.ROOT
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
# What `generator build` writes into site/: the site/ lines of .gitignore (their one home). A
# project copy never takes them from the working tree, so it starts as a fresh clone's copy
# does, whether or not `make site` ran here (copying the 7 MB they weigh cost 0.2 s a copy).
GENERATED = tuple(
    line.rstrip("/")
    for line in (ROOT / ".gitignore").read_text().splitlines()
    if line.startswith("site/")
)


def _not_copied(folder: str, names: list[str]) -> set[str]:
    """``shutil.copytree``'s ignore: bytecode caches, and under site/ the generated files."""
    skipped = {name for name in names if name == "__pycache__"}
    if Path(folder).is_relative_to(ROOT / "site"):
        relative = Path(folder).relative_to(ROOT).as_posix()
        skipped |= {
            name
            for name in names
            if any(fnmatch.fnmatch(f"{relative}/{name}", pattern) for pattern in GENERATED)
        }
    return skipped


# One build cache (chart specs and pictures, keyed by everything they are drawn from) shared by
# every project copy of a test run, xdist workers included: a copy's first build would otherwise
# draw all ~30 charts in four variants again (most of a build's time). Made once per run, so a
# change to the drawing code is never hidden by a picture cached by an earlier run.
CACHE_VARIABLE = "LW_TEST_BUILD_CACHE"
# One folder per test run, made by the process that starts the run (pytest itself, or xdist's
# controller before its workers start, which inherit the variable): the site every worker's
# `built_project` shares lives there, so it is never one an earlier run built.
RUN_VARIABLE = live_guard.RUN_VARIABLE
_MADE: list[str] = []  # the folders this process made, removed when its run ends


_EARLY: list[subprocess.Popen[bytes]] = []  # the shared site's build, started before the workers


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: its controller made both folders
        return
    if not os.environ.get(CACHE_VARIABLE):
        os.environ[CACHE_VARIABLE] = tempfile.mkdtemp(prefix="lw-test-cache-")
        _MADE.append(os.environ[CACHE_VARIABLE])
    if not os.environ.get(RUN_VARIABLE):  # else handed one by a pytest that runs this one
        os.environ[RUN_VARIABLE] = tempfile.mkdtemp(prefix="lw-test-run-")
        _MADE.append(os.environ[RUN_VARIABLE])
    # The whole suite on xdist workers (`make test`): build the site the browser and build
    # tests share now, beside the workers' first tests, rather than in the first worker that
    # asks while the others wait. It takes the same lock as `built_project`; if it fails, the
    # first worker to ask builds again and reports the error.
    whole = config.args_source == pytest.Config.ArgsSource.TESTPATHS
    if whole and getattr(config.option, "numprocesses", None):
        _EARLY.append(
            subprocess.Popen(
                [sys.executable, "-c", "from tests.conftest import build_shared; build_shared()"],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: ended with what it started
            )
        )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--dist loadgroup`` on pytest 9: pytest-xdist 3.8 names each ``xdist_group`` by
    appending ``@group`` to ``item._nodeid``, which pytest 9 no longer reads (the id is
    ``item._id``), so every group was silently scattered over the workers and a module-scoped
    fixture was made in each. Done here again, where it did not take."""
    if not (hasattr(config, "workerinput") and config.getvalue("loadgroup")):
        return
    from _pytest.nodeid import NodeId  # pytest 9's id; earlier pytests never get here

    for item in items:
        names = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        if names and "@" not in item.nodeid and hasattr(item, "_id"):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")


live_guard.install()  # a test that reads the live indicators.yml, events.yml or data/ fails


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test marked ``reads_live`` checks the live repository itself (its documents, all
    of them): it may read the live files, which it is about."""
    if item.get_closest_marker("reads_live") is None:
        return (yield)
    with live_guard.reading_live():
        return (yield)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive once the tests are collected (pandas, scipy, Altair, Playwright, MkDocs and
    the collected items: about 200,000 objects) lives for the whole run: set aside from the
    garbage collector (``gc.freeze``), so each full collection no longer walks all of it again.
    The workers' in-process tests spent a seventh of their CPU in collections (10.1 s of 68.6
    for five modules; 3.3 s with the freeze, 59.9 s in all)."""
    gc.freeze()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The run fails when any of its processes read a live file, even where the test caught
    the error the read raised (``tests/live_guard.py``)."""
    if hasattr(session.config, "workerinput") or not os.environ.get(RUN_VARIABLE):
        return
    reads = live_guard.recorded(Path(os.environ[RUN_VARIABLE]))
    if reads:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("tests read the live files:\n" + "\n".join(reads), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    for early in _EARLY:  # done long before, unless the run ended early
        with contextlib.suppress(ProcessLookupError):
            os.killpg(early.pid, signal.SIGKILL)
        early.wait()
    while _MADE:
        shutil.rmtree(_MADE.pop(), ignore_errors=True)


@contextlib.contextmanager
def run_lock(name: str) -> Iterator[Path]:
    """Hold an exclusive lock shared by every worker of this run; yields the run's folder."""
    folder = Path(os.environ[RUN_VARIABLE])
    with open(folder / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        yield folder


def load_yaml(text: str | bytes) -> Any:
    """``yaml.safe_load(text)`` with the generator's loader (libyaml's parser where PyYAML has
    it): the same data at a sixth of the CPU for the 84 KB catalogue (19 against 112 ms), which
    tests read and edit some 300 times a run."""
    from generator.catalogue.yaml_lines import LOADER

    return yaml.load(text, Loader=LOADER)


def copy_project(target: Path) -> Path:
    """A private copy of the project that tests may break without touching the real one: the
    frozen configuration and data (``FIXTURE``), the templates, pages and overrides of the tree,
    and the run's shared build cache (``CACHE_VARIABLE``: chart specs, pictures and compiled
    templates)."""
    target.mkdir(parents=True, exist_ok=True)
    shared = Path(os.environ[CACHE_VARIABLE])
    for kind in ("specs", "pictures", "jinja"):
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
            shutil.copytree(source, target / name, ignore=_not_copied)
        else:
            shutil.copy2(source, target / name)
    seed_nowcast(target)
    return target


def seed_nowcast(target: Path) -> None:
    """Copy the run's nowcast backtest (``publish/nowcast.py`` caches it in ``.cache/nowcast``
    by the bytes of its inputs; about 1 s a build) into a project copy: a copy whose data is
    the frozen snapshot's reads it back instead of computing it again, any other computes its
    own. Copied, not linked as the pictures are: a build deletes the entry it does not use
    ("one night's inputs replace the last's"), which would race between copies. The seed is
    the one ``built_project`` computed in this run (``publish_nowcast``), so it is never one an
    earlier run's code computed."""
    seeds = Path(os.environ[CACHE_VARIABLE]) / "nowcast"
    own = target / ".cache" / "nowcast"
    for seed in seeds.glob("nowcast-*.csv"):
        own.mkdir(parents=True, exist_ok=True)
        shutil.copy2(seed, own / seed.name)


def publish_nowcast(root: Path) -> None:
    """The backtest ``root``'s build cached, offered to every later project copy of the run
    (``seed_nowcast``); written under a temporary name and renamed, so no copy reads half."""
    seeds = Path(os.environ[CACHE_VARIABLE]) / "nowcast"
    seeds.mkdir(parents=True, exist_ok=True)
    for made in (root / ".cache" / "nowcast").glob("nowcast-*.csv"):
        partial = seeds / f".{made.name}.{os.getpid()}.partial"
        shutil.copy2(made, partial)
        os.replace(partial, seeds / made.name)


def private_cache(root: Path) -> Path:
    """Give a project copy its own empty build cache (a test of drawing itself, such as the
    rebuild being byte-identical, must draw rather than read the run's shared pictures)."""
    shutil.rmtree(root / ".cache", ignore_errors=True)  # unlinks the links, keeps their targets
    return root


def run_generator(
    root: Path,
    *args: str,
    check: bool = True,
    env_extra: dict[str, str] | None = None,
    fresh: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``python -m generator --root ROOT ARGS`` in a process of its own, with its exit code,
    stdout and stderr. Forked from a server that imported the generator once (tests/forked.py:
    a new interpreter spends 2-3 s importing before any work); ``fresh=True`` starts a new
    interpreter, for a test that needs one (a hash seed of its own)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    argv = ["--root", str(root), *args]
    if fresh:
        result = subprocess.run(
            [sys.executable, "-m", "generator", *argv],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    else:
        from tests import forked

        result = forked.run(argv, env, root, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"generator {args} failed:\n{result.stdout}\n{result.stderr}")
    return result


def run_mkdocs(root: Path, check: bool = True) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` into ``root/public``, then the post-build step ``make site``
    runs (``generator csp``: each page's Content-Security-Policy), so tests see the site as
    published. With ``check=False`` a failed build is returned, not raised, and the step skipped.
    """
    # PYTHONPATH names this tree, so nothing MkDocs loads can pick up the code the shared
    # .venv's editable install points at. A process of its own forked from the server that
    # imported MkDocs once (tests/forked.py), as ``run_generator``: a new interpreter spent
    # about a second of each build importing it.
    from tests import forked

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    argv = ["build", "--strict", "--quiet"]
    result = forked.run(argv, env, root, timeout=300, script=forked.MKDOCS)
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
def built_project() -> Path:
    """The real snapshot built end to end (generator + mkdocs --strict) in a private copy,
    once per run: every worker reads the same folder (tests read it; none may change it)."""
    return build_shared()


def build_shared() -> Path:
    """``built_project``'s site: built by the first process to ask (the early build of
    ``pytest_configure`` or a worker) while the others wait on the lock, then only read."""
    with run_lock("built_project") as folder:
        root = folder / "built_project"
        done = folder / "built_project.done"
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)  # a worker whose build failed midway
            copy_project(root)
            # the release calendar is as of "now": pinned, so the home page's panel is a golden
            run_generator(root, "build", env_extra={"UPDATE_NOW": BUILT_NOW})
            publish_nowcast(root)
            run_mkdocs(root)
            done.touch()
    return root


# -- the browser tests' site server and browser: one of each per worker ---------------------
# Session-scoped here rather than module-scoped in test_browser.py, so the eight modules that
# drive Chromium launch it once per worker, not once per module.

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


SEARCH_INDEX = "/search/search_index.json"


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves as GitHub Pages does where it matters to a browser test's time: connections kept
    open (a page makes ~17 requests) and ``Cache-Control: max-age=600``, so a context's second
    page takes the stylesheets and bundles from its cache rather than asking again for each.

    With ``search_index`` set, that text is served for ``search/search_index.json`` in place of
    the site's (``serving``)."""

    protocol_version = "HTTP/1.1"

    def __init__(self, *args: Any, search_index: bytes | None = None, **kwargs: Any) -> None:
        self.search_index = search_index
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.search_index is None or self.path.split("?")[0] != SEARCH_INDEX:
            super().do_GET()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.search_index)))
        self.end_headers()
        self.wfile.write(self.search_index)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def unsearchable(folder: Path) -> bytes | None:
    """The site's search index with its settings and no documents, or None if it has none.

    Material's search worker builds the lunr index of every page's text (about 230 documents)
    on each page load: 0.05-0.1 CPU-s a load, about 15 CPU-s of the browser tests, none of
    which searches. The tests that do (test_browser's and test_hostile_text's search tests)
    are served the site's own index (``serving(..., search=True)``)."""
    path = folder / SEARCH_INDEX.lstrip("/")
    if not path.exists():
        return None
    return json.dumps({"config": json.loads(path.read_bytes())["config"], "docs": []}).encode()


@contextlib.contextmanager
def serving(folder: Path, search: bool = False) -> Iterator[str]:
    """``folder`` served on 127.0.0.1 (a free port) while the block runs; yields its URL.
    Its search index is served without documents unless ``search`` (``unsearchable``)."""
    index = None if search else unsearchable(folder)
    handler = functools.partial(QuietHandler, directory=str(folder), search_index=index)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def server(built_project: Path) -> Iterator[str]:
    with serving(built_project / "public") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (see .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Nothing leaves 127.0.0.1: every other request goes to a "proxy" that refuses it (a port
    # bound and never listened on). Tests see such a request (PageWatch.foreign) without
    # intercepting each request in Python, which cost a round trip a request and turned the
    # browser's cache off (Playwright disables it while a route is set).
    with socket.socket() as refuser, sync_playwright() as playwright:
        refuser.bind(("127.0.0.1", 0))
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            proxy={"server": f"http://127.0.0.1:{refuser.getsockname()[1]}", "bypass": "127.0.0.1"},
        )
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def tabs(browser: Any) -> Iterator[Any]:
    """The worker's shared tabs (tests/pages.Tabs): a test opens one at its size and scheme
    rather than a context of its own."""
    from tests.pages import Tabs

    kept = Tabs(browser)
    yield kept
    kept.close()


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
