"""Regime score and scorecard verdicts on the real snapshot, against independent arithmetic."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.catalogue.load import load_config, load_events
from generator.measure import indicators, ladder
from generator.measure import regime as analysis
from generator.publish import scorecard
from generator.snapshot.load import load_snapshot
from generator.snapshot.store import Store
from tests.conftest import ROOT, assert_golden

CONFIG = load_config(ROOT / "indicators.yml")
EVENTS = load_events(ROOT / "events.yml")
SNAPSHOT = load_snapshot(CONFIG, Store(ROOT / "data"))
RESULTS = indicators.evaluate(CONFIG, SNAPSHOT.series)
BY_ID = {r.id: r for r in RESULTS}


def _z_by_hand(series: pd.Series, week: pd.Timestamp, weeks: int = 156) -> float:
    """Last value per Friday week, carried forward at most 4 weeks; z over the last 156 weeks."""
    grid = series.resample("W-FRI").last().ffill(limit=4)
    window = grid[grid.index <= week].iloc[-weeks:].to_numpy()
    window = window[~np.isnan(window)]
    return float(np.clip((window[-1] - window.mean()) / window.std(ddof=1), -3, 3))


def test_regime_score_on_21_august_2026_by_hand():
    regime = analysis.compute_regime(CONFIG, RESULTS)
    week = pd.Timestamp("2026-08-21")
    assert regime.as_of == date(2026, 8, 21)
    walcl = SNAPSHOT.series["WALCL"]
    sofr = SNAPSHOT.series["SOFR"]
    iorb = SNAPSHOT.series["IORB"]
    spread = (sofr - iorb.reindex(sofr.index)) * 100
    inputs = [
        -_z_by_hand(spread.rolling(20).mean().dropna(), week),
        _z_by_hand((SNAPSHOT.series["WRESBAL"] / 1000).diff(13).dropna(), week),
        _z_by_hand(
            (
                (
                    walcl
                    - SNAPSHOT.series["WTREGEN"]
                    - 1000 * SNAPSHOT.series["RRPONTSYD"].reindex(walcl.index, method="ffill")
                )
                / 1000
            )
            .diff(4)
            .dropna(),
            week,
        ),
        _z_by_hand((SNAPSHOT.series["TREAST"] / 1000).diff(4).dropna(), week),
    ]
    assert regime.score == pytest.approx(sum(inputs) / 4, abs=1e-9)
    assert regime.label == "neutral"  # -0.5 <= score <= 0.5
    assert [round(c.zscore, 6) for c in regime.components] == [round(z, 6) for z in inputs]


def test_regime_labels_follow_the_thresholds():
    assert analysis.label_for(0.51, CONFIG.regime) == "easing"
    assert analysis.label_for(0.5, CONFIG.regime) == "neutral"
    assert analysis.label_for(-0.51, CONFIG.regime) == "tight"


def test_verdicts_on_the_snapshot():
    claims = {
        c.claim: c
        for c in scorecard.scorecard(
            RESULTS, ladder.from_config(CONFIG, EVENTS, RESULTS, SNAPSHOT.series)
        )
    }
    pace = claims["The Fed buys about 40 bn USD of Treasury bills a month."]
    # monthly sums Dec 2025 .. Jul 2026 from the NY Fed operations: mean 40.5 -> within 30..50
    assert pace.verdict == "supported" and "40.5 bn USD a month" in pace.evidence
    reserves = claims["Bank reserves are dwindling."]
    # WRESBAL 2,935,287 on 2026-08-19 vs 3,129,562 on 2026-05-20
    assert reserves.verdict == "supported" and "−194 bn USD" in reserves.evidence
    sofr = claims["SOFR trades above IORB."]
    assert sofr.verdict == "not supported" and "−1.0 bp" in sofr.evidence
    adp = claims["ADP showed negative months in 2025."]
    assert (
        adp.verdict == "supported"
        and "4 negative months in 2025 (Mar, Apr, May, Jun)" in adp.evidence
    )
    low = claims["The Russell 2000 / S&P 500 ratio is at a historic low."]
    assert low.verdict == "not supported" and "percentile 13" in low.evidence


def test_missing_data_makes_a_claim_untestable():
    without = [r for r in RESULTS if r.id != "adp-payrolls"]
    claims = {c.claim: c for c in scorecard.scorecard(without, None)}
    assert claims["ADP showed negative months in 2025."].verdict == "not yet testable"
    assert claims["The lag is several weeks to a month."].verdict == "not yet testable"


@pytest.mark.golden
def test_scorecard_markdown_matches_golden(built_project: Path):
    assert_golden("scorecard.md", (built_project / "site" / "scorecard.md").read_text())
