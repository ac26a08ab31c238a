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
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import TypeVar

from tenacity import RetryCallState, Retrying, stop_after_attempt

from generator.fetch import budget
from generator.fetch.sources import KeyRejected, NotFound, SourceError, Transient
from generator.fetch.sources.redaction import (
    REDACT_MIN as REDACT_MIN,
)
from generator.fetch.sources.redaction import (
    SECRET_VARIABLES as SECRET_VARIABLES,
)
from generator.fetch.sources.redaction import clean as clean
from generator.fetch.sources.redaction import declare_secrets as declare_secrets
from generator.fetch.sources.redaction import redact as redact
from generator.fetch.sources.redaction import secrets as secrets

T = TypeVar("T")
USER_AGENT = "Mozilla/5.0 (compatible; liquidity-watch/0.1; nightly data update)"


@dataclass(frozen=True)
class Settings:
    """Per-source network settings, read from ``<PREFIX>_*`` environment variables."""

    timeout: float = 30.0  # seconds per socket operation
    deadline: float = 120.0  # seconds for a whole request: connect, headers and every byte
    max_bytes: int = 50_000_000  # the largest reply body accepted (the biggest real one ~3 MB)
    attempts: int = 4  # total tries for a transient failure
    wait: float = 2.0  # first backoff in seconds, doubled each retry
    max_wait: float = 60.0  # longest single wait, Retry-After included
    min_interval: float = 1.0  # seconds between two requests to the same source
    prefix: str = ""  # the variables' prefix, for hints in messages


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
        deadline=number("DEADLINE", base.deadline, 0.05),
        max_bytes=int(number("MAX_BYTES", base.max_bytes, 1)),
        attempts=int(number("RETRY_ATTEMPTS", base.attempts, 1)),
        wait=number("RETRY_WAIT", base.wait, 0.0),
        max_wait=number("RETRY_MAX_WAIT", base.max_wait, 0.0),
        min_interval=number("MIN_INTERVAL", base.min_interval, 0.0),
        prefix=prefix,
    )


def api_root(prefix: str, default: str) -> str:
    """Base URL from ``<PREFIX>_API_ROOT`` so tests and mirrors can stand in for the source."""
    root = os.environ.get(f"{prefix}_API_ROOT", "").strip() or default
    if not root.startswith(("http://", "https://")):
        raise SourceError(f"{prefix}_API_ROOT must start with http:// or https://")
    return root.rstrip("/")


class Pacer:
    """Keeps at least ``min_interval`` seconds between the starts of two requests (safe to
    share between threads: ``update`` fetches each host in its own thread)."""

    def __init__(self) -> None:
        self._last = 0.0
        self._lock = threading.Lock()

    def wait(self, min_interval: float) -> None:
        with self._lock:
            gap = self._last + min_interval - time.monotonic()
            if gap > 0:
                time.sleep(gap)
            self._last = time.monotonic()


_pacers: dict[str, Pacer] = {}
_pacers_lock = threading.Lock()


def pacer(host: str) -> Pacer:
    """The one pacer of a host: generic sources (SDMX, CSV) serve many hosts, each keeps its
    own pace, and two series on the same host never go faster than its interval."""
    with _pacers_lock:
        return _pacers.setdefault(host.lower(), Pacer())


def host_of(url: str) -> str:
    """The host a URL points at ("?" when it has none): the unit of parallel fetching."""
    return (urllib.parse.urlsplit(url).hostname or "?").lower()


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

    not_tonight: list[str] = []

    def should_retry(state: RetryCallState) -> bool:
        if not _retryable(state, config):
            return False
        pause = wait(state)
        if pause >= budget.time_left():  # the wait alone would pass tonight's budget
            not_tonight.append(f"waiting {pause:g} s more would pass {budget.deadline_note()}")
            return False
        return True

    def wait(state: RetryCallState) -> float:
        return _wait(state, config)

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
        if not_tonight:
            error.message += f"; {not_tonight[-1]}: not tonight"
        raise
    raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover


def _retryable(state: RetryCallState, config: Settings) -> bool:
    """A transient error (unless the server asks for a longer wait than allowed), or a rejected
    key on its first attempt."""
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, Transient):
        asked = error.retry_after
        return asked is None or asked <= config.max_wait
    return isinstance(error, KeyRejected) and state.attempt_number == 1


def _wait(state: RetryCallState, config: Settings) -> float:
    """The server's Retry-After, else exponential backoff; never more than ``max_wait``."""
    error = state.outcome.exception() if state.outcome else None
    asked = getattr(error, "retry_after", None)
    if asked is not None:
        return float(min(asked, config.max_wait))
    return float(min(config.wait * 2 ** (state.attempt_number - 1), config.max_wait))


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


class SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the host of the request (http may become https, never the
    reverse): another host's reply would be stored as the source's data, and FRED's redirects
    would carry the key along."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: object,
        newurl: str,
    ) -> urllib.request.Request | None:
        old = urllib.parse.urlsplit(req.full_url)
        new = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl))
        upgrade = (old.scheme, new.scheme) == ("http", "https")
        if new.hostname != old.hostname or (new.scheme != old.scheme and not upgrade):
            raise OffHostRedirect(code, new.hostname or "?")
        return super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]


class OffHostRedirect(Exception):
    """Raised inside urllib when a reply redirects to another host (or from https to http)."""

    def __init__(self, code: int, host: str) -> None:
        super().__init__(f"HTTP {code} to {host}")
        self.code = code
        self.host = host


