"""publish/identity.py: the site's name written into mkdocs.yml, inert in every sink Material
prints it to, and the publishing settings read back as MkDocs reads them."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from generator.catalogue.models import SiteConfig
from generator.publish import identity
from tests.conftest import FIXTURE, ROOT, load_yaml

NASTY = 'Tom & Jerry\'s "<b>Watch</b>"\x07'


def test_the_name_is_escaped_for_html_attributes_and_nothing_else_changes(tmp_path: Path):
    path = tmp_path / "mkdocs.yml"
    shutil.copy(ROOT / "mkdocs.yml", path)
    before = path.read_text().splitlines()
    assert identity.sync_mkdocs_yml(path, SiteConfig(name=NASTY, tagline="Why <now>?"))
    after = path.read_text().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert [after[i].split(":")[0] for i in changed] == ["site_name", "site_description"]
    data = identity.read_mkdocs_yml(path)
    name = data["site_name"]
    # no tag, no raw quote or ampersand, no control character: safe unescaped in an attribute
    assert "<" not in name and '"' not in name and "'" not in name and "\x07" not in name
    # (quotes become look-alike typographic quotes first: render.no_markup, issue 25)
    assert html.unescape(name) == "Tom & Jerry\u2019s \u201d\u2039b\u203aWatch\u2039/b\u203a\u201d"
    assert data["site_description"] == "Why \u2039now\u203a?"
    # a second run changes nothing (the build rewrites mkdocs.yml only when the name changes)
    assert not identity.sync_mkdocs_yml(path, SiteConfig(name=NASTY, tagline="Why <now>?"))


def test_the_committed_mkdocs_yml_already_carries_the_committed_name(tmp_path: Path):
    path = tmp_path / "mkdocs.yml"
    shutil.copy(ROOT / "mkdocs.yml", path)
    site = load_yaml((FIXTURE / "indicators.yml").read_text())["site"]
    assert not identity.sync_mkdocs_yml(path, SiteConfig(**site))


def test_settings_read_site_url_feeds_and_blog_as_mkdocs_does(tmp_path: Path, monkeypatch):
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    monkeypatch.delenv("SITE_URL", raising=False)
    found = identity.settings(tmp_path)
    assert found.site_url == "https://liquidity-watch.example.org/"
    assert [f.rss for f in found.feeds] == ["feed_rss_created.xml", "feed_rss_alerts.xml"]
    assert [f.category for f in found.feeds] == [None, "Alerts"]
    assert found.blog_dir == "blog" and found.share_image == "assets/logo.png"
    monkeypatch.setenv("SITE_URL", "https://user.github.io/repo")
    assert identity.settings(tmp_path).site_url == "https://user.github.io/repo/"


def test_the_site_builds_with_no_hook_and_no_feed_plugin():
    """Zensical runs no hooks and refused the RSS plugin's second instance: no feed plugin is
    used and no hook is left (the Content-Security-Policy is written after the build by
    `generator csp`, the report pictures by `generator report`)."""
    config = identity.read_mkdocs_yml(ROOT / "mkdocs.yml")
    assert "hooks" not in config
    names = [next(iter(p)) if isinstance(p, dict) else p for p in config["plugins"]]
    assert names == ["search", "blog"]
    assert not (ROOT / "hooks").exists()
