"""FRED through ``fredapi`` 0.5.2, made safe for an unattended nightly job.

fredapi has no timeout, no retry, turns every HTTP error into a bare ``ValueError`` (or an
``ElementTree.ParseError`` when the error page is HTML) and puts the key in the URL. So this
module sets a socket-level timeout around each call, paces and retries with tenacity, and
installs a small urllib handler that records each reply's status, ``Retry-After`` and body:
that is the only way to tell a 429 from a 400 through fredapi, and to name the date of a bad
value. The root URL comes from ``FRED_API_ROOT`` (set on the instance, as fredapi reads
``self.root_url``), the key from ``FRED_API_KEY``.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.response
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import pandas as pd
from fredapi import Fred

from generator.catalogue.sources import FredSource, SourceSpec
from generator.fetch.sources import (
    BadReply,
    KeyRejected,
    NotFound,
    SourceError,
    Transient,
    default_host,
    empty_series,
    net,
)

DEFAULT_ROOT = "https://api.stlouisfed.org/fred"
KEY_VARIABLE = "FRED_API_KEY"
KEY_URL = "https://fredaccount.stlouisfed.org/apikeys"
FRED_ID = re.compile(r"^[A-Z0-9_]+$")
_KEY_SHAPE = re.compile(r"^[A-Za-z0-9]+$")
LABEL = "FRED"

T = TypeVar("T")
# The real-time window of one vintage (FRED's names; a misspelling is ignored by FRED).
WINDOW_PARAMETERS = ("realtime_start", "realtime_end")
_pacer = net.Pacer()
_state = threading.local()


def source_id(series_id: str) -> str:
    return series_id


def check_id(series_id: str) -> str | None:
    """FRED ids go into the URL unencoded, so anything beyond A-Z, 0-9 and _ is refused."""
    if not FRED_ID.match(series_id):
        return (
            f"series {series_id!r}: a FRED series id may only contain A-Z, 0-9 and '_' "
            "(it is sent to FRED as is)"
        )
    return None


def key_problem() -> str | None:
    """Why FRED_API_KEY cannot be used, in one line that never contains the key itself."""
    key = os.environ.get(KEY_VARIABLE, "").strip()
    if not key:
        return f"{KEY_VARIABLE} is not set: get a free key at {KEY_URL} and export {KEY_VARIABLE}"
    if not _KEY_SHAPE.match(key):
        return (
            f"{KEY_VARIABLE} contains characters other than letters and digits; "
            f"copy the 32-character key from {KEY_URL}"
        )
    return None


class _Capture:
    """What the recorder saw of the last reply."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.retry_after: str | None = None
        self.body = b""


class _Recorder(urllib.request.BaseHandler):
    """Runs before urllib's error processor, so it sees error replies too."""

    handler_order = 100

    def http_response(self, request: urllib.request.Request, response: Any) -> Any:
        limits: net.Limits | None = getattr(_state, "limits", None)
        try:
            body = limits.read(response) if limits is not None else response.read()
        finally:
            response.close()
        capture: _Capture | None = getattr(_state, "capture", None)
        if capture is not None:
            capture.status = response.code
            capture.retry_after = response.headers.get("Retry-After")
            capture.body = body
        replay = urllib.response.addinfourl(
            io.BytesIO(body), response.headers, response.url, response.code
        )
        replay.msg = response.msg  # type: ignore[attr-defined]  # urllib reads it; typeshed omits it
        return replay

    https_response = http_response


def _install_recorder() -> None:
    """fredapi calls ``urllib.request.urlopen``, which uses the process-wide opener. Installed
    after every ``Fred()``: with HTTP(S)_PROXY set, its constructor installs its own opener.
    ``build_opener`` keeps the environment's proxies (and NO_PROXY) through its ProxyHandler."""
    urllib.request.install_opener(net.opener(_Recorder()))


def _client() -> Fred:
    problem = key_problem()
    if problem:
        raise KeyRejected(problem)
    client = Fred(api_key=os.environ[KEY_VARIABLE].strip())
    client.root_url = net.api_root("FRED", DEFAULT_ROOT)
    _install_recorder()
    return client


def fetch(series_id: str, source_id: str, since: date | None) -> pd.Series:
    """Observations of ``source_id`` from ``since`` on, with retries for transient failures."""
    problem = check_id(source_id)
    if problem:
        raise SourceError(problem)
    config = net.settings("FRED")
    client = _client()

    def once() -> pd.Series:
        _pacer.wait(config.min_interval)
        return _request(client, source_id, since, config)

    return net.with_retries(once, config)


