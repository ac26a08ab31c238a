"""The network side of ``update``: one module per source, each with the same small surface.

Every source module exposes ``fetch(series_id, source_id, since) -> pandas.Series`` (float64,
a naive daily ``DatetimeIndex``, ascending, missing values as NaN), ``source_id(series_id)``
(the id the source knows the series by) and ``check_id(series_id) -> str | None`` (a problem
with the id, found before any request). Failures are raised as the classified errors below, so
``update`` can decide stale versus unavailable versus abort without parsing messages, and no
message ever carries a URL: the FRED key travels in FRED's URLs.
"""

from __future__ import annotations

import importlib
from datetime import date
from typing import Protocol, cast

import pandas as pd

from generator.catalogue.grammar import SOURCES
from generator.snapshot.clock import today, today_overridden

__all__ = ["today", "today_overridden"]

# One module per source name in the catalogue's registry (``grammar.SourceName``).
SOURCE_MODULES = SOURCES


class Source(Protocol):
    """What every module in this package provides (checked by mypy and by a test)."""

    DEFAULT_ROOT: str

    def source_id(self, series_id: str) -> str:
        """The id the source knows the series by."""
        ...

    def check_id(self, series_id: str) -> str | None:
        """A problem with the id, found before any request, or None."""
        ...

    def fetch(self, series_id: str, source_id: str, since: date | None) -> pd.Series:
        """Observations from ``since`` (inclusive; None for the full history)."""
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


def source_id(source: str, series_id: str) -> str:
    return module(source).source_id(series_id)


def check_id(source: str, series_id: str) -> str | None:
    """A sentence explaining why the id cannot be sent to the source, or None if it can."""
    if source not in SOURCE_MODULES:
        return (
            f"series {series_id!r}: source {source!r} has no fetcher (use one of {SOURCE_MODULES})"
        )
    return module(source).check_id(series_id)


def needs_key(source: str) -> bool:
    """Whether the source needs a key (its module names the variable in ``KEY_VARIABLE``)."""
    return getattr(module(source), "KEY_VARIABLE", None) is not None


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


def fetch(source: str, series_id: str, since: date | None) -> pd.Series:
    """Observations from ``since`` (inclusive; None = full history) to the latest."""
    mod = module(source)
    return mod.fetch(series_id, mod.source_id(series_id), since)


def empty_series() -> pd.Series:
    return pd.Series([], index=pd.DatetimeIndex([], name="date"), dtype="float64")


def to_series(rows: dict[date, float]) -> pd.Series:
    """Build the common return shape from a {date: value} mapping."""
    if not rows:
        return empty_series()
    days = sorted(rows)
    index = pd.DatetimeIndex(pd.to_datetime(days), name="date")
    return pd.Series([rows[d] for d in days], index=index, dtype="float64")
