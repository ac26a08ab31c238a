"""The central banks in dollars, their change split in two, breadth, the funding plumbing and
M2: every number recomputed here from the frozen CSVs by plain Python (csv rows, loops, no
pandas arithmetic), never by calling the transforms that made it."""

from __future__ import annotations

import csv
import functools
import math
from datetime import date, timedelta

import pytest

from generator.fetch import update
from generator.measure.indicators import IndicatorResult
from tests import frozen
from tests.conftest import FIXTURE


@functools.cache
def by_id() -> dict[str, IndicatorResult]:
    """The frozen snapshot's indicators by id (tests/frozen.py: loaded on first use)."""
    return {r.id: r for r in frozen.results()}


def rows(source: str, series_id: str) -> list[tuple[date, float]]:
    with open(FIXTURE / "data" / "series" / source / f"{series_id}.csv") as handle:
        return [(date.fromisoformat(r["date"]), float(r["value"])) for r in csv.DictReader(handle)]


def month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def last_on_or_before(data: list[tuple[date, float]], day: date, within: int = 7) -> float:
    found = [(d, v) for d, v in data if d <= day]
    if not found or (day - found[-1][0]).days > within:
        return math.nan
    return found[-1][1]


def last_in_month(data: list[tuple[date, float]], first: date) -> float:
    """The month's last observation; the data's own last month only once it reaches the
    month's final three days (a month still under way has no month-end level)."""
    inside = [(d, v) for d, v in data if d.year == first.year and d.month == first.month]
    if not inside or (
        data[-1][0] == inside[-1][0] and inside[-1][0] < month_end(first) - timedelta(days=2)
    ):
        return math.nan
    return inside[-1][1]


WALCL, ECB = rows("fred", "WALCL"), rows("fred", "ECBASSETSW")
BOJ, PBOC = rows("fred", "JPNASSETS"), rows("manual", "PBOC_TOTAL_ASSETS")
EUR, JPY, CNY = rows("fred", "DEXUSEU"), rows("fred", "DEXJPUS"), rows("fred", "DEXCHUS")


def by_hand(first: date) -> dict[str, tuple[float, float]]:
    """Per bank: (level in local units, dollars per local unit in bn USD) at a month's end."""
    end = month_end(first)
    monthly = {d: v for d, v in BOJ}, {d: v for d, v in PBOC}
    return {
        "fed": (last_in_month(WALCL, first), 0.001),
        "ecb": (last_in_month(ECB, first), last_on_or_before(EUR, end) * 0.001),
        "boj": (monthly[0].get(first, math.nan), 0.1 / last_on_or_before(JPY, end)),
        "pboc": (monthly[1].get(first, math.nan), 0.1 / last_on_or_before(CNY, end)),
    }


def months(start: date, stop: date) -> list[date]:
    found, day = [], start
    while day <= stop:
        found.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return found


def value(indicator: str, quantity: str, first: date) -> float:
    series = by_id()[indicator].quantity(quantity)
    stamp = series.index[series.index.date == first]
    return float(series[stamp[0]]) if len(stamp) else math.nan


def test_each_bank_in_dollars_by_hand_in_june_2026():
    hand = by_hand(date(2026, 6, 1))
    for bank in ("fed", "ecb", "boj", "pboc"):
        level, per_unit = hand[bank]
        assert value("central-banks-usd", f"{bank}_usd", date(2026, 6, 1)) == pytest.approx(
            level * per_unit, rel=1e-12
        )
    # The figures a reader sees: about 6.7, 7.0, 3.9 and 7.3 trillion dollars.
    assert round(hand["ecb"][0] * hand["ecb"][1]) == 6984
    assert round(hand["boj"][0] * hand["boj"][1]) == 3933


def test_sum_by_hand_every_month_since_2015_and_march_2024_left_out():
    checked = 0
    for first in months(date(2015, 1, 1), date(2026, 7, 1)):
        hand = by_hand(first)
        total = sum(level * unit for level, unit in hand.values())
        measured = value("central-banks-usd", "total_usd", first)
        if math.isnan(total):
            assert math.isnan(measured), first
            continue
        assert measured == pytest.approx(total, rel=1e-12), first
        checked += 1
    assert checked >= 130
    assert math.isnan(value("central-banks-usd", "total_usd", date(2024, 3, 1)))


def test_split_adds_up_to_the_change_exactly_and_matches_by_hand():
    """Balance sheets moved + exchange rates moved = the change of the dollar sum, each month;
    and each bank's parts equal the symmetric split computed here."""
    checked = 0
    for first in months(date(2015, 2, 1), date(2026, 7, 1)):
        before = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
        now, then = by_hand(first), by_hand(before)
        change = sum(lv * x for lv, x in now.values()) - sum(lv * x for lv, x in then.values())
        sheets = moved_rates = 0.0
        for bank in now:
            (l1, x1), (l0, x0) = now[bank], then[bank]
            sheets += (l1 - l0) * (x0 + x1) / 2
            moved_rates += (x1 - x0) * (l0 + l1) / 2
            if bank != "fed" and not math.isnan(l1 * l0 * x1 * x0):
                bs = value("central-banks-usd", f"{bank}_bs", first)
                fx = value("central-banks-usd", f"{bank}_fx", first)
                assert bs == pytest.approx((l1 - l0) * (x0 + x1) / 2, rel=1e-9, abs=1e-9)
                assert fx == pytest.approx((x1 - x0) * (l0 + l1) / 2, rel=1e-9, abs=1e-9)
                assert bs + fx == pytest.approx(l1 * x1 - l0 * x0, abs=1e-9)
        measured = value("central-banks-usd", "change_1m", first)
        if math.isnan(change):
            assert math.isnan(measured), first  # April 2024: no two-month change
            continue
        assert sheets + moved_rates == pytest.approx(change, abs=1e-9)
        assert measured == pytest.approx(change, abs=1e-9), first
        parts = value("central-banks-usd", "balance_sheets", first) + value(
            "central-banks-usd", "exchange_rates", first
        )
        assert parts == pytest.approx(change, abs=1e-9)
        checked += 1
    assert checked >= 130


