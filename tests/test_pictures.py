"""The sentence under a chart says what its picture shows.

Charts open on the last two years, the full history a click away; the sentence under each
(also the picture's text alternative and the embed page's caption) used to name the whole span
("Aug 2016 to Aug 2026") under a picture of two years. Here the window is found by separate
code (calendar arithmetic on the frozen chart frames), checked against the filter the chart
spec applies, and the sentence must name that window and where the full history starts, or
the whole span when the chart shows it all.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from generator.measure import indicators
from generator.publish import charts, pictures
from tests import frozen

EVENTS = frozen.events()
CONFIG = frozen.config()
SNAPSHOT = frozen.snapshot()
# at collection (the parameters below), shared with every module that reads tests/frozen.py
RESULTS = [r for r in frozen.results() if r.has_data]
FILTER = re.compile(r"lw_all \|\| time\(datum\.date\) >= (\d+)")


def two_years_before(day: date) -> date:
    """The same calendar day two years earlier (29 Feb -> 28 Feb)."""
    try:
        return day.replace(year=day.year - 2)
    except ValueError:
        return day.replace(year=day.year - 2, day=28)


def by_hand_window(first: date, last: date) -> date | None:
    """The first day shown by default: two years before the last, unless the chart is at most
    45 days longer than that (then it shows everything)."""
    start = two_years_before(last)
    return start if (start - first).days > 45 else None


def spec_window(spec: dict[str, object]) -> date | None:
    found = FILTER.findall(json.dumps(spec))
    if not found:
        return None
    assert len(set(found)) == 1  # every layer cuts at the same day
    return datetime.fromtimestamp(int(found[0]) / 1000, tz=UTC).date()


def month(day: date | pd.Timestamp) -> str:
    return f"{day:%b %Y}"


@pytest.mark.parametrize("result", RESULTS, ids=lambda r: r.id)
def test_the_sentence_names_the_window_the_chart_shows(result: indicators.IndicatorResult):
    chart = result.config.chart
    frame = charts.chart_frame(result, chart)
    dates = [d.date() for d in frame["date"]]
    firsts = [d.date() for d in frame["period_start"]] if "period_start" in frame else dates
    window = by_hand_window(min(firsts), max(dates))
    spec = charts.chart_spec(result, chart, frame, f"../data/{result.id}.csv", EVENTS)
    assert spec_window(spec) == window, result.id
    sentence = pictures.chart_sentence(result, chart, frame)
    if window is None:
        assert "last two years" not in sentence and "full history" not in sentence
        if "period_start" not in frame:
            assert f", {month(min(dates))} to {month(max(dates))}: " in sentence
        return
    shown = [d for d in dates if d >= window]
    if "period_start" in frame:
        assert "(the last two years; full history from" in sentence
        return
    assert (
        f"last two years, {month(min(shown))} to {month(max(dates))} (full history from "
        f"{month(min(dates))} in the interactive chart and the data): "
    ) in sentence, sentence
    assert f"{month(min(dates))} to" not in sentence.replace(f"{month(min(shown))} to", "")


def test_windowed_and_whole_charts_are_both_in_the_frozen_catalogue():
    kinds = set()
    for result in RESULTS:
        frame = charts.chart_frame(result, result.config.chart)
        kinds.add(charts.default_window(frame) is not None)
    assert kinds == {True, False}


def test_the_comparison_a_year_earlier_is_read_inside_the_window():
    result = next(r for r in RESULTS if r.id == "reserves")
    frame = charts.chart_frame(result, result.config.chart)
    rows = [(d.date(), v) for d, v in zip(frame["date"], frame["reserves"], strict=True)]
    last_day, last = rows[-1]
    year_before = last_day.replace(year=last_day.year - 1)
    before = [v for d, v in rows if d <= year_before][-1]
    sentence = pictures.chart_sentence(result, result.config.chart, frame)
    assert f"{last:,.0f} bn USD on" in sentence
    assert f"from {before:,.0f} bn USD a year earlier" in sentence


def regime_frame(years: int) -> pd.DataFrame:
    days = pd.date_range(end="2026-08-21", periods=years * 52, freq="W-FRI")
    return pd.DataFrame({"date": days, "score": [0.01 * i for i in range(len(days))]})


@pytest.mark.parametrize("years", [10, 2, 1])
def test_the_regime_sentence_names_its_window(years: int):
    frame = regime_frame(years)
    first, last = frame["date"].iloc[0].date(), frame["date"].iloc[-1].date()
    window = by_hand_window(first, last)
    spec = charts.regime_spec(frame, "../data/regime.csv", EVENTS, 0.5, -0.5)
    assert spec_window(spec) == window
    sentence = pictures.regime_sentence(frame)
    if window is None:
        assert sentence.startswith(f"Liquidity regime score, weekly, {month(first)} to ")
        assert "last two years" not in sentence
    else:
        shown = min(d.date() for d in frame["date"] if d.date() >= window)
        assert sentence.startswith(
            f"Liquidity regime score, weekly, last two years, {month(shown)} to {month(last)} "
            f"(full history from {month(first)} in the interactive chart and the data): "
        ), sentence


def test_the_attribution_sentence_names_its_two_years_and_the_quarterly_history():
    from generator.measure import attribution
    from generator.publish import attribution as attribution_text

    frame = attribution.attribution(SNAPSHOT.series, CONFIG.attribution.series)
    since = attribution_text.chart_since(frame)
    spec = attribution_text.attribution_spec("../data/liquidity-attribution.csv", since)
    cut = spec_window(spec)
    weeks = [d.date() for d in frame.index]
    assert cut is not None and cut == date.fromisoformat(since)
    shown = [d for d in weeks if d >= cut]
    assert 100 <= len(shown) <= 106  # two years of weeks
    sentence = attribution_text.chart_sentence(frame, since)
    assert sentence.startswith(
        f"Weekly change in reserves by source, bn USD, last two years, {month(shown[0])} to "
        f"{month(shown[-1])} (full history by quarter from {month(weeks[0])} in the "
        "interactive chart and the data): "
    ), sentence
    whole = attribution_text.chart_sentence(frame[frame.index >= pd.Timestamp(since)], since)
    assert "last two years" not in whole and "full history" not in whole


def test_the_frequency_word_is_the_median_whole_days_between_dates():
    """``_frequency`` against pandas' ``diff().dt.days.median()`` (its former code), on dates
    with times of day, gaps and each frequency's edges."""
    from generator.publish.pictures import _frequency

    def expected(dates: pd.Series) -> str:
        if len(dates) < 3:
            return ""
        gap = dates.diff().dt.days.median()
        return "daily" if gap <= 1.5 else "weekly" if gap <= 8 else "monthly" if gap <= 35 else ""

    cases = [
        pd.date_range("2024-01-01", periods=40, freq="B"),
        pd.date_range("2024-01-03", periods=40, freq="W-WED"),
        pd.date_range("2024-01-01", periods=40, freq="MS"),
        pd.date_range("2024-01-01", periods=8, freq="QS"),
        pd.date_range("2024-01-01 09:30", periods=9, freq="36h"),
        pd.date_range("2024-01-01", periods=2, freq="D"),
        pd.DatetimeIndex(["2024-01-01", "2024-01-02 23:00", "2024-01-11", "2024-02-20"]),
    ]
    for dates in cases:
        series = pd.Series(dates)
        assert _frequency(series) == expected(series), dates
        as_us = pd.Series(dates.as_unit("us"))  # another resolution, the same words
        assert _frequency(as_us) == expected(series)


