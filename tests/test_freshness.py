"""Overdue series: the real snapshot's two discontinued feeds are found, nothing else is."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from generator.catalogue.load import load_config
from generator.snapshot import freshness
from generator.snapshot.load import load_snapshot
from generator.snapshot.store import Store
from tests.conftest import FIXTURE


def test_the_snapshot_flags_exactly_the_feeds_that_stopped():
    config = load_config(FIXTURE / "indicators.yml")
    snapshot = load_snapshot(config, Store(FIXTURE / "data"))
    # Last update 2026-08-22: WSHOBL (weekly) stops 2025-11-19, BNB (daily) 2026-02-20, and
    # the ECB's weekly statement (ECBASSETSW, as committed by its source repository) 2026-07-17.
    # Monthly ADP (last 2026-07-01) and weekend gaps of daily series are not overdue.
    assert snapshot.overdue == {
        "WSHOBL": "2025-11-19",
        "BNB-USD": "2026-02-20",
        "ECBASSETSW": "2026-07-17",
    }


def daily(start: str, end: str) -> pd.Series:
    index = pd.bdate_range(start, end, name="date")
    return pd.Series(1.0, index=index)


def test_weekends_and_holidays_are_not_overdue_but_two_weeks_are():
    series = {"X": daily("2026-01-01", "2026-08-21")}  # a Friday
    assert freshness.overdue(series, date(2026, 8, 24)) == {}  # the Monday after
    assert freshness.overdue(series, date(2026, 8, 28)) == {}  # 7 days: the floor
    assert freshness.overdue(series, date(2026, 8, 29)) == {"X": "2026-08-21"}


def test_monthly_series_get_three_months_and_short_or_unknown_ones_are_not_judged():
    monthly = pd.Series(1.0, index=pd.date_range("2024-01-01", "2026-07-01", freq="MS"))
    assert freshness.usual_spacing_days(monthly) == 31.0
    assert freshness.overdue({"M": monthly}, date(2026, 9, 30)) == {}
    assert freshness.overdue({"M": monthly}, date(2026, 10, 3)) == {"M": "2026-07-01"}
    single = pd.Series([1.0], index=pd.DatetimeIndex(["2020-01-01"]))
    assert freshness.overdue({"S": single}, date(2026, 1, 1)) == {}
    assert freshness.overdue({"M": monthly}, None) == {}


def test_last_update_is_the_newest_fetch():
    assert freshness.last_update(["2026-08-20T01:00:00Z", None, "2026-08-22T16:12:14Z"]) == date(
        2026, 8, 22
    )
    assert freshness.last_update([None]) is None


def test_overdue_series_are_marked_on_cards_pages_and_data_status(built_project: Path):
    home = (built_project / "site/index.md").read_text()
    card = home[home.index('href="indicators/bnb/"') :]
    assert "nothing new since 2026-02-20" in card[: card.index("</a>")]
    page = (built_project / "site/indicators/bnb.md").read_text()
    assert "BNB-USD: nothing new since 2026-02-20" in page
    status = (built_project / "site/data-status.md").read_text()
    assert "| nothing new since 2025-11-19 |" in status  # WSHOBL, used by no card
    fresh = home[home.index('href="indicators/btc/"') :]
    assert "nothing new" not in fresh[: fresh.index("</a>")]
