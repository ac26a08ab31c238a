"""A fake DefiLlama stablecoins API: ``/stablecoincharts/<chain>[?stablecoin=<id>]``.

The reply is the live shape: a JSON array, one object per UTC day, ``date`` the day's midnight
in Unix seconds as a string, with ``totalCirculating``, ``totalCirculatingUSD``,
``totalMintedUSD`` and ``totalBridgedToUSD`` mappings per peg. ``rows["all"]`` holds the
dollar-pegged supply per day (``peggedUSD``, what ``STABLECOINS_TOTAL_USD`` stores); the fake
adds a small ``peggedEUR`` part on top (``EUR``, in dollars), and lists today's still-moving
point too, as DefiLlama does. Given a snapshot folder it serves that series' stored rows.
"""

from __future__ import annotations

from pathlib import Path

from tests.fakes.base import FakeServer, Reply, json_reply, midnight_utc

EUR = 250000000.0  # dollars of euro stablecoins per day, on top of the dollar-pegged supply
SERIES = "STABLECOINS_TOTAL_USD"  # the snapshot's series served as chain "all"
ROWS = [
    ["2026-08-18", "281023456789"],
    ["2026-08-19", "281456789012"],
    ["2026-08-20", "282001234567"],
]


class FakeDefiLlama(FakeServer):
    SOURCE = "defillama"
    SAMPLE = {"all": ROWS}

    def __init__(self, data_dir: Path | None = None) -> None:
        super().__init__(data_dir)
        if SERIES in self.rows:  # the snapshot's series is DefiLlama's chain "all"
            self.rows["all"] = self.rows.pop(SERIES)
        self.today = "2026-08-28"

    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        return path.rsplit("/", 1)[-1] if path.startswith("/stablecoincharts/") else None

    def route(self, path: str, query: dict[str, str]) -> Reply:
        chain = self.series_of(path, query)
        if chain is None or chain not in self.rows:
            return Reply(404, b'{"message":"chain not found"}')
        points = []
        for day, value in [*self.rows[chain], [self.today, self.rows[chain][-1][1]]]:
            usd = {"peggedUSD": float(value), "peggedEUR": EUR}
            points.append(
                {
                    "date": str(midnight_utc(day)),
                    "totalCirculating": {"peggedUSD": float(value), "peggedEUR": EUR / 1.1},
                    "totalCirculatingUSD": usd,
                    "totalMintedUSD": usd,
                    "totalBridgedToUSD": {"peggedUSD": 0},
                }
            )
        return json_reply(points)
