"""The lead's answer and a card's status are chosen by one rule: ``conditions.first_holding``.

An ``answer:`` part that restates an indicator's status rules (its reads naming the indicator's
quantities, each rule saying its level) must say the level the card shows, on the frozen data,
on the data as it stood on past days, and on values set at and around every threshold. And no
module of ``publish/`` decides a condition itself: it reads what ``measure`` chose.
"""

from __future__ import annotations

import ast
import itertools
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from generator.catalogue.answer import AnswerConfig, AnswerPart, AnswerRule
from generator.catalogue.models import Config, IndicatorConfig
from generator.measure import answer as decide
from generator.measure import indicators
from generator.publish import answer
from tests import frozen
from tests.conftest import ROOT

RULED = [i for i in frozen.config().indicators if i.status]
# Past days on which to compare, besides the frozen snapshot's last (quarterly over two years).
PAST = [pd.Timestamp("2026-08-31") - pd.DateOffset(months=3 * k) for k in range(1, 9)]


def mirrored(indicator: IndicatorConfig) -> Config:
    """The configuration with an answer whose one part restates the indicator's status rules,
    each saying its level."""
    reads = {name: f"{indicator.id}.{name}" for name in indicator.quantities}
    rules = [AnswerRule(when=rule.when, say=rule.level) for rule in indicator.status]
    part = AnswerPart(id="status", rules=rules)
    answer = AnswerConfig(reads=reads, parts=[part])
    return frozen.config().model_copy(update={"answer": answer})


def said_level(indicator: IndicatorConfig, results: list[indicators.IndicatorResult]) -> str:
    said = answer.sentences(mirrored(indicator), results)
    assert len(said) <= 1
    return said[0] if said else "none"


def card_level(result: indicators.IndicatorResult) -> str:
    return result.status.level if result.status is not None else "none"


def test_every_ruled_indicator_is_compared():
    assert {"reserves", "sofr-tail", "tga-daily", "bill-issuance"} <= {i.id for i in RULED}


def label(cut: pd.Timestamp | None) -> str:
    return "latest" if cut is None else f"{cut:%Y-%m}"


@pytest.mark.parametrize("cut", [None, *PAST], ids=label)
def test_the_answer_and_the_card_say_the_same_level_on_the_same_data(cut: pd.Timestamp | None):
    series = frozen.snapshot().series
    if cut is not None:
        series = {sid: values[values.index <= cut] for sid, values in series.items()}
    results = indicators.evaluate(frozen.config(), series)
    by_id = {r.id: r for r in results}
    levels = set()
    for indicator in RULED:
        result = by_id[indicator.id]
        if not result.has_data:
            continue
        assert said_level(indicator, results) == card_level(result), indicator.id
        levels.add(card_level(result))
    assert len(levels) >= 2  # the comparison covers more than one outcome


def thresholds(indicator: IndicatorConfig) -> dict[str, list[float]]:
    """Every number a rule compares a name with, per name (read from the text, not the tree)."""
    found: dict[str, list[float]] = {name: [] for name in indicator.quantities}
    pattern = re.compile(r"([a-z][a-z0-9_]*)\s*(?:<=|>=|<|>|==|!=)\s*(-?\d+(?:\.\d+)?)")
    for rule in indicator.status:
        for name, number in pattern.findall(rule.when):
            found[name].append(float(number))
    return {name: numbers for name, numbers in found.items() if numbers}


@pytest.mark.parametrize("indicator", RULED, ids=lambda i: i.id)
def test_the_same_rule_is_chosen_at_and_around_every_threshold(indicator: IndicatorConfig):
    config = mirrored(indicator)
    grid = {
        name: sorted({v + d for v in numbers for d in (-1.0, -0.001, 0.0, 0.001, 1.0)} | {math.nan})
        for name, numbers in thresholds(indicator).items()
    }
    names = list(grid)
    assert names, indicator.id
    combos = itertools.islice(itertools.product(*(grid[n] for n in names)), 5000)
    outcomes = set()
    for combo in combos:
        values = dict(zip(names, combo, strict=True))
        status = indicators.rule_for(indicator, values)
        chosen = decide.chosen(config, values)
        assert [r.say for r in chosen] == ([status.level] if status else []), values
        outcomes.add(status.level if status else None)
    assert len(outcomes) >= 2, indicator.id


def test_no_publish_module_decides_a_condition_itself():
    """publish/ words what measure chose: it imports neither the condition language nor calls
    an ``evaluate`` of a parsed condition (the copy answer.py used to carry)."""
    for path in sorted((ROOT / "generator" / "publish").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                imported = [f"{node.module}.{a.name}" for a in node.names]
                assert not any(n.endswith("catalogue.conditions") for n in imported), path.name
                assert node.module != "generator.catalogue.conditions", path.name
            if isinstance(node, ast.Attribute) and node.attr in ("first_holding", "holds"):
                raise AssertionError(f"{Path(path).name}:{node.lineno} decides a condition")
