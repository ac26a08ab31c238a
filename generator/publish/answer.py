"""The lead: the site's question answered first, on the home page, in each new report and in
each feed item.

Readers asked for the answer before the z-scores: a peer opens with "Conditions are neutral and
softening.", then what changed with arrows. The lead is that: the plain sentences chosen by the
rules of ``answer:`` in ``indicators.yml`` (data a fork edits, checked by ``check`` with the
line), the regime label, what changed since the previous report as arrows (↑ toward easing or
calm, ↓ toward tightening or stress) and a link to the reasons. Every part is plain text; the
templates escape it for their sink (``md`` for pages, ``html_text`` for feeds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from generator.catalogue.models import Config
from generator.measure import answer as decide
from generator.measure.indicators import IndicatorResult
from generator.publish.brief import ORDER, REGIME_ORDER
from generator.publish.changes import Comparison, ReportState
from generator.publish.contexts import Headline
from generator.publish.format import format_date, format_number
from generator.publish.sentences import EXTREMES, first_failure, placeholders, render

UP, DOWN, FLAT = "↑", "↓", "→"
MAX_ARROWS = 4  # the lead fits a phone screen; the rest are in the brief and the table
SCORE_DECIMALS = 2  # as the headline shows the score


@dataclass(frozen=True)
class Lead:
    question: str
    sentences: list[str]
    regime: str  # the label: easing, neutral, tight or unknown
    level: str  # the headline's colour class
    score: float | None
    as_of: date | None
    since: date | None  # the report the arrows compare with
    arrows: list[str] = field(default_factory=list)
    no_change: str = ""  # said instead of arrows when there is nothing to compare or no move

    @property
    def regime_text(self) -> str:
        """'Regime: neutral (score −0.44), as of 21 Aug 2026.'"""
        if self.score is None or self.as_of is None:
            return f"Regime: {self.regime}."
        score = format_number(self.score, SCORE_DECIMALS, signed=True)
        return f"Regime: {self.regime} (score {score}), as of {format_date(self.as_of)}."

    @property
    def changes_text(self) -> str:
        """'Since 20 Aug 2026: ↓ Net liquidity: watch → stress; ↑ regime score …' or the note."""
        if not self.arrows:
            return self.no_change
        return f"Since {format_date(self.since)}: " + "; ".join(self.arrows) + "."

    @property
    def text(self) -> str:
        """The whole lead as one plain-text paragraph (report descriptions, feed items)."""
        return " ".join([*self.sentences, self.regime_text, self.changes_text]).strip()


def sentences(config: Config, results: list[IndicatorResult]) -> list[str]:
    """One sentence per part of ``answer:``: its first rule whose ``when:`` holds, chosen in
    ``measure/answer`` (as a card's status is), worded here."""
    reads = decide.read_values(config, results)
    known = [d for d in reads.dates.values() if d is not None]
    context = placeholders(reads.values, max(known) if known else None, reads.dates)
    return [render(rule.say, context) for rule in decide.chosen(config, reads.values)]


def arrows(
    comparison: Comparison | None, previous: ReportState | None, current: ReportState
) -> list[str]:
    """What changed since the previous report, each with its direction: the regime (its label,
    or its score when the label held), then each status change, at most ``MAX_ARROWS``."""
    if comparison is None or previous is None:
        return []
    said = []
    if comparison.regime_changed and previous.regime and current.regime:
        way = _way(REGIME_ORDER.get(current.regime), REGIME_ORDER.get(previous.regime))
        said.append(f"{way} regime {previous.regime} → {current.regime}")
    elif previous.score is not None and current.score is not None:
        then = round(previous.score, SCORE_DECIMALS)
        now = round(current.score, SCORE_DECIMALS)
        way = UP if now > then else DOWN if now < then else FLAT
        said.append(
            f"{way} regime score {format_number(now, SCORE_DECIMALS, signed=True)} "
            f"(was {format_number(then, SCORE_DECIMALS, signed=True)})"
        )
    for row in comparison.status_changes:
        way = _way(ORDER.get(row.now_level), ORDER.get(row.then_level))
        said.append(f"{way} {row.title}: {row.then_level} → {row.now_level}")
    if len(said) > MAX_ARROWS:
        said = said[: MAX_ARROWS - 1] + [f"and {len(said) - MAX_ARROWS + 1} more"]
    return said


def _way(now: int | None, then: int | None) -> str:
    """↑ when the level moved toward easing or calm (a lower rank), ↓ toward tight or stress."""
    if now is None or then is None or now == then:
        return FLAT
    return UP if now < then else DOWN


def lead(
    config: Config,
    headline: Headline,
    results: list[IndicatorResult],
    comparison: Comparison | None,
    previous: ReportState | None,
    current: ReportState,
    same_data: date | None = None,
) -> Lead:
    """The lead of a page or report. ``same_data``: the day of a report written from this same
    data (the home page on the day of the newest report), which is nothing to compare with."""
    said = arrows(comparison, previous, current)
    if previous is None and same_data is not None:
        note = f"No change to show: the report of {format_date(same_data)} has this same data."
    elif previous is None:
        note = "No earlier report to compare with."
    else:
        note = f"No change of regime or status since {format_date(previous.day)}."
    return Lead(
        question=config.site.tagline,
        sentences=sentences(config, results),
        regime=str(headline["label"]),
        level=str(headline["level"]),
        score=headline["score"],
        as_of=headline["as_of"],
        since=previous.day if previous is not None else None,
        arrows=said,
        no_change=note,
    )


def trial_problems(config: Config, results: list[IndicatorResult]) -> list[tuple[int, int, str]]:
    """(part, rule, why) for each ``answer:`` sentence that fails to render with the latest
    values or with every value set to one of ``EXTREMES`` (``check`` runs these, as it does for
    status sentences: a rule renders first on the night it holds)."""
    if config.answer is None:
        return []
    reads = decide.read_values(config, results)
    real = placeholders(reads.values, None, reads.dates)
    trials = [("the latest values", real)] + [
        (f"every value = {value!r}", {**real, **dict.fromkeys(reads.values, value)})
        for value in EXTREMES
    ]
    problems = []
    for index, part in enumerate(config.answer.parts):
        for position, rule in enumerate(part.rules):
            why = first_failure(rule.say, trials)
            if why is not None:
                problems.append((index, position, why))
    return problems
