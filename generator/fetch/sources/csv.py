"""Any CSV file over HTTPS, for a series no other source serves: the address, the date and
value columns (by their header), the date format and the missing-value markers are declared in
``indicators.yml`` (``catalogue/sources.py`` ``CsvSource``), so a fork adds such a series
without Python.

A file that needs a key names the environment variable holding it and where it is sent (a
query parameter or a header); the key is never written in the YAML, and like FRED's it is
masked from every message (``net.declare_secrets``). The header row may follow a preamble (a
title, notes): the first row holding both declared column names is the header. Rows before
``since`` are left out (the revision window); the file is read whole each time, so keep such
files small or prefer an API.
"""

from __future__ import annotations

import csv
import io
import math
import os
import urllib.parse
from datetime import date, datetime

import pandas as pd

from generator.catalogue.sources import CsvSource, SourceSpec
from generator.fetch.sources import BadReply, KeyRejected, SourceError, hosts, net, to_series

DEFAULT_ROOT = "https://example.org"  # unused: each series names its own address
PREAMBLE_ROWS = 50  # how far down the header row may be


def host(spec: SourceSpec) -> str:
    return hosts.origin_of(spec.url) if isinstance(spec, CsvSource) else "?"


def fetch_spec(spec: SourceSpec, series_id: str, since: date | None) -> pd.Series:
    """The declared columns of the file, from ``since`` on."""
    if not isinstance(spec, CsvSource):
        raise SourceError(f"{series_id}: not a CSV series")
    name = f"CSV ({hosts.host_of(spec.url)})"
    url, headers = spec.url, {"Accept": "text/csv, text/plain;q=0.9, */*;q=0.1"}
    if spec.key is not None:
        key = os.environ.get(spec.key.variable, "").strip()
        if not key:
            raise KeyRejected(f"{spec.key.variable} is not set")
        if spec.key.query:
            joiner = "&" if urllib.parse.urlsplit(url).query else "?"
            url += joiner + urllib.parse.urlencode({spec.key.query: key})
        else:
            headers[spec.key.header or ""] = key
    body = hosts.paced_get(url, name, "CSV", headers=headers)
    rows: dict[date, float] = {}
    for raw_day, raw_value in _records(body, spec, name):
        day = _date(raw_day, spec.date_format, name)
        if since is not None and day < since:
            continue
        if day in rows:
            raise BadReply(f"{name} sent {day} more than once")
        rows[day] = _value(raw_value, spec, day, name)
    return to_series(rows)


def _records(body: bytes, spec: CsvSource, name: str) -> list[tuple[str, str]]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadReply(f"{name} sent a file that is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text), delimiter=spec.delimiter)
    for _ in range(PREAMBLE_ROWS):
        header = next(reader, None)
        if header is None:
            break
        header = [cell.strip() for cell in header]
        if spec.date_column in header and spec.value_column in header:
            at, column = header.index(spec.date_column), header.index(spec.value_column)
            return [
                (row[at], row[column])
                for row in reader
                if len(row) > max(at, column) and row[at].strip()
            ]
    if text.lstrip()[:1] in ("<", "{"):
        raise SourceError(f"{name} sent an HTML or JSON page, not the CSV file")
    raise BadReply(
        f"{name} sent no header row with the columns {spec.date_column!r} and "
        f"{spec.value_column!r}; check date_column and value_column"
    )


def _date(raw: str, pattern: str | None, name: str) -> date:
    text = raw.strip()
    try:
        if pattern:
            return datetime.strptime(text, pattern).date()
        return date.fromisoformat(text[:10])
    except ValueError:
        hint = f" (date_format {pattern!r})" if pattern else " (set date_format)"
        raise BadReply(f"{name} sent a date {net.clean(text, 20)!r} it cannot read{hint}") from None


def _value(raw: str, spec: CsvSource, day: date, name: str) -> float:
    text = raw.strip()
    if text in spec.missing:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise BadReply(f"{name} sent a non-numeric value {net.clean(text, 20)!r} on {day}")
    return value * spec.scale
