"""CPU-seconds of the commands the test suite runs most: ``check``, ``build`` and ``update``.

Why: the suite runs about 200 generator commands, each forked from a server that imported the
generator and read the frozen catalogue and snapshot once (tests/forked.py), so what a command
costs beyond its imports is what the suite pays for it. Each runs in a copy of the frozen
project (tests/fixtures/project) with the run's picture cache warm, ``update`` against the fake
sources on an up-to-date snapshot (no latency, no pacing). CPU is the whole machine's busy time
(/proc/stat) around each command, as in bench/suite_cpu.py, the fake servers' included: run it
on an idle machine. Prints the median of RUNS runs of each.

    .venv/bin/python bench/commands.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.suite_cpu import busy_seconds  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
TODAY = "2026-08-25"  # a day after the frozen snapshot's last rows: nothing new to fetch


def median_cpu(run: Callable[[], object]) -> float:
    run()  # the first: caches made, pages faulted in
    spent = []
    for _ in range(RUNS):
        before = busy_seconds()
        run()
        spent.append(busy_seconds() - before)
    return statistics.median(spent)


def main() -> None:
    # conftest's test-run folders (the shared picture cache) are made for this process
    from tests import conftest
    from tests.fakes.harness import environment, make_project, run_update, start_servers

    os.environ.setdefault(conftest.CACHE_VARIABLE, tempfile.mkdtemp(prefix="bench-cache-"))
    scratch = Path(tempfile.mkdtemp(prefix="bench-commands-"))
    try:
        project = conftest.copy_project(scratch / "project")
        figures = {
            "check": median_cpu(lambda: conftest.run_generator(project, "check")),
            "build (pictures cached)": median_cpu(lambda: conftest.run_generator(project, "build")),
        }
        (scratch / "fakes").mkdir()
        fakes_root = make_project(scratch / "fakes")
        servers = start_servers(fakes_root)
        try:
            env = environment(servers, UPDATE_TODAY=TODAY)

            def update() -> None:
                done = run_update(fakes_root, env)
                if done.returncode != 0:
                    raise SystemExit(f"update failed ({done.returncode}):\n{done.output}")

            figures["update (up to date)"] = median_cpu(update)
        finally:
            servers.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for name, seconds in figures.items():
        print(f"{name:26} {seconds:5.2f} CPU-s (median of {RUNS})")


if __name__ == "__main__":  # the fork server re-imports this file: run only as the program
    main()
