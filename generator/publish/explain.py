"""How a published number was made, in words and as JSON (``measure/lineage`` traces it).

Three readers, one explanation: ``python -m generator explain INDICATOR.QUANTITY`` prints it,
each indicator page shows it for each quantity ("How this number was made", plain HTML that
needs no script), and ``api/explain/<id>.json`` carries it for tools (its schema is
``schemas/explain.schema.json``). The arithmetic is written from the values the evaluator
produced, with the same number formatting as everywhere else (``publish/format``).
"""

from __future__ import annotations

from typing import Any

from generator.catalogue import models as cfg
from generator.measure.lineage import Explanation, Row, Step
from generator.publish.api import api_json
from generator.publish.contexts import ExplainBlock
from generator.publish.describe import describe
from generator.publish.format import (
    explain_anchor,
    format_count,
    format_date,
    format_exact,
    unit,
)

# How each operation's arithmetic reads, given its inputs' values (a, b, ...).
_TWO = {"change": "{a} − {b}", "pct_change": "({a} ÷ {b} − 1) × 100", "ratio": "{a} ÷ {b}"}
_WINDOW = {
    "rolling_mean": "mean",
    "rolling_sum": "sum",
    "rolling_std": "standard deviation (n − 1)",
    "zscore": "z-score of the last value",
    "count": "count",
}


WITHHELD = "withheld"


def reads(step: Step) -> set[str]:
    """The series a step's value was computed from."""
    if step.row is not None:
        return {step.row.series}
    return set().union(*(reads(child) for child in step.inputs)) if step.inputs else set()


def hidden(step: Step, hide: frozenset[str]) -> bool:
    """Whether a published explanation must withhold this step's value: it is a raw level, or
    arithmetic on raw levels, of a series whose owner forbids redistribution. A quantity's value
    is published on its page and chart anyway, so it stays (as does the explained number)."""
    return bool(hide) and step.op != "quantity" and bool(reads(step) & hide)


def _value(step: Step, hide: frozenset[str] = frozenset()) -> str:
    return WITHHELD if hidden(step, hide) else format_exact(step.value)


def _where(step: Step) -> str:
    return f"{step.label} on {step.day.isoformat()}"


def arithmetic(step: Step, hide: frozenset[str] = frozenset(), root: bool = False) -> str:
    """One line: what the step computed from its inputs, with the numbers (those of a series in
    ``hide`` withheld; the ``root`` step's value is the published number, always shown)."""
    values = [_value(i, hide) for i in step.inputs]
    result = format_exact(step.value) if root else _value(step, hide)
    line = _copied(step, values, result)
    if line is None:
        line = _combined(step, values, result)
    return line if line is not None else _windowed(step, result)


def _copied(step: Step, values: list[str], result: str) -> str | None:
    """A stored row, a quantity, a splice or a rescaling; None for any other op."""
    op = step.op
    if op == "series":
        return f"{_where(step)} = {result} (stored row)"
    if op == "quantity":
        return f"{_where(step)} = {result}"
    if op == "splice":
        source = _where(step.inputs[0]) if step.inputs else "nothing"
        return f"from {step.params['at']} on {source}, else before: {result}"
    if op == "scale":
        return f"{values[0]} × {format_exact(float(step.params['factor']))} = {result}"
    if op == "spread":
        factor = format_exact(float(step.params["factor"]))
        return f"({values[0]} − {values[1]}) × {factor} = {result}"
    return None


def _combined(step: Step, values: list[str], result: str) -> str | None:
    """Arithmetic on two or more listed values, or a percentile's rank; None otherwise."""
    op = step.op
    if op in _TWO and len(values) == 2:
        return _TWO[op].format(a=values[0], b=values[1]) + f" = {result}"
    if op in ("difference", "sum"):
        sign = " − " if op == "difference" else " + "
        return sign.join(values) + f" = {result}"
    if op == "drawdown":
        return f"({values[0]} ÷ peak {values[1]} − 1) × 100 = {result}"
    if op == "percentile":
        below, equal = int(step.params["below"]), int(step.params["equal"])
        return (
            f"{values[0]} is above {format_count(below)} of {format_count(step.read)} values "
            f"({_span(step)}) and equal to {format_count(equal)} (itself included): "
            f"(below + (equal + 1) ÷ 2) ÷ n × 100 = {result}"
        )
    return None


def _windowed(step: Step, result: str) -> str:
    """A statistic over a window of values: what, how many, which dates."""
    op = step.op
    what = _WINDOW.get(op) or str(step.params.get("how", op))
    if op == "count":
        bound = next(k for k in ("above", "below") if k in step.params)
        what = f"values {bound} {format_exact(float(step.params[bound]))}"
    return f"{what} of {format_count(step.read)} values ({_span(step)}) = {result}"


def _span(step: Step) -> str:
    if step.first is None or step.last is None:
        return "none"
    if step.first == step.last:
        return step.first.isoformat()
    return f"{step.first.isoformat()} to {step.last.isoformat()}"