def test_breadth_by_hand_in_local_currency():
    checked = 0
    for first in months(date(2016, 1, 1), date(2026, 7, 1)):
        earlier = date(first.year - (first.month <= 3), (first.month - 4) % 12 + 1, 1)
        now, then = by_hand(first), by_hand(earlier)
        levels = [(now[b][0], then[b][0]) for b in now]
        measured = value("central-bank-breadth", "breadth_13w", first)
        if any(math.isnan(a) or math.isnan(b) for a, b in levels):
            assert math.isnan(measured), first
            continue
        grew = sum(1 for a, b in levels if a > b)
        assert measured == 100 * grew / 4, first
        checked += 1
    assert checked >= 120
    # June 2026 against March: the Fed and the PBoC grew, the ECB and the BoJ shrank.
    assert value("central-bank-breadth", "breadth_13w", date(2026, 6, 1)) == 50


def test_sofr_tail_by_hand_on_every_day():
    sofr = dict(rows("fred", "SOFR"))
    tail = by_id()["sofr-tail"].quantity("tail")
    expected = {d: (v - sofr[d]) * 100 for d, v in rows("fred", "SOFR99") if d in sofr}
    assert len(tail) == len(expected) > 2000
    for stamp, measured in tail.items():
        assert measured == pytest.approx(expected[stamp.date()], abs=1e-9)
    assert tail.iloc[-1] == pytest.approx(8.0)  # 20 Aug 2026


def test_net_bill_issuance_and_the_feds_share_by_hand():
    bills = rows("fiscaldata", "MSPD_BILLS")
    bought: dict[date, float] = {}
    for day, amount in rows("nyfed", "FED_RMP_BILL_PURCHASES"):
        key = date(day.year, day.month, 1)
        bought[key] = bought.get(key, 0.0) + amount
    result = by_id()["bill-issuance"]
    for (_, v0), (d1, v1) in zip(bills, bills[1:], strict=False):
        first = date(d1.year, d1.month, 1)
        assert value("bill-issuance", "net_issuance", first) == pytest.approx((v1 - v0) / 1000)
    july = date(2026, 7, 1)
    assert value("bill-issuance", "net_issuance", july) == pytest.approx(298.1092159)
    assert value("bill-issuance", "fed_bought", july) == pytest.approx(bought[july])
    share = 100 * bought[july] / ((bills[-1][1] - bills[-2][1]) / 1000)
    assert value("bill-issuance", "fed_share", july) == pytest.approx(share)
    # December 2025 started on the 12th: not a whole month of purchases, so no figure.
    assert result.quantity("fed_bought").index[0].date() == date(2026, 1, 1)


def test_srf_days_used_in_the_last_20_by_hand():
    usage = rows("nyfed", "SRF_USAGE")
    measured = by_id()["srf-usage"].quantity("days_used")
    for end in (len(usage), len(usage) - 40, len(usage) - 300):
        window = usage[end - 20 : end]
        day = window[-1][0]
        assert value("srf-usage", "days_used", day) == sum(1 for _, v in window if v > 0)
    assert measured.iloc[-1] == 11


def test_m2_growth_and_china_in_dollars_by_hand():
    us, cn = dict(rows("fred", "M2SL")), dict(rows("manual", "CN_M2"))
    july, before = date(2026, 7, 1), date(2025, 7, 1)
    assert value("m2", "us_yoy", july) == pytest.approx((us[july] / us[before] - 1) * 100)
    assert value("m2", "cn_yoy", july) == pytest.approx((cn[july] / cn[before] - 1) * 100)
    rate = last_on_or_before(CNY, month_end(july))
    assert value("m2", "cn_m2_usd", july) == pytest.approx(cn[july] / rate)
    # August's yuan M2 has no dollar figure: the month's last rate is not in the snapshot.
    assert math.isnan(value("m2", "cn_m2_usd", date(2026, 8, 1)))


def test_stablecoin_supply_and_30_day_change_by_hand():
    coins = rows("defillama", "STABLECOINS_TOTAL_USD")
    last_day, last = coins[-1]
    earlier = last_on_or_before(coins, last_day - timedelta(days=30), within=30)
    assert value("stablecoins", "supply", last_day) == pytest.approx(last / 1e9)
    assert value("stablecoins", "change_30d", last_day) == pytest.approx((last - earlier) / 1e9)


def test_manual_series_are_never_fetched():
    """``update`` selects every series; the fetch plan leaves out the ones kept by hand."""
    from generator.fetch import plan

    fetched = plan.fetched(frozen.config(), update._select(frozen.config(), None))
    manual = [s for s, spec in frozen.config().series.items() if spec.source == "manual"]
    assert "PBOC_TOTAL_ASSETS" in manual and "CN_M2" in manual
    assert not set(manual) & set(fetched)
    # The four that moved to their real sources are fetched like any other.
    assert {"WALCL", "STABLECOINS_TOTAL_USD", "MSPD_BILLS", "TGA_DTS", "SRF_USAGE"} <= set(fetched)
