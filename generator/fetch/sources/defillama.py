"""DefiLlama's stablecoin supply (keyless): ``stablecoins.llama.fi/stablecoincharts/<chain>``
(``all`` for every chain), with ``?stablecoin=<id>`` for one coin.

The reply is a JSON array, one object per UTC day: ``{"date": "1511913600", "totalCirculating":
{"peggedUSD": ...}, "totalCirculatingUSD": {"peggedUSD": ..., "peggedEUR": ...}, ...}`` with
``date`` the day's midnight in Unix seconds (a string in the live feed). The series is the
dollar value of the peg asked for, or of all pegs summed. The whole history comes back each
time and DefiLlama recomputes it (a coin added later enters past days), so every fetch is a
vintage: the revision window keeps the last 90 days in step, and older differences stay as
they were stored (the site states the caveat). Base URL from ``DEFILLAMA_API_ROOT``.
"""

from __future__ import annotations

import math
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pandas as pd

from generator.catalogue.sources import DefiLlamaSource, SourceSpec
from generator.fetch.sources import (
    BadReply,
    SourceError,
    default_host,
    hosts,
    json_number,
    net,
    one_per_day,
    to_series,
    today,
)

DEFAULT_ROOT = "https://stablecoins.llama.fi"
LABEL = "DefiLlama"


def host(spec: SourceSpec) -> str:
    return default_host("DEFILLAMA", DEFAULT_ROOT)


def fetch_spec(spec: SourceSpec, series_id: str, since: date | None) -> pd.Series:
    """Dollar supply per finished UTC day, from ``since`` on."""
    if not isinstance(spec, DefiLlamaSource):
        raise SourceError(f"{series_id}: not a DefiLlama series")
    root = net.api_root("DEFILLAMA", DEFAULT_ROOT)
    url = f"{root}/stablecoincharts/{urllib.parse.quote(spec.chain or 'all', safe='')}"
    if spec.stablecoin is not None:
        url += f"?stablecoin={spec.stablecoin}"
    payload = net.parse_json(hosts.paced_get(url, LABEL, "DEFILLAMA"), LABEL)
    if not isinstance(payload, list):
        raise BadReply(f"{LABEL} reply is not a list of days")

    def listed() -> Iterator[tuple[date, object]]:
        for point in payload:
            if not isinstance(point, dict):
                raise BadReply(f"{LABEL} sent a day that is not an object")
            day = _day(point.get("date"))
            if (since is None or day >= since) and day < today():  # today's figure still moves
                yield day, point.get("totalCirculatingUSD")

    return to_series(one_per_day(listed(), LABEL, lambda raw, day: _supply(raw, spec.peg, day)))


def _day(raw: object) -> date:
    try:
        return datetime.fromtimestamp(int(str(raw)), UTC).date()
    except (TypeError, ValueError, OverflowError, OSError):
        raise BadReply(f"{LABEL} sent a date {net.clean(raw, 20)!r} that is not a time") from None


def _supply(amounts: object, peg: str, day: date) -> float:
    if not isinstance(amounts, dict):
        raise BadReply(f"{LABEL} sent no totalCirculatingUSD on {day}")
    chosen = list(amounts.values()) if peg == "all" else [amounts.get(peg)]
    total = 0.0
    for raw in chosen:
        if raw is None and peg != "all":
            return math.nan
        if raw is None:
            continue
        total += json_number(raw, LABEL, "supply", day)
    return total
