"""The liquidity attribution: every week's parts add up to the change in reserves, and the parts
match a separate computation from the raw CSVs (Wednesday levels, bn USD)."""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import pytest

from generator.measure import attribution
from generator.publish import attribution as attribution_text
from tests import frozen
from tests.conftest import FIXTURE


@functools.cache
def frame() -> pd.DataFrame:
    """The frozen snapshot's attribution, made when a test first reads it (tests/frozen.py)."""
    return attribution.attribution(frozen.snapshot().series, frozen.config().attribution.series)


def raw(series_id: str) -> pd.Series:
    frame = pd.read_csv(
        FIXTURE / "data" / "series" / "fred" / f"{series_id}.csv", parse_dates=["date"]
    )
    return frame.set_index("date")["value"].astype(float)


def test_parts_add_up_on_every_week():
    found = frame()
    assert len(found) > 500
    parts = found[["fed_assets", "tga", "rrp", "other"]].sum(axis=1)
    assert (parts - found["reserves_change"]).abs().max() < 1e-9
    assert (found.index.day_of_week == 2).all()  # Wednesdays
    assert (found.index.to_series().diff().dropna().dt.days == 7).all()


def test_parts_by_hand_on_19_august_2026():
    week, before = pd.Timestamp("2026-08-19"), pd.Timestamp("2026-08-12")
    reserves, assets, tga = raw("WRBWFRBL"), raw("WALCL"), raw("WDTGAL")
    rrp = raw("RRPONTSYD")
    row = frame().loc[week]
    assert row["reserves_change"] == pytest.approx((reserves[week] - reserves[before]) / 1000)
    assert row["fed_assets"] == pytest.approx((assets[week] - assets[before]) / 1000)
    assert row["tga"] == pytest.approx(-(tga[week] - tga[before]) / 1000)
    assert row["rrp"] == pytest.approx(-(rrp[:week].iloc[-1] - rrp[:before].iloc[-1]))


def test_main_driver_over_13_weeks_by_hand():
    reserves, tga, assets = raw("WRBWFRBL"), raw("WDTGAL"), raw("WALCL")
    end, start = pd.Timestamp("2026-08-19"), pd.Timestamp("2026-05-20")
    driver = attribution.main_driver(frame())
    assert driver is not None and driver.until == end.date() and driver.since == start.date()
    assert driver.part == "tga"
    assert driver.contribution == pytest.approx(-(tga[end] - tga[start]) / 1000, abs=1e-6)
    assert driver.total == pytest.approx((reserves[end] - reserves[start]) / 1000, abs=1e-6)
    fed = (assets[end] - assets[start]) / 1000
    assert abs(driver.contribution) > abs(fed)
    sentence = attribution_text.driver_sentence(driver)
    assert "Treasury General Account (\u2212154 bn USD: it rose)" in sentence


def test_csv_has_the_published_columns():
    text = attribution_text.attribution_csv(frame())
    lines = text.splitlines()
    assert lines[0] == "date,reserves_change,fed_assets,tga,rrp,other"
    assert len(lines) == len(frame()) + 1
    last = lines[-1].split(",")
    assert last[0] == "2026-08-19"
    assert sum(float(v) for v in last[2:]) == pytest.approx(float(last[1]), abs=0.003)


def test_missing_series_gives_an_empty_attribution():
    without = {k: v for k, v in frozen.snapshot().series.items() if k != "WDTGAL"}
    assert attribution.attribution(without, frozen.config().attribution.series).empty


def test_build_publishes_csv_chart_and_sentence(built_project: Path):
    site = built_project / "site"
    assert (site / "data" / "liquidity-attribution.csv").read_text().startswith("date,reserves_")
    assert (site / "charts" / "liquidity-attribution.vl.json").exists()
    for page in ("reserves", "net-liquidity"):
        assert "liquidity-attribution.vl.json" in (site / "indicators" / f"{page}.md").read_text()
    assert (
        "the largest part came from the Treasury General Account" in (site / "index.md").read_text()
    )
    assert (built_project / "public" / "data" / "liquidity-attribution.csv").exists()
    assert (built_project / "public" / "data" / "scorecard.csv").exists()
