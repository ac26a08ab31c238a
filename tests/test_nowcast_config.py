"""``nowcast:`` in indicators.yml: the series each part of the estimate reads and the charts it
continues come from the YAML, not the code. A fork that renames a series is refused by
``check`` with the line (the golden cases in ``test_check.py``); one that points a part at
another series gets that series; ``nowcast: null`` turns the estimate off."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from generator.catalogue.load import load_config
from generator.catalogue.messages import ConfigError
from generator.catalogue.models import Config
from generator.catalogue.nowcast import NowcastChart, NowcastConfig, NowcastSeries
from generator.measure import indicators, nowcast
from generator.publish import nowcast as nowcast_text
from tests import frozen
from tests.conftest import FIXTURE, ROOT


def with_nowcast(section: NowcastConfig | None) -> Config:
    return frozen.config().model_copy(update={"nowcast": section})


def test_the_shipped_section_names_what_the_defaults_name():
    """indicators.yml spells out every id; they are also the defaults of a file without it."""
    assert frozen.config().nowcast == NowcastConfig()
    assert frozen.config().nowcast.series.parts()["reserves"] == "WRESBAL"
    assert [c.indicator for c in frozen.config().nowcast.charts] == [
        "reserves",
        "net-liquidity",
    ]


def test_each_part_reads_the_series_the_yaml_names():
    inputs = nowcast.gather(frozen.config(), frozen.snapshot(), frozen.store())
    assert set(inputs.series) == set(nowcast.PARTS)
    pd.testing.assert_series_equal(inputs.series["reserves"], frozen.snapshot().series["WRESBAL"])
    # A fork whose week-average reserves are another series: the estimate starts from it.
    other = NowcastConfig(series=NowcastSeries(reserves="WRBWFRBL"))
    moved = nowcast.gather(with_nowcast(other), frozen.snapshot(), frozen.store())
    pd.testing.assert_series_equal(moved.series["reserves"], frozen.snapshot().series["WRBWFRBL"])
    day = pd.Timestamp("2026-08-22").date()
    before, after = nowcast.nowcast(inputs, day), nowcast.nowcast(moved, day)
    assert before is not None and after is not None
    wednesday = before.base["reserves_wednesday"]
    assert after.base["reserves"] == wednesday != before.base["reserves"]


def test_the_charts_listed_are_the_ones_continued(tmp_path: Path):
    results = {r.id: r for r in indicators.evaluate(frozen.config(), frozen.snapshot().series)}
    only_net = NowcastConfig(
        charts=[NowcastChart(indicator="net-liquidity", quantity="net", target="net_liquidity")]
    )
    view = nowcast_text.compute(
        with_nowcast(only_net), frozen.snapshot(), frozen.store(), None, tmp_path
    )
    assert view.estimate is not None
    assert nowcast_text.card(results["reserves"], view) is None
    assert nowcast_text.card(results["net-liquidity"], view) is not None
    full = nowcast_text.compute(frozen.config(), frozen.snapshot(), frozen.store(), None, tmp_path)
    assert nowcast_text.card(results["reserves"], full) is not None


def test_null_turns_the_estimate_off(tmp_path: Path):
    off = with_nowcast(None)
    assert nowcast.gather(off, frozen.snapshot(), frozen.store()).series == {}
    view = nowcast_text.compute(off, frozen.snapshot(), frozen.store(), None, tmp_path)
    assert view.estimate is None and view.scores == []
    results = {r.id: r for r in indicators.evaluate(frozen.config(), frozen.snapshot().series)}
    assert nowcast_text.card(results["reserves"], view) is None
    assert "No backtest" in nowcast_text.methodology_table(view)
    # Found: the second build of a site with `nowcast: null` crashed reading back the empty
    # backtest the first build cached.
    again = nowcast_text.compute(off, frozen.snapshot(), frozen.store(), None, tmp_path)
    assert again.estimate is None and again.scores == [] and again.errors.empty


def test_the_methodology_table_names_the_series_of_the_config(tmp_path: Path):
    renamed = NowcastConfig(series=NowcastSeries(tga_week="WDTGAL"))
    view = nowcast_text.compute(
        with_nowcast(renamed), frozen.snapshot(), frozen.store(), None, tmp_path
    )
    table = nowcast_text.methodology_table(view)
    assert "Net liquidity (WALCL - WDTGAL - ON RRP)" in table
    assert "Reserves (week average, WRESBAL)" in table


def test_check_refuses_an_undeclared_series_an_unknown_indicator_and_a_repeat(tmp_path: Path):
    text = (FIXTURE / "indicators.yml").read_text()
    text = text.replace("    tga_daily: TGA_DTS ", "    tga_daily: TGA_DST ")
    text = text.replace(
        "    - {indicator: net-liquidity, quantity: net, target: net_liquidity}",
        "    - {indicator: net-liquidity, quantity: net, target: net_liquidity}\n"
        "    - {indicator: net-liquidity, quantity: net, target: net_liquidity}\n"
        "    - {indicator: reserve, quantity: reserves, target: reserves}\n"
        "    - {indicator: reserves, quantity: reserve, target: reserves}",
    )
    path = tmp_path / "indicators.yml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_config(path, frozen.events())
    problems = [p.split("indicators.yml:", 1)[-1] for p in raised.value.problems]
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "tga_daily: TGA_DST" in t)
    assert (
        f"{line}: nowcast, field 'series.tga_daily': unknown series 'TGA_DST': "
        "did you mean 'TGA_DTS'? (name a series declared in series:)"
    ) in problems
    said = "\n".join(problems)
    assert "nowcast, field 'charts[2].indicator': 'net-liquidity' is listed twice" in said
    assert "nowcast, field 'charts[3].indicator': unknown indicator 'reserve'" in said
    assert "nowcast, field 'charts[4].quantity': unknown quantity 'reserve'" in said


def test_the_nowcast_module_names_no_series_id():
    """The ids live in indicators.yml: measure/nowcast.py and publish/nowcast.py hold none
    (a string literal that is a declared series id would be one)."""
    ids = set(frozen.config().series)
    for module in ("measure", "publish"):
        path = ROOT / "generator" / module / "nowcast.py"
        tree = ast.parse(path.read_text())
        body = [n for n in tree.body if not isinstance(n, ast.Expr)]  # the docstring explains
        for node in body:
            for child in ast.walk(node):
                if isinstance(child, ast.Constant) and isinstance(child.value, str):
                    assert child.value not in ids, f"{module}/nowcast.py: {child.value!r}"
