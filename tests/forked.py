"""``python -m generator ...`` as a process of its own, without paying its imports each time.

A fresh interpreter spends 1.5-3 s of CPU importing pandas, scipy, statsmodels and altair
before a command does any work, and the suite runs about 150 commands (builds, checks,
reports, updates against the fakes): minutes of a 2-core machine. Here each command runs in a
child forked from a multiprocessing fork server that imported the generator once per test
worker, so it still is a separate process, as the tests need: its own environment, working
folder, exit code and output, locks another process holds, a SIGKILL that ends only it, and
nothing left behind in the test's process. What it shares with its siblings is the state of
the freshly imported modules, and the interpreter's hash seed: a test of builds being
byte-identical across processes runs the second one with ``fresh=True`` (a new interpreter).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from multiprocessing.context import ForkServerContext
from pathlib import Path

from tests import live_guard

# What the commands import, loaded once in the fork server (each import costs seconds).
PRELOAD = [
    "generator.cli",
    "generator.build",
    "generator.check",
    "generator.explain",
    "generator.fetch.update",
    "generator.fetch.due",
    "generator.publish.report",
    # ``mkdocs build`` (conftest.run_mkdocs): about 1 s of its 2-3 s is importing these
    "mkdocs.__main__",
    "mkdocs.commands.build",
    "material.plugins.blog.plugin",
    "material.plugins.search.plugin",
    "pymdownx.snippets",
    # last: a first load of the frozen catalogue, whose caches every command then inherits
    "tests.forked_warm",
]

# ``python -m mkdocs ARGV`` for ``run(..., script=MKDOCS)``: the click command exits with
# its code, as the module run as a program does.
MKDOCS = "import sys\nfrom mkdocs.__main__ import cli\ncli(sys.argv[1:], prog_name='mkdocs')\n"

_context: ForkServerContext | None = None

# The fork server imports this module first: it and every command forked from it are watched
# for a read of the live files, as the test workers are.
live_guard.install()


def _forkserver() -> ForkServerContext:
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, *PRELOAD])
        _context = context
    return _context


def run(
    argv: list[str],
    env: Mapping[str, str],
    cwd: Path,
    timeout: float,
    script: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m generator ARGV`` (or ``python -c SCRIPT ARGV``) in a forked child with
    exactly ``env`` and ``cwd``; its exit code (negative for a signal, as ``subprocess``
    reports it) and the text it wrote to stdout and stderr."""
    (done,) = run_together([argv], env, cwd, timeout, script)
    return done


def run_together(
    argvs: list[list[str]],
    env: Mapping[str, str],
    cwd: Path,
    timeout: float,
    script: str | None = None,
) -> list[subprocess.CompletedProcess[str]]:
    """Each of ``argvs`` as ``run`` runs it, all started before any is waited for: processes
    running at the same time (two builds racing for the data lock), each forked in a few
    milliseconds rather than a new interpreter each importing for seconds, so they overlap
    from their first line."""
    name = "mkdocs" if script == MKDOCS else "generator"
    with tempfile.TemporaryDirectory(prefix="lw-run-") as folder:
        started = []
        for number, argv in enumerate(argvs):
            out, err = Path(folder) / f"{number}.stdout", Path(folder) / f"{number}.stderr"
            child = _forkserver().Process(
                target=_child, args=(argv, dict(env), str(cwd), str(out), str(err), script)
            )
            child.start()
            started.append((argv, child, out, err))
        deadline = time.monotonic() + timeout
        for _, child, _, _ in started:
            child.join(max(0.0, deadline - time.monotonic()))
        late = [argv for argv, child, _, _ in started if child.exitcode is None]
        for _, child, _, _ in started:
            if child.exitcode is None:
                child.kill()
                child.join()
        if late:
            raise subprocess.TimeoutExpired([name, *late[0]], timeout)
        return [
            subprocess.CompletedProcess(
                [name, *argv],
                child.exitcode,
                out.read_text(encoding="utf-8"),
                err.read_text(encoding="utf-8"),
            )
            for argv, child, out, err in started
        ]


def _child(
    argv: list[str], env: dict[str, str], cwd: str, out: str, err: str, script: str | None
) -> None:
    """In the child: the environment, folder and streams a subprocess would have, then the
    command. ``sys.exit`` sets the exit code; an uncaught exception prints its traceback to
    stderr and exits 1 (multiprocessing does both as the interpreter would).

    What the server imported is set aside from the garbage collector first (``gc.freeze``):
    a full collection would walk each of its objects and write to it, so every page of the
    server's memory would be copied into the child. Half the page faults of a ``check``
    (24,000 to 13,000) and about a seventh of its CPU (0.76 to 0.64 s)."""
    gc.freeze()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    for fd, path in ((1, out), (2, err)):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(handle, fd)
        os.close(handle)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # open until the child exits
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
    if script is not None:
        sys.argv = ["-c", *argv]
        exec(compile(script, "<string>", "exec"), {"__name__": "__main__"})
        return
    sys.argv = [sys.executable, *argv]
    from generator.cli import main

    sys.exit(main(argv))
