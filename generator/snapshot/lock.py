"""One lock for every command that writes ``data/`` or reads it to write a post or the site:
``update``, ``accept``, ``report`` and ``build``.

Two updates at once used to lose one run's manifest entry, and one run's clean-up of leftover
temp files deleted the other's file in flight; two reports at once compared against the wrong
earlier post. ``fcntl.flock`` on ``data/.lock`` is released by the kernel when the process ends,
however it ends (SIGKILL included), so a crashed run never leaves a stale lock behind. The file
itself stays (deleting it would let a waiting and a new run lock two different files); it is
git-ignored.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".lock"


class LockHeld(Exception):
    """Another run holds the lock; the message says which file and what to do."""


class WriteError(Exception):
    """``data/`` (or ``site/``) cannot be written: read-only, full, or not ours. The message
    names the path and the system's reason, and says what was left unchanged."""


def describe_os_error(error: OSError) -> str:
    """'no space left on device' rather than '[Errno 28] No space left on device: ...'."""
    reason = error.strerror or errno.errorcode.get(error.errno or 0, "I/O error")
    return reason[:1].lower() + reason[1:]


@contextmanager
def exclusive(data: Path, command: str) -> Iterator[None]:
    """Hold ``data/.lock`` for the duration, or raise LockHeld at once (never wait: a nightly
    job that waits could pile up behind a hung run)."""
    path = Path(data) / LOCK_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise WriteError(
            f"{path}: cannot create the lock file ({describe_os_error(error)}); "
            f"`{command}` needs to write data/"
        ) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(
                f"{path} is held by another `update`, `report` or `build` run; `{command}` did "
                "nothing. "
                "Wait for it to finish and run again"
            ) from None
        yield
    finally:
        os.close(handle)  # closing releases the lock
