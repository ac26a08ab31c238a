"""Feeds and sharing as other programs read them: JSON Feed 1.1, the feed links in each head,
OpenGraph and Twitter card tags, and the site's own icon."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import ROOT

SITE_URL = "https://liquidity-watch.example.org/"
JSON_FEEDS = ("feed_json_created.json", "feed_json_alerts.json")


def _nulls(node: object, path: str = "") -> list[str]:
    if node is None:
        return [path]
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _nulls(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _nulls(v, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("name", JSON_FEEDS)
def test_json_feeds_are_valid_json_feed_1_1(built_project: Path, name: str):
    feed = json.loads((built_project / "public" / name).read_text())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert not _nulls(feed), _nulls(feed)
    assert feed["authors"] and all(a.get("name") for a in feed["authors"])
    for item in feed["items"]:
        assert item.get("authors", [{"name": "x"}]), item["id"]  # absent or non-empty
        assert item["id"] and (item.get("content_html") or item.get("content_text"))


def _pages(built_project: Path) -> list[Path]:
    pages = sorted((built_project / "public").rglob("index.html"))
    assert len(pages) > 15
    return pages


def test_each_head_advertises_the_two_feeds_once(built_project: Path):
    for page in _pages(built_project):
        head = page.read_text().split("</head>")[0]
        alternates = re.findall(r'<link rel="alternate" type="([^"]+)" title="([^"]+)"', head)
        assert sorted(t for t, _ in alternates) == [
            "application/feed+json",
            "application/feed+json",
            "application/rss+xml",
            "application/rss+xml",
        ], (page, alternates)
        assert all(title.startswith("Liquidity Watch: ") for _, title in alternates)
        assert "_updated" not in head, page


def test_every_page_has_opengraph_and_twitter_card_tags(built_project: Path):
    for page in _pages(built_project):
        head = page.read_text().split("</head>")[0]
        tags = dict(
            re.findall(
                r'<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)"', head
            )
        )
        for key in ("og:title", "og:description", "og:image", "og:url", "twitter:card"):
            assert tags.get(key), (page, key)
        assert tags["og:image"].startswith(SITE_URL)
        image = built_project / "public" / tags["og:image"].removeprefix(SITE_URL)
        assert image.is_file(), (page, tags["og:image"])
    post = next((built_project / "public" / "blog").glob("20*/*/*/index.html"))
    assert re.search(r'og:image" content="[^"]+\.png"', post.read_text())
    assert 'og:type" content="article"' in post.read_text()


def test_favicon_and_logo_are_the_sites_own_svg(built_project: Path):
    home = (built_project / "public" / "index.html").read_text()
    assert re.search(r'<link rel="icon" href="assets/logo\.svg"', home)
    assert '<img src="assets/logo.svg"' in home
    svg = (built_project / "public" / "assets" / "logo.svg").read_text()
    assert svg.startswith("<svg") and "<title>" in svg
    assert (built_project / "public" / "assets" / "logo.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("name", JSON_FEEDS)
def test_json_feeds_validate_against_the_json_feed_1_1_schema(built_project: Path, name: str):
    schema = json.loads((ROOT / "schemas" / "jsonfeed-1.1.schema.json").read_text())
    feed = json.loads((built_project / "public" / name).read_text())
    errors = sorted(Draft202012Validator(schema).iter_errors(feed), key=lambda e: e.path)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    if "alerts" not in name:  # the seed report is no alert: the alerts feed is empty here
        assert feed["items"], name
    assert feed["feed_url"] == SITE_URL + name


def test_feeds_need_no_xslt_and_no_stylesheet_is_published(built_project: Path):
    """Chromium warns in red before running an XSLT stylesheet: the feeds name none."""
    for name in ("feed_rss_created.xml", "feed_rss_alerts.xml"):
        raw = (built_project / "public" / name).read_bytes()
        assert raw.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
        assert b"xml-stylesheet" not in raw
    assert not (built_project / "public" / "rss.xsl").exists()


def test_indicator_pages_share_their_chart_picture_and_sentence(built_project: Path):
    html = (built_project / "public" / "indicators" / "btc" / "index.html").read_text()
    assert f'<meta property="og:image" content="{SITE_URL}charts/btc.png">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert re.search(r'og:image:alt" content="Bitcoin, weekly, [^"]+ on \d+ \w+ 20\d\d', html)
    png = built_project / "public" / "charts" / "btc.png"
    assert png.read_bytes()[:4] == b"\x89PNG"
