"""Redaction: the one place secrets are masked from every message, log line and file.

Split from ``net`` (timeouts, retries, errors) so the rule stays small and readable; ``net``
re-exports these names for the sources, and ``cli`` passes every printed line through
``redact``.
"""

from __future__ import annotations

import os
import re

_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# Variables holding secrets; their values (and pieces of REDACT_MIN characters) are masked.
# FRED's is always there; ``declare_secrets`` adds every key variable a source in
# indicators.yml declares (``update`` calls it before any request), so a second keyed source's
# key is masked exactly like FRED's.
SECRET_VARIABLES: list[str] = ["FRED_API_KEY"]
REDACT_MIN = 8


def declare_secrets(names: list[str]) -> None:
    """Add key variables declared in indicators.yml to those redaction masks."""
    for name in names:
        if name not in SECRET_VARIABLES:
            SECRET_VARIABLES.append(name)


def secrets() -> list[str]:
    """The secrets in the environment that must never be printed or written."""
    values = (os.environ.get(name, "").strip() for name in SECRET_VARIABLES)
    return [value for value in values if len(value) >= 4]


def redact(text: str) -> str:
    """Mask every secret and every piece of one that is ``REDACT_MIN`` characters or longer.

    Any run of text made of overlapping ``REDACT_MIN``-grams of a secret is masked as a whole,
    so a key cut anywhere (by a server's own clipping, or a line break) still leaves at most
    ``REDACT_MIN - 1`` of its characters next to the mask. Case-insensitive: some gateways
    upper-case query strings in their error pages.
    """
    keys = secrets()
    if not keys or not text:
        return text
    lowered = text.lower()
    masked = [False] * len(text)
    for key in keys:
        key = key.lower()
        if len(key) < REDACT_MIN:
            grams, size = {key}, len(key)
        else:
            grams = {key[i : i + REDACT_MIN] for i in range(len(key) - REDACT_MIN + 1)}
            size = REDACT_MIN
        for start in range(len(text) - size + 1):
            if lowered[start : start + size] in grams:
                masked[start : start + size] = [True] * size
    if not any(masked):
        return text
    out: list[str] = []
    for index, char in enumerate(text):
        if not masked[index]:
            out.append(char)
        elif index == 0 or not masked[index - 1]:
            out.append("***")
    return "".join(out)


def clean(text: object, limit: int = 160) -> str:
    """Third-party text made safe for a log line: no secret (redacted first, so clipping can
    never cut a key into an unrecognisable piece), no URLs, no control characters, short."""
    result = _CONTROL.sub(" ", _URL.sub("<link>", redact(str(text)))).strip()
    return result if len(result) <= limit else result[: limit - 1] + "…"
