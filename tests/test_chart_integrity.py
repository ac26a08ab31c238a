"""Charts that never lie by drawing, read in Debian's Chromium: each figure shows exactly one
chart in every state (picture, live, full history, toggled palette), every legend entry has a
visible mark at least 1 px wide, no label box overlaps another or leaves the plot, nothing
below a chart moves when the live chart replaces its picture, and a tap near a point finds it.

Phone (390 px) and desktop (1280 px), with the system's light or dark scheme and with the
toggle. The checks read the drawn SVG (tests/chart_checks.py), of the live charts and of every
picture file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import chart_checks
from tests.pages import (
    DRAWN_IN_EVERY_STATE,
    indicator_page_drawn,
    labels_without_nan,
)

# The home page, the ladder and four indicator pages: reserves (its chart and the
# attribution's stacked bars), Fed assets (the event labels at a crowded right edge), the Fed's
# bill purchases and the SOFR - IORB spread. test_browser draws the other indicator pages once.
PAGES = ["", "ladder/", *(f"indicators/{indicator}/" for indicator in DRAWN_IN_EVERY_STATE)]
CAPTION_TOPS = "ns => ns.map(n => n.getBoundingClientRect().top + window.scrollY)"
TOGGLE = "label.md-header__button[for^='__palette']:visible"
PALETTE = {"light": "default", "dark": "slate"}  # Material's scheme for the system's


def _live(tab) -> None:
    """Reach for every chart as a reader does and wait until each is drawn."""
    figures = tab.locator("figure.lw-chart")
    for i in range(figures.count()):
        figures.nth(i).hover()
    tab.wait_for_function(
        "n => document.querySelectorAll('div.vega-chart[data-rendered]').length >= n",
        arg=figures.count(),
        timeout=30000,
    )


def _one_chart_each(tab, state: str, path: str, expected: str | None = None) -> None:
    """One chart shown in each figure; with ``expected``, that one ("live dark", say)."""
    shown = tab.evaluate(chart_checks.SHOWN_PER_FIGURE)
    assert shown and all(len(charts) == 1 for charts in shown), f"/{path} {state}: {shown}"
    if expected is not None:
        assert all(charts == [expected] for charts in shown), f"/{path} {state}: {shown}"


def _drawn_problems(tab, path: str, state: str) -> list[str]:
    found = []
    for read in tab.evaluate(chart_checks.READ_LIVE):  # every drawn chart, one round trip
        for problem in chart_checks.problems(read):
            found.append(f"/{path} {state}: {problem}")
    return found


# Every figure with a window button shows its live chart redrawn over the full history
# (charts.js sets data-window once the redraw is done; a fixed 300 ms wait stood here).
FULL_DRAWN = """() => Array.from(document.querySelectorAll("figure.lw-chart"))
  .filter(f => f.querySelector("button.lw-window"))
  .every(f => {
    const live = f.querySelectorAll("div.vega-chart[data-rendered]");
    return live.length > 0 && Array.from(live).every(d => d.dataset.window === "full");
  })"""


# Each width opens in one scheme and is toggled to the other, so every width is drawn live in
# both schemes: the phone opens light, the desktop dark. Opening the other two as well drew
# each chart live a second time in the same width and scheme (about 19 CPU-s of the suite) to
# check what does not depend on the scheme: where the captions sit, the full history's marks.
# The two other openings are read in their picture state below.
@pytest.mark.parametrize(("width", "scheme"), [(390, "light"), (1280, "dark")])
def test_each_figure_shows_one_true_chart_in_every_state(
    server: str,
    tabs,
    width: int,
    scheme: str,
):
    tab, watch = tabs.open(width, 900, scheme)
    found: list[str] = []
    for path in PAGES:
        tab.goto(f"{server}{path}", wait_until="load")
        assert tab.get_attribute("body", "data-md-color-scheme") == PALETTE[scheme], path
        _one_chart_each(tab, "picture", path)
        captions = tab.eval_on_selector_all("figure.lw-chart figcaption", CAPTION_TOPS)
        _live(tab)
        _one_chart_each(tab, "live", path, f"live {scheme}")
        moved = tab.eval_on_selector_all("figure.lw-chart figcaption", CAPTION_TOPS)
        # The live chart takes the picture's height: nothing below it moves (a pixel or two
        # of rounding between the picture's layout and the browser's).
        jumps = [round(after - before, 1) for before, after in zip(captions, moved, strict=True)]
        assert all(abs(jump) <= 3 for jump in jumps), f"/{path}: the page moved by {jumps} px"
        found += _drawn_problems(tab, path, "live")
        if path.startswith("indicators/"):
            indicator_page_drawn(tab, path.split("/")[1])
        else:
            labels_without_nan(tab, path)
        buttons = tab.locator("figure.lw-chart button.lw-window")
        for i in range(buttons.count()):
            buttons.nth(i).click()
        if buttons.count():
            tab.wait_for_function(FULL_DRAWN, timeout=30000)
            _one_chart_each(tab, "full history", path)
            found += _drawn_problems(tab, path, "full history")
            for i in range(buttons.count()):
                assert buttons.nth(i).get_attribute("aria-pressed") == "true"
                buttons.nth(i).click()
        before = tab.get_attribute("body", "data-md-color-scheme")
        tab.click(TOGGLE)
        tab.wait_for_function(
            "s => document.body.dataset.mdColorScheme !== s && "
            "document.querySelectorAll('figure.lw-chart').length === "
            "document.querySelectorAll('div.vega-chart[data-rendered]').length && "
            "Array.from(document.querySelectorAll('div.vega-chart[data-rendered]'))"
            ".every(d => d.dataset.scheme === (document.body.dataset.mdColorScheme === 'slate' "
            "? 'dark' : 'light'))",
            arg=before,
            timeout=30000,
        )
        _one_chart_each(tab, "toggled", path)
        found += _drawn_problems(tab, path, "toggled")
        # The next page opens in the system's scheme again: the stored choice is forgotten,
        # rather than toggled back, which redrew every chart of this page for nothing.
        tab.evaluate("() => localStorage.clear()")
    assert not found, "\n".join(found)
    assert not watch.errors, watch.errors
    assert not watch.foreign, watch.foreign


@pytest.mark.parametrize(("width", "scheme"), [(390, "dark"), (1280, "light")])
def test_each_figure_shows_one_picture_when_opened_in_the_other_scheme(
    server: str, tabs, width: int, scheme: str
):
    """The openings the test above reaches only by the toggle: each figure shows one picture,
    the one for this width and scheme (its own drawing is read in every picture file below)."""
    tab, watch = tabs.open(width, 900, scheme)
    size = "lw-narrow" if width < 600 else "lw-wide"
    for path in PAGES:
        tab.goto(f"{server}{path}", wait_until="load")
        _one_chart_each(tab, "picture", path)
        for (shown,) in tab.evaluate(chart_checks.SHOWN_PER_FIGURE):
            assert shown.split()[2:] == [f"lw-picture-{scheme}", size], (path, shown)
    assert not watch.errors, watch.errors
    assert not watch.foreign, watch.foreign


# Each picture opened as a document of its own in a 1000 x 800 frame (as a tab of that size
# shows it) and read there, with the frame's own window: all of them in one round trip, a few
# at a time, where a navigation and a read per picture cost 0.1 s each in round trips.
READ_SVG_SOURCE = json.dumps(chart_checks.READ_SVG.strip())
READ_PICTURES = f"""
async (names) => {{
  const read = name => new Promise((resolve, reject) => {{
    const frame = document.createElement("iframe");
    frame.style.cssText = "position: fixed; left: 0; top: 0; border: 0; "
      + "width: 1000px; height: 800px";
    frame.onload = () => {{
      try {{
        const inFrame = new frame.contentWindow.Function("return " + {READ_SVG_SOURCE});
        const found = inFrame()(frame.contentDocument.documentElement);
        frame.remove();
        resolve(found);
      }} catch (error) {{ reject(error); }}
    }};
    frame.onerror = () => reject(new Error("cannot load " + name));
    setTimeout(() => reject(new Error(name + " did not load in 30 s")), 30000);
    frame.src = "/charts/" + name;
    document.body.appendChild(frame);
  }});
  const results = {{}};
  for (let i = 0; i < names.length; i += 8) {{
    const batch = names.slice(i, i + 8);
    (await Promise.all(batch.map(read))).forEach((found, k) => {{ results[batch[k]] = found; }});
  }}
  return results;
}}
"""


def test_every_picture_is_a_true_chart(server: str, browser, built_project: Path):
    """The same checks on every picture file (light and dark, wide and narrow): what a reader
    without JavaScript, a feed reader or a first view sees."""
    pictures = sorted((built_project / "public" / "charts").glob("*.svg"))
    assert len(pictures) >= 4 * 14
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    tab = context.new_page()
    # an empty page of the site's origin, so the frames' documents can be read
    tab.route(f"{server}frames.html", lambda route: route.fulfill(body="<!doctype html><body>"))
    tab.goto(f"{server}frames.html", wait_until="load")
    reads = tab.evaluate(READ_PICTURES, [picture.name for picture in pictures])
    context.close()
    found = []
    for picture in pictures:
        found += [f"{picture.name}: {p}" for p in chart_checks.problems(reads[picture.name])]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("phone", [True, False])
def test_a_tap_or_pointer_near_a_point_shows_its_tooltip(server: str, tabs, phone: bool):
    """A tap 8 px off a point on a phone, or the pointer 20 px off it on a desktop, shows that
    point's tooltip (the nearest point, found by a Voronoi layer); it showed within 9 to 21 px
    of the line only."""
    width, height = (390, 844) if phone else (1280, 900)
    tab, _ = tabs.open(width, height, phone=phone, touch=phone)
    tab.goto(f"{server}indicators/fed-assets/", wait_until="load")
    figure = tab.locator("figure.lw-chart").first
    figure.scroll_into_view_if_needed()
    if phone:
        box = figure.bounding_box()
        tab.touchscreen.tap(box["x"] + 20, box["y"] + 20)
    _live(tab)
    points = tab.eval_on_selector_all(
        "div.vega-chart g.mark-symbol.role-mark path",
        "ns => ns.map(n => { const b = n.getBoundingClientRect(); "
        "return [b.x + b.width / 2, b.y + b.height / 2]; })",
    )
    assert len(points) > 50, points
    x, y = points[len(points) * 2 // 3]
    off = 8 if phone else 20
    if phone:
        tab.touchscreen.tap(x, y + off)
    else:
        tab.mouse.move(x, y + off)
    tooltip = tab.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5000)
    text = tooltip.inner_text()
    assert "Date" in text and "Total assets" in text, text
    assert "undefined" not in text and "NaN" not in text, text
