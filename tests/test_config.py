"""indicators.yml: the real catalogue loads, and mistakes come back as sentences with lines."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.catalogue.load import load_config, load_events
from generator.catalogue.messages import ConfigError
from generator.publish.describe import describe
from tests import frozen
from tests.conftest import FIXTURE, load_yaml

# The ids the site promised to keep (README: forks and tools rely on them); the configuration
# under test may add more, never drop one.
AGREED = [
    "fed-assets",
    "fed-bills",
    "reserves",
    "sofr-iorb-spread",
    "net-liquidity",
    "adp-payrolls",
    "small-large-ratio",
    "btc",
    "eth",
    "bnb",
    "eth-btc",
    "bnb-btc",
]
# Every indicator of the configuration under test, in its order: what the pages, the API and
# the browser tests iterate over (derived, so a frozen copy with one more indicator passes).
IDS = [i.id for i in frozen.config().indicators]


def test_catalogue_keeps_the_agreed_ids_in_order():
    kept = [i for i in IDS if i in AGREED]
    assert kept == AGREED


def test_events_include_the_policy_dates():
    events = {(str(e.date), e.kind) for e in load_events(FIXTURE / "events.yml")}
    assert ("2025-12-01", "policy") in events and ("2025-12-12", "policy") in events
    assert sum(1 for d, k in events if k == "fomc" and d.startswith("2026")) == 8


def test_formula_is_described_in_plain_notation():
    config = load_config(FIXTURE / "indicators.yml")
    net = config.indicator("net-liquidity").quantities["net"].formula
    assert describe(net) == "(WALCL − WTREGEN − RRPONTSYD × 1000) × 0.001"


def _broken(tmp_path: Path, edit) -> str:
    data = load_yaml((FIXTURE / "indicators.yml").read_text())
    edit(data)
    path = tmp_path / "indicators.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def test_unknown_series_suggests_the_closest(tmp_path: Path):
    def edit(d):
        d["indicators"][3]["quantities"]["spread"]["formula"]["a"] = "SOFRR"

    message = _broken(tmp_path, edit)
    assert "indicator 'sofr-iorb-spread', field 'quantities.spread.formula'" in message
    assert "unknown series or quantity 'SOFRR': did you mean 'SOFR'?" in message


def test_unknown_key_is_refused_with_its_line(tmp_path: Path):
    def edit(d):
        d["indicators"][0]["colour"] = "red"

    message = _broken(tmp_path, edit)
    assert "indicator 'fed-assets'" in message and "unknown key 'colour'" in message
    line = int(message.split(":")[1])
    text = (tmp_path / "indicators.yml").read_text().splitlines()
    assert text[line - 1].strip().startswith("colour:")


def test_raw_restricted_level_cannot_be_charted(tmp_path: Path):
    def edit(d):
        btc = next(item for item in d["indicators"] if item["id"] == "btc")
        btc["chart"]["plot"] = ["price"]

    assert "raw level of 'BTC-USD'" in _broken(tmp_path, edit)


def test_bad_condition_shows_where(tmp_path: Path):
    def edit(d):
        d["indicators"][0]["status"][0]["when"] = "change_13w >> 25"

    message = _broken(tmp_path, edit)
    assert "field 'status[0].when'" in message and "^" in message


def test_yaml_syntax_error_names_the_line(tmp_path: Path):
    path = tmp_path / "indicators.yml"
    path.write_text("series:\n  A: {source: fred\nindicators: []\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "indicators.yml:3: YAML syntax error" in str(caught.value)


def test_an_unknown_quantity_name_raises_instead_of_reading_nan():
    """A reader that asks for a quantity the indicator lacks is a bug: it must not print 'n/a'."""
    from generator.measure import indicators
    from generator.snapshot.load import load_snapshot
    from generator.snapshot.store import Store

    config = load_config(FIXTURE / "indicators.yml")
    results = indicators.evaluate(config, load_snapshot(config, Store(FIXTURE / "data")).series)
    reserves = next(r for r in results if r.id == "reserves")
    assert reserves.latest("change_13w") == reserves.quantities["change_13w"].iloc[-1]
    with pytest.raises(KeyError, match="indicator 'reserves' has no quantity 'change_q'"):
        reserves.latest("change_q")


def test_every_operation_description_reaches_the_schema_and_the_reference_page():
    import json

    from generator.catalogue.formulas import OPERATIONS
    from generator.catalogue.load import load_catalogue
    from generator.catalogue.reference import reference_context
    from generator.catalogue.schema import schema_text

    schema = json.loads(schema_text())
    described = {
        d["properties"]["op"]["const"]: d.get("description")
        for d in schema["$defs"].values()
        if "op" in d.get("properties", {})
    }
    page = {
        op.name: op.description
        for op in reference_context(load_catalogue(FIXTURE / "indicators.yml"))["operations"]
    }
    for name, model in OPERATIONS.items():
        text = (model.__doc__ or "").strip()
        assert text, f"operation {name!r} has no docstring"
        assert described[name] == text, name
        assert page[name] == text, name


def test_every_operation_has_its_own_wording_on_the_pages():
    """A new op without an entry in describe's table would be printed as its class name."""
    from generator.catalogue.formulas import OPERATIONS
    from generator.publish import describe as module

    missing = sorted(name for name, model in OPERATIONS.items() if model not in module._WORDS)
    assert missing == [], f"add a wording to publish/describe._WORDS for {missing}"
