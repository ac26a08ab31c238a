"""Evaluate the indicators declared in ``indicators.yml`` over the loaded series.

The config holds formulas as data; this module walks them and calls ``transforms``. It also
decides each indicator's status (first matching rule), so everything downstream (charts,
pages, reports) reads finished numbers and never recomputes. Wording is not done here:
``publish/sentences.py`` fills the rule's sentence with formatted numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from generator.catalogue import conditions
from generator.catalogue import formulas as ops
from generator.catalogue import models as cfg
from generator.catalogue.crossref import series_used
from generator.measure import desk, transforms


class MissingSeries(Exception):
    """A formula needs a series the snapshot does not have."""

    def __init__(self, series_id: str) -> None:
        super().__init__(series_id)
        self.series_id = series_id


@dataclass
class IndicatorResult:
    config: cfg.IndicatorConfig
    series: list[str]
    quantities: dict[str, pd.Series]
    missing: list[str] = field(default_factory=list)
    stale: dict[str, str] = field(default_factory=dict)  # series id -> stale since
    overdue: dict[str, str] = field(default_factory=dict)  # series id -> last observation
    status: cfg.StatusRule | None = None
    # Values dated on the last day of a period longer than a day (desk_period): that date ->
    # the period's first day, so a chart can draw each bar over the span it sums.
    spans: dict[pd.Timestamp, pd.Timestamp] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.config.id

    @property
    def has_data(self) -> bool:
        value = self.quantities.get(self.config.card.value)
        return value is not None and not value.empty

    def quantity(self, name: str) -> pd.Series:
        """A quantity by name; an unknown name is a bug in its reader, never a silent NaN."""
        try:
            return self.quantities[name]
        except KeyError:
            raise KeyError(
                f"indicator {self.id!r} has no quantity {name!r} "
                f"(it has {', '.join(self.quantities)})"
            ) from None

    def latest(self, name: str) -> float:
        """The latest value; NaN when the quantity exists but has no data yet."""
        series = self.quantity(name)
        if series.empty:
            return math.nan
        return float(series.iloc[-1])

    def latest_date(self, name: str) -> date | None:
        series = self.quantity(name)
        if series.empty:
            return None
        last: date = series.index[-1].date()
        return last

    def value_at(self, name: str, when: pd.Timestamp) -> tuple[date | None, float]:
        """The last value on or before ``when`` (for 'a month ago' columns)."""
        return transforms.last_on_or_before(self.quantity(name), when)

    @property
    def as_of(self) -> date | None:
        return self.latest_date(self.config.card.value)

    def latest_values(self) -> dict[str, float]:
        return {name: self.latest(name) for name in self.quantities}


class Evaluator:
    """Evaluates one indicator's formulas; quantities may refer to earlier quantities."""

    def __init__(self, series: dict[str, pd.Series], config: cfg.Config) -> None:
        self.series = series
        self.config = config
        self.scope: dict[str, pd.Series] = {}
        self.spans: dict[pd.Timestamp, pd.Timestamp] = {}

    def operand(self, operand: ops.Operand) -> pd.Series:
        if isinstance(operand, str):
            if operand in self.scope:
                return self.scope[operand]
            if operand in self.series:
                return self.series[operand]
            raise MissingSeries(operand)
        return self.op(operand)

    def optional(self, operand: ops.Operand) -> pd.Series | None:
        try:
            return self.operand(operand)
        except MissingSeries as missing:
            spec = self.config.series.get(missing.series_id)
            if spec is not None and spec.optional:
                return None
            raise

    def op(self, node: ops.Op) -> pd.Series:  # noqa: C901 - one branch per operation
        t = transforms
        window = {
            "periods": getattr(node, "periods", None),
            "window": getattr(node, "window", None),
        }
        match node:
            case ops.SeriesOp():
                return self.operand(node.id)
            case ops.ScaleOp():
                return t.scale(self.operand(node.of), node.factor)
            case ops.SpreadOp():
                return t.spread(self.operand(node.a), self.operand(node.b), node.scale)
            case ops.RatioOp():
                return t.ratio(self.operand(node.a), self.operand(node.b))
            case ops.DifferenceOp():
                return t.difference(*(self.operand(o) for o in node.of))
            case ops.SumOp():
                return t.total(*(self.operand(o) for o in node.of))
            case ops.ChangeOp():
                return t.change(self.operand(node.of), **window)
            case ops.PctChangeOp():
                return t.pct_change(self.operand(node.of), **window)
            case ops.RollingMeanOp():
                return t.rolling_mean(self.operand(node.of), **window)
            case ops.RollingSumOp():
                return t.rolling_sum(self.operand(node.of), **window)
            case ops.RollingStdOp():
                return t.rolling_std(self.operand(node.of), **window)
            case ops.ZScoreOp():
                return t.zscore(self.operand(node.of), **window)
            case ops.PercentileOp():
                return t.percentile(self.operand(node.of), node.window, node.since)
            case ops.CountOp():
                return t.count(self.operand(node.of), node.above, node.below, **window)
            case ops.ResampleOp():
                return t.resample(
                    self.operand(node.of),
                    node.freq,
                    node.how,
                    node.complete_only,
                    node.empty_as_zero,
                )
            case ops.DeskPeriodOp():
                values = self.operand(node.of)
                if self.config.desk is None or values.empty:
                    return values.iloc[:0]
                spans = desk.periods(self.config.desk, values.index[-1].date())
                for span in spans:
                    self.spans[pd.Timestamp(span.end)] = pd.Timestamp(span.start)
                return desk.per_period(values, spans, node.how)
            case ops.SpliceOp():
                return t.splice(
                    self.optional(node.before), self.operand(node.after), pd.Timestamp(node.at)
                )
            case ops.DrawdownOp():
                return t.drawdown(self.operand(node.of))
            case ops.FxSplitOp():
                return t.fx_split(
                    self.operand(node.of),
                    self.operand(node.rate),
                    node.how,
                    node.part,
                    node.factor,
                    node.rate_on,
                    node.window,
                )
            case ops.ConvertOp():
                return t.convert(
                    self.operand(node.of),
                    self.operand(node.rate),
                    node.how,
                    node.factor,
                    node.rate_on,
                )
            case ops.BreadthOp():
                return t.breadth(*(self.operand(o) for o in node.of), **window)
        raise TypeError(f"no evaluator for {type(node).__name__}")


