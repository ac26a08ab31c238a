"""The nowcast between H.4.1 Thursdays: an estimate and a backtest error recomputed by hand from
the raw CSVs (separate code: dicts and loops, no pandas), no row used before it was known, the
backtest's summary, and the dashed estimate on the reserves chart with its text alternative."""

from __future__ import annotations

import csv
import functools
import json
import statistics
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from generator.measure import indicators, nowcast
from generator.publish import charts, pictures
from generator.publish import nowcast as nowcast_text
from generator.snapshot.vintages import Revision
from tests import frozen
from tests.conftest import FIXTURE, ROOT

# One worker runs this module (`--dist loadgroup`): its module-scoped fixture (the nowcast's
# backtest) is made once, not once in each worker that runs one of its tests.
pytestmark = pytest.mark.xdist_group("nowcast")


@functools.cache
def frozen_inputs() -> nowcast.Inputs:
    """The nowcast's inputs from the frozen snapshot, gathered when a test first reads them
    (tests/frozen.py)."""
    return nowcast.gather(frozen.config(), frozen.snapshot(), frozen.store())


FOLDERS = {"TGA_DTS": "fiscaldata", "FED_RMP_BILL_PURCHASES": "nyfed"}


def raw(series_id: str) -> dict[date, float]:
    path = FIXTURE / "data" / "series" / FOLDERS.get(series_id, "fred") / f"{series_id}.csv"
    with path.open() as handle:
        return {
            date.fromisoformat(row["date"]): float(row["value"])
            for row in csv.DictReader(handle)
            if row["value"]
        }


