"""The status rules of the funding plumbing (SOFR tail, daily TGA, net bill issuance),
recomputed by separate code: the frozen CSVs read with ``csv``, the quantities and their
historical distribution computed with lists and ``statistics``, the level chosen by hand.

Each rule's threshold is justified in the indicator's ``measures:`` by the distribution it
cites (median, 75th and 90th percentiles, the span); the tests recompute those figures, check
that the text states them, that each threshold sits at its percentile (about a quarter and a
tenth of the history above it), and that the card's level is the one the hand computation
gives today and on past days, stress episodes included.
"""

from __future__ import annotations

import csv
import statistics
from bisect import bisect_right
from datetime import date, timedelta

import pandas as pd
import pytest

from generator.catalogue.models import IndicatorConfig
from generator.measure import indicators
from tests import frozen
from tests.conftest import FIXTURE

Rows = list[tuple[date, float]]

# indicator -> (the quantity its status reads, watch from, stress from), as indicators.yml says
RULES = {
    "sofr-tail": ("mean_20d", 13.0, 16.0),
    "tga-daily": ("change_30d", 100.0, 180.0),
    "bill-issuance": ("net_issuance", 195.0, 235.0),
}


def rows(series: str, folder: str) -> Rows:
    with (FIXTURE / "data" / "series" / folder / f"{series}.csv").open() as handle:
        return [
            (date.fromisoformat(row["date"]), float(row["value"]))
            for row in csv.DictReader(handle)
            if row["value"]
        ]


def sofr_tail_means() -> Rows:
    """(99th percentile - SOFR) x 100 on SOFR99's days (SOFR as last known, at most 7 days
    old), then the mean of each 20 consecutive values."""
    sofr = rows("SOFR", "fred")
    days = [d for d, _ in sofr]
    tail: Rows = []
    for day, high in rows("SOFR99", "fred"):
        where = bisect_right(days, day) - 1
        if where >= 0 and (day - days[where]).days <= 7:
            tail.append((day, (high - sofr[where][1]) * 100))
    return [
        (tail[i][0], sum(v for _, v in tail[i - 19 : i + 1]) / 20) for i in range(19, len(tail))
    ]


def tga_changes() -> Rows:
    """The DTS balance in bn USD less its last value on or before 30 days earlier."""
    tga = [(d, v / 1000) for d, v in rows("TGA_DTS", "fiscaldata")]
    days = [d for d, _ in tga]
    out: Rows = []
    for day, value in tga:
        where = bisect_right(days, day - timedelta(days=30)) - 1
        if where >= 0:
            out.append((day, value - tga[where][1]))
    return out


def net_issuance() -> Rows:
    """Each month's last bills-outstanding level (bn USD) less the month before's, dated on
    the month's first day."""
    last: dict[date, float] = {}
    for day, value in rows("MSPD_BILLS", "fiscaldata"):
        last[day.replace(day=1)] = value / 1000
    months = sorted(last)
    out: Rows = []
    for before, month in zip(months, months[1:], strict=False):
        assert (month.year * 12 + month.month) - (before.year * 12 + before.month) == 1
        out.append((month, last[month] - last[before]))
    return out


HISTORY = {
    "sofr-tail": sofr_tail_means,
    "tga-daily": tga_changes,
    "bill-issuance": lambda: [(d, v) for d, v in net_issuance() if d >= date(2022, 1, 1)],
}
# What each measures: text must state: (span, median, 75th, 90th), with their units.
CITED = {
    "sofr-tail": ("2,073 days from 30 Apr 2018 to 20 Aug 2026", "{:.1f} bp"),
    "tga-daily": ("1,067 days from 18 May 2022 to 20 Aug 2026", "{:.1f} bn USD"),
    "bill-issuance": ("55 months to July 2026", "{:.1f} bn USD"),
}


def by_hand_level(indicator: str, value: float) -> str:
    _, watch, stress = RULES[indicator]
    return "stress" if value >= stress else "watch" if value >= watch else "calm"


def indicator(indicator_id: str) -> IndicatorConfig:
    return frozen.config().indicator(indicator_id)


@pytest.mark.parametrize("indicator_id", list(RULES))
def test_the_rules_read_the_thresholds_the_reason_gives(indicator_id: str):
    name, watch, stress = RULES[indicator_id]
    rules = indicator(indicator_id).status
    assert [(r.when, r.level) for r in rules] == [
        (f"{name} >= {stress:g}", "stress"),
        (f"{name} >= {watch:g}", "watch"),
        (f"{name} < {watch:g}", "calm"),
    ]


@pytest.mark.parametrize("indicator_id", list(RULES))
def test_the_reason_cites_the_distribution_recomputed_by_hand(indicator_id: str):
    values = [v for _, v in HISTORY[indicator_id]()]
    cuts = statistics.quantiles(values, n=100, method="inclusive")  # linear, as numpy's
    median, p75, p90 = statistics.median(values), cuts[74], cuts[89]
    text = " ".join(indicator(indicator_id).measures.split())
    span, unit = CITED[indicator_id]
    assert span in text
    for figure in (median, p75, p90):
        assert unit.format(figure).replace("-", "−") in text, (indicator_id, figure)
    # Each threshold sits at its percentile: about a quarter and a tenth of history above it.
    _, watch, stress = RULES[indicator_id]
    assert abs(watch - p75) <= 0.05 * abs(p75) + 0.5
    assert abs(stress - p90) <= 0.05 * abs(p90) + 0.5
    above_watch = sum(v >= watch for v in values) / len(values)
    above_stress = sum(v >= stress for v in values) / len(values)
    assert 0.22 <= above_watch <= 0.30 and 0.08 <= above_stress <= 0.12


def evaluated(indicator_id: str, cut: date | None) -> indicators.IndicatorResult:
    series = frozen.snapshot().series
    if cut is not None:
        series = {k: v[v.index <= pd.Timestamp(cut)] for k, v in series.items()}
    return indicators.evaluate_one(frozen.config(), indicator(indicator_id), series)


# Past days that reach every level: the repo squeeze of Sept 2019 and March 2020 for the
# tail; the refill after the June 2023 debt ceiling for the TGA; the heavy issuance after it.
DAYS = {
    "sofr-tail": [date(2019, 10, 15), date(2020, 3, 31), date(2021, 6, 30), date(2024, 12, 31)],
    "tga-daily": [date(2023, 7, 3), date(2023, 8, 15), date(2024, 4, 30), date(2025, 6, 30)],
    "bill-issuance": [date(2023, 7, 31), date(2024, 2, 29), date(2025, 10, 31), date(2026, 6, 30)],
}


@pytest.mark.parametrize("indicator_id", list(RULES))
def test_the_card_level_is_the_hand_computed_one_today_and_on_past_days(indicator_id: str):
    history = HISTORY[indicator_id]() if indicator_id != "bill-issuance" else net_issuance()
    levels = set()
    for cut in [None, *DAYS[indicator_id]]:
        known = [(d, v) for d, v in history if cut is None or d <= cut]
        day, value = known[-1]
        result = evaluated(indicator_id, cut)
        quantity = RULES[indicator_id][0]
        assert result.latest_date(quantity) == day
        assert result.latest(quantity) == pytest.approx(value, abs=1e-9)
        assert result.status is not None
        assert result.status.level == by_hand_level(indicator_id, value), (indicator_id, cut)
        levels.add(result.status.level)
    assert levels == {"calm", "watch", "stress"}, (indicator_id, levels)
