"""Daily USD closes of BTC, ETH and BNB from Coinbase Exchange's public candles, keyless.

Why Coinbase Exchange: a documented, keyless market-data endpoint run by a US exchange, so it
answers GitHub's US-hosted runners (Binance refuses US addresses; CoinGecko's keyless plan is
being retired in favour of keyed "demo" plans and limits history to a year). Daily candles are
UTC days, the same day convention as the snapshot's history, and the close is the last trade of
the day. The data remain Coinbase's property: its market-data terms restrict redistribution and
building indexes or benchmarks from it without consent, so the series stay
``redistribute: false`` and the site shows charts and derived returns with attribution only.

Endpoint: ``/products/{product}/candles?granularity=86400&start=ISO&end=ISO``, reply a JSON
array of ``[time, low, high, open, close, volume]`` rows, newest first, ``time`` the bucket
start in Unix seconds; at most 300 candles per request, so long ranges are paged. An unknown
product answers 404 ``{"message": "NotFound"}``. Today's candle is still moving and is dropped.
Base URL from ``CRYPTO_API_ROOT``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from generator.catalogue.sources import CryptoSource, SourceSpec
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
)

DEFAULT_ROOT = "https://api.exchange.coinbase.com"
PRODUCT = re.compile(r"^[A-Z0-9]{2,10}-USD$")
FIRST_DAY = date(2015, 1, 1)
PAGE_DAYS = 299  # Coinbase rejects requests spanning more than 300 candles
LABEL = "Coinbase Exchange"


def source_id(series_id: str) -> str:
    return series_id


def check_id(series_id: str) -> str | None:
    if not PRODUCT.match(source_id(series_id)):
        return f"series {series_id!r}: a crypto series id must be a Coinbase product like BTC-USD"
    return None


def fetch(series_id: str, source_id: str, since: date | None) -> pd.Series:
    """Closes of completed UTC days from ``since`` on, paging 299 days per request."""
    if not PRODUCT.match(source_id):
        raise SourceError(f"{source_id!r} is not a Coinbase product id")
    root = net.api_root("CRYPTO", DEFAULT_ROOT)
    first, stop = since or FIRST_DAY, today()
    rows: dict[date, float] = {}
    while first < stop:
        last = min(first + timedelta(days=PAGE_DAYS), stop) - timedelta(days=1)
        url = (
            f"{root}/products/{source_id}/candles?granularity=86400"
            f"&start={first.isoformat()}T00:00:00Z&end={last.isoformat()}T23:59:59Z"
        )
        page = _page(url, source_id)
        for day, close in page.items():
            if first <= day <= last:
                rows[day] = close
        first = last + timedelta(days=1)
    return to_series(rows)


def _page(url: str, product: str) -> dict[date, float]:
    try:
        payload = hosts.paced_json(url, LABEL, "CRYPTO")
    except NotFound:
        raise NotFound(f"Coinbase Exchange does not list {product}") from None
    if isinstance(payload, dict):
        raise SourceError(f"Coinbase Exchange refused: {net.clean(payload.get('message', ''), 80)}")
    if not isinstance(payload, list):
        raise BadReply("Coinbase Exchange reply is not a list of candles")
    return one_per_day((_candle(candle) for candle in payload), LABEL, _close)


def _candle(candle: object) -> tuple[date, object]:
    """A candle's UTC day and close."""
    if not isinstance(candle, list) or len(candle) < 5 or not isinstance(candle[0], int):
        raise BadReply(f"{LABEL} sent a candle that is not [time, low, high, open, close, ...]")
    return datetime.fromtimestamp(candle[0], UTC).date(), candle[4]


def _close(value: object, day: date) -> float:
    return round(json_number(value, LABEL, "close", day), 8)


def fetch_spec(spec: SourceSpec, series_id: str, since: date | None) -> pd.Series:
    """The series a ``CryptoSource`` describes (see ``fetch``)."""
    if not isinstance(spec, CryptoSource):
        raise SourceError(f"{series_id}: not a {LABEL} series")
    return fetch(series_id, spec.product, since)


def host(spec: SourceSpec) -> str:
    return default_host("CRYPTO", DEFAULT_ROOT)
