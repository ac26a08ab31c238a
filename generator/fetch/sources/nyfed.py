"""NY Fed Markets Data API (keyless): reference rates, repo and reverse repo operations, and
Treasury bill purchases flagged as reserve management.

Which series a model asks for is its ``dataset`` (``catalogue/sources.py`` ``NyfedSource``):

- ``sofr``, ``tgcr``, ``bgcr`` (``/api/rates/secured/<name>/search.json``), ``effr``, ``obfr``
  (``/api/rates/unsecured/<name>/search.json``), with ``startDate``/``endDate``; the reply is
  ``{"refRates": [{"effectiveDate", "type", "percentRate", "percentPercentile1", ...25, ...75,
  ...99, "volumeInBillions", "revisionIndicator"}]}``; ``field`` picks the figure (the 99th
  percentile is the SOFR tail).
- ``reverse-repo`` and ``repo`` (``/api/rp/<reverserepo|repo>/all/results/search.json``): the
  reply is ``{"repo": {"operations": [{"operationId", "operationDate", "operationType",
  "operationMethod", "totalAmtAccepted", "note", ...}]}}`` with amounts in dollars; the series
  is the amount accepted per operation date in billions (ON RRP; the Standing Repo Facility,
  whose days with operations but nothing taken are zeros). Small value exercises are left out.
- ``rmp-bill-purchases``: ``FED_RMP_BILL_PURCHASES`` is the par amount accepted in outright
  bill purchase operations, in billions of dollars, summed per operation date, from 2025-12-12
  (the first reserve management purchase) on. The API's summary results carry no RMP flag of
  their own, so the flag is the same rule the snapshot was built with: operation type
  "Outright Bill Purchase", direction P, status Results, on or after 2025-12-12. Endpoint:
  ``/api/tsy/purchases/results/summary/search.json?startDate=YYYY-MM-DD&endDate=YYYY-MM-DD``,
  reply ``{"treasury": {"auctions": [{"operationId", "operationDate", "operationType",
  "operationDirection", "auctionStatus", "totalParAmtAccepted", ...}]}}`` with amounts in
  dollars (strings in the live feed, numbers tolerated).

Base URL from ``NYFED_API_ROOT``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import pandas as pd

from generator.catalogue.sources import NYFED_DEFAULTS, NYFED_RATES, NyfedSource, SourceSpec
from generator.fetch.sources import (
    BadReply,
    SourceError,
    default_host,
    hosts,
    net,
    to_series,
    today,
)

DEFAULT_ROOT = "https://markets.newyorkfed.org"
RMP_START = date(2025, 12, 12)
RATES_START = date(2018, 4, 2)  # SOFR's first publication; the API's history of every rate
RP_START = date(2013, 9, 23)  # the first ON RRP exercise; repo history begins later
# The one-line form's map (``source: nyfed`` alone): kept for forks that call source_id.
SERIES = dict(NYFED_DEFAULTS)
LABEL = "NY Fed"


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
    return _rmp(since)


def fetch_spec(spec: SourceSpec, series_id: str, since: date | None) -> pd.Series:
    """The dataset a ``NyfedSource`` names, from ``since`` on."""
    if not isinstance(spec, NyfedSource):
        raise SourceError(f"{series_id}: not a NY Fed series")
    if spec.dataset == "rmp-bill-purchases":
        return _rmp(since)
    if spec.dataset in NYFED_RATES:
        kind = "secured" if spec.dataset in ("sofr", "tgcr", "bgcr") else "unsecured"
        payload = _get(f"/api/rates/{kind}/{spec.dataset}/search.json", since or RATES_START)
        return _rates(payload, spec.field or "percentRate")
    path = "reverserepo" if spec.dataset == "reverse-repo" else "repo"
    return _accepted_per_day(_get(f"/api/rp/{path}/all/results/search.json", since or RP_START))


def host(spec: SourceSpec) -> str:
    return default_host("NYFED", DEFAULT_ROOT)


def _get(path: str, start: date) -> object:
    end = max(today(), start)
    root = net.api_root("NYFED", DEFAULT_ROOT)
    url = f"{root}{path}?startDate={start.isoformat()}&endDate={end.isoformat()}"
    return hosts.paced_json(url, LABEL, "NYFED")


def _rmp(since: date | None) -> pd.Series:
    start = max(since or RMP_START, RMP_START)
    return _rmp_per_day(_get("/api/tsy/purchases/results/summary/search.json", start))


def _items(payload: object, path: tuple[str, ...], what: str) -> Iterator[dict[str, Any]]:
    """The objects listed at ``path`` in a reply (``("repo", "operations")``), one by one."""
    found: object = payload
    for name in path:
        found = found.get(name) if isinstance(found, dict) else None
    if not isinstance(found, list):
        raise BadReply(f"NY Fed reply has no {'.'.join(path)} list")
    for item in found:
        if not isinstance(item, dict):
            raise BadReply(f"NY Fed reply has {what} that is not an object")
        yield item


def _billions_per_day(accepted: Iterable[tuple[date, object, object]]) -> pd.Series:
    """``(day, the operation's identity, dollars accepted)`` summed per day, in billions; an
    operation listed twice is refused, not counted twice."""
    totals: dict[date, float] = defaultdict(float)
    seen: set[object] = set()
    for day, key, raw in accepted:
        if key in seen:
            raise BadReply(f"NY Fed listed the operation of {day} more than once")
        seen.add(key)
        totals[day] += _number(raw, day, "accepted amount")
    return to_series({day: round(total / 1e9, 6) for day, total in totals.items()})


def _rates(payload: object, field: str) -> pd.Series:
    rows: dict[date, float] = {}
    for rate in _items(payload, ("refRates",), "a rate"):
        day = _day(rate.get("effectiveDate"))
        if day in rows:
            raise BadReply(f"NY Fed listed the rate of {day} more than once")
        raw = rate.get(field)
        rows[day] = math.nan if raw in (None, "") else _number(raw, day, field)
    return to_series(rows)


def _accepted_per_day(payload: object) -> pd.Series:
    def accepted() -> Iterator[tuple[date, object, object]]:
        for operation in _items(payload, ("repo", "operations"), "an operation"):
            if "small value" in str(operation.get("note") or "").lower():
                continue  # a test of the plumbing, not a use of the facility
            raw = operation.get("totalAmtAccepted")
            if raw is None:
                continue  # announced, no result yet
            day = _day(operation.get("operationDate"))
            yield day, operation.get("operationId") or (day, operation.get("closeTime")), raw

    return _billions_per_day(accepted())


def _rmp_per_day(payload: object) -> pd.Series:
    def accepted() -> Iterator[tuple[date, object, object]]:
        for operation in _items(payload, ("treasury", "auctions"), "an operation"):
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
            yield day, key, operation.get("totalParAmtAccepted")

    return _billions_per_day(accepted())


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


def _number(raw: object, day: date, what: str) -> float:
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or isinstance(raw, bool):
        raise BadReply(f"NY Fed sent a non-numeric {what} {net.clean(raw, 20)!r} on {day}")
    return value
