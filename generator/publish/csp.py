"""The Content-Security-Policy every page carries, as a ``<meta>`` tag (GitHub Pages sends no
headers of ours).

Scripts run only from the site itself or, inline, when their exact text is one the page was
built with (a ``sha256`` hash per inline script: Material's few small ones). No
``'unsafe-inline'`` for scripts, so an event-handler attribute (``onanimationstart=...``)
that slipped into a page never runs, and no ``'unsafe-eval'``: ``charts.js`` asks Vega for
its expression interpreter (``ast: true``), which evaluates chart expressions without
``eval``. Styles may be inline (Material's and Vega's ``style`` attributes; a style cannot
run script). Nothing is loaded from another host.
"""

from __future__ import annotations

import base64
import hashlib
import re

_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_JS_TYPES = {"", "text/javascript", "application/javascript", "module"}
_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
MARK = 'http-equiv="Content-Security-Policy"'

FIXED = (
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-src 'none'",
)


def inline_script_hashes(html: str) -> list[str]:
    """``'sha256-...'`` of every inline script the browser would run, in page order."""
    found = []
    for script in _SCRIPT.finditer(html):
        attrs = script.group("attrs")
        if re.search(r"\bsrc\s*=", attrs, re.IGNORECASE):
            continue
        kind = _TYPE.search(attrs)
        if (kind.group(1).lower() if kind else "") not in _JS_TYPES:
            continue  # data such as Material's application/json config: never run
        digest = hashlib.sha256(script.group("body").encode("utf-8")).digest()
        token = f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
        if token not in found:
            found.append(token)
    return found


def policy(html: str) -> str:
    scripts = " ".join(["script-src 'self'", *inline_script_hashes(html)])
    return "; ".join([FIXED[0], scripts, *FIXED[1:]])


def with_policy(html: str) -> str:
    """``html`` with the policy as the first element of its ``<head>``, before any script;
    unchanged when it has no head or already carries a policy."""
    head = _HEAD.search(html)
    if head is None or MARK in html:
        return html
    tag = f'\n<meta {MARK} content="{policy(html)}">'
    return html[: head.end()] + tag + html[head.end() :]
