"""The ``say:`` sentence language: a sandboxed Jinja environment with exactly three filters.

``check`` validates sentences and ``publish/sentences.py`` renders them through the same
``environment()``, so a filter cannot exist in one and not the other: the publisher passes its
implementations, and ``environment`` refuses any set of filters that is not ``FILTERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import TemplateError
from jinja2 import meta as jinja_meta
from jinja2.sandbox import SandboxedEnvironment

from generator.catalogue.messages import suggest

# The filters a sentence may use, and what each does (for the Config reference page).
FILTERS = {
    "num": "a number with thousands separators, e.g. {{ value | num(0) }}",
    "signed": "a number with its sign, e.g. {{ change | signed(1) }}",
    "abs": "the absolute value, e.g. {{ change | abs | num(0) }}",
}
# Placeholders besides the quantities: the indicator's date and month, and each quantity's.
DATE_SUFFIXES = ("date", "month")


def environment(filters: Mapping[str, Callable[..., Any]]) -> SandboxedEnvironment:
    """A sandbox for sentences with exactly the filters of ``FILTERS``."""
    if set(filters) != set(FILTERS):
        raise ValueError(f"sentence filters must be {sorted(FILTERS)}, got {sorted(filters)}")
    env = SandboxedEnvironment(autoescape=False)
    env.filters.update(filters)
    return env


def _identity(value: object, *args: object) -> object:
    return value


_CHECKER = environment({name: _identity for name in FILTERS})


def placeholders(quantities: list[str]) -> set[str]:
    """Every name a sentence of an indicator with these quantities may use."""
    allowed = set(DATE_SUFFIXES) | set(quantities)
    allowed |= {f"{name}_{suffix}" for name in quantities for suffix in DATE_SUFFIXES}
    return allowed


def sentence_problem(text: str, quantities: list[str]) -> str | None:
    """Why a ``say:`` sentence would fail at build time, or None: a Jinja syntax error, an
    unknown filter, or a placeholder that names no quantity."""
    try:
        tree = _CHECKER.parse(text)
        _CHECKER.from_string(text)
    except TemplateError as exc:
        return f"sentence does not parse: {exc.message}"
    allowed = placeholders(quantities)
    unknown = sorted(jinja_meta.find_undeclared_variables(tree) - allowed)
    if unknown:
        return suggest("placeholder", unknown[0], sorted(allowed)) + (
            " (use a quantity name, date, month, <quantity>_date or <quantity>_month)"
        )
    return None
