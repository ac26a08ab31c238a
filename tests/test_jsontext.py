"""publish/jsontext: indented JSON byte for byte as ``json.dumps`` writes it.

Every published JSON file (the API, the explanations, the chart specs) is written by it, so
its text is compared here with the standard library's on random documents of every shape
(nesting, empty containers, keys that are not strings, escapes, non-ASCII, NaN) and on the
real shapes: an indicator's API rows and its explanation from the frozen fixture.
"""

from __future__ import annotations

import json
import math
import random

import pytest

from generator.catalogue.load import load_config
from generator.measure import indicators, lineage
from generator.publish import api, charts, jsontext
from generator.publish import explain as explain_text
from generator.snapshot.load import load_snapshot
from generator.snapshot.store import Store
from tests.conftest import FIXTURE

VALUES: list[object] = [
    None, True, False, 0, -3, 2**70, 1.5, -0.0, 1e300, 1e-7, 3.141592653589793, 7.0,
    "", 'a"b\\c', "é ü \u2028 <x> & ☃", "\x00\n\t", "1",
]  # fmt: skip
KEYS: list[object] = ["a", "b", "k", "é", 'z"q', "1", "date"]
ODD_KEYS: list[object] = [1, 2.5, True, None]


def document(rng: random.Random, depth: int = 0, odd_keys: bool = False) -> object:
    roll = rng.random()
    if depth > 4 or roll < 0.45:
        return rng.choice(VALUES)
    if roll < 0.7:
        return [document(rng, depth + 1, odd_keys) for _ in range(rng.randint(0, 4))]
    if roll < 0.75:
        return tuple(document(rng, depth + 1, odd_keys) for _ in range(rng.randint(0, 3)))
    keys = KEYS + (ODD_KEYS if odd_keys else [])
    return {rng.choice(keys): document(rng, depth + 1, odd_keys) for _ in range(rng.randint(0, 5))}


def outcome(write, value, *args, **options):
    """The text, or the kind of error (both encoders word their messages differently)."""
    try:
        return write(value, *args, **options)
    except (TypeError, ValueError) as error:
        return type(error)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"sort_keys": True},
        {"ensure_ascii": False},
        {"ensure_ascii": False, "allow_nan": False},
        {"sort_keys": True, "ensure_ascii": False},
    ],
)
@pytest.mark.parametrize("indent", [0, 1, 2, 4])
def test_random_documents_are_written_as_json_writes_them(options, indent):
    rng = random.Random(f"{indent}{sorted(options.items())}")
    for _ in range(800):
        value = document(rng, odd_keys=not options.get("sort_keys"))
        expected = outcome(json.dumps, value, indent=indent, **options)
        assert outcome(jsontext.dumps, value, indent, **options) == expected, value


def test_what_json_refuses_is_refused():
    for bad in (math.nan, [1.0, math.inf], {"a": {"b": [-math.inf]}}):
        assert jsontext.dumps(bad) == json.dumps(bad, indent=1)  # NaN allowed by default
        with pytest.raises(ValueError):
            jsontext.dumps(bad, allow_nan=False)
    for bad in ({"a": {1, 2}}, [object()], {"a": [{"b": b"bytes"}]}, {(1, 2): [1]}):
        with pytest.raises(TypeError):
            jsontext.dumps(bad)


def test_the_published_shapes_are_written_as_json_writes_them():
    """An API file and an explanation per fixture indicator, and a chart spec."""
    config = load_config(FIXTURE / "indicators.yml")
    store = Store(FIXTURE / "data")
    snapshot = load_snapshot(config, store)
    provenance = lineage.Provenance(snapshot.revisions, {})
    hide = explain_text.withheld(config)
    specs = 0
    for result in indicators.evaluate(config, snapshot.series):
        if not result.has_data:
            continue
        frame = charts.chart_frame(result, result.config.chart)
        data = api.indicator_data(result, frame)
        expected = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
        assert api.api_json(data) == expected, result.id
        names = explain_text.explained_quantities(result.config)
        traced = lineage.explain_latest(config, result.config, snapshot.series, names, provenance)
        text = explain_text.document(result.config, traced, hide)
        assert text == json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n"
        if specs < 3:  # a few chart specs (Altair takes a while to make one)
            spec = charts.chart_spec(result, result.config.chart, frame, "x.csv", [])
            plain = json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False)
            assert jsontext.dumps(spec, 1, sort_keys=True, ensure_ascii=False) == plain
            specs += 1
    assert specs == 3
