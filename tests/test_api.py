"""The JSON API against its committed schemas: the stable interface the README documents."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema

from tests.conftest import FIXTURE, ROOT
from tests.test_config import IDS


def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((ROOT / "schemas" / name).read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_latest_json_matches_its_schema_and_lists_every_indicator(built_project: Path):
    data = json.loads((built_project / "public" / "api" / "latest.json").read_text())
    _validator("latest.schema.json").validate(data)
    assert [item["id"] for item in data["indicators"]] == IDS
    assert data["regime"]["label"] in {"tight", "neutral", "easing"}
    fed = next(item for item in data["indicators"] if item["id"] == "fed-assets")
    assert fed["value"] > 1000 and fed["unit"] == "bn USD" and fed["date"]
    for item in data["indicators"]:
        assert (built_project / "public" / item["url"] / "index.html").exists(), item["url"]
        assert (built_project / "public" / item["data"]).exists(), item["data"]


def test_raw_levels_of_restricted_series_are_withheld(built_project: Path):
    data = json.loads((built_project / "public" / "api" / "latest.json").read_text())
    btc = next(item for item in data["indicators"] if item["id"] == "btc")
    assert btc["withheld"] is True and btc["value"] is None
    for path in (built_project / "public" / "api").rglob("*.json"):
        assert "7674.37" not in path.read_text(), f"S&P 500 level leaked into {path.name}"


def test_indicator_json_holds_exactly_the_chart_csv(built_project: Path):
    validator = _validator("indicator.schema.json")
    for indicator in IDS:
        data = json.loads(
            (built_project / "public" / "api" / "indicators" / f"{indicator}.json").read_text()
        )
        validator.validate(data)
        with (built_project / "public" / "data" / f"{indicator}.csv").open() as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == len(data["rows"]), indicator
        names = [q["name"] for q in data["quantities"]]
        # monthly CSVs add a "period" column (2026-07) for readers; the API keeps the date
        # a stacked bar's CSV adds "period_start" (the first day each row sums), as the API does
        assert [c for c in rows[0] if c not in ("period", "period_start")] == ["date", *names]
        for row, item in zip(rows, data["rows"], strict=True):
            assert row["date"] == item["date"]
            assert row.get("period_start") == item.get("period_start"), indicator
            for name in names:
                expected = float(row[name]) if row[name] else None
                assert item[name] == expected, (indicator, row["date"], name)


def test_fed_bills_periods_json_matches_its_schema_and_the_csv(built_project: Path):
    data = json.loads((built_project / "public" / "api" / "fed-bills-periods.json").read_text())
    _validator("fed-bills-periods.schema.json").validate(data)
    with (built_project / "public" / "data" / "fed-bills-periods.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(data["periods"]) >= 8
    for row, item in zip(rows, data["periods"], strict=True):
        for name in ("period_start", "period_end"):
            assert row[name] == item[name]
        for name in ("bills_bought", "reinvested", "rmp", "announced_rmp"):
            assert (float(row[name]) if row[name] else None) == item[name], (row, name)
        for name, value in item["checks"].items():
            assert float(row[name]) == value
        assert abs(item["bills_bought"] - item["reinvested"] - item["rmp"]) < 0.0015


def test_revisions_json_matches_its_schema_and_the_revision_files(built_project: Path):
    data = json.loads((built_project / "public" / "api" / "revisions.json").read_text())
    _validator("revisions.schema.json").validate(data)
    expected = []
    for path in sorted((FIXTURE / "data" / "series").rglob("*.revisions.csv")):
        with path.open() as handle:
            for row in csv.DictReader(handle):
                expected.append((path.name.split(".")[0], row["date"], row["known_to"]))
    got = [(r["series"], r["date"], r["replaced"]) for r in data["revisions"]]
    assert sorted(got) == sorted(expected) and len(got) == 72
    assert [r["replaced"] for r in data["revisions"]] == sorted(
        (r["replaced"] for r in data["revisions"]), reverse=True
    )
    # ADP's owner forbids redistribution: the levels are withheld, the dates are not.
    assert all(r["withheld"] and r["old"] is None for r in data["revisions"])
    page = (built_project / "site" / "revisions.md").read_text()
    assert "72 in all" in page and "| ADPMNUSNERSA | 1 Jul 2025 | withheld | withheld |" in page


def test_a_revision_of_a_published_series_shows_old_and_new():
    from datetime import date

    import pandas as pd

    from generator.catalogue.load import load_config
    from generator.publish import revisions
    from generator.snapshot.vintages import Revision

    config = load_config(FIXTURE / "indicators.yml")
    sofr = pd.Series([3.62, 3.7], index=pd.to_datetime(["2026-08-13", "2026-08-14"]))
    chain = [
        Revision(date(2026, 8, 14), 3.62, date(2026, 8, 15), date(2026, 8, 28), "rule"),
        Revision(date(2026, 8, 14), 3.65, date(2026, 8, 28), date(2026, 8, 29), "seen"),
    ]
    rows = revisions.log(config, {"SOFR": sofr}, {"SOFR": chain})
    assert [(r.old, r.new, r.replaced) for r in rows] == [
        (3.65, 3.7, date(2026, 8, 29)),
        (3.62, 3.65, date(2026, 8, 28)),
    ]
    page = revisions.page_context(rows)["rows"][0]
    assert (str(page["old"]), str(page["new"]), page["basis"]) == (
        "3.65",
        "3.7",
        "the night update saw it",
    )
    assert (page["old"].value, page["new"].value) == (3.65, 3.7)


def test_an_unavailable_series_is_flagged_like_a_stale_one(tmp_path: Path):
    """Found: a discontinued series (FRED "does not exist") showed no badge on its card or page
    and `stale: false` in the API, while a passing 500 showed "stale since" everywhere."""
    import shutil

    from generator.catalogue.load import load_config
    from generator.measure.indicators import evaluate
    from generator.publish import api, pages
    from generator.snapshot.load import load_snapshot
    from generator.snapshot.store import Store

    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", data)
    manifest = json.loads((data / "manifest.json").read_text())
    manifest["series"]["SOFR"].update(
        status="unavailable",
        stale_since="2026-08-22",
        message="FRED says the series does not exist",
    )
    (data / "manifest.json").write_text(json.dumps(manifest, indent=1))
    config = load_config(FIXTURE / "indicators.yml")
    snapshot = load_snapshot(config, Store(data))
    assert snapshot.stale["SOFR"] == "2026-08-22"
    results = evaluate(config, snapshot.series, snapshot.stale, snapshot.overdue)
    (spread,) = [r for r in results if "SOFR" in r.series and r.id == "sofr-iorb-spread"]
    assert pages.card(spread, "indicators/sofr-iorb-spread/")["stale_since"] == "2026-08-22"
    entries = api.latest(results, None, "2026-08-28T00:00:00Z", config, snapshot.reasons)
    (entry,) = [e for e in entries["indicators"] if e["id"] == "sofr-iorb-spread"]
    assert entry["stale"] is True
    assert entry["stale_reason"] == "SOFR: FRED says the series does not exist"
    _validator("latest.schema.json").validate(entries)
    untouched = [e for e in entries["indicators"] if e["id"] == "fed-assets"]
    assert untouched and "stale_reason" not in untouched[0]
