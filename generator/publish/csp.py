"""The Content-Security-Policy every page carries, as a ``<meta>`` tag (GitHub Pages sends no
headers of ours), written into the built site after the theme has run:
``python -m generator csp public`` (``make site``, the workflows, the tests' builds and the
Zensical comparison all run it after their build). It was a MkDocs hook until issue 23; a hook
ties the site to one engine (Zensical runs none), and the hashes must be those of the finished
HTML, which only exists once the engine is done.

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
import os
import re
import tempfile
from pathlib import Path

_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_JS_TYPES = {"", "text/javascript", "application/javascript", "module"}
_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
MARK = 'http-equiv="Content-Security-Policy"'
_POLICY = re.compile(r'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"', re.I)

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


def write_site(site: Path) -> int:
    """Give every ``.html`` page under ``site`` its policy; returns how many pages changed.

    Idempotent: a page that already carries a policy (written by an earlier run, or an embed
    page's stricter one) is left as it is. Each page is replaced atomically (a temporary file
    beside it, then a rename), so a reader or a killed run never sees half a page."""
    changed = 0
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        finished = with_policy(html)
        if finished != html:
            _replace(page, finished)
            changed += 1
    return changed


def site_problems(site: Path) -> list[str]:
    """Each page whose policy is missing or does not allow one of its inline scripts (one
    changed after the policy was written never runs in a browser), one line per page."""
    problems = []
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        if _HEAD.search(html) is None:
            continue  # not a page (a fragment or a redirect stub without a head)
        found = _POLICY.search(html)
        where = page.relative_to(site).as_posix()
        if found is None:
            problems.append(f"{where}: no Content-Security-Policy <meta> in its <head>")
            continue
        directives = dict(
            (part.strip().split(" ", 1) + [""])[:2] for part in found[1].split(";") if part.strip()
        )
        allowed = directives.get("script-src", directives.get("default-src", "")).split()
        missing = [token for token in inline_script_hashes(html) if token not in allowed]
        if missing:
            problems.append(
                f"{where}: {len(missing)} inline script(s) the policy does not allow "
                f"({', '.join(missing)}); was the page edited after `generator csp`?"
            )
    return problems


def _replace(page: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=page.parent, prefix=f".{page.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, page.stat().st_mode & 0o777)
        os.replace(temporary, page)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
