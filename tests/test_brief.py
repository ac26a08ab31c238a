"""The brief above the narrative: its flip values recomputed by separate code from the snapshot.

The regime flip is solved again with plain pandas (weekly grid, trailing z-scores, the mean of
the four), and the status flips are worked by hand from the rules in ``indicators.yml``; a new
report carries the brief, and an old post re-run keeps its bytes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from generator.catalogue.load import load_config, load_events
from generator.measure import flips, indicators
from generator.measure import regime as analysis
from generator.measure.indicators import IndicatorResult
from generator.publish import brief
from generator.publish.report import BRIEF_MARK, POSTS, report
from generator.snapshot.load import load_snapshot
from generator.snapshot.store import Store
from tests.conftest import FIXTURE, copy_project


@pytest.fixture(scope="module")
def real() -> tuple:
    config = load_config(FIXTURE / "indicators.yml", load_events(FIXTURE / "events.yml"))
    snapshot = load_snapshot(config, Store(FIXTURE / "data"))
    results = indicators.evaluate(config, snapshot.series, snapshot.stale, snapshot.overdue)
    return config, results, analysis.compute_regime(config, results)


def by_id(results: list[IndicatorResult], key: str) -> IndicatorResult:
    return next(r for r in results if r.id == key)


# -- boundaries read from the rules ------------------------------------------------------------


def test_boundaries_come_from_simple_comparisons_on_either_side():
    found, skipped = flips.boundaries("mean_20d > 0 or days_above >= 10")
    assert found == [("mean_20d", 0.0), ("days_above", 10.0)]
    assert flips.boundaries("-5 < x")[0] == [("x", -5.0)]
    assert flips.boundaries("a < b") == ([], ["a against b"])


# -- the SOFR rule, worked by hand --------------------------------------------------------------


def test_sofr_flip_worked_by_hand_from_its_rules(real):
    """Rules: stress if ``mean_20d > 0 or days_above >= 10``; watch if ``days_above >= 3``;
    calm if ``days_above < 3``. On 20 Aug 2026 the 20-day mean is -1.0 bp and SOFR was above
    IORB on 3 days: watch. Candidates: mean_20d above 0 (stress, 1 bp away), days_above to 10
    (stress, 7 away), days_above below 3 (calm, 0 away). The nearest is the last."""
    _, results, _ = real
    sofr = by_id(results, "sofr-iorb-spread")
    assert sofr.status is not None and sofr.status.level == "watch"
    assert sofr.latest("days_above") == 3
    assert sofr.latest("mean_20d") == pytest.approx(-1.0)
    flip = flips.status_flip(sofr)
    assert flip is not None
    assert (flip.quantity, flip.at, flip.inclusive, flip.rising, flip.to) == (
        "days_above",
        3.0,
        False,
        False,
        "calm",
    )
    assert flip.near  # zero away is within any week's move
    # the other boundary, checked by evaluating the rule text by hand: 0 bp is not stress yet
    values = sofr.latest_values()
    assert flips.status_of(sofr, {**values, "mean_20d": 0.0}) == "watch"
    assert flips.status_of(sofr, {**values, "mean_20d": 0.01}) == "stress"
    assert flips.status_of(sofr, {**values, "days_above": 10}) == "stress"


def test_fed_assets_flip_and_near_criterion(real):
    """Calm while ``change_13w > 25``; exactly 25 meets ``change_13w >= -25``: watch. 32.1 bn
    USD is 7.1 away; the weekly changes over 52 weeks have a deviation above that: near."""
    _, results, _ = real
    fed = by_id(results, "fed-assets")
    flip = flips.status_flip(fed)
    assert flip is not None and flip.to == "watch" and flip.at == 25.0 and flip.inclusive
    weekly = fed.quantity("change_13w").resample("W-FRI").last().ffill(limit=4)
    spread = float(weekly.diff().dropna().tail(52).std())
    assert flip.spread == pytest.approx(spread)
    assert flip.near == (abs(25.0 - fed.latest("change_13w")) <= spread)


# -- the regime flip, solved again with pandas ---------------------------------------------------


def test_regime_flip_recomputed_independently_with_pandas(real):
    config, results, regime = real
    weeks = 156  # 3 years of weeks, as the regime's look-back
    zs = {}
    stats = {}
    for item in config.regime.inputs:
        series = by_id(results, item.indicator).quantity(item.quantity)
        grid = series.resample("W-FRI").last().ffill(limit=4)
        mean = grid.rolling(weeks, min_periods=weeks // 2).mean()
        std = grid.rolling(weeks, min_periods=weeks // 2).std()
        z = ((grid - mean) / std).clip(-3, 3) * (-1 if item.invert else 1)
        zs[item.indicator] = float(z.iloc[-1])
        stats[item.indicator] = (float(mean.iloc[-1]), float(std.iloc[-1]), item.invert)
    score = sum(zs.values()) / len(zs)  # equal weights of 1 in indicators.yml
    assert score == pytest.approx(regime.score)
    assert regime.label == "neutral" and -0.5 < score < 0.5
    # Neutral at -0.44: tight (-0.5) is nearer than easing (+0.5) for every input.
    mean, std, inverted = stats["sofr-iorb-spread"]
    others = sum(z for key, z in zs.items() if key != "sofr-iorb-spread")
    needed = -0.5 * len(zs) - others  # the SOFR z-score that puts the mean on -0.5
    expected = mean - needed * std  # inverted: z = -(x - mean) / std
    assert inverted
    sofr = next(f for f in flips.regime_flips(regime, config.regime) if f.quantity == "mean_20d")
    assert sofr.to == "tight"
    assert sofr.at == pytest.approx(expected, rel=1e-9)
    # and the value found really does put the score on the threshold
    z_at = -(sofr.at - mean) / std
    assert (others + z_at) / len(zs) == pytest.approx(-0.5)


def test_an_input_that_cannot_flip_alone_says_so(real):
    """A needed z-score beyond the clip at 3 leaves the input without a flip value."""
    config, _, regime = real
    far = config.regime.model_copy(update={"tight_below": -2.9, "easing_above": 2.9})
    assert all(f.to is None for f in flips.regime_flips(regime, far))


# -- the brief's lines -------------------------------------------------------------------------


def test_brief_lines_are_short_and_complete(real):
    config, results, regime = real
    from generator.publish.report import state_of

    current = state_of(regime.as_of, regime, results)
    lines = brief.brief(regime, config.regime, results, None, None, current)
    assert 4 <= len(lines) <= brief.MAX_LINES
    assert lines[0] == "Regime: neutral (score −0.44), as of 21 Aug 2026."
    assert "there is no earlier report" in lines[1]
    assert lines[2].startswith("The regime turns tight if, others held, SOFR minus IORB")
    assert "rises above 0.2 bp (now −1.0 bp)" in lines[2]
    assert any(line.startswith("Near a threshold: SOFR minus IORB turns calm") for line in lines)
    assert lines[-1] == "Warning: BNB-USD has had nothing new since 20 Feb 2026 (BNB, BNB / BTC)."


def test_changes_have_a_direction():
    from generator.publish import changes

    def state(day: str, regime: str, level: str) -> changes.ReportState:
        return changes.ReportState(
            pd.Timestamp(day).date(), regime, 0.0, {"x": changes.IndicatorState(level, "1", None)}
        )

    before, after = state("2026-08-20", "neutral", "watch"), state("2026-08-21", "tight", "stress")
    comparison = changes.compare(before, after, {"x": "Thing"})
    assert brief.change_lines(comparison, before, after) == [
        "Regime since 20 Aug 2026: neutral → tight (worse).",
        "Thing since 20 Aug 2026: watch → stress (worse).",
    ]
    back = changes.compare(after, before, {"x": "Thing"})
    assert brief.change_lines(back, after, before)[1].endswith("stress → watch (better).")


# -- reports: new ones carry it, old ones keep their bytes ---------------------------------------


def test_new_report_has_the_brief_and_old_posts_are_not_rewritten(tmp_path: Path):
    root = copy_project(tmp_path / "p")
    posts = root / POSTS
    seed = posts / "2026-08-21.md"
    before = seed.read_bytes()
    assert BRIEF_MARK not in before.decode()
    assert report(root, "2026-08-21") == 0
    assert BRIEF_MARK not in seed.read_text()  # a post written before the brief gets none
    seed.unlink()
    assert report(root, "2026-08-21") == 0
    text = seed.read_text()
    assert BRIEF_MARK in text
    brief_block = text.split(BRIEF_MARK)[1].split("</div>")[0]
    items = [line for line in brief_block.splitlines() if line.startswith("- ")]
    assert 4 <= len(items) <= brief.MAX_LINES
    assert text.index(BRIEF_MARK) < text.index("## What the data says")
    assert items[-1] == "- Warning: BNB-USD has had nothing new since 20 Feb 2026 (BNB, BNB / BTC)."


def test_rules_comparing_two_quantities_give_a_reason_not_a_number(real):
    """``spread > iorb`` has no number to solve for: the flip is skipped, and says why."""
    from dataclasses import replace

    from generator.catalogue.models import StatusRule

    _, results, _ = real
    sofr = by_id(results, "sofr-iorb-spread")
    rules = [
        StatusRule(when="spread > iorb", level="stress", say="x"),
        StatusRule(when="spread <= iorb", level="calm", say="y"),
    ]
    changed = replace(sofr, config=sofr.config.model_copy(update={"status": rules}))
    changed.status = rules[1]
    flip = flips.status_flip(changed)
    assert flip is not None and flip.quantity is None and flip.to is None
    assert flip.reason == "its rules compare quantities with each other (spread against iorb)"
    assert brief.status_flip_lines([changed]) == []


def test_home_brief_survives_a_broken_newest_post(real, tmp_path: Path):
    from generator.build import home_brief

    config, results, regime = real
    (tmp_path / "2026-08-22.md").write_text("---\nreport: [1, 2]\n---\n")
    lines = home_brief(config, regime, results, tmp_path)
    assert "there is no earlier report" in lines[1]
