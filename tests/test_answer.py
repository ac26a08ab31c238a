"""The lead (the site's question answered first): its rules, its numbers recomputed by hand from
the frozen CSVs, its arrows, what ``check`` says of a broken ``answer:``, and a reader's phone:
the answer, the regime and four cards within the first two screens at 390 px."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from generator.catalogue.load import load_config, load_events
from generator.measure import indicators
from generator.publish import answer
from generator.publish.changes import IndicatorState, ReportState, compare
from generator.publish.format import Number
from generator.snapshot.load import load_snapshot
from generator.snapshot.store import Store
from tests.conftest import FIXTURE, copy_project, load_yaml, run_generator

# One worker runs this module (`--dist loadgroup`): its module-scoped fixture (the evaluated
# snapshot) is made once, not once in each worker that runs one of its tests.
pytestmark = pytest.mark.xdist_group("answer")

PHONE = {"width": 390, "height": 844}


def by_hand(series: str, source: str = "fred") -> list[tuple[date, float]]:
    with (FIXTURE / "data" / "series" / source / f"{series}.csv").open() as handle:
        return [
            (date.fromisoformat(row["date"]), float(row["value"]))
            for row in csv.DictReader(handle)
            if row["value"]
        ]


def change_over(rows: list[tuple[date, float]], days: int) -> float:
    """The last value minus the last one on or before ``days`` earlier (separate code from
    ``measure/transforms.change``)."""
    last_day, last = rows[-1]
    earlier = [v for d, v in rows if d <= last_day - timedelta(days=days)]
    return last - earlier[-1]


@pytest.fixture(scope="module")
def evaluated():
    events = load_events(FIXTURE / "events.yml")
    config = load_config(FIXTURE / "indicators.yml", events)
    snapshot = load_snapshot(config, Store(FIXTURE / "data"))
    results = indicators.evaluate(config, snapshot.series, snapshot.stale, snapshot.overdue)
    return config, results


def test_the_answer_states_the_frozen_numbers_recomputed_by_hand(evaluated):
    config, results = evaluated
    said = answer.sentences(config, results)
    assert 1 <= len(said) <= 2  # one or two plain sentences
    reserves = change_over(by_hand("WRESBAL"), 26 * 7) / 1000  # millions -> billions
    assert f"{'+' if reserves >= 0 else '−'}{abs(reserves):,.0f} bn USD over 26 weeks" in said[0]
    # net liquidity = WALCL - WTREGEN - RRPONTSYD * 1000 (millions), dated on WALCL's Wednesdays
    walcl, tga = dict(by_hand("WALCL")), dict(by_hand("WTREGEN"))
    rrp = by_hand("RRPONTSYD")

    def net(day: date) -> float:
        repo = [v for d, v in rrp if d <= day][-1]
        return (walcl[day] - tga[day] - repo * 1000) / 1000

    last = max(walcl)
    before = max(d for d in walcl if d <= last - timedelta(weeks=13))
    fell = net(before) - net(last)
    assert fell > 0  # the frozen data: net liquidity fell over 13 weeks
    assert f"net liquidity fell {fell:,.0f} bn USD over 13 weeks" in said[1]
    # the Desk's part names the share of the article's 40 bn that the last period reached
    rmp = next(r for r in results if r.id == "fed-bills").latest("rmp")
    assert f"{rmp:,.0f} bn USD of reserves" in said[0] and f"{rmp / 40 * 100:.0f}%" in said[0]


def test_the_first_rule_that_holds_is_said_and_a_part_without_one_is_left_out(evaluated):
    config, results = evaluated
    assert config.answer is not None
    first = config.answer.parts[0]
    flipped = first.model_copy(update={"rules": [first.rules[-1]]})  # only "rmp <= 0"
    changed = config.model_copy(
        update={"answer": config.answer.model_copy(update={"parts": [flipped]})}
    )
    assert answer.sentences(changed, results) == []  # rmp is positive: no rule holds


def state(day: int, regime: str, score: float, **levels: str) -> ReportState:
    return ReportState(
        day=date(2026, 8, day),
        regime=regime,
        score=score,
        indicators={k: IndicatorState(v, Number(1.0), None) for k, v in levels.items()},
    )


def test_arrows_point_toward_easing_or_calm_up_and_toward_stress_down():
    titles = {"net": "Net liquidity", "btc": "Bitcoin"}
    before = state(20, "neutral", -0.2, net="watch", btc="stress")
    after = state(21, "neutral", -0.44, net="stress", btc="calm")
    said = answer.arrows(compare(before, after, titles), before, after)
    assert said == [
        "↓ regime score −0.44 (was −0.20)",
        "↓ Net liquidity: watch → stress",
        "↑ Bitcoin: stress → calm",
    ]
    easing = state(21, "easing", 0.6, net="watch", btc="stress")
    assert answer.arrows(compare(before, easing, titles), before, easing) == [
        "↑ regime neutral → easing"
    ]
    assert answer.arrows(None, None, after) == []


def test_check_names_the_line_of_a_broken_answer(tmp_path):
    root = copy_project(tmp_path / "p")
    path = root / "indicators.yml"
    config = load_yaml(path.read_text())
    config["answer"]["reads"]["rmp"] = "fed-bills.rmpp"
    config["answer"]["parts"][1]["rules"][0]["when"] = "net_13ww > 0"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    out = run_generator(root, "check", check=False)
    assert out.returncode != 0
    assert "answer, field 'reads.rmp': 'fed-bills.rmpp': unknown quantity 'rmpp'" in out.stderr
    assert "did you mean 'rmp'?" in out.stderr
    assert "answer 'ladder', field 'parts[1].rules[0].when': unknown name 'net_13ww'" in out.stderr


def test_on_a_phone_the_answer_the_regime_and_four_cards_are_within_two_screens(
    server: str,
    browser,
    built_project: Path,
):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    tab = context.new_page()
    try:
        tab.goto(server, wait_until="load")
        two_screens = 2 * PHONE["height"]

        def bottom(selector: str) -> float:
            box = tab.locator(selector).first.bounding_box()
            assert box is not None, f"{selector} is not shown"
            return box["y"] + box["height"]

        answer_text = tab.inner_text(".lw-lead .lw-answer")
        assert answer_text.startswith(("Yes", "A little", "No")), answer_text
        assert bottom(".lw-lead .lw-answer") <= PHONE["height"]  # the answer: the first screen
        assert "Regime: " in tab.inner_text(".lw-lead")
        assert bottom(".lw-lead") <= PHONE["height"]
        cards = tab.locator("a.lw-card")
        assert cards.count() >= 4
        assert bottom("a.lw-card >> nth=3") <= two_screens
        assert tab.locator(".lw-lead a.lw-why").get_attribute("href") == "#why"
        assert tab.locator("#why").count() == 1
    finally:
        context.close()
