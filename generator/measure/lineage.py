"""Lineage: a published value traced back to the input rows it was computed from.

The evaluator (``indicators.Evaluator``) computes whole series; a reader who doubts one number
needs the few rows behind it. ``explain`` walks the same formula for one date and records, for
each operation, the date and value it produced, the operands it read (at the dates it read
them: an aligned operand on its latest date at most 7 days earlier, a change's earlier level,
every value of a rolling window) and, at the leaves, the series rows with when each became
known (the revision files' ``known_from`` or the publication rule). The values are taken from
the evaluator's own series, never recomputed here, so an explanation cannot disagree with the
published number; the tests recompute the arithmetic from the listed rows by separate code.

Numbers only: ``publish/explain.py`` words and formats them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from generator.catalogue import formulas as ops
from generator.catalogue import models as cfg
from generator.measure import transforms
from generator.measure.indicators import Evaluator, MissingSeries
from generator.snapshot.vintages import Revision, current_known_from

# A window longer than this is listed by its first and last three values (a 10-year z-score
# reads 2,500 rows, a year of weekly changes 52 each made of two rows); the step says how many
# it read and from when to when. 24 lists a month of business days or two years of months.
LISTED = 24


class UnknownName(Exception):
    """An indicator or quantity that the configuration does not have."""


@dataclass(frozen=True)
class Row:
    """One stored observation a value was computed from, and when it became known."""

    series: str
    day: date
    value: float
    known_from: date | None = None
    basis: str | None = None  # seen | release | rule (snapshot/vintages.BASES)
    fetched_at: str | None = None


@dataclass
class Step:
    """One operation at one date: what it produced and what it read to produce it."""

    op: str  # a formula op name, "series" for a stored row, "quantity" for an earlier quantity
    label: str  # the series id, the quantity name, or the op name
    day: date
    value: float
    inputs: list[Step] = field(default_factory=list)
    window: str | None = None  # "13w", "4 observations", "since 2010-01-01"
    params: dict[str, float | str] = field(default_factory=dict)
    read: int = 0  # how many operand values the op read (more than ``inputs`` when elided)
    first: date | None = None  # the first and last dates read, for a window
    last: date | None = None
    row: Row | None = None  # set on a stored row (op "series")


@dataclass
class Explanation:
    indicator: str
    quantity: str
    day: date
    value: float
    formula: object  # the quantity's formula (an Operand from the catalogue)
    root: Step

    def rows(self) -> list[Row]:
        """Every stored row listed under the explanation, once, by series and date."""
        found: dict[tuple[str, date], Row] = {}
        stack = [self.root]
        while stack:
            step = stack.pop()
            if step.row is not None:
                found[(step.row.series, step.row.day)] = step.row
            stack.extend(step.inputs)
        return [found[key] for key in sorted(found)]


@dataclass
class Provenance:
    """What the snapshot knows about when rows became known (from ``snapshot/``)."""

    revisions: dict[str, list[Revision]] = field(default_factory=dict)
    fetched_at: dict[str, str | None] = field(default_factory=dict)
    _by_day: dict[str, dict[date, list[Revision]]] = field(default_factory=dict, repr=False)

    def revisions_of(self, series_id: str, day: date) -> list[Revision]:
        """The series' revisions of ``day``: a build lists thousands of rows, and scanning a
        series' whole revision file for each was most of what naming a row cost."""
        by_day = self._by_day.get(series_id)
        if by_day is None:
            by_day = {}
            for revision in self.revisions.get(series_id, []):
                by_day.setdefault(revision.day, []).append(revision)
            self._by_day[series_id] = by_day
        return by_day.get(day, [])


def _dates(values: pd.Series) -> pd.DatetimeIndex:
    """The series' dates, as the DatetimeIndex they are (``pd.DatetimeIndex(...)`` copies them
    again on every call, thousands of times in a build)."""
    index = values.index
    return index if isinstance(index, pd.DatetimeIndex) else pd.DatetimeIndex(index)


def _window_text(node: ops.Op) -> str | None:
    window = getattr(node, "window", None)
    periods = getattr(node, "periods", None)
    if periods is not None:
        return f"{periods} observations"
    return window if isinstance(window, str) else None


@dataclass(frozen=True)
class Evaluated:
    """An indicator's quantities as ``indicators.evaluate_one`` computed them, and the spans
    of its Desk periods: the build hands them over, so a lineage reads the very series the
    page publishes instead of evaluating the indicator a second time."""

    quantities: dict[str, pd.Series]
    spans: dict[pd.Timestamp, pd.Timestamp]


