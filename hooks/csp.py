"""MkDocs hook: every page gets its Content-Security-Policy (``generator/publish/csp.py``),
computed from the finished HTML so the hashes match the inline scripts Material wrote.

It also offers a report image's published variants (dark, phone) in a ``<picture>``
(``images.picture_html``): posts written before the variants existed, such as the seed post,
name only their light image and are never rewritten."""

from __future__ import annotations

import posixpath
from typing import Any

from mkdocs.plugins import event_priority

from generator.publish.csp import with_policy
from generator.publish.images import picture_html


@event_priority(-50)  # after other plugins have settled the page's HTML and its image paths
def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    published = {file.url for file in files}
    base = page.url if page.url.endswith("/") else posixpath.dirname(page.url)
    return picture_html(
        html, lambda src: posixpath.normpath(posixpath.join(base, src)) in published
    )


@event_priority(-100)  # after every plugin and hook that edits the page
def on_post_page(output: str, page: Any, config: Any) -> str:
    return with_policy(output)


@event_priority(-100)
def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    """The theme's own pages (404.html)."""
    return with_policy(output_content) if template_name.endswith(".html") else output_content
