"""MkDocs hook: the two report feeds (every report, and alerts only), correct and reproducible.

mkdocs-rss-plugin does most of the work; this hook fills four gaps, all driven by
``extra.feeds`` in ``mkdocs.yml`` so the feed names live in one place:

* **Titles.** Each feed is titled ``<site name>: <feed title>``, after ``site_identity`` has
  set the site name from ``indicators.yml``, so a fork that renames its site renames its feeds.
* **Alerts.** The plugin selects pages by path only. A feed with a ``category`` gets a
  ``match_path`` listing exactly the posts whose front matter puts them in that category (the
  report writes ``categories: [Alerts]`` when a status changed).
* **Enclosures.** The plugin measures a post's ``image:`` relative to the post's file but
  builds its URL relative to ``site_url``; it is replaced by the URL the image is published at
  (the blog plugin publishes ``blog/posts/<date>/x.png`` as ``blog/<date>/x.png``).
* **JSON Feed 1.1.** The plugin writes ``"tags": null`` and ``"authors": []``, both invalid;
  null fields are dropped and the authors come from ``site_author`` (else the site's name).
* **Reading view.** The plugin's ``rss.xsl`` shows each description's HTML as raw tags; it is
  replaced by ``hooks/rss.xsl``, which renders it.
* **Sharing image.** A page's ``image:`` becomes ``og_image`` (absolute), for overrides/main.html.
* **Build date.** The channel's ``lastBuildDate`` (and the sitemap's ``lastmod``) come from the
  clock; pinning ``SOURCE_DATE_EPOCH`` to the newest report makes two builds byte-identical.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import meta as front_matter

log = get_plugin_logger("feeds")
MATCH_NOTHING = r"(?!)"
ENCLOSURE = re.compile(r'(<enclosure url=")([^"]*)(")')

# Per build: wrong enclosure URL (as the plugin writes it) -> the URL of the file.
_enclosures: dict[str, str] = {}
# Whether SOURCE_DATE_EPOCH was set by this hook (and may be moved) or by the user.
_pinned_by_us = False


@dataclass(frozen=True)
class Post:
    src_uri: str
    day: date | None
    categories: tuple[str, ...]


def rss_instances(config: MkDocsConfig) -> dict[str, BasePlugin[Any]]:
    """Every mkdocs-rss-plugin instance, by the file name of its RSS feed."""
    found = {}
    for name, plugin in config.plugins.items():
        if name == "rss" or name.startswith("rss #"):
            found[plugin.config.feeds_filenames.rss_created] = plugin
    return found


def read_posts(config: MkDocsConfig) -> list[Post]:
    """The blog posts' dates and categories, read from their front matter."""
    blog = config.plugins.get("material/blog")
    if blog is None:
        return []
    blog_dir = blog.config.blog_dir
    post_dir = Path(config.docs_dir) / blog.config.post_dir.format(blog=blog_dir)
    posts = []
    for path in sorted(post_dir.rglob("*.md")):
        _, meta = front_matter.get_data(path.read_text(encoding="utf-8"))
        day = meta.get("date")
        if isinstance(day, datetime):
            day = day.date()
        categories = meta.get("categories") or []
        posts.append(
            Post(
                src_uri=path.relative_to(config.docs_dir).as_posix(),
                day=day if isinstance(day, date) else None,
                categories=tuple(str(c) for c in categories),
            )
        )
    return posts


def match_path_for(posts: list[Post], category: str) -> str:
    """A regex that matches the source path of exactly the posts in ``category``."""
    chosen = [re.escape(p.src_uri) for p in posts if category in p.categories]
    return "(?:" + "|".join(chosen) + r")\Z" if chosen else MATCH_NOTHING


def build_epoch(posts: list[Post], default_time: str) -> int | None:
    """Seconds since the epoch of the newest post, at the feeds' default time (UTC)."""
    days = [p.day for p in posts if p.day is not None]
    if not days:
        return None
    hour, minute = (int(part) for part in default_time.split(":"))
    return int(datetime.combine(max(days), time(hour, minute), tzinfo=UTC).timestamp())


