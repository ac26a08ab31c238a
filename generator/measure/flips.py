"""What would change this view: the values at which the regime label or a status would flip.

A reader scanning the brief wants to know how far each number is from changing the call, not
only the call. Both answers are derived from the configuration itself, so a fork that changes a
rule or a threshold gets matching flip values without code:

- Regime: the score is the weighted mean of the inputs' clipped z-scores. Holding the other
  inputs fixed, the input's latest week is given the value that puts the score exactly on
  ``easing_above`` or ``tight_below``, solved in closed form. That value enters its own trailing
  window, so the window's mean and deviation move with it; holding them fixed instead (as this
  module once did) stops short: reserves needed −237.3 bn USD where it said −236.6. When the
  needed z-score lies beyond the clip at +/-3, that input alone cannot flip the label.
- Status: each ``when:`` is parsed with the safe grammar; every simple comparison
  ``quantity OP number`` (either side) gives a candidate boundary for that quantity. Holding the
  other quantities at their latest values, the first-matching-rule decision is re-run at each
  boundary (and just past it), and the nearest one that changes the status is the flip. A rule
  that compares two quantities gives no boundary, and an indicator whose rules give none is
  reported with that reason.

"Near" (shown in the brief): the flip lies within one standard deviation of the quantity's
weekly changes over the last 52 weeks (``NEAR_WEEKS``), i.e. one ordinary week could cross it.
Numbers only; ``publish/brief.py`` words them.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

from generator.catalogue import conditions
from generator.catalogue.models import RegimeConfig
from generator.measure import transforms
from generator.measure.indicators import IndicatorResult, rule_for
from generator.measure.regime import Z_CLIP, Component, Regime, label_for

NEAR_WEEKS = 52


@dataclass(frozen=True)
class RegimeFlip:
    indicator: str
    quantity: str
    label: str  # the input's label in the regime
    value: float  # latest value of the input
    to: str | None  # the label the regime would take; None when this input cannot flip it
    at: float  # the input value at which the score reaches the threshold (NaN when to is None)


@dataclass(frozen=True)
class StatusFlip:
    indicator: str
    quantity: str | None  # None when no boundary could be derived
    value: float  # latest value of that quantity
    at: float  # the boundary from the rule (NaN when none)
    inclusive: bool  # True: the status flips on reaching ``at``; False: only past it
    rising: bool  # True when the quantity must rise to (or above) ``at``
    to: str | None  # the level after the flip
    near: bool  # within one standard deviation of the quantity's weekly changes
    spread: float  # that standard deviation
    reason: str = ""  # why there is no flip value


def regime_flips(regime: Regime, config: RegimeConfig) -> list[RegimeFlip]:
    """For each input, the value that alone would move the score across the nearest threshold."""
    scored = [c for c in regime.components if math.isfinite(c.zscore)]
    total_weight = sum(c.weight for c in scored)
    flips = []
    for c in regime.components:
        to, at = None, math.nan
        usable = c in scored and math.isfinite(c.std) and c.std > 0 and c.weight > 0
        if usable:
            others = regime.score * total_weight - c.weight * c.zscore
            best = math.inf
            for threshold in (config.easing_above, config.tight_below):
                nudge = 1e-9 if threshold > regime.score else -1e-9
                target = label_for(threshold + nudge, config)
                if target == regime.label:
                    continue
                needed = (threshold * total_weight - others) / c.weight
                if abs(needed) > Z_CLIP or abs(needed - c.zscore) >= best:
                    continue
                sign = -1.0 if c.inverted else 1.0
                value = value_for_z(c, sign * needed)
                if not math.isfinite(value):
                    continue
                best = abs(needed - c.zscore)
                to, at = target, value
        flips.append(RegimeFlip(c.indicator, c.quantity, c.label, c.value, to, at))
    return flips


def value_for_z(c: Component, z: float) -> float:
    """The latest value x whose z-score, in a window of the other weeks plus x, is ``z``.

    With k other weeks of mean a and squared deviations D, and d = x - a, the window of
    n = k + 1 has mean a + d/n and squared deviations D + k d^2/n, so
    z = (k d/n) / sqrt((D + k d^2/n) / k); squaring and solving for d gives the formula below.
    Falls back to the fixed mean and deviation when the other weeks are unknown."""
    k = c.others_n
    if k < 2 or not (math.isfinite(c.others_mean) and math.isfinite(c.others_ss)):
        return c.mean + z * c.std
    n = k + 1
    room = k * k / n - z * z  # z can never reach sqrt(k^2 / n) with x in its own window
    if room <= 0:
        return math.nan
    d = abs(z) * math.sqrt(c.others_ss * n / (k * room))
    return c.others_mean + math.copysign(d, z)


def status_of(result: IndicatorResult, values: dict[str, float]) -> str | None:
    """The level of the first rule that holds for these values (``indicators.rule_for``)."""
    rule = rule_for(result.config, values)
    return rule.level if rule is not None else None


def boundaries(text: str) -> tuple[list[tuple[str, float]], list[str]]:
    """(quantity, number) for each simple comparison in a ``when:``; and the comparisons
    between two quantities, which give no number."""
    found: list[tuple[str, float]] = []
    skipped: list[str] = []
    for node in ast.walk(conditions.parse(text).tree):
        if not isinstance(node, ast.Compare):
            continue
        terms = [node.left, *node.comparators]
        for left, right in zip(terms, terms[1:], strict=False):
            name = left.id if isinstance(left, ast.Name) else None
            other = right.id if isinstance(right, ast.Name) else None
            number = _number(right) if name else _number(left) if other else None
            if (name or other) and number is not None:
                found.append((name or other or "", number))
            elif name and other:
                skipped.append(f"{name} against {other}")
    return found, skipped


def _number(node: ast.expr) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, int | float)
    ):
        return -float(node.operand.value)
    return None


def weekly_spread(result: IndicatorResult, name: str) -> float:
    """Standard deviation of the quantity's week-on-week changes over the last year."""
    grid = transforms.weekly_last(result.quantity(name)).ffill(limit=4)
    changes = grid.diff().dropna().tail(NEAR_WEEKS)
    return float(changes.std()) if len(changes) > 1 else math.nan


