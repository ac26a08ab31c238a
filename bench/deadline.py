"""How long ``update --deadline 60`` takes with every FRED request hanging (issue 25).

Without a deadline the shipped retries cost about 136 s per FRED series (four tries of a 30 s
socket timeout plus backoff), 27 minutes or more for the configuration's FRED series, against
the nightly job's 20-minute limit. With ``--deadline 60`` the run must end well within 90 s,
exit 3, update the keyless sources and keep FRED's last good data. This runs it once against
the fakes (``tests/fakes/``), with the shipped network settings, and prints the figures.

Run: ``.venv/bin/python bench/deadline.py [SECONDS]``. Works in a temporary copy of the frozen
project; nothing in the repository is written.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.base import Reply  # noqa: E402
from tests.fakes.harness import (  # noqa: E402
    data_files,
    environment,
    make_project,
    manifest,
    run_update,
    start_servers,
)

SHIPPED = {"FRED_TIMEOUT": "30", "FRED_RETRY_ATTEMPTS": "4", "FRED_RETRY_WAIT": "2"}


def main(deadline: str) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        project = make_project(Path(scratch))
        servers = start_servers(project)
        try:
            servers.fred.fail(Reply(hang=600))
            before = data_files(project)
            env = environment(servers, **SHIPPED)
            limit = float(deadline) + 120
            run = run_update(project, env, "--deadline", deadline, timeout=limit)
        finally:
            servers.stop()
        after = data_files(project)
        entries = manifest(project)
    fred_kept = all(after.get(k) == v for k, v in before.items() if k.startswith("series/fred/"))
    keyless = {k: v["status"] for k, v in entries.items() if v["source"] != "fred"}
    print(f"update --deadline {deadline} with every FRED request hanging:")
    print(f"  wall time          {run.seconds:.1f} s")
    print(f"  exit code          {run.returncode}")
    print(f"  FRED data kept     {fred_kept}")
    print(
        f"  keyless series     {sum(s == 'fresh' for s in keyless.values())}/{len(keyless)} fresh"
    )
    return 0 if run.returncode == 3 and fred_kept and run.seconds < 90 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "60"))
