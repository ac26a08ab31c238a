"""Which rule of each ``answer:`` part holds: the numbers behind the lead, no wording.

The lead (``publish/answer.py``) says the site's answer in plain sentences chosen by rules over
indicators' latest values, as a card's status is chosen by its rules. Both are decided here and
in ``measure/indicators.rule_for`` by the one ``conditions.first_holding``, over values read the
same way (``IndicatorResult.latest``), so the lead and a card cannot disagree on the same data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from generator.catalogue import conditions
from generator.catalogue.answer import AnswerRule
from generator.catalogue.models import Config
from generator.measure.indicators import IndicatorResult


@dataclass(frozen=True)
class Reads:
    """Each name of ``answer: reads:`` -> its indicator's latest value (NaN when missing: a
    condition on it is then false, as in status rules) and that value's date."""

    values: dict[str, float]
    dates: dict[str, date | None]


def read_values(config: Config, results: list[IndicatorResult]) -> Reads:
    """The latest value and its date of each name in ``answer.reads``."""
    values: dict[str, float] = {}
    dates: dict[str, date | None] = {}
    if config.answer is None:
        return Reads(values, dates)
    by_id = {r.id: r for r in results}
    for name, ref in config.answer.reads.items():
        indicator, _, quantity = ref.partition(".")
        result = by_id.get(indicator)
        if result is None or quantity not in result.quantities:
            values[name], dates[name] = math.nan, None
            continue
        values[name], dates[name] = result.latest(quantity), result.latest_date(quantity)
    return Reads(values, dates)


def chosen(config: Config, values: dict[str, float]) -> list[AnswerRule]:
    """Per part of ``answer:``, in order, its first rule whose ``when:`` holds for ``values``;
    a part with none is left out."""
    if config.answer is None:
        return []
    rules = (conditions.first_holding(part.rules, values) for part in config.answer.parts)
    return [rule for rule in rules if rule is not None]
