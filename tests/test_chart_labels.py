"""Chart dates, event labels and reference lines: readable without hovering, never "NaN".

The browser half (tests/test_browser.py) reads the drawn charts; these checks read the specs and
the built HTML, so they run in a second without Chromium.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import date
from pathlib import Path

import markdown
import pandas as pd
import pytest

from generator.catalogue.models import Event
from generator.publish import images
from generator.publish.annotations import (
    HALO,
    HALO_DARK,
    HALO_LIGHT,
    LABEL_DX,
    WIDTH_CLASSES,
    Reference,
    label_width,
    note,
    place_labels,
    short_label,
)
from generator.publish.render import code_text


def _compiled(path: Path) -> str:
    return json.dumps(images.vl_convert().vegalite_to_vega(json.loads(path.read_text())))


def test_no_spec_formats_a_date_with_the_utc_constructor(built_project: Path):
    """``formatType: "utc"`` compiles to Vega's ``utc(year, month, ...)``, which prints NaN."""
    specs = sorted((built_project / "site" / "charts").glob("*.vl.json"))
    assert len(specs) >= 14
    for path in specs:
        assert '"formatType"' not in path.read_text(), path.name
        compiled = _compiled(path)
        assert "utc(datum" not in compiled, path.name
    assert "utcFormat(" in _compiled(built_project / "site" / "charts" / "fed-assets.vl.json")


def test_event_and_reference_lines_are_labelled_on_the_chart(built_project: Path):
    # fed-bills draws complete Desk periods only (the first ends in January 2026), so the
    # December events fall outside it; the balance sheet's chart covers them.
    spec = (built_project / "site" / "charts" / "fed-assets.vl.json").read_text()
    for text in ('"QT ends"', '"Bill purchases"', '"FOMC"'):
        assert text in spec, text
    assert "the cited pace" in (built_project / "site" / "charts" / "fed-bills.vl.json").read_text()
    regime = (built_project / "site" / "charts" / "regime.vl.json").read_text()
    assert "easing above +0.5" in regime and "tight below \u22120.5" in regime


def test_every_chart_has_a_line_explaining_its_lines(built_project: Path):
    fed_assets = (built_project / "public" / "indicators" / "fed-assets" / "index.html").read_text()
    found = re.search(r'<span class="lw-chart-note">([^<]+)</span>', fed_assets)
    assert found, "no note under the fed-assets chart"
    line = found.group(1)
    assert "QT ends" in line and "Bill purchases" in line and "FOMC" in line
    fed_bills = (built_project / "public" / "indicators" / "fed-bills" / "index.html").read_text()
    found = re.search(r'<span class="lw-chart-note">([^<]+)</span>', fed_bills)
    assert found and "40 bn USD a month" in found.group(1), "no note under the fed-bills chart"
    home = (built_project / "public" / "index.html").read_text()
    assert re.search(r'lw-chart-note">[^<]*easing above \+0\.5[^<]*tight below', home)


def test_status_rules_are_escaped_once(built_project: Path):
    html = (built_project / "public" / "indicators" / "fed-bills" / "index.html").read_text()
    assert "<code>rmp_3p &gt;= 30</code>" in html
    for page in (built_project / "public" / "indicators").glob("*/index.html"):
        text = page.read_text()
        assert "&amp;gt;" not in text and "&amp;lt;" not in text, page.parent.name


def _events(*days: str) -> list[Event]:
    return [Event(date=date.fromisoformat(d), label="FOMC meeting", kind="fomc") for d in days]


