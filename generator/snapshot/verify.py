"""What ``check`` verifies about the snapshot beyond each CSV's own syntax.

A CSV can be well formed and still wrong: a row dated 2099 (a source's mistake that would
freeze the series for good), a file that no longer matches the checksum and row count the
manifest recorded (a run killed between the CSV and the manifest, a hand edit), or a manifest
entry whose file was deleted. Each message names the file (and line) and says how to repair.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pandas as pd

from generator.snapshot.clock import today
from generator.snapshot.store import SeriesRecord, Store, StoreError, format_value
from generator.snapshot.vintages import parse_revisions_csv

REPAIR = (
    "run `python -m generator update --only {series}` to re-record it, "
    "or `git checkout -- data/` to return to the committed snapshot"
)


def latest_allowed() -> date:
    """Tomorrow (UTC): a source a few hours ahead of UTC may date a row tomorrow, never later.
    ``update`` refuses replies beyond it and ``check`` flags stored rows beyond it."""
    return today() + timedelta(days=1)


def future_row(series: pd.Series, where: str) -> str | None:
    """The first stored row dated after tomorrow, with its line (the header is line 1)."""
    limit = pd.Timestamp(latest_allowed())
    ahead = series.index > limit
    if not ahead.any():
        return None
    position = int(ahead.argmax())
    day = series.index[position]
    later = int(ahead.sum()) - 1
    rows = f"it and the {later} row(s) after it" if later else "that row"
    return (
        f"{where}:{position + 2}: row dated {day:%Y-%m-%d} is after tomorrow "
        f"({limit:%Y-%m-%d}), a source's mistake that would freeze the series; delete {rows}, "
        f"then run `python -m generator update --only {series.name}`"
    )


def outside_plausible(
    series: pd.Series, where: str, bounds: tuple[float, float] | None
) -> str | None:
    """The first stored value outside the series' ``plausible`` range, with its line: the same
    rule ``update`` applies to what sources send, so a hand edit (a price of 0 that the risk
    ladder would divide by) is caught before the build."""
    if bounds is None:
        return None
    low, high = bounds
    values = series.to_numpy()
    bad = (values < low) | (values > high)
    if not bad.any():
        return None
    position = int(bad.argmax())
    return (
        f"{where}:{position + 2}: value {format_value(float(values[position]))} on "
        f"{series.index[position]:%Y-%m-%d} is outside the plausible range "
        f"[{format_value(low)}, {format_value(high)}] of series {series.name!r} in indicators.yml"
    )


def matches_manifest(store: Store, series_id: str, record: SeriesRecord) -> str | None:
    """Whether the CSV on disk is the one the manifest recorded (checksum and row count)."""
    path = store.path_for(record.source, series_id)
    where = store.relative(path)
    manifest = store.relative(store.manifest_path)
    if not path.exists():
        if record.status == "unavailable" or (record.rows == 0 and record.sha256 is None):
            return None
        return (
            f"{where}: the file is missing although {manifest} records {record.rows} rows "
            f"for {series_id!r}; " + REPAIR.format(series=series_id)
        )
    try:
        payload = store.read_bytes(path)
    except StoreError as error:
        return str(error)
    rows = max(payload.count(b"\n") - 1, 0) if payload.endswith(b"\n") else payload.count(b"\n")
    if record.sha256 is not None and hashlib.sha256(payload).hexdigest() != record.sha256:
        return (
            f"{where}: the file does not match the sha256 recorded in {manifest} "
            f"({rows} rows on disk, {record.rows} recorded): it was edited or a run stopped "
            "between writing it and the manifest; " + REPAIR.format(series=series_id)
        )
    if rows != record.rows:
        return (
            f"{where}: {rows} rows on disk but {manifest} records {record.rows}; "
            + REPAIR.format(series=series_id)
        )
    return None


def revisions_problem(store: Store, source: str, series_id: str, current: pd.Series) -> str | None:
    """What is wrong with a series' revision file (``snapshot/vintages.py``): its syntax, a
    superseded value whose date is no longer in the series CSV (history lost), or a value said
    to be replaced after tomorrow."""
    path = store.revisions_path_for(source, series_id)
    if not path.exists():
        return None
    where = store.relative(path)
    try:
        rows = parse_revisions_csv(store.read_text(path), where)
    except StoreError as error:
        return str(error)
    stored = set(current.dropna().index.date)
    limit = latest_allowed()
    for line, row in enumerate(rows, start=2):
        if row.day not in stored:
            return (
                f"{where}:{line}: {row.day} was revised but has no value in "
                f"{store.relative(store.path_for(source, series_id))}; a revised observation "
                "never leaves the series: `git checkout -- data/` restores both files"
            )
        if row.known_to > limit:
            return (
                f"{where}:{line}: {row.day}'s value is said to be replaced on {row.known_to}, "
                f"after tomorrow ({limit}); fix the date or `git checkout -- {where}`"
            )
    return None
