"""The one home of formatting: numbers, dates, months, units and decimals.

Every page, chart tooltip, CSV, sentence and report formats through here, so a number reads
the same wherever it appears and a change of style is one edit (as Observable Framework keeps
``src/format.ts``). Minus signs are the typographic minus (U+2212), which screen readers say
as "minus" and which does not wrap away from its number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from generator.catalogue.models import IndicatorConfig

MISSING = "n/a"
# Units that take no space before them, or no unit text at all.
_GLUED_UNITS = {"%": "%", "percentile": "", "": ""}


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | None, decimals: int = 1, signed: bool = False) -> str:
    """1234.5 -> '1,234.5'; signed adds '+'; NaN and None -> 'n/a'."""
    if value is None or is_missing(value):
        return MISSING
    text = f"{value:+,.{decimals}f}" if signed else f"{value:,.{decimals}f}"
    return text.replace("-", "\u2212")


def format_exact(value: float | None, places: int = 6) -> str:
    """A value as stored or computed, for showing arithmetic: every decimal up to ``places``
    that is not a trailing zero (2935287.0 -> '2,935,287'; 0.001 -> '0.001'), so a reader can
    redo the sum. Displayed figures round with ``format_number`` instead."""
    if value is None or is_missing(value):
        return MISSING
    text = f"{value:,.{places}f}".rstrip("0").rstrip(".")
    return ("0" if text in ("-0", "") else text).replace("-", "\u2212")


def format_count(count: int) -> str:
    """A count of things, grouped: 10000 -> '10,000' (draws, values read)."""
    return f"{count:,}"


def format_percent(share: float, decimals: int = 0) -> str:
    """A share as a percentage: 0.05 -> '5%', 0.8 -> '80%' (a test's level, its power)."""
    return f"{share:.{decimals}%}"


def format_significant(value: float, digits: int = 2) -> str:
    """``digits`` significant digits, for a level that is a fraction of another: 0.4167 ->
    '0.42', 5.0 -> '5'."""
    return f"{value:.{digits}g}"


def format_constant(value: float | None) -> str:
    """A constant of a formula as the config writes it, without trailing zeros: 100.0 ->
    '100', 0.001 -> '0.001'."""
    return MISSING if value is None else f"{value:g}"


def csv_number(value: float | None, places: int) -> str:
    """A CSV cell: fixed point with ``places`` decimals, ASCII minus, no grouping (a
    spreadsheet reads it as a number); empty when missing."""
    if value is None or is_missing(value):
        return ""
    return f"{value:.{places}f}"


def csv_numbers(values: Sequence[float] | np.ndarray, places: int) -> np.ndarray:
    """A whole CSV column as ``csv_number`` writes each cell, at array speed."""
    array = np.asarray(values, dtype="float64")
    text = np.char.mod(f"%.{places}f", array)
    return np.where(np.isnan(array), "", text)


def format_date(value: date | None) -> str:
    """2026-08-20 -> '20 Aug 2026'."""
    return f"{value.day} {value:%b %Y}" if value else MISSING


def format_month(value: date | None) -> str:
    """2026-07-01 -> 'July 2026'."""
    return f"{value:%B %Y}" if value else MISSING


def is_monthly(index: pd.DatetimeIndex) -> bool:
    """True for a series dated by month (every date the 1st, a month or more apart): its
    figures are dated as months ("July 2026"), not as the day that labels them."""
    if len(index) < 2 or index[-1].day != 1 or not (index.day == 1).all():
        return False  # (most series fail on their last date, before every day is computed)
    gaps = np.diff(index.to_numpy()).astype("timedelta64[D]").astype("int64")
    return bool(np.median(gaps) >= 28)


def format_as_of(value: date | None, monthly: bool) -> str:
    """'July 2026' for a monthly figure, else '20 Aug 2026'."""
    return format_month(value) if monthly else format_date(value)


def with_period_column(csv_text: str) -> str:
    """Add ``period`` (YYYY-MM) after the ``date`` column of a monthly chart CSV, so a
    download says which month a row is, not only the day that labels it."""
    lines = csv_text.splitlines()
    if not lines:
        return csv_text
    head, *rows = lines
    out = [head.replace("date,", "date,period,", 1)]
    out += [f"{row[:10]},{row[:7]}{row[10:]}" for row in rows]
    return "\n".join(out) + "\n"


def unit(indicator: IndicatorConfig, name: str) -> str:
    """A quantity's unit: its own, else its indicator's."""
    return indicator.quantities[name].unit or indicator.unit


def decimals(indicator: IndicatorConfig, name: str) -> int:
    """Decimals shown: the quantity's own, else 1 for percentages, 0 for percentiles, else the
    indicator's."""
    quantity = indicator.quantities[name]
    if quantity.decimals is not None:
        return quantity.decimals
    return {"%": 1, "percentile": 0}.get(quantity.unit or "", indicator.decimals)


def csv_decimals(indicator: IndicatorConfig, name: str) -> int:
    """Two more decimals than shown, so downloads keep precision but stay small."""
    return min(decimals(indicator, name) + 2, 8)


def with_unit(text: str, unit_text: str) -> str:
    """'12.5' and 'bn USD' -> '12.5 bn USD'; '%' is glued, 'percentile' dropped."""
    if unit_text in _GLUED_UNITS:
        return f"{text}{_GLUED_UNITS[unit_text]}"
    return f"{text} {unit_text}"


def away(value: float, decimals: int, rising: bool) -> float:
    """``value`` rounded to ``decimals`` away from the side the quantity is on now: up when it
    must rise to reach ``value``, down when it must fall. A flip value rounded to nearest can
    stop short of the true boundary (reserves needed −237.3 and the brief said −237, which does
    not flip the label); rounded away, every value past the stated one is past the true one."""
    if not math.isfinite(value):
        return value
    scale = 10**decimals
    # round(..., 9) first: 0.2 * 10 is 2.0000000000000004 in binary, whose ceiling is 3
    scaled = round(value * scale, 9)
    return float((math.ceil(scaled) if rising else math.floor(scaled)) / scale)


def flip_text(indicator: IndicatorConfig, name: str, value: float, rising: bool) -> str:
    """A flip value as stated to readers: rounded ``away`` from the current side, with unit."""
    return quantity_text(indicator, name, away(value, decimals(indicator, name), rising))


def quantity_text(indicator: IndicatorConfig, name: str, value: float, signed: bool = False) -> str:
    """A quantity's value with its decimals and unit, e.g. '−194 bn USD' or '4.2%'."""
    if is_missing(value):
        return MISSING
    return with_unit(format_number(value, decimals(indicator, name), signed), unit(indicator, name))


@dataclass(frozen=True)
class Number:
    """A published number as data until the last step: what ``publish/`` hands the templates
    and stores as a report's state, so a figure keeps its value, unit, decimals, date and the
    name of its explanation (``INDICATOR.QUANTITY``, as ``generator explain`` and
    ``api/explain/<indicator>.json`` name it) instead of being a string with nothing attached.
    It is written out here and only here: ``str()`` (what ``{{ x|h }}`` and ``{{ x|md }}``
    print) gives the value with its unit, ``figure`` the value alone (the card prints its unit
    apart). ``None`` or NaN prints as ``n/a``."""

    value: float | None
    unit: str = ""
    decimals: int = 1
    date: date | None = None
    explain: str | None = None
    signed: bool = False

    @property
    def missing(self) -> bool:
        return is_missing(self.value)

    @property
    def figure(self) -> str:
        """The value alone: '6,746', '−2.0', '+12.5' (signed)."""
        return format_number(self.value, self.decimals, self.signed)

    @property
    def text(self) -> str:
        """The value with its unit: '6,746 bn USD', '4.2%'; 'n/a' when missing."""
        return MISSING if self.missing else with_unit(self.figure, self.unit)

    @property
    def anchor(self) -> str | None:
        """The id of its explanation's block on its indicator's page, or None."""
        return explain_anchor(self.explain) if self.explain else None

    def __str__(self) -> str:
        return self.text


def explain_anchor(name: str) -> str:
    """``reserves.change_13w`` -> ``explain-change_13w``: the id of a quantity's "How this
    number was made" block on its indicator's page, and what a figure links to."""
    return "explain-" + name.partition(".")[2]


def quantity_number(
    indicator: IndicatorConfig,
    indicator_id: str,
    name: str,
    value: float | None,
    day: date | None = None,
    signed: bool = False,
) -> Number:
    """A quantity's value as a ``Number``: its unit and decimals, and the explanation's name."""
    return Number(
        None if value is None or is_missing(value) else float(value),
        unit(indicator, name),
        decimals(indicator, name),
        day,
        f"{indicator_id}.{name}",
        signed,
    )


_DISPLAYED = re.compile(r"(?P<figure>[+\u2212-]?[0-9][0-9,]*(?:\.(?P<places>[0-9]+))?)(?P<rest>.*)")


def parse_displayed(text: str) -> Number:
    """A number back from the text ``Number.text`` printed ('6,746 bn USD' -> 6746, 'bn USD',
    0 decimals; '4.2%' -> 4.2, '%', 1; 'n/a' -> missing), for report states stored as display
    strings before they were stored as numbers: formatted again, it prints the same text, so
    the next night shows readers what they were shown. ``ValueError`` for any other text."""
    if text == MISSING:
        return Number(None)
    found = _DISPLAYED.fullmatch(text)
    rest = found.group("rest") if found else ""
    if found is None or not (rest == "" or rest == "%" or rest.startswith(" ")):
        raise ValueError(f"not a displayed number: {text[:40]!r}")
    figure = found.group("figure")
    value = float(figure.replace("\u2212", "-").replace(",", ""))
    places = found.group("places")
    return Number(value, rest.strip(), len(places) if places else 0, signed=figure[0] == "+")
