"""The `when:` grammar: what it accepts, what it refuses, and how it says so."""

from __future__ import annotations

import math

import pytest

from generator.catalogue.conditions import ConditionError, parse


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("value > 0", {"value": 1.0}, True),
        ("value > 0", {"value": -1.0}, False),
        ("mean_20d > 0 or days_above >= 10", {"mean_20d": -1.0, "days_above": 12.0}, True),
        ("a > 0 and b < 5", {"a": 1.0, "b": 6.0}, False),
        ("not (a > 0)", {"a": -1.0}, True),
        ("-5 < a <= 5", {"a": 5.0}, True),
        ("a != 3", {"a": 3.0}, False),
        ("a > -0.5", {"a": math.nan}, False),  # missing data never triggers a rule
        ("missing > 0", {}, False),
    ],
)
def test_evaluates(text: str, values: dict, expected: bool):
    assert parse(text).evaluate(values) is expected


def test_collects_names():
    assert parse("a > 0 and (b < c or not d == 1)").names == {"a", "b", "c", "d"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("__import__('os').system('x') > 0", "function calls are not allowed"),
        ("value.real > 0", "attribute access is not allowed"),
        ("value", "expected a comparison"),
        ("value + 1 > 0", "BinOp is not allowed"),
        ("value > 'high'", "only numbers are allowed"),
        ("value >", "cannot parse condition"),
        ("value in [1]", "operator In is not allowed"),
        ("", "the condition is empty"),
    ],
)
def test_refuses_anything_else_with_a_pointer(text: str, fragment: str):
    with pytest.raises(ConditionError) as caught:
        parse(text)
    assert fragment in str(caught.value)
    if text:
        assert "^" in str(caught.value)