def lines(
    step: Step,
    depth: int = 0,
    indent: str = "  ",
    hide: frozenset[str] = frozenset(),
) -> list[str]:
    """The steps as indented lines, outermost first; stored rows are listed apart. A window of
    more than ``lineage.LISTED`` values shows its first and last three."""
    if step.op == "series":
        return []
    out = [f"{indent * depth}{_head(step)}{arithmetic(step, hide, root=depth == 0)}"]
    elided = step.read - len(step.inputs)
    for index, child in enumerate(step.inputs):
        if elided > 0 and index == 3:
            out.append(f"{indent * (depth + 1)}… {format_count(elided)} more values, not listed")
        out.extend(lines(child, depth + 1, indent, hide))
    return out


def _head(step: Step) -> str:
    """'change over 13w: ' before an operation's arithmetic; nothing before a quantity's."""
    if step.op == "quantity":
        return ""
    return f"{step.op} over {step.window}: " if step.window else f"{step.op}: "


def row_lines(rows: list[Row]) -> list[str]:
    out = ["series / date / value / known from (basis) / fetched"]
    for row in rows:
        known = f"{format_date(row.known_from)} ({row.basis})" if row.known_from else "unknown"
        out.append(
            f"{row.series} / {row.day.isoformat()} / {format_exact(row.value)} / {known} / "
            f"{row.fetched_at or 'unknown'}"
        )
    return out


def text(explanation: Explanation, indicator: cfg.IndicatorConfig) -> str:
    """What ``generator explain`` prints."""
    head = (
        f"{explanation.indicator}.{explanation.quantity} on {explanation.day.isoformat()}: "
        f"{format_exact(explanation.value)} {unit(indicator, explanation.quantity)}"
    )
    body = [
        head,
        f"formula: {describe(explanation.formula)}",
        "",
        *lines(explanation.root),
        "",
        "rows read:",
        *("  " + line for line in row_lines(explanation.rows())),
    ]
    return "\n".join(body) + "\n"


def step_json(step: Step, hide: frozenset[str], root: bool = False) -> dict[str, Any]:
    withheld = not root and hidden(step, hide)
    node: dict[str, Any] = {
        "op": step.op,
        "label": step.label,
        "date": step.day.isoformat(),
        "value": None if withheld else step.value,
        "withheld": withheld,
        "arithmetic": arithmetic(step, hide, root) if step.op != "series" else None,
    }
    if step.window:
        node["window"] = step.window
    if step.params:
        node["params"] = step.params
    if step.read != len(step.inputs):
        node["read"] = step.read
    if step.first is not None and step.last is not None:
        node["first"], node["last"] = step.first.isoformat(), step.last.isoformat()
    if step.inputs:
        node["inputs"] = [step_json(child, hide) for child in step.inputs]
    return node


def row_json(row: Row, hide: frozenset[str]) -> dict[str, Any]:
    return {
        "series": row.series,
        "date": row.day.isoformat(),
        "value": None if row.series in hide else row.value,
        "withheld": row.series in hide,
        "known_from": row.known_from.isoformat() if row.known_from else None,
        "basis": row.basis,
        "fetched_at": row.fetched_at,
    }


def explanation_json(
    explanation: Explanation, indicator: cfg.IndicatorConfig, hide: frozenset[str]
) -> dict[str, Any]:
    return {
        "quantity": explanation.quantity,
        "date": explanation.day.isoformat(),
        "value": explanation.value,
        "unit": unit(indicator, explanation.quantity),
        "formula": describe(explanation.formula),
        "steps": step_json(explanation.root, hide, root=True),
        "rows": [row_json(row, hide) for row in explanation.rows()],
    }


def withheld(config: cfg.Config) -> frozenset[str]:
    """Series whose owner forbids publishing raw levels (``redistribute: false``)."""
    return frozenset(sid for sid, spec in config.series.items() if not spec.redistribute)


def document(
    indicator: cfg.IndicatorConfig, explanations: list[Explanation], hide: frozenset[str]
) -> str:
    """``api/explain/<id>.json``: one explanation per quantity, the card's first."""
    payload = {
        "version": 1,
        "indicator": indicator.id,
        "title": indicator.title,
        "quantities": [explanation_json(e, indicator, hide) for e in explanations],
    }
    return api_json(payload)


def explained_quantities(indicator: cfg.IndicatorConfig) -> list[str]:
    """Every quantity, the home card's first (in the card's order): the card's numbers, and
    those the status sentence quotes ("fell 194 bn in 13 weeks")."""
    card = indicator.card
    first = [name for name in (card.value, card.change, card.percentile) if name is not None]
    return first + [name for name in indicator.quantities if name not in first]


def page_context(
    indicator: cfg.IndicatorConfig, explanations: list[Explanation], hide: frozenset[str]
) -> list[ExplainBlock]:
    """The indicator page's "How this number was made": one block per quantity."""
    blocks: list[ExplainBlock] = []
    for item in explanations:
        label = indicator.quantities[item.quantity].label
        blocks.append(
            {
                "anchor": explain_anchor(f"{indicator.id}.{item.quantity}"),
                "label": label,
                "day": format_date(item.day),
                "value": f"{format_exact(item.value)} {unit(indicator, item.quantity)}".strip(),
                "steps": lines(item.root, indent="↳ ", hide=hide),
                "rows": [
                    {
                        "series": row.series,
                        "date": row.day.isoformat(),
                        "value": WITHHELD if row.series in hide else format_exact(row.value),
                        "known_from": format_date(row.known_from),
                        "basis": row.basis or "unknown",
                        "fetched_at": row.fetched_at or "unknown",
                    }
                    for row in item.rows()
                ],
            }
        )
    return blocks