def next_weekday(day: date) -> date:
    """No Federal Reserve holiday falls near the weeks tested here (August 2026)."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def carried(values: dict[date, float], day: date, known: set[date]) -> float:
    """The last value on or before ``day`` among the dates known."""
    return values[max(d for d in known if d <= day)]


def by_hand(week: date, daily_on: date, h41_on: date) -> dict[str, float]:
    """The estimate of ``week`` (bn USD), by the rules of the methodology page."""
    h41 = {s: raw(s) for s in ("WRESBAL", "WRBWFRBL", "WALCL", "WTREGEN")}
    base = week - timedelta(days=7)
    assert all(base + timedelta(days=1) <= h41_on for _ in h41)  # base week known
    assert week + timedelta(days=1) > h41_on  # the estimated week is not
    tga, rrp, bills = raw("TGA_DTS"), raw("RRPONTSYD"), raw("FED_RMP_BILL_PURCHASES")
    tga_known = {d for d in tga if next_weekday(d) <= daily_on}
    rrp_known = {d for d in rrp if d <= daily_on}
    base_days = [base - timedelta(days=6 - i) for i in range(7)]
    week_days = [week - timedelta(days=6 - i) for i in range(7)]

    def mean(days: list[date], values: dict[date, float], known: set[date]) -> float:
        return sum(carried(values, d, known) for d in days) / 7

    def assets(day: date) -> float:  # purchases settled from the base week's Thursday to day
        return sum(
            amount
            for op, amount in bills.items()
            if op <= daily_on and base_days[0] < next_weekday(op) <= day
        )

    assets_change = sum(assets(d) for d in week_days) / 7 - sum(assets(d) for d in base_days) / 7
    tga_change = (mean(week_days, tga, tga_known) - mean(base_days, tga, tga_known)) / 1000
    rrp_change = mean(week_days, rrp, rrp_known) - mean(base_days, rrp, rrp_known)
    settled = assets(week) - assets(base)
    tga_wed = (carried(tga, week, tga_known) - carried(tga, base, tga_known)) / 1000
    rrp_wed = carried(rrp, week, rrp_known) - carried(rrp, base, rrp_known)
    return {
        "reserves": h41["WRESBAL"][base] / 1000 + assets_change - tga_change - rrp_change,
        "reserves_wednesday": h41["WRBWFRBL"][base] / 1000 + settled - tga_wed - rrp_wed,
        "net_liquidity": h41["WALCL"][base] / 1000
        + settled
        - mean(week_days, tga, tga_known) / 1000
        - carried(rrp, week, rrp_known),
    }


def test_estimate_of_26_august_2026_by_hand():
    made_on = date(2026, 8, 22)  # the snapshot's last fetch (a Saturday)
    estimate = nowcast.nowcast(frozen_inputs(), made_on)
    assert estimate is not None
    assert estimate.week == date(2026, 8, 26) and estimate.base_week == date(2026, 8, 19)
    assert estimate.tga_through == date(2026, 8, 20) and estimate.rrp_through == date(2026, 8, 21)
    expected = by_hand(date(2026, 8, 26), made_on, made_on)
    for target in nowcast.TARGETS:
        assert estimate.values[target] == pytest.approx(expected[target], abs=1e-9), target
    # The purchases of 20 Aug settle on Friday 21 Aug, inside the week: they count.
    assert raw("FED_RMP_BILL_PURCHASES")[date(2026, 8, 20)] > 0


def test_a_backtest_error_by_hand():
    """Week to 19 Aug 2026, made on that Wednesday: DTS to Tuesday, the H.4.1 to 12 Aug."""
    errors = nowcast.backtest(frozen_inputs(), since=date(2026, 8, 1))
    week = date(2026, 8, 19)
    expected = by_hand(week, week, week)
    published = raw("WRESBAL")[week] / 1000
    row = errors[
        (errors["week"] == week)
        & (errors["horizon"] == "wednesday")
        & (errors["target"] == "reserves")
    ].iloc[0]
    assert row["made_on"] == week
    assert row["estimate"] == pytest.approx(expected["reserves"], abs=1e-9)
    assert row["published"] == pytest.approx(published)
    assert row["error"] == pytest.approx(expected["reserves"] - published, abs=1e-9)
    assert row["naive_error"] == pytest.approx(raw("WRESBAL")[date(2026, 8, 12)] / 1000 - published)
    # Net liquidity as published: WALCL - WTREGEN - ON RRP on the Wednesday.
    net = errors[
        (errors["week"] == week)
        & (errors["horizon"] == "release")
        & (errors["target"] == "net_liquidity")
    ].iloc[0]
    truth = (raw("WALCL")[week] - raw("WTREGEN")[week]) / 1000 - raw("RRPONTSYD")[week]
    assert net["published"] == pytest.approx(truth)
    assert net["made_on"] == date(2026, 8, 20)
    release = by_hand(week, date(2026, 8, 20), week)  # DTS of Wednesday out, H.4.1 not
    assert net["estimate"] == pytest.approx(release["net_liquidity"], abs=1e-9)


def poisoned(made_on: date) -> nowcast.Inputs:
    """The inputs with every row known only after ``made_on`` set absurd, and rows appended
    after the end of each series."""
    series = {}
    for sid, values in frozen_inputs().series.items():
        copy = values.copy()
        stamps = copy.index.date
        if sid == "tga_daily":
            late = [next_weekday(d) > made_on for d in stamps]
        elif sid in nowcast.H41:
            late = [d + timedelta(days=1) > made_on for d in stamps]
        else:
            late = [d > made_on for d in stamps]
        copy[late] = 9e9
        extra = pd.Series([9e9], index=pd.DatetimeIndex([copy.index[-1] + pd.Timedelta(days=7)]))
        series[sid] = pd.concat([copy, extra])
    return nowcast.Inputs(series, {}, dict(frozen_inputs().lags))


@pytest.mark.parametrize("made_on", [date(2026, 8, 14), date(2026, 8, 17), date(2026, 8, 19)])
def test_the_estimate_uses_no_row_known_after_its_date(made_on: date):
    clean = nowcast.nowcast(frozen_inputs(), made_on)
    dirty = nowcast.nowcast(poisoned(made_on), made_on)
    assert clean is not None and dirty is not None
    assert dirty.values == clean.values and dirty.base_week == clean.base_week
    for sid, values in nowcast.known(frozen_inputs(), made_on).items():
        assert (values.index <= pd.Timestamp(made_on)).all(), sid


def test_a_row_known_on_the_day_does_move_the_estimate():
    """The poisoning test can fail: the DTS of Tuesday 18 Aug is out on Wednesday 19 Aug."""
    made_on = date(2026, 8, 19)
    inputs = poisoned(made_on)
    inputs.series["tga_daily"] = inputs.series["tga_daily"].copy()
    inputs.series["tga_daily"][pd.Timestamp("2026-08-18")] += 70_000  # +70 bn
    moved = nowcast.nowcast(nowcast.Inputs(inputs.series, {}, inputs.lags), made_on)
    clean = nowcast.nowcast(frozen_inputs(), made_on)
    assert moved is not None and clean is not None
    # Tuesday and Wednesday (carried) of the week's seven days: -2/7 of 70 bn on the average.
    change = moved.values["reserves"] - clean.values["reserves"]
    assert change == pytest.approx(-70 * 2 / 7)


def test_a_value_revised_later_is_read_as_it_stood():
    """WALCL of 12 Aug revised on 25 Aug: an estimate of 19 Aug reads the first value."""
    week = date(2026, 8, 12)
    current = frozen_inputs().series["fed_assets"][pd.Timestamp(week)]
    first = current - 5_000  # 5 bn lower as first published
    revision = Revision(week, first, week + timedelta(days=1), date(2026, 8, 25), "seen")
    revisions = {**frozen_inputs().revisions, "fed_assets": [revision]}
    inputs = nowcast.Inputs(dict(frozen_inputs().series), revisions, dict(frozen_inputs().lags))
    then = nowcast.nowcast(inputs, date(2026, 8, 19))
    today = nowcast.nowcast(frozen_inputs(), date(2026, 8, 19))
    assert then is not None and today is not None
    assert then.values["net_liquidity"] == pytest.approx(today.values["net_liquidity"] - 5)
    later = nowcast.nowcast(inputs, date(2026, 8, 26))  # after the revision: today's value
    assert later is not None and later.base_week == date(2026, 8, 19)


def test_backtest_rows_are_made_before_the_release_and_scores_by_hand():
    errors = nowcast.backtest(frozen_inputs(), since=date(2025, 1, 1))
    assert set(errors["horizon"]) == set(nowcast.HORIZONS)
    release = errors["week"].map(lambda w: w + timedelta(days=1))
    assert (errors["made_on"] <= release).all()
    for score in nowcast.scores(errors):
        part = errors[(errors["target"] == score.target) & (errors["horizon"] == score.horizon)]
        absolute = sorted(abs(float(e)) for e in part["error"])
        n = len(absolute)
        rank = 0.9 * (n - 1)
        low = int(rank)
        p90 = absolute[low] + (rank - low) * (absolute[min(low + 1, n - 1)] - absolute[low])
        assert score.n == n
        assert score.mae == pytest.approx(sum(absolute) / n)
        assert score.median == pytest.approx(statistics.median(absolute))
        assert score.p90 == pytest.approx(p90)
        naive = sum(abs(float(e)) for e in part["naive_error"]) / n
        assert score.naive_mae == pytest.approx(naive)


@pytest.fixture(scope="module")
def view() -> nowcast_text.View:
    return nowcast_text.compute(frozen.config(), frozen.snapshot(), frozen.store(), None, None)


def test_backtest_covers_every_week_since_may_2022_and_beats_no_change(view):
    reserves = {s.horizon: s for s in view.scores if s.target == "reserves"}
    assert reserves["wednesday"].first == date(2022, 5, 4)
    assert reserves["wednesday"].last == date(2026, 8, 19)
    weeks = [d for d in raw("WRESBAL") if date(2022, 5, 4) <= d <= date(2026, 8, 19)]
    assert reserves["wednesday"].n == len(weeks)
    for score in view.scores:
        if score.horizon != "friday":
            assert score.mae < score.naive_mae / 2, score


def test_api_json_matches_its_schema_and_the_table_its_numbers(view):
    schema = json.loads((ROOT / "schemas" / "nowcast.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    data = nowcast_text.api_data(view)
    cls(schema, format_checker=cls.FORMAT_CHECKER).validate(data)
    assert data["estimate"]["week"] == "2026-08-26"
    table = nowcast_text.methodology_table(view)
    first = view.scores[0]
    assert f"| {first.n} | {first.mae:.1f} | {first.median:.1f} | {first.p90:.1f} |" in table
    text = nowcast_text.errors_csv(view.errors)
    header = "week,made_on,horizon,target,estimate,published,error,naive_error"
    assert text.splitlines()[0] == header
    assert len(text.splitlines()) == len(view.errors) + 1


def test_reserves_chart_shows_the_dashed_estimate_and_says_so(view):
    results = indicators.evaluate(frozen.config(), frozen.snapshot().series)
    result = next(r for r in results if r.id == "reserves")
    chart = result.config.chart
    frame = charts.chart_frame(result, chart)
    spec = charts.chart_spec(result, chart, frame, "../data/reserves.csv", frozen.events())
    extended = nowcast_text.extend_spec(spec, result, view)
    assert len(extended["layer"]) == len(spec["layer"]) + 1
    added = extended["layer"][-1]
    line, point, label = added["layer"]
    assert line["mark"]["type"] == "line" and line["mark"]["strokeDash"]
    assert label["mark"]["type"] == "text" and label["encoding"]["text"] == {"value": "estimate"}
    values = added["data"]["values"]
    assert [v["date"] for v in values] == ["2026-08-19", "2026-08-26"]
    assert values[0]["value"] == pytest.approx(result.latest("reserves"), abs=1e-3)
    assert values[1]["value"] == pytest.approx(view.estimate.values["reserves"], abs=1e-3)
    sentence = pictures.chart_sentence(result, chart, frame)
    sentence += nowcast_text.estimate_sentence(result, view)
    assert "The dashed segment is an estimate, not a published figure" in sentence
    assert "week to 26 Aug 2026" in sentence
    card = nowcast_text.card(result, view)
    assert card is not None and card["week"] == "26 Aug 2026"
    score = next(
        s for s in view.scores if s.target == "reserves" and s.horizon == "friday"
    )  # made on Saturday 22 Aug: judged by the estimates made early in the week
    assert card["mae"].value == score.mae and card["mae"].figure == f"{score.mae:,.0f}"
    assert card["value"].value == view.estimate.values["reserves"]
    assert 'marked "estimate": the week to 26 Aug 2026' in nowcast_text.note(result, view)
    # An indicator the nowcast does not estimate is left as it was.
    other = next(r for r in results if r.id == "sofr-iorb-spread")
    assert nowcast_text.extend_spec(spec, other, view) is spec
    assert nowcast_text.card(other, view) is None
    assert nowcast_text.note(other, view) == ""


def test_no_estimate_when_a_fork_redefines_the_line(view):
    """A reserves indicator whose last value differs from WRESBAL's gets no dashed segment."""
    results = indicators.evaluate(frozen.config(), frozen.snapshot().series)
    result = next(r for r in results if r.id == "reserves")
    result.quantities["reserves"] = result.quantities["reserves"] * 2
    assert nowcast_text.card(result, view) is None
    assert nowcast_text.estimate_sentence(result, view) == ""


