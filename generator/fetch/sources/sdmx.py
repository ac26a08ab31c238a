"""SDMX 2.1 REST (keyless): one protocol for the ECB, the BIS, the IMF and many statistics
offices, so a fork adds a central bank's series with a flow and a key in ``indicators.yml``.

Request: ``{root}/data/{flow}/{key}[?startPeriod=YYYY-MM-DD]`` with the format asked for by
content negotiation, as the standard says (``Accept: application/vnd.sdmx.data+csv;
version=1.0.0`` or ``...data+json;version=1.0.0``); the ECB, BIS and IMF services all honour
it. SDMX-CSV is one row per observation with a ``TIME_PERIOD`` and an ``OBS_VALUE`` column among
the dimensions and attributes (the ECB adds a ``KEY`` column). SDMX-JSON 1.0 holds
``dataSets[0].series["0:0:...:0"].observations{"<index>": [value, ...]}`` with the periods in
``structure.dimensions.observation`` (``id: TIME_PERIOD``, ``values[index].id``); 2.0 nests the
same under ``data``. An unknown flow or key answers 404 (the ECB's body: ``No results found.``).

Periods are dated as the snapshot dates its series: a day as itself, a month, quarter, half or
year on its first day, an ISO week (``2026-W26``, the ECB's weekly financial statement
``ILM.W.U2.C.T000000.Z5.Z01``) on the model's ``week_day`` (Friday, the statement's reference
day). ``SDMX_API_ROOT`` replaces every series' root (tests and mirrors).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import urllib.parse
from datetime import date

import pandas as pd

from generator.catalogue.sources import SdmxSource, SourceSpec, weekday_number
from generator.fetch.sources import BadReply, SourceError, Transient, hosts, net, to_series

DEFAULT_ROOT = "https://data-api.ecb.europa.eu/service"
ACCEPT = {
    "csv": "application/vnd.sdmx.data+csv;version=1.0.0",
    "json": "application/vnd.sdmx.data+json;version=1.0.0",
}
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(T.*)?")
_WEEK = re.compile(r"(\d{4})-?W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_PART = re.compile(r"(\d{4})-?([QSA])(\d)")
_YEAR = re.compile(r"(\d{4})")


def _root(spec: SdmxSource) -> str:
    if os.environ.get("SDMX_API_ROOT", "").strip():
        return net.api_root("SDMX", DEFAULT_ROOT)
    return spec.address()


def host(spec: SourceSpec) -> str:
    return hosts.origin_of(_root(spec)) if isinstance(spec, SdmxSource) else "?"


def label(spec: SdmxSource) -> str:
    return f"SDMX ({spec.agency or hosts.host_of(spec.address())})"


def fetch_spec(spec: SourceSpec, series_id: str, since: date | None) -> pd.Series:
    """The series of one flow and key, from ``since`` on."""
    if not isinstance(spec, SdmxSource):
        raise SourceError(f"{series_id}: not an SDMX series")
    flow = urllib.parse.quote(spec.flow, safe=",")
    key = urllib.parse.quote(spec.key, safe=".+")
    url = f"{_root(spec)}/data/{flow}/{key}"
    if since is not None:
        url += f"?startPeriod={since.isoformat()}"
    name = label(spec)
    body = hosts.paced_get(url, name, "SDMX", headers={"Accept": ACCEPT[spec.format]})
    if spec.format == "csv":
        pairs = _csv_pairs(body, name)
    else:
        pairs = _json_pairs(net.parse_json(body, name), name)
    weekday = weekday_number(spec.week_day)
    rows: dict[date, float] = {}
    for period, raw in pairs:
        day = period_date(period, weekday, name)
        if day in rows:
            raise BadReply(f"{name} sent {day} more than once (does the key match one series?)")
        value = _value(raw, day, name)
        rows[day] = value * spec.scale if not math.isnan(value) else value
    return to_series(rows)


def period_date(period: str, weekday: int, name: str = "SDMX") -> date:
    """An SDMX period as the day the snapshot dates it on (see the module docstring)."""
    text = period.strip()
    try:
        if found := _DAY.fullmatch(text):
            return date(int(found[1]), int(found[2]), int(found[3]))
        if found := _WEEK.fullmatch(text):
            return date.fromisocalendar(int(found[1]), int(found[2]), weekday)
        if found := _MONTH.fullmatch(text):
            return date(int(found[1]), int(found[2]), 1)
        if found := _PART.fullmatch(text):
            months = {"Q": 3, "S": 6, "A": 12}[found[2]]
            return date(int(found[1]), 1 + (int(found[3]) - 1) * months, 1)
        if found := _YEAR.fullmatch(text):
            return date(int(found[1]), 1, 1)
    except ValueError:
        pass
    raise BadReply(f"{name} sent a period {net.clean(period, 20)!r} that is not a date")


def _value(raw: object, day: date, name: str) -> float:
    if raw is None or (isinstance(raw, str) and raw.strip() in ("", "NaN", "NA")):
        return math.nan
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(raw, bool) or not math.isfinite(value):
        raise BadReply(f"{name} sent a non-numeric value {net.clean(raw, 20)!r} on {day}")
    return value


def _csv_pairs(body: bytes, name: str) -> list[tuple[str, object]]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadReply(f"{name} sent a reply that is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    if "TIME_PERIOD" not in columns or "OBS_VALUE" not in columns:
        if text.lstrip().startswith("<"):
            raise Transient(f"{name} sent an HTML or XML page instead of SDMX-CSV")
        raise BadReply(f"{name} sent CSV without TIME_PERIOD and OBS_VALUE columns")
    return [(row["TIME_PERIOD"] or "", row["OBS_VALUE"]) for row in reader]


def _json_pairs(payload: object, name: str) -> list[tuple[str, object]]:
    data = payload.get("data", payload) if isinstance(payload, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("dataSets"), list):
        raise BadReply(f"{name} reply has no dataSets")
    structure = data.get("structure") or (data.get("structures") or [None])[0]
    if structure is None and isinstance(payload, dict):
        structure = payload.get("structure")
    try:
        dimensions = structure["dimensions"]["observation"]
        time = next(d for d in dimensions if d.get("id") == "TIME_PERIOD")
        periods = [str(value["id"]) for value in time["values"]]
    except (KeyError, TypeError, StopIteration):
        raise BadReply(f"{name} reply has no TIME_PERIOD dimension") from None
    sets = data["dataSets"]
    series = sets[0].get("series", {}) if sets and isinstance(sets[0], dict) else {}
    if not isinstance(series, dict):
        raise BadReply(f"{name} reply's series is not an object")
    if len(series) > 1:
        raise BadReply(f"{name} sent {len(series)} series; the key must match exactly one")
    pairs: list[tuple[str, object]] = []
    for one in series.values():
        observations = one.get("observations", {}) if isinstance(one, dict) else None
        if not isinstance(observations, dict):
            raise BadReply(f"{name} reply's observations are not an object")
        for index, values in observations.items():
            if not str(index).isdigit() or int(index) >= len(periods):
                raise BadReply(f"{name} sent an observation outside its periods")
            raw = values[0] if isinstance(values, list) and values else None
            pairs.append((periods[int(index)], raw))
    return pairs
