"""The Bank of Japan's Time-Series Data Search API (keyless, opened February 2026).

Request: ``/api/v1/getDataCode?format=json&lang=en&db=<DB>&code=<CODE>&startDate=&endDate=``
with dates written by frequency (``YYYYMM`` for monthly, weekly and daily series, ``YYYYQQ``
quarterly, ``YYYY`` annual). The API is RPC-like: it answers HTTP 200 even on errors, with the
outcome in the body: ``{"STATUS": 200|400|500|503, "MESSAGEID", "MESSAGE", "DATE",
"PARAMETER", "NEXTPOSITION", "RESULTSET": [{"SERIES_CODE", "NAME_OF_TIME_SERIES", "UNIT",
"FREQUENCY", "LAST_UPDATE", "VALUES": {"SURVEY_DATES": [202401, ...], "VALUES": [106.9,
...]}}]}``. So the status is read from ``STATUS``, never from HTTP alone: 400 with
``M181013E`` is an unknown code (unavailable), other 400s a refused request, 500 and 503 a
server fault worth retrying; ``M181030I`` is success with no data. ``SURVEY_DATES`` are
``YYYYMMDD`` for daily and weekly series, ``YYYYMM`` monthly (dated on the first day),
``YYYYQQ`` quarterly; missing values are null. ``NEXTPOSITION`` pages long replies. The Bank
asks users to avoid frequent access. Base URL from ``BOJ_API_ROOT``.
"""

from __future__ import annotations

import math
import urllib.parse
from datetime import date

import pandas as pd

from generator.catalogue.sources import BojSource, SourceSpec
from generator.fetch.sources import (
    BadReply,
    NotFound,
    SourceError,
    Transient,
    default_host,
    hosts,
    net,
    to_series,
    today,
)

DEFAULT_ROOT = "https://www.stat-search.boj.or.jp"
LABEL = "Bank of Japan"
FIRST_DAY = date(1950, 1, 1)
MAX_PAGES = 50


def host(spec: SourceSpec) -> str:
    return default_host("BOJ", DEFAULT_ROOT)


def _period(day: date, frequency: str) -> str:
    if frequency == "quarterly":
        return f"{day.year}{(day.month - 1) // 3 + 1:02d}"
    if frequency == "annual":
        return str(day.year)
    return f"{day.year}{day.month:02d}"


def fetch_spec(spec: SourceSpec, series_id: str, since: date | None) -> pd.Series:
    """One series of one database, from ``since`` on (the API's month, quarter or year)."""
    if not isinstance(spec, BojSource):
        raise SourceError(f"{series_id}: not a Bank of Japan series")
    root = net.api_root("BOJ", DEFAULT_ROOT)
    query = {
        "format": "json",
        "lang": "en",
        "db": spec.db,
        "code": spec.code,
        "startDate": _period(since or FIRST_DAY, spec.frequency),
        "endDate": _period(today(), spec.frequency),
    }
    rows: dict[date, float] = {}
    position: object = None
    for _ in range(MAX_PAGES):
        page = dict(query, startPosition=str(position)) if position is not None else query
        url = f"{root}/api/v1/getDataCode?{urllib.parse.urlencode(page)}"
        found: dict[date, float] = {}

        def read(body: bytes, found: dict[date, float] = found) -> object:
            found.clear()  # a retried page starts afresh
            return _read(net.parse_json(body, LABEL), spec, found)

        position = hosts.paced_read(url, LABEL, "BOJ", read)
        for day, value in found.items():
            if day in rows:
                raise BadReply(f"{LABEL} sent {day} more than once")
            rows[day] = value
        if position is None:
            return to_series(rows)
    raise BadReply(f"{LABEL} kept paging after {MAX_PAGES} pages")


def _read(payload: object, spec: BojSource, rows: dict[date, float]) -> object:
    if not isinstance(payload, dict) or "STATUS" not in payload:
        raise BadReply(f"{LABEL} reply has no STATUS")
    _check_status(payload, spec)
    results = payload.get("RESULTSET")
    if not isinstance(results, list):
        raise BadReply(f"{LABEL} reply has no RESULTSET list")
    for result in results:
        _read_result(result, spec, rows)
    return payload.get("NEXTPOSITION")


def _check_status(payload: dict[str, object], spec: BojSource) -> None:
    """STATUS 200 passes; a server error is transient, an unknown series not found, the rest
    a refusal."""
    status, message_id = payload.get("STATUS"), str(payload.get("MESSAGEID") or "")
    message = net.clean(payload.get("MESSAGE") or "", 100)
    if status in (500, 503):
        raise Transient(f"{LABEL} server error (STATUS {status} {message_id})")
    if status != 200:
        if message_id == "M181013E":
            raise NotFound(f"{LABEL} has no series {spec.db} {spec.code} ({message_id})")
        raise SourceError(f"{LABEL} refused the request (STATUS {status} {message_id}: {message})")


def _read_result(result: object, spec: BojSource, rows: dict[date, float]) -> None:
    """One RESULTSET entry's dates and values into ``rows``, each date once."""
    values = result.get("VALUES") if isinstance(result, dict) else None
    dates = values.get("SURVEY_DATES") if isinstance(values, dict) else None
    numbers = values.get("VALUES") if isinstance(values, dict) else None
    if not isinstance(dates, list) or not isinstance(numbers, list):
        raise BadReply(f"{LABEL} reply has a result without SURVEY_DATES and VALUES")
    if len(dates) != len(numbers):
        raise BadReply(f"{LABEL} sent dates and values of different lengths")
    for raw_day, raw in zip(dates, numbers, strict=True):
        day = _day(raw_day, spec.frequency)
        if day in rows:
            raise BadReply(f"{LABEL} sent {day} more than once")
        rows[day] = _value(raw, day)


def _day(raw: object, frequency: str) -> date:
    text = str(raw)
    try:
        if len(text) == 8:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if len(text) == 6 and frequency == "quarterly":
            return date(int(text[:4]), 1 + (int(text[4:]) - 1) * 3, 1)
        if len(text) == 6:
            return date(int(text[:4]), int(text[4:]), 1)
        if len(text) == 4:
            return date(int(text), 1, 1)
    except ValueError:
        pass
    raise BadReply(f"{LABEL} sent a survey date {net.clean(raw, 20)!r} that is not a date")


def _value(raw: object, day: date) -> float:
    if raw is None:
        return math.nan
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise BadReply(f"{LABEL} sent a non-numeric value {net.clean(raw, 20)!r} on {day}")
    return float(raw)