def fetch_as_of(series_id: str, day: date, since: date | None = None) -> pd.Series:
    """The series as FRED served it on ``day``: one ALFRED vintage, asked for with
    ``realtime_start = realtime_end = day`` (one call, so never near the 2,000-vintage cap that
    breaks fredapi's ``get_series_all_releases`` on daily series). fredapi's ``get_series``
    drops the real-time columns and FRED ignores a misspelt parameter silently (answering
    today's values), so every row's window is checked in the raw reply before it is used."""
    problem = check_id(series_id)
    if problem:
        raise SourceError(problem)
    config = net.settings("FRED")
    client = _client()
    window = day.isoformat()
    extra = dict.fromkeys(WINDOW_PARAMETERS, window)

    def once() -> pd.Series:
        _pacer.wait(config.min_interval)
        return _request(client, series_id, since, config, extra)

    return net.with_retries(once, config)


def vintage_dates(series_id: str) -> list[date]:
    """The days FRED's values of the series changed (``series/vintagedates``, ascending): the
    days worth asking ``fetch_as_of`` about."""
    problem = check_id(series_id)
    if problem:
        raise SourceError(problem)
    config = net.settings("FRED")
    client = _client()

    def once() -> list[date]:
        _pacer.wait(config.min_interval)
        raw, _ = _call(client, config, lambda: client.get_series_vintage_dates(series_id))
        days = [pd.Timestamp(value).date() for value in raw]
        if days != sorted(set(days)):
            raise BadReply("FRED listed vintage dates out of order or more than once")
        return days

    return net.with_retries(once, config)


def release_dates(release_id: int, since: date) -> list[date]:
    """The days FRED's calendar lists for a release (``fred/release/dates``) from ``since`` on,
    future ones included (``include_release_dates_with_no_data=true``: without it FRED lists
    only days that already carried data). fredapi has no call for this endpoint, so the request
    is made here, through the same opener, timeout, size cap and error classification."""
    if not 0 < release_id < 1_000_000:
        raise SourceError(f"FRED release id {release_id} is out of range")
    config = net.settings("FRED")
    client = _client()
    query = urllib.parse.urlencode(
        {
            "release_id": release_id,
            "realtime_start": since.isoformat(),
            "include_release_dates_with_no_data": "true",
            "sort_order": "asc",
            "limit": 10000,
        }
    )
    url = f"{client.root_url}/release/dates?{query}&api_key={client.api_key}"

    def fetch_xml() -> ET.Element:
        try:
            with urllib.request.urlopen(url) as reply:
                body = reply.read()
        except urllib.error.HTTPError as error:  # worded like fredapi's ValueError
            try:
                message = ET.fromstring(error.read()).get("message")
            except ET.ParseError:
                message = None
            raise ValueError(str(message)) from None
        return ET.fromstring(body)

    def once() -> list[date]:
        _pacer.wait(config.min_interval)
        root, _ = _call(client, config, fetch_xml)
        return _release_days(root, release_id)

    return net.with_retries(once, config)


def _release_days(root: ET.Element, release_id: int) -> list[date]:
    if root.tag != "release_dates":
        raise BadReply(f"FRED answered <{net.clean(root.tag, 30)}>, not <release_dates>")
    days: list[date] = []
    for child in root:
        if child.get("release_id") != str(release_id):
            raise BadReply(
                f"FRED listed a date of release {net.clean(child.get('release_id'), 10)} "
                f"when asked for release {release_id}"
            )
        try:
            days.append(date.fromisoformat((child.text or "").strip()))
        except ValueError:
            raise BadReply(f"FRED listed {net.clean(child.text, 20)!r} as a release date") from None
    if days != sorted(set(days)):
        raise BadReply("FRED listed release dates out of order or more than once")
    count = root.get("count")
    if count is not None and count.isdigit() and int(count) > len(days):
        raise BadReply(f"FRED listed {len(days)} of {count} release dates (a later page is lost)")
    return days


def _request(
    client: Fred,
    sid: str,
    since: date | None,
    config: net.Settings,
    extra: dict[str, str] | None = None,
) -> pd.Series:
    extra = extra or {}
    start = since.isoformat() if since is not None else None
    raw, body = _call(client, config, lambda: client.get_series(sid, start, None, **extra))
    if extra:
        window = next(iter(extra.values()))
        _check_window(body, window, window)
    return _checked(raw, body)


def _check_window(body: bytes, start: str, end: str) -> None:
    """Every row must carry the real-time window asked for; a reply for another window (a
    parameter FRED ignored) would store today's values as an old vintage."""
    root = ET.fromstring(body)
    for element in [root, *root]:
        got = (element.get("realtime_start"), element.get("realtime_end"))
        if got != (start, end):
            what = f"the row of {element.get('date')}" if element is not root else "the reply"
            raise SourceError(
                f"FRED did not honour the real-time window {start} to {end}: {what} carries "
                f"{got[0]} to {got[1]} (FRED ignores an unknown parameter silently); refused"
            )


