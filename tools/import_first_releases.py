"""Write ADP's first releases into the snapshot as its revision file.

Run once when the shared first releases change
(``python tools/import_first_releases.py ../shared/data``). ADP revises the previous month in
every monthly report, so ``data/series/fred/ADPMNUSNERSA.csv`` (today's vintage) is not what a
reader saw in 2025. The shared folder holds, for August 2022 to July 2025, each month's level
and headline change as first published (ALFRED's first vintage of each month). Each report R
for month M therefore gives two values of that vintage: M's level, and M-1's level (M's level
minus its headline change). Both are written as superseded values known from R until the next
report. Release dates: those listed in the shared data folder's provenance notes for 2025
(``release``); before 2025 and for the August 2025 report, which are not on record, the
publication rule (``published_after:``, basis ``rule``). Values are copied, never invented.
"""

from __future__ import annotations

import csv
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.catalogue.load import load_config  # noqa: E402
from generator.snapshot.store import Store, atomic_write_bytes  # noqa: E402
from generator.snapshot.vintages import Revision, revisions_to_csv  # noqa: E402

SERIES = "ADPMNUSNERSA"
# First-vintage dates of 2025's reports, from the shared provenance notes ("ADP first releases").
RELEASES_2025 = {
    date(2025, 1, 1): date(2025, 2, 5),
    date(2025, 2, 1): date(2025, 3, 5),
    date(2025, 3, 1): date(2025, 4, 2),
    date(2025, 4, 1): date(2025, 4, 30),
    date(2025, 5, 1): date(2025, 6, 4),
    date(2025, 6, 1): date(2025, 7, 2),
    date(2025, 7, 1): date(2025, 7, 30),
}


def _read(path: Path) -> dict[date, float]:
    with path.open(newline="") as handle:
        rows = csv.DictReader(handle)
        return {date.fromisoformat(row["date"]): float(row["value"]) for row in rows}


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _previous_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def first_release_rows(
    levels: dict[date, float], changes: dict[date, float], lag: int
) -> list[Revision]:
    """The two values each report published (month M and the revised M-1), known until the
    next report."""

    def release(month: date) -> tuple[date, str]:
        if month in RELEASES_2025:
            return RELEASES_2025[month], "release"
        return month + timedelta(days=lag), "rule"

    rows: list[Revision] = []
    for month in sorted(levels):
        start, basis = release(month)
        end, _ = release(_next_month(month))
        level = levels[month]
        rows.append(Revision(month, level, start, end, basis))
        rows.append(Revision(_previous_month(month), level - changes[month], start, end, basis))
    return sorted(rows, key=lambda r: (r.day, r.known_from))


def main(shared: Path) -> None:
    config = load_config(ROOT / "indicators.yml")
    spec = config.series[SERIES]
    levels = _read(shared / "raw" / f"{SERIES}_FIRST_RELEASE.csv")
    changes = _read(shared / "raw" / "ADP_CHANGE_FIRST_RELEASE.csv")
    rows = first_release_rows(levels, changes, spec.published_after)
    store = Store(ROOT / "data")
    path = store.revisions_path_for(spec.source, SERIES)
    atomic_write_bytes(path, revisions_to_csv(rows))
    print(f"wrote {store.relative(path)}: {len(rows)} superseded values")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
