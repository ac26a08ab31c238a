"""The Desk's periods published: ``data/fed-bills-periods.csv``, ``api/fed-bills-periods.json``,
the periods table on the indicator's page and the sentence saying what the Desk planned and did.

Numbers come from ``measure/desk.py``; this module only words and lays them out. The CSV and
JSON carry plain numbers in bn USD (empty or null where unknown, never text that a spreadsheet
could run), so a tool can recompute every RMP from them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from generator.catalogue.models import Config
from generator.measure import desk
from generator.measure.indicators import IndicatorResult
from generator.publish import csv_cells
from generator.publish.contexts import DeskSection, DeskTable
from generator.publish.format import Number, csv_number, format_date, format_number

COLUMNS = ("period_start", "period_end", "bills_bought", "reinvested", "rmp", "announced_rmp")
API_VERSION = 1
DIGITS = 3  # the operation results are published to the million (3 decimals in bn)


def file_name(config: Config) -> str:
    """``<indicator>-periods``: the CSV under data/ and the JSON under api/ (fed-bills-periods)."""
    table = config.desk.table if config.desk is not None else None
    return table.file_name if table is not None else "desk-periods"


def rows_of(config: Config, results: Sequence[IndicatorResult]) -> list[desk.PeriodRow]:
    """The complete periods of ``desk.table`` in ``indicators.yml``, from the evaluated
    quantities (no arithmetic of its own beyond ``measure/desk.table``)."""
    spec = config.desk
    if spec is None or spec.table is None:
        return []
    by_id = {r.id: r for r in results}
    owner = by_id.get(spec.table.indicator)
    if owner is None:
        return []
    bought = owner.quantity(spec.table.bought)
    reinvested = owner.quantity(spec.table.reinvested)
    if bought.empty:
        return []
    checks = {}
    for column, ref in spec.table.checks.items():
        indicator, _, quantity = ref.partition(".")
        if indicator in by_id:
            checks[column] = by_id[indicator].quantity(quantity)
    spans = desk.periods(spec, bought.index[-1].date())
    return desk.table(spans, bought, reinvested, checks)


def page_context(
    config: Config, result: IndicatorResult, rows: Sequence[desk.PeriodRow]
) -> DeskSection | None:
    """The periods section of the indicator that ``desk.table`` names (None on the others)."""
    table = config.desk.table if config.desk is not None else None
    if not rows or table is None or table.indicator != result.id:
        return None
    labels = {}
    for column, ref in table.checks.items():
        indicator, _, quantity = ref.partition(".")
        labels[column] = f"{config.indicator(indicator).quantities[quantity].label}, change"
    return {
        "sentence": plan_sentence(rows),
        "table": page_table(rows, labels),
        "csv": f"../data/{file_name(config)}.csv",
        "columns": ", ".join([*COLUMNS, *table.checks]),
    }


def _cell(value: float | None) -> str:
    return csv_number(value, DIGITS)


def periods_csv(rows: Sequence[desk.PeriodRow]) -> str:
    """One line per complete period, oldest first, in bn USD."""
    checks = list(rows[0].checks) if rows else []
    lines = [csv_cells.line([*COLUMNS, *checks]).rstrip("\n")]
    for row in rows:
        cells = [
            row.period.start.isoformat(),
            row.period.end.isoformat(),
            _cell(row.bought),
            _cell(row.reinvested),
            _cell(row.rmp),
            _cell(row.period.rmp),
            *(_cell(row.checks[c]) for c in checks),
        ]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def _number(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(value, DIGITS)


def periods_api(rows: Sequence[desk.PeriodRow]) -> dict[str, Any]:
    """The same rows as JSON, with each period's announcement date and the statement's address."""
    return {
        "version": API_VERSION,
        "unit": "bn USD",
        "periods": [
            {
                "period_start": row.period.start.isoformat(),
                "period_end": row.period.end.isoformat(),
                "announced": row.period.announced.isoformat(),
                "derived": row.period.derived,
                "bills_bought": _number(row.bought),
                "reinvested": _number(row.reinvested),
                "rmp": _number(row.rmp),
                "announced_rmp": _number(row.period.rmp),
                "source": row.period.source,
                "checks": {column: _number(value) for column, value in row.checks.items()},
            }
            for row in rows
        ],
    }


def _bn(value: float) -> str:
    return f"{format_number(value, 1)} bn USD"


def _range(values: Sequence[float]) -> str:
    low, high = min(values), max(values)
    if format_number(low, 1) == format_number(high, 1):
        return _bn(low)
    return f"{format_number(low, 1)} to {_bn(high)}"


def plan_sentence(rows: Sequence[desk.PeriodRow]) -> str:
    """What the Desk planned and what it did, in one sentence: the periods with a public amount
    of reserve management purchases against what it added in them, then the periods since."""
    if not rows:
        return ""
    planned = [r for r in rows if r.period.rmp is not None]
    others = [r for r in rows if r.period.rmp is None]
    parts = []
    if planned:
        amounts = sorted({r.period.rmp for r in planned if r.period.rmp is not None})
        amount = " or ".join(format_number(a, 0) for a in amounts)
        parts.append(
            f"The Desk announced about {amount} bn USD of reserve management purchases a period "
            f"for the {len(planned)} period{'s' if len(planned) != 1 else ''} from "
            f"{format_date(planned[0].period.start)} to {format_date(planned[-1].period.end)} "
            f"and added {_range([r.rmp for r in planned])} in each (bills bought less agency "
            "principal reinvested)"
        )
    if others:
        lead = "; in the" if parts else "In the"
        last = others[-1]
        parts.append(
            f"{lead} {len(others)} period{'s' if len(others) != 1 else ''} "
            f"{'since' if planned else 'so far'}, for which no amount was stated publicly, it "
            f"added {_range([r.rmp for r in others])} ({_bn(last.rmp)} in the period to "
            f"{format_date(last.period.end)})"
        )
    return "".join(parts) + "."


def page_table(rows: Sequence[desk.PeriodRow], labels: dict[str, str]) -> DeskTable:
    """The periods table for the indicator page, newest first, formatted once here."""
    checks = list(rows[0].checks) if rows else []
    return {
        "columns": [labels.get(c, c.replace("_", " ")) for c in checks],
        "rows": [
            {
                "period": f"{format_date(r.period.start)} to {format_date(r.period.end)}",
                "bought": Number(r.bought, decimals=1, date=r.period.end),
                "reinvested": Number(r.reinvested, decimals=1, date=r.period.end),
                "rmp": Number(r.rmp, decimals=1, date=r.period.end),
                "announced": "" if r.period.rmp is None else Number(r.period.rmp, decimals=0),
                "source": r.period.source,
                "checks": [
                    Number(r.checks[c], decimals=1, date=r.period.end, signed=True) for c in checks
                ],
            }
            for r in reversed(rows)
        ],
    }
