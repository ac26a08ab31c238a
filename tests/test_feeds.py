"""The built feeds as a feed reader sees them, and hostile text kept inert everywhere it lands.

One project is built for the whole module: three nightly reports (19 to 21 Aug 2026), with
Bitcoin's indicator title and its series' title and note replaced by text that tries to close a
script, inject a link and smuggle control characters. Bitcoin's status changes between 20 and
21 Aug, so that title also travels through an alert's feed description.
"""

from __future__ import annotations

import json
import re
from datetime import date
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import feedparser
import pytest
import yaml

from generator.publish import feeds
from generator.publish.report import LEAD_MARK, POSTS, report
from tests.conftest import copy_project, load_yaml, run_generator, run_mkdocs

# One worker runs this module (`--dist loadgroup`): its module-scoped fixture (the project with
# its reports, built) is made once, not once in each worker that runs one of its tests.
pytestmark = pytest.mark.xdist_group("feeds")

SITE_URL = "https://liquidity-watch.example.org/"
DAYS = ("2026-08-21", "2026-08-20", "2026-08-19")  # newest first
# Control characters are refused by `check` now (issue 25; tests/golden/check/text-*), so the
# title holds only markup and a script URL.
NASTY = "Bitcoin </script> & [x](javascript:alert(1))  end"
SHOWN = NASTY
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FEEDS = ("feed_rss_created.xml", "feed_rss_alerts.xml")
JSON_FEEDS = ("feed_json_created.json", "feed_json_alerts.json")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("feeds"))
    path = root / "indicators.yml"
    config = load_yaml(path.read_text())
    config["series"]["BTC-USD"].update(title=NASTY, note=NASTY)
    next(i for i in config["indicators"] if i["id"] == "btc")["title"] = NASTY
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    for day in reversed(DAYS):
        assert report(root, day) == 0
    run_generator(root, "build")
    run_mkdocs(root)
    return root


