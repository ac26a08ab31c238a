"""The report feeds, RSS 2.0 and JSON Feed 1.1, written by the generator from the posts' front
matter.

They used to come from mkdocs-rss-plugin plus a hook that fixed its output (titles, the alerts
filter, enclosure addresses, JSON Feed nulls, the build date). Zensical runs no hooks and
rejects the plugin's second instance, so the feeds are now files the generator writes into
``site/`` before any theme runs; the theme copies them as it copies any other file. RSS is
written by ``feedgen`` (pinned), which escapes and orders the XML; JSON Feed is plain JSON
built to the 1.1 specification (``schemas/jsonfeed-1.1.schema.json`` checks it in the tests).

The addresses follow the blog's rules as both themes apply them: a post
``blog/posts/YYYY-MM-DD.md`` is published at ``blog/YYYY/MM/DD/`` (``post_url_format:
"{date}"``) and its images ``blog/posts/YYYY-MM-DD/x.png`` at ``blog/YYYY-MM-DD/x.png``. Every
date is the post's own at ``POST_TIME`` UTC, so two builds give the same bytes. No XSLT
stylesheet: Chromium warns in red before running one (the plugin's ``rss.xsl``); a browser now
shows the feed as plain XML, and a feed reader reads it as before.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator

from generator.publish import answer
from generator.publish.contexts import Headline
from generator.publish.identity import Feed, Settings
from generator.publish.render import front_matter, html_text, no_markup

POST_TIME = time(6, 0)
LENGTH = 30  # the newest posts in each feed
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Post:
    day: date
    title: str
    description: str  # plain text
    html: str  # the feed item's HTML (front matter rss.feed_description)
    image: str | None  # relative to the posts folder, e.g. 2026-08-21/regime.png
    image_bytes: int
    categories: tuple[str, ...]


def read_posts(posts: Path, until: date | None = None) -> list[Post]:
    """The dated posts, newest first (with ``until``: none dated after it)."""
    found = []
    for path in sorted(posts.glob("*.md"), reverse=True) if posts.is_dir() else []:
        try:
            day = date.fromisoformat(path.stem)
        except ValueError:
            continue
        if until is not None and day > until:
            continue
        meta = front_matter(path.read_text(encoding="utf-8"))
        image = meta.get("image")
        image = image.strip() if isinstance(image, str) else None
        image_path = posts / image if image else None
        rss_meta = meta.get("rss")
        rss: dict[str, Any] = rss_meta if isinstance(rss_meta, dict) else {}
        description = str(meta.get("description") or "")
        found.append(
            Post(
                day=day,
                title=_clean(meta.get("title") or path.stem),
                description=_clean(description),
                html=_clean(rss.get("feed_description") or description),
                image=image if image_path is not None and image_path.is_file() else None,
                image_bytes=image_path.stat().st_size
                if image_path is not None and image_path.is_file()
                else 0,
                categories=tuple(str(c) for c in meta.get("categories") or []),
            )
        )
    return found


def _clean(value: object) -> str:
    """XML 1.0 cannot hold C0 control characters; a post's text never needs them."""
    return _CONTROL.sub("", str(value))


def post_url(settings: Settings, day: date) -> str:
    return f"{settings.site_url}{settings.blog_dir}/{day:%Y/%m/%d}/"


def image_url(settings: Settings, image: str) -> str:
    return f"{settings.site_url}{settings.blog_dir}/{image}"


def published(day: date) -> datetime:
    return datetime.combine(day, POST_TIME, tzinfo=UTC)


def selected(posts: list[Post], feed: Feed) -> list[Post]:
    chosen = [p for p in posts if feed.category is None or feed.category in p.categories]
    return chosen[:LENGTH]


