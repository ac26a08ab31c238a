"""Formulas as data: the operations a quantity in ``indicators.yml`` may use.

An operand is either a name (a series id or an earlier quantity of the same indicator) or a
nested operation. The models here only describe and validate; ``measure/indicators.py`` walks
them and ``measure/transforms.py`` does the arithmetic. Each operation's docstring is its
description in ``indicators.schema.json`` and on the Config reference page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from generator.catalogue.grammar import Duration, Strict, check_duration

# The fields of an operation that hold operands (names or nested operations).
OPERAND_FIELDS = frozenset({"formula", "of", "a", "b", "before", "after", "rate"})


def op_config(title: str, example: dict[str, Any]) -> ConfigDict:
    """The settings every operation shares: strict, frozen, a schema title and one example."""
    return ConfigDict(
        extra="forbid", frozen=True, title=title, json_schema_extra={"examples": [example]}
    )


class Op(Strict):
    def operands(self) -> list[Operand]:
        """The operands, in order, so validators can walk nested formulas generically."""
        found: list[Operand] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in OPERAND_FIELDS:
                found.extend(value if isinstance(value, list) else [value])
        return found


class Windowed(Op):
    """Operations over a window given either in observations or as a span of time."""

    periods: int | None = Field(None, ge=1, le=100000, description="Window in observations")
    window: Duration | None = Field(None, description="Window as a span of time: 30d, 13w, 12m")

    @field_validator("window")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        return None if value is None else check_duration(value)

    @model_validator(mode="after")
    def _one_window(self) -> Windowed:
        if (self.periods is None) == (self.window is None):
            raise ValueError("give exactly one of 'periods' (observations) or 'window' (e.g. 13w)")
        if self.window == "all":
            raise ValueError("'window: all' is only allowed for percentile")
        return self


class SeriesOp(Op):
    """The series as stored, by id (a bare id does the same)"""

    model_config = op_config("Series", {"op": "series", "id": "WALCL"})
    op: Literal["series"]
    id: str = Field(description="A series id from the `series:` section")


class ScaleOp(Op):
    """Multiply by a constant, to align units"""

    model_config = op_config("Scale", {"op": "scale", "of": "RRPONTSYD", "factor": 1000})
    op: Literal["scale"]
    of: Operand
    factor: float = Field(description="Multiply by this, e.g. 0.001 for millions to billions")


class SpreadOp(Op):
    """a minus b on the dates both have, optionally scaled"""

    model_config = op_config("Spread", {"op": "spread", "a": "SOFR", "b": "IORB", "scale": 100})
    op: Literal["spread"]
    a: Operand
    b: Operand
    scale: float = Field(1.0, description="Multiply a - b by this, e.g. 100 for percent to bp")


class RatioOp(Op):
    """a divided by b on the dates both have"""

    model_config = op_config("Ratio", {"op": "ratio", "a": "RUT", "b": "SP500"})
    op: Literal["ratio"]
    a: Operand
    b: Operand


class DifferenceOp(Op):
    """The first operand minus all the others, each carried forward to common dates"""

    model_config = op_config(
        "Difference",
        {
            "op": "difference",
            "of": ["WALCL", "WTREGEN", {"op": "scale", "of": "RRPONTSYD", "factor": 1000}],
        },
    )
    op: Literal["difference"]
    of: list[Operand] = Field(min_length=2, description="The first minus all the others")


class SumOp(Op):
    """The sum of several operands, each carried forward to common dates"""

    model_config = op_config(
        "Sum", {"op": "sum", "of": ["WTREGEN", {"op": "scale", "of": "RRPONTSYD", "factor": 1000}]}
    )
    op: Literal["sum"]
    of: list[Operand] = Field(min_length=2)


class WindowedOf(Windowed):
    """A windowed operation on one operand (the shared fields of change, mean, sum, ...)."""

    of: Operand


class ChangeOp(WindowedOf):
    """Value now minus value one window earlier"""

    model_config = op_config("Change", {"op": "change", "of": "WALCL", "window": "13w"})
    op: Literal["change"]


class PctChangeOp(WindowedOf):
    """Percent change over a window"""

    model_config = op_config("PctChange", {"op": "pct_change", "of": "BTC-USD", "window": "30d"})
    op: Literal["pct_change"]


class RollingMeanOp(WindowedOf):
    """Mean over a trailing window"""

    model_config = op_config("RollingMean", {"op": "rolling_mean", "of": "spread", "periods": 20})
    op: Literal["rolling_mean"]


class RollingSumOp(WindowedOf):
    """Sum over a trailing window"""

    model_config = op_config(
        "RollingSum", {"op": "rolling_sum", "of": "FED_RMP_BILL_PURCHASES", "window": "30d"}
    )
    op: Literal["rolling_sum"]


class RollingStdOp(WindowedOf):
    """Standard deviation over a trailing window (n - 1): how large an ordinary move is"""

    model_config = op_config("RollingStd", {"op": "rolling_std", "of": "change_1w", "periods": 52})
    op: Literal["rolling_std"]


class ZScoreOp(WindowedOf):
    """Standard deviations from the trailing mean"""

    model_config = op_config("ZScore", {"op": "zscore", "of": "spread", "window": "3y"})
    op: Literal["zscore"]


class PercentileOp(Op):
    """Percentile (0-100) of each value within its history up to that date"""

    model_config = op_config("Percentile", {"op": "percentile", "of": "ratio", "window": "all"})
    op: Literal["percentile"]
    of: Operand
    window: Duration = Field("all", description="'all' for the whole history up to each date")
    since: date | None = Field(
        None,
        description="Only history from this date counts (a regime: reserves since 2021 are not "
        "compared with the 10-40 bn USD of before 2008)",
    )

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        return check_duration(value)


class CountOp(WindowedOf):
    """How many observations in the window are above (or below) a bound"""

    model_config = op_config("Count", {"op": "count", "of": "spread", "above": 0, "periods": 20})
    op: Literal["count"]
    above: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> CountOp:
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of 'above' or 'below'")
        return self


class ResampleOp(Op):
    """Weekly, monthly or quarterly values: sum, last or mean per period"""

    model_config = op_config(
        "Resample",
        {
            "op": "resample",
            "of": "FED_RMP_BILL_PURCHASES",
            "freq": "month",
            "how": "sum",
            "complete_only": True,
            "empty_as_zero": True,
        },
    )
    op: Literal["resample"]
    of: Operand
    freq: Literal["week", "month", "quarter"]
    how: Literal["sum", "last", "mean"] = "last"
    complete_only: bool = Field(
        False,
        description="Keep complete periods only: drop the first when the data starts after its "
        "first business day, and the last unless the data reaches its final three days",
    )
    empty_as_zero: bool = Field(
        False,
        description="With how: sum, a period without any observation counts as zero (a month "
        "without purchases), not as missing",
    )


class DeskPeriodOp(Op):
    """Per complete Desk period (`desk:`, dated on its last day): a flow's sum or a level's fall"""

    model_config = op_config(
        "DeskPeriod", {"op": "desk_period", "of": "FED_RMP_BILL_PURCHASES", "how": "sum"}
    )
    op: Literal["desk_period"]
    of: Operand
    how: Literal["sum", "fall"] = Field(
        "sum",
        description="sum: a flow's total over the period; fall: the level on the last "
        "observation before the period began less the level on the last on or before its end "
        "(the MBS principal paid down). A period counts once the data has moved past its end",
    )


class SpliceOp(Op):
    """One series before a date, another from that date on"""

    model_config = op_config(
        "Splice", {"op": "splice", "before": "IOER", "after": "IORB", "at": "2021-07-29"}
    )
    op: Literal["splice"]
    before: Operand
    after: Operand
    at: date = Field(description="The first date taken from 'after'")


class DrawdownOp(Op):
    """Percent below the running peak"""

    model_config = op_config("Drawdown", {"op": "drawdown", "of": "BTC-USD"})
    op: Literal["drawdown"]
    of: Operand


class ConvertOp(Op):
    """Into another currency: times or divided by the exchange rate of the value's date"""

    model_config = op_config(
        "Convert",
        {
            "op": "convert",
            "of": "JPNASSETS",
            "rate": "DEXJPUS",
            "how": "divide",
            "factor": 0.1,
            "rate_on": "month_end",
        },
    )
    op: Literal["convert"]
    of: Operand
    rate: Operand = Field(description="The exchange rate: a series id or a formula")
    how: Literal["multiply", "divide"] = Field(
        description="multiply when the rate is target currency per local unit (USD per euro), "
        "divide when it is local units per target unit (yen per dollar)"
    )
    factor: float = Field(1.0, description="Then multiply by this, to align units")
    rate_on: Literal["date", "month_end"] = Field(
        "date",
        description="date: the rate of the value's own date (or the last before); month_end: "
        "the rate of the last day of the value's month (a month-end level dated on the 1st)",
    )


