"""The built site in Debian's headless Chromium: every chart draws marks, nothing errors, and
no request leaves 127.0.0.1. Driven by Playwright without a browser download."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, serving
from tests.pages import (
    DRAWN_IN_EVERY_STATE,
    PageWatch,
    charts_drawn,
    indicator_page_drawn,
    labels_without_nan,
    search,
)
from tests.test_config import IDS


@pytest.fixture
def page(tabs):
    """The worker's shared desktop tab (conftest's ``tabs``), as a reader goes from page to
    page in one tab: its pages share the browser's cache, so the stylesheets, Material's bundle
    and the 800 KB Vega bundle are fetched and compiled once, not once per test (a new tab for
    each test cost a renderer process and a first compile of the theme's and Vega's scripts,
    about 0.33 CPU-s a test). What the last test's pages did is forgotten, and the pointer
    moved off where it left it (over the next page, it would reach for a chart there)."""
    return tabs.open(1280, 900)


@pytest.fixture
def fresh_page(browser):
    """A page in a context of its own: a first visit, nothing cached."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    watch = PageWatch(tab)
    yield tab, watch
    context.close()


@pytest.mark.parametrize("indicator", [i for i in IDS if i not in DRAWN_IN_EVERY_STATE])
def test_indicator_page_chart_draws_marks(server: str, page, indicator: str):
    tab, watch = page
    tab.goto(f"{server}indicators/{indicator}/", wait_until="load")
    charts_drawn(tab)
    indicator_page_drawn(tab, indicator)
    assert not watch.errors, watch.errors
    assert not watch.foreign, watch.foreign


# At the top of the page, with no transition left running (a looping animation, should a page
# ever have one, does not count: it never ends).
SETTLED_AT_TOP = """() => window.scrollY === 0 && document.getAnimations()
  .every(a => a.effect && a.effect.getTiming().iterations === Infinity)"""


@pytest.mark.golden  # `make golden` also refreshes the README's screenshot
def test_home_page_cards_and_screenshot(server: str, page, tabs, tmp_path: Path):
    tab, watch = page
    tab.goto(server, wait_until="load")
    cards = tab.locator("a.lw-card")
    assert cards.count() == len(IDS)
    assert tab.locator("a.lw-card svg.lw-spark polyline").count() == len(IDS)
    assert "Liquidity regime:" in tab.inner_text(".lw-headline")
    marks = charts_drawn(tab)
    assert len(marks) == 1 and marks[0] > 0, f"regime chart drew {marks} marks"
    labels_without_nan(tab, "")
    # Reaching for the chart scrolled to it: the README's picture is the first screen, as the
    # dark one below is (it showed the regime chart half-way down the page beside the top).
    tab.evaluate("() => window.scrollTo(0, 0)")
    # and the header's topic done moving back from the page title to the site's name
    tab.wait_for_function(SETTLED_AT_TOP)
    shot = tmp_path / "home.png"
    tab.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    assert not watch.errors, watch.errors
    assert not watch.foreign, watch.foreign
    dark_tab, watch = tabs.open(1280, 900, "dark")  # the same tab, the system's scheme dark
    dark_tab.goto(server, wait_until="load")
    # The regime picture sits under "Why", below the first screen, and loads lazily: bring it
    # into view so it loads, then return to the top for the screenshot.
    dark_tab.locator("img.lw-picture-dark").first.scroll_into_view_if_needed()
    dark_tab.wait_for_function("() => document.querySelector('img.lw-picture-dark')?.complete")
    dark_tab.evaluate("() => window.scrollTo(0, 0)")
    dark_tab.wait_for_function(SETTLED_AT_TOP)
    dark_shot = tmp_path / "home-dark.png"
    dark_tab.screenshot(path=str(dark_shot), full_page=False)
    assert dark_shot.stat().st_size > 10_000
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shutil.copyfile(shot, ROOT / "site" / "assets" / "home.png")
        shutil.copyfile(dark_shot, ROOT / "site" / "assets" / "home-dark.png")
    assert not watch.errors, watch.errors
    assert not watch.foreign, watch.foreign


