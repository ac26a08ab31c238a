"""The committed data snapshot: one CSV per series plus ``data/manifest.json``.

Everything downstream trusts what ``load`` returns, so validation happens here, once, and a
broken file fails with the file and line named instead of a pandas traceback deep in a chart.
Writes go through a temp file and ``os.replace`` so a crash never leaves a half-written CSV.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from generator.catalogue.models import SERIES_STATUSES, SeriesStatus

if TYPE_CHECKING:
    from generator.snapshot.vintages import Revision

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HEADER = ["date", "value"]
# pandas' nanosecond timestamps cover 1677-09-21 to 2262-04-11; whole years inside that.
MIN_DAY, MAX_DAY = date(1678, 1, 1), date(2261, 12, 31)
FETCHED_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
HELD_SUFFIX = ".held.csv"
SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # a folder under data/series/, never a path


class StoreError(Exception):
    """A problem with the snapshot on disk, worded for the person who has to fix it."""


@dataclass
class SeriesRecord:
    """What the manifest knows about one series (the contract is in docs/architecture.md)."""

    source: str
    title: str = ""
    units: str = ""
    frequency: str = ""
    owner: str = ""
    first: str | None = None
    last: str | None = None
    rows: int = 0
    fetched_at: str | None = None
    sha256: str | None = None
    status: SeriesStatus = "fresh"
    stale_since: str | None = None
    message: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def stage_bytes(path: Path, payload: bytes) -> Path:
    """Write ``payload`` to a hidden temp file next to ``path`` and fsync it; the caller renames
    it into place (``os.replace``) once every file of the change is staged."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def leftovers(folder: Path) -> list[Path]:
    """Temp files (``stage_bytes``' hidden ``.<name>.*.tmp``) a killed run left under
    ``folder``: never read, reported by ``check``, removed by the next run that writes there."""
    if not Path(folder).is_dir():
        return []
    return sorted(p for p in Path(folder).rglob(".*.tmp") if p.is_file() or p.is_symlink())


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write next to the target, fsync, then rename: readers see the old or the new file."""
    tmp = stage_bytes(path, payload)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def format_value(value: float) -> str:
    """Short faithful text for a value: integers stay integers, NaN becomes empty.

    15 significant digits keep the snapshot's decimals as the sources publish them (7674.37,
    not 7674.3700000000003); a value that needs more to read back exactly (0.1 + 0.2, the
    largest floats) gets Python's shortest round-trip form instead.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:.15g}"
    if float(text) != value:
        text = repr(float(value))
    return text


def series_to_csv(series: pd.Series) -> bytes:
    """``date,value`` text, a row per observation. The dates are formatted all at once: one
    ``Timestamp`` made per row to format it cost three quarters of the time."""
    days = pd.DatetimeIndex(series.index).strftime("%Y-%m-%d")
    values = series.to_numpy(dtype="float64").tolist()
    rows = [f"{day},{format_value(value)}\n" for day, value in zip(days, values, strict=True)]
    return ("date,value\n" + "".join(rows)).encode()


def parse_series_csv(text: str, where: str) -> pd.Series:
    """Parse and validate ``date,value`` text; ``where`` names the file in every message.

    A vectorised pass handles the common, valid file; anything it does not accept goes to the
    line-by-line reader, whose only job is to find the first bad line and say what is wrong.
    Text read before is not parsed again (``_PARSED``); each caller gets its own copy.
    """
    parsed = _PARSED.get(text)
    if parsed is None:
        fast = _parse_valid_fast(text)
        parsed = fast if fast is not None else _parse_line_by_line(text, where)
        if len(_PARSED) >= PARSED_KEPT:  # the oldest goes
            del _PARSED[next(iter(_PARSED))]
        _PARSED[text] = parsed
    return parsed.copy()


