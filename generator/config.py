"""The models behind ``indicators.yml`` and ``events.yml``.

A fork changes the site by editing YAML, so every mistake must come back as a sentence that
names the file, the line, the indicator and the field. Pydantic does the type checking; this
module adds the YAML line numbers and the cross-references pydantic cannot see (series that
do not exist, quantities used before they are defined, conditions that do not parse).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
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
    op: Literal["series"]
    id: str = Field(description="A series id from the `series:` section")


class ScaleOp(Op):
    op: Literal["scale"]
    of: Operand
    factor: float = Field(description="Multiply by this, e.g. 0.001 for millions to billions")


class SpreadOp(Op):
    op: Literal["spread"]
    a: Operand
    b: Operand
    scale: float = Field(1.0, description="Multiply a - b by this, e.g. 100 for percent to bp")


class RatioOp(Op):
    op: Literal["ratio"]
    a: Operand
    b: Operand


class DifferenceOp(Op):
    op: Literal["difference"]
    of: list[Operand] = Field(min_length=2, description="The first minus all the others")


class SumOp(Op):
    op: Literal["sum"]
    of: list[Operand] = Field(min_length=2)


class ChangeOp(Windowed):
    op: Literal["change"]
    of: Operand


class PctChangeOp(Windowed):
    op: Literal["pct_change"]
    of: Operand


class RollingMeanOp(Windowed):
    op: Literal["rolling_mean"]
    of: Operand


class RollingSumOp(Windowed):
    op: Literal["rolling_sum"]
    of: Operand


class ZScoreOp(Windowed):
    op: Literal["zscore"]
    of: Operand


class PercentileOp(Op):
    op: Literal["percentile"]
    of: Operand
    window: Duration = Field("all", description="'all' for the whole history up to each date")

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        return check_duration(value)


class CountOp(Windowed):
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
    op: Literal["resample"]
    of: Operand
    freq: Literal["week", "month", "quarter"]
    how: Literal["sum", "last", "mean"] = "last"
    complete_only: bool = Field(
        False,
        description="Drop the last period when the data stops more than a week before it ends",
    )


class SpliceOp(Op):
    op: Literal["splice"]
    before: Operand
    after: Operand
    at: date = Field(description="The first date taken from 'after'")


class DrawdownOp(Op):
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
    source: Literal["fred", "nyfed", "market", "crypto", "treasury"]
    title: str
    units: str
    owner: str
    frequency: str
    redistribute: bool = Field(
        True, description="False when the owner's terms forbid publishing raw levels"
    )
    attribution: str | None = Field(None, description="Credit line shown next to the data")
    plausible: tuple[float, float] | None = Field(None, description="[low, high] for sanity checks")
    revision_days: int = Field(90, ge=0, le=3650)
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
    label: str
    formula: Operand
    unit: str | None = Field(None, description="Defaults to the indicator's unit")
    decimals: int | None = Field(None, ge=0, le=6)


class ChartConfig(Strict):
    kind: Literal["line", "area", "bar"] = "line"
    plot: list[str] = Field(min_length=1, description="Quantities drawn, one line each")
    window: Duration = Field("10y", description="How much history to draw, or 'all'")
    rule_at: float | None = Field(None, description="Draw a horizontal rule at this value")
    weekly_after: Duration = Field(
        "2y", description="Downsample to weekly when the window is longer than this"
    )
    log_scale: bool = False

    @field_validator("window", "weekly_after")
    @classmethod
    def _duration(cls, value: str) -> str:
        return check_duration(value)


Level = Literal["calm", "watch", "stress"]


class StatusRule(Strict):
    when: str = Field(description="A condition over the quantities, e.g. 'mean_20d > 0'")
    level: Level
    say: str = Field(description="The narrative sentence; {{ name }} inserts a quantity")


class Card(Strict):
    value: str
    change: str | None = None
    percentile: str | None = None


class IndicatorConfig(Strict):
    id: str
    title: str
    group: Literal["liquidity", "funding", "labour", "equities", "crypto"]
    unit: str
    decimals: int = Field(1, ge=0, le=6)
    measures: str = Field(description="What the indicator measures")
    thesis: str = Field(description="Why it matters to the thesis")
    units_note: str | None = Field(None, description="How source units were aligned")
    quantities: dict[str, Quantity] = Field(min_length=1)
    card: Card
    chart: ChartConfig
    status: list[StatusRule] = Field(default_factory=list)

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
    indicator: str
    quantity: str
    weight: float = Field(1.0, gt=0)
    invert: bool = Field(False, description="True when a higher value means tighter liquidity")
    label: str | None = Field(None, description="How the headline names this input")


class RegimeConfig(Strict):
    lookback: Duration = "3y"
    easing_above: float = 0.5
    tight_below: float = -0.5
    inputs: list[RegimeInput] = Field(min_length=1)

    @field_validator("lookback")
    @classmethod
    def _duration(cls, value: str) -> str:
        return check_duration(value)


class SiteConfig(Strict):
    name: str = "Liquidity Watch"
    tagline: str = ""


class Config(Strict):
    site: SiteConfig = SiteConfig()
    series: dict[str, SeriesConfig]
    indicators: list[IndicatorConfig]
    regime: RegimeConfig | None = None

    @field_validator("series")
    @classmethod
    def _series_ids(cls, value: dict[str, SeriesConfig]) -> dict[str, SeriesConfig]:
        for series_id in value:
            if not SERIES_ID.match(series_id):
                raise ValueError(
                    f"series id {series_id!r} is malformed: use A-Z, 0-9, '_', '-', '.' only"
                )
        return value

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


def _read_yaml(path: Path) -> _Located:
    where = _display(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError([f"{where}: file not found"]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or str(exc)
        raise ConfigError([f"{where}:{line}: YAML syntax error: {problem}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{where}: YAML syntax error: {exc}"]) from None
    return _Located(path, data, node)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _describe(doc: _Located, loc: tuple, data: object) -> tuple[str, str]:
    """Turn a pydantic location into (indicator context, dotted field path)."""
    context = ""
    if len(loc) >= 2 and loc[0] == "indicators" and isinstance(loc[1], int):
        items = data.get("indicators") if isinstance(data, dict) else None
        ident = None
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            ident = items[loc[1]].get("id")
        context = f"indicator {ident!r}" if ident else f"indicator #{loc[1] + 1}"
        rest = loc[2:]
    elif len(loc) >= 2 and loc[0] == "series":
        context = f"series {loc[1]!r}"
        rest = loc[2:]
    else:
        rest = loc
    # Drop pydantic's union-branch tags such as 'change' or 'str' from the path.
    parts = [str(p) for p in rest if not (isinstance(p, str) and p in OPERATIONS | {"str": 0})]
    return context, ".".join(parts)


def _pydantic_problems(doc: _Located, error: ValidationError) -> list[str]:
    where = _display(doc.path)
    problems = []
    seen = set()
    for item in error.errors():
        loc = tuple(item["loc"])
        clean = tuple(
            p for p in loc if not (isinstance(p, str) and (p in OPERATIONS or p == "str"))
        )
        context, field = _describe(doc, loc, doc.data)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = f"unknown key {clean[-1]!r}" if clean else "unknown key"
            field = ".".join(str(p) for p in clean[:-1][2:]) if context else field
            close = _close_key(item, loc)
            if close:
                message += f": did you mean {close!r}?"
        elif item["type"] == "union_tag_invalid":
            tag = item.get("ctx", {}).get("tag")
            message = f"unknown operation {tag!r}: use one of {', '.join(sorted(OPERATIONS))}"
        key = (clean, message)
        if key in seen:
            continue
        seen.add(key)
        line = doc.line(clean)
        label = ", ".join(part for part in (context, f"field {field!r}" if field else "") if part)
        problems.append(f"{where}:{line}: {label + ': ' if label else ''}{message}")
    return problems


def _close_key(item: dict, loc: tuple) -> str | None:
    """Suggest the nearest allowed key for an unknown one."""
    if not loc:
        return None
    owner_path = [p for p in loc[:-1]]
    candidates: set[str] = set()
    model = _model_at(owner_path)
    if model is not None:
        candidates = set(model.model_fields)
    match = difflib.get_close_matches(str(loc[-1]), sorted(candidates), n=1)
    return match[0] if match else None


def _model_at(path: list[object]) -> type[BaseModel] | None:
    """Find the model that owns a location, for spelling suggestions."""
    model: type[BaseModel] | None = Config
    for step in path:
        if model is None:
            return None
        if isinstance(step, int):
            continue
        if isinstance(step, str) and step in OPERATIONS:
            model = OPERATIONS[step]
            continue
        field = model.model_fields.get(str(step)) if model else None
        if field is None:
            # a dict key such as a series id or quantity name
            model = {
                Config: None,
            }.get(model, model)
            continue
        model = _inner_model(field.annotation)
    return model


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
