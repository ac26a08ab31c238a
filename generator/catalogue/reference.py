"""The "Config reference" page, generated from the pydantic models behind ``indicators.yml``.

Written by hand it would drift from the code within a week; generated, every field, formula
operation and chart kind on the page is one the validator accepts, with the description the
schema carries, and the examples come from the shipped catalogue (so they are known to work)
or from the operation's own declared example (checked by a test).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypedDict

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from generator.catalogue.answer import AnswerConfig, AnswerPart, AnswerRule
from generator.catalogue.claims import TESTS, ClaimConfig, ClaimsConfig
from generator.catalogue.formulas import OPERATIONS
from generator.catalogue.grammar import Duration
from generator.catalogue.models import (
    AttributionConfig,
    AttributionSeries,
    Card,
    ChartConfig,
    Config,
    GroupConfig,
    IndicatorConfig,
    LadderAsset,
    LadderConfig,
    Quantity,
    RegimeConfig,
    RegimeInput,
    SeriesConfig,
    SiteConfig,
    StatusRule,
)
from generator.catalogue.sources import SOURCE_MODELS, example

# (heading, where the block sits in indicators.yml, model); the order of the page.
SECTIONS: list[tuple[str, str, type[BaseModel]]] = [
    ("Top level", "", Config),
    ("site", "site:", SiteConfig),
    ("series", "series: <ID>:", SeriesConfig),
    ("indicators", "indicators: - ", IndicatorConfig),
    ("quantities", "indicators: - quantities: <name>:", Quantity),
    ("card", "indicators: - card:", Card),
    ("chart", "indicators: - chart:", ChartConfig),
    ("status", "indicators: - status: - ", StatusRule),
    ("regime", "regime:", RegimeConfig),
    ("regime inputs", "regime: inputs: - ", RegimeInput),
    ("groups", "groups: - ", GroupConfig),
    ("ladder", "ladder:", LadderConfig),
    ("answer", "answer:", AnswerConfig),
    ("answer parts", "answer: parts: - ", AnswerPart),
    ("answer rules", "answer: parts: - rules: - ", AnswerRule),
    ("ladder assets", "ladder: assets: - ", LadderAsset),
    ("attribution", "attribution:", AttributionConfig),
    ("attribution series", "attribution: series:", AttributionSeries),
    ("claims", "claims:", ClaimsConfig),
    ("claim", "claims: items: - ", ClaimConfig),
]
CHART_KINDS = {
    "line": "one line per plotted quantity; the default, for levels and spreads",
    "area": "a filled area under the line, for a level whose size matters",
    "bar": "one bar per observation, for monthly flows (payroll changes)",
    "stacked_bar": "the plotted quantities stacked, first at the bottom, one bar per period "
    "(the Desk's reserve management purchases with the reinvested principal on top)",
}
EXAMPLE_WIDTH = 70
# Fields validated as durations; pydantic folds the ``Duration`` alias into a plain ``str``.
DURATION_FIELDS = {"window", "weekly_after", "lookback"}


@dataclass
class FieldRow:
    name: str
    type: str
    required: bool
    default: str
    description: str
    example: str


@dataclass
class Section:
    title: str
    anchor: str
    location: str
    description: str
    fields: list[FieldRow]


@dataclass
class Operation:
    name: str
    description: str
    fields: list[FieldRow]
    example: str


class ChartKind(TypedDict):
    name: str
    text: str
    used_by: list[str]


class TestRow(TypedDict):
    """A claim test: its inputs, parameters and outputs joined for the table."""

    name: str
    inputs: str
    params: str
    outputs: str
    text: str


class ReferencePage(TypedDict):
    """What ``config_reference.md.j2`` receives."""

    tests: list[TestRow]
    sections: list[Section]
    operations: list[Operation]
    sources: list[Operation]
    chart_kinds: list[ChartKind]
    rule_examples: list[str]


def reference_context(catalogue: dict[str, Any]) -> ReferencePage:
    """Everything the template shows; ``catalogue`` is the raw YAML of the shipped file."""
    samples = _samples(catalogue)
    sections = [
        Section(
            title=title,
            anchor=title.replace(" ", "-"),
            location=location,
            description=(model.__doc__ or "").strip().splitlines()[0] if model is Config else "",
            fields=[
                _row(name, info, samples.get(model, []))
                for name, info in model.model_fields.items()
            ],
        )
        for title, location, model in SECTIONS
    ]
    operations = [
        Operation(
            name=name,
            description=(model.__doc__ or "").strip(),
            fields=[_row(n, i, []) for n, i in model.model_fields.items() if n != "op"],
            example=_block({"formula": model.model_config["json_schema_extra"]["examples"][0]}),
        )
        for name, model in OPERATIONS.items()
    ]
    fetchers = [
        Operation(
            name=name,
            description=" ".join((model.__doc__ or "").split()),  # one paragraph
            fields=[_row(n, i, []) for n, i in model.model_fields.items() if n != "source"],
            example=_block({"fetch": example(model)}),
        )
        for name, model in SOURCE_MODELS.items()
    ]
    kinds: list[ChartKind] = []
    for kind, text in CHART_KINDS.items():
        users = [
            item.get("id", "?")
            for item in catalogue.get("indicators", [])
            if isinstance(item, dict) and item.get("chart", {}).get("kind", "line") == kind
        ]
        kinds.append({"name": kind, "text": text, "used_by": users})
    rules = [
        rule
        for item in catalogue.get("indicators", [])
        for rule in (item.get("status") or [])[:1]
        if isinstance(rule, dict)
    ][:3]
    tests: list[TestRow] = [
        {
            "name": name,
            "inputs": ", ".join(test.inputs),
            "params": ", ".join(test.param_names) or "none",
            "outputs": ", ".join(test.outputs),
            "text": test.describe,
        }
        for name, test in TESTS.items()
    ]
    return {
        "tests": tests,
        "sections": sections,
        "operations": operations,
        "sources": fetchers,
        "chart_kinds": kinds,
        "rule_examples": [
            yaml.safe_dump([rule], sort_keys=False, width=10_000, allow_unicode=True).strip()
            for rule in rules
        ],
    }


def _samples(catalogue: dict[str, Any]) -> dict[type[BaseModel], list[dict[str, Any]]]:
    """Raw YAML blocks of the shipped catalogue, by the model that validates them."""
    indicators = [i for i in catalogue.get("indicators") or [] if isinstance(i, dict)]
    regime = catalogue.get("regime") or {}
    claims = catalogue.get("claims") or {}
    answer = catalogue.get("answer") or {}
    parts = [p for p in answer.get("parts") or [] if isinstance(p, dict)]
    ladder = catalogue.get("ladder") or {}
    attribution = catalogue.get("attribution") or {}
    return {
        Config: [catalogue],
        SiteConfig: [catalogue.get("site") or {}],
        SeriesConfig: list((catalogue.get("series") or {}).values()),
        IndicatorConfig: indicators,
        Quantity: [q for i in indicators for q in (i.get("quantities") or {}).values()],
        Card: [i.get("card") or {} for i in indicators],
        ChartConfig: [i.get("chart") or {} for i in indicators],
        StatusRule: [r for i in indicators for r in i.get("status") or []],
        RegimeConfig: [regime],
        RegimeInput: list(regime.get("inputs") or []),
        LadderConfig: [ladder],
        LadderAsset: [a for a in ladder.get("assets") or [] if isinstance(a, dict)],
        AttributionConfig: [attribution],
        AttributionSeries: [attribution.get("series") or {}],
        GroupConfig: [g for g in catalogue.get("groups") or [] if isinstance(g, dict)],
        AnswerConfig: [answer],
        AnswerPart: parts,
        AnswerRule: [r for p in parts for r in p.get("rules") or [] if isinstance(r, dict)],
        ClaimsConfig: [claims],
        ClaimConfig: [c for c in claims.get("items") or [] if isinstance(c, dict)],
    }


def _row(name: str, info: FieldInfo, samples: list[dict[str, Any]]) -> FieldRow:
    required = info.is_required()
    default = "" if required else _inline(_default(info))
    return FieldRow(
        name=name,
        type=_type_of(name, info),
        required=required,
        default=default,
        description=info.description or "",
        example=_example(name, info, samples),
    )


def _type_of(name: str, info: FieldInfo) -> str:
    if name in DURATION_FIELDS:
        extra = " or all" if "'all'" in (info.description or "") else ""
        return f"duration (30d, 13w, 12m, 10y{extra})"
    return type_name(info.annotation)


def _default(info: FieldInfo) -> object:
    if info.default_factory is not None:
        return _plain(info.default_factory())  # type: ignore[call-arg]
    value = info.default
    if value is PydanticUndefined:
        return None
    return _plain(value)


def _plain(value: object) -> object:
    """A default as YAML writes it: models as mappings of the fields they set (a list of
    groups or ladder assets included), so the dumper can print it."""
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_defaults=True) or value.model_dump()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _example(name: str, info: FieldInfo, samples: list[dict[str, Any]]) -> str:
    """The first value the shipped catalogue gives this field, kept short."""
    for sample in samples:
        if isinstance(sample, dict) and name in sample:
            value = sample[name]
            # A flow collection of n items is at least 3n characters ("[a, b]"): a long one
            # is a block without dumping it (the catalogue's whole indicators list, else).
            if isinstance(value, dict | list) and 3 * len(value) > EXAMPLE_WIDTH:
                return "(a block, see the catalogue)"
            text = _flow(value)
            if isinstance(value, dict | list) and len(text) > EXAMPLE_WIDTH:
                return "(a block, see the catalogue)"
            return _clip(text)
    return ""


# libyaml's dumper when PyYAML has it (its wheels do): the pure-Python one was half the
# reference page's cost. Both are safe dumpers and print the same YAML.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _flow(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    text = yaml.dump(value, Dumper=_DUMPER, default_flow_style=True, width=10_000, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def _inline(value: object) -> str:
    return _clip(_flow(value))


def _clip(text: str) -> str:
    return text if len(text) <= EXAMPLE_WIDTH else text[: EXAMPLE_WIDTH - 1] + "…"


def _block(value: object) -> str:
    return yaml.dump(
        value, Dumper=_DUMPER, default_flow_style=None, sort_keys=False, width=88
    ).strip()


_PLAIN_NAMES: tuple[tuple[object, str], ...] = (
    (str, "text"),
    (bool, "true or false"),
    (int, "whole number"),
    (float, "number"),
    (date, "date (YYYY-MM-DD)"),
)


def type_name(annotation: object) -> str:
    """A reader's name for a field type: 'number', 'one of: line, area, bar', 'formula'."""
    plain = next((name for kind, name in _PLAIN_NAMES if annotation is kind), None)
    if plain is not None:
        return plain
    generic = _generic_name(annotation)
    if generic is not None:
        return generic
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        title = next((t for t, _, m in SECTIONS if m is annotation), annotation.__name__)
        return f"[{title}](#{title.replace(' ', '-')})"
    return str(annotation)


def _generic_name(annotation: object) -> str | None:
    """The name of a parametrised type (Literal, Annotated, unions, containers), else None."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        return "one of: " + ", ".join(str(a) for a in args)
    if origin is typing.Annotated:  # a duration, or a source's checked text (FredId, Name...)
        base = type_name(args[0])
        return "duration (30d, 13w, 12m, 10y)" if annotation == Duration else base
    if origin in (typing.Union, types.UnionType):
        names = [a for a in args if a is not type(None)]
        if str in names and any(typing.get_origin(a) is typing.Annotated for a in names):
            return "formula: a name or an operation"
        return " or ".join(type_name(a) for a in names)
    if origin is list:
        return f"list of {type_name(args[0])}"
    if origin is tuple:
        return "[" + ", ".join(type_name(a) for a in args) + "]"
    if origin is dict:
        return f"mapping of name to {type_name(args[1])}"
    return None