def test_ladder_chart_draws_a_line_per_asset(server: str, page):
    tab, watch = page
    tab.goto(f"{server}ladder/", wait_until="load")
    marks = charts_drawn(tab)
    assert len(marks) == 1 and marks[0] >= 5, f"ladder chart drew {marks} marks"
    labels_without_nan(tab, "ladder/")
    assert "HAC p-value" in tab.inner_text("article")
    assert not watch.errors and not watch.foreign, (watch.errors, watch.foreign)


def test_scorecard_shows_every_claim_with_a_verdict(server: str, page):
    tab, watch = page
    tab.goto(f"{server}scorecard/", wait_until="load")
    verdicts = tab.locator("article table .lw-badge").all_inner_texts()
    assert len(verdicts) >= 18  # each claim twice: when written and now
    assert set(verdicts) <= {"supported", "not supported", "inconclusive", "not testable"}
    assert not watch.errors and not watch.foreign, (watch.errors, watch.foreign)


def test_phone_width_has_no_horizontal_scroll(server: str, tabs):
    tab, _ = tabs.open(390, 844, phone=True)
    tab.goto(server, wait_until="load")
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1


def test_other_pages_load_cleanly(server: str, page):
    tab, watch = page
    texts = {}
    for path in ("data-status/", "methodology/", "about/"):
        tab.goto(f"{server}{path}", wait_until="load")
        texts[path] = tab.inner_text("article")
    assert "WALCL" in texts["data-status/"] and "2026-08-19" in texts["data-status/"]
    assert "The liquidity regime" in texts["methodology/"]
    assert not watch.errors, watch.errors
    assert not watch.foreign, watch.foreign


def test_search_lists_the_pages_a_word_is_on(built_project: Path, server: str, page):
    """Material's search over the site's own index. The other browser tests are served it
    without its documents (conftest.unsearchable): this one checks they are, then searches."""
    tab, watch = page
    tab.goto(server, wait_until="load")
    served = tab.evaluate("() => fetch('search/search_index.json').then(r => r.json())")
    assert served["docs"] == [] and served["config"]["lang"] == ["en"], served
    with serving(built_project / "public", search=True) as url:
        tab.goto(url, wait_until="load")
        found = search(tab, "reserves")
        assert f"{url}indicators/reserves/" in found, found
        assert f"{url}indicators/fed-assets/" not in found[:1], found
        assert search(tab, "qqqzzzq") == []
        assert tab.text_content(".md-search-result__meta") == "No matching documents"
    assert not watch.errors, watch.errors


def test_no_tooltip_reads_nan(server: str, page):
    """A hovered tooltip reads a date and no NaN. (Every mark's accessible label, which
    repeats its tooltip, is checked on every chart page by labels_without_nan, in the test
    that draws that page: this test loaded and drew every chart page again for it.)"""
    tab, watch = page
    tab.goto(f"{server}indicators/fed-assets/", wait_until="load")
    charts_drawn(tab)
    point = tab.locator("div.vega-chart g.mark-symbol path").last
    point.hover(force=True)
    tooltip = tab.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5000)
    text = tooltip.inner_text()
    assert "Date" in text and "NaN" not in text and re.search(r"\d{1,2} \w{3} \d{4}", text), text
    assert not watch.errors, watch.errors


def test_event_lines_carry_printed_labels(server: str, page):
    tab, _ = page
    labels = "ns => ns.map(n => n.textContent)"
    tab.goto(f"{server}indicators/fed-assets/", wait_until="load")
    charts_drawn(tab)
    texts = tab.eval_on_selector_all("div.vega-chart g.mark-text text", labels)
    assert {"QT ends", "Bill purchases", "FOMC"} <= set(texts), texts
    tab.goto(f"{server}indicators/fed-bills/", wait_until="load")
    charts_drawn(tab)
    texts = tab.eval_on_selector_all("div.vega-chart g.mark-text text", labels)
    assert any("40 bn USD a month" in t for t in texts), texts


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


# Records every time <body> is marked "switching" (Material's CSS then drops transitions on
# every element: a full style recalculation of the page), from before any script of the page.
SWITCH_WATCH = """
window.__switching = 0;
new MutationObserver(function (records) {
  records.forEach(function (r) {
    if (r.target === document.body && r.target.hasAttribute("data-md-color-switching")) {
      window.__switching += 1;
    }
  });
}).observe(document, {attributes: true, subtree: true,
                      attributeFilter: ["data-md-color-switching"]});
"""


