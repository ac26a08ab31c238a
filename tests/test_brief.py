"""The brief above the narrative: its flip values recomputed by separate code from the snapshot.

The regime flip is solved again with plain pandas (weekly grid, trailing z-scores, the mean of
the four), and the status flips are worked by hand from the rules in ``indicators.yml``; a new
report carries the brief, and an old post re-run keeps its bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from scipy import optimize

from generator.catalogue.load import load_config, load_events
from generator.measure import flips, indicators
from generator.measure import regime as analysis
from generator.measure.indicators import IndicatorResult
from generator.publish import brief, format
from generator.publish.report import BRIEF_MARK, POSTS, report
from generator.snapshot.load import load_snapshot
from generator.snapshot.store import Store
from tests.conftest import FIXTURE, copy_project

# One worker runs this module (`--dist loadgroup`): its module-scoped fixture (the evaluated
# snapshot) is made once, not once in each worker that runs one of its tests.
pytestmark = pytest.mark.xdist_group("brief")


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


WEEKS = 156  # 3 years of weeks, as the regime's look-back


def _z_last(grid: pd.Series, inverted: bool) -> float:
    """The last week's clipped z-score against its trailing window, the last week included."""
    mean = grid.rolling(WEEKS, min_periods=WEEKS // 2).mean()
    std = grid.rolling(WEEKS, min_periods=WEEKS // 2).std()
    z = ((grid - mean) / std).clip(-3, 3) * (-1 if inverted else 1)
    return float(z.iloc[-1])


def _regime_by_hand(config, results):
    """Each input's weekly grid and latest z-score, and the score with input ``quantity``'s
    latest week replaced by ``value`` (its trailing window then includes that value)."""
    grids, zs, inverted = {}, {}, {}
    for item in config.regime.inputs:
        series = by_id(results, item.indicator).quantity(item.quantity)
        grids[item.quantity] = series.resample("W-FRI").last().ffill(limit=4)
        inverted[item.quantity] = item.invert
        zs[item.quantity] = _z_last(grids[item.quantity], item.invert)

    def score_with(quantity: str, value: float) -> float:
        grid = grids[quantity].copy()
        grid.iloc[-1] = value
        others = sum(z for key, z in zs.items() if key != quantity)
        return (others + _z_last(grid, inverted[quantity])) / len(zs)  # equal weights of 1

    return zs, score_with


def test_regime_flip_recomputed_independently_with_pandas(real):
    """The flip value solved again by bisection: the latest week replaced by a trial value,
    the trailing mean and deviation recomputed with it, until the score sits on −0.5."""
    config, results, regime = real
    zs, score_with = _regime_by_hand(config, results)
    score = sum(zs.values()) / len(zs)
    assert score == pytest.approx(regime.score)
    assert regime.label == "neutral" and -0.5 < score < 0.5
    # Neutral at -0.44: tight (-0.5) is nearer than easing (+0.5) for every input.
    found = {f.quantity: f for f in flips.regime_flips(regime, config.regime)}
    for item in config.regime.inputs:
        flip = found[item.quantity]
        assert flip.to == "tight"
        value = flip.value
        far = value + (1 if item.invert else -1) * 1e4  # far on the tight side
        exact = optimize.brentq(lambda x, q=item.quantity: score_with(q, x) + 0.5, value, far)
        assert flip.at == pytest.approx(exact, rel=1e-7), item.quantity
    # the audit's figures (issue 19): reserves −237.3, net liquidity −155.95
    assert found["change_13w"].at == pytest.approx(-237.3, abs=0.05)
    assert found["change_4w"].at == pytest.approx(-155.95, abs=0.01)


def _number(text: str) -> float:
    return float(text.replace("\u2212", "-").replace(",", "").rstrip("%"))


def test_stated_regime_flip_values_flip_the_label_when_crossed(real):
    """Each value the brief states, put back into the score (others held, its window
    recomputed): at it and just past it the label is tight. Rounded to nearest, reserves'
    −237.3 read −237 and net liquidity's −155.95 read −155 (issue 19), neither of which flips
    it; rounded away from the current side they read −238 and −156."""
    config, results, regime = real
    _, score_with = _regime_by_hand(config, results)
    line = brief.regime_flip_line(regime, config.regime, results)
    assert line is not None
    labels = {item.label: item.quantity for item in config.regime.inputs}
    parts = line.split("others held, ", 1)[1].split("; or ")
    stated = [re.match(r"(.+) (rises above|falls below) (\S+) ", p).groups() for p in parts]
    assert len(stated) == 4, line

    def label_with(quantity: str, value: float) -> str:
        return analysis.label_for(score_with(quantity, value), config.regime)

    found = {}
    for label, way, text in stated:
        quantity, value = labels[label], _number(text)
        found[quantity] = value
        past = value + (1e-6 if way == "rises above" else -1e-6)
        assert label_with(quantity, past) == "tight", (label, text)
        assert label_with(quantity, value) == "tight", (label, text)  # and the value itself
    assert found["change_13w"] == -238 and found["change_4w"] == -156
    # the values stated before this fix stay neutral: the test can fail
    assert label_with("change_13w", -237.0) == "neutral"
    assert label_with("change_4w", -155.0) == "neutral"


def test_stated_status_flip_values_flip_the_status_when_reached(real):
    """The near-threshold lines: the stated value (reached, or just passed when the rule is
    strict) put back into the indicator's own rules gives the stated new status."""
    _, results, _ = real
    lines = brief.status_flip_lines(results)
    pattern = r"Near a threshold: (.+) turns (\w+) if its .+ (rises|falls)( above| below| to) (\S+)"
    titles = {r.config.title: r for r in results}
    checked = 0
    for line in lines:
        match = re.match(pattern, line)
        if match is None:
            continue
        title, to, way, how, text = match.groups()
        result = titles[title]
        flip = flips.status_flip(result)
        assert flip is not None and flip.quantity is not None
        value = _number(text)
        strict = how != " to"
        probe = value + ((1e-6 if way == "rises" else -1e-6) if strict else 0.0)
        assert flips.status_of(result, {**result.latest_values(), flip.quantity: probe}) == to
        checked += 1
    assert checked == 3


def test_flip_values_round_away_from_the_current_side():
    assert format.away(-237.3, 0, rising=False) == -238
    assert format.away(-155.95, 0, rising=False) == -156
    assert format.away(0.17, 1, rising=True) == pytest.approx(0.2)
    assert format.away(0.2, 1, rising=True) == pytest.approx(0.2)  # on the grid: unchanged
    assert format.away(17.84, 1, rising=False) == pytest.approx(17.8)
    assert format.away(25.0, 0, rising=False) == 25


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
    assert "rises above 0.3 bp (now −1.0 bp)" in lines[2]  # 0.21 rounded up
    assert any(line.startswith("Near a threshold: SOFR minus IORB turns calm") for line in lines)
    assert "Warning: BNB-USD has had nothing new since 20 Feb 2026 (BNB, BNB / BTC)." in lines
    assert lines[-1].startswith("Warning: ECBASSETSW has had nothing new since 17 Jul 2026")


def test_changes_have_a_direction():
    from generator.publish import changes
    from generator.publish.format import Number

    def state(day: str, regime: str, level: str) -> changes.ReportState:
        return changes.ReportState(
            pd.Timestamp(day).date(),
            regime,
            0.0,
            {"x": changes.IndicatorState(level, Number(1.0), None)},
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
    assert "- Warning: BNB-USD has had nothing new since 20 Feb 2026 (BNB, BNB / BTC)." in items
    assert items[-1].startswith("- Warning: ECBASSETSW has had nothing new since 17 Jul 2026")


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
    (tmp_path / "2026-08-20.md").write_text("---\nreport: [1, 2]\n---\n")
    lines, _ = home_brief(config, regime, results, tmp_path)
    assert "there is no earlier report" in lines[1]


def _post(path: Path, levels: dict[str, str]) -> None:
    """A report post whose stored state gives these indicators these levels."""
    state = "".join(
        f"    {key}:\n      level: {level}\n      value: x\n" for key, level in levels.items()
    )
    path.write_text(f"---\nreport:\n  regime: neutral\n  score: 0\n  indicators:\n{state}---\n")


def test_home_brief_never_compares_with_the_report_of_its_own_data(real, tmp_path: Path):
    """The newest observation on the home page is 21 Aug 2026, so the post of that day shows
    the same data: the brief compares with the post before it, or says there is none."""
    from generator.build import home_brief

    config, results, regime = real
    assert max(r.as_of for r in results if r.as_of) == pd.Timestamp("2026-08-21").date()
    now = {r.id: r.status.level for r in results if r.status}
    assert now["reserves"] == "watch"
    _post(tmp_path / "2026-08-21.md", {**now, "reserves": "calm"})
    lines, _ = home_brief(config, regime, results, tmp_path)
    assert (
        lines[1] == "Changes: none to compare yet; the report of 21 Aug 2026 shows this same data."
    )
    assert not any("21 Aug 2026:" in line for line in lines[1:])
    _post(tmp_path / "2026-08-14.md", {**now, "reserves": "stress"})
    lines, _ = home_brief(config, regime, results, tmp_path)
    assert lines[1] == "Bank reserves since 14 Aug 2026: stress → watch (better)."
