"""Build data/series/ and data/manifest.json from the team's shared raw snapshot.

Run once when the raw snapshot is refreshed (``python tools/import_snapshot.py ../shared/data``).
It only re-lays the files out (``data/series/<source>/<ID>.csv``); values are copied verbatim so
the committed snapshot stays traceable to the shared folder's provenance notes (summarised in
``data/README.md``). Nothing is invented or filled in. The folder is the source
``indicators.yml`` declares for the series (the shared manifest's ``bucket`` is only a
suggestion: ``treasury`` and ``pboc`` name no source), the bucket for a series not declared.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.catalogue.load import load_config  # noqa: E402
from generator.snapshot.store import Store  # noqa: E402


def main(shared: Path) -> None:
    manifest = json.loads((shared / "manifest.json").read_text())
    store = Store(ROOT / "data")
    declared = {s: spec.source for s, spec in load_config(ROOT / "indicators.yml").series.items()}
    for series_id, meta in sorted(manifest["series"].items()):
        source = declared.get(series_id, meta["bucket"])
        target = store.path_for(source, series_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / meta["file"], target)
        # The upstream commit that carried the newest rows is when the data was fetched.
        stamps = [src["commit_date"] for src in meta["sources"] if src.get("commit_date")]
        fetched_at = (
            max(datetime.fromisoformat(s).astimezone(UTC) for s in stamps).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
            if stamps
            else None
        )
        store.record(
            series_id,
            source=source,
            title=meta["title"],
            units=meta["units"],
            frequency=meta["frequency"],
            owner=meta["owner"],
            fetched_at=fetched_at,
            status="fresh",
        )
    store.write_manifest()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"))
