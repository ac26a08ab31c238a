"""MkDocs hook: every page gets its Content-Security-Policy (``generator/publish/csp.py``),
computed from the finished HTML so the hashes match the inline scripts Material wrote."""

from __future__ import annotations

from typing import Any

from mkdocs.plugins import event_priority

from generator.publish.csp import with_policy


@event_priority(-100)  # after every plugin and hook that edits the page
def on_post_page(output: str, page: Any, config: Any) -> str:
    return with_policy(output)


@event_priority(-100)
def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    """The theme's own pages (404.html)."""
    return with_policy(output_content) if template_name.endswith(".html") else output_content