@pytest.mark.parametrize("plot_px", [px for _, _, px in WIDTH_CLASSES])
def test_dense_event_labels_never_overlap_nor_leave_the_plot(plot_px: float):
    """Twelve FOMC meetings and a policy event in the last year of a ten-year chart, and seven
    meetings crowding its right edge: every label placed is inside [0, plot_px], none overlaps
    another of its row, and the policy event and the newest meeting get a label."""
    start, end = pd.Timestamp("2016-01-01"), pd.Timestamp("2026-01-01")
    fomc = _events(*(f"2025-{m:02d}-15" for m in range(1, 13)))
    policy = Event(date=date(2025, 6, 16), label="Something happens", short="Thing", kind="policy")
    shown = sorted([*fomc, policy], key=lambda e: e.date)
    placed = place_labels(shown, start, end, plot_px)
    assert placed[shown.index(policy)].row >= 0
    assert placed[-1].row >= 0 and placed[-1].flip  # the newest, at the right edge, turned left
    span = (end - start).days
    boxes = []
    for event, where in zip(shown, placed, strict=True):
        if where.row < 0:
            continue
        at = (pd.Timestamp(event.date) - start).days / span * plot_px
        width = label_width(short_label(event))
        low = at - LABEL_DX - width if where.flip else at + LABEL_DX
        assert 0 <= low and low + width <= plot_px, (event.date, where, low, width)
        boxes.append((where.row, low, low + width))
    for i, (row, low, high) in enumerate(boxes):
        for other_row, other_low, other_high in boxes[i + 1 :]:
            assert row != other_row or high <= other_low or other_high <= low


def test_note_names_each_policy_event_and_counts_fomc_meetings():
    events = [
        *_events("2025-10-29", "2026-01-28"),
        Event(date=date(2025, 12, 1), label="Quantitative tightening ends", short="QT ends"),
    ]
    text = note(sorted(events, key=lambda e: e.date), [Reference(40, "40 bn a month")])
    assert "QT ends (red, 1 Dec 2025): Quantitative tightening ends" in text
    assert "2 FOMC meetings, the last on 28 Jan 2026" in text
    assert text.endswith("Grey line: 40 bn a month.")


def test_chart_sentence_says_what_latest_value_date_and_direction(built_project: Path):
    html = (built_project / "public" / "indicators" / "sofr-iorb-spread" / "index.html").read_text()
    found = re.search(r'<span class="lw-chart-sentence">([^<]+)</span>', html)
    assert found
    assert found.group(1).startswith(
        "SOFR minus IORB, daily, last two years, Aug 2024 to Aug 2026 (full history from Aug 2023 "
        "in the interactive chart and the data): \u22122.0 bp on 20 Aug 2026, up from"
    ), found.group(1)
    assert found.group(1).endswith("; 20-day mean \u22121.0 bp.")


def test_code_text_is_inert_markdown_shown_verbatim():
    hostile = "mean_20d >= 35 and _x_ * [a](javascript:b) | `c` \\ {y}"
    html = markdown.markdown(f"| When |\n|---|\n| {code_text(hostile)} |", extensions=["tables"])
    cell = re.search(r"<td><code>(.*)</code></td>", html)
    assert cell, html
    assert html_lib.unescape(cell.group(1)) == hostile
    assert "<a " not in html and "<em>" not in html


def test_labels_carry_a_halo_in_the_colour_of_their_page(built_project: Path):
    """Each label is drawn twice, first outlined in the page's colour, so the lines crossing it
    stop at its letters: white in the spec and the light pictures, the slate colour in the dark
    ones. A halo in the wrong scheme would print a white smear on the dark page."""
    charts = built_project / "site" / "charts"
    spec = json.loads((charts / "fed-assets.vl.json").read_text())
    assert {"name": HALO, "value": HALO_LIGHT} in spec["params"]
    halos = [
        layer
        for layer in spec["layer"]
        if isinstance(layer.get("mark"), dict) and layer["mark"].get("stroke") == {"expr": HALO}
    ]
    assert halos and all(layer["mark"]["fill"] == {"expr": HALO} for layer in halos)
    for name in ("fed-assets", "regime"):
        light = (charts / f"{name}.svg").read_text()
        dark = (charts / f"{name}.dark.svg").read_text()
        assert f'stroke="{HALO_LIGHT}"' in light and HALO_DARK not in light, name
        assert f'stroke="{HALO_DARK}"' in dark and f'stroke="{HALO_LIGHT}"' not in dark, name
