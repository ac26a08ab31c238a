"""A fake NY Fed Markets API serving Treasury operation results in the real JSON shape.

``/api/tsy/purchases/results/summary/search.json?startDate=&endDate=`` answers
``{"treasury": {"auctions": [...]}}`` with one "Outright Bill Purchase" result per row of
``FED_RMP_BILL_PURCHASES`` (amount in dollars, as a string like the live feed), and mixes in
what the fetcher must ignore: coupon purchases, a bill purchase before the RMP start, an
announcement that has no result yet. The first RMP date is split in two operations, so the
per-date sum is exercised.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from tests.fakes.base import FakeServer, Reply, load_rows

SERIES = "FED_RMP_BILL_PURCHASES"


def _dollars(value: str) -> str:
    try:
        return str(round(float(value) * 1e9))
    except ValueError:
        return value  # junk passes through, as a test asked for it


def operation(day: str, accepted: str, number: int, kind: str = "Outright Bill Purchase") -> dict:
    when = date.fromisoformat(day)
    return {
        "operationId": f"OR {when:%m%d%y} {number}",
        "auctionStatus": "Results",
        "operationType": kind,
        "operationDate": day,
        "settlementDate": (when + timedelta(days=1)).isoformat(),
        "maturityRangeStart": (when + timedelta(days=30)).isoformat(),
        "maturityRangeEnd": (when + timedelta(days=120)).isoformat(),
        "operationDirection": "P",
        "auctionMethod": "Multiple Price",
        "releaseTime": "09:00",
        "closeTime": "09:20",
        "totalParAmtSubmitted": "39346000000",
        "totalParAmtAccepted": accepted,
        "note": "",
        "lastUpdated": f"{day} 09:20:55",
    }


class FakeNyFed(FakeServer):
    """``origin`` is what NYFED_API_ROOT must be set to."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(load_rows(Path(data_dir) / "series" / "nyfed"))
        self.extra_operations: list[dict] = []

    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        return SERIES if "/api/tsy/" in path else None

    def operations(self) -> list[dict]:
        ops: list[dict] = [
            operation("2025-11-20", "5000000000", 7),  # a bill purchase before RMPs began
            {**operation("2026-08-27", "", 9), "auctionStatus": "Announcement"},
        ]
        for number, (day, value) in enumerate(self.rows.get(SERIES, []), start=20):
            amount = _dollars(value)
            if number == 20 and amount.isdigit():
                first = str(int(amount) - 3_000_000_000)
                ops += [operation(day, first, number), operation(day, "3000000000", 99)]
            else:
                ops.append(operation(day, amount, number))
            if number % 5 == 0:
                ops.append(operation(day, "1200000000", number + 500, "Outright Coupon Purchase"))
        return ops + self.extra_operations

    def repeat_operation(self, day: str) -> None:
        """List one operation a second time (same operationId): a duplicated record."""
        self.extra_operations.append(
            next(op for op in self.operations() if op["operationDate"] == day)
        )

    def route(self, path: str, query: dict[str, str]) -> Reply:
        if path != "/api/tsy/purchases/results/summary/search.json":
            return Reply(400, b'{"error":"invalid request"}')
        start = query.get("startDate", "0000-00-00")
        end = query.get("endDate", "9999-99-99")
        if self.ignore_range:
            start, end = "0000-00-00", "9999-99-99"
        chosen = [op for op in self.operations() if start <= op["operationDate"] <= end]
        return Reply(200, json.dumps({"treasury": {"auctions": chosen}}).encode())