class Tracer:
    """Walks one indicator's formulas at one date over the evaluator's series."""

    def __init__(
        self,
        config: cfg.Config,
        indicator: cfg.IndicatorConfig,
        series: dict[str, pd.Series],
        provenance: Provenance,
        evaluated: Evaluated | None = None,
    ) -> None:
        self.config = config
        self.indicator = indicator
        self.provenance = provenance
        self.evaluator = Evaluator(series, config)
        self.cache: dict[int | str, pd.Series] = {}
        self.arrays: dict[int | str, tuple[np.ndarray, np.ndarray]] = {}
        self.positions: dict[int, np.ndarray] = {}
        self.steps: dict[tuple[int | str, int], Step] = {}
        if evaluated is not None:
            self.evaluator.scope.update(evaluated.quantities)
            self.evaluator.spans.update(evaluated.spans)
        else:
            for name, quantity in indicator.quantities.items():
                try:
                    value = self.evaluator.operand(quantity.formula)
                except MissingSeries:
                    value = pd.Series(dtype="float64", index=pd.DatetimeIndex([], name="date"))
                self.evaluator.scope[name] = value.astype("float64").dropna()
        for name, quantity in indicator.quantities.items():
            # A quantity's formula computes the quantity itself (``evaluate_one`` and
            # ``values`` both take ``op(formula).astype("float64").dropna()``): read it, once.
            value = self.evaluator.scope[name]
            if not isinstance(quantity.formula, str) and not value.empty:
                self.cache[id(quantity.formula)] = value

    def values(self, operand: ops.Operand) -> pd.Series:
        """The operand's series as the evaluator computes it (each computed once)."""
        key = operand if isinstance(operand, str) else id(operand)
        if key not in self.cache:
            if isinstance(operand, str):
                named = self.evaluator.operand(operand)
                # a stored series or a quantity has no gap to drop (dropna would copy it)
                gaps = bool(pd.isna(named.to_numpy()).any())
                self.cache[key] = named.dropna() if gaps else named
            else:
                self.cache[key] = self.evaluator.op(operand).astype("float64").dropna()
        return self.cache[key]

    def value(self, operand: ops.Operand, day: pd.Timestamp) -> float:
        """``float(values(operand).loc[day])``, by a binary search over the dates as integers
        (a lineage reads tens of thousands of values in a build; ``.loc`` was most of it)."""
        key = operand if isinstance(operand, str) else id(operand)
        arrays = self.arrays.get(key)
        if arrays is None:
            values = self.values(operand)
            index = _dates(values)
            if not index.is_monotonic_increasing or not index.is_unique:
                return float(values.loc[day])
            arrays = (index.as_unit("ns").asi8, values.to_numpy(dtype="float64"))
            self.arrays[key] = arrays
        stamps, numbers = arrays
        wanted = pd.Timestamp(day).value  # nanoseconds, whatever the unit
        at = int(np.searchsorted(stamps, wanted))
        if at >= len(stamps) or stamps[at] != wanted:
            raise KeyError(day)
        return float(numbers[at])

    def trace(self, operand: ops.Operand, day: pd.Timestamp) -> Step:
        """The operand's step on ``day``. Each (operand, day) is walked once per tracer: an
        indicator's quantities read one another (a z-score of a change of a level), and its
        explanations share those steps rather than walk them again (nothing changes a step
        once it is made)."""
        key = (operand if isinstance(operand, str) else id(operand), pd.Timestamp(day).value)
        found = self.steps.get(key)
        if found is None:
            found = self.steps[key] = self._trace(operand, day)
        return found

    def _trace(self, operand: ops.Operand, day: pd.Timestamp) -> Step:
        value = self.value(operand, day)
        if isinstance(operand, str):
            return self._name(operand, day, value)
        if isinstance(operand, ops.SeriesOp):  # `{op: series, id: X}` is the row itself
            return self.trace(operand.id, day)
        step = Step(op=operand.op, label=operand.op, day=day.date(), value=value)
        step.window = _window_text(operand)
        self._inputs(operand, day, step)
        if not step.read:
            step.read = len(step.inputs)
        return step

    def _name(self, name: str, day: pd.Timestamp, value: float) -> Step:
        quantity = self.indicator.quantities.get(name)
        if quantity is not None:
            inner = self.trace(quantity.formula, day)
            return Step(op="quantity", label=name, day=day.date(), value=value, inputs=[inner])
        spec = self.config.series.get(name)
        known = basis = None
        if spec is not None:
            known, basis = current_known_from(
                day.date(), self.provenance.revisions_of(name, day.date()), spec.published_after
            )
        row = Row(name, day.date(), value, known, basis, self.provenance.fetched_at.get(name))
        return Step(op="series", label=name, day=day.date(), value=value, row=row)

    def _at(self, operand: ops.Operand, days: pd.DatetimeIndex | list[pd.Timestamp]) -> list[Step]:
        return [self.trace(operand, pd.Timestamp(d)) for d in days]

    def _aligned(self, operand: ops.Operand, day: pd.Timestamp) -> Step:
        """The operand as ``transforms.align`` reads it: its latest date on or before ``day``."""
        values = self.values(operand)
        position = int(values.index.searchsorted(day, side="right")) - 1
        return self.trace(operand, values.index[position])

    def _window(self, operand: ops.Operand, node: ops.Op, day: pd.Timestamp, step: Step) -> None:
        """The operand's values in the rolling window ending on ``day``."""
        values = self.values(operand)
        dates = transforms.window_dates(
            _dates(values),
            day,
            getattr(node, "periods", None),
            getattr(node, "window", None),
        )
        self._listed(operand, dates, step)

    def _listed(
        self, operand: ops.Operand, dates: pd.DatetimeIndex | list[pd.Timestamp], step: Step
    ) -> None:
        """The dates read, the first and last three of a long window (only those become
        Timestamps: a ten-year window has 2,500)."""
        step.read = len(dates)
        if len(dates):
            step.first, step.last = dates[0].date(), dates[-1].date()
        shown = list(dates) if len(dates) <= LISTED else [*dates[:3], *dates[-3:]]
        step.inputs = self._at(operand, shown)

    def _inputs(self, node: ops.Op, day: pd.Timestamp, step: Step) -> None:  # noqa: C901 - one branch per operation, as Evaluator.op
        match node:
            case ops.ScaleOp():
                step.inputs = [self.trace(node.of, day)]
                step.params["factor"] = node.factor
            case ops.SpreadOp():
                step.inputs = [self.trace(node.a, day), self._aligned(node.b, day)]
                step.params["factor"] = node.scale
            case ops.RatioOp():
                step.inputs = [self.trace(node.a, day), self._aligned(node.b, day)]
            case ops.DifferenceOp() | ops.SumOp():
                first, *others = node.of
                step.inputs = [self.trace(first, day), *(self._aligned(o, day) for o in others)]
            case ops.ChangeOp() | ops.PctChangeOp():
                step.inputs = [self.trace(node.of, day), self._earlier(node, day)]
            case (
                ops.RollingMeanOp()
                | ops.RollingSumOp()
                | ops.RollingStdOp()
                | ops.ZScoreOp()
                | ops.CountOp()
            ):
                self._window(node.of, node, day, step)
                if isinstance(node, ops.CountOp):
                    bound = node.above if node.above is not None else node.below
                    step.params["above" if node.above is not None else "below"] = float(
                        bound if bound is not None else math.nan
                    )
            case ops.PercentileOp():
                self._percentile(node, day, step)
            case ops.ResampleOp():
                self._bucket(node, day, step)
            case ops.DeskPeriodOp():
                values = self.values(node.of)
                start = self.evaluator.spans.get(day, day)
                step.params["how"] = node.how
                step.params["period_start"] = start.date().isoformat()
                if node.how == "sum":
                    inside = values.index[(values.index >= start) & (values.index <= day)]
                    self._listed(node.of, list(inside), step)
                else:
                    before = values.index[values.index < start]
                    upto = values.index[values.index <= day]
                    self._listed(node.of, [before[-1], upto[-1]], step)
            case ops.SpliceOp():
                part = node.after if day >= pd.Timestamp(node.at) else node.before
                step.inputs = [self.trace(part, day)] if part is not None else []
                step.params["at"] = node.at.isoformat()
            case ops.FxSplitOp():
                self._fx_split(node, day, step)
            case ops.ConvertOp():
                step.inputs = [self.trace(node.of, day), self._rate(node, day)]
                step.params["how"] = node.how
            case ops.BreadthOp():
                # each balance sheet as it stood on the day (its change is its own window's)
                step.inputs = [self._aligned(o, day) for o in node.of]
            case ops.DrawdownOp():
                values = self.values(node.of)
                upto = values[values.index <= day]
                peak = upto.index[int(np.argmax(upto.to_numpy()))]
                step.inputs = [self.trace(node.of, day), self.trace(node.of, peak)]

    def _rate(self, node: ops.ConvertOp, day: pd.Timestamp) -> Step:
        """The exchange rate a conversion used: that of the value's date, or of its month's last
        day (``rate_on``), each the last known on or before it."""
        on = day if node.rate_on != "month_end" else day + pd.offsets.MonthEnd(0)
        return self._aligned(node.rate, on)

    def _fx_split(self, node: ops.FxSplitOp, day: pd.Timestamp, step: Step) -> None:
        """The two local levels and the two rates the split of a change reads."""
        values = self.values(node.of)
        position = int(values.index.get_loc(day))
        before = values.index[max(position - 1, 0)]
        step.inputs = [
            self.trace(node.of, day),
            self.trace(node.of, before),
            self._rate(node, day),
            self._rate(node, before),
        ]
        step.params["part"] = node.part

    def _earlier(self, node: ops.ChangeOp | ops.PctChangeOp, day: pd.Timestamp) -> Step:
        """The level a change subtracts, at the position ``transforms`` subtracts it."""
        index = _dates(self.values(node.of))
        positions = self.positions.get(id(node))
        if positions is None:  # the whole index's, once per operation (as ``transforms``)
            positions = transforms.earlier_positions(index, node.periods, node.window)
            self.positions[id(node)] = positions
        return self.trace(node.of, index[int(positions[index.get_loc(day)])])

    def _percentile(self, node: ops.PercentileOp, day: pd.Timestamp, step: Step) -> None:
        values = self.values(node.of)
        history = values[values.index <= day]
        if node.since is not None:
            history = history[history.index >= pd.Timestamp(node.since)]
        if node.window != "all":
            history = history.loc[transforms.window_dates(history.index, day, None, node.window)]
        current = float(values.loc[day])
        step.window = "all history" if node.window == "all" else node.window
        if node.since is not None:
            step.window += f" since {node.since.isoformat()}"
        step.read = len(history)
        step.first, step.last = history.index[0].date(), history.index[-1].date()
        step.params["below"] = float((history < current).sum())
        step.params["equal"] = float((history == current).sum())
        step.inputs = [self.trace(node.of, day)]

    def _bucket(self, node: ops.ResampleOp, day: pd.Timestamp, step: Step) -> None:
        """The operand's values in the period labelled ``day`` (weeks end on the Friday label,
        months and quarters start on it), as ``transforms.resample`` buckets them."""
        values = self.values(node.of)
        start, end = transforms.period_bounds(node.freq, day)
        inside = list(values.index[(values.index >= start) & (values.index <= end)])
        step.params["how"] = node.how
        step.params["period"] = f"{start.date().isoformat()}..{end.date().isoformat()}"
        self._listed(node.of, inside[-1:] if node.how == "last" else inside, step)