def test_built_site_publishes_the_nowcast(built_project: Path):
    site = built_project / "site"
    spec = json.loads((site / "charts" / "net-liquidity.vl.json").read_text())
    assert spec["usermeta"]["nowcast"] == {"week": "2026-08-26", "target": "net_liquidity"}
    assert "Estimate for the week to 26 Aug 2026" in (site / "index.md").read_text()
    page = (built_project / "public" / "methodology" / "index.html").read_text()
    assert "Thursday before the release" in page and "nowcast-errors.csv" in page
    assert (site / "data" / "nowcast-errors.csv").exists()


def test_week_average_tga_from_the_dts_is_the_h41s_wtregen():
    """The alignment the estimate relies on: WTREGEN is the mean of the seven calendar days to
    Wednesday, each day carrying the last DTS balance (to within rounding, 1 mn USD)."""
    tga, wtregen = raw("TGA_DTS"), raw("WTREGEN")
    first = min(tga)
    checked = 0
    for week, value in wtregen.items():
        days = [week - timedelta(days=i) for i in range(7)]
        if days[-1] < first + timedelta(days=3):
            continue
        mean = sum(tga[max(d for d in tga if d <= day)] for day in days) / 7
        assert abs(mean - value) < 1, week
        checked += 1
    assert checked >= 220


def test_card_names_the_horizon_its_error_comes_from():
    week = date(2026, 8, 26)
    made = {date(2026, 8, 22): "friday", date(2026, 8, 25): "wednesday", week: "wednesday"}
    made[date(2026, 8, 27)] = "release"
    for day, horizon in made.items():
        estimate = nowcast.Estimate(week, day, week - timedelta(days=7), {}, {}, day, day, 0)
        assert nowcast_text.horizon_of(estimate) == horizon, day


def test_cached_backtest_reads_back_the_same_numbers(tmp_path: Path):
    first = nowcast_text.compute(frozen.config(), frozen.snapshot(), frozen.store(), None, tmp_path)
    assert len(list(tmp_path.glob("nowcast-*.csv"))) == 1
    again = nowcast_text.compute(frozen.config(), frozen.snapshot(), frozen.store(), None, tmp_path)
    assert nowcast_text.errors_csv(again.errors) == nowcast_text.errors_csv(first.errors)
    assert again.scores == first.scores
    assert again.errors["estimate"].tolist() == first.errors["estimate"].tolist()
