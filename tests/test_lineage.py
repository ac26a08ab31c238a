"""Lineage: a published number traced to its rows (measure/lineage, publish/explain).

The explanations are checked against separate code: the rows are read back from the frozen
CSVs with the csv module, and five explained numbers are recomputed from the rows the
explanation lists, by arithmetic written here from the formulas' meaning, not from lineage.
"""

from __future__ import annotations

import csv
import html
import json
import re
import statistics
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest

from generator.catalogue.load import load_config
from generator.measure import indicators, lineage
from generator.publish import explain as explain_text
from generator.snapshot.load import load_snapshot
from generator.snapshot.store import Store
from tests.conftest import FIXTURE, ROOT, copy_project, run_generator

# One worker runs this module (`--dist loadgroup`): its module-scoped fixture (the evaluated
# snapshot) is made once, not once in each worker that runs one of its tests.
pytestmark = pytest.mark.xdist_group("lineage")


@pytest.fixture(scope="module")
def loaded():
    config = load_config(FIXTURE / "indicators.yml")
    store = Store(FIXTURE / "data")
    snapshot = load_snapshot(config, store)
    provenance = lineage.Provenance(
        snapshot.revisions, {k: r.fetched_at for k, r in store.records.items()}
    )
    results = {r.id: r for r in indicators.evaluate(config, snapshot.series)}
    return config, snapshot, provenance, results


def _explain(loaded, name: str, day: date | None = None) -> lineage.Explanation:
    config, snapshot, provenance, _ = loaded
    return lineage.explain(config, snapshot.series, name, day, provenance)


def _csv_rows(series_id: str) -> dict[date, float]:
    """A series' stored rows read straight from its CSV (not through the store)."""
    (path,) = (FIXTURE / "data" / "series").glob(f"*/{series_id}.csv")
    with path.open() as handle:
        return {date.fromisoformat(r["date"]): float(r["value"]) for r in csv.DictReader(handle)}


def _by_series(explanation: lineage.Explanation) -> dict[str, dict[date, float]]:
    out: dict[str, dict[date, float]] = {}
    for row in explanation.rows():
        out.setdefault(row.series, {})[row.day] = row.value
    return out


def test_reserves_change_13w_lists_its_two_rows_and_the_subtraction(loaded):
    e = _explain(loaded, "reserves.change_13w")
    rows = e.rows()
    assert [r.series for r in rows] == ["WRESBAL", "WRESBAL"]
    later, earlier = rows[1], rows[0]
    assert later.day == e.day
    # 13 weeks earlier, on the Wednesday the level was last known (here: exactly 91 days).
    assert earlier.day == e.day - timedelta(weeks=13)
    stored = _csv_rows("WRESBAL")
    assert (later.value, earlier.value) == (stored[later.day], stored[earlier.day])
    assert e.value == pytest.approx((later.value - earlier.value) / 1000, abs=1e-9)
    # When each row became known: the H.4.1 is published the day after its Wednesday.
    assert later.known_from == later.day + timedelta(days=1) and later.basis == "rule"
    assert later.fetched_at
    text = explain_text.text(e, next(i for i in loaded[0].indicators if i.id == "reserves"))
    assert "change over 13w: 2,935.287 − 3,129.562 = −194.275" in text
    assert f"WRESBAL / {earlier.day} / 3,129,562 / 21 May 2026 (rule)" in text


def test_five_numbers_recomputed_from_the_rows_their_explanation_lists(loaded):
    *_, results = loaded
    # 1. Net liquidity: Fed assets less the TGA and ON RRP (millions and billions to bn).
    e = _explain(loaded, "net-liquidity.net")
    rows = _by_series(e)
    walcl = rows["WALCL"][e.day]
    tga = max(rows["WTREGEN"].items())[1]
    rrp = max(rows["RRPONTSYD"].items())[1]
    assert e.value == pytest.approx(walcl / 1000 - tga / 1000 - rrp, abs=1e-6)
    # 2. The mean SOFR-IORB spread over 20 days, from SOFR and IORB rows.
    e = _explain(loaded, "sofr-iorb-spread.mean_20d")
    rows = _by_series(e)
    days = sorted(rows["SOFR"])
    assert len(days) == 20
    iorb = rows["IORB"]
    spreads = [(rows["SOFR"][d] - max(v for k, v in iorb.items() if k <= d)) * 100 for d in days]
    assert e.value == pytest.approx(statistics.mean(spreads), abs=1e-9)
    # 3. The Desk's reserve management purchases in the last complete period: bills bought in
    # the period less the fall in MBS holdings over it.
    e = _explain(loaded, "fed-bills.rmp")
    rows = _by_series(e)
    bought = sum(rows["FED_RMP_BILL_PURCHASES"].values())
    mbs = [v for _, v in sorted(rows["WSHOMCB"].items())]
    assert len(mbs) == 2
    assert e.value == pytest.approx(bought - (mbs[0] - mbs[1]) / 1000, abs=1e-9)
    # 4. Bitcoin's drawdown: the price against its running peak.
    e = _explain(loaded, "btc.drawdown")
    (series_id,) = _by_series(e)
    prices = _by_series(e)[series_id]
    stored = _csv_rows(series_id)
    peak = max(v for d, v in stored.items() if d <= e.day)
    assert max(prices.values()) == peak
    assert e.value == pytest.approx((prices[e.day] / peak - 1) * 100, abs=1e-9)
    # 5. Negative ADP months in the last 12: a count of listed monthly changes below zero.
    e = _explain(loaded, "adp-payrolls.negative_12m")
    window = [s for s in e.root.inputs]
    assert e.root.read == len(window) <= 13
    assert e.value == sum(1 for s in window if s.value < 0)
    # Each explained value is the number the site publishes.
    for name in ("net-liquidity.net", "fed-bills.rmp", "btc.drawdown"):
        indicator, quantity = name.split(".")
        assert _explain(loaded, name).value == results[indicator].latest(quantity)


