"""The models behind ``indicators.yml`` and ``events.yml``.

A fork changes the site by editing YAML, so every mistake must come back as a sentence that
names the file, the line, the indicator and the field. Pydantic does the type checking; this
module adds the YAML line numbers and the cross-references pydantic cannot see (series that
do not exist, quantities used before they are defined, conditions that do not parse).
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from jinja2 import TemplateError
from jinja2 import meta as jinja_meta
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from generator import conditions

SERIES_ID = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,39}$")
INDICATOR_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
QUANTITY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DURATION = re.compile(r"^(\d+)(d|w|m|y)$")
SOURCES = ("fred", "nyfed", "market", "crypto", "treasury")


class ConfigError(Exception):
    """One or more user mistakes in a config file, already worded for the user."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_duration(value: str) -> str:
    if value != "all" and not DURATION.match(value):
        raise ValueError(f"{value!r} is not a duration: write a number and d, w, m or y, e.g. 13w")
    return value


Duration = Annotated[str, Field(description="A span of time: 30d, 13w, 12m, 10y")]

# -- formulas ---------------------------------------------------------------------------
# An operand is either a name (a series id or an earlier quantity of the same indicator) or a
# nested operation. Operations are plain data: the evaluator lives in transforms.py.


class Op(Strict):
    def operands(self) -> list[Operand]:
        """The operands, in order, so validators can walk nested formulas generically."""
        found: list[Operand] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in {"of", "a", "b", "before", "after"}:
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
    model_config = ConfigDict(
        title="Series",
        description="The series as stored, by id (a bare id does the same)",
        json_schema_extra={"examples": [{"op": "series", "id": "WALCL"}]},
    )
    op: Literal["series"]
    id: str = Field(description="A series id from the `series:` section")


class ScaleOp(Op):
    model_config = ConfigDict(
        title="Scale",
        description="Multiply by a constant, to align units",
        json_schema_extra={"examples": [{"op": "scale", "of": "RRPONTSYD", "factor": 1000}]},
    )
    op: Literal["scale"]
    of: Operand
    factor: float = Field(description="Multiply by this, e.g. 0.001 for millions to billions")


class SpreadOp(Op):
    model_config = ConfigDict(
        title="Spread",
        description="a minus b on the dates both have, optionally scaled",
        json_schema_extra={"examples": [{"op": "spread", "a": "SOFR", "b": "IORB", "scale": 100}]},
    )
    op: Literal["spread"]
    a: Operand
    b: Operand
    scale: float = Field(1.0, description="Multiply a - b by this, e.g. 100 for percent to bp")


class RatioOp(Op):
    model_config = ConfigDict(
        title="Ratio",
        description="a divided by b on the dates both have",
        json_schema_extra={"examples": [{"op": "ratio", "a": "RUT", "b": "SP500"}]},
    )
    op: Literal["ratio"]
    a: Operand
    b: Operand


class DifferenceOp(Op):
    model_config = ConfigDict(
        title="Difference",
        description="The first operand minus all the others, each carried forward to common dates",
        json_schema_extra={
            "examples": [
                {
                    "op": "difference",
                    "of": ["WALCL", "WTREGEN", {"op": "scale", "of": "RRPONTSYD", "factor": 1000}],
                }
            ]
        },
    )
    op: Literal["difference"]
    of: list[Operand] = Field(min_length=2, description="The first minus all the others")


class SumOp(Op):
    model_config = ConfigDict(
        title="Sum",
        description="The sum of several operands, each carried forward to common dates",
        json_schema_extra={
            "examples": [
                {"op": "sum", "of": ["WTREGEN", {"op": "scale", "of": "RRPONTSYD", "factor": 1000}]}
            ]
        },
    )
    op: Literal["sum"]
    of: list[Operand] = Field(min_length=2)


class ChangeOp(Windowed):
    model_config = ConfigDict(
        title="Change",
        description="Value now minus value one window earlier",
        json_schema_extra={"examples": [{"op": "change", "of": "WALCL", "window": "13w"}]},
    )
    op: Literal["change"]
    of: Operand


class PctChangeOp(Windowed):
    model_config = ConfigDict(
        title="PctChange",
        description="Percent change over a window",
        json_schema_extra={"examples": [{"op": "pct_change", "of": "BTC-USD", "window": "30d"}]},
    )
    op: Literal["pct_change"]
    of: Operand


