"""The Global liquidity page and home section: built from the indicators of group global, the
split table's parts adding up (before rounding) to the change it explains."""

from __future__ import annotations

import pandas as pd

from generator.publish import global_page
from generator.publish.format import Number
from tests import frozen
from tests.test_global import by_id


def test_the_page_has_every_global_indicator_in_config_order():
    context = global_page.page_context(list(by_id().values()), {})
    ids = [s["id"] for s in context["sections"]]
    expected = [i.id for i in frozen.config().indicators if i.group == "global"]
    assert ids == expected == ["central-banks-usd", "central-bank-breadth", "m2", "stablecoins"]
    assert context["until"] == "20 Aug 2026"


def test_split_rows_are_the_parts_of_the_latest_change_and_add_up():
    result = by_id()["central-banks-usd"]
    parts = global_page.parts_of(result, "change_1m")
    assert parts == [
        "fed_change",
        "ecb_bs",
        "boj_bs",
        "pboc_bs",
        "ecb_fx",
        "boj_fx",
        "pboc_fx",
    ]
    june = pd.Timestamp("2026-06-01")
    total = sum(float(result.quantity(p)[june]) for p in parts)
    assert total == float(result.quantity("change_1m")[june])
    rows = global_page.split_rows(result)
    assert [r["part"] for r in rows][-1] == "Monthly change"
    assert str(rows[-1]["value"]) == "−285"
    assert (rows[0]["part"], str(rows[0]["value"])) == ("Fed: balance sheet moved", "+31")
    # Numbers until the template: the value itself, dated and named for its explanation.
    last = rows[-1]["value"]
    assert isinstance(last, Number) and last.explain == f"{result.id}.change_1m"
    assert last.value == float(result.quantity("change_1m").iloc[-1])
    # Indicators without an fx_split quantity get no table.
    assert global_page.split_rows(by_id()["m2"]) == []


def test_home_section_joins_the_global_sentences():
    section = global_page.home_section(list(by_id().values()))
    assert section is not None and section["href"] == "global.md"
    assert "four central banks' balance sheets shrank by 19 bn USD" in section["paragraph"]
    assert "Stablecoin supply fell 0.7 bn USD" in section["paragraph"]
