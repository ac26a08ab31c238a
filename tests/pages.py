"""What the browser tests read of a page, shared by every module that drives Chromium: what
a page did that it should not (``PageWatch``), its charts reached for and drawn, the checks of
a drawn chart page, and a search typed as a reader types it. (tests/chart_checks.py holds the
checks of the drawings themselves.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

# Marks actually drawn inside a chart: line/area paths, bar rects, points. An empty chart still
# has an <svg> and axes, so these are what the test counts.
MARKS = "g.mark-line path, g.mark-area path, g.mark-rect path, g.mark-symbol path"


class PageWatch:
    """Records console errors, page errors and every request that is not to 127.0.0.1 (the
    browser fixture's proxy refuses each of them, so none leaves the machine).

    A foreign request is seen when it fails, as each one does at the refusing proxy: listening
    to every request instead sent each of a page's ~30 requests from the browser to this
    process (about 3.5 of the 118 CPU-s of test_browser and test_chart_integrity)."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", self._request)

    def _console(self, message) -> None:
        # The browser's own guess at /favicon.ico for a document that names no icon (a feed
        # opened as XML) is not the page's error; it was never made while every request was
        # routed through Python, so it was never seen before either.
        url = message.location.get("url", "")
        if message.type == "error" and urlparse(url).path != "/favicon.ico":
            self.errors.append(message.text)

    def _request(self, request) -> None:
        url = request.url
        if not (url.startswith("data:") or urlparse(url).hostname == "127.0.0.1"):
            self.foreign.append(url)


def charts_drawn(tab) -> list[int]:
    """Reach for every chart picture (as a reader does: the pointer over it), wait until each
    chart link became a drawn chart, and return the mark count of each."""
    figures = tab.locator("figure.lw-chart")
    for i in range(figures.count()):
        figures.nth(i).hover()
    expected = tab.locator("a.vega-chart").count()
    tab.wait_for_function(
        "n => document.querySelectorAll('div.vega-chart[data-rendered]').length >= n",
        arg=expected,
        timeout=20000,
    )
    return marks_drawn(tab)


def marks_drawn(tab) -> list[int]:
    """The mark count of each drawn chart on the page."""
    return tab.eval_on_selector_all(
        "div.vega-chart[data-rendered]",
        f"nodes => nodes.map(n => n.querySelectorAll({MARKS!r}).length)",
    )


def labels_without_nan(tab, path: str) -> None:
    """Every drawn mark's accessible label (which repeats its tooltip) is there and reads no
    NaN. Checked on each chart page (home, ladder, every indicator) by the test that draws it,
    so each page is loaded and drawn once for both."""
    labels = tab.eval_on_selector_all(
        "div.vega-chart [aria-label]", "ns => ns.map(n => n.getAttribute('aria-label'))"
    )
    assert len(labels) > 3, path
    bad = [label for label in labels if "NaN" in label]
    assert not bad, f"{path}: {len(bad)} labels with NaN, e.g. {bad[:2]}"


# Indicator pages that tests/test_chart_integrity.py draws in every width, scheme and state,
# with the checks of ``indicator_page_drawn``: tests/test_browser.py draws the others.
DRAWN_IN_EVERY_STATE = ("reserves", "fed-assets", "fed-bills", "sofr-iorb-spread")


def indicator_page_drawn(tab, indicator: str) -> None:
    """An indicator page drawn live: each chart it should have, each with marks, every mark's
    label without NaN, and the page's "data as of"."""
    marks = marks_drawn(tab)
    # reserves and net liquidity also draw the weekly attribution of reserves (stacked bars)
    expected = 2 if indicator in ("reserves", "net-liquidity") else 1
    assert len(marks) == expected and all(m > 0 for m in marks), f"{indicator}: drew {marks}"
    labels_without_nan(tab, f"indicators/{indicator}/")
    assert "data as of" in tab.inner_text("article")


# What Material's search panel says: "Type to start searching" while the field is empty, then
# "No matching documents" or "12 matching documents".
SEARCH_META = """pattern => new RegExp(pattern).test(
  document.querySelector('.md-search-result__meta').textContent)"""


def search(tab, query: str) -> list[str]:
    """Type ``query`` into Material's search field, as a reader does (a query set with
    Playwright's ``fill`` before the worker is ready is never run); the results' addresses."""
    tab.click("input.md-search__input")
    tab.keyboard.press("Control+A")
    tab.keyboard.press("Backspace")  # the last query's results gone
    tab.wait_for_function(SEARCH_META, arg="^Type to start searching$", timeout=10000)
    tab.keyboard.type(query)
    tab.wait_for_function(SEARCH_META, arg="matching document", timeout=10000)
    return tab.eval_on_selector_all(
        "li.md-search-result__item > a", "links => links.map(a => a.href)"
    )


class Tabs:
    """The browser tests' shared tabs: one for each kind of context a test needs (a phone's or a
    desktop's, with touch or without), kept for the worker's run (conftest's ``tabs``) and set
    to each test's width, height and colour scheme, with what the last test's pages stored (the
    palette choice) forgotten.

    A context of a test's own cost about 1 CPU-s more than the same page opened in a warm tab:
    0.3 to make it and its page, 0.55 more for the first page (a renderer process, and the
    theme's and Vega's scripts fetched and compiled again), 0.1 to close it. A test whose point
    is a first visit (nothing cached, nothing stored) still opens a context of its own."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        # each kind's context, tab, watch, DevTools session, and the origins its tab went to
        self.kept: dict[tuple[bool, bool, Path | None], tuple[Any, Any, PageWatch, Any]] = {}
        self.origins: dict[tuple[bool, bool, Path | None], set[str]] = {}

    def open(
        self,
        width: int,
        height: int = 900,
        scheme: str = "light",
        phone: bool = False,
        touch: bool = False,
        reduced_motion: str = "no-preference",
        script: Path | None = None,
    ) -> tuple[Any, PageWatch]:
        """The tab for this kind of context, at this size and scheme, and its watch (cleared).
        ``script``: a file of the test's own run into every page before the page's own (axe),
        the site's Content-Security-Policy bypassed for it."""
        kind = (phone, touch, script)
        if kind not in self.kept:
            context = self.browser.new_context(
                is_mobile=phone, has_touch=touch, bypass_csp=script is not None
            )
            if script is not None:
                context.add_init_script(path=str(script))
            tab = context.new_page()
            origins = self.origins[kind] = set()
            tab.on("framenavigated", lambda frame: origins.add(_origin(frame.url)))
            self.kept[kind] = (context, tab, PageWatch(tab), context.new_cdp_session(tab))
        _, tab, watch, devtools = self.kept[kind]
        # Every origin the tab went to (a test may serve a site of its own), not only its last.
        for origin in sorted(self.origins[kind] - {""}):
            params = {"origin": origin, "storageTypes": "local_storage"}
            devtools.send("Storage.clearDataForOrigin", params)
        if tab.url.startswith("http"):
            tab.evaluate("() => sessionStorage.clear()")
        tab.set_viewport_size({"width": width, "height": height})
        tab.emulate_media(color_scheme=scheme, reduced_motion=reduced_motion)
        tab.mouse.move(0, 0)  # off where the last test left the pointer, over the next page
        watch.errors.clear()
        watch.foreign.clear()
        return tab, watch

    def close(self) -> None:
        for context, *_ in self.kept.values():
            context.close()


def _origin(url: str) -> str:
    """``http://127.0.0.1:8000`` of a page's address; "" for about:blank and the like."""
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