class RollingMeanOp(Windowed):
    model_config = ConfigDict(
        title="RollingMean",
        description="Mean over a trailing window",
        json_schema_extra={"examples": [{"op": "rolling_mean", "of": "spread", "periods": 20}]},
    )
    op: Literal["rolling_mean"]
    of: Operand


class RollingSumOp(Windowed):
    model_config = ConfigDict(
        title="RollingSum",
        description="Sum over a trailing window",
        json_schema_extra={
            "examples": [{"op": "rolling_sum", "of": "FED_RMP_BILL_PURCHASES", "window": "30d"}]
        },
    )
    op: Literal["rolling_sum"]
    of: Operand


class ZScoreOp(Windowed):
    model_config = ConfigDict(
        title="ZScore",
        description="Standard deviations from the trailing mean",
        json_schema_extra={"examples": [{"op": "zscore", "of": "spread", "window": "3y"}]},
    )
    op: Literal["zscore"]
    of: Operand


class PercentileOp(Op):
    model_config = ConfigDict(
        title="Percentile",
        description="Percentile (0-100) of each value within its history up to that date",
        json_schema_extra={"examples": [{"op": "percentile", "of": "ratio", "window": "all"}]},
    )
    op: Literal["percentile"]
    of: Operand
    window: Duration = Field("all", description="'all' for the whole history up to each date")

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        return check_duration(value)


class CountOp(Windowed):
    model_config = ConfigDict(
        title="Count",
        description="How many observations in the window are above (or below) a bound",
        json_schema_extra={
            "examples": [{"op": "count", "of": "spread", "above": 0, "periods": 20}]
        },
    )
    op: Literal["count"]
    of: Operand
    above: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> CountOp:
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of 'above' or 'below'")
        return self


class ResampleOp(Op):
    model_config = ConfigDict(
        title="Resample",
        description="Weekly, monthly or quarterly values: sum, last or mean per period",
        json_schema_extra={
            "examples": [
                {
                    "op": "resample",
                    "of": "FED_RMP_BILL_PURCHASES",
                    "freq": "month",
                    "how": "sum",
                    "complete_only": True,
                }
            ]
        },
    )
    op: Literal["resample"]
    of: Operand
    freq: Literal["week", "month", "quarter"]
    how: Literal["sum", "last", "mean"] = "last"
    complete_only: bool = Field(
        False,
        description="Drop the last period when the data stops more than a week before it ends",
    )


class SpliceOp(Op):
    model_config = ConfigDict(
        title="Splice",
        description="One series before a date, another from that date on",
        json_schema_extra={
            "examples": [{"op": "splice", "before": "IOER", "after": "IORB", "at": "2021-07-29"}]
        },
    )
    op: Literal["splice"]
    before: Operand
    after: Operand
    at: date = Field(description="The first date taken from 'after'")


