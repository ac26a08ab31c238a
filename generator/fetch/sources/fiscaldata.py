"""The US Treasury's Fiscal Data API (keyless): any dataset, the rows a model's ``where``
selects, the value in the field it names.

Request: ``/services/api/fiscal_service/<endpoint>?fields=...&filter=<date_field>:gte:
YYYY-MM-DD&sort=<date_field>&page[number]=N&page[size]=10000``, without the filter for the
whole history (datasets start in different years: the public debt's monthly statement in
2001, the daily statement in 2005); reply ``{"data": [{...}], "meta": {"count",
"total-count", "total-pages", ...}, "links": {...}}``, every value a string (``"null"`` when
empty). Pages are followed to ``meta.total-pages``. Rows are matched here, not in the filter,
because account names hold commas and parentheses the filter syntax splits on.

Why several row forms: the Daily Treasury Statement's operating cash balance changed shape.
Since October 2021 the TGA's closing balance is the row "Treasury General Account (TGA) Closing
Balance", with the figure in ``open_today_bal`` (``close_today_bal`` is null); before, the rows
were "Federal Reserve Account" (and, briefly, "Treasury General Account (TGA)") with the figure
in ``close_today_bal``. A model lists each form; on each date the first form with a value wins.
Values are in millions of dollars; ``scale`` converts. Base URL from ``FISCALDATA_API_ROOT``.
"""

from __future__ import annotations

import math
import urllib.parse
from datetime import date

import pandas as pd

from generator.catalogue.sources import FiscalDataSource, SourceSpec
from generator.fetch.sources import BadReply, SourceError, default_host, hosts, net, to_series

DEFAULT_ROOT = "https://api.fiscaldata.treasury.gov/services/api/fiscal_service"
LABEL = "Fiscal Data"
PAGE_SIZE = 10000
MAX_PAGES = 100


def host(spec: SourceSpec) -> str:
    return default_host("FISCALDATA", DEFAULT_ROOT)


def fetch_spec(spec: SourceSpec, series_id: str, since: date | None) -> pd.Series:
    """The value of the first matching row form per date, from ``since`` on."""
    if not isinstance(spec, FiscalDataSource):
        raise SourceError(f"{series_id}: not a Fiscal Data series")
    root = net.api_root("FISCALDATA", DEFAULT_ROOT)
    fields = [spec.date_field]
    for form in spec.rows:
        fields += [name for name in [*form.where, form.value] if name not in fields]
    found: dict[date, dict[int, float]] = {}
    page, pages = 1, 1
    while page <= pages:
        query = {"fields": ",".join(fields)}
        if since is not None:
            query["filter"] = f"{spec.date_field}:gte:{since.isoformat()}"
        query |= {"sort": spec.date_field, "page[number]": str(page), "page[size]": str(PAGE_SIZE)}
        url = f"{root}/{spec.endpoint}?{urllib.parse.urlencode(query, safe=':,[]')}"
        payload = net.parse_json(hosts.paced_get(url, LABEL, "FISCALDATA"), LABEL)
        pages = _read(payload, spec, found)
        if pages > MAX_PAGES:
            raise BadReply(f"{LABEL} has {pages} pages for this dataset; narrow it")
        page += 1
    rows: dict[date, float] = {}
    for day, forms in found.items():
        rows[day] = next(forms[i] for i in sorted(forms)) * spec.scale
    return to_series(rows)


def _read(payload: object, spec: FiscalDataSource, found: dict[date, dict[int, float]]) -> int:
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise BadReply(f"{LABEL} reply has no data list")
    meta = payload.get("meta")
    pages = meta.get("total-pages") if isinstance(meta, dict) else None
    if not isinstance(pages, int):
        raise BadReply(f"{LABEL} reply has no meta.total-pages")
    for row in payload["data"]:
        if not isinstance(row, dict):
            raise BadReply(f"{LABEL} sent a row that is not an object")
        for position, form in enumerate(spec.rows):
            if all(row.get(name) == value for name, value in form.where.items()):
                day = _day(row.get(spec.date_field))
                value = _value(row.get(form.value), day)
                if math.isnan(value):
                    continue
                if position in found.setdefault(day, {}):
                    raise BadReply(f"{LABEL} sent two rows of the same kind on {day}")
                found[day][position] = value
    return pages


def _day(raw: object) -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise BadReply(f"{LABEL} sent a date {net.clean(raw, 20)!r} that is not a date") from None


def _value(raw: object, day: date) -> float:
    if raw in (None, "", "null"):
        return math.nan
    try:
        value = float(str(raw))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise BadReply(f"{LABEL} sent a non-numeric value {net.clean(raw, 20)!r} on {day}")
    return value
