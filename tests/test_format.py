"""Formatting happens once, in ``publish/format.py``: ``Number`` prints negatives with the
typographic minus, zero, missing values as ``n/a``, rounding to its decimals and its unit; and
no other module of ``publish/`` writes a number out with a format of its own."""

from __future__ import annotations

import ast
import math
import re
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.publish import format as fmt
from generator.publish.format import MISSING, Number, parse_displayed
from tests.conftest import ROOT

PUBLISH = ROOT / "generator" / "publish"
MINUS = "\u2212"

# -- Number, by example -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text", "figure"),
    [
        (Number(6745.699, "bn USD", 0), "6,746 bn USD", "6,746"),
        (Number(-193.6, "bn USD", 0, signed=True), f"{MINUS}194 bn USD", f"{MINUS}194"),
        (Number(12.5, "bn USD", 1, signed=True), "+12.5 bn USD", "+12.5"),
        (Number(-2.04, "bp", 1), f"{MINUS}2.0 bp", f"{MINUS}2.0"),
        (Number(0.0, "bp", 1), "0.0 bp", "0.0"),
        (Number(0.0, "bp", 1, signed=True), "+0.0 bp", "+0.0"),
        (Number(4.25, "%", 1), "4.2%", "4.2"),  # 4.25 is 4.2499... in binary
        (Number(85.4, "percentile", 0), "85", "85"),
        (Number(7.0, "", 0), "7", "7"),
        (Number(0.009213, "BTC per BNB", 5), "0.00921 BTC per BNB", "0.00921"),
        (Number(1234567.891, "USD", 2), "1,234,567.89 USD", "1,234,567.89"),
        (Number(None, "bn USD", 0), MISSING, MISSING),
        (Number(math.nan, "%", 1), MISSING, MISSING),
    ],
)
def test_number_prints_its_value_unit_and_decimals(number: Number, text: str, figure: str):
    assert str(number) == number.text == text
    assert number.figure == figure


def test_number_keeps_its_date_and_explanation_and_is_frozen():
    number = Number(-193.6, "bn USD", 0, date(2026, 8, 19), "reserves.change_13w", True)
    assert (number.date, number.explain, number.missing) == (
        date(2026, 8, 19),
        "reserves.change_13w",
        False,
    )
    with pytest.raises(AttributeError):
        number.value = 1.0  # type: ignore[misc]


def test_a_template_prints_a_number_through_its_filters():
    from generator.publish.render import environment

    env = environment(ROOT / "templates")
    shown = env.from_string("{{ n|h }} / {{ n|md }} / {{ n.figure|h }}").render(
        n=Number(-2.04, "bp", 1)
    )
    assert shown == f"{MINUS}2.0 bp / {MINUS}2.0 bp / {MINUS}2.0"


# -- Number, by property ------------------------------------------------------------------------

finite = st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False)
units = st.sampled_from(["bn USD", "%", "bp", "percentile", "ratio", "thousand jobs", ""])
places = st.integers(min_value=0, max_value=8)


def _by_hand(value: float, decimals: int) -> str:
    """The figure computed apart from format.py: exact decimal rounding, half to even on the
    binary value, groups of three, the typographic minus."""
    exact = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    sign = "-" if exact.is_signed() else ""
    whole, _, fraction = format(abs(exact), "f").partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    grouped = ",".join([whole, *groups])
    return (sign + grouped + ("." + fraction if fraction else "")).replace("-", MINUS)


@given(value=finite, decimals=places)
def test_the_figure_is_the_value_rounded_to_its_decimals(value: float, decimals: int):
    assert Number(value, "x", decimals).figure == _by_hand(value, decimals)


@given(value=finite, unit=units, decimals=places, signed=st.booleans())
def test_the_text_is_the_figure_and_the_unit_and_reads_back(
    value: float, unit: str, decimals: int, signed: bool
):
    number = Number(value, unit, decimals, signed=signed)
    text = number.text
    assert "-" not in text  # the typographic minus only
    assert text.startswith(number.figure)
    suffix = text[len(number.figure) :]
    assert suffix == {"%": "%", "percentile": "", "": ""}.get(unit, f" {unit}")
    if signed:
        assert text[0] in ("+", MINUS)
    # A state stored as text before it was stored as a number reads back to the same text.
    assert parse_displayed(text).text == text


@given(value=finite, decimals=places)
def test_a_negative_prints_as_its_magnitude_after_a_minus(value: float, decimals: int):
    """Also when it rounds to zero: −0.001 is '−0.0', a fall too small to show, not none."""
    positive, negative = Number(abs(value), "", decimals), Number(-abs(value), "", decimals)
    assert negative.figure == MINUS + positive.figure


# -- one home: no other publish module formats a number -----------------------------------------

# A format spec that writes a number: grouping (',' or '_'), a precision ('.2'), or a numeric
# presentation type. Date specs start with '%' ('%Y-%m-%d') and are not numbers.
_NUMBER_SPEC = re.compile(r"[,_]|\.[0-9]|[eEfFgGn%]$")
_PRINTF = re.compile(r"%[-+ #0]*[0-9]*(\.[0-9]+)?[dieEfFgG]")

# Where a number is written out for something other than a reader, with the reason.
ALLOWED = {
    ("charts.py", "sparkline_svg"): "SVG polyline coordinates, drawn, not read",
}


def _spec_text(node: ast.JoinedStr) -> str:
    return "".join(part.value if isinstance(part, ast.Constant) else "9" for part in node.values)