def evaluate(
    config: cfg.Config,
    series: dict[str, pd.Series],
    stale: dict[str, str] | None = None,
    overdue: dict[str, str] | None = None,
) -> list[IndicatorResult]:
    """Every configured indicator, in config order; missing inputs give empty quantities."""
    return [
        evaluate_one(config, indicator, series, stale, overdue) for indicator in config.indicators
    ]


def evaluate_one(
    config: cfg.Config,
    indicator: cfg.IndicatorConfig,
    series: dict[str, pd.Series],
    stale: dict[str, str] | None = None,
    overdue: dict[str, str] | None = None,
) -> IndicatorResult:
    """One indicator over these series (a past vintage of them, for a claim judged on it)."""
    stale = stale or {}
    overdue = overdue or {}
    used = series_used(indicator, config)
    evaluator = Evaluator(series, config)
    missing: list[str] = []
    quantities: dict[str, pd.Series] = {}
    for name, quantity in indicator.quantities.items():
        try:
            value = evaluator.operand(quantity.formula)
        except MissingSeries as gap:
            if gap.series_id not in missing:
                missing.append(gap.series_id)
            value = pd.Series(dtype="float64", index=pd.DatetimeIndex([], name="date"))
        value = value.astype("float64").dropna()
        value.name = name
        evaluator.scope[name] = value
        quantities[name] = value
    result = IndicatorResult(
        config=indicator,
        series=used,
        quantities=quantities,
        missing=missing,
        stale={s: stale[s] for s in used if s in stale},
        overdue={s: overdue[s] for s in used if s in overdue},
        spans=evaluator.spans,
    )
    judge(result)
    return result


def judge(result: IndicatorResult) -> None:
    """Pick the first status rule that holds (its sentence is worded by publish/sentences)."""
    if not result.has_data:
        return
    result.status = rule_for(result.config, result.latest_values())


def rule_for(indicator: cfg.IndicatorConfig, values: dict[str, float]) -> cfg.StatusRule | None:
    """The first status rule that holds for these values: the one rule, used for the latest
    values and for the "what would flip it" values alike (``measure/flips``); decided by
    ``conditions.first_holding``, as the answer's parts are (``measure/answer``)."""
    return conditions.first_holding(indicator.status, values)