class DrawdownOp(Op):
    model_config = ConfigDict(
        title="Drawdown",
        description="Percent below the running peak",
        json_schema_extra={"examples": [{"op": "drawdown", "of": "BTC-USD"}]},
    )
    op: Literal["drawdown"]
    of: Operand


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
    | ZScoreOp
    | PercentileOp
    | CountOp
    | ResampleOp
    | SpliceOp
    | DrawdownOp,
    Field(discriminator="op"),
]
Operand = str | Formula
OPERATIONS = {
    model.model_fields["op"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in Formula.__origin__.__args__  # type: ignore[attr-defined]
}

for _model in OPERATIONS.values():
    _model.model_rebuild()


# -- series, indicators, site -------------------------------------------------------------


class SeriesConfig(Strict):
    source: Literal["fred", "nyfed", "market", "crypto"] = Field(
        description="Where `make update` fetches it: fred, nyfed, market or crypto"
    )
    title: str = Field(description="The series' name at its source")
    units: str = Field(description="Units as the source states them")
    owner: str = Field(description="Who owns the data (their terms apply)")
    frequency: str = Field(description="How often it is observed")
    redistribute: bool = Field(
        True, description="False when the owner's terms forbid publishing raw levels"
    )
    attribution: str | None = Field(None, description="Credit line shown next to the data")
    plausible: tuple[float, float] | None = Field(None, description="[low, high] for sanity checks")
    revision_days: int = Field(
        90, ge=0, le=3650, description="Days before the last stored date re-fetched by update"
    )
    optional: bool = Field(False, description="True when the series may be absent")
    note: str | None = Field(None, description="Why the series is missing or special")
    link: str | None = Field(None, description="Page of the series at its source")

    def url(self, series_id: str) -> str | None:
        if self.link:
            return self.link
        if self.source == "fred":
            return f"https://fred.stlouisfed.org/series/{series_id}"
        return None


class Quantity(Strict):
    label: str = Field(description="How the quantity is named on cards, charts and pages")
    formula: Operand = Field(
        description="A series id, an earlier quantity's name, or an operation (nestable)"
    )
    unit: str | None = Field(None, description="Defaults to the indicator's unit")
    decimals: int | None = Field(
        None, ge=0, le=6, description="Decimals shown; defaults to the indicator's"
    )


class ChartConfig(Strict):
    kind: Literal["line", "area", "bar"] = Field(
        "line", description="line for levels, area for a filled level, bar for monthly flows"
    )
    plot: list[str] = Field(min_length=1, description="Quantities drawn, one line each")
    window: Duration = Field("10y", description="How much history to draw, or 'all'")
    rule_at: float | None = Field(None, description="Draw a horizontal rule at this value")
    weekly_after: Duration = Field(
        "2y", description="Downsample to weekly when the window is longer than this"
    )
    log_scale: bool = Field(False, description="A log y axis, for prices over many years")

    @field_validator("window", "weekly_after")
    @classmethod
    def _duration(cls, value: str) -> str:
        return check_duration(value)


Level = Literal["calm", "watch", "stress"]


class StatusRule(Strict):
    when: str = Field(description="A condition over the quantities, e.g. 'mean_20d > 0'")
    level: Level = Field(description="The traffic light when the rule holds: calm, watch, stress")
    say: str = Field(description="The narrative sentence; {{ name }} inserts a quantity")


class Card(Strict):
    value: str = Field(description="The quantity shown large on the home card")
    change: str | None = Field(None, description="A quantity shown as the recent change")
    percentile: str | None = Field(None, description="A quantity shown as the percentile")


class IndicatorConfig(Strict):
    id: str = Field(description="The page address: lowercase letters, digits and -")
    title: str = Field(description="The heading of the card and the page")
    group: Literal["liquidity", "funding", "labour", "equities", "crypto"] = Field(
        description="The home-page section the card sits in"
    )
    unit: str = Field(description="The unit of the quantities, shown after numbers")
    decimals: int = Field(1, ge=0, le=6, description="Decimals shown for the quantities")
    measures: str = Field(description="What the indicator measures")
    thesis: str = Field(description="Why it matters to the thesis")
    units_note: str | None = Field(None, description="How source units were aligned")
    quantities: dict[str, Quantity] = Field(
        min_length=1, description="Named formulas; each may use the ones above it"
    )
    card: Card = Field(description="What the home-page card shows")
    chart: ChartConfig = Field(description="The chart on the indicator page")
    status: list[StatusRule] = Field(
        default_factory=list, description="Rules tried in order; the first that holds wins"
    )

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not INDICATOR_ID.match(value):
            raise ValueError(f"{value!r} is not a valid id: use lowercase letters, digits and '-'")
        return value

    @field_validator("quantities")
    @classmethod
    def _names(cls, value: dict[str, Quantity]) -> dict[str, Quantity]:
        for name in value:
            if not QUANTITY_NAME.match(name):
                raise ValueError(
                    f"quantity name {name!r} must start with a letter and use a-z, 0-9 and _"
                )
        return value


class RegimeInput(Strict):
    indicator: str = Field(description="An indicator id")
    quantity: str = Field(description="One of that indicator's quantities")
    weight: float = Field(1.0, gt=0, description="Its weight in the composite score")
    invert: bool = Field(False, description="True when a higher value means tighter liquidity")
    label: str | None = Field(None, description="How the headline names this input")


class RegimeConfig(Strict):
    lookback: Duration = Field("3y", description="Window over which inputs are standardised")
    easing_above: float = Field(0.5, description="Score above which the regime is easing")
    tight_below: float = Field(-0.5, description="Score below which the regime is tight")
    inputs: list[RegimeInput] = Field(min_length=1, description="The standardised inputs")

    @field_validator("lookback")
    @classmethod
    def _duration(cls, value: str) -> str:
        return check_duration(value)


class SiteConfig(Strict):
    name: str = Field("Liquidity Watch", description="The site's name: header, home, feeds")
    tagline: str = Field("", description="The line under the name on the home page")


class Config(Strict):
    """indicators.yml: the catalogue a fork edits."""

    model_config = ConfigDict(title="Liquidity Watch indicators.yml")

    site: SiteConfig = Field(SiteConfig(), description="Names shown on the site")
    series: dict[str, SeriesConfig] = Field(description="Every input series, by id")
    indicators: list[IndicatorConfig] = Field(description="What the site measures, in order")
    regime: RegimeConfig | None = Field(None, description="The composite liquidity regime")

    def indicator(self, indicator_id: str) -> IndicatorConfig:
        for item in self.indicators:
            if item.id == indicator_id:
                return item
        raise KeyError(indicator_id)


class Event(Strict):
    date: date
    label: str = Field(max_length=80)
    kind: Literal["fomc", "policy", "market"] = "policy"


class Events(Strict):
    events: list[Event]


# -- loading with line numbers ---------------------------------------------------------


@dataclass
class _Located:
    """A YAML document with the node tree kept, so errors can point at lines."""

    path: Path
    data: object
    node: yaml.Node | None

    def line(self, loc: Iterable[object]) -> int:
        node = self.node
        best = node.start_mark.line + 1 if node is not None else 1
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                match = next((v for k, v in node.value if k.value == key), None)
                key_node = next((k for k, _ in node.value if k.value == key), None)
                if match is None:
                    break
                best = key_node.start_mark.line + 1 if key_node is not None else best
                node = match
                if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
                    best = node.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if key >= len(node.value):
                    break
                node = node.value[key]
                best = node.start_mark.line + 1
            else:
                break
        return best


# libyaml's loader when PyYAML was built with it (the wheels are): the catalogue is read on
# every build and check, and the pure-Python parser costs several times more.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> _Located:
    where = _display(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError([f"{where}: file not found"]) from None
    loader = _Loader(text)
    try:
        # One parse: compose keeps the node tree (for line numbers), construct gives the data.
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or str(exc)
        raise ConfigError([f"{where}:{line}: YAML syntax error: {problem}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{where}: YAML syntax error: {exc}"]) from None
    except (ValueError, TypeError) as exc:
        # A scalar YAML itself cannot build, such as the date 2026-13-28.
        line = _unbuildable_line(node) if node is not None else 1
        raise ConfigError([f"{where}:{line}: YAML value error: {exc}"]) from None
    finally:
        loader.dispose()
    duplicates = _duplicate_keys(node)
    if duplicates:
        raise ConfigError([f"{where}:{line}: {message}" for line, message in duplicates])
    return _Located(path, data, node)


def _nodes(node: yaml.Node | None) -> Iterable[yaml.Node]:
    if node is None:
        return
    yield node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _nodes(key)
            yield from _nodes(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _nodes(item)


def _unbuildable_line(root: yaml.Node) -> int:
    """The line of the first scalar that PyYAML fails to construct."""
    for node in _nodes(root):
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(node)
            except (ValueError, TypeError, yaml.YAMLError):
                return node.start_mark.line + 1
    return 1


def _duplicate_keys(root: yaml.Node | None) -> list[tuple[int, str]]:
    """YAML keeps the last of two equal keys without a word; a fork's edit then silently
    does nothing, so a repeated key is an error naming both lines."""
    found: list[tuple[int, str]] = []
    for node in _nodes(root):
        if not isinstance(node, yaml.MappingNode):
            continue
        first: dict[str, int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            line = key.start_mark.line + 1
            if key.value in first:
                found.append(
                    (line, f"duplicate key {key.value!r}: already given on line {first[key.value]}")
                )
            else:
                first[key.value] = line
    return found


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


OPERAND_FIELDS = {"formula", "of", "a", "b", "before", "after"}
FORMULA_HINT = (
    "expected a series id, a quantity name, or an operation such as "
    "{op: change, of: WALCL, window: 13w}"
)


# pydantic's wording ("Input should be a valid integer, unable to parse string as an integer")
# rewritten for someone who edits YAML rather than Python.
PLAIN_TYPE_ERRORS = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text (put it in quotes)",
    "tuple_type": "a list such as [low, high]",
    "list_type": "a list such as [a, b]",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "date_from_datetime_parsing": "a date such as 2025-12-12",
    "date_parsing": "a date such as 2025-12-12",
    "date_type": "a date such as 2025-12-12",
}


@dataclass
class _Where:
    """A pydantic error location translated into YAML terms."""

    path: tuple  # keys and indexes as they appear in the YAML file
    owner: type[BaseModel] | None  # the model whose field is the last key (for hints)
    string_branch: bool  # the error is the "a formula may be a plain name" alternative


def _walk(loc: tuple) -> _Where:
    """Drop pydantic's union markers (``str``, ``tagged-union[...]`` and the op tag after it)
    from a location, tracking which model each step lands in.

    Markers are recognised by position (right after an operand field), never by name, so a
    YAML key that happens to be called ``series`` or ``str`` is not mistaken for one.
    """
    path: list[object] = []
    model: type[BaseModel] | None = Config
    owner: type[BaseModel] | None = Config
    dict_key_next = False
    string_branch = False
    index = 0
    while index < len(loc):
        step = loc[index]
        index += 1
        at_operand = bool(path) and (
            path[-1] in OPERAND_FIELDS
            or (isinstance(path[-1], int) and len(path) > 1 and path[-2] == "of")
        )
        if isinstance(step, str) and step.startswith(("tagged-union[", "function-after[")):
            if index < len(loc) and loc[index] in OPERATIONS:
                model = OPERATIONS[str(loc[index])]
                index += 1
            continue
        if step == "str" and at_operand:
            string_branch = index == len(loc)
            continue
        owner = model
        path.append(step)
        if dict_key_next:
            dict_key_next = False
            continue
        if isinstance(step, int) or model is None:
            continue
        field = model.model_fields.get(str(step))
        if field is None:
            model = None
            continue
        model = _inner_model(field.annotation)
        dict_key_next = typing.get_origin(field.annotation) is dict
    return _Where(tuple(path), owner, string_branch)


def _context(path: tuple, data: object) -> tuple[str, str]:
    """(indicator or series context, dotted field path) for a message."""
    if len(path) >= 2 and path[0] == "indicators" and isinstance(path[1], int):
        items = data.get("indicators") if isinstance(data, dict) else None
        ident = None
        if isinstance(items, list) and path[1] < len(items) and isinstance(items[path[1]], dict):
            ident = items[path[1]].get("id")
        context = f"indicator {ident!r}" if ident else f"indicator #{path[1] + 1}"
        rest = path[2:]
    elif len(path) >= 2 and path[0] == "series":
        context, rest = f"series {path[1]!r}", path[2:]
    elif path and path[0] == "regime":
        context, rest = "regime", path[1:]
    else:
        context, rest = "", path
    return context, _dotted(rest)


def _dotted(parts: Iterable[object]) -> str:
    """status.0.when -> status[0].when, as the YAML reads."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _pydantic_problems(doc: _Located, error: ValidationError) -> list[str]:
    where = _display(doc.path)
    items = [(item, _walk(tuple(item["loc"]))) for item in error.errors()]
    # A formula is "a name or an operation": pydantic reports both alternatives. Keep the
    # operation's complaint; when the value was neither, say so once.
    other_paths = {w.path for _, w in items if not w.string_branch}
    problems: list[str] = []
    seen: set[tuple] = set()
    for item, found in items:
        if found.string_branch and any(p[: len(found.path)] == found.path for p in other_paths):
            continue
        path = found.path
        message = item["msg"].removeprefix("Value error, ")
        kind = item["type"]
        if kind == "extra_forbidden":
            message = f"unknown key {path[-1]!r}" if path else "unknown key"
            close = _close_key(found)
            if close:
                message += f": did you mean {close!r}?"
            path = path[:-1]
        elif kind == "union_tag_invalid":
            tag = item.get("ctx", {}).get("tag")
            message = f"unknown operation {tag!r}: use one of {', '.join(sorted(OPERATIONS))}"
        elif kind == "union_tag_not_found":
            message = f"an operation needs 'op:', one of {', '.join(sorted(OPERATIONS))}"
        elif (
            kind in {"model_attributes_type", "dict_type", "model_type"}
            and path
            and (path[-1] in OPERAND_FIELDS or isinstance(path[-1], int))
        ):
            message = FORMULA_HINT
        elif found.string_branch:
            message = FORMULA_HINT
        elif kind == "missing" and path:
            message = f"required field {path[-1]!r} is missing"
            path = path[:-1]
        elif kind in PLAIN_TYPE_ERRORS:
            message = f"{item.get('input')!r} is not {PLAIN_TYPE_ERRORS[kind]}"
        elif kind == "literal_error":
            allowed = item.get("ctx", {}).get("expected", "").replace("'", "")
            message = f"{item.get('input')!r} is not allowed: use {allowed}"
        key = (path, message)
        if key in seen:
            continue
        seen.add(key)
        context, field = _context(path, doc.data)
        line = doc.line(found.path)
        label = ", ".join(part for part in (context, f"field {field!r}" if field else "") if part)
        problems.append(f"{where}:{line}: {label + ': ' if label else ''}{message}")
    return problems


def _close_key(found: _Where) -> str | None:
    """The allowed key nearest to an unknown one, for 'did you mean'."""
    if found.owner is None or not found.path:
        return None
    match = difflib.get_close_matches(str(found.path[-1]), sorted(found.owner.model_fields), n=1)
    return match[0] if match else None


def _inner_model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def load_config(path: Path) -> Config:
    """Parse and fully validate ``indicators.yml``; raises ConfigError with every problem."""
    doc = _read_yaml(path)
    if not isinstance(doc.data, dict):
        raise ConfigError(
            [f"{_display(path)}:1: expected a mapping with 'series' and 'indicators'"]
        )
    try:
        config = Config.model_validate(doc.data)
    except ValidationError as exc:
        raise ConfigError(_pydantic_problems(doc, exc)) from None
    problems = _cross_check(doc, config)
    if problems:
        raise ConfigError(problems)
    return config


def load_catalogue(path: Path) -> dict:
    """The raw YAML of ``indicators.yml`` (validate with ``load_config`` first)."""
    data = _read_yaml(path).data
    return data if isinstance(data, dict) else {}


def load_events(path: Path) -> list[Event]:
    doc = _read_yaml(path)
    try:
        return Events.model_validate(doc.data).events
    except ValidationError as exc:
        raise ConfigError(_pydantic_problems(doc, exc)) from None


def _cross_check(doc: _Located, config: Config) -> list[str]:
    """The checks that need the whole file: references, duplicates, conditions."""
    where = _display(doc.path)
    problems: list[str] = []
    seen: dict[str, int] = {}
    series_ids = sorted(config.series)
    for series_id in series_ids:
        if not SERIES_ID.match(series_id):
            problems.append(
                f"{where}:{doc.line(('series', series_id))}: series id {series_id!r} is "
                "malformed: use upper-case A-Z, 0-9, '_', '-' and '.' (as the source spells it)"
            )
    for index, indicator in enumerate(config.indicators):
        base = ("indicators", index)
        label = f"indicator {indicator.id!r}"

        def report(loc: tuple, field: str, message: str, _base: tuple = base, _label: str = label):
            problems.append(
                f"{where}:{doc.line(_base + loc)}: {_label}, field {field!r}: {message}"
            )

        if indicator.id in seen:
            report(
                ("id",), "id", f"duplicate id: already used by indicator #{seen[indicator.id] + 1}"
            )
        seen.setdefault(indicator.id, index)
        defined: list[str] = []
        for name, quantity in indicator.quantities.items():
            for ref in _references(quantity.formula):
                if ref in defined:
                    continue
                if ref in config.series:
                    continue
                later = ref in indicator.quantities
                hint = (
                    "quantities can only use quantities defined above them"
                    if later
                    else _suggest("series or quantity", ref, series_ids + defined)
                )
                report(("quantities", name, "formula"), f"quantities.{name}.formula", hint)
            defined.append(name)
        names = list(indicator.quantities)
        for field, ref in (
            ("card.value", indicator.card.value),
            ("card.change", indicator.card.change),
            ("card.percentile", indicator.card.percentile),
        ):
            if ref is not None and ref not in indicator.quantities:
                report(tuple(field.split(".")), field, _suggest("quantity", ref, names))
        for position, ref in enumerate(indicator.chart.plot):
            if ref not in indicator.quantities:
                report(("chart", "plot", position), "chart.plot", _suggest("quantity", ref, names))
                continue
            owner = _raw_level_of(indicator.quantities[ref].formula, indicator, config)
            if owner is not None and not config.series[owner].redistribute:
                report(
                    ("chart", "plot", position),
                    "chart.plot",
                    f"quantity {ref!r} is the raw level of {owner!r}, whose owner's terms forbid "
                    "redistribution (redistribute: false): plot a derived quantity instead",
                )
        for position, rule in enumerate(indicator.status):
            problem = _sentence_problem(rule.say, names)
            if problem:
                report(("status", position, "say"), f"status[{position}].say", problem)
            loc = ("status", position, "when")
            try:
                used = conditions.parse(rule.when).names
            except conditions.ConditionError as exc:
                report(loc, f"status[{position}].when", str(exc))
                continue
            for name in sorted(used - set(names)):
                report(loc, f"status[{position}].when", _suggest("quantity", name, names))
    if config.regime is not None:
        for position, item in enumerate(config.regime.inputs):
            loc = ("regime", "inputs", position)
            try:
                target = config.indicator(item.indicator)
            except KeyError:
                ids = [i.id for i in config.indicators]
                msg = _suggest("indicator", item.indicator, ids)
                problems.append(f"{where}:{doc.line(loc)}: regime, field 'inputs.indicator': {msg}")
                continue
            if item.quantity not in target.quantities:
                msg = _suggest("quantity", item.quantity, list(target.quantities))
                problems.append(f"{where}:{doc.line(loc)}: regime, field 'inputs.quantity': {msg}")
    return problems


# The filters ``say:`` sentences may use; indicators.py registers exactly these.
SENTENCE_FILTERS = ("num", "signed", "abs")
_SENTENCES = SandboxedEnvironment(autoescape=False)
_SENTENCES.filters.update({name: (lambda value, *args: value) for name in SENTENCE_FILTERS})


def _sentence_problem(text: str, quantities: list[str]) -> str | None:
    """Why a ``say:`` sentence would fail at build time, or None: a Jinja syntax error, an
    unknown filter, or a placeholder that names no quantity."""
    try:
        tree = _SENTENCES.parse(text)
        _SENTENCES.from_string(text)
    except TemplateError as exc:
        return f"sentence does not parse: {exc.message}"
    allowed = {"date", "month"} | set(quantities)
    allowed |= {f"{name}_{suffix}" for name in quantities for suffix in ("date", "month")}
    unknown = sorted(jinja_meta.find_undeclared_variables(tree) - allowed)
    if unknown:
        return _suggest("placeholder", unknown[0], sorted(allowed)) + (
            " (use a quantity name, date, month, <quantity>_date or <quantity>_month)"
        )
    return None


def _raw_level_of(operand: object, indicator: IndicatorConfig, config: Config) -> str | None:
    """The series a quantity merely copies or rescales, if any (its data would be the raw level)."""
    if isinstance(operand, str):
        if operand in config.series:
            return operand
        quantity = indicator.quantities.get(operand)
        return _raw_level_of(quantity.formula, indicator, config) if quantity else None
    if isinstance(operand, SeriesOp):
        return operand.id
    if isinstance(operand, ScaleOp):
        return _raw_level_of(operand.of, indicator, config)
    return None


def _suggest(kind: str, name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    hint = f": did you mean {close[0]!r}?" if close else ""
    return f"unknown {kind} {name!r}{hint}"


def _references(operand: object) -> list[str]:
    """Every name a formula refers to, nested operations included."""
    if isinstance(operand, str):
        return [operand]
    if isinstance(operand, SeriesOp):
        return [operand.id]
    found: list[str] = []
    if isinstance(operand, Op):
        for child in operand.operands():
            found.extend(_references(child))
    return found


def series_used(indicator: IndicatorConfig, config: Config) -> list[str]:
    """The series an indicator reads, in first-use order."""
    used: list[str] = []
    for quantity in indicator.quantities.values():
        for ref in _references(quantity.formula):
            if ref in config.series and ref not in used:
                used.append(ref)
    return used


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
        case SpliceOp():
            return f"{describe(operand.before)} before {operand.at}, then {describe(operand.after)}"
        case DrawdownOp():
            return f"percent below the running peak of {describe(operand.of)}"
    return type(operand).__name__


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
