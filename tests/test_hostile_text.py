"""One hostile payload in every field a fork edits, the whole site built, and Chromium loading
its pages (issue 25, class 1): nothing runs, no ``javascript:`` URL is served, every feed
parses, every page carries the Content-Security-Policy, and the charts still draw under it.

Found: a ``"`` in ``site: name:`` added an ``onanimationstart`` handler to the logo on every
page; an ``events.yml`` label became a live ``javascript:`` link under each chart; an
attribute-list label injected a handler. ``check`` passed all of them.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from generator.publish.csp import MARK, inline_script_hashes, with_policy
from tests.conftest import copy_project, load_yaml, run_generator, run_mkdocs, serving
from tests.pages import PageWatch, charts_drawn, search

# One worker runs this module (`--dist loadgroup`): its module-scoped fixture (the hostile site,
# built and served) is made once, not once in each worker that runs one of its tests.
pytestmark = pytest.mark.xdist_group("hostile_text")

# Markup, a Markdown link, an attribute list, an autolink, a formula start: each of them has
# run, linked or evaluated somewhere before.
PAYLOAD = '=x"><img src=x onerror=alert(1)>[l](javascript:alert(2)){: onclick=alert(3) }'
SHORT = '"><b onclick=alert(4)>'  # for fields of 16 characters or fewer
# Titles also try to close the page's <title> (Material prints them there unescaped).
TITLE = PAYLOAD + "</title><script>alert(8)</script>"
SENTENCE = " <img src=x onerror=alert(5)> [l](javascript:alert(6)) *x*"  # say: is Jinja
NAME = 'LW" style="animation-name:x" onanimationstart="alert(7)" x="'[:60]
FORK_TEXT = (
    "title",
    "measures",
    "thesis",
    "units_note",
    "units",
    "owner",
    "attribution",
    "note",
    "rule_label",
    "text",
    "rule",
)
LIMITS = {"title": 120, "label": 80, "rule_label": 40, "short": 16}


def poison(value: object, key: str) -> object:
    if not isinstance(value, str):
        return value
    limit = LIMITS.get(key, 2000)
    if key == "title" and limit >= len(TITLE):
        return TITLE
    return (PAYLOAD if limit >= len(PAYLOAD) else SHORT)[:limit]


def poison_keys(entry: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in entry:
            entry[key] = poison(entry[key], key)


def poison_indicator(indicator: dict[str, Any]) -> None:
    poison_keys(indicator, ("title", "measures", "thesis", "units_note"))
    for quantity in indicator["quantities"].values():
        quantity["label"] = poison(quantity["label"], "label")
    chart = indicator.get("chart") or {}
    if "rule_label" in chart:
        chart["rule_label"] = poison(chart["rule_label"], "rule_label")
    for rule in indicator.get("status") or []:
        rule["say"] = rule["say"] + SENTENCE


def hostile_project(root: Path) -> Path:
    copy_project(root)
    config = load_yaml((root / "indicators.yml").read_text())
    config["site"] = {"name": NAME, "tagline": PAYLOAD}
    for series in config["series"].values():
        poison_keys(series, ("title", "units", "owner", "attribution", "note"))
    for indicator in config["indicators"]:
        poison_indicator(indicator)
    for item in (config.get("regime") or {}).get("inputs", []):
        item["label"] = poison(item.get("label", "x"), "label")
    for claim in (config.get("claims") or {}).get("items", []):
        for key in ("text", "rule"):
            claim[key] = poison(claim[key], key)
    (root / "indicators.yml").write_text(yaml.safe_dump(config, sort_keys=False, width=1000))
    events = load_yaml((root / "events.yml").read_text())
    for event in events["events"]:
        event["label"] = poison(event["label"], "label")
        event["short"] = SHORT[:16]
    (root / "events.yml").write_text(yaml.safe_dump(events, sort_keys=False, width=1000))
    return root


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = hostile_project(tmp_path_factory.mktemp("hostile"))
    checked = run_generator(root, "check", check=False)
    assert checked.returncode == 0, checked.stderr  # the payloads are text, not errors
    run_generator(root, "build")
    done = run_generator(
        root,
        "report",
        "--date",
        "2026-09-02",
        check=False,
        env_extra={"UPDATE_TODAY": "2026-09-03"},
    )
    assert done.returncode == 0, done.stderr
    run_mkdocs(root)
    return root


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def pages(root: Path) -> list[Path]:
    return sorted((root / "public").rglob("*.html"))


def test_no_served_page_holds_a_handler_or_a_script_url(hostile_site: Path):
    problems = []
    for path in pages(hostile_site):
        parser = Elements()
        text = path.read_text()
        parser.feed(text)
        if "<script>alert" in text or "</title><script>" in text:
            problems.append(f"{path}: a title closed <title> and opened a script")
        for tag, attrs in parser.found:
            for name, value in attrs.items():
                if name.startswith("on"):
                    problems.append(f"{path}: <{tag} {name}=...>")
                if name in ("href", "src", "action", "formaction") and re.match(
                    r"\s*(javascript|vbscript|data):", value or "", re.IGNORECASE
                ):
                    problems.append(f"{path}: <{tag} {name}={value!r}>")
            if tag in ("img", "iframe", "object", "embed") and attrs.get("src") == "x":
                problems.append(f"{path}: injected <{tag}>")
    assert len(pages(hostile_site)) > 20
    assert problems == [], "\n".join(problems[:20])


def test_every_page_carries_the_policy_with_its_inline_script_hashes(hostile_site: Path):
    for path in pages(hostile_site):
        html = path.read_text()
        if "<head" not in html:
            continue  # a redirect stub
        policy = re.search(rf'<meta {MARK} content="([^"]+)">', html)
        assert policy, path
        directives = dict(
            (d.strip().split(" ", 1) + [""])[:2] for d in policy.group(1).split(";") if d.strip()
        )
        # embed pages (h23pub) carry a stricter policy of their own: default-src 'none', no script
        scripts = directives.get("script-src", directives.get("default-src"))
        assert scripts is not None, (path, policy.group(1))
        assert "'unsafe-inline'" not in scripts
        assert "'unsafe-eval'" not in policy.group(1)
        for token in inline_script_hashes(html):
            assert token in policy.group(1), (path, token)


def test_every_feed_parses_and_carries_the_text_as_text(hostile_site: Path):
    public = hostile_site / "public"
    feeds = sorted(public.glob("feed_*.xml")) + sorted(public.glob("feed_*.json"))
    assert len(feeds) >= 4
    for feed in feeds:
        if feed.suffix == ".xml":
            tree = ET.parse(feed)
            title = tree.findtext("channel/title") or ""
        else:
            title = json.loads(feed.read_text())["title"]
        assert title.startswith("LW\u201d style=\u201danimation-name:x\u201d"), (feed, title)


@pytest.fixture(scope="module")
def hostile_server(hostile_site: Path) -> Iterator[str]:
    with serving(hostile_site / "public") as url:
        yield url


WATCH = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__ran.push(name + ":" + args.join(",")); };
}
document.addEventListener("securitypolicyviolation", e => {
  (window.__blocked = window.__blocked || []).push(e.violatedDirective + " " + e.blockedURI);
});
"""