@event_priority(50)  # after site_identity (100) names the site, before the rss plugin (0)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _pinned_by_us
    _enclosures.clear()
    instances = rss_instances(config)
    posts = read_posts(config)
    site_url = _site_url(config)
    for feed in config.extra.get("feeds") or []:
        plugin = instances.get(feed["rss"])
        if plugin is None:
            raise PluginError(f"extra.feeds: no rss plugin instance writes {feed['rss']!r}")
        if plugin.config.feeds_filenames.json_created != feed["json"]:
            raise PluginError(
                f"extra.feeds: the rss instance writing {feed['rss']!r} writes "
                f"{plugin.config.feeds_filenames.json_created!r}, not {feed['json']!r}"
            )
        plugin.config.feed_title = f"{config.site_name}: {feed['title']}"
        plugin.config.feed_description = feed.get("description") or config.site_description
        if not plugin.config.image and site_url:
            plugin.config.image = site_url + (
                config.extra.get("share_image") or config.theme["favicon"]
            )
        if feed.get("category"):
            plugin.config.match_path = match_path_for(posts, feed["category"])
    if _pinned_by_us or "SOURCE_DATE_EPOCH" not in os.environ:
        first = next(iter(instances.values()), None)
        default_time = first.config.date_from_meta.default_time if first else "00:00"
        if isinstance(default_time, datetime):  # already parsed by an earlier build (serve)
            default_time = default_time.strftime("%H:%M")
        epoch = build_epoch(posts, str(default_time))
        if epoch is not None:
            os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
            _pinned_by_us = True
    return config


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Remember where each post's relative ``image:`` really is, for the feeds' enclosures."""
    image = page.meta.get("image")
    site_url = _site_url(config)
    if not isinstance(image, str) or not site_url or re.match(r"[a-z]+:", image):
        return markdown
    image = image.strip()
    source = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), image))
    file = files.get_file_from_path(source)
    if file is None:
        log.warning(f"{page.file.src_uri}: image {image!r} (the feed enclosure) does not exist")
        return markdown
    # file.url is where the file is published (the blog plugin moves files out of posts/).
    wrong, right = site_url + image, site_url + file.url
    page.meta["og_image"] = right
    if _enclosures.get(wrong, right) != right:
        raise PluginError(f"{page.file.src_uri}: enclosure {image!r} is ambiguous between posts")
    _enclosures[wrong] = right
    return markdown


def json_feed_1_1(feed: dict[str, Any], authors: list[dict[str, Any]]) -> dict[str, Any]:
    """A JSON Feed 1.1 without null fields and with the site's authors where none are given."""

    def clean(node: object) -> object:
        if isinstance(node, dict):
            return {k: clean(v) for k, v in node.items() if v is not None}
        if isinstance(node, list):
            return [clean(v) for v in node]
        return node

    cleaned = clean(feed)
    assert isinstance(cleaned, dict)
    feed = cleaned
    if not feed.get("authors"):
        feed["authors"] = authors
    for item in feed.get("items", []):
        if not item.get("authors"):
            item.pop("authors", None)  # the feed's authors apply (JSON Feed 1.1, section 4)
        if item.get("tags") == []:
            item.pop("tags")
    return feed


def _authors(config: MkDocsConfig) -> list[dict[str, Any]]:
    author: dict[str, Any] = {"name": config.site_author or config.site_name}
    if _site_url(config):
        author["url"] = _site_url(config)
    return [author]


@event_priority(-100)  # after the rss plugin has written its files
def on_post_build(config: MkDocsConfig) -> None:
    site = Path(config.site_dir)
    xsl = Path(__file__).with_name("rss.xsl")
    if (site / "rss.xsl").exists() and xsl.exists():
        (site / "rss.xsl").write_text(xsl.read_text(encoding="utf-8"), encoding="utf-8")
    for plugin in rss_instances(config).values():
        names = plugin.config.feeds_filenames
        for name in (names.rss_created, names.rss_updated):
            path = site / name
            if path.exists():
                text = path.read_text(encoding="utf-8")
                fixed = ENCLOSURE.sub(lambda m: m[1] + _enclosures.get(m[2], m[2]) + m[3], text)
                if fixed != text:
                    path.write_text(fixed, encoding="utf-8")
        for name in (names.json_created, names.json_updated):
            path = site / name
            if path.exists():
                feed = json.loads(path.read_text(encoding="utf-8"))
                for item in feed.get("items", []):
                    if item.get("image") in _enclosures:
                        item["image"] = _enclosures[item["image"]]
                feed = json_feed_1_1(feed, _authors(config))
                indent = 4 if plugin.config.pretty_print else None
                path.write_text(json.dumps(feed, indent=indent), encoding="utf-8")


def _site_url(config: MkDocsConfig) -> str | None:
    url = config.site_url
    if not url:
        return None
    return url if url.endswith("/") else url + "/"
