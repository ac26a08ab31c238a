"""The network side of ``update``: one module per source, each with the same small surface.

Every source module exposes ``fetch_spec(spec, series_id, since) -> pandas.Series`` (float64,
a naive daily ``DatetimeIndex``, ascending, missing values as NaN) for the source model of
``catalogue/sources.py`` that describes the series, and ``host(spec)`` (the host it talks to:
``update`` fetches each host in its own thread, at its own pace). Failures are raised as the
classified errors below, so ``update`` can decide stale versus unavailable versus abort without
parsing messages, and no message ever carries a URL: keys travel in URLs.
"""

from __future__ import annotations

import importlib
import math
import os
from collections.abc import Callable, Iterable
from datetime import date
from typing import Protocol, cast

import pandas as pd

from generator.catalogue.sources import SOURCES, SourceSpec
from generator.fetch.sources.redaction import clean
from generator.snapshot.clock import today, today_overridden

__all__ = ["today", "today_overridden"]

# One module per source name in the catalogue's registry (``catalogue/sources.SourceName``).
SOURCE_MODULES = SOURCES


class Source(Protocol):
    """What every module in this package provides (checked by mypy and by a test)."""

    DEFAULT_ROOT: str

    def fetch_spec(self, spec: SourceSpec, series_id: str, since: date | None) -> pd.Series:
        """Observations of the series the model describes, from ``since`` (inclusive; None
        for the full history)."""
        ...

    def host(self, spec: SourceSpec) -> str:
        """The host the series is fetched from: ``update`` runs one thread per host."""
        ...


class SourceError(Exception):
    """A fetch failed; ``str(exc)`` is a short reason for the summary table, never a URL."""

    transient = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.attempts = 1


class Transient(SourceError):
    """Worth retrying: rate limits, 5xx, timeouts, dropped connections, garbled bodies."""

    transient = True

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class NotFound(SourceError):
    """The source says the series does not exist (unknown or discontinued)."""


class KeyRejected(SourceError):
    """The source refused the API key; every later request would fail the same way."""


class BadReply(SourceError):
    """A well-formed reply with bad content: duplicate dates, non-numeric values."""


def module(source: str) -> Source:
    """The module for a source name from ``indicators.yml`` (imported on first use)."""
    if source not in SOURCE_MODULES:
        raise KeyError(source)
    return cast(Source, importlib.import_module(f"generator.fetch.sources.{source}"))


def check_environment(source: str) -> list[str]:
    """Problems with the ``<SOURCE>_*`` and ``UPDATE_TODAY`` variables, found before any request."""
    from generator.fetch.sources import net  # imported late: net imports this module

    problems = []
    try:
        net.api_root(source.upper(), module(source).DEFAULT_ROOT)
        net.settings(source.upper())
    except SourceError as error:
        problems.append(error.message)
    try:
        today()
    except ValueError:
        problems.append("UPDATE_TODAY must be a date written YYYY-MM-DD")
    return problems


def fetch(spec: SourceSpec, series_id: str, since: date | None) -> pd.Series:
    """Observations from ``since`` (inclusive; None = full history) to the latest."""
    return module(spec.source).fetch_spec(spec, series_id, since)


def host(spec: SourceSpec) -> str:
    """The host a series is fetched from (its source's, or the one its model names)."""
    return module(spec.source).host(spec)


def key_problem(spec: SourceSpec) -> str | None:
    """Why the key a source declares cannot be used, in a line that never holds the key."""
    name = spec.key_variable()
    if name is None:
        return None
    checker = getattr(module(spec.source), "key_problem", None)
    if checker is not None:
        return cast(str | None, checker())
    value = os.environ.get(name, "").strip()
    if not value:
        return f"{name} is not set: series from source {spec.source} need it; export {name}"
    if any(char.isspace() or ord(char) < 32 for char in value):
        return f"{name} contains spaces or control characters; copy the key again"
    return None


def default_host(prefix: str, default_root: str) -> str:
    """The host of a source with one address (``<PREFIX>_API_ROOT`` or its default)."""
    from generator.fetch.sources import hosts, net  # imported late: they import this module

    try:
        return hosts.origin_of(net.api_root(prefix, default_root))
    except SourceError:
        return "?"  # check_environment reports the bad variable before any request


def empty_series() -> pd.Series:
    return pd.Series([], index=pd.DatetimeIndex([], name="date"), dtype="float64")


def to_series(rows: dict[date, float]) -> pd.Series:
    """Build the common return shape from a {date: value} mapping."""
    if not rows:
        return empty_series()
    days = sorted(rows)
    index = pd.DatetimeIndex(pd.to_datetime(days), name="date")
    return pd.Series([rows[d] for d in days], index=index, dtype="float64")


def one_per_day(
    listed: Iterable[tuple[date, object]], label: str, value: Callable[[object, date], float]
) -> dict[date, float]:
    """A reply's ``(day, raw value)`` pairs read in order into {day: ``value(raw, day)``}: a
    day listed twice is refused (which of the two would be right is unknown)."""
    rows: dict[date, float] = {}
    for day, raw in listed:
        if day in rows:
            raise BadReply(f"{label} sent {day} more than once")
        rows[day] = value(raw, day)
    return rows


def json_number(raw: object, label: str, what: str, day: date) -> float:
    """A finite JSON number (true and false are not numbers), or BadReply naming it."""
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise BadReply(f"{label} sent a non-numeric {what} {clean(raw, 20)!r} on {day}")
    return float(raw)
