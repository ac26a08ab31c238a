"""Rule sentences (``say:`` in indicators.yml) filled with an indicator's latest values.

The sandbox and its filter names come from ``catalogue/sentences.py``, shared with ``check``;
this module supplies the filters' implementations from ``format.py``, and the trial renders
``check`` runs: a sentence of a rule that does not hold today is rendered the night it does,
so ``check`` renders every sentence now, with the real latest values and with extreme ones.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
from jinja2 import Template

from generator.catalogue.sentences import compiled, environment, time_limit
from generator.measure.indicators import IndicatorResult
from generator.publish.format import (
    format_as_of,
    format_date,
    format_month,
    format_number,
    is_monthly,
)

MAX_DECIMALS = 10
# What a quantity can be on some night: zero (both signs), huge, tiny, negative, missing.
EXTREMES: tuple[float, ...] = (0.0, -0.0, 1e308, -1e308, 1e-308, -1.0, math.nan, math.inf)


def _abs(value: Any) -> Any:
    return abs(value) if isinstance(value, int | float) else value


def _decimals(value: object) -> int:
    """num()/signed() decimals: a whole number from 0 to MAX_DECIMALS (num(10**9) would build a
    billion-character string before any output limit could see it)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DECIMALS:
        raise ValueError(f"decimals must be a whole number from 0 to {MAX_DECIMALS}, got {value!r}")
    return value


_SANDBOX = environment(
    {
        "num": lambda v, d=1: format_number(v, _decimals(d)),
        "signed": lambda v, d=1: format_number(v, _decimals(d), signed=True),
        "abs": _abs,
    }
)


def placeholders(
    values: Mapping[str, float], as_of: date | None, dates: Mapping[str, date | None]
) -> dict[str, object]:
    """The placeholders of a sentence (a rule's or a claim's evidence): the values, the date and
    month, and each value's own ``<name>_date`` and ``<name>_month``."""
    context: dict[str, object] = dict(values)
    context["date"] = format_date(as_of)
    context["month"] = format_month(as_of)
    for name in values:
        context[f"{name}_date"] = format_date(dates.get(name))
        context[f"{name}_month"] = format_month(dates.get(name))
    return context


def context_of(result: IndicatorResult) -> dict[str, object]:
    """A rule's placeholders: the indicator's latest values and their dates."""
    dates = {name: result.latest_date(name) for name in result.quantities}
    return placeholders(result.latest_values(), result.as_of, dates)


@functools.lru_cache(maxsize=1024)
def _compiled(template: str) -> Template:
    """A sentence compiled once per build: the claims, the scorecard, the brief and ``check``'s
    trial renders fill the same few dozen sentences hundreds of times, and compiling was most
    of the cost (Jinja caches templates from a loader, never from a string). The code is the
    one ``check`` compiled (``catalogue/sentences.compiled``), bound here to the sandbox that
    has the filters' implementations, as ``from_string`` would."""
    _, code = compiled(template)
    return _SANDBOX.template_class.from_code(_SANDBOX, code, _SANDBOX.make_globals(None))


def render(template: str, context: dict[str, object]) -> str:
    """One sentence in the bounded sandbox, under the time limit."""
    with time_limit():
        return _compiled(template).render(context).strip()


def say(template: str, result: IndicatorResult) -> str:
    """Fill a sentence from the indicator's latest values; runs in Jinja's sandbox."""
    return render(template, context_of(result))


def _as_of_text(result: IndicatorResult) -> str:
    """The card value's date as a reader reads it: a month for monthly figures ("June 2026",
    not the 1st that labels it), else the day."""
    values = result.quantity(result.config.card.value)
    return format_as_of(result.as_of, is_monthly(pd.DatetimeIndex(values.index)))


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
        f"As of {_as_of_text(result)}, the last data in the snapshot ({'; '.join(flags)}): {text}"
    )


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def trial_problems(result: IndicatorResult) -> list[tuple[int, str]]:
    """(rule index, why) for every ``say:`` of the indicator that fails to render with the
    latest values or with every quantity set to one of ``EXTREMES``."""
    real = context_of(result)
    trials = [("the latest values", real)] + [
        (f"every quantity = {value!r}", {**real, **dict.fromkeys(result.quantities, value)})
        for value in EXTREMES
    ]
    problems = []
    for index, rule in enumerate(result.config.status):
        why = first_failure(rule.say, trials)
        if why is not None:
            problems.append((index, why))
    return problems


def first_failure(say: str, trials: list[tuple[str, dict[str, object]]]) -> str | None:
    """Why ``say`` fails to render in the first of the ``(label, context)`` trials it fails
    in, or None: the one wording of a sentence trial, for status and answer rules alike."""
    for label, context in trials:
        try:
            render(say, context)
        except Exception as error:
            reason = str(error).splitlines()[0][:120] if str(error) else ""
            return f"the sentence fails with {type(error).__name__}: {reason} ({label})"
    return None
