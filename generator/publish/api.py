"""The JSON API: ``api/latest.json`` and ``api/indicators/<id>.json``.

The README promises tools a stable interface, so a tool reads today's status here instead of
scraping HTML. Both files are described by JSON Schemas in ``schemas/`` (validated in tests);
a change to either is a published change and goes in the CHANGELOG. Values are plain numbers
(never formatted text), dates ISO 8601, and missing values ``null``. The per-indicator file holds
exactly the chart's rows (the CSV's numbers), so series marked ``redistribute: false`` are never
published raw: the catalogue already forbids plotting them.
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import pandas as pd

from generator.catalogue.crossref import raw_level_of
from generator.catalogue.models import Config
from generator.measure.indicators import IndicatorResult
from generator.measure.regime import Regime
from generator.publish.format import csv_decimals, unit

API_VERSION = 1


def _number(value: float | None, digits: int) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def restricted(result: IndicatorResult, name: str, config: Config) -> bool:
    """True when a quantity is merely the raw level of a series whose owner forbids
    redistribution: a bulk machine-readable copy of it is what the terms rule out."""
    owner = raw_level_of(name, result.config, config)
    return owner is not None and not config.series[owner].redistribute


def indicator_entry(
    result: IndicatorResult, config: Config, reasons: dict[str, str] | None = None
) -> dict[str, Any]:
    """One indicator's latest state: the numbers its home card shows, except raw levels of
    series with ``redistribute: false`` (``value`` is null and ``withheld`` true). A stale
    (or unavailable) input adds ``stale_reason``: each such series and why, from the manifest."""
    card = result.config.card
    name = card.value
    digits = csv_decimals(result.config, name)
    withheld = restricted(result, name, config)
    change = None
    if card.change:
        change = {
            "label": result.config.quantities[card.change].label,
            "value": _number(result.latest(card.change), csv_decimals(result.config, card.change)),
            "unit": unit(result.config, card.change),
        }
    entry = {
        "id": result.id,
        "title": result.config.title,
        "status": result.status.level if result.status else None,
        "value": _number(result.latest(name), digits) if result.has_data and not withheld else None,
        "withheld": withheld,
        "unit": unit(result.config, name),
        "date": _iso(result.latest_date(name)) if result.has_data else None,
        "change": change,
        "stale": bool(result.stale or result.overdue),
        "url": f"indicators/{result.id}/",
        "data": f"api/indicators/{result.id}.json",
    }
    if result.stale:
        why = reasons or {}
        entry["stale_reason"] = "; ".join(
            f"{series_id}: {why.get(series_id, 'the last update failed')}"
            for series_id in sorted(result.stale)
        )
    return entry


def latest(
    results: list[IndicatorResult],
    regime: Regime | None,
    generated: str,
    config: Config,
    reasons: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``api/latest.json``: the regime and every indicator, in catalogue order."""
    return {
        "version": API_VERSION,
        "generated": generated,
        "regime": {
            "label": regime.label if regime else "unknown",
            "score": _number(regime.score, 3) if regime else None,
            "as_of": _iso(regime.as_of) if regime else None,
        },
        "indicators": [indicator_entry(r, config, reasons) for r in results],
    }


def indicator_data(result: IndicatorResult, frame: pd.DataFrame) -> dict[str, Any]:
    """``api/indicators/<id>.json``: the chart's rows, one object per date."""
    columns = [c for c in frame.columns[1:] if c in result.config.quantities]
    digits = {name: csv_decimals(result.config, name) for name in columns}
    dates = frame.iloc[:, 0].dt.strftime("%Y-%m-%d").tolist() if len(frame) else []
    # Column-wise (plain lists), not row-wise pandas access: a daily chart has ~1,000 rows.
    values = {
        name: [
            None if math.isnan(v) else round(v, digits[name])
            for v in frame[name].to_numpy(dtype="float64").tolist()
        ]
        for name in columns
    }
    rows = [
        {"date": day, **{name: values[name][i] for name in columns}} for i, day in enumerate(dates)
    ]
    if "period_start" in frame:  # rows that sum a period (a stacked bar's span)
        for row, start in zip(rows, frame["period_start"].dt.strftime("%Y-%m-%d"), strict=True):
            row["period_start"] = start
    return {
        "version": API_VERSION,
        "id": result.id,
        "title": result.config.title,
        "status": result.status.level if result.status else None,
        "quantities": [
            {
                "name": name,
                "label": result.config.quantities[name].label,
                "unit": unit(result.config, name),
            }
            for name in columns
        ],
        "rows": rows,
    }


def generated_stamp(results: list[IndicatorResult]) -> str:
    """The newest observation in the snapshot (UTC midnight of its date). Not the clock nor the
    fetch time: re-running a night with the same data must leave every published file as it
    was, and a tool wants to know how new the numbers are, not when a server ran."""
    days = [r.as_of for r in results if r.as_of]
    return f"{max(days).isoformat()}T00:00:00Z" if days else "1970-01-01T00:00:00Z"


def api_json(data: dict[str, Any]) -> str:
    """Stable, compact-enough JSON: sorted keys would scramble the documented order."""
    return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
