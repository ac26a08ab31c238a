"""MkDocs hook: a report image with a dark variant becomes a ``<picture>`` that follows the
reader's ``prefers-color-scheme``.

The report writes ``<date>/x.png`` and, for posts made since dark images exist,
``<date>/x.dark.png`` next to it (generator/publish/report.py). The post's Markdown only names
the light image, so MkDocs and the blog plugin rewrite its path to wherever the post and image
are published; a ``<source>`` written in the Markdown would keep a path that is wrong after the
blog plugin moves the post. So the ``<source>`` is added here, after the paths are final, with
the dark image's path made the same way as the light one's. Images without a published dark
variant (older posts, every other page) are left exactly as they are.
"""

from __future__ import annotations

import html
import posixpath
import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

# An <img> whose src is a relative .png that is not itself a dark variant.
IMG = re.compile(r'<img\b[^>]*?\bsrc="(?![a-z]+:|/)([^"]+?)(?<!\.dark)\.png"[^>]*>')
DARK = '<source media="(prefers-color-scheme: dark)" srcset="{}">'


@event_priority(-50)  # after other plugins have settled the page's HTML
def on_page_content(html_text: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    published = {file.url for file in files}
    base = posixpath.dirname(page.url) if not page.url.endswith("/") else page.url

    def picture(match: re.Match[str]) -> str:
        stem = html.unescape(match[1])
        dark = f"{stem}.dark.png"
        if posixpath.normpath(posixpath.join(base, dark)) not in published:
            return match[0]
        return f"<picture>{DARK.format(html.escape(dark))}{match[0]}</picture>"

    return IMG.sub(picture, html_text)
