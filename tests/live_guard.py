"""No test reads the live ``indicators.yml``, ``events.yml`` or ``data/``: a read of one fails.

The suite reads a frozen copy (``tests/fixtures/project``), so a nightly row or a fork's edit
of the live files moves no test (issue 20). A test that reads a live file anyway (by its path,
or by running the generator on the repository itself) is found where it reads, in every
process the suite runs: each test worker, the early build, the fork server of
``tests/forked.py`` and every command forked from it. An audit hook (PEP 578) sees each
``open``, ``os.listdir`` and ``os.scandir`` of the process; one of a live path raises
:class:`LiveRead` and is written to the run's record (``LIVE_RECORD`` in the run's folder), so a
test that swallowed the error still fails the run (``tests/conftest.py``, at its end).

This replaced a nested pytest that edited the live files in a copy of the repository and ran
five test modules again (30 s of a 2-core machine): the hook watches every test, not five
modules, and costs nothing like it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIVE = ("indicators.yml", "events.yml", "data")
_FILES = frozenset(os.path.join(str(ROOT), name) for name in LIVE[:2])
_FOLDER = os.path.join(str(ROOT), "data")
_EVENTS = frozenset({"open", "os.listdir", "os.scandir"})
RUN_VARIABLE = "LW_TEST_RUN"  # the run's folder (tests/conftest.py makes it)
LIVE_RECORD = "live-reads.txt"
_allowed = 0  # inside ``reading_live()``: a test that copies the repository on purpose
_installed = False


class LiveRead(RuntimeError):
    """A test read a live file it must read from ``tests/fixtures/project`` instead."""


def _name(path: object) -> str | None:
    """The name an event was given (str, bytes or a path-like object); None for a descriptor."""
    if isinstance(path, int) or path is None:
        return None
    try:
        return os.fsdecode(path)  # type: ignore[arg-type]
    except TypeError:
        return None


def live_path(path: object) -> str | None:
    """``path`` as an absolute, normalised name when it is a live file or under ``data/``."""
    name = _name(path)
    if name is None:
        return None
    if not os.path.isabs(name):
        try:
            name = os.path.join(os.getcwd(), name)
        except OSError:  # a working folder since removed: the name is not the live file's
            return None
    name = os.path.normpath(name)
    if name in _FILES or name == _FOLDER or name.startswith(_FOLDER + os.sep):
        return name
    return None


def _hook(event: str, args: tuple[object, ...]) -> None:
    if event not in _EVENTS or _allowed or not args:
        return
    if event == "open" and len(args) > 1 and args[1] is None:
        given = _name(args[0])
        if given is not None and not os.path.isabs(given):
            return  # os.open of a relative name: maybe relative to a dir_fd the event omits
    name = live_path(args[0])
    if name is None:
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "a test").removesuffix(" (call)")
    message = (
        f"{name}: {test} read the live {os.path.relpath(name, ROOT)}; read the frozen copy "
        "instead (tests/conftest.py FIXTURE, copy_project), so a nightly row or a fork's edit "
        "of the live files moves no test; a test about the live repository itself is marked "
        "reads_live"
    )
    _record(message)
    raise LiveRead(message)


def _record(message: str) -> None:
    """Append the read to the run's record (the hook is off meanwhile: the record is not live)."""
    folder = os.environ.get(RUN_VARIABLE)
    if not folder:
        return
    global _allowed
    _allowed += 1
    try:
        with open(os.path.join(folder, LIVE_RECORD), "a", encoding="utf-8") as record:
            record.write(f"pid {os.getpid()}: {message}\n")
    except OSError:
        pass  # the raise still fails the read
    finally:
        _allowed -= 1


def install() -> None:
    """Watch this process (once: an audit hook cannot be removed); its forks inherit it."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


@contextlib.contextmanager
def reading_live() -> Iterator[None]:
    """Allow this block to read the live files: a test that copies the repository itself."""
    global _allowed
    _allowed += 1
    try:
        yield
    finally:
        _allowed -= 1


def recorded(folder: Path) -> list[str]:
    """The live reads the run's processes recorded, in the order they were made."""
    path = folder / LIVE_RECORD
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []
