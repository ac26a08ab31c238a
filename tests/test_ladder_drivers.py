"""Stablecoin supply on the risk ladder: the same primary test and scan as net liquidity,
recomputed here from the frozen CSVs (Friday closes by pandas resample, Newey-West by numpy),
with the week of DefiLlama's vintage step left out."""

from __future__ import annotations

import functools
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from generator.measure import ladder_drivers
from generator.publish import ladder_drivers as text
from tests import frozen
from tests.test_claims import raw
from tests.test_ladder_stats import _closes, _newey_west_p


@functools.cache
def stablecoins() -> ladder_drivers.DriverTest:
    """The first ``also:`` driver of the frozen catalogue (stablecoin supply), tested when a test
    first reads it (tests/frozen.py)."""
    config, snapshot = frozen.config(), frozen.snapshot()
    return ladder_drivers.from_config(config, frozen.results(), snapshot.series)[0]


STEP_WEEK = pd.Timestamp("2026-07-10")  # the Friday ending the week of 7 July 2026


def supply_weekly_change(leave_out: bool = True) -> pd.Series:
    supply = raw("defillama", "STABLECOINS_TOTAL_USD")["2020-01-01":] / 1e9
    change = np.log(supply.resample("W-FRI").last().dropna()).diff() * 100
    return change.drop(STEP_WEEK) if leave_out else change


def primary_by_hand(assets: list[str]) -> tuple[int, float, float]:
    frame = {"x": supply_weekly_change()}
    for asset in assets:
        frame[asset] = np.log(_closes(asset)["2020-01-01":]).diff() * 100
    common = pd.concat(frame, axis=1, sort=True).dropna()
    z = (common[assets] - common[assets].mean()) / common[assets].std()
    basket = z.mean(axis=1).reset_index(drop=True)
    ahead = sum(basket.shift(-k) for k in range(1, 6))
    pair = pd.DataFrame({"x": common["x"].to_numpy(), "y": ahead.to_numpy()}).dropna()
    r = float(np.corrcoef(pair["x"], pair["y"])[0, 1])
    return len(pair), r, _newey_west_p(pair["x"].to_numpy(), pair["y"].to_numpy(), 6)


def test_the_vintage_step_week_is_left_out():
    assert stablecoins().driver.label == "stablecoin supply"
    assert stablecoins().left_out == [date(2026, 7, 10)]
    with_step = supply_weekly_change(leave_out=False)
    # Left in, it would be one of the weeks: the step is in the data, not invented here.
    assert STEP_WEEK in with_step.index
    assert stablecoins().since == date(2020, 1, 10)


@pytest.mark.parametrize("assets", [["BTC-USD"], ["ETH-USD"], ["BTC-USD", "ETH-USD"]])
def test_primary_test_by_hand(assets: list[str]):
    n, r, p_value = primary_by_hand(assets)
    found = next(p for p in stablecoins().primary if p.assets == assets)
    assert found.n == n > 300
    assert found.r == pytest.approx(r, abs=1e-9)
    assert found.p_value == pytest.approx(p_value, rel=1e-6)
    critical = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert found.detectable == pytest.approx(critical / math.sqrt(n), abs=1e-12)


def test_scan_peak_by_hand():
    change = supply_weekly_change()
    for result in stablecoins().lags:
        returns = np.log(_closes(result.asset)["2020-01-01":]).diff() * 100
        frame = pd.concat({"x": change, "y": returns}, axis=1, sort=True)
        by_lag = [frame["x"].corr(frame["y"].shift(-k)) for k in range(13)]
        assert result.peak_lag == int(np.nanargmax(by_lag))
        assert result.peak_correlation == pytest.approx(max(by_lag), abs=1e-9)


def test_the_page_section_states_power_and_the_defillama_caveat():
    section = text.section(frozen.config(), stablecoins())
    assert section["title"] == "Stablecoin supply against Bitcoin and Ether"
    assert "with 80% probability" in section["primary_sentence"]
    assert "with 80% probability" in section["scan_sentence"]
    assert section["left_out"] == "10 Jul 2026"
    notes = {item["series"]: item["note"] for item in section["notes"]}
    assert "DefiLlama" in notes["STABLECOINS_TOTAL_USD"]
    assert "1.7 bn" in notes["STABLECOINS_TOTAL_USD"]
    assert section["primary"][-1]["name"] == "Bitcoin and Ether, pooled (the primary test)"


def test_check_refuses_an_unknown_driver_asset_and_quantity_with_the_line(tmp_path):
    from tests.test_config import _broken

    def edit(d):
        d["ladder"]["also"][0]["assets"] = ["BTC-USD", "ETH-USDT"]
        d["ladder"]["also"][0]["level"] = "suply"

    message = _broken(tmp_path, edit)
    text = (tmp_path / "indicators.yml").read_text().splitlines()
    assert "ladder, also[0].assets: unknown series 'ETH-USDT': did you mean 'ETH-USD'?" in message
    assert "ladder, also[0], field 'level': unknown quantity 'suply'" in message
    for line in message.splitlines():
        if "also[0].assets" in line:
            number = int(line.split(":")[1])
            assert text[number - 1].strip() == "- ETH-USDT"
