"""The brief: a short bulleted list above the narrative, for readers who scan.

Peers that readers like lead with the call, what moved, what would move it and what to
distrust; our paragraphs say all of it but are slow to scan. The brief states those four things
in at most ``MAX_LINES`` plain-text lines (the template escapes them with ``md``): the regime,
each change since the previous report with its direction, the flip values computed in
``measure/flips.py``, and a warning per stale or stopped series. Every number goes through
``format``; a flip value is rounded away from the current side (``format.away``), so a reader
who sees the stated value crossed knows the label has flipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from generator.catalogue.models import LEVELS, REGIME_LABELS, RegimeConfig
from generator.measure import flips
from generator.measure.indicators import IndicatorResult
from generator.measure.regime import Regime
from generator.publish.changes import Comparison, ReportState
from generator.publish.format import flip_text, format_date, format_number, quantity_text

MAX_LINES = 10
MAX_STATUS_FLIPS = 3  # the nearest few; the others are named on one line
ORDER: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}
REGIME_ORDER: dict[str, int] = {label: rank for rank, label in enumerate(REGIME_LABELS)}


def regime_line(regime: Regime | None) -> str:
    if regime is None:
        return "Regime: not enough data to score it."
    score = format_number(regime.score, 2, signed=True)
    return f"Regime: {regime.label} (score {score}), as of {format_date(regime.as_of)}."


def direction(then: str, now: str, order: Mapping[str, int]) -> str:
    """'worse' or 'better' for a move between ordered levels; '' when either is unknown."""
    if then not in order or now not in order:
        return ""
    return " (worse)" if order[now] > order[then] else " (better)"


def change_lines(
    comparison: Comparison | None,
    previous: ReportState | None,
    current: ReportState,
    same_data: date | None = None,
) -> list[str]:
    """A line per regime or status change since the previous report, with its direction.
    ``same_data``: the day of a report written from this same data (the home page on the day
    of the newest report), which is no earlier report to compare with."""
    if (comparison is None or previous is None) and same_data is not None:
        day = format_date(same_data)
        return [f"Changes: none to compare yet; the report of {day} shows this same data."]
    if comparison is None or previous is None:
        return ["Changes: none to compare, there is no earlier report."]
    since = format_date(previous.day)
    lines = []
    if comparison.regime_changed and previous.regime and current.regime:
        way = direction(previous.regime, current.regime, REGIME_ORDER)
        lines.append(f"Regime since {since}: {previous.regime} → {current.regime}{way}.")
    for row in comparison.status_changes:
        way = direction(row.then_level, row.now_level, ORDER)
        lines.append(f"{row.title} since {since}: {row.then_level} → {row.now_level}{way}.")
    if not lines:
        lines.append(f"No change of regime or status since the report of {since}.")
    return lines


def _moved(now: float, at: float) -> str:
    """The regime needs the score strictly past its threshold, so the input goes past ``at``."""
    return "rises above" if at > now else "falls below"


def _day(text: str) -> str:
    """An ISO date from the freshness records as the site writes dates; else as given."""
    try:
        return format_date(date.fromisoformat(text))
    except ValueError:
        return text


def regime_flip_line(
    regime: Regime | None, config: RegimeConfig | None, results: list[IndicatorResult]
) -> str | None:
    """One line: for each input, the value that alone would flip the regime label."""
    if regime is None or config is None:
        return None
    by_id = {r.id: r for r in results}
    groups: dict[str, list[str]] = {}
    for flip in flips.regime_flips(regime, config):
        result = by_id.get(flip.indicator)
        if result is None:
            continue
        if flip.to is None:
            groups.setdefault("", []).append(f"{flip.label} cannot flip it alone")
            continue
        at = flip_text(result.config, flip.quantity, flip.at, flip.at > flip.value)
        now = quantity_text(result.config, flip.quantity, flip.value)
        groups.setdefault(flip.to, []).append(
            f"{flip.label} {_moved(flip.value, flip.at)} {at} (now {now})"
        )
    said = [
        f"the regime turns {to} if, others held, " + "; or ".join(parts)
        for to, parts in groups.items()
        if to
    ] + groups.get("", [])
    if not said:
        return None
    text = ". ".join(said) + "."
    return text[0].upper() + text[1:]


def status_flip_lines(
    results: list[IndicatorResult], releases: dict[str, str] | None = None
) -> list[str]:
    """The indicators near a threshold (see ``flips``), nearest first; ``releases`` (indicator
    id -> "the H.4.1 of Thu 27 Aug", from ``publish/calendar.flip_releases``) names the next
    release that could flip each."""
    near = []
    for result in results:
        flip = flips.status_flip(result)
        if flip is None or not flip.near or flip.quantity is None:
            continue
        distance = abs(flip.at - flip.value) / flip.spread if flip.spread > 0 else 0.0
        near.append((distance, result, flip))
    near.sort(key=lambda item: item[0])
    lines = []
    for _, result, flip in near[:MAX_STATUS_FLIPS]:
        name = flip.quantity or ""
        label = result.config.quantities[name].label.lower()
        at = flip_text(result.config, name, flip.at, flip.rising)
        now = quantity_text(result.config, name, flip.value)
        if flip.inclusive:
            reach = f"{'rises' if flip.rising else 'falls'} to {at}"
        else:
            reach = f"{'rises above' if flip.rising else 'falls below'} {at}"
        release = (releases or {}).get(result.id)
        if release:
            lines.append(
                f"Near a threshold: {release} could turn {result.config.title} to {flip.to} "
                f"if its {label} {reach} (now {now})."
            )
            continue
        lines.append(
            f"Near a threshold: {result.config.title} turns {flip.to} if its {label} {reach} "
            f"(now {now})."
        )
    rest = [item[1].config.title for item in near[MAX_STATUS_FLIPS:]]
    if rest:
        lines.append("Also within a week's usual move of a threshold: " + ", ".join(rest) + ".")
    return lines


def warning_lines(
    results: list[IndicatorResult], overdue: dict[str, str] | None = None
) -> list[str]:
    """A line per stale or stopped series, naming the indicators that read it; ``overdue``
    replaces the results' own (a report judges it on its date)."""
    stale: dict[tuple[str, str, str], list[str]] = {}
    for result in results:
        for series, since in result.stale.items():
            stale.setdefault(("stale", series, since), []).append(result.config.title)
        stopped = (
            result.overdue
            if overdue is None
            else {s: overdue[s] for s in result.series if s in overdue}
        )
        for series, last in stopped.items():
            stale.setdefault(("overdue", series, last), []).append(result.config.title)
    lines = []
    for (kind, series, when), titles in sorted(stale.items(), key=lambda item: item[0][1:]):
        used = ", ".join(titles)
        if kind == "stale":
            lines.append(
                f"Warning: {series} is stale since {_day(when)}, last good fetch kept ({used})."
            )
        else:
            lines.append(f"Warning: {series} has had nothing new since {_day(when)} ({used}).")
    return lines


def brief(
    regime: Regime | None,
    config: RegimeConfig | None,
    results: list[IndicatorResult],
    comparison: Comparison | None,
    previous: ReportState | None,
    current: ReportState,
    overdue: dict[str, str] | None = None,
    same_data: date | None = None,
    releases: dict[str, str] | None = None,
) -> list[str]:
    """The brief's lines, at most ``MAX_LINES``: warnings are kept, changes trimmed first."""
    flip_line = regime_flip_line(regime, config, results)
    tail = ([flip_line] if flip_line else []) + status_flip_lines(results, releases)
    warnings = warning_lines(results, overdue)
    changes = change_lines(comparison, previous, current, same_data)
    room = max(MAX_LINES - 1 - len(tail) - len(warnings), 1)
    if len(changes) > room:
        changes = changes[: room - 1] + [f"And {len(changes) - room + 1} more changes, below."]
    lines = [regime_line(regime), *changes, *tail, *warnings]
    return lines[:MAX_LINES]