# Series text that parsed, by the text alone (``where`` only names a file in a message; text
# with a problem raises and is not kept), for the snapshot's size of series. ``check`` reads
# every file twice; a command forked from a process that read the same files (the tests'
# fork server) finds them parsed, about 0.1 CPU-s of each command.
PARSED_KEPT = 64
_PARSED: dict[str, pd.Series] = {}


def _parse_valid_fast(text: str) -> pd.Series | None:
    if not text.startswith("date,value\n"):
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype={"date": str, "value": "float64"},
            keep_default_na=False,
            na_values={"value": [""]},
        )
    except (ValueError, pd.errors.ParserError):
        return None
    if list(frame.columns) != HEADER or frame["date"].isna().any():
        return None
    dates = frame["date"]
    if not (dates.str.len() == 10).all():
        return None
    try:
        index = pd.to_datetime(dates, format="%Y-%m-%d", errors="coerce")
    except (ValueError, OverflowError):  # out of bounds: the line reader names the line
        return None
    values = frame["value"].to_numpy(dtype="float64")
    if index.isna().any() or np.isinf(values).any():
        return None
    if len(index) and (index.min().date() < MIN_DAY or index.max().date() > MAX_DAY):
        return None
    if len(index) > 1 and not (np.diff(index.to_numpy()) > np.timedelta64(0)).all():
        return None
    return pd.Series(
        values, index=pd.DatetimeIndex(index, name="date").as_unit("ns"), dtype="float64"
    )


def _parse_line_by_line(text: str, where: str) -> pd.Series:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise StoreError(
            f"{where}:1: the file is empty; expected the header 'date,value'"
        ) from None
    if [cell.strip() for cell in header] != HEADER:
        raise StoreError(f"{where}:1: expected the header 'date,value', found {','.join(header)!r}")
    dates: list[date] = []
    values: list[float] = []
    previous: date | None = None
    for line_number, row in enumerate(reader, start=2):
        if not row:
            continue
        at = f"{where}:{line_number}"
        if len(row) != 2:
            raise StoreError(f"{at}: expected 2 fields (date,value), found {len(row)}")
        raw_date, raw_value = row[0].strip(), row[1].strip()
        day = _row_date(raw_date, previous, at)
        dates.append(day)
        values.append(_row_value(raw_value, raw_date, at))
        previous = day
    index = pd.DatetimeIndex(pd.to_datetime(dates), name="date").as_unit("ns")
    return pd.Series(values, index=index, dtype="float64")


def _row_date(raw_date: str, previous: date | None, at: str) -> date:
    """A row's date: ISO, a real day, within the computable range, after the previous row."""
    if not ISO_DATE.match(raw_date):
        raise StoreError(f"{at}: {raw_date!r} is not an ISO date (YYYY-MM-DD)")
    try:
        day = date.fromisoformat(raw_date)
    except ValueError:
        raise StoreError(f"{at}: {raw_date!r} is not a real calendar date") from None
    if not MIN_DAY <= day <= MAX_DAY:
        raise StoreError(
            f"{at}: date {raw_date} is outside {MIN_DAY} to {MAX_DAY}, "
            "the range dates can be computed with"
        )
    if previous is not None and day <= previous:
        problem = "repeats" if day == previous else "comes before"
        raise StoreError(
            f"{at}: date {raw_date} {problem} the previous row ({previous}); "
            "dates must be sorted and unique"
        )
    return day


def _row_value(raw_value: str, raw_date: str, at: str) -> float:
    """A row's value: empty (missing, NaN) or a finite number."""
    if raw_value == "":
        return math.nan
    try:
        value = float(raw_value)
    except ValueError:
        raise StoreError(
            f"{at}: value {raw_value!r} on {raw_date} is not a number (leave it empty when missing)"
        ) from None
    if not math.isfinite(value):
        raise StoreError(f"{at}: value {raw_value!r} on {raw_date} is not finite")
    return value


STATUSES = SERIES_STATUSES