def _indicator(config: cfg.Config, indicator_id: str) -> cfg.IndicatorConfig:
    indicator = next((i for i in config.indicators if i.id == indicator_id), None)
    if indicator is None:
        known = ", ".join(i.id for i in config.indicators)
        raise UnknownName(f"no indicator {indicator_id!r} (indicators: {known})")
    return indicator


def _explain(tracer: Tracer, quantity_name: str, day: date | None) -> Explanation:
    indicator = tracer.indicator
    if quantity_name not in indicator.quantities:
        known = ", ".join(indicator.quantities)
        raise UnknownName(
            f"indicator {indicator.id!r} has no quantity {quantity_name!r} (it has {known})"
        )
    values = tracer.values(quantity_name)
    if values.empty:
        raise UnknownName(f"{indicator.id}.{quantity_name} has no value: its inputs are missing")
    if day is None:
        stamp = values.index[-1]
    else:
        upto = values.index[values.index <= pd.Timestamp(day)]
        if upto.empty:
            first = values.index[0].date().isoformat()
            raise UnknownName(
                f"{indicator.id}.{quantity_name} has no value on or before {day} "
                f"(its first is {first})"
            )
        stamp = upto[-1]
    formula = indicator.quantities[quantity_name].formula
    root = tracer.trace(formula, stamp)
    return Explanation(indicator.id, quantity_name, stamp.date(), root.value, formula, root)


def explain(
    config: cfg.Config,
    series: dict[str, pd.Series],
    name: str,
    day: date | None = None,
    provenance: Provenance | None = None,
) -> Explanation:
    """``INDICATOR.QUANTITY`` on ``day`` (default: its latest value), traced to its rows.

    An unknown indicator or quantity, or a date the quantity has no value on, raises
    ``UnknownName`` with the names that exist."""
    indicator_id, _, quantity_name = name.partition(".")
    indicator = _indicator(config, indicator_id)
    tracer = Tracer(config, indicator, series, provenance or Provenance())
    return _explain(tracer, quantity_name or indicator.card.value, day)


def explain_latest(
    config: cfg.Config,
    indicator: cfg.IndicatorConfig,
    series: dict[str, pd.Series],
    names: list[str],
    provenance: Provenance,
    evaluated: Evaluated | None = None,
) -> list[Explanation]:
    """The latest value of each named quantity that has one, over one evaluation (the build's
    own, ``evaluated``, when given)."""
    tracer = Tracer(config, indicator, series, provenance, evaluated)
    return [_explain(tracer, name, None) for name in names if not tracer.values(name).empty]
