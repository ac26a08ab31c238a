"""Run ``python -m generator update`` in its own process against the fakes, in a private copy.

The copy holds only what ``update`` reads (``indicators.yml`` and ``data/``), so the real
snapshot under the repository is never touched. The environment points every source at its
fake, removes proxies, and shrinks timeouts, backoffs and pacing so a retry costs milliseconds.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from dataclasses import dataclass, fields
from pathlib import Path

from tests.fakes.base import FakeServer
from tests.fakes.crypto_server import FakeCrypto
from tests.fakes.defillama_server import FakeDefiLlama
from tests.fakes.fiscaldata_server import FakeFiscalData
from tests.fakes.fred_server import FakeFred
from tests.fakes.market_server import FakeMarket
from tests.fakes.nyfed_server import FakeNyFed

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "project"  # the frozen copy (tests/conftest.py)
KEY = "0123456789abcdef0123456789abcdef"
TODAY = "2026-08-28"  # UPDATE_TODAY: a few days after the snapshot ends, for stable tests
PREFIXES = ("FRED", "NYFED", "MARKET", "CRYPTO", "SDMX", "BOJ", "FISCALDATA", "DEFILLAMA", "CSV")

# Kills the process with SIGKILL in the middle of the first snapshot write: either after
# half of the temp file is written, or after it is complete but before the rename. Or makes
# every write fail as on a full disk ("disk-full") or every open for writing fail as on a
# read-only file system ("read-only").
KILLER = r"""
import errno, os, signal, sys
mode = os.environ["KILL_MODE"]
real_fdopen, real_replace = os.fdopen, os.replace

class HalfWriter:
    def __init__(self, handle):
        self.handle = handle
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.handle.__exit__(*exc)
    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    def __getattr__(self, name):
        return getattr(self.handle, name)

def fdopen(fd, *args, **kwargs):
    return HalfWriter(real_fdopen(fd, *args, **kwargs))

def replace(src, dst):
    os.kill(os.getpid(), signal.SIGKILL)

class FullDisk(HalfWriter):
    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

real_open = os.open

def read_only_open(path, flags, *args, **kwargs):
    if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
        raise OSError(errno.EROFS, "Read-only file system", str(path))
    return real_open(path, flags, *args, **kwargs)

if mode == "mid-write":
    os.fdopen = fdopen
elif mode == "disk-full":
    os.fdopen = lambda fd, *a, **k: FullDisk(real_fdopen(fd, *a, **k))
elif mode == "read-only":
    os.open = read_only_open
else:
    os.replace = replace
from generator.cli import main
sys.exit(main(sys.argv[1:]))
"""


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Servers:
    fred: FakeFred
    nyfed: FakeNyFed
    market: FakeMarket
    crypto: FakeCrypto
    defillama: FakeDefiLlama
    fiscaldata: FakeFiscalData

    def all(self) -> list[FakeServer]:
        return [getattr(self, field.name) for field in fields(self)]

    def requests(self) -> int:
        return sum(len(server.log) for server in self.all())

    def bytes_sent(self) -> int:
        return sum(server.bytes_sent for server in self.all())

    def stop(self) -> None:
        """Every fake stopped at once: each waits for its serving loop's next poll (20 ms),
        which one after another cost 0.12 s of every test that starts them (250 a run)."""
        stopping = [threading.Thread(target=server.stop) for server in self.all()]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()


def make_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(FIXTURE / "indicators.yml", root / "indicators.yml")
    shutil.copytree(FIXTURE / "data", root / "data")
    return root


def start_servers(project: Path, key: str = KEY) -> Servers:
    data = project / "data"
    servers = Servers(
        FakeFred(data, key),
        FakeNyFed(data),
        FakeMarket(data),
        FakeCrypto(data),
        FakeDefiLlama(data),
        FakeFiscalData(data),
    )
    for server in servers.all():
        server.start()
    return servers


def fred_in_process(servers: Servers, monkeypatch) -> None:
    """What a FRED call made in this process (not through ``run_update``) needs: the fake's
    root and the test key, one attempt, no pacing, and no proxy between it and 127.0.0.1."""
    monkeypatch.setenv("FRED_API_KEY", KEY)
    monkeypatch.setenv("FRED_API_ROOT", servers.fred.root)
    monkeypatch.setenv("FRED_RETRY_ATTEMPTS", "1")
    monkeypatch.setenv("FRED_MIN_INTERVAL", "0")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def environment(servers: Servers, key: str | None = KEY, **overrides: str | None) -> dict:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.lower().endswith("_proxy")
        and not name.startswith(PREFIXES)
        and name != "UPDATE_TODAY"
    }
    env.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    env["PYTHONPATH"] = str(ROOT)
    env["UPDATE_TODAY"] = TODAY
    for server in servers.all():
        env[f"{server.SOURCE.upper()}_API_ROOT"] = server.root
    for prefix in PREFIXES:
        env.update(
            {
                f"{prefix}_RETRY_ATTEMPTS": "3",
                f"{prefix}_RETRY_WAIT": "0.01",
                f"{prefix}_MIN_INTERVAL": "0",
                f"{prefix}_TIMEOUT": "2",
            }
        )
    if key is not None:
        env["FRED_API_KEY"] = key
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_update(
    project: Path,
    env: dict,
    *args: str,
    kill: str | None = None,
    command_name: str = "update",
    timeout: float = 60,
) -> Run:
    from tests import forked  # a process of its own, forked with the generator imported

    command = ["--root", str(project), command_name, *args]
    if kill:
        env = {**env, "KILL_MODE": kill}
    started = time.monotonic()
    done = forked.run(command, env, ROOT, timeout, script=KILLER if kill else None)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def data_files(project: Path) -> dict[str, bytes]:
    """Every file under data/ (temp files included, the lock file not), by relative path."""
    base = project / "data"
    return {
        str(p.relative_to(base)): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def series_bytes(project: Path, source: str, series: str) -> bytes:
    return (project / "data" / "series" / source / f"{series}.csv").read_bytes()


def manifest(project: Path) -> dict:
    return json.loads((project / "data" / "manifest.json").read_text())["series"]


def add_series(project: Path, entry: str) -> None:
    """Insert YAML for extra series (two-space indented) at the end of the series section."""
    path = project / "indicators.yml"
    text = path.read_text()
    head, tail = text.split("\nindicators:", 1)
    path.write_text(head.rstrip("\n") + "\n" + entry.rstrip("\n") + "\n\nindicators:" + tail)


def series_entry(series_id: str, source: str, plausible: str = "[0, 1000000]") -> str:
    return (
        f'  "{series_id}":\n'
        f"    source: {source}\n"
        f"    title: Test series {series_id}\n"
        "    units: Index\n"
        "    frequency: Daily\n"
        "    owner: Tests\n"
        f"    plausible: {plausible}\n"
    )
