"""NY Fed Markets Data API (keyless): Treasury bill purchases flagged as reserve management.

``FED_RMP_BILL_PURCHASES`` is the par amount accepted in outright bill purchase operations, in
billions of dollars, summed per operation date, from 2025-12-12 (the first reserve management
purchase) on. The API's summary results carry no RMP flag of their own, so the flag is the same
rule the snapshot was built with: operation type "Outright Bill Purchase", direction P, status
Results, on or after 2025-12-12. Endpoint:
``/api/tsy/purchases/results/summary/search.json?startDate=YYYY-MM-DD&endDate=YYYY-MM-DD``,
reply ``{"treasury": {"auctions": [{"operationId", "operationDate", "operationType",
"operationDirection", "auctionStatus", "totalParAmtAccepted", ...}]}}`` with amounts in dollars
(strings in the live feed, numbers tolerated). Base URL from ``NYFED_API_ROOT``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from typing import Any

import pandas as pd

from generator.fetch.sources import BadReply, SourceError, net, to_series, today

DEFAULT_ROOT = "https://markets.newyorkfed.org"
RMP_START = date(2025, 12, 12)
SERIES = {"FED_RMP_BILL_PURCHASES": "rmp-bill-purchases"}
LABEL = "NY Fed"

_pacer = net.Pacer()


def source_id(series_id: str) -> str:
    return SERIES.get(series_id, series_id)


def check_id(series_id: str) -> str | None:
    if series_id not in SERIES:
        return f"series {series_id!r}: the nyfed source only provides {', '.join(SERIES)}"
    return None


def fetch(series_id: str, source_id: str, since: date | None) -> pd.Series:
    """Accepted RMP bill purchases per operation date, in bn USD, from ``since`` on."""
    if check_id(series_id):
        raise SourceError(check_id(series_id) or "")
    start = max(since or RMP_START, RMP_START)
    end = max(today(), start)
    root = net.api_root("NYFED", DEFAULT_ROOT)
    url = (
        f"{root}/api/tsy/purchases/results/summary/search.json"
        f"?startDate={start.isoformat()}&endDate={end.isoformat()}"
    )
    config = net.settings("NYFED")

    def once() -> object:
        _pacer.wait(config.min_interval)
        return net.parse_json(net.get(url, LABEL, config), LABEL)

    return _rmp_per_day(net.with_retries(once, config))


def _rmp_per_day(payload: object) -> pd.Series:
    treasury = payload.get("treasury") if isinstance(payload, dict) else None
    auctions = treasury.get("auctions") if isinstance(treasury, dict) else None
    if not isinstance(auctions, list):
        raise BadReply("NY Fed reply has no treasury.auctions list")
    totals: dict[date, float] = defaultdict(float)
    seen: set[object] = set()
    for operation in auctions:
        if not isinstance(operation, dict):
            raise BadReply("NY Fed reply has an operation that is not an object")
        if not _is_rmp_bill_purchase(operation):
            continue
        day = _day(operation.get("operationDate"))
        if day < RMP_START:
            continue
        key = operation.get("operationId") or (
            day,
            operation.get("maturityRangeStart"),
            operation.get("maturityRangeEnd"),
            operation.get("closeTime"),
        )
        if key in seen:
            raise BadReply(f"NY Fed listed the operation of {day} more than once")
        seen.add(key)
        totals[day] += _amount(operation.get("totalParAmtAccepted"), day)
    return to_series({day: round(total / 1e9, 6) for day, total in totals.items()})


def _is_rmp_bill_purchase(operation: dict[str, Any]) -> bool:
    kind = str(operation.get("operationType", "")).strip().lower()
    direction = str(operation.get("operationDirection", "P")).strip().upper()
    status = str(operation.get("auctionStatus", "Results")).strip().lower()
    return kind == "outright bill purchase" and direction == "P" and status == "results"


def _day(raw: object) -> date:
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        raise BadReply(
            f"NY Fed sent an operation date {net.clean(raw, 20)!r} that is not a date"
        ) from None


def _amount(raw: object, day: date) -> float:
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or isinstance(raw, bool):
        raise BadReply(f"NY Fed sent a non-numeric accepted amount {net.clean(raw, 20)!r} on {day}")
    return value
