"""A fake Yahoo Finance chart endpoint (``/v8/finance/chart/{symbol}``) in its real JSON shape.

Daily bars are stamped at the 09:30 New York open, closes carry float32 noise
(7674.3701171875) like the live feed, days without a close are ``null``, and an unknown symbol
answers HTTP 404 with ``{"chart": {"result": null, "error": {"code": "Not Found", ...}}}``.
"""

from __future__ import annotations

import struct
import urllib.parse
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tests.fakes.base import FakeServer, Reply, json_reply

NEW_YORK = ZoneInfo("America/New_York")
SYMBOLS = {"^GSPC": "SP500", "^RUT": "RUT"}


def float32(value: float) -> float:
    """The value as the live feed sends it: rounded to single precision."""
    return struct.unpack("f", struct.pack("f", value))[0]


def open_stamp(day: str) -> int:
    return int(datetime.combine(date.fromisoformat(day), time(9, 30), NEW_YORK).timestamp())


def _close(value: str) -> object:
    if value in ("", "."):
        return None
    try:
        return float32(float(value))
    except ValueError:
        return value  # junk passes through, as a test asked for it


def not_found_reply() -> Reply:
    error = {"code": "Not Found", "description": "No data found, symbol may be delisted"}
    return json_reply({"chart": {"result": None, "error": error}}, 404)


class FakeMarket(FakeServer):
    SOURCE = "market"

    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        symbol = urllib.parse.unquote(path.rsplit("/", 1)[-1])
        return SYMBOLS.get(symbol, symbol)

    def route(self, path: str, query: dict[str, str]) -> Reply:
        if not path.startswith("/v8/finance/chart/"):
            return Reply(404, b'{"finance":{"result":null,"error":{"code":"Not Found"}}}')
        symbol = urllib.parse.unquote(path.rsplit("/", 1)[-1])
        series = SYMBOLS.get(symbol, symbol)
        if series not in self.rows:
            return not_found_reply()
        start, end = int(query.get("period1", "0")), int(query.get("period2", "9999999999"))
        if self.ignore_range:
            start, end = 0, 99999999999
        rows = [
            (open_stamp(day), value)
            for day, value in self.rows[series]
            if start <= open_stamp(day) < end
        ]
        closes = [_close(value) for _, value in rows]
        meta = {
            "currency": "USD",
            "symbol": symbol,
            "exchangeName": "SNP",
            "instrumentType": "INDEX",
            "gmtoffset": -14400,
            "timezone": "EDT",
            "exchangeTimezoneName": "America/New_York",
            "dataGranularity": "1d",
            "range": "",
        }
        result = {
            "meta": meta,
            "timestamp": [stamp for stamp, _ in rows],
            "indicators": {
                "quote": [{"open": closes, "high": closes, "low": closes, "close": closes}],
                "adjclose": [{"adjclose": closes}],
            },
        }
        return json_reply({"chart": {"result": [result], "error": None}})
