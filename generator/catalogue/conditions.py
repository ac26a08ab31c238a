"""The small condition language of ``when:`` in status rules.

Forks write these by hand and the site publishes what they decide, so they are parsed, never
``eval``-ed: Python's parser builds the tree, and only comparisons, ``and``/``or``/``not``,
numbers, parentheses and quantity names are allowed through. Anything else is refused with the
expression and a caret under the offending part.

Grammar::

    condition  := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := term (("<" | "<=" | ">" | ">=" | "==" | "!=") term)+
    term       := NUMBER | "-" NUMBER | NAME | "(" or_expr ")"
"""

from __future__ import annotations

import ast
import functools
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


# Deeper than any condition a person writes; keeps parsing and evaluating far from Python's
# recursion limit (5,000 chained 'not' used to end in RecursionError).
MAX_DEPTH = 50


class ConditionError(ValueError):
    """A condition that does not parse, with the place it went wrong."""


@dataclass(frozen=True)
class Condition:
    text: str
    tree: ast.expr
    names: frozenset[str]

    def evaluate(self, values: Mapping[str, float]) -> bool:
        """True when the condition holds; a missing or NaN quantity makes a comparison false."""
        return bool(_evaluate(self.tree, values))


def _fail(text: str, node: ast.AST | None, message: str) -> ConditionError:
    column = getattr(node, "col_offset", 0) if node is not None else 0
    return ConditionError(f"{message} in condition {text!r}\n    {text}\n    {' ' * column}^")


def parse(text: str) -> Condition:
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("the condition is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except (RecursionError, MemoryError):
        raise ConditionError(too_deep(text.strip())) from None
    except SyntaxError as exc:
        column = max((exc.offset or 1) - 1, 0)
        raise ConditionError(
            f"cannot parse condition {text!r}: {exc.msg}\n    {text.strip()}\n    {' ' * column}^"
        ) from None
    if _depth(tree) > MAX_DEPTH:
        raise ConditionError(too_deep(text.strip()))
    names: set[str] = set()
    _check(tree, text.strip(), names, top=True)
    return Condition(text.strip(), tree, frozenset(names))


class Ruled(Protocol):
    """Anything chosen by a ``when:``: a status rule, a rule of an ``answer:`` part."""

    @property
    def when(self) -> str: ...


R = TypeVar("R", bound=Ruled)


@functools.lru_cache(maxsize=2048)
def _parsed(text: str) -> Condition:
    """A condition parsed once per build: the same few dozen are decided thousands of times
    (every indicator on every past day of a report, the flips, the answer)."""
    return parse(text)


def holds(text: str, values: Mapping[str, float]) -> bool:
    """Whether the condition ``text`` holds for these values (a missing or NaN name makes a
    comparison false): the one way every ``when:`` is decided."""
    return _parsed(text).evaluate(values)


def first_holding(rules: Sequence[R], values: Mapping[str, float]) -> R | None:
    """The first rule whose ``when:`` holds, or None: how an indicator's status and each part
    of the answer are chosen, so the two cannot disagree on the same values."""
    for rule in rules:
        if holds(rule.when, values):
            return rule
    return None


def _check_finite(node: ast.Constant, text: str) -> None:
    """A number the comparison can use: 10**400 would overflow, 1e999 is infinity."""
    try:
        value = float(node.value)  # type: ignore[arg-type]  # only int or float reach here
    except OverflowError:
        raise _fail(text, node, "the number is too large") from None
    if not math.isfinite(value):
        raise _fail(text, node, "the number is too large")


def too_deep(text: str) -> str:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return (
        f"condition {shown!r} nests more than {MAX_DEPTH} levels deep (chained 'not' or "
        "parentheses); write it more simply"
    )


def _depth(tree: ast.AST) -> int:
    """The tree's depth, counted without recursion (checking and evaluating do recurse)."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _check(node: ast.AST, text: str, names: set[str], top: bool = False) -> None:
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, text, names, top=True)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, text, names, top=True)
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in COMPARE:
                raise _fail(text, node, f"operator {type(op).__name__} is not allowed")
        for part in [node.left, *node.comparators]:
            _check_term(part, text, names)
    elif top:
        raise _fail(text, node, "expected a comparison such as 'value > 0'")
    else:
        _check_term(node, text, names)


def _check_term(node: ast.AST, text: str, names: set[str]) -> None:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        _check_finite(node, text)
        return
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        _check_finite(node.operand, text)
        return
    if isinstance(node, ast.Name):
        names.add(node.id)
        return
    if isinstance(node, ast.Call):
        raise _fail(text, node, "function calls are not allowed")
    if isinstance(node, ast.Attribute):
        raise _fail(text, node, "attribute access is not allowed")
    if isinstance(node, ast.Constant):
        raise _fail(text, node, f"only numbers are allowed, not {node.value!r}")
    raise _fail(
        text, node, f"{type(node).__name__} is not allowed; use names, numbers, comparisons"
    )


def _evaluate(node: ast.AST, values: Mapping[str, float]) -> object:
    if isinstance(node, ast.BoolOp):
        results = (bool(_evaluate(v, values)) for v in node.values)
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _evaluate(node.operand, values)
    if isinstance(node, ast.Compare):
        left = _term(node.left, values)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _term(right_node, values)
            if math.isnan(left) or math.isnan(right) or not COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    return _term(node, values)


def _term(node: ast.AST, values: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)  # type: ignore[arg-type]  # parse() admits only numbers
    if isinstance(node, ast.UnaryOp):
        return -float(node.operand.value)  # type: ignore[attr-defined]
    value = values.get(node.id)  # type: ignore[attr-defined]
    return math.nan if value is None else float(value)
