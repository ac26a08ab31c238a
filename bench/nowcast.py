"""What the nowcast costs a build and what its backtest says (issue 21 item 4).

Times ``publish/nowcast.compute`` on the frozen snapshot cold (the backtest of every H.4.1 week
since May 2022, three horizons) and warm (read back from its cache, as on a rebuild of the
same data), median of three runs each, and prints the backtest's absolute errors per target
and horizon beside those of the naive "no change" estimate.

Run: ``.venv/bin/python bench/nowcast.py``. Nothing is written to the project.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.catalogue.load import load_config, load_events  # noqa: E402
from generator.publish import nowcast  # noqa: E402
from generator.snapshot.load import load_snapshot  # noqa: E402
from generator.snapshot.store import Store  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "project"


def main() -> None:
    config = load_config(FIXTURE / "indicators.yml", load_events(FIXTURE / "events.yml"))
    store = Store(FIXTURE / "data")
    snapshot = load_snapshot(config, store)
    cold, warm = [], []
    view = None
    for _ in range(3):
        with tempfile.TemporaryDirectory() as cache:
            started = time.perf_counter()
            view = nowcast.compute(config, snapshot, store, None, Path(cache))
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            nowcast.compute(config, snapshot, store, None, Path(cache))
            warm.append(time.perf_counter() - started)
    assert view is not None
    cold_s, warm_s = statistics.median(cold), statistics.median(warm)
    print(f"nowcast compute: cold {cold_s:.2f} s, warm {warm_s:.2f} s")
    print(
        f"{'target':<20}{'horizon':<11}{'weeks':>6}{'mean':>8}{'median':>8}{'p90':>8}{'naive':>8}"
    )
    for s in view.scores:
        print(
            f"{s.target:<20}{s.horizon:<11}{s.n:>6}{s.mae:>8.1f}{s.median:>8.1f}"
            f"{s.p90:>8.1f}{s.naive_mae:>8.1f}"
        )


if __name__ == "__main__":
    main()
