"""Formulas in plain notation for the indicator pages, e.g. 'WALCL − WTREGEN'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.catalogue.formulas import (
    BreadthOp,
    ChangeOp,
    ConvertOp,
    CountOp,
    DeskPeriodOp,
    DifferenceOp,
    DrawdownOp,
    FxSplitOp,
    PctChangeOp,
    PercentileOp,
    RatioOp,
    ResampleOp,
    RollingMeanOp,
    RollingStdOp,
    RollingSumOp,
    ScaleOp,
    SeriesOp,
    SpliceOp,
    SpreadOp,
    SumOp,
    ZScoreOp,
)
from generator.publish.format import format_constant


def describe(operand: object) -> str:
    """A formula in plain notation for the indicator pages, e.g. 'WALCL − WTREGEN'."""
    if isinstance(operand, str):
        return operand
    for op, words in _WORDS.items():
        if isinstance(operand, op):
            return words(operand)
    return type(operand).__name__


def _spread(op: SpreadOp) -> str:
    core = f"{_paren(op.a)} − {_paren(op.b)}"
    return core if op.scale == 1 else f"({core}) × {format_constant(op.scale)}"


def _percentile(op: PercentileOp) -> str:
    span = "its whole history" if op.window == "all" else op.window
    return f"percentile of {describe(op.of)} in {span}"


def _count(op: CountOp) -> str:
    if op.above is not None:
        test = f"> {format_constant(op.above)}"
    else:
        test = f"< {format_constant(op.below)}"
    return f"count of {describe(op.of)} {test} over {_window_text(op)}"


def _resample(op: ResampleOp) -> str:
    tail = ", complete periods only" if op.complete_only else ""
    return f"{op.how} of {describe(op.of)} per {op.freq}{tail}"


def _desk_period(op: DeskPeriodOp) -> str:
    what = "sum" if op.how == "sum" else "fall"
    return f"{what} of {describe(op.of)} per Desk period, complete periods only"


def _over(words: str) -> Callable[[Any], str]:
    """'<words> of <operand> over <window>', for the rolling and change operations."""
    return lambda op: f"{words} of {describe(op.of)} over {_window_text(op)}"


def _fx_split(op: FxSplitOp) -> str:
    what = "the balance sheet" if op.part == "balance_sheet" else "the exchange rate"
    return f"part of the change of {_converted(op)} from {what} moving"


def _converted(operand: ConvertOp | FxSplitOp) -> str:
    sign = "×" if operand.how == "multiply" else "/"
    when = (
        "its month's last day" if operand.rate_on == "month_end" else "its date or the last before"
    )
    scaled = "" if operand.factor == 1 else f" × {format_constant(operand.factor)}"
    return f"{_paren(operand.of)} {sign} {_paren(operand.rate)}{scaled} (the rate of {when})"


# One entry per operation, in the order the isinstance tests ran as a match statement.
_WORDS: dict[type, Callable[[Any], str]] = {
    SeriesOp: lambda op: str(op.id),
    ScaleOp: lambda op: f"{_paren(op.of)} × {format_constant(op.factor)}",
    SpreadOp: _spread,
    RatioOp: lambda op: f"{_paren(op.a)} / {_paren(op.b)}",
    DifferenceOp: lambda op: " − ".join(_paren(o) for o in op.of),
    SumOp: lambda op: " + ".join(_paren(o) for o in op.of),
    ChangeOp: _over("change"),
    PctChangeOp: _over("percent change"),
    RollingMeanOp: _over("mean"),
    RollingSumOp: _over("sum"),
    RollingStdOp: _over("standard deviation"),
    ZScoreOp: _over("z-score"),
    PercentileOp: _percentile,
    CountOp: _count,
    ResampleOp: _resample,
    DeskPeriodOp: _desk_period,
    SpliceOp: lambda op: f"{describe(op.before)} before {op.at}, then {describe(op.after)}",
    DrawdownOp: lambda op: f"percent below the running peak of {describe(op.of)}",
    FxSplitOp: _fx_split,
    ConvertOp: lambda op: _converted(op),
    BreadthOp: lambda op: (
        f"percent of {', '.join(describe(o) for o in op.of)} that rose over {_window_text(op)}"
    ),
}


def _paren(operand: object) -> str:
    text = describe(operand)
    simple = isinstance(operand, str) or isinstance(operand, SeriesOp | RatioOp | ScaleOp)
    return text if simple else f"({text})"


def _window_text(operand: object) -> str:
    periods = getattr(operand, "periods", None)
    window = getattr(operand, "window", None)
    if periods is not None:
        return f"{periods} observation{'s' if periods != 1 else ''}"
    return str(window or "")
