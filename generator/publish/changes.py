"""What changed between two nightly reports: the comparison behind each post and the alerts feed.

A report's state (regime, and each indicator's status and displayed value) is stored in the
post's own front matter, so the next night compares with what readers were actually shown,
even after the data behind it has been revised. Pure functions: no files, no Jinja.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from generator.publish.format import format_date

NO_STATUS = "no status"


@dataclass(frozen=True)
class IndicatorState:
    level: str | None  # calm | watch | stress, None when there is no data
    value: str  # as displayed, e.g. "6,746 bn USD"
    as_of: date | None


@dataclass(frozen=True)
class ReportState:
    day: date
    regime: str | None  # tight | neutral | easing
    score: float | None
    indicators: dict[str, IndicatorState] = field(default_factory=dict)

    def to_meta(self) -> dict[str, Any]:
        """The ``report:`` block of a post's front matter."""
        return {
            "regime": self.regime,
            "score": None if self.score is None else round(self.score, 3),
            "indicators": {
                key: {"level": s.level, "value": s.value, "as_of": s.as_of}
                for key, s in self.indicators.items()
            },
        }

    @classmethod
    def from_meta(cls, day: date, meta: dict[str, Any]) -> ReportState:
        """The state stored by ``to_meta``; tolerant of missing keys in older posts."""
        indicators = {}
        for key, entry in (meta.get("indicators") or {}).items():
            entry = entry or {}
            as_of = entry.get("as_of")
            indicators[str(key)] = IndicatorState(
                level=entry.get("level"),
                value=str(entry.get("value", "n/a")),
                as_of=as_of if isinstance(as_of, date) else None,
            )
        score = meta.get("score")
        return cls(
            day=day,
            regime=meta.get("regime"),
            score=float(score) if isinstance(score, int | float) else None,
            indicators=indicators,
        )


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    then: str
    now: str
    then_level: str
    now_level: str
    changed: bool
    as_of: date | None = None  # the date of the value shown now (series end at different dates)


@dataclass(frozen=True)
class Comparison:
    previous: date | None
    rows: list[Row]  # status changes first, then config order
    regime_changed: bool

    @property
    def status_changes(self) -> list[Row]:
        return [row for row in self.rows if row.changed]

    @property
    def alert(self) -> bool:
        """A regime change or a threshold crossed: the report belongs in the alerts feed."""
        return self.regime_changed or bool(self.status_changes)


def compare(
    previous: ReportState | None, current: ReportState, titles: dict[str, str]
) -> Comparison:
    """Each current indicator then and now; the first report has nothing to compare with."""
    rows = []
    for key, now in current.indicators.items():
        then = previous.indicators.get(key) if previous else None
        changed = then is not None and then.level != now.level
        rows.append(
            Row(
                id=key,
                title=titles.get(key, key),
                then=then.value if then else "n/a",
                now=now.value,
                then_level=_level(then.level) if then else "n/a",
                now_level=_level(now.level),
                changed=changed,
                as_of=now.as_of,
            )
        )
    rows.sort(key=lambda row: not row.changed)  # stable: config order within each group
    regime_changed = (
        previous is not None
        and previous.regime is not None
        and current.regime is not None
        and previous.regime != current.regime
    )
    return Comparison(previous.day if previous else None, rows, regime_changed)


def summary(comparison: Comparison, previous: ReportState | None, current: ReportState) -> str:
    """One plain-text sentence (escaped by the template) on what changed since last time."""
    if previous is None:
        return "This is the first report: there is no earlier one to compare with."
    since = f"Since the report of {format_date(previous.day)}"
    if comparison.regime_changed:
        regime = f"the regime moved from {previous.regime} to {current.regime}"
    elif current.regime is not None:
        regime = f"the regime stayed {current.regime}"
    else:
        regime = "the regime could not be scored"
    changes = comparison.status_changes
    if not changes:
        return f"{since}, {regime} and no indicator changed status."
    listed = "; ".join(f"{row.title} ({row.then_level} to {row.now_level})" for row in changes)
    noun = "indicator" if len(changes) == 1 else "indicators"
    return f"{since}, {regime}, and {len(changes)} {noun} changed status: {listed}."


def _level(level: str | None) -> str:
    return level or NO_STATUS
