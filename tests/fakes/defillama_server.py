"""A fake DefiLlama stablecoins API: ``/stablecoincharts/<chain>[?stablecoin=<id>]``.

The reply is the live shape: a JSON array, one object per UTC day, ``date`` the day's midnight
in Unix seconds as a string, with ``totalCirculating``, ``totalCirculatingUSD``,
``totalMintedUSD`` and ``totalBridgedToUSD`` mappings per peg. ``rows["all"]`` holds the total
dollar supply per day; the fake splits it into ``peggedUSD`` and a small ``peggedEUR`` part
(``EUR_SHARE``), and lists today's still-moving point too, as DefiLlama does.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from tests.fakes.base import FakeServer, Reply

EUR = 250000000.0  # dollars of euro stablecoins per day, split out of each total
ROWS = [
    ["2026-08-18", "281023456789"],
    ["2026-08-19", "281456789012"],
    ["2026-08-20", "282001234567"],
]


class FakeDefiLlama(FakeServer):
    def __init__(self) -> None:
        super().__init__({"all": [list(row) for row in ROWS]})
        self.today = "2026-08-28"

    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        return path.rsplit("/", 1)[-1] if path.startswith("/stablecoincharts/") else None

    def route(self, path: str, query: dict[str, str]) -> Reply:
        chain = self.series_of(path, query)
        if chain is None or chain not in self.rows:
            return Reply(404, b'{"message":"chain not found"}')
        points = []
        rows = self.rows[chain] + [[self.today, self.rows[chain][-1][1]]]
        for day, value in rows:
            stamp = int(
                datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).timestamp()
            )
            total = float(value)
            usd = {"peggedUSD": total - EUR, "peggedEUR": EUR}
            points.append(
                {
                    "date": str(stamp),
                    "totalCirculating": {"peggedUSD": total - EUR, "peggedEUR": EUR / 1.1},
                    "totalCirculatingUSD": usd,
                    "totalMintedUSD": usd,
                    "totalBridgedToUSD": {"peggedUSD": 0},
                }
            )
        return Reply(200, json.dumps(points).encode())