@pytest.mark.parametrize("chart", ["reserves", "fed-bills", "regime", "ladder"])
def test_the_social_card_png_is_vl_converts_own_drawing_on_white(built_project, chart: str):
    """The published PNG is rasterized from the light SVG already drawn (``on_white`` adds the
    background): byte for byte what vl-convert draws from the spec with a white background,
    for a line chart with labels, stacked bars and the two analysis charts."""
    from generator.publish import images

    vl_convert = images.vl_convert()
    spec = json.loads((built_project / "site" / "charts" / f"{chart}.vl.json").read_text())
    urls = set(images._urls(spec))  # the spec's data files, as render_png finds them
    assert urls, chart
    tables = {url: (built_project / "site" / url[3:]).read_text() for url in urls}
    drawn = pictures.without_hover_targets(images.inline_data(spec, tables))
    assert isinstance(drawn, dict)
    drawn["width"] = pictures.WIDTH  # the wide light drawing
    pictures._set_halo(drawn, pictures.HALO_LIGHT)
    clear = vl_convert.vegalite_to_svg(drawn, config=pictures.CONFIG)
    white = {**pictures.CONFIG, "background": "white"}
    assert pictures.on_white(clear) == vl_convert.vegalite_to_svg(drawn, config=white)
    png = images.compact_png(vl_convert.vegalite_to_png(drawn, config=white, scale=1))
    assert (built_project / "site" / "charts" / f"{chart}.png").read_bytes() == png