# Where the pointer goes to hover a link as a reader does: the link scrolled into view if it
# is not (as Playwright's hover scrolls it), then the middle of its first box, if the link is
# what is hit there. null: the link is not shown (no box, as for Playwright's is_visible);
# "miss": something else is on top of it there (a sticky header, say).
AIM = """link => {
  if (!link.getClientRects().length) return null;
  link.scrollIntoViewIfNeeded(true);
  const box = link.getClientRects()[0];
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const hit = document.elementFromPoint(x, y);
  return hit && (hit === link || link.contains(hit)) ? [x, y] : "miss";
}"""


@pytest.fixture(scope="module")
def reader(browser) -> Iterator[tuple[Any, PageWatch, list[str]]]:
    """One desktop tab with WATCH in every page, for the module's visits, as a reader goes from
    page to page (the Vega bundle compiled once; a new tab for each visit cost a renderer
    process, about 0.3 CPU-s): the tab, what it recorded and the dialogs it was shown."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    tab = context.new_page()
    watch = PageWatch(tab)
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield tab, watch, dialogs
    context.close()


def visit(reader, url: str, draw: bool = False) -> dict:
    tab, watch, dialogs = reader
    for seen in (watch.errors, watch.foreign, dialogs):
        seen.clear()  # what the last visit's page did
    tab.mouse.move(0, 0)  # off where the last visit left the pointer, over the next page
    tab.goto(url, wait_until="load")
    marks = charts_drawn(tab) if draw else []
    for link in tab.locator("figcaption a, article a").all()[:40]:
        # The pointer moved onto the link where it is hit (two round trips); Playwright's
        # hover (six or more, with its waits) only when something else is hit there.
        aim = link.evaluate(AIM)
        if isinstance(aim, list):
            tab.mouse.move(*aim)
        elif aim == "miss" and link.is_visible():
            try:
                link.hover(timeout=2000)
            except PlaywrightTimeout:
                # Found: hovering scrolls a figure into view, its live chart mounts and hides
                # the figure's "Interactive chart" link; a link still shown must take the hover.
                if link.is_visible():
                    raise
    tab.wait_for_timeout(200)
    found = tab.evaluate(
        """() => ({
          ran: window.__ran,
          title: document.title,
          handlers: [...document.querySelectorAll('*')].flatMap(e =>
            e.getAttributeNames().filter(n => n.startsWith('on')).map(n => e.tagName + ' ' + n)),
          scripts: [...document.querySelectorAll('a[href]')].map(a => a.href)
            .filter(h => /^\\s*javascript:/i.test(h)),
          palette: !!document.querySelector('[data-lw-palette] input'),
          blocked: window.__blocked || [],
        })"""
    )
    found.update(
        dialogs=list(dialogs), errors=list(watch.errors), foreign=list(watch.foreign), marks=marks
    )
    return found


@pytest.mark.parametrize(
    ("path", "draw"),
    [
        ("", True),
        ("indicators/fed-assets/", True),
        ("indicators/reserves/", False),
        ("scorecard/", False),
        ("data-status/", False),
        ("ladder/", False),
        ("blog/2026/09/02/", False),
        ("revisions/", False),
        ("config-reference/", False),
    ],
)
def test_chromium_runs_nothing_from_fork_text(hostile_server: str, reader, path: str, draw: bool):
    found = visit(reader, hostile_server + path, draw)
    assert found["ran"] == [] and found["dialogs"] == [], found
    assert found["handlers"] == [] and found["scripts"] == [], found
    assert "1337" not in found["title"]
    if path.startswith("indicators/"):  # the title's markup is shown as text, in look-alikes
        assert "\u2039/title\u203a\u2039script\u203aalert(8)" in found["title"], found["title"]
    assert found["palette"]
    assert found["blocked"] == [], found["blocked"]  # nothing of the site's own is refused
    if draw:  # the charts draw under the policy: Vega's interpreter, no eval
        assert found["marks"] and all(m > 0 for m in found["marks"]), found
    assert not [e for e in found["errors"] if "Content Security Policy" in e], found["errors"]
    assert not found["foreign"], found["foreign"]


def test_search_results_show_fork_text_as_text(hostile_site: Path, reader):
    """Material's search renders each result's title and text as markup (the index holds it
    escaped): searching for the payload lists the pages it is on, shown as text, and nothing
    in the results runs or links to a script."""
    tab, watch, dialogs = reader
    for seen in (watch.errors, watch.foreign, dialogs):
        seen.clear()
    with serving(hostile_site / "public", search=True) as url:
        tab.goto(url, wait_until="load")
        found = search(tab, "onerror")
        shown = tab.inner_text(".md-search-result")
        state = tab.evaluate(
            """() => ({
              ran: window.__ran,
              handlers: [...document.querySelectorAll('.md-search-result *')].flatMap(e =>
                e.getAttributeNames().filter(n => n.startsWith('on'))),
              images: document.querySelectorAll('.md-search-result img').length,
              scripts: [...document.querySelectorAll('.md-search-result a[href]')]
                .map(a => a.href).filter(h => /^\\s*javascript:/i.test(h)),
            })"""
        )
    # the pages the payload is on, ranked by lunr: indicator pages, the home page, the ladder
    assert len(found) >= 5 and all(f.startswith(url) for f in found), found
    assert "onerror=alert(1)" in shown, shown[:500]
    assert state == {"ran": [], "handlers": [], "images": 0, "scripts": []}, state
    assert dialogs == [] and not watch.errors, (dialogs, watch.errors)


def test_the_policy_blocks_an_inline_handler_and_runs_a_hashed_script(browser, tmp_path: Path):
    """Should markup ever slip through, the policy stops it: a handler attribute and an
    unhashed script do not run; the page's own inline script (hashed) does."""
    page = (
        "<!doctype html><html><head><title>t</title>"
        "<script>window.__own = 1</script></head><body>"
        '<img src="missing.png" onerror="window.__handler = 1">'
        '<div style="animation: none" onclick="window.__click = 1" id="d">d</div>'
        "</body></html>"
    )
    # the policy hashes the scripts present when it was computed: one added later never runs
    injected = "<script>window.__injected = 1</script>"
    (tmp_path / "index.html").write_text(with_policy(page).replace("</body>", injected + "</body>"))
    with serving(tmp_path) as url:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(url, wait_until="load")
        tab.click("#d")
        state = tab.evaluate(
            "() => [window.__own, window.__handler, window.__click, window.__injected]"
        )
        context.close()
    assert state == [1, None, None, None]
