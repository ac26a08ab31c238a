"""A fake Coinbase Exchange candles endpoint (``/products/{id}/candles``) in its real shape.

Replies are ``[[time, low, high, open, close, volume], ...]`` newest first, ``time`` the UTC
bucket start; more than 300 candles in one request is refused with HTTP 400 like the real API,
and an unknown product answers 404 ``{"message": "NotFound"}``.
"""

from __future__ import annotations

from datetime import datetime

from tests.fakes.base import FakeServer, Reply, json_reply, midnight_utc

TOO_MANY = (
    "granularity too small for the requested time range. "
    "Count of aggregations requested exceeds 300"
)


def _parse_time(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def _number(value: str) -> object:
    try:
        return float(value)
    except ValueError:
        return value


class FakeCrypto(FakeServer):
    SOURCE = "crypto"

    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        parts = path.strip("/").split("/")
        return parts[1] if len(parts) == 3 and parts[0] == "products" else None

    def route(self, path: str, query: dict[str, str]) -> Reply:
        product = self.series_of(path, query)
        if product is None or not path.endswith("/candles"):
            return Reply(404, b'{"message":"NotFound"}')
        if product not in self.rows:
            return Reply(404, b'{"message":"NotFound"}')
        if query.get("granularity") != "86400":
            return Reply(400, b'{"message":"Unsupported granularity"}')
        start, end = _parse_time(query["start"]), _parse_time(query["end"])
        if (end - start) // 86400 + 1 > 300:
            return json_reply({"message": TOO_MANY}, 400)
        candles = []
        for day, value in self.rows[product]:
            stamp = midnight_utc(day)
            if start <= stamp <= end:
                close = _number(value)
                candles.append([stamp, close, close, close, close, 1234.5])
        candles.reverse()
        return json_reply(candles)
