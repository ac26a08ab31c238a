"""Timeouts, pacing, retries and HTTP error classification shared by every source.

The knobs are environment variables named after the source (``FRED_TIMEOUT``,
``MARKET_RETRY_ATTEMPTS``...), so the nightly job keeps polite defaults while tests shrink the
waits to milliseconds. Error messages are built here from status codes and short reasons only:
an exception's own text can contain the request URL, and FRED's URLs contain the key.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import TypeVar

from tenacity import RetryCallState, Retrying, stop_after_attempt

from generator.fetch.sources import KeyRejected, NotFound, SourceError, Transient

T = TypeVar("T")
USER_AGENT = "Mozilla/5.0 (compatible; liquidity-watch/0.1; nightly data update)"
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Settings:
    """Per-source network settings, read from ``<PREFIX>_*`` environment variables."""

    timeout: float = 30.0  # seconds per socket operation
    attempts: int = 4  # total tries for a transient failure
    wait: float = 2.0  # first backoff in seconds, doubled each retry
    max_wait: float = 60.0  # longest single wait, Retry-After included
    min_interval: float = 1.0  # seconds between two requests to the same source


def settings(prefix: str) -> Settings:
    def number(name: str, default: float, low: float) -> float:
        raw = os.environ.get(f"{prefix}_{name}", "").strip()
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise SourceError(f"{prefix}_{name} must be a number") from None
        return max(value, low)

    base = Settings()
    return Settings(
        timeout=number("TIMEOUT", base.timeout, 0.05),
        attempts=int(number("RETRY_ATTEMPTS", base.attempts, 1)),
        wait=number("RETRY_WAIT", base.wait, 0.0),
        max_wait=number("RETRY_MAX_WAIT", base.max_wait, 0.0),
        min_interval=number("MIN_INTERVAL", base.min_interval, 0.0),
    )


def api_root(prefix: str, default: str) -> str:
    """Base URL from ``<PREFIX>_API_ROOT`` so tests and mirrors can stand in for the source."""
    root = os.environ.get(f"{prefix}_API_ROOT", "").strip() or default
    if not root.startswith(("http://", "https://")):
        raise SourceError(f"{prefix}_API_ROOT must start with http:// or https://")
    return root.rstrip("/")


class Pacer:
    """Keeps at least ``min_interval`` seconds between the starts of two requests."""

    def __init__(self) -> None:
        self._last = 0.0

    def wait(self, min_interval: float) -> None:
        gap = self._last + min_interval - time.monotonic()
        if gap > 0:
            time.sleep(gap)
        self._last = time.monotonic()


def clean(text: object, limit: int = 160) -> str:
    """Third-party text made safe for a log line: no URLs, no control characters, short."""
    result = _CONTROL.sub(" ", _URL.sub("<link>", str(text))).strip()
    return result if len(result) <= limit else result[: limit - 1] + "…"


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None when absent or junk."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def with_retries(call: Callable[[], T], config: Settings) -> T:
    """Run ``call`` with tenacity: transient errors are retried with exponential backoff (or the
    server's Retry-After), a rejected key gets exactly one delayed second chance (FRED has been
    seen to reject good keys intermittently), anything else fails at once."""

    def should_retry(state: RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, Transient):
            asked = error.retry_after
            return asked is None or asked <= config.max_wait
        return isinstance(error, KeyRejected) and state.attempt_number == 1

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "retry_after", None)
        if asked is not None:
            return min(asked, config.max_wait)
        return min(config.wait * 2 ** (state.attempt_number - 1), config.max_wait)

    retrying = Retrying(
        stop=stop_after_attempt(config.attempts), retry=should_retry, wait=wait, reraise=True
    )
    attempt_number = 0
    try:
        for attempt in retrying:
            attempt_number = attempt.retry_state.attempt_number
            with attempt:
                return call()
    except SourceError as error:
        error.attempts = attempt_number
        raise
    raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover


def network_error(label: str, error: BaseException, timeout: float) -> SourceError:
    """Map a urllib/socket failure to a classified error whose text holds no URL."""
    if isinstance(error, TimeoutError | socket.timeout):
        return Transient(f"{label} did not answer within {timeout:g} s")
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            return Transient(f"{label} did not answer within {timeout:g} s")
        if isinstance(reason, OSError) and reason.strerror:
            return Transient(f"cannot reach {label} ({reason.strerror.lower()})")
        return Transient(f"cannot reach {label} ({clean(reason, 60)})")
    if isinstance(error, http.client.HTTPException | ConnectionError):
        return Transient(f"{label} closed the connection before the reply was complete")
    if isinstance(error, OSError):
        return Transient(f"network error talking to {label} ({clean(error.strerror or 'I/O', 60)})")
    return SourceError(f"unexpected {type(error).__name__} talking to {label}")


def http_error(
    label: str, status: int, body: bytes, headers: Mapping[str, str] | Message | None
) -> SourceError:
    """Classify an HTTP error reply; ``body`` only contributes a short cleaned message."""
    detail = _json_message(body)
    suffix = f": {detail}" if detail else ""
    if status == 429:
        asked = retry_after(headers.get("Retry-After") if headers is not None else None)
        return Transient(f"{label} rate limit (HTTP 429)", status=status, retry_after=asked)
    if status >= 500:
        kind = "server error" if _looks_structured(body) else "server error, non-JSON body"
        return Transient(f"{label} {kind} (HTTP {status})", status=status)
    if status == 404:
        return NotFound(f"{label} has no such series (HTTP 404{suffix})", status=status)
    return SourceError(f"{label} refused the request (HTTP {status}{suffix})", status=status)


def _looks_structured(body: bytes) -> bool:
    return body.lstrip()[:1] in (b"{", b"[")


def _json_message(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(payload, dict):
        for key in ("message", "error_message", "description"):
            if isinstance(payload.get(key), str):
                return clean(payload[key], 100)
        for value in payload.values():
            if isinstance(value, dict) and isinstance(value.get("error"), dict):
                inner = value["error"]
                return clean(inner.get("description") or inner.get("code") or "", 100)
    return ""


def get(url: str, label: str, config: Settings, headers: dict[str, str] | None = None) -> bytes:
    """One GET with a timeout; returns the body of a 2xx reply, raises a classified error."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    opener = urllib.request.build_opener()
    try:
        with opener.open(request, timeout=config.timeout) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        try:
            body = error.read()
        except (OSError, http.client.HTTPException):
            body = b""
        raise http_error(label, error.code, body, error.headers) from None
    except (OSError, http.client.HTTPException) as error:
        raise network_error(label, error, config.timeout) from None


def parse_json(body: bytes, label: str) -> object:
    """JSON or a transient error: gateways and consent pages answer HTML with status 200."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Transient(
            f"{label} sent a reply that is not valid JSON (truncated or an error page)"
        ) from None
