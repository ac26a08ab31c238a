"""What building the chart specs costs a build whose spec cache (``.cache/specs``) is cold: every
night's build (the data changes) and every test build whose data or config is not the fixture's.

Builds the Vega-Lite spec of each indicator chart of the frozen fixture and of the regime chart,
as ``generator build`` does (``charts.chart_spec``, ``charts.regime_spec``; no cache), three
times, and prints the CPU seconds of a round (median) and per chart. The first round pays
Altair's one-time schema loading too, as a build does.

Run: ``.venv/bin/python bench/specs.py``. Nothing is written to the project.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.catalogue.load import load_config, load_events  # noqa: E402
from generator.measure import indicators, regime  # noqa: E402
from generator.publish import charts  # noqa: E402
from generator.snapshot.load import load_snapshot  # noqa: E402
from generator.snapshot.store import Store  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "project"
ROUNDS = 3


def main() -> None:
    events = load_events(FIXTURE / "events.yml")
    config = load_config(FIXTURE / "indicators.yml", events)
    snapshot = load_snapshot(config, Store(FIXTURE / "data"))
    results = indicators.evaluate(config, snapshot.series, snapshot.stale, snapshot.overdue)
    drawn = [r for r in results if r.has_data]
    frames = [charts.chart_frame(r, r.config.chart) for r in drawn]
    score = regime.compute_regime(config, results)
    seconds = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for result, frame in zip(drawn, frames, strict=True):
            charts.chart_spec(result, result.config.chart, frame, f"{result.id}.csv", events)
        if score is not None and config.regime is not None:
            history = score.history[  # ten years, as writers.write_analysis_charts draws
                score.history.index >= score.history.index[-1] - pd.DateOffset(years=10)
            ]
            frame = pd.DataFrame({"date": history.index, "score": history.to_numpy()})
            thresholds = (config.regime.easing_above, config.regime.tight_below)
            charts.regime_spec(frame, "regime.csv", events, *thresholds)
        seconds.append(time.process_time() - started)
    count = len(drawn) + (score is not None)
    median = statistics.median(seconds)
    rounds = ", ".join(f"{s:.2f}" for s in seconds)
    print(
        f"chart specs: {count} charts, {median:.2f} CPU-s a round (median of {ROUNDS}: {rounds}), "
        f"{1000 * median / count:.0f} ms a chart"
    )


if __name__ == "__main__":
    main()