class FxSplitOp(ConvertOp):
    """The part of a converted series' change due to its level or to the exchange rate"""

    model_config = op_config(
        "FxSplit",
        {
            "op": "fx_split",
            "of": "JPNASSETS",
            "rate": "DEXJPUS",
            "how": "divide",
            "factor": 0.1,
            "rate_on": "month_end",
            "part": "exchange_rate",
        },
    )
    op: Literal["fx_split"]  # type: ignore[assignment]
    part: Literal["balance_sheet", "exchange_rate"] = Field(
        description="balance_sheet: the change in local currency, converted; exchange_rate: "
        "what the move in the rate alone added"
    )
    window: Duration = Field(
        "1m",
        description="The change over this span; the earlier value must be dated exactly one "
        "window before (a month missing at the source gives no change)",
    )

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        if value == "all":
            raise ValueError("'window: all' is only allowed for percentile")
        return check_duration(value)


class BreadthOp(Windowed):
    """The share (percent) of several series that rose over the window"""

    model_config = op_config(
        "Breadth", {"op": "breadth", "of": ["fed_local", "ecb_local"], "window": "3m"}
    )
    op: Literal["breadth"]
    of: list[Operand] = Field(min_length=2, description="The series compared, each on its own")


Formula = Annotated[
    SeriesOp
    | ScaleOp
    | SpreadOp
    | RatioOp
    | DifferenceOp
    | SumOp
    | ChangeOp
    | PctChangeOp
    | RollingMeanOp
    | RollingSumOp
    | RollingStdOp
    | ZScoreOp
    | PercentileOp
    | CountOp
    | ResampleOp
    | DeskPeriodOp
    | SpliceOp
    | DrawdownOp
    | ConvertOp
    | FxSplitOp
    | BreadthOp,
    Field(discriminator="op"),
]
Operand = str | Formula
OPERATIONS = {
    model.model_fields["op"].annotation.__args__[0]: model
    for model in Formula.__origin__.__args__  # type: ignore[attr-defined]
}

for _model in OPERATIONS.values():
    _model.model_rebuild()


def references(operand: object) -> list[str]:
    """Every name a formula refers to, nested operations included."""
    if isinstance(operand, str):
        return [operand]
    if isinstance(operand, SeriesOp):
        return [operand.id]
    found: list[str] = []
    if isinstance(operand, Op):
        for child in operand.operands():
            found.extend(references(child))
    return found


def nodes(operand: object) -> list[Op]:
    """Every operation in a formula, the outermost first (a bare name has none)."""
    if not isinstance(operand, Op):
        return []
    return [operand, *(node for child in operand.operands() for node in nodes(child))]