def parse(path: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, f"{path.name}: {feed.bozo_exception}"
    return feed


def public_file(project: Path, url: str) -> Path:
    """The file in public/ that an absolute site URL is served from."""
    assert url.startswith(SITE_URL), url
    path = project / "public" / urlparse(url).path.removeprefix(urlparse(SITE_URL).path)
    return path / "index.html" if url.endswith("/") else path


# -- feeds ------------------------------------------------------------------------------------


def test_report_feed_lists_every_report_newest_first_with_dates_links_and_images(project):
    feed = parse(project / "public/feed_rss_created.xml")
    assert feed.version == "rss20"
    assert feed.feed.title == "Liquidity Watch: nightly reports"
    assert [e.title[:11] for e in feed.entries] == ["21 Aug 2026", "20 Aug 2026", "19 Aug 2026"]
    for entry, day in zip(feed.entries, DAYS, strict=True):
        assert parsedate_to_datetime(entry.published).isoformat() == f"{day}T06:00:00+00:00"
        assert entry.link == f"{SITE_URL}blog/{day.replace('-', '/')}/"
        assert public_file(project, entry.link).is_file()
        # a new report's item opens with the lead (the answer, then the regime and what
        # changed); the seed report of 21 Aug, written before the lead, keeps its opening
        if LEAD_MARK in (project / POSTS / f"{day}.md").read_text():
            assert entry.summary.startswith("<p><strong>") and "<p>Regime: " in entry.summary
        else:
            assert entry.summary.startswith("<p>Liquidity regime: ")
        (enclosure,) = entry.enclosures
        image = public_file(project, enclosure.href)
        assert enclosure.href == f"{SITE_URL}blog/{day}/regime.png"
        assert enclosure.type == "image/png" and int(enclosure.length) == image.stat().st_size
        assert image.read_bytes().startswith(b"\x89PNG")
    # The channel's build date is the newest report's, not the clock's: rebuilds are identical.
    built = parsedate_to_datetime(feed.feed.updated)  # written "-0000": UTC
    assert built.replace(tzinfo=None).isoformat() == f"{DAYS[0]}T06:00:00"
    assert public_file(project, feed.feed.image.href).is_file()
    assert feed.feed.link == SITE_URL and public_file(project, feed.feed.link).is_file()
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [
        f"{SITE_URL}feed_rss_created.xml"
    ]


def test_alerts_feed_holds_only_reports_in_which_a_status_changed(project):
    alerts = [e.link for e in parse(project / "public/feed_rss_alerts.xml").entries]
    expected = []
    for day in DAYS:
        meta = load_yaml((project / POSTS / f"{day}.md").read_text().split("---\n")[1])
        if "Alerts" in meta.get("categories", []):
            expected.append(f"{SITE_URL}blog/{day.replace('-', '/')}/")
    assert alerts == expected and expected[0].endswith("/2026/08/21/")  # Bitcoin: stress -> calm
    assert len(expected) < len(DAYS)


@pytest.mark.parametrize("name", JSON_FEEDS)
def test_json_feeds_match_the_rss_feeds(project, name: str):
    feed = json.loads((project / "public" / name).read_text())
    rss = parse(project / "public" / name.replace("json", "rss").replace(".rss", ".xml"))
    assert [i["url"] for i in feed["items"]] == [e.link for e in rss.entries]
    for item in feed["items"]:
        assert public_file(project, item["url"]).is_file()
        assert public_file(project, item["image"]).is_file()
        assert item["date_published"].startswith(
            item["url"][len(SITE_URL) + 5 :][:10].replace("/", "-")
        )


def test_every_page_links_both_feeds_in_head_and_footer(project):
    # embed/<id>.html are standalone pages for an iframe (publish/citable.py), not theme pages
    embeds = project / "public" / "embed"
    pages = sorted(p for p in (project / "public").rglob("*.html") if embeds not in p.parents)
    assert len(pages) > 20
    for page in pages:
        html = page.read_text()
        head = html[: html.index("</head>")]
        footer = html[html.index('<footer class="md-footer">') :]
        for feed in FEEDS:
            link = re.search(
                rf'<link rel="alternate" type="application/rss\+xml"[^>]*href="([^"]*{feed})"', head
            )
            assert link, f"{page}: no <link rel=alternate> to {feed}"
            # 404.html is served at any depth, so its links are absolute paths.
            base = project / "public" if link[1].startswith("/") else page.parent
            assert (base / link[1].lstrip("/")).resolve() == (project / "public" / feed).resolve()
            assert f'{link[1]}" type="application/rss+xml"' in footer, (
                f"{page}: footer lacks {feed}"
            )
        for feed in JSON_FEEDS:
            assert 'type="application/feed+json"' in head and feed in head


def test_two_builds_give_identical_feeds_and_pages(project, tmp_path):
    before = {p: p.read_bytes() for p in (project / "public").rglob("*") if p.is_file()}
    run_mkdocs(project)
    after = {p: p.read_bytes() for p in (project / "public").rglob("*") if p.is_file()}
    assert sorted(after) == sorted(before)
    assert [str(p) for p in after if after[p] != before[p]] == []


# -- hostile text -------------------------------------------------------------------------------


class Inspector(HTMLParser):
    """Collects script elements, URL attributes and the text outside scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src", "action", "formaction", "data"} and value:
                self.urls.append(value)
            if name.startswith("on"):
                self.urls.append(f"{name}={value}")
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def inspect(html: str) -> Inspector:
    parser = Inspector()
    parser.feed(html)
    parser.close()
    return parser


def test_hostile_titles_are_inert_in_every_page(project):
    shown_on = []
    for page in sorted((project / "public").rglob("*.html")):
        html = page.read_text()
        found = inspect(html)
        bad = [u for u in found.urls if u.strip().lower().startswith("javascript:")]
        assert not bad, f"{page}: {bad}"
        assert not [u for u in found.urls if u.startswith("on")], page
        assert not any("alert(1)" in script for script in found.scripts), page
        assert not CONTROL.search(html.encode()), page
        if SHOWN in " ".join("".join(found.text).split("\n")):
            shown_on.append(page.relative_to(project / "public").as_posix())
    # Shown as literal text where the title is printed: the indicator page, home card, report.
    assert {"indicators/btc/index.html", "index.html", "blog/2026/08/21/index.html"} <= set(
        shown_on
    )


def test_hostile_titles_are_inert_in_chart_json(project):
    raw = (project / "public/charts/btc.vl.json").read_bytes()
    # JSON must escape C0 control characters (DEL may stay raw); < > & are escaped too, so a
    # spec can never close a script element it is pasted into.
    assert b"<" not in raw and b">" not in raw and not re.search(rb"[\x00-\x09\x0b-\x1f]", raw)
    spec = json.loads(raw)
    assert spec["title"]["text"].startswith("Bitcoin </script> & [x](javascript:alert(1))")


@pytest.mark.parametrize("name", [*FEEDS, *JSON_FEEDS])
def test_hostile_titles_are_inert_in_feeds(project, name: str):
    raw = (project / "public" / name).read_bytes()
    assert not CONTROL.search(raw) and b"</script>" not in raw and b"<script" not in raw
    if name.endswith(".xml"):
        descriptions = [e.summary for e in parse(project / "public" / name).entries]
    else:
        descriptions = [i["content_html"] for i in json.loads(raw)["items"]]
    alert = next(d for d in descriptions if "Bitcoin" in d and "changed status" in d)
    found = inspect(alert)
    assert found.scripts == [] and found.links == [] and found.urls == []
    text = " ".join("".join(found.text).split())  # the RSS writer collapses runs of spaces
    assert "Bitcoin </script> & [x](javascript:alert(1)) end (stress to calm)" in text


def test_alerts_feed_selects_exactly_the_posts_in_its_category():
    def post(day: int, *categories: str) -> feeds.Post:
        return feeds.Post(date(2026, 8, day), "t", "d", "<p>d</p>", None, 0, categories)

    posts = [post(21, "Alerts"), post(20), post(19, "Other"), post(18, "Alerts")]
    alerts = feeds.Feed("alerts", "", "a.xml", "a.json", "Alerts")
    every = feeds.Feed("nightly reports", "", "r.xml", "r.json")
    assert [p.day.day for p in feeds.selected(posts, alerts)] == [21, 18]
    assert feeds.selected(posts, every) == posts
    many = [post(1 + i % 28) for i in range(feeds.LENGTH + 5)]
    assert len(feeds.selected(many, every)) == feeds.LENGTH
    assert feeds.published(date(2026, 8, 21)).timestamp() == 1787292000  # 06:00 UTC
    assert feeds.updated_name("feed_rss_created.xml") == "feed_rss_updated.xml"
    assert feeds.updated_name("feed_json_alerts.json") == "feed_json_alerts_updated.json"


def test_the_old_plugins_updated_feed_addresses_still_serve_the_same_feed(project):
    for name in (*FEEDS, *JSON_FEEDS):
        alias = project / "public" / feeds.updated_name(name)
        assert alias.read_bytes() == (project / "public" / name).read_bytes()


def test_a_new_reports_dark_picture_is_published_beside_the_light_one(project):
    """No hook wraps pictures any more: both images are in the page, each path resolving to
    the published file, and the stylesheet shows one per scheme."""
    page = project / "public" / "blog" / "2026" / "08" / "20" / "index.html"
    html = page.read_text()
    found = {}
    for kind in ("light", "dark"):
        match = re.search(
            rf'<img[^>]*src="([^"]+)"[^>]*class="lw-report-{kind}"', html
        ) or re.search(rf'<img[^>]*class="lw-report-{kind}"[^>]*src="([^"]+)"', html)
        assert match, f"no lw-report-{kind} image in {page}"
        found[kind] = (page.parent / match[1]).resolve()
        assert found[kind].is_file(), match[1]
    assert found["dark"].name == "regime.dark.png" and found["light"].name == "regime.png"
    css = (project / "public" / "assets" / "css" / "extra.css").read_text()
    assert (
        '[data-md-color-scheme="slate"] .md-typeset img.lw-report-dark { display: inline; }' in css
    )
