"""Index closes (S&P 500, Russell 2000) from Yahoo Finance's chart endpoint, keyless.

Why Yahoo: FRED carries neither the Russell 2000 nor more than ten years of the S&P 500,
Stooq's CSV download now wants an API key and answers scripts with a browser challenge, and the
snapshot's own history of both indices is Yahoo's (``^GSPC``, ``^RUT``), so new rows join it
without a seam. Yahoo's terms allow personal, non-commercial use only, which is why both series
are ``redistribute: false`` and only derived ratios are published.

Endpoint: ``/v8/finance/chart/{symbol}?period1=<unix>&period2=<unix>&interval=1d``, reply
``{"chart": {"result": [{"meta": {"exchangeTimezoneName": ...}, "timestamp": [...],
"indicators": {"quote": [{"close": [...]}]}}], "error": null}}``; an unknown symbol is
``{"chart": {"result": null, "error": {"code": "Not Found", ...}}}`` (HTTP 404). Closes arrive
as float32 noise (7674.3701171875) and are rounded to the index's two decimals. Base URL from
``MARKET_API_ROOT``.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from generator.catalogue.sources import MARKET_DEFAULTS, MarketSource, SourceSpec
from generator.fetch.sources import (
    BadReply,
    NotFound,
    SourceError,
    default_host,
    hosts,
    json_number,
    net,
    one_per_day,
    to_series,
    today,
    today_overridden,
)

DEFAULT_ROOT = "https://query1.finance.yahoo.com"
SYMBOLS = dict(MARKET_DEFAULTS)  # the one-line form's map, now in catalogue/sources.py
SYMBOL = re.compile(r"^\^?[A-Z0-9][A-Z0-9.=-]{0,19}$")
SESSION_DONE = time(16, 15)  # the close is final a little after 16:00 exchange time
FIRST_DAY = date(1970, 1, 2)
LABEL = "Yahoo Finance"


def source_id(series_id: str) -> str:
    return SYMBOLS.get(series_id, series_id)


def check_id(series_id: str) -> str | None:
    if not SYMBOL.match(source_id(series_id)):
        return f"series {series_id!r}: {source_id(series_id)!r} is not a valid market symbol"
    return None


def fetch(series_id: str, source_id: str, since: date | None) -> pd.Series:
    """Daily closes of ``source_id`` from ``since`` on; the unfinished session is left out."""
    if not SYMBOL.match(source_id):
        raise SourceError(f"{source_id!r} is not a valid market symbol")
    start = since or FIRST_DAY
    end = today() + timedelta(days=1)
    root = net.api_root("MARKET", DEFAULT_ROOT)
    url = (
        f"{root}/v8/finance/chart/{urllib.parse.quote(source_id, safe='')}"
        f"?period1={_unix(start)}&period2={_unix(end)}&interval=1d"
        "&includePrePost=false&events=history"
    )
    payload = hosts.paced_json(url, LABEL, "MARKET", {"Accept": "application/json"})
    return _closes(payload, source_id)


def _unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _closes(payload: object, symbol: str) -> pd.Series:
    chart = payload.get("chart") if isinstance(payload, dict) else None
    if not isinstance(chart, dict):
        raise BadReply("Yahoo Finance reply has no 'chart' object")
    error = chart.get("error")
    if isinstance(error, dict):
        code = str(error.get("code", ""))
        if "not found" in code.lower():
            raise NotFound(f"Yahoo Finance has no symbol {symbol}")
        raise SourceError(f"Yahoo Finance error: {net.clean(code or error, 80)}")
    results = chart.get("result")
    if not isinstance(results, list) or not results or not isinstance(results[0], dict):
        raise BadReply("Yahoo Finance reply has no chart result")
    result = results[0]
    stamps = result.get("timestamp") or []
    quotes = (result.get("indicators") or {}).get("quote") or [{}]
    closes = (quotes[0] or {}).get("close") or []
    if len(stamps) != len(closes):
        raise BadReply("Yahoo Finance sent timestamps and closes of different lengths")
    zone = _zone(result.get("meta") or {})
    last_complete = _last_complete_session(zone)
    listed = zip(stamps, closes, strict=True)
    days = ((datetime.fromtimestamp(int(stamp), zone).date(), close) for stamp, close in listed)
    rows = one_per_day(days, LABEL, _value)
    return to_series({day: value for day, value in rows.items() if day <= last_complete})


def _value(close: object, day: date) -> float:
    if close is None:
        return math.nan  # a day Yahoo lists without a close: missing, never zero
    return round(json_number(close, LABEL, "close", day), 2)


def _zone(meta: dict[str, Any]) -> tzinfo:
    name = meta.get("exchangeTimezoneName")
    if isinstance(name, str):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    offset = meta.get("gmtoffset")
    if isinstance(offset, int):
        return timezone(timedelta(seconds=offset))
    try:
        return ZoneInfo("America/New_York")
    except ZoneInfoNotFoundError:  # no tz database (e.g. Windows without tzdata)
        return timezone(timedelta(hours=-5))


def _last_complete_session(zone: tzinfo) -> date:
    """Yesterday, or today once the session has closed; with UPDATE_TODAY, the day before it."""
    if today_overridden():
        return today() - timedelta(days=1)
    now = datetime.now(zone)
    return now.date() if now.time() >= SESSION_DONE else now.date() - timedelta(days=1)


def fetch_spec(spec: SourceSpec, series_id: str, since: date | None) -> pd.Series:
    """The series a ``MarketSource`` describes (see ``fetch``)."""
    if not isinstance(spec, MarketSource):
        raise SourceError(f"{series_id}: not a {LABEL} series")
    return fetch(series_id, spec.symbol, since)


def host(spec: SourceSpec) -> str:
    return default_host("MARKET", DEFAULT_ROOT)
