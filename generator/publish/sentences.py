"""Rule sentences (``say:`` in indicators.yml) filled with an indicator's latest values.

The sandbox and its filter names come from ``catalogue/sentences.py``, shared with ``check``;
this module supplies the filters' implementations from ``format.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from generator.catalogue.sentences import environment
from generator.measure.indicators import IndicatorResult
from generator.publish.format import format_date, format_month, format_number


def _abs(value: Any) -> Any:
    return abs(value) if isinstance(value, int | float) else value


_SANDBOX = environment(
    {
        "num": lambda v, d=1: format_number(v, d),
        "signed": lambda v, d=1: format_number(v, d, signed=True),
        "abs": _abs,
    }
)


def say(template: str, result: IndicatorResult) -> str:
    """Fill a sentence from the indicator's latest values; runs in Jinja's sandbox."""
    context: dict[str, object] = dict(result.latest_values())
    context["date"] = format_date(result.as_of)
    context["month"] = format_month(result.as_of)
    for name in result.quantities:
        latest = result.latest_date(name)
        context[f"{name}_date"] = format_date(latest)
        context[f"{name}_month"] = format_month(latest)
    return _SANDBOX.from_string(template).render(context).strip()


def sentence(result: IndicatorResult) -> str | None:
    """The sentence of the rule that holds, or None when no rule holds.

    When a series behind it stopped (overdue) or failed to update (stale), the sentence is
    prefixed with its date, so old data is never told in the present tense on a page of today:
    "As of 20 Feb 2026, the last data in the snapshot (BNB-USD: nothing new since then): ..."."""
    if result.status is None:
        return None
    text = say(result.status.say, result)
    flags = [f"{s}: nothing new since {format_date(_day(d))}" for s, d in result.overdue.items()]
    flags += [f"{s}: stale since {format_date(_day(d))}" for s, d in result.stale.items()]
    if not flags:
        return text
    return (
        f"As of {format_date(result.as_of)}, the last data in the snapshot "
        f"({'; '.join(flags)}): {text}"
    )


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