@pytest.mark.parametrize("system", ["light", "dark"])
def test_palette_toggle_keeps_the_choice_and_costs_nothing_on_load(
    server: str, browser, system: str
):
    """palette.js replaces Material's palette component: a page load applies the stored (or
    the system's) scheme without marking the body switching, one toggle label is shown, the
    choice carries to the next page, and Enter on the focused toggle switches back."""
    context = browser.new_context(color_scheme=system)
    context.add_init_script(SWITCH_WATCH)
    tab = context.new_page()
    watch = PageWatch(tab)
    first, other = ("default", "slate") if system == "light" else ("slate", "default")

    def state() -> tuple[str | None, list[bool], int]:
        hidden = tab.eval_on_selector_all(
            "form[data-lw-palette] label", "ns => ns.map(n => n.hidden)"
        )
        return (
            tab.get_attribute("body", "data-md-color-scheme"),
            hidden,
            tab.evaluate("__switching"),
        )

    tab.goto(server, wait_until="load")
    scheme, hidden, switching = state()
    assert (scheme, sorted(hidden), switching) == (first, [False, True], 0)
    # Cards take the scheme's colours (in slate they stayed white with pale text). Charts
    # drawn in each scheme and redrawn by the toggle: test_chart_integrity.
    colours = tab.eval_on_selector(
        "a.lw-card", "n => [getComputedStyle(n).backgroundColor, getComputedStyle(n).color]"
    )
    assert (_luminance(colours[0]) < 0.1) == (system == "dark"), colours
    assert _contrast(*colours) >= 4.5, colours
    assert tab.get_attribute("meta[name=theme-color]", "content").startswith("#")
    tab.click("label.md-header__button[for^='__palette']:visible")
    tab.wait_for_function("() => !document.body.hasAttribute('data-md-color-switching')")
    scheme, hidden, switching = state()
    assert (scheme, sorted(hidden), switching) == (other, [False, True], 1)
    tab.goto(f"{server}scorecard/", wait_until="load")
    scheme, hidden, switching = state()
    assert (scheme, switching) == (other, 0)  # the stored choice, applied before any script
    tab.focus("form[data-lw-palette] input:checked")
    tab.keyboard.press("Enter")
    tab.wait_for_function(f"() => document.body.dataset.mdColorScheme === '{first}'")
    assert tab.evaluate("document.activeElement.matches('form[data-lw-palette] input:checked')")
    context.close()
    assert not watch.errors and not watch.foreign, (watch.errors, watch.foreign)


def test_palette_toggle_survives_a_corrupt_stored_choice(server: str, browser):
    """A stored palette that is not JSON (or storage that throws) leaves the toggle working:
    the system scheme is taken and the reader can still switch."""
    context = browser.new_context(color_scheme="dark")
    context.add_init_script("localStorage.setItem('/.__palette', '{not json')")
    tab = context.new_page()
    tab.goto(server, wait_until="load")
    assert tab.get_attribute("body", "data-md-color-scheme") == "slate"
    tab.click("label.md-header__button[for^='__palette']:visible")
    tab.wait_for_function("() => document.body.dataset.mdColorScheme === 'default'")
    context.close()


def test_rss_feed_opens_as_a_readable_page(server: str, page):
    """No XSLT stylesheet since the generator writes the feeds (h23pub: Chromium warned in red
    before running one): the browser shows the feed's XML tree, every report named in it."""
    tab, watch = page
    tab.goto(f"{server}feed_rss_created.xml", wait_until="load")
    text = tab.inner_text("body")
    assert "The document tree is shown below" in text
    assert "<rss" in text and "Liquidity regime" in text
    assert "xml-stylesheet" not in text
    assert not watch.errors, watch.errors


def test_the_watch_sees_every_request_that_would_leave_the_machine(server: str, page):
    """What every page test's ``watch.foreign`` relies on: a request to another host, whatever
    its kind or scheme, reaches the refusing proxy and is recorded; the site's own are not."""
    tab, watch = page
    tab.goto(f"{server}about/", wait_until="load")
    foreign = ["http://example.org/a.png", "https://cdn.example.com/b.js", "http://localhost/c"]
    tab.evaluate(
        """urls => { const s = document.createElement("script"); s.src = urls[1];
        document.body.append(s); document.body.insertAdjacentHTML("beforeend",
        `<img src="${urls[0]}"><img src="${urls[2]}">`); }""",
        foreign,
    )
    for _ in range(500):  # each fails at once at the proxy; 10 s allows a busy machine
        if len(watch.foreign) == len(foreign):
            break
        tab.wait_for_timeout(20)
    assert sorted(watch.foreign) == sorted(foreign)