@pytest.mark.parametrize(
    "text", ["", "<svg>", '<svg width="1">', "<g/>", 'x<svg width="1" height="2">']
)
def test_on_white_refuses_what_is_not_a_drawing(text: str):
    with pytest.raises(ValueError, match="not an SVG drawing"):
        pictures.on_white(text)


# A label in a font the machine has and vl-convert does not carry (Debian's DejaVu Sans), and
# in a font nobody has: both drawn as a PNG, by SHA-256.
LABEL_IN = """
import hashlib
def label(family):
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="40"><text x="4" '
            f'y="28" font-size="20" font-family="{family}">Reserves 2,871 bn</text></svg>')
def drawn(vl):
    return [hashlib.sha256(vl.svg_to_png(label(f))).hexdigest()
            for f in ("DejaVu Sans", "No Such Font")]
"""


def test_pictures_use_vl_converts_own_font_and_none_of_the_machines():
    """To the pictures the machine's DejaVu Sans is a font nobody has: the label comes out
    as the unknown font's (a stand-in vl-convert picks). Drawn by vl-convert with the
    machine's fonts, as a process that imports it directly does, the two differ, which is what
    this test would see if a picture were drawn so."""
    from generator.publish import images

    namespace: dict = {}
    exec(LABEL_IN, namespace)
    dejavu, unknown = namespace["drawn"](images.vl_convert())
    assert dejavu == unknown
    machine = subprocess.run(
        [sys.executable, "-c", f"{LABEL_IN}\nimport vl_convert\nprint(*drawn(vl_convert))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if machine[0] == machine[1]:
        pytest.skip("this machine has no DejaVu Sans to tell the fonts apart (Debian has)")
    assert machine[1] == unknown  # the same stand-in either way: only the known font differs


@pytest.mark.parametrize("before", [None, "/etc/fonts/fonts.conf"])
def test_the_font_setting_is_given_back_at_once(monkeypatch, before: str | None):
    """``FONTCONFIG_FILE`` points at a configuration naming no fonts only while vl-convert
    makes its font database: a browser a test starts later reads the machine's fonts."""
    from generator.publish import images

    if before is None:
        monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    else:
        monkeypatch.setenv("FONTCONFIG_FILE", before)
    seen: list[str | None] = []
    real = images.vl_convert()

    class Watching:
        def svg_to_png(self, svg: str) -> bytes:
            seen.append(os.environ.get("FONTCONFIG_FILE"))
            assert "<dir" in Path(seen[-1] or "").read_text()
            return real.svg_to_png(svg)

    monkeypatch.setitem(sys.modules, "vl_convert", Watching())
    images.vl_convert.cache_clear()
    try:
        assert isinstance(images.vl_convert(), Watching)
    finally:
        images.vl_convert.cache_clear()
    assert seen and seen[0] != before
    assert os.environ.get("FONTCONFIG_FILE") == before
