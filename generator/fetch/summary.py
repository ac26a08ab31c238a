"""What ``update`` prints: a progress bar on a terminal (one plain line per series in CI logs
and pipes) and the summary table at the end: series, rows added, rows revised, status and the
reason of each failure (already redacted and cleaned by ``update``; redacted again here, as
defence in depth). Kept apart from ``update.py`` so the night's logic stays short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from generator.catalogue.models import SERIES_STATUSES
from generator.fetch.sources.net import redact
from generator.snapshot.store import format_value

if TYPE_CHECKING:
    from generator.fetch.update import Outcome


def _describe(outcome: Outcome) -> str:
    if outcome.status != "fresh":
        return redact(outcome.message or "") or ""
    parts = []
    for day, old, new in outcome.revisions[:2]:
        parts.append(f"{day} {format_value(old)} -> {format_value(new)}")
    if len(outcome.revisions) > 2:
        parts.append(f"and {len(outcome.revisions) - 2} more")
    return ("revised " + ", ".join(parts)) if parts else ""


class Progress:
    """A bar on a terminal; one plain line per series otherwise (CI logs, pipes)."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.tty = stream.isatty()
        self.width = 0

    def start(self, position: int, series_id: str) -> None:
        if self.tty:
            done = int(24 * (position - 1) / max(self.total, 1))
            line = f"\r[{'#' * done}{'.' * (24 - done)}] {position}/{self.total} {series_id}"
            self.width = max(self.width, len(line))
            self.stream.write(line.ljust(self.width))
            self.stream.flush()

    def done(self, position: int, outcome: Outcome) -> None:
        if self.tty:
            return
        note = _describe(outcome)
        counts = f"+{outcome.added} rows, {len(outcome.revisions)} revised"
        digits = len(str(self.total))
        line = f"[{position:>{digits}}/{self.total}] {outcome.series_id}: {outcome.status}"
        line += f", {counts}" if outcome.status == "fresh" else ""
        self.stream.write(line + (f" ({note})" if note else "") + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def print_summary(outcomes: list[Outcome], stream: TextIO) -> None:
    name_width = max([len("series"), *(len(o.series_id) for o in outcomes)])
    stream.write(f"{'series':<{name_width}}  {'added':>5}  {'revised':>7}  {'status':<11}  note\n")
    for outcome in outcomes:
        stream.write(
            f"{outcome.series_id:<{name_width}}  {outcome.added:>5}  {len(outcome.revisions):>7}  "
            f"{outcome.status:<11}  {_describe(outcome)}".rstrip()
            + "\n"
        )
    counts = {status: sum(o.status == status for o in outcomes) for status in SERIES_STATUSES}
    failed = sum(o.failed for o in outcomes)
    stream.write(
        f"{len(outcomes)} series: {counts['fresh']} fresh, {counts['stale']} stale, "
        f"{counts['unavailable']} unavailable"
        + (f"; {failed} failed and kept their last good data (exit 3)" if failed else "")
        + "\n"
    )