def rss_xml(settings: Settings, site_name: str, feed: Feed, posts: list[Post]) -> bytes:
    """One RSS 2.0 feed: the channel titled '<site name>: <feed title>', newest item first."""
    generator = FeedGenerator()
    generator.title(f"{site_name}: {feed.title}")
    # feedgen takes the channel's <link> from the last link given: the site, after the self link
    generator.link(href=settings.site_url + feed.rss, rel="self", type="application/rss+xml")
    generator.link(href=settings.site_url, rel="alternate")
    generator.description(feed.description or site_name)
    generator.language("en")
    generator.generator("Liquidity Watch generator (python-feedgen)")
    generator.image(
        url=settings.site_url + settings.share_image,
        title=f"{site_name}: {feed.title}",
        link=settings.site_url,
    )
    chosen = selected(posts, feed)
    newest = published(chosen[0].day) if chosen else published(date(1970, 1, 1))
    generator.lastBuildDate(newest)
    for post in chosen:
        entry = generator.add_entry(order="append")
        url = post_url(settings, post.day)
        entry.title(post.title)
        entry.link(href=url)
        entry.guid(url, permalink=True)
        entry.pubDate(published(post.day))
        entry.description(post.html)
        for category in post.categories:
            entry.category(term=category)
        if post.image:
            entry.enclosure(image_url(settings, post.image), str(post.image_bytes), "image/png")
    payload: bytes = generator.rss_str(pretty=True)
    return payload


def json_feed(settings: Settings, site_name: str, feed: Feed, posts: list[Post]) -> dict[str, Any]:
    """One JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): no null fields, the
    site's author on the feed (items inherit it)."""
    author: dict[str, str] = {"name": settings.author or site_name, "url": settings.site_url}
    items = []
    for post in selected(posts, feed):
        url = post_url(settings, post.day)
        item: dict[str, Any] = {
            "id": url,
            "url": url,
            "title": post.title,
            "content_html": post.html,
            "summary": post.description,
            "date_published": published(post.day).isoformat(),
        }
        if post.image:
            item["image"] = image_url(settings, post.image)
        if post.categories:
            item["tags"] = list(post.categories)
        items.append(item)
    return {
        "version": JSON_FEED_VERSION,
        "title": f"{site_name}: {feed.title}",
        "home_page_url": settings.site_url,
        "feed_url": settings.site_url + feed.json,
        "description": feed.description or site_name,
        "icon": settings.site_url + settings.share_image,
        "favicon": settings.site_url + settings.share_image,
        "authors": [author],
        "language": "en",
        "items": items,
    }


def updated_name(name: str) -> str:
    """The address the old plugin also wrote ('updated' feeds), kept so no subscriber breaks:
    feed_rss_created.xml -> feed_rss_updated.xml, feed_rss_alerts.xml ->
    feed_rss_alerts_updated.xml. Reports are never rewritten, so both list the same items."""
    stem, dot, suffix = name.rpartition(".")
    if stem.endswith("_created"):
        return f"{stem.removesuffix('_created')}_updated{dot}{suffix}"
    return f"{stem}_updated{dot}{suffix}"


def feed_files(settings: Settings, site_name: str, posts: list[Post]) -> dict[str, bytes]:
    """Every feed file by its name under the site root. The site name as the pages print it
    (``no_markup``: look-alike quotes and brackets), since many feed readers show a channel's
    title as HTML."""
    site_name = no_markup(site_name)
    files: dict[str, bytes] = {}
    for feed in settings.feeds:
        rss = rss_xml(settings, site_name, feed, posts)
        data = json.dumps(json_feed(settings, site_name, feed, posts), ensure_ascii=False, indent=1)
        data_bytes = (data + "\n").encode("utf-8")
        for name, content in ((feed.rss, rss), (feed.json, data_bytes)):
            files[name] = content
            files[updated_name(name)] = content
    return files


def item_html(
    opening: answer.Lead | None, regime_line: str, headline: Headline, summary: str
) -> str:
    """A feed item's HTML: the lead first (the answer, the regime, the arrows), then the
    summary; posts written before the lead keep their regime line and its reasons."""
    if opening is None:
        return (
            f"<p>{html_text(regime_line)} {html_text(headline['text'])}</p>"
            f"<p>{html_text(summary)}</p>"
        )
    answer_text = " ".join(opening.sentences)
    first = f"<p><strong>{html_text(answer_text)}</strong></p>" if answer_text else ""
    return (
        f"{first}<p>{html_text(opening.regime_text)} {html_text(opening.changes_text)}</p>"
        f"<p>{html_text(summary)}</p>"
    )
