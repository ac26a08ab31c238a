"""Benchmark ``update`` on an up-to-date snapshot against the fake sources with 100 ms latency.

Why: the nightly job's cost is dominated by round trips and by the polite one-request-a-second
pacing, not by pandas. An up-to-date snapshot must cost exactly one request per series (no
paging, no retries, no metadata calls); this prints the requests made, the bytes received and
the wall time, with the default pacing, with pacing off, and with one host at a time (as
before ``update`` fetched each host in its own thread), and exits 1 if the request count is
wrong. Run: ``.venv/bin/python bench/update.py``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.catalogue.load import load_config  # noqa: E402
from tests.fakes.harness import environment, make_project, run_update, start_servers  # noqa: E402

LATENCY = 0.100  # seconds added by every fake server to every request
AS_OF = "2026-08-22"  # the snapshot's own date: every series is up to date on that day


def measure(label: str, overrides: dict[str, str | None]) -> dict:
    """One update run in a fresh copy of the project; returns the figures."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-update-"))
    try:
        project = make_project(scratch)
        servers = start_servers(project)
        try:
            for server in servers.all():
                server.latency = LATENCY
            env = environment(servers, UPDATE_TODAY=AS_OF, **overrides)
            run = run_update(project, env)
            series = len(load_config(project / "indicators.yml").series)
            return {
                "label": label,
                "requests": servers.requests(),
                "series": series,
                "bytes": servers.bytes_sent(),
                "seconds": run.seconds,
                "exit": run.returncode,
            }
        finally:
            servers.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> int:
    knobs = ("TIMEOUT", "RETRY_ATTEMPTS", "RETRY_WAIT", "MIN_INTERVAL")
    defaults = {f"{p}_{k}": None for p in ("FRED", "NYFED", "MARKET", "CRYPTO") for k in knobs}
    no_pacing = {f"{p}_MIN_INTERVAL": "0" for p in ("FRED", "NYFED", "MARKET", "CRYPTO")}
    rows = [
        measure("defaults (pacing 1 request/s per source)", defaults),
        measure("pacing off", {**defaults, **no_pacing}),
        measure("defaults, one host at a time (UPDATE_HOSTS=1)", {**defaults, "UPDATE_HOSTS": "1"}),
    ]
    latency = f"{LATENCY * 1000:.0f} ms latency"
    print(f"update on an up-to-date snapshot, fake sources on 127.0.0.1, {latency}")
    header = ("run", "requests", "series", "bytes received", "wall time", "exit")
    print("{:<48} {:>8} {:>6} {:>14} {:>9} {:>4}".format(*header))
    for row in rows:
        print(
            f"{row['label']:<48} {row['requests']:>8} {row['series']:>6} {row['bytes']:>14,} "
            f"{row['seconds']:>7.2f} s {row['exit']:>4}"
        )
    wrong = [row for row in rows if row["requests"] != row["series"] or row["exit"] != 0]
    if wrong:
        print("FAIL: an up-to-date snapshot must cost exactly one request per series, exit 0")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
