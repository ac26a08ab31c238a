"""Charts as pictures first: a static SVG of every chart, light and dark, plus its sentence.

A reader sees the picture at once, with no JavaScript and without the 300 KB Vega bundle; the
interactive chart replaces it only when the reader reaches for it (site/assets/js/charts.js).
Feed readers, screen readers and readers without JavaScript get the picture and a sentence
saying what it shows, its latest value and date and its direction. Rendering costs about 0.3 s
of CPU a chart (four SVGs, and a PNG rasterized from one of them), so pictures are cached by
the hash of everything they are drawn from.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from generator.catalogue.models import ChartConfig
from generator.measure.indicators import IndicatorResult
from generator.publish.annotations import HALO, HALO_DARK, HALO_LIGHT, WINDOW
from generator.publish.charts import default_window
from generator.publish.format import format_date, format_number, quantity_text
from generator.publish.images import (
    compact_png,
    inline_data,
    vl_convert,
    without_control_characters,
)
from generator.publish.render import cache_bytes

WIDTH = 720
NARROW = 340
# Transparent, so the page's own background shows in both schemes; no per-mark ARIA text
# (an <img> exposes none of it, and on a daily chart it is most of the file).
CONFIG = {"background": "transparent", "aria": False}
_SIZE = re.compile(r'<svg[^>]*?width="([\d.]+)"[^>]*?height="([\d.]+)"')


# Variants: (file suffix, width, theme). Phones get a narrow drawing, so axis text stays
# near its real size instead of being scaled down to a few pixels.
# (file suffix, drawing width, vl-convert theme)
VARIANTS: tuple[tuple[str, int, Literal["dark"] | None], ...] = (
    ("", WIDTH, None),
    (".dark", WIDTH, "dark"),
    (".narrow", NARROW, None),
    (".narrow.dark", NARROW, "dark"),
)


@dataclass(frozen=True)
class Picture:
    svgs: dict[str, str]  # by file suffix: "", ".dark", ".narrow", ".narrow.dark"
    png: bytes  # the wide light picture as PNG: social cards and feed readers take no SVG
    windowed: bool = False  # shows the last two years; the live chart has the full history

    def size(self, suffix: str) -> tuple[int, int]:
        found = _SIZE.search(self.svgs[suffix])
        return (round(float(found[1])), round(float(found[2]))) if found else (WIDTH, 360)


def render(spec: dict[str, Any], tables: Mapping[str, str], cache_dir: Path | None) -> Picture:
    """The chart drawn light and dark, wide and narrow, with its data inline (cached)."""
    drawing = vl_convert()
    version = getattr(drawing, "__version__", "unknown")
    # Keyed by what the picture is drawn from (spec, data, renderer, this code's settings);
    # the inlined spec is only built when something changed.
    halos = [HALO_LIGHT, HALO_DARK]
    key = hashlib.sha256(
        json.dumps([version, CONFIG, VARIANTS, halos, spec, dict(tables)], sort_keys=True).encode()
    ).hexdigest()
    names = [f"{key}{suffix}.svg" for suffix, _, _ in VARIANTS] + [f"{key}.png"]
    windowed = any(isinstance(p, dict) and p.get("name") == WINDOW for p in spec.get("params", []))
    if cache_dir is not None and all((cache_dir / name).exists() for name in names):
        svgs = {suffix: (cache_dir / f"{key}{suffix}.svg").read_text() for suffix, _, _ in VARIANTS}
        return Picture(svgs, (cache_dir / f"{key}.png").read_bytes(), windowed)
    drawn = without_hover_targets(without_control_characters(inline_data(spec, tables)))
    assert isinstance(drawn, dict)  # a spec is a mapping, and the walks keep its shape
    svgs = {}
    for suffix, width, theme in VARIANTS:
        drawn["width"] = width
        _set_halo(drawn, HALO_DARK if theme == "dark" else HALO_LIGHT)
        svgs[suffix] = drawing.vegalite_to_svg(drawn, config=CONFIG, theme=theme)
    # The wide light drawing on an opaque background (social cards show transparency as
    # black), rasterized from the SVG already drawn rather than drawn again: the same bytes
    # as vl-convert's PNG of the spec with a white background, at a third of the CPU.
    png = compact_png(drawing.svg_to_png(on_white(svgs[""]), scale=1))
    if cache_dir is not None:
        for suffix, svg in svgs.items():
            cache_bytes(cache_dir / f"{key}{suffix}.svg", svg.encode())
        cache_bytes(cache_dir / f"{key}.png", png)
    return Picture(svgs, png, windowed)


def on_white(svg: str) -> str:
    """``svg`` (drawn on a transparent background) on white: the rectangle Vega's SVG renderer
    puts first inside the root element when the background is white, and nothing else (a test
    compares the result with vl-convert's drawing of the spec with ``background: white``)."""
    found = _SIZE.match(svg)
    end = svg.find(">", found.end()) + 1 if found else 0
    if not found or not end:
        raise ValueError("not an SVG drawing that starts with its width and height")
    return f'{svg[:end]}<rect width="{found[1]}" height="{found[2]}" fill="white"/>{svg[end:]}'


def _set_halo(spec: dict[str, Any], colour: str) -> None:
    """The labels' halo in the colour of the page the picture is shown on."""
    for param in spec.get("params", []):
        if isinstance(param, dict) and param.get("name") == HALO:
            param["value"] = colour


def without_hover_targets(spec: object) -> object:
    """A copy without the invisible point layers that only carry tooltips: a picture cannot
    be hovered, and on a long chart they are most of the SVG's bytes."""
    if isinstance(spec, dict):
        mark = spec.get("mark")
        if isinstance(mark, dict) and mark.get("opacity") == 0:
            return None
        copy = {key: without_hover_targets(value) for key, value in spec.items()}
        layers = copy.get("layer")
        if isinstance(layers, list):
            copy["layer"] = [layer for layer in layers if layer is not None]
        return copy
    if isinstance(spec, list):
        return [without_hover_targets(item) for item in spec]
    return spec


def _frequency(dates: pd.Series) -> str:
    if len(dates) < 3:
        return ""
    if dates.dt.tz is None:  # the median of ``diff().dt.days`` (whole days), in numpy
        stamps = dates.to_numpy().astype("datetime64[ns]").view("int64")
        gap = float(np.median(np.diff(stamps) // 86_400_000_000_000))
    else:
        gap = dates.diff().dt.days.median()
    if gap <= 1.5:
        return "daily"
    if gap <= 8:
        return "weekly"
    if gap <= 35:
        return "monthly"
    return ""


def _span(dates: pd.Series) -> str:
    return f"{dates.iloc[0]:%b %Y} to {dates.iloc[-1]:%b %Y}"


def _shown_span(dates: pd.Series, recent: pd.Timestamp | None) -> str:
    """The span the picture draws, in words. A chart that opens on the last two years says so
    and where its full history starts ('last two years, Aug 2024 to Aug 2026 (full history
    from Aug 2021 in the interactive chart and the data)'): naming the whole span under a
    picture of two years told the reader something the picture does not show."""
    if recent is None:
        return _span(dates)
    shown = dates[dates >= recent]
    return (
        f"last two years, {_span(shown)} (full history from {dates.iloc[0]:%b %Y} in the "
        "interactive chart and the data)"
    )


def _direction(now: float, before: float) -> str:
    if now > before:
        return "up"
    if now < before:
        return "down"
    return "unchanged"


def _head(title: str, frame: pd.DataFrame, recent: pd.Timestamp | None) -> str:
    """'SOFR minus IORB, daily, last two years, Aug 2024 to Aug 2026 (full history ...)'."""
    dates = frame["date"]
    if "period_start" not in frame:
        shown = _shown_span(dates, recent)
        return ", ".join(part for part in (title, _frequency(dates), shown) if part)
    # each row sums a period: say so, and from its first day (the window keeps rows by date)
    starts = frame["period_start"]
    first = starts[dates >= recent] if recent is not None else starts
    head = (
        f"{title}, per period, {format_date(first.iloc[0].date())} to "
        f"{format_date(dates.iloc[-1].date())}"
    )
    if recent is None:
        return head
    return f"{head} (the last two years; full history from {format_date(starts.iloc[0].date())})"


def chart_sentence(result: IndicatorResult, chart: ChartConfig, frame: pd.DataFrame) -> str:
    """E.g. 'SOFR minus IORB, daily, last two years, Aug 2024 to Aug 2026 (full history from
    Aug 2023 in the interactive chart and the data): −2.0 bp on 20 Aug 2026, up from −5.0 bp a
    year earlier; 20-day mean −1.0 bp.' It describes the picture: a chart that opens on the
    last two years is described, and compared, within them."""
    title = result.config.title
    if frame.empty:
        return f"{title}: no data to draw."
    recent = default_window(frame)
    head = _head(title, frame, recent)
    first, *others = chart.plot
    series = frame[["date", first]].dropna()
    if recent is not None:  # compare within what the picture shows
        series = series[series["date"] >= recent]
    if series.empty:
        return f"{head}: no recent value."
    last_date, last = series["date"].iloc[-1], float(series[first].iloc[-1])
    label = result.config.quantities[first].label
    text = f"{head}: {label} " if others and label != title else f"{head}: "
    text += f"{quantity_text(result.config, first, last)} on {format_date(last_date.date())}"
    earlier = series[series["date"] <= last_date - pd.DateOffset(years=1)]
    period = "a year earlier"
    if earlier.empty:
        earlier, period = series.iloc[:1], f"on {format_date(series['date'].iloc[0].date())}"
    if len(series) > 1:
        before = float(earlier[first].iloc[-1])
        direction = _direction(last, before)
        if direction == "unchanged":
            text += f", unchanged from {period}"
        else:
            text += f", {direction} from {quantity_text(result.config, first, before)} {period}"
    parts = []
    for name in others:
        values = frame[name].dropna()
        if not values.empty:
            label = result.config.quantities[name].label
            parts.append(f"{label} {quantity_text(result.config, name, float(values.iloc[-1]))}")
    return text + ("; " + "; ".join(parts) if parts else "") + "."


def regime_sentence(frame: pd.DataFrame) -> str:
    """The home page's regime chart in one sentence."""
    if frame.empty:
        return "Liquidity regime score: no data to draw."
    dates, scores = frame["date"], frame["score"]
    last = float(scores.iloc[-1])
    text = (
        f"Liquidity regime score, weekly, {_shown_span(dates, default_window(frame))}: "
        f"{format_number(last, 2, True)} on {format_date(dates.iloc[-1].date())}"
    )
    earlier = frame[dates <= dates.iloc[-1] - pd.DateOffset(years=1)]
    if not earlier.empty:
        before = float(earlier["score"].iloc[-1])
        text += f", {_direction(last, before)} from {format_number(before, 2, True)} a year earlier"
    return text + "."


def ladder_sentence(assets: Mapping[str, str], frame: pd.DataFrame) -> str:
    """The lead/lag chart in one sentence: the strongest correlation per asset."""
    parts = []
    for column, label in assets.items():
        values = frame[column].dropna() if column in frame else pd.Series(dtype=float)
        if values.empty:
            continue
        best = values.abs().idxmax()
        lag = int(frame["lag"].loc[best])
        # Lag 0 is the same week as the change: moving together, not a response (issue 19).
        when = "in the same week" if lag == 0 else f"at {lag} weeks"
        parts.append(f"{label} {format_number(float(values.loc[best]), 2, True)} {when}")
    if not parts:
        return "Correlation of net-liquidity change with later returns: no data to draw."
    return (
        "Correlation of weekly net-liquidity change with returns 0 to 12 weeks later, strongest "
        "per asset: " + "; ".join(parts) + "."
    )