def _field_problem(name: str, value: object) -> str | None:
    """Why a manifest field's value is unusable (it reaches pages and date arithmetic)."""
    if name == "rows":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else "expected a whole number of rows"
    if name == "extra":
        return "is a reserved name"
    if value is None and name != "source":
        return None
    if not isinstance(value, str):
        return "expected text"
    if name == "source" and not SOURCE_NAME.fullmatch(value):
        return "expected a source name (lowercase letters, digits, '_')"
    if name == "status" and value not in STATUSES:
        return f"expected one of {', '.join(STATUSES)}"
    if name in ("first", "last", "stale_since") and not ISO_DATE.match(value):
        return "expected a date YYYY-MM-DD"
    if name == "fetched_at" and not FETCHED_AT.match(value):
        return "expected a UTC time YYYY-MM-DDTHH:MM:SSZ"
    return None


class Store:
    """Reads and writes ``data/``; knows nothing about indicators or the network."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.manifest_path = self.root / "manifest.json"
        self._records: dict[str, SeriesRecord] | None = None

    # -- paths and manifest ---------------------------------------------------------------
    def path_for(self, source: str, series_id: str) -> Path:
        return self.root / "series" / source / f"{series_id}.csv"

    def refuse_outside(self, path: Path) -> None:
        """Raise StoreError when ``path`` is a symbolic link, sits under one, or resolves
        outside ``data/``. Why: a series file linked to ``/proc/self/environ`` made ``check``
        print the whole environment (the FRED key with it), and one linked to a CSV elsewhere
        was published as data. The message never quotes the file's content."""
        where = self.relative(path)
        if ".." in Path(path).parts:
            raise StoreError(f"{where}: a path with '..' is refused; data stays under data/")
        current = Path(path)
        while current != self.root and current != current.parent:
            if current.is_symlink():
                raise StoreError(
                    f"{where}: {self.relative(current)} is a symbolic link; refused (data/ holds "
                    "plain files only): replace it with the file itself or `git checkout -- data/`"
                )
            current = current.parent
        root = self.root.resolve()
        if not Path(path).resolve().is_relative_to(root):
            raise StoreError(f"{where}: resolves outside {self.relative(self.root)}/; refused")

    def read_bytes(self, path: Path) -> bytes:
        """A file under ``data/``, after ``refuse_outside``."""
        self.refuse_outside(path)
        return Path(path).read_bytes()

    def read_text(self, path: Path) -> str:
        """UTF-8 text of a file under ``data/``, after ``refuse_outside``."""
        try:
            return self.read_bytes(path).decode("utf-8")
        except UnicodeDecodeError:
            raise StoreError(f"{self.relative(path)}: not UTF-8 text") from None

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    @property
    def records(self) -> dict[str, SeriesRecord]:
        if self._records is None:
            self._records = self._read_manifest()
        return self._records

    def _read_manifest(self) -> dict[str, SeriesRecord]:
        where = self.relative(self.manifest_path)
        if not self.manifest_path.exists():
            return {}
        try:
            payload = json.loads(self.read_bytes(self.manifest_path).decode("utf-8"))
        except UnicodeDecodeError:
            raise StoreError(f"{where}: not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise StoreError(f"{where}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("series", {}), dict):
            raise StoreError(f'{where}: expected an object {{"series": {{id: entry, ...}}}}')
        records = {}
        known = set(SeriesRecord.__dataclass_fields__)
        for series_id, entry in payload.get("series", {}).items():
            if not isinstance(entry, dict) or "source" not in entry:
                raise StoreError(f"{where}: entry for series {series_id!r} has no 'source'")
            for name, value in entry.items():
                problem = _field_problem(name, value) if name in known else None
                if problem:
                    raise StoreError(
                        f"{where}: series {series_id!r}, field {name!r}: {problem}, found "
                        f"{json.dumps(value)[:40]}; restore it with `git checkout -- data/`"
                    )
            extra = {k: v for k, v in entry.items() if k not in known}
            fields = {k: v for k, v in entry.items() if k in known and k != "extra"}
            records[series_id] = SeriesRecord(**fields, extra=extra)
        return records

    def record(self, series_id: str, **fields: object) -> SeriesRecord:
        """Refresh a manifest entry from the file on disk, keeping fields not given."""
        current = self.records.get(series_id)
        merged = asdict(current) if current else {"source": fields["source"]}
        merged.update(fields)
        record = SeriesRecord(**merged)
        path = self.path_for(record.source, series_id)
        if path.exists():
            payload = self.read_bytes(path)
            series = parse_series_csv(payload.decode(), self.relative(path))
            valid = series.dropna()
            record.first = f"{valid.index[0]:%Y-%m-%d}" if len(valid) else None
            record.last = f"{valid.index[-1]:%Y-%m-%d}" if len(valid) else None
            record.rows = int(len(series))
            record.sha256 = hashlib.sha256(payload).hexdigest()
        self.records[series_id] = record
        return record

    def write_manifest(self) -> None:
        series = {}
        for series_id in sorted(self.records):
            entry = asdict(self.records[series_id])
            extra = entry.pop("extra") or {}
            entry.update(extra)
            series[series_id] = {k: v for k, v in entry.items() if v is not None}
        text = json.dumps({"series": series}, indent=1, sort_keys=False) + "\n"
        atomic_write_bytes(self.manifest_path, text.encode())

    # -- series -----------------------------------------------------------------------
    def exists(self, source: str, series_id: str) -> bool:
        """A file (or a link, which ``load`` then refuses with the reason) is there."""
        path = self.path_for(source, series_id)
        return path.exists() or path.is_symlink()

    def held_path_for(self, source: str, series_id: str) -> Path:
        """``<ID>.held.csv``: a reply the revision gate held for review (``fetch/gate.py``)."""
        return self.root / "series" / source / f"{series_id}{HELD_SUFFIX}"

    def load_held(self, source: str, series_id: str) -> pd.Series | None:
        """The reply held for review, or None when there is none."""
        path = self.held_path_for(source, series_id)
        if not path.exists():
            return None
        return parse_series_csv(self.read_text(path), self.relative(path))

    def revisions_path_for(self, source: str, series_id: str) -> Path:
        """``<ID>.revisions.csv`` beside the series CSV (``snapshot/vintages.py``)."""
        return self.root / "series" / source / f"{series_id}.revisions.csv"

    def load_revisions(self, source: str, series_id: str) -> list[Revision]:
        """The superseded values of a series, oldest first; none when it was never revised."""
        from generator.snapshot.vintages import parse_revisions_csv

        path = self.revisions_path_for(source, series_id)
        if not path.exists():
            return []
        return parse_revisions_csv(self.read_text(path), self.relative(path))

    def load(
        self,
        source: str,
        series_id: str,
        as_of: date | None = None,
        published_after: int = 0,
    ) -> pd.Series:
        """Today's vintage, or with ``as_of`` the series as known on that day (its revision
        file, and ``published_after`` for values whose release is not on record)."""
        series = self._load_current(source, series_id)
        if as_of is None:
            return series
        from generator.snapshot.vintages import as_of as known_on

        revisions = self.load_revisions(source, series_id)
        return known_on(series, revisions, published_after, as_of).rename(series_id)

    def _load_current(self, source: str, series_id: str) -> pd.Series:
        path = self.path_for(source, series_id)
        where = self.relative(path)
        try:
            text = self.read_text(path)
        except FileNotFoundError:
            raise StoreError(f"{where}: file not found") from None
        series = parse_series_csv(text, where)
        series.name = series_id
        return series

    def write(self, source: str, series_id: str, series: pd.Series) -> Path:
        path = self.path_for(source, series_id)
        atomic_write_bytes(path, series_to_csv(series))
        return path