def test_every_quantity_is_explained_and_equals_the_published_number(loaded):
    config, *_, results = loaded
    for indicator in config.indicators:
        result = results[indicator.id]
        for name in explain_text.explained_quantities(indicator):
            if result.quantity(name).empty:
                continue
            e = _explain(loaded, f"{indicator.id}.{name}")
            assert e.value == result.latest(name), (indicator.id, name)
            assert e.day == result.latest_date(name)
            assert e.rows(), (indicator.id, name)


def test_the_builds_shared_tracer_explains_as_a_fresh_one_per_quantity(loaded):
    """The build traces each indicator once, over the quantities it already evaluated, its
    explanations sharing steps; each must say exactly what a tracer of its own says (the
    published JSON and page of one, compared), for every indicator, desk periods included."""
    config, snapshot, provenance, results = loaded
    hide = explain_text.withheld(config)
    for indicator in config.indicators:
        result = results[indicator.id]
        if not result.has_data:
            continue
        names = explain_text.explained_quantities(indicator)
        evaluated = lineage.Evaluated(result.quantities, result.spans)
        shared = lineage.explain_latest(
            config, indicator, snapshot.series, names, provenance, evaluated
        )
        alone = [
            lineage.explain(config, snapshot.series, f"{indicator.id}.{name}", None, provenance)
            for name in names
            if not result.quantity(name).empty
        ]
        assert [e.quantity for e in shared] == [e.quantity for e in alone], indicator.id
        assert explain_text.document(indicator, shared, hide) == explain_text.document(
            indicator, alone, hide
        ), indicator.id
        assert explain_text.page_context(indicator, shared, hide) == explain_text.page_context(
            indicator, alone, hide
        ), indicator.id


def test_a_past_date_explains_the_value_on_or_before_it(loaded):
    *_, results = loaded
    e = _explain(loaded, "reserves.change_13w", date(2026, 3, 1))
    series = results["reserves"].quantity("change_13w")
    expected = series[series.index <= "2026-03-01"]
    assert e.day == expected.index[-1].date() and e.value == expected.iloc[-1]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nope.value", "no indicator 'nope'"),
        ("reserves.nope", "indicator 'reserves' has no quantity 'nope' (it has reserves,"),
    ],
)
def test_an_unknown_name_is_refused_with_what_exists(loaded, name, message):
    with pytest.raises(lineage.UnknownName, match=message.replace("(", r"\(")):
        _explain(loaded, name)


def test_the_command_prints_the_explanation_and_fails_clearly(tmp_path: Path):
    root = copy_project(tmp_path / "project")
    ok = run_generator(root, "explain", "reserves.change_13w")
    assert "change over 13w: 2,935.287 − 3,129.562 = −194.275" in ok.stdout
    assert "rows read:" in ok.stdout
    bad = run_generator(root, "explain", "reserves.chnage_13w", check=False)
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: explain reserves.chnage_13w: indicator 'reserves' has")
    assert "Traceback" not in bad.stderr
    late = run_generator(
        root, "explain", "reserves.change_13w", "--date", "1990-01-01", check=False
    )
    assert late.returncode == 2 and "has no value on or before 1990-01-01" in late.stderr


def test_withheld_series_values_never_leave_in_the_published_explanation(loaded):
    config, *_ = loaded
    hide = explain_text.withheld(config)
    assert hide, "the frozen configuration has series with redistribute: false"
    indicator = next(
        i
        for i in config.indicators
        if any(r.series in hide for r in _explain(loaded, f"{i.id}.{i.card.value}").rows())
    )
    e = _explain(loaded, f"{indicator.id}.{indicator.card.value}")
    payload = json.loads(explain_text.document(indicator, [e], hide))
    raw = {r.value for r in e.rows() if r.series in hide}
    published = json.dumps(payload)
    for value in raw:
        assert repr(value) not in published and str(value) not in published
    assert all(r["value"] is None for r in payload["quantities"][0]["rows"] if r["withheld"])
    assert payload["quantities"][0]["value"] == e.value  # the explained number stays


def test_api_explain_matches_its_schema_and_the_page_shows_the_same(built_project: Path):
    schema = json.loads((ROOT / "schemas" / "explain.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    files = sorted((built_project / "site" / "api" / "explain").glob("*.json"))
    assert len(files) >= 10
    for path in files:
        validator.validate(json.loads(path.read_text()))
    data = json.loads((built_project / "site" / "api" / "explain" / "reserves.json").read_text())
    change = next(q for q in data["quantities"] if q["quantity"] == "change_13w")
    assert [r["date"] for r in change["rows"]] == ["2026-05-20", "2026-08-19"]
    page = (built_project / "public" / "indicators" / "reserves" / "index.html").read_text()
    assert "How this number was made" in page
    assert "change over 13w: 2,935.287 − 3,129.562 = −194.275" in page
    assert "21 May 2026" in page
    # Each explained figure of "Latest values" links to its block, by the Number's reference.
    links = html.unescape(" ".join(re.findall(r'href="(#explain-[^"]*)"', page)))
    ids = {html.unescape(i) for i in re.findall(r'<details class="lw-explain" id="([^"]*)"', page)}
    assert "#explain-change_13w" in links.split()
    assert {link[1:] for link in links.split()} == ids and len(ids) == len(data["quantities"])
