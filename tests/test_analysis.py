"""Regime score on the real snapshot, against independent arithmetic (claims: test_claims.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.measure import regime as analysis
from tests import frozen
from tests.conftest import assert_golden


def _z_by_hand(series: pd.Series, week: pd.Timestamp, weeks: int = 156) -> float:
    """Last value per Friday week, carried forward at most 4 weeks; z over the last 156 weeks."""
    grid = series.resample("W-FRI").last().ffill(limit=4)
    window = grid[grid.index <= week].iloc[-weeks:].to_numpy()
    window = window[~np.isnan(window)]
    return float(np.clip((window[-1] - window.mean()) / window.std(ddof=1), -3, 3))


def test_regime_score_on_21_august_2026_by_hand():
    regime = analysis.compute_regime(frozen.config(), frozen.results())
    week = pd.Timestamp("2026-08-21")
    assert regime.as_of == date(2026, 8, 21)
    series = frozen.snapshot().series
    walcl = series["WALCL"]
    sofr = series["SOFR"]
    iorb = series["IORB"]
    spread = (sofr - iorb.reindex(sofr.index)) * 100
    inputs = [
        -_z_by_hand(spread.rolling(20).mean().dropna(), week),
        _z_by_hand((series["WRESBAL"] / 1000).diff(13).dropna(), week),
        _z_by_hand(
            (
                (
                    walcl
                    - series["WTREGEN"]
                    - 1000 * series["RRPONTSYD"].reindex(walcl.index, method="ffill")
                )
                / 1000
            )
            .diff(4)
            .dropna(),
            week,
        ),
        _z_by_hand((series["TREAST"] / 1000).diff(4).dropna(), week),
    ]
    assert regime.score == pytest.approx(sum(inputs) / 4, abs=1e-9)
    assert regime.label == "neutral"  # -0.5 <= score <= 0.5
    assert [round(c.zscore, 6) for c in regime.components] == [round(z, 6) for z in inputs]


def test_regime_labels_follow_the_thresholds():
    assert analysis.label_for(0.51, frozen.config().regime) == "easing"
    assert analysis.label_for(0.5, frozen.config().regime) == "neutral"
    assert analysis.label_for(-0.51, frozen.config().regime) == "tight"


@pytest.mark.golden
def test_scorecard_markdown_matches_golden(built_project: Path):
    assert_golden("scorecard.md", (built_project / "site" / "scorecard.md").read_text())


def test_headline_states_the_value_and_the_mean_it_is_compared_with():
    from generator.publish import pages

    regime = analysis.compute_regime(frozen.config(), frozen.results())
    text = pages.headline(regime, frozen.results())["text"]
    spread = next(r for r in frozen.results() if r.id == "sofr-iorb-spread").quantity("mean_20d")
    grid = spread.resample("W-FRI").last().ffill(limit=4)
    mean = grid.iloc[-156:].mean()
    assert round(mean, 1) == -4.6
    assert (
        "SOFR minus IORB, 20-day mean: \u22121.0 bp, above its 3-year mean of \u22124.6 bp" in text
    )


def test_regime_counts_its_inputs_and_states_the_minimum_window():
    from generator.publish import pages

    regime = analysis.compute_regime(frozen.config(), frozen.results())
    counts = regime.inputs
    assert counts.iloc[-1] == 4
    assert counts[counts < 4].index[-1] < pd.Timestamp("2023-02-17")
    assert counts[counts == 4].index[0] == pd.Timestamp("2023-02-17")
    assert regime.min_weeks == 78
    text = pages.inputs_text(regime)
    assert "4 inputs from 17 Feb 2023" in text and "78 weeks" in text
