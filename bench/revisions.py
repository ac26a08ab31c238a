"""How much a year of nightly revisions adds to ``data/`` (issue 20: keep the files small).

Each revision ``update`` sees appends one row to ``<ID>.revisions.csv``
(``snapshot/vintages.py`` ``record``). This replays 365 nights with ``record`` and
``revisions_to_csv`` (the code ``update`` uses) under two patterns and prints the bytes added:

- *as observed*: the shared data's daily copies show no WALCL or WRESBAL week revised after
  first publication and SOFR revised only on its publication day (before the nightly reads
  it), so of the snapshot's series only ADP revises: each monthly report revises the month
  before, and the February report's yearly benchmark revises the 12 months of the year before;
- *worst case*: every series of the frozen configuration has its 5 latest observations revised
  every night.

Run: ``.venv/bin/python bench/revisions.py``. Nothing is written to the project.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from generator.catalogue.load import load_config  # noqa: E402
from generator.snapshot.store import Store  # noqa: E402
from generator.snapshot.vintages import Revision, record, revisions_to_csv  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "project"
START = date(2026, 9, 3)  # the first night after the frozen snapshot


def as_observed(store: Store) -> dict[str, int]:
    """ADP only: one revised month per report (first Wednesday), 12 more in February."""
    levels = store.load("fred", "ADPMNUSNERSA")
    rows: list[Revision] = store.load_revisions("fred", "ADPMNUSNERSA")
    before = len(revisions_to_csv(rows)) if rows else 0
    for offset in range(365):
        night = START + timedelta(days=offset)
        if night.weekday() != 2 or night.day > 7:  # ADP reports on the first Wednesday
            continue
        months = [d for d in levels.index if d.date() < night.replace(day=1)]
        revised = months[-1:] if night.month != 2 else months[-13:]
        changes = [(d.date(), float(levels[d]), float(levels[d]) + 1000) for d in revised]
        rows = record(rows, changes, night, 37)
        for day, _, new in changes:
            levels[pd.Timestamp(day)] = new
    return {"ADPMNUSNERSA": len(revisions_to_csv(rows)) - before}


def worst_case(store: Store, config_series: dict) -> dict[str, int]:
    added: dict[str, int] = {}
    for series_id, spec in config_series.items():
        if not store.exists(spec.source, series_id):
            continue
        values = store.load(spec.source, series_id).dropna()
        rows: list[Revision] = []
        for offset in range(365):
            night = START + timedelta(days=offset)
            last = values.index[-5:]
            changes = [(d.date(), float(values[d]), float(values[d]) * 1.0001) for d in last]
            rows = record(rows, changes, night, spec.published_after)
            for day, _, new in changes:
                values[pd.Timestamp(day)] = new
        added[series_id] = len(revisions_to_csv(rows))
    return added


def main() -> int:
    config = load_config(FIXTURE / "indicators.yml")
    store = Store(FIXTURE / "data")
    data_bytes = sum(p.stat().st_size for p in (FIXTURE / "data").rglob("*") if p.is_file())
    observed = as_observed(store)
    worst = worst_case(store, config.series)
    print("| a year of nightly revisions | bytes added | share of data/ |")
    print("|---|---:|---:|")
    for label, added in (("as observed (ADP only)", observed), ("worst case", worst)):
        total = sum(added.values())
        print(f"| {label} | {total:,} | {100 * total / data_bytes:.1f}% |")
    largest = max(worst, key=lambda k: worst[k])
    print(f"\ndata/ now: {data_bytes:,} bytes; worst case per series: {worst[largest]:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
