"""A fake NY Fed Markets API serving Treasury operations, reference rates and repo operations
in the real JSON shapes.

Rates: ``/api/rates/<secured|unsecured>/<name>/search.json`` answers ``{"refRates": [...]}``,
one object per ``rates[name]`` row with ``effectiveDate``, ``type``, ``percentRate``, the
1st/25th/75th/99th percentiles (the rate -0.05, -0.01, +0.01, +0.08) and ``volumeInBillions``.
Repo and reverse repo: ``/api/rp/<repo|reverserepo>/all/results/search.json`` answers
``{"repo": {"operations": [...]}}`` with ``rp[kind]`` (amounts in dollars) when a test set it,
else, for repo, one Standing Repo Facility operation per row of ``SRF_USAGE`` (the first day
with an amount taken split in a morning and an afternoon operation, and a small value exercise
beside it, which the fetcher must leave out).

``/api/tsy/purchases/results/summary/search.json?startDate=&endDate=`` answers
``{"treasury": {"auctions": [...]}}`` with one "Outright Bill Purchase" result per row of
``FED_RMP_BILL_PURCHASES`` (amount in dollars, as a string like the live feed), and mixes in
what the fetcher must ignore: coupon purchases, a bill purchase before the RMP start, an
announcement that has no result yet. The first RMP date is split in two operations, so the
per-date sum is exercised.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tests.fakes.base import FakeServer, Reply, json_reply

SERIES = "FED_RMP_BILL_PURCHASES"
REPO_SERIES = "SRF_USAGE"


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
    SOURCE = "nyfed"

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        self.extra_operations: list[dict] = []
        self.rates: dict[str, list[list[str]]] = {}
        self.rp: dict[str, list[dict] | None] = {"repo": None, "reverserepo": []}

    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        if "/api/tsy/" in path:
            return SERIES
        parts = path.split("/")
        if len(parts) > 4 and parts[2] == "rp":
            return parts[3]  # repo or reverserepo
        return parts[4] if len(parts) > 4 and parts[2] == "rates" else None

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

    def repo_operations(self) -> list[dict]:
        """``rp["repo"]`` when a test set it, else the operations ``SRF_USAGE`` sums."""
        chosen = self.rp["repo"]
        if chosen is not None:
            return chosen
        ops: list[dict] = []
        for number, (day, value) in enumerate(self.rows.get(REPO_SERIES, []), start=1):
            text = _dollars(value)
            amount: object = int(text) if text.isdigit() else text  # junk passes through
            if isinstance(amount, int) and amount > 0 and not any(o["note"] for o in ops):
                half = amount // 2
                ops += [
                    rp_operation(day, "Repo", half, number),
                    rp_operation(day, "Repo", amount - half, 9000 + number),
                    rp_operation(day, "Repo", 1_000_000, 8000, note="Small value exercise"),
                ]
            else:
                ops.append(rp_operation(day, "Repo", amount, number))
        return ops

    def repeat_operation(self, day: str) -> None:
        """List one operation a second time (same operationId): a duplicated record."""
        self.extra_operations.append(
            next(op for op in self.operations() if op["operationDate"] == day)
        )

    def route(self, path: str, query: dict[str, str]) -> Reply:
        if path.startswith(("/api/rates/", "/api/rp/")):
            return self.route_markets(path, query)
        if path != "/api/tsy/purchases/results/summary/search.json":
            return Reply(400, b'{"error":"invalid request"}')
        start, end = self.window(query, "startDate", "endDate")
        chosen = [op for op in self.operations() if start <= op["operationDate"] <= end]
        return json_reply({"treasury": {"auctions": chosen}})

    def route_markets(self, path: str, query: dict[str, str]) -> Reply:
        start, end = self.window(query, "startDate", "endDate")
        parts = path.split("/")
        if parts[2] == "rates" and parts[4] in self.rates and path.endswith("/search.json"):
            refs = [rate_object(parts[4], day, value) for day, value in self.rates[parts[4]]]
            chosen = [r for r in refs if start <= r["effectiveDate"] <= end]
            return json_reply({"refRates": chosen})
        if parts[2] == "rp" and parts[3] in self.rp and path.endswith("/results/search.json"):
            listed = self.repo_operations() if parts[3] == "repo" else self.rp[parts[3]] or []
            ops = [op for op in listed if start <= op["operationDate"] <= end]
            return json_reply({"repo": {"operations": ops}})
        return Reply(400, b'{"error":"invalid request"}')


def rate_object(name: str, day: str, value: str) -> dict:
    rate = float(value)
    return {
        "effectiveDate": day,
        "type": name.upper(),
        "percentRate": rate,
        "percentPercentile1": round(rate - 0.05, 2),
        "percentPercentile25": round(rate - 0.01, 2),
        "percentPercentile75": round(rate + 0.01, 2),
        "percentPercentile99": round(rate + 0.08, 2),
        "volumeInBillions": 2871,
        "revisionIndicator": "",
    }


def rp_operation(day: str, kind: str, accepted: object, number: int, note: str = "") -> dict:
    """One repo ("Repo") or reverse repo ("Reverse Repo") operation result, amounts in dollars."""
    when = date.fromisoformat(day)
    return {
        "operationId": f"RP {when:%m%d%y} {number}",
        "auctionStatus": "Results",
        "operationDate": day,
        "settlementDate": day,
        "maturityDate": (when + timedelta(days=1)).isoformat(),
        "operationType": kind,
        "operationMethod": "Full Allotment" if kind == "Repo" else "Fixed Rate",
        "settlementType": "Same Day",
        "termCalenderDays": 1,
        "term": "Overnight",
        "releaseTime": "13:30",
        "closeTime": "13:45",
        "note": note,
        "lastUpdated": f"{day} 13:46:02",
        "participatingCpty": 3,
        "acceptedCpty": 3,
        "totalAmtSubmitted": accepted,
        "totalAmtAccepted": accepted,
        "details": [
            {"securityType": "Treasury", "amtSubmitted": accepted, "amtAccepted": accepted}
        ],
    }
