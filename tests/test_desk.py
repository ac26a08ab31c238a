"""The Desk's periods: the calendar rule, the sums per period, the RMP split and what is
published, each recomputed here with separate code from the raw CSVs in ``data/series/``."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.catalogue.desk import DeskConfig, DeskPeriod
from generator.catalogue.load import load_config
from generator.catalogue.messages import ConfigError
from generator.measure import desk
from tests import frozen
from tests.conftest import FIXTURE


def raw(bucket: str, series_id: str) -> pd.Series:
    frame = pd.read_csv(
        FIXTURE / "data" / "series" / bucket / f"{series_id}.csv", parse_dates=["date"]
    )
    return frame.set_index("date")["value"].astype(float)


def test_the_fed_calendar_keeps_saturday_holidays_open_and_moves_sunday_ones():
    # 4 July 2026 is a Saturday: the Reserve Banks open on Friday 3 July.
    assert desk.business_day(2026, 7, 3) == date(2026, 7, 3)
    assert desk.business_day(2026, 7, 9) == date(2026, 7, 13)
    # 19 June 2022 was a Sunday: observed on Monday 20 June.
    assert desk.business_day(2022, 6, 13) == date(2022, 6, 17)
    assert desk.business_day(2022, 6, 14) == date(2022, 6, 21)
    assert desk.business_day(2026, 1, 1) == date(2026, 1, 2)  # New Year's Day


def test_the_rule_reproduces_every_listed_period_from_the_first():
    assert frozen.config().desk is not None
    first = frozen.config().desk.periods[0]
    alone = DeskConfig(periods=[first])
    derived = desk.periods(alone, frozen.config().desk.periods[-1].end)
    listed = [(p.start, p.end, p.announced) for p in frozen.config().desk.periods]
    assert [(p.start, p.end, p.announced) for p in derived] == listed
    assert all(p.derived for p in derived[1:])


def test_no_operation_falls_near_a_boundary_and_a_moved_one_is_caught():
    ops = raw("nyfed", "FED_RMP_BILL_PURCHASES")
    spans = desk.periods(frozen.config().desk, ops.index[-1].date())
    assert desk.boundary_problems(ops, spans, 2) == []
    end = spans[1].end  # 12 Feb 2026
    for offset, near in ((-2, False), (-1, True), (0, True), (1, True), (2, True), (3, False)):
        moved = pd.concat([ops, pd.Series([1.0], index=[pd.Timestamp(end + timedelta(offset))])])
        problems = desk.boundary_problems(moved.sort_index(), spans, 2)
        assert bool(problems) is near, (offset, problems)


def _by_hand() -> pd.DataFrame:
    """Bills bought per period with pd.cut over the period edges, the MBS fall with asof."""
    ops = raw("nyfed", "FED_RMP_BILL_PURCHASES")
    mbs = raw("fred", "WSHOMCB") / 1000
    ends = [pd.Timestamp(p.end) for p in frozen.config().desk.periods]
    edges = [pd.Timestamp("2025-12-11 12:00"), *(e + pd.Timedelta(hours=12) for e in ends)]
    bins = pd.cut(ops.index, edges, labels=ends)
    bought = ops.groupby(bins, observed=False).sum()
    starts = [pd.Timestamp("2025-12-12"), *(e + pd.Timedelta(days=1) for e in ends[:-1])]
    day = pd.Timedelta(days=1)
    falls = [mbs.asof(s - day) - mbs.asof(e) for s, e in zip(starts, ends, strict=True)]
    frame = pd.DataFrame({"bought": bought.to_numpy(), "reinvested": falls}, index=ends)
    frame["rmp"] = frame["bought"] - frame["reinvested"]
    return frame


def test_published_periods_match_a_recomputation_within_1_bn(built_project: Path):
    with (built_project / "public" / "data" / "fed-bills-periods.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    expected = _by_hand()
    assert [r["period_end"] for r in rows[:8]] == [e.date().isoformat() for e in expected.index]
    assert rows[0]["period_start"] == "2025-12-12"
    for row, (_, want) in zip(rows, expected.iterrows(), strict=False):
        assert float(row["bills_bought"]) == pytest.approx(want["bought"], abs=1e-3)
        assert float(row["reinvested"]) == pytest.approx(want["reinvested"], abs=1e-3)
        assert float(row["rmp"]) == pytest.approx(want["rmp"], abs=1.0)
    # The announced ~40 bn until mid-April, then the reduction: about 25, then 10 a period.
    assert [round(float(r["rmp"])) for r in rows[:8]] == [40, 40, 40, 40, 25, 10, 10, 10]
    assert [r["announced_rmp"] for r in rows[:8]] == ["40.000"] * 4 + [""] * 4
    # The cross-check: Treasury holdings rose by about what was bought (Wednesday levels, so a
    # period's last days can fall in the next; TIPS accrue on top): within 10 bn a period and
    # 5% over all eight (342 bn bought against +353 bn of holdings in the audit).
    bought = [float(r["bills_bought"]) for r in rows[:8]]
    held = [float(r["treasuries_change"]) for r in rows[:8]]
    assert all(abs(h - b) < 10 for h, b in zip(held, bought, strict=True))
    assert sum(held) == pytest.approx(sum(bought), rel=0.05)


def test_the_page_says_what_was_planned_and_what_was_done(built_project: Path):
    page = (built_project / "site" / "indicators" / "fed-bills.md").read_text()
    assert "## What the Desk planned and what it did" in page
    assert (
        "The Desk announced about 40 bn USD of reserve management purchases a period for the 4 "
        "periods from 12 Dec 2025 to 13 Apr 2026 and added 39.8 to 40.2 bn USD in each"
    ) in page
    assert "it added 10.0 to 24.8 bn USD (10.1 bn USD in the period to 13 Aug 2026)" in page
    # The old calendar-month figures are gone from the verdict and the card.
    assert "29.8" not in page


@settings(max_examples=60, deadline=None)
@given(
    amounts=st.lists(st.floats(0, 50, allow_nan=False), min_size=1, max_size=40),
    days=st.lists(st.integers(0, 200), min_size=1, max_size=40),
)
def test_sums_per_period_add_up_to_the_operations_inside_complete_periods(amounts, days):
    n = min(len(amounts), len(days))
    dates = sorted({date(2025, 12, 12) + timedelta(d) for d in days[:n]})
    flows = pd.Series(amounts[: len(dates)], index=pd.DatetimeIndex(dates), dtype="float64")
    first = DeskPeriod(
        start=date(2025, 12, 12), end=date(2026, 1, 14), announced=date(2025, 12, 10)
    )
    spec = DeskConfig(periods=[first])
    spans = desk.periods(spec, dates[-1])
    sums = desk.per_period(flows, spans, "sum")
    complete = [s for s in spans if pd.Timestamp(s.end) < flows.index[-1]]
    assert len(sums) == len(complete)
    if complete:
        inside = flows[flows.index <= pd.Timestamp(complete[-1].end)]
        assert sums.sum() == pytest.approx(inside.sum(), abs=1e-9)


def test_a_desk_period_formula_without_the_desk_section_is_refused_with_its_line(tmp_path):
    text = (FIXTURE / "indicators.yml").read_text()
    head, _, _ = text.partition("\n# The New York Fed Desk's monthly purchase periods.")
    (tmp_path / "indicators.yml").write_text(head + "\n")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "indicators.yml")
    lines = [p for p in raised.value.problems if "op desk_period needs" in p]
    # bought and reinvested read desk_period; the desk table's check goes with the section
    assert len(lines) == 2, raised.value.problems
    assert all(re.match(r".*indicators\.yml:\d+: indicator 'fed-bills'", p) for p in lines)
