"""Freeze what the tests read: ``tests/fixtures/project/`` (``make fixtures``).

The tests and golden files must not move when the nightly update appends a row to ``data/``,
or when a fork edits ``indicators.yml`` (issue 20: one weekly WALCL row changed 44 lines of the
home golden; one added indicator failed 44 tests). So they read a frozen copy: the committed
``indicators.yml`` and ``events.yml`` as they are, and ``data/`` as it stood on ``CUTOFF``:

- every series CSV cut to the observations dated on or before ``CUTOFF``, each with the value
  current on ``CUTOFF`` (a revision logged later is undone from the revision file);
- each revision file cut to the values known by ``CUTOFF`` (the one still current then
  becomes the CSV's value; a file left empty is not written);
- ``manifest.json`` with ``first``, ``last``, ``rows`` and ``sha256`` recomputed from the cut
  files, ``fetched_at`` no later than ``LAST_FETCH``, and a failure recorded after ``CUTOFF``
  left out (the series is fresh as of the cut).

Re-running it after nightly updates changes nothing; after a change to the configuration (a new
indicator or series, a threshold) it refreshes the copy, and ``make golden`` then refreshes the
golden files for review. ``python tools/freeze_fixtures.py --check`` exits 1 when the frozen copy
differs from what it would write (a configuration change not yet frozen).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.snapshot.store import Store, parse_series_csv, series_to_csv  # noqa: E402
from generator.snapshot.vintages import revisions_to_csv  # noqa: E402

CUTOFF = date(2026, 9, 2)  # the last observation in the committed snapshot when first frozen
LAST_FETCH = "2026-08-22T16:12:14Z"  # the snapshot's last fetch then
TARGET = Path("tests") / "fixtures" / "project"
CONFIG_FILES = ("indicators.yml", "events.yml")


def frozen_files(root: Path) -> dict[str, bytes]:
    """Every file of the frozen copy, by path relative to it, from the project at ``root``."""
    files = {name: (root / name).read_bytes() for name in CONFIG_FILES}
    store = Store(root / "data")
    manifest = json.loads(store.manifest_path.read_text())["series"]
    series_dir = root / "data" / "series"
    entries: dict[str, dict] = {}
    for path in sorted(series_dir.rglob("*.csv")):
        if path.name.endswith(".revisions.csv"):
            continue
        source, series_id = path.parent.name, path.name.removesuffix(".csv")
        payload, revisions = _cut(store, source, series_id)
        relative = path.relative_to(root).as_posix()
        files[relative] = payload
        if revisions:
            files[relative.removesuffix(".csv") + ".revisions.csv"] = revisions
        if series_id in manifest:
            entries[series_id] = _entry(manifest[series_id], payload)
    for series_id, entry in manifest.items():  # entries without a file (unavailable)
        entries.setdefault(series_id, _entry(entry, None))
    ordered = {key: entries[key] for key in sorted(entries)}
    text = json.dumps({"series": ordered}, indent=1) + "\n"
    files["data/manifest.json"] = text.encode()
    return files


def _cut(store: Store, source: str, series_id: str) -> tuple[bytes, bytes]:
    current = store.load(source, series_id)
    kept = current[current.index <= pd.Timestamp(CUTOFF)].copy()
    rows = [r for r in store.load_revisions(source, series_id) if r.known_from <= CUTOFF]
    still = []
    for row in rows:
        stamp = pd.Timestamp(row.day)
        if row.known_to > CUTOFF and stamp in kept.index:
            kept[stamp] = row.value  # current on the cut-off day: revised only later
        elif row.known_to <= CUTOFF:
            still.append(row)
    revisions = revisions_to_csv(still) if still else b""
    return series_to_csv(kept), revisions


def _entry(entry: dict, payload: bytes | None) -> dict:
    out = dict(entry)
    if payload is not None:
        series = parse_series_csv(payload.decode(), "frozen copy")
        valid = series.dropna()
        out["first"] = f"{valid.index[0]:%Y-%m-%d}" if len(valid) else None
        out["last"] = f"{valid.index[-1]:%Y-%m-%d}" if len(valid) else None
        out["rows"] = int(len(series))
        out["sha256"] = hashlib.sha256(payload).hexdigest()
    if out.get("fetched_at") and out["fetched_at"] > LAST_FETCH:
        out["fetched_at"] = LAST_FETCH
        for name in ("stale_since", "message"):
            out.pop(name, None)
        if out.get("status") == "stale":
            out["status"] = "fresh"
    return {key: value for key, value in out.items() if value is not None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the project to freeze")
    parser.add_argument("--check", action="store_true", help="exit 1 if the copy is out of date")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    target = root / TARGET
    files = frozen_files(root)
    on_disk = (
        {
            p.relative_to(target).as_posix(): p.read_bytes()
            for p in sorted(target.rglob("*"))
            if p.is_file()
        }
        if target.exists()
        else {}
    )
    if args.check:
        stale = sorted(set(files) ^ set(on_disk) | {k for k in files if on_disk.get(k) != files[k]})
        for name in stale:
            print(
                f"{TARGET / name}: differs from the project; run `make fixtures`", file=sys.stderr
            )
        return 1 if stale else 0
    if target.exists():
        shutil.rmtree(target)
    for name, payload in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
    changed = sum(on_disk.get(k) != v for k, v in files.items()) + len(set(on_disk) - set(files))
    print(f"{TARGET}: {len(files)} files, {changed} changed (data cut at {CUTOFF})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