def _call(client: Fred, config: net.Settings, action: Callable[[], T]) -> tuple[T, bytes]:
    """Run one fredapi call with the timeout, size cap and reply recorder; classify errors."""
    capture = _Capture()
    limits = net.Limits(LABEL, config)
    _state.capture = capture
    _state.limits = limits
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(limits.socket_timeout())
    try:
        with limits:
            raw = action()
    except SourceError:
        raise
    except net.OffHostRedirect as error:
        raise net.off_host(LABEL, error) from None
    except ET.ParseError:
        raise _not_xml(capture) from None
    except (TypeError, KeyError, AttributeError):
        # Well-formed XML that is not FRED's (an HTML page served with 200 parses as XML, and
        # fredapi then reads a missing attribute as None): said plainly, retried as transient.
        raise _not_xml(capture) from None
    except ValueError as error:
        raise _classify(str(error), capture) from None
    except (OSError, http.client.HTTPException) as error:
        if limits.ends <= time.monotonic():
            raise limits.too_slow() from None
        raise net.network_error(LABEL, error, config.timeout) from None
    finally:
        socket.setdefaulttimeout(previous)
        _state.capture = None
        _state.limits = None
    return raw, capture.body


def _not_xml(capture: _Capture) -> SourceError:
    status = capture.status
    if status == 429:
        return Transient(
            "FRED rate limit (HTTP 429)",
            status=429,
            retry_after=net.retry_after(capture.retry_after),
        )
    if status is not None and status >= 500:
        return Transient(f"FRED server error (HTTP {status}, body is not XML)", status=status)
    if status is not None and status >= 400:
        return SourceError(
            f"FRED refused the request (HTTP {status}, body is not XML)", status=status
        )
    if capture.body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return Transient(
            f"FRED answered HTTP {status or 200} with an HTML page instead of its XML data "
            "(maintenance or a gateway page?)",
            status=status,
        )
    return Transient("FRED sent a reply that is not valid XML (truncated?)", status=status)


def _classify(message: str, capture: _Capture) -> SourceError:
    """Turn fredapi's ValueError into a classified error, using the recorded status."""
    status = capture.status
    if status is None or 200 <= status < 300:
        return _bad_value(capture.body) or BadReply(f"FRED reply rejected: {net.clean(message)}")
    if status == 429:
        return Transient(
            "FRED rate limit (HTTP 429)",
            status=429,
            retry_after=net.retry_after(capture.retry_after),
        )
    if status >= 500:
        detail = "not an XML error reply" if message == "None" else net.clean(message, 80)
        return Transient(f"FRED server error (HTTP {status}, {detail})", status=status)
    lowered = message.lower()
    if "maximum number of vintage dates" in lowered:
        return SourceError(
            f"FRED refused the real-time period: {net.clean(message, 160)} "
            "(ask for one day at a time)",
            status=status,
        )
    if "release does not exist" in lowered:
        return NotFound("FRED says the release does not exist", status=status)
    if "does not exist" in lowered:
        return NotFound("FRED says the series does not exist", status=status)
    if "api_key" in lowered:
        reason = "not registered" if "not registered" in lowered else "missing or malformed"
        return KeyRejected(
            f"FRED rejected the key in {KEY_VARIABLE} ({reason}): check {KEY_VARIABLE}; "
            f"keys are listed at {KEY_URL}",
            status=status,
        )
    return SourceError(
        f"FRED refused the request (HTTP {status}: {net.clean(message, 80)})", status=status
    )


def _observations(body: bytes) -> list[tuple[str, str]]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return []
    return [(child.get("date") or "", child.get("value") or "") for child in root]


def _bad_value(body: bytes) -> SourceError | None:
    for day, value in _observations(body):
        if value == ".":
            continue
        try:
            float(value)
        except ValueError:
            return BadReply(f"FRED sent a non-numeric value {net.clean(value, 20)!r} on {day}")
    return None


def _checked(raw: pd.Series, body: bytes) -> pd.Series:
    """fredapi keeps the last of duplicate dates silently (it builds a dict): refuse them."""
    repeated = [
        day for day, count in Counter(d for d, _ in _observations(body)).items() if count > 1
    ]
    if repeated:
        raise BadReply(f"FRED sent {sorted(repeated)[0]} more than once")
    if raw is None or len(raw) == 0:
        return empty_series()
    index = pd.DatetimeIndex(pd.to_datetime(raw.index), name="date").normalize()
    series = pd.Series(raw.to_numpy(dtype="float64"), index=index, dtype="float64")
    return series.sort_index()


def fetch_spec(spec: SourceSpec, series_id: str, since: date | None) -> pd.Series:
    """The series a ``FredSource`` describes (see ``fetch``)."""
    if not isinstance(spec, FredSource):
        raise SourceError(f"{series_id}: not a {LABEL} series")
    return fetch(series_id, spec.id or series_id, since)


def host(spec: SourceSpec) -> str:
    return default_host("FRED", DEFAULT_ROOT)
