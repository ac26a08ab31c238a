"""MkDocs hook: a report image with published variants (dark, phone) becomes a ``<picture>``
(``generator/publish/images.picture_html`` writes it).

The report writes ``<date>/x.png`` and, next to it, ``x.dark.png``, ``x.narrow.png`` and
``x.narrow.dark.png`` (generator/publish/report.py). The post's Markdown only names the light
image, so MkDocs and the blog plugin rewrite its path to wherever the post and image are
published; a ``<source>`` written in the Markdown would keep a path that is wrong after the
blog plugin moves the post. So the sources are added here, after the paths are final, with each
variant's path made the same way as the light one's. Images without a published variant (every
other page) are left exactly as they are.
"""

from __future__ import annotations

import posixpath

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from generator.publish.images import picture_html


@event_priority(-50)  # after other plugins have settled the page's HTML
def on_page_content(html_text: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    published = {file.url for file in files}
    base = posixpath.dirname(page.url) if not page.url.endswith("/") else page.url
    return picture_html(
        html_text, lambda src: posixpath.normpath(posixpath.join(base, src)) in published
    )