def status_flip(result: IndicatorResult) -> StatusFlip | None:
    """The nearest boundary, over every quantity the rules compare, that changes the status."""
    if result.status is None:
        return None
    values = result.latest_values()
    now = result.status.level
    candidates: list[tuple[str, float]] = []
    skipped: list[str] = []
    for rule in result.config.status:
        found, others = boundaries(rule.when)
        candidates += found
        skipped += others
    best: StatusFlip | None = None
    best_distance = math.inf
    spreads: dict[str, float] = {}
    for name, at in dict.fromkeys(candidates):
        value = values.get(name, math.nan)
        if not math.isfinite(value):
            continue
        eps = 1e-9 * max(1.0, abs(at))
        probes = [(at, True, at > value)] if at != value else []
        probes += [(at + eps, False, True)] if at >= value else []
        probes += [(at - eps, False, False)] if at <= value else []
        for probe, inclusive, rising in probes:
            to = status_of(result, {**values, name: probe})
            if to == now:
                continue
            spread = spreads.setdefault(name, weekly_spread(result, name))
            distance = abs(at - value) / spread if spread > 0 else abs(at - value)
            if distance < best_distance:
                best_distance = distance
                near = math.isfinite(spread) and abs(at - value) <= spread
                best = StatusFlip(result.id, name, value, at, inclusive, rising, to, near, spread)
            break
    if best is None:
        reason = (
            f"its rules compare quantities with each other ({', '.join(dict.fromkeys(skipped))})"
            if skipped
            else "no single quantity crosses a rule's number"
        )
        nan = math.nan
        return StatusFlip(result.id, None, nan, nan, False, False, None, False, nan, reason)
    return best
