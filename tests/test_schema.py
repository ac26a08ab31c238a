"""indicators.schema.json: current with the models, and it judges YAML as ``check`` does."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest

from generator.catalogue.schema import SCHEMA_FILE, schema_text
from tests.conftest import FIXTURE, ROOT, load_yaml


@pytest.mark.golden
def test_schema_file_is_current():
    path = ROOT / SCHEMA_FILE
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(schema_text())
        return
    assert path.exists(), f"{SCHEMA_FILE} is missing: run `make golden`"
    assert path.read_text() == schema_text(), f"{SCHEMA_FILE} is stale: run `make golden`"


def test_catalogue_points_editors_at_the_schema():
    first = (FIXTURE / "indicators.yml").read_text().splitlines()[0]
    assert first == f"# yaml-language-server: $schema=./{SCHEMA_FILE}"


def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(schema_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_schema_accepts_the_real_catalogue():
    data = load_yaml((FIXTURE / "indicators.yml").read_text())
    # JSON has no dates: YAML dates (splice.at) reach an editor as strings.
    errors = list(_validator().iter_errors(json.loads(json.dumps(data, default=str))))
    assert not errors, [e.message for e in errors[:5]]


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda d: d["indicators"][0].update(colour="red"), "'colour' was unexpected"),
        (lambda d: d["indicators"][0]["chart"].update(kind="pie"), "'pie' is not one of"),
        (lambda d: d["indicators"][0].update(decimals="two"), "'two' is not of type 'integer'"),
        (lambda d: d["series"]["WALCL"].update(source="ftp"), "'ftp' is not one of"),
    ],
    ids=["unknown-key", "chart-kind", "wrong-type", "unknown-source"],
)
def test_schema_refuses_what_check_refuses(edit, fragment):
    data = json.loads(json.dumps(load_yaml((FIXTURE / "indicators.yml").read_text()), default=str))
    edit(data)
    messages = [e.message for e in _validator().iter_errors(data)]
    assert any(fragment in m for m in messages), messages
