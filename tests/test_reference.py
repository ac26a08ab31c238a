"""The generated Config reference page: complete, and its examples are accepted by the models."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalogue.formulas import OPERATIONS
from generator.catalogue.load import load_catalogue
from generator.catalogue.models import Quantity, SeriesConfig
from generator.catalogue.reference import CHART_KINDS, SECTIONS, reference_context
from generator.catalogue.sentences import FILTERS as SENTENCE_FILTERS
from generator.catalogue.sentences import environment
from generator.catalogue.sources import SOURCE_MODELS
from tests.conftest import FIXTURE, load_yaml


def test_every_field_operation_and_chart_kind_is_on_the_page(built_project: Path):
    page = (built_project / "site/config-reference.md").read_text()
    for _, _, model in SECTIONS:
        for name in model.model_fields:
            assert f"| `{name}` |" in page, f"{model.__name__}.{name} missing"
    for name, model in OPERATIONS.items():
        assert f"### `{name}`" in page
        for field in model.model_fields:
            assert field == "op" or f"| `{field}` |" in page
    for kind in CHART_KINDS:
        assert f"| `{kind}` |" in page
    for name, source in SOURCE_MODELS.items():
        assert f"### `{name}`" in page
        for field in source.model_fields:
            assert field == "source" or f"| `{field}` |" in page, f"{name}.{field} missing"
    html = (built_project / "public/config-reference/index.html").read_text()
    assert 'id="op-splice"' in html and 'id="chart-kinds"' in html


def test_chart_kinds_are_exactly_the_accepted_ones():
    from generator.catalogue.models import ChartConfig

    accepted = ChartConfig.model_fields["kind"].annotation.__args__
    assert set(CHART_KINDS) == set(accepted)


def test_each_operation_example_validates_as_a_formula():
    context = reference_context(load_catalogue(FIXTURE / "indicators.yml"))
    assert len(context["operations"]) == len(OPERATIONS)
    for operation in context["operations"]:
        formula = load_yaml(operation.example)["formula"]
        parsed = Quantity.model_validate({"label": "x", "formula": formula}).formula
        assert type(parsed) is OPERATIONS[operation.name], operation.name


def test_each_source_example_validates_as_a_series_fetch_block():
    context = reference_context(load_catalogue(FIXTURE / "indicators.yml"))
    assert [source.name for source in context["sources"]] == list(SOURCE_MODELS)
    for source in context["sources"]:
        block = load_yaml(source.example)["fetch"]
        spec = SeriesConfig.model_validate(
            {"title": "t", "units": "u", "owner": "o", "frequency": "f", "fetch": block}
        )
        assert spec.source == source.name and type(spec.fetch) is SOURCE_MODELS[source.name]


def test_examples_come_from_the_shipped_catalogue():
    context = reference_context(load_catalogue(FIXTURE / "indicators.yml"))
    series = next(s for s in context["sections"] if s.title == "series")
    source = next(f for f in series.fields if f.name == "source")
    assert source.example == "fred" and source.required
    chart = next(s for s in context["sections"] if s.title == "chart")
    window = next(f for f in chart.fields if f.name == "window")
    assert window.type.startswith("duration") and window.default == "10y"


def test_sentence_filters_the_checker_allows_are_the_ones_the_build_has():
    from generator.publish import sentences

    assert set(sentences._SANDBOX.filters) >= set(SENTENCE_FILTERS)
    with pytest.raises(ValueError, match="sentence filters must be"):
        environment({"num": str})


def test_a_sources_checked_text_is_text_not_a_duration():
    """A source's string parameters are checked by their type (FredId, Name...): the page calls
    them text, as it did when each had a validator of its own (an optional one was once
    mistaken for a duration, the other Annotated text)."""
    context = reference_context(load_catalogue(FIXTURE / "indicators.yml"))
    types = {
        (source.name, field.name): field.type
        for source in context["sources"]
        for field in source.fields
    }
    assert types["fred", "id"] == "text"
    assert types["defillama", "chain"] == "text" and types["defillama", "peg"] == "text"
    assert types["fiscaldata", "endpoint"] == "text"


@pytest.mark.parametrize("size", [0, 1, 5, 23, 24, 25, 200])
def test_an_example_too_long_for_a_cell_is_a_block_whether_or_not_it_is_dumped(size):
    """A long list or mapping is called a block without dumping it (3 characters an item at
    least); the words must be those dumping it gives, on both sides of the width."""
    from pydantic.fields import FieldInfo

    from generator.catalogue import reference

    for value in ([f"i{n}" for n in range(size)], {f"k{n}": n for n in range(size)}):
        text = reference._flow(value)
        expected = (
            "(a block, see the catalogue)"
            if len(text) > reference.EXAMPLE_WIDTH
            else reference._clip(text)
        )
        assert reference._example("x", FieldInfo(), [{"x": value}]) == expected