def _formats_a_number(node: ast.AST) -> str | None:
    """What in ``node`` formats a number, if anything: an f-string format spec, ``format()``,
    ``str.format`` or printf-style ``%``."""
    if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
        spec = _spec_text(node.format_spec)
        if not spec.startswith("%") and _NUMBER_SPEC.search(spec):
            return f"f-string spec ':{spec}'"
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "format" and len(node.args) == 2:
            return "format(value, spec)"
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "format"
            and isinstance(func.value, ast.Constant)
            and isinstance(func.value.value, str)
            and re.search(r"\{[^}]*:[^}]*(?:[,_]|\.[0-9]|[eEfFgG%])\}", func.value.value)
        ):
            return "str.format with a number spec"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        left = node.left
        text = left.value if isinstance(left, ast.Constant) else None
        if isinstance(left, ast.JoinedStr):
            text = _spec_text(left)
        if isinstance(text, str) and _PRINTF.search(text):
            return "printf-style %"
    if isinstance(node, ast.JoinedStr) and _PRINTF.fullmatch(_spec_text(node)):
        return "a printf-style spec built for numbers"
    return None


def formatting_outside_format(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    found: list[str] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        what = _formats_a_number(node)
        if what and (path.name, function) not in ALLOWED:
            found.append(f"{shown}:{getattr(node, 'lineno', '?')}: {what}")
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "")
    return found


def test_no_publish_module_formats_a_number_outside_format_py():
    found = []
    for path in sorted(PUBLISH.glob("*.py")):
        if path.name != "format.py":
            found += formatting_outside_format(path)
    assert not found, (
        "numbers are written out only in generator/publish/format.py (add a function there, "
        "or a Number, and call it):\n" + "\n".join(found)
    )


def test_the_scan_catches_each_way_of_formatting_a_number(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(x, n, d):\n"
        "    a = f'{x:,.0f}'\n"
        "    b = f'{x:.{n}f}'\n"
        "    c = f'{x:.0%}'\n"
        "    e = format(x, '.2f')\n"
        "    g = '{:,}'.format(x)\n"
        "    h = '%.1f' % x\n"
        "    i = f'%.{n}f'\n"
        "    ok = f'{d:%Y-%m-%d} {d:%b %Y} {x}'\n",
        encoding="utf-8",
    )
    hits = formatting_outside_format(sample)
    lines = [int(re.match(r".*?\.py:([0-9]+):", hit).group(1)) for hit in hits]  # type: ignore[union-attr]
    assert lines == [2, 3, 4, 5, 6, 7, 8]


def test_csv_numbers_are_plain_fixed_point():
    assert fmt.csv_number(-1234.5678, 2) == "-1234.57"
    assert fmt.csv_number(None, 2) == fmt.csv_number(math.nan, 2) == ""
    assert list(fmt.csv_numbers([1.0, math.nan, -0.125], 2)) == ["1.00", "", "-0.12"]


# -- a card's numbers name their explanation, which gives the same value -----------------------


def test_each_card_number_names_an_explanation_of_the_same_value():
    """The card's value and change, as the home page receives them, traced by their ``explain``
    name on their date (``generator explain NAME --date D``) to the very value shown."""
    from generator.catalogue.load import load_config
    from generator.measure import lineage
    from generator.measure.indicators import evaluate
    from generator.publish import pages
    from generator.snapshot.load import load_snapshot
    from generator.snapshot.store import Store
    from tests.conftest import FIXTURE

    config = load_config(FIXTURE / "indicators.yml")
    series = load_snapshot(config, Store(FIXTURE / "data")).series
    checked = 0
    for result in evaluate(config, series):
        if not result.has_data:
            continue
        card = pages.card(result, f"indicators/{result.id}/")
        for key in ("value", "change"):
            number = card[key]
            if number is None or number.missing:
                continue
            assert number.explain is not None and number.date is not None
            traced = lineage.explain(config, series, number.explain, number.date)
            assert (traced.day, traced.value) == (number.date, number.value), number
            checked += 1
    assert checked >= 20


def test_no_template_formats_a_number_itself():
    """Templates print a ``Number`` (``{{ n|h }}``, ``{{ n.figure|h }}``) or pass a float to the
    ``num``/``signed`` filters, which call format.py; Jinja's own ``format`` and ``round``
    filters, or printf-style ``%`` in a template, would be a second home."""
    own = re.compile(r"\|\s*(?:format|round|filesizeformat)\b|['\"]%[-+ #0-9.]*[dfeEgG]['\"]\s*%")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in sorted((ROOT / "templates").glob("*.j2"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if own.search(line)
    ]
    assert not found, "\n".join(found)
    assert own.search("{{ x|round(1) }}") and own.search("{{ '%.1f'|format(x) }}")
    assert own.search("{{ '%.2f' % x }}")


def test_is_monthly_wants_every_date_the_first_and_a_month_apart():
    import pandas as pd

    months = pd.date_range("2024-01-01", periods=14, freq="MS")
    assert fmt.is_monthly(months)
    assert not fmt.is_monthly(months[:1])  # one date says nothing
    assert not fmt.is_monthly(months.append(pd.DatetimeIndex(["2025-03-02"])))  # last not 1st
    assert not fmt.is_monthly(pd.DatetimeIndex(["2024-01-02"]).append(months))  # first not 1st
    assert not fmt.is_monthly(pd.date_range("2024-01-01", periods=14, freq="D"))
    assert fmt.is_monthly(pd.date_range("2020-01-01", periods=4, freq="YS"))  # a year apart
