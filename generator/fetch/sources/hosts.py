"""Requests by host: the paced, retried GET the generic sources use, one pace per host.

Why by host and not by source: the generic sources (SDMX, CSV) reach many hosts, and two
sources may share one. ``update`` gives each host (``host[:port]``) its own thread
(``fetch/plan.py``); here each host keeps its own pace, so series on one host never go faster
than ``<PREFIX>_MIN_INTERVAL`` whichever source asks, while another host is not held up.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import TypeVar

from generator.fetch.sources.net import get, host_of, pacer, parse_json, settings, with_retries

__all__ = ["host_of", "origin_of", "paced_get", "paced_json", "paced_read", "pacer"]

T = TypeVar("T")


def origin_of(url: str) -> str:
    """``host[:port]``: the unit of parallel fetching and of pacing."""
    return (urllib.parse.urlsplit(url).netloc.rpartition("@")[2] or "?").lower()


def paced_get(url: str, label: str, prefix: str, headers: dict[str, str] | None = None) -> bytes:
    """``get`` with the ``<PREFIX>_*`` settings, the host's own pacer and retries."""
    return paced_read(url, label, prefix, lambda body: body, headers)


def paced_json(url: str, label: str, prefix: str, headers: dict[str, str] | None = None) -> object:
    """The JSON a paced, retried GET answers; a garbled body is retried like a dropped one."""
    return paced_read(url, label, prefix, lambda body: parse_json(body, label), headers)


def paced_read(
    url: str,
    label: str,
    prefix: str,
    read: Callable[[bytes], T],
    headers: dict[str, str] | None = None,
) -> T:
    """``read(body)`` inside the retry loop, so an error a body reports (the Bank of Japan's
    STATUS 503 inside an HTTP 200) is retried like an HTTP one."""
    config = settings(prefix)

    def once() -> T:
        pacer(origin_of(url)).wait(config.min_interval)
        return read(get(url, label, config, headers))

    return with_retries(once, config)
