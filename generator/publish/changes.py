"""What changed between two nightly reports: the comparison behind each post and the alerts feed.

A report's state (regime, and each indicator's status and displayed value) is stored in the
post's own front matter, so the next night compares with what readers were actually shown,
even after the data behind it has been revised. The value is stored as a number with its unit
and decimals (``value: 6745.699``, ``unit: bn USD``, ``decimals: 0``), which formats to exactly
the text readers saw; posts written before stored that text ("6,746 bn USD"), and are read back
into the same number (``format.parse_displayed``). Pure functions: no files, no Jinja.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from generator.publish.format import Number, format_date, parse_displayed

NO_STATUS = "no status"


@dataclass(frozen=True)
class IndicatorState:
    level: str | None  # calm | watch | stress, None when there is no data
    value: Number  # the card's value, shown as "6,746 bn USD"
    as_of: date | None

    def to_meta(self) -> dict[str, Any]:
        """Stored as a number: the value as computed, and the unit and decimals it was shown
        with, so the next night prints exactly what readers saw."""
        number = self.value
        return {
            "level": self.level,
            "value": _stored(number),
            "unit": number.unit,
            "decimals": number.decimals,
            "as_of": self.as_of,
        }

    @classmethod
    def from_meta(cls, entry: dict[str, Any]) -> IndicatorState:
        """The state ``to_meta`` stored; a post written before states were numbers holds the
        displayed text as ``value`` and is read back into that number (see ``_number``)."""
        as_of = entry.get("as_of")
        day = as_of if isinstance(as_of, date) else None
        return cls(level=entry.get("level"), value=_number(entry, day), as_of=day)


# Decimals a stored value keeps: enough for any unit the site shows, few enough to drop the
# binary noise of arithmetic (6745.6990000000005 is stored as 6745.699).
STORED_DECIMALS = 9


def _stored(number: Number) -> float | None:
    """The value as stored: rounded to ``STORED_DECIMALS``, unless that rounding would print
    another figure (a value a hair from a rounding boundary), then as computed."""
    if number.value is None or number.missing:
        return None
    rounded = round(number.value, STORED_DECIMALS)
    return rounded if replace(number, value=rounded).figure == number.figure else number.value


def _number(entry: dict[str, Any], day: date | None) -> Number:
    """A stored value: a number with ``unit`` and ``decimals``; the displayed text of an older
    post; missing (``null`` or no ``value``) as ``n/a``, and so is text that is not a displayed
    number (hand-edited), so one odd value does not discard a post's levels. A value of
    another type, or bad decimals, raises ``ValueError`` (``posts.read_state`` names the line)."""
    value = entry.get("value")
    if isinstance(value, str):
        try:
            return replace(parse_displayed(value), date=day)
        except ValueError:  # text no report wrote: shown as n/a, the levels still compare
            return Number(None, date=day)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ValueError(f"value {value!r} is not a number")
    places = entry.get("decimals", 1)
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 12:
        raise ValueError(f"decimals {places!r} is not a whole number from 0 to 12")
    return Number(
        None if value is None else float(value), str(entry.get("unit") or ""), places, day
    )


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
            "indicators": {key: s.to_meta() for key, s in self.indicators.items()},
        }

    @classmethod
    def from_meta(cls, day: date, meta: dict[str, Any]) -> ReportState:
        """The state stored by ``to_meta``; tolerant of missing keys in older posts."""
        indicators = {
            str(key): IndicatorState.from_meta(entry or {})
            for key, entry in (meta.get("indicators") or {}).items()
        }
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
    then: Number
    now: Number
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
                then=then.value if then else Number(None),
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
