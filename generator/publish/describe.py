"""Formulas in plain notation for the indicator pages, e.g. 'WALCL − WTREGEN'."""

from __future__ import annotations

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


def describe(operand: object) -> str:
    """A formula in plain notation for the indicator pages, e.g. 'WALCL − WTREGEN'."""
    if isinstance(operand, str):
        return operand
    w = _window_text(operand)
    match operand:
        case SeriesOp():
            return operand.id
        case ScaleOp():
            return f"{_paren(operand.of)} × {operand.factor:g}"
        case SpreadOp():
            core = f"{_paren(operand.a)} − {_paren(operand.b)}"
            return core if operand.scale == 1 else f"({core}) × {operand.scale:g}"
        case RatioOp():
            return f"{_paren(operand.a)} / {_paren(operand.b)}"
        case DifferenceOp():
            return " − ".join(_paren(o) for o in operand.of)
        case SumOp():
            return " + ".join(_paren(o) for o in operand.of)
        case ChangeOp():
            return f"change of {describe(operand.of)} over {w}"
        case PctChangeOp():
            return f"percent change of {describe(operand.of)} over {w}"
        case RollingMeanOp():
            return f"mean of {describe(operand.of)} over {w}"
        case RollingSumOp():
            return f"sum of {describe(operand.of)} over {w}"
        case RollingStdOp():
            return f"standard deviation of {describe(operand.of)} over {w}"
        case ZScoreOp():
            return f"z-score of {describe(operand.of)} over {w}"
        case PercentileOp():
            span = "its whole history" if operand.window == "all" else operand.window
            return f"percentile of {describe(operand.of)} in {span}"
        case CountOp():
            test = f"> {operand.above:g}" if operand.above is not None else f"< {operand.below:g}"
            return f"count of {describe(operand.of)} {test} over {w}"
        case ResampleOp():
            tail = ", complete periods only" if operand.complete_only else ""
            return f"{operand.how} of {describe(operand.of)} per {operand.freq}{tail}"
        case DeskPeriodOp():
            what = "sum" if operand.how == "sum" else "fall"
            return f"{what} of {describe(operand.of)} per Desk period, complete periods only"
        case SpliceOp():
            return f"{describe(operand.before)} before {operand.at}, then {describe(operand.after)}"
        case DrawdownOp():
            return f"percent below the running peak of {describe(operand.of)}"
        case FxSplitOp():
            what = "the balance sheet" if operand.part == "balance_sheet" else "the exchange rate"
            return f"part of the change of {_converted(operand)} from {what} moving"
        case ConvertOp():
            return _converted(operand)
        case BreadthOp():
            names = ", ".join(describe(o) for o in operand.of)
            return f"percent of {names} that rose over {w}"
    return type(operand).__name__


def _converted(operand: ConvertOp) -> str:
    sign = "×" if operand.how == "multiply" else "/"
    when = (
        "its month's last day" if operand.rate_on == "month_end" else "its date or the last before"
    )
    scaled = "" if operand.factor == 1 else f" × {operand.factor:g}"
    return f"{_paren(operand.of)} {sign} {_paren(operand.rate)}{scaled} (the rate of {when})"


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