def off_host(label: str, error: OffHostRedirect) -> SourceError:
    return SourceError(
        f"{label} redirected to another host ({clean(error.host, 60)}, HTTP {error.code}); "
        "not followed"
    )


class Limits:
    """The deadline and size cap of one request, checked while the body is read."""

    def __init__(self, label: str, config: Settings) -> None:
        self.label = label
        self.config = config
        self.ends = time.monotonic() + config.deadline
        night = budget.request_ends()  # tonight's budget may end the request sooner
        self.budget_bound = night is not None and night < self.ends
        if night is not None and night < self.ends:
            self.ends = night
        self._timers: list[threading.Timer] = []

    def __enter__(self) -> Limits:
        _current.limits = self
        return self

    def __exit__(self, *exc: object) -> None:
        _current.limits = None
        for timer in self._timers:
            timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down at the deadline, whatever the request is doing then: a server
        trickling its status line or headers is out of reach of the body reader's checks."""

        def expire() -> None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed: the request ended meanwhile

        timer = threading.Timer(max(0.0, self.ends - time.monotonic()), expire)
        timer.daemon = True
        timer.start()
        self._timers.append(timer)

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            raise self.too_slow()
        return left

    def socket_timeout(self) -> float:
        return max(0.01, min(self.config.timeout, self.remaining()))

    def too_slow(self) -> SourceError:
        if self.budget_bound:
            return Transient(f"{self.label} had not answered by {budget.deadline_note()}")
        return Transient(
            f"{self.label} did not send the whole reply within {self.config.deadline:g} s "
            f"(set {self.config.prefix}_DEADLINE to allow longer)"
        )

    def too_big(self) -> SourceError:
        return SourceError(
            f"{self.label} sent a reply over {self.config.max_bytes:,} bytes; refused "
            f"(set {self.config.prefix}_MAX_BYTES to allow more)"
        )

    def read(self, response: object) -> bytes:
        """The whole body, chunk by chunk, refusing it once it passes the deadline or the cap.

        Each socket read waits at most the time left, so a server trickling one byte at a time
        cannot stretch a request past its deadline (the per-read timeout alone would never fire).
        """
        length = getattr(response, "headers", {}).get("Content-Length") if response else None
        if length and length.strip().isdigit() and int(length) > self.config.max_bytes:
            raise self.too_big()
        sock = _socket_of(response)
        chunks: list[bytes] = []
        size = 0
        while True:
            if sock is not None:
                sock.settimeout(self.socket_timeout())
            else:
                self.remaining()
            try:
                chunk = response.read1(65536)  # type: ignore[attr-defined]
            except TimeoutError:
                if time.monotonic() >= self.ends:
                    raise self.too_slow() from None
                raise
            if not chunk:
                break
            size += len(chunk)
            if size > self.config.max_bytes:
                raise self.too_big()
            chunks.append(chunk)
        self.remaining()
        return b"".join(chunks)


_current = threading.local()  # the Limits of the request this thread is making, if any


def _watched(base: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
    """A connection class that hands its socket to the current request's deadline watchdog."""

    class Watched(base):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            super().connect()
            limits: Limits | None = getattr(_current, "limits", None)
            if limits is not None and self.sock is not None:
                limits.watch(self.sock)

    return Watched


class DeadlineHTTPHandler(urllib.request.HTTPHandler):
    """urllib's HTTP handler with the deadline watchdog on every connection."""

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_watched(http.client.HTTPConnection), req)


class DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    """urllib's HTTPS handler with the deadline watchdog on every connection."""

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(
            _watched(http.client.HTTPSConnection),
            req,
            context=self._context,  # type: ignore[attr-defined]
        )


def opener(*handlers: urllib.request.BaseHandler) -> urllib.request.OpenerDirector:
    """An opener with the deadline watchdog and same-host redirects, plus ``handlers``."""
    return urllib.request.build_opener(
        *handlers, DeadlineHTTPHandler(), DeadlineHTTPSHandler(), SameHostRedirects()
    )


def _socket_of(response: object) -> socket.socket | None:
    """The socket under an http.client response (None for anything else, e.g. a replay)."""
    raw = getattr(getattr(response, "fp", None), "raw", None)
    sock = getattr(raw, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def get(url: str, label: str, config: Settings, headers: dict[str, str] | None = None) -> bytes:
    """One GET within the source's deadline and size cap, redirects only on the same host;
    returns the body of a 2xx reply, raises a classified error."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    limits = Limits(label, config)
    try:
        with limits, opener().open(request, timeout=limits.socket_timeout()) as response:
            return limits.read(response)
    except urllib.error.HTTPError as error:
        try:
            body = limits.read(error) if error.fp is not None else b""
        except (OSError, http.client.HTTPException, SourceError):
            body = b""
        raise http_error(label, error.code, body, error.headers) from None
    except OffHostRedirect as error:
        raise off_host(label, error) from None
    except (OSError, http.client.HTTPException) as error:
        if time.monotonic() >= limits.ends:
            raise limits.too_slow() from None
        raise network_error(label, error, config.timeout) from None


def parse_json(body: bytes, label: str) -> object:
    """JSON or a transient error: gateways and consent pages answer HTML with status 200."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Transient(
            f"{label} sent a reply that is not valid JSON (truncated or an error page)"
        ) from None