def test_a_shared_tab_forgets_what_the_last_tests_pages_stored(server: str, tabs, tmp_path):
    """What every test opening a shared tab relies on: a palette choice stored on the site and
    on a site a test served itself is gone at the next opening, though the tab went elsewhere
    in between (Tabs.open forgets every origin's storage, not only the last page's)."""
    (tmp_path / "index.html").write_text("<!doctype html><title>other</title>")
    store = "() => localStorage.setItem('/.__palette', '{\"index\": 1}')"
    read = "() => localStorage.getItem('/.__palette')"
    tab, _ = tabs.open(1280, 900)
    tab.goto(server, wait_until="load")
    tab.evaluate(store)
    with serving(tmp_path) as other:
        tab.goto(other, wait_until="load")
        tab.evaluate(store)
        tab, _ = tabs.open(1280, 900)
        assert tab.evaluate(read) is None
        tab.goto(server, wait_until="load")  # opens in the system's light scheme, not slate
        assert tab.get_attribute("body", "data-md-color-scheme") == "default"
        assert '"index":0' in tab.evaluate(read)  # what the page stored on this first visit


@pytest.fixture(scope="module")
def phone_without_javascript(browser):
    """One phone tab with JavaScript off for the module: with no script, a page can keep
    nothing in it, and its pages share the cache of the stylesheets and pictures (and the tab's
    renderer: a new tab for each page cost about 0.3 CPU-s)."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("indicator", IDS)
def test_without_javascript_each_indicator_shows_its_picture_and_sentence(
    server: str, phone_without_javascript, indicator: str
):
    tab = phone_without_javascript
    tab.goto(f"{server}indicators/{indicator}/", wait_until="load")
    shown = tab.eval_on_selector_all(
        "figure.lw-chart img.lw-picture",
        "ns => ns.filter(n => getComputedStyle(n).display !== 'none').map(n => n.className)",
    )
    figures = tab.locator("figure.lw-chart").count()  # reserves and net liquidity have two
    assert figures >= 1
    # one picture per chart, the one for phones
    assert shown == ["lw-picture lw-picture-light lw-narrow"] * figures, shown
    picture = tab.locator("figure.lw-chart img.lw-narrow.lw-picture-light").first
    assert picture.evaluate("img => img.complete && img.naturalWidth > 300")
    sentence = tab.locator("figure.lw-chart .lw-chart-sentence").first.inner_text()
    assert re.search(r": .+ on \d{1,2} \w{3} 20\d\d", sentence), sentence
    assert tab.locator("figure.lw-chart a.lw-download").count() == figures


def test_vega_loads_only_when_the_reader_reaches_for_a_chart(server: str, fresh_page):
    """The first view shows pictures and loads no Vega; pages without charts never load it."""
    tab, watch = fresh_page
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    tab.goto(f"{server}data-status/", wait_until="networkidle")
    tab.goto(server, wait_until="networkidle")
    assert not [u for u in requested if "vega-bundle" in u], requested
    assert tab.locator("figure.lw-chart img.lw-picture-light.lw-wide").is_visible()
    assert not [u for u in requested if ".narrow" in u or ".dark" in u], requested
    assert charts_drawn(tab)[0] > 0
    assert [u for u in requested if "vega-bundle" in u]
    assert not tab.locator("figure.lw-chart img.lw-picture-light.lw-wide").is_visible()
    assert not watch.errors, watch.errors


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_PAGES = ["", "indicators/sofr-iorb-spread/", "scorecard/", "ladder/", "data-status/"]
# The article is there and tables.js has labelled (and on a phone stacked) every table that
# Material wrapped in its scroller: the page axe must judge (a fixed 100 ms wait stood here).
TABLES_LABELLED = """() => !!document.querySelector("article") && Array.from(
  document.querySelectorAll("article table"))
  .every(t => t.closest(".md-typeset__scrollwrap[data-lw-labelled]"))"""


AXE_RUN = """named => axe.run(document, {resultTypes: ["violations"], selectors: named,
  ancestry: false, xpath: false})"""


def _serious(result: dict) -> list[dict]:
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1366])
def test_axe_finds_nothing_serious_or_critical(server: str, tabs, width: int, scheme: str):
    """axe-core (pinned in package.json, installed by `make test` with npm ci) on each page
    type, phone and desktop, light and dark; Material's own templates included."""
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci` (make test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # axe sent to the browser once, run into every page the tab loads (an init script, before
    # the page's own), rather than read and sent as a script tag on each page. The site's
    # Content-Security-Policy (issue 25) refuses an injected script: the tab bypasses it.
    tab, _ = tabs.open(width, 844, scheme, script=AXE)
    findings = []
    for path in AXE_PAGES:
        tab.goto(f"{server}{path}", wait_until="load")
        tab.wait_for_function(TABLES_LABELLED)
        # Without a CSS selector for each node it reports (7 % of axe's time here); a page
        # with a finding is judged again with them, for the message.
        if _serious(tab.evaluate(AXE_RUN, False)):
            for violation in _serious(tab.evaluate(AXE_RUN, True)):
                targets = [node["target"] for node in violation["nodes"][:3]]
                findings.append(f"/{path} {violation['id']} x{len(violation['nodes'])} {targets}")
    assert not findings, "\n".join(findings)


def test_wide_tables_keep_their_key_columns_in_reach(server: str, tabs):
    """Desktop: Data status shows Status first and its scroller is focusable and named.
    Phone: the scorecard is stacked, so every claim's Evidence is on screen."""
    tab, _ = tabs.open(1366, 900)
    tab.goto(f"{server}data-status/", wait_until="load")
    headers = tab.locator("article table thead th").all_inner_texts()
    assert headers[:4] == ["Series", "Status", "Last", "Used by"], headers
    status = tab.locator("article table tbody tr td:nth-child(2)").first
    assert status.bounding_box()["x"] + status.bounding_box()["width"] <= 1366
    wrap = tab.locator(".md-typeset__scrollwrap").first
    wrap.wait_for(state="attached")
    tab.wait_for_function(
        "() => document.querySelector('.md-typeset__scrollwrap')?.getAttribute('aria-label')"
    )
    assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
    tab, _ = tabs.open(390, 844, phone=True)
    tab.goto(f"{server}scorecard/", wait_until="load")
    tab.wait_for_selector("article table.lw-stacked")
    for cell in tab.locator("article table td[data-label='Now']").all()[:3]:
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box


def test_desk_periods_draw_as_wide_stacked_bars_spanning_their_periods(server: str, tabs):
    """Each Desk period is a bar as wide as its days (not a hairline on a time axis), the two
    parts stacked (RMP under the reinvested principal), on a phone and a desktop, light and
    dark; the legend's two entries each match visible bars."""
    for width, scheme in ((390, "dark"), (1280, "light")):
        tab, watch = tabs.open(width, 900, scheme)
        tab.goto(f"{server}indicators/fed-bills/", wait_until="load")
        charts_drawn(tab)
        bars = tab.eval_on_selector_all(
            "div.vega-chart g.mark-rect path",
            "ns => ns.map(n => { const b = n.getBBox(); const f = getComputedStyle(n).fill; "
            "return [b.x, b.y, b.width, b.height, f || n.getAttribute('fill')]; })",
        )
        assert len(bars) >= 16, bars  # eight complete periods, two parts each
        widths = sorted(b[2] for b in bars)
        assert widths[0] >= (8 if width < 600 else 30), widths  # a period spans ~30 days
        colours = {b[4] for b in bars}
        assert len(colours) == 2, colours  # both legend entries have marks
        by_x: dict[int, list] = {}
        for bar in bars:
            by_x.setdefault(round(bar[0]), []).append(bar)
        stacked = [parts for parts in by_x.values() if len(parts) == 2]
        assert len(stacked) >= 8, by_x
        for lower, upper in (sorted(p, key=lambda b: -b[1]) for p in stacked):
            assert abs(upper[1] + upper[3] - lower[1]) < 1.5, (
                lower,
                upper,
            )  # touching, not overlapping
        figures = tab.locator("figure.lw-chart")
        assert figures.first.locator("div.vega-chart").count() == 1
        assert not watch.errors, watch.errors
