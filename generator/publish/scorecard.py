"""The thesis scorecard in words: each claim's two verdicts (when written, now), the evidence
behind each and the rule, from the judgements of ``measure/claims.py``.

The wording of the evidence lives with the claim in ``indicators.yml`` (``evidence:`` and
``why_inconclusive:``), filled here through the same sandbox as the status sentences, so a
fork that adds a claim writes its sentence next to its rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from generator.catalogue.models import VERDICTS, Verdict
from generator.measure.claims import (
    INCONCLUSIVE,
    SUPPORTED,
    VERDICT_BASES,
    VINTAGE,
    ClaimResult,
    Judgement,
)
from generator.publish import csv_cells
from generator.publish.format import format_date, format_month
from generator.publish.sentences import placeholders, render

CSV_COLUMNS = (
    "claim",
    "text",
    "verdict_written",
    "verdict_now",
    "as_of_written",
    "as_of_now",
    "evidence_written",
    "evidence_now",
    "stopped_written",
    "stopped_now",
    "basis_written",
)


@dataclass
class ClaimRow:
    id: str
    text: str
    rule: str
    link: str
    written: Verdict
    now: Verdict
    as_of_written: date | None
    as_of_now: date | None
    evidence_written: str
    evidence_now: str
    stopped_written: dict[str, date]
    stopped_now: dict[str, date]
    basis_written: str
    basis_text: str

    def as_of_note(self, when: str) -> str:
        """'' for a current verdict; else why it is dated before the snapshot, e.g. 'as of
        20 Feb 2026: BNB-USD has no data after it, and the test needs all its inputs'."""
        stopped = self.stopped_now if when == "now" else self.stopped_written
        if not stopped:
            return ""
        as_of = self.as_of_now if when == "now" else self.as_of_written
        names = ", ".join(stopped)
        verb = "has" if len(stopped) == 1 else "have"
        return f"as of {format_date(as_of)}: {names} {verb} no data after it"


def _fill(template: str, judgement: Judgement) -> str:
    """A claim's sentence in the same bounded sandbox as the rules' (one set of filters, one
    time limit), with the evidence's values and dates as placeholders."""
    evidence = judgement.evidence
    context = placeholders(evidence.values, evidence.as_of, evidence.dates)
    return " ".join(render(template, context).split())


def evidence_text(result: ClaimResult, judgement: Judgement) -> str:
    """The evidence sentence, preceded by the reason when the verdict is inconclusive, or the
    gap when the claim could not be tested."""
    claim = result.config
    if all(math.isnan(v) for v in judgement.evidence.values.values()):
        return f"No data for this claim had been published by {format_date(judgement.cutoff)}."
    text = _fill(claim.evidence, judgement)
    text = text[:1].upper() + text[1:]
    if judgement.verdict == INCONCLUSIVE and claim.why_inconclusive:
        reason = _fill(claim.why_inconclusive, judgement)
        text = f"Inconclusive: {reason} {text}"
    return text


def _months(days: list[date]) -> str:
    """Consecutive months as one range ('Aug 2025 to Nov 2025'), the rest listed."""
    spans: list[list[date]] = []
    for day in days:
        if (
            spans
            and (day.year * 12 + day.month) - (spans[-1][-1].year * 12 + spans[-1][-1].month) == 1
        ):
            spans[-1].append(day)
        else:
            spans.append([day])
    return ", ".join(
        format_month(s[0]) if len(s) == 1 else f"{format_month(s[0])} to {format_month(s[-1])}"
        for s in spans
    )


def basis_text(judgement: Judgement) -> str:
    """Which data a "when written" verdict stands on, in one sentence: first releases on
    record (naming the reports and the months it could not check) or the publication rule."""
    read = judgement.vintage
    if judgement.basis != VINTAGE or read is None:
        return (
            "Publication rule: today's values of the observations released by then "
            "(no earlier vintage on record)."
        )
    if read.kind == "as of":
        return (
            f"Vintage of {format_date(judgement.cutoff)}: the figures as published that day "
            f"({', '.join(read.series)}, from the revisions on record), not today's."
        )
    first, last = read.releases[0], read.releases[-1]
    text = (
        f"First releases: each month as its report printed it ({', '.join(read.series)}, "
        f"reports of {format_date(first)} to {format_date(last)}), not today's revised values."
    )
    if read.unchecked:
        text += (
            f" Not checked: {_months(read.unchecked)}, published by "
            f"{format_date(judgement.cutoff)} but with no first release on record."
        )
    return text


def _link(reads: dict[str, str]) -> str:
    indicators = sorted({ref.partition(".")[0] for ref in reads.values()})
    if indicators == ["net-liquidity"]:
        return "[Risk ladder](ladder.md)"
    return ", ".join(f"[{i}](indicators/{i}.md)" for i in indicators)


def _basis_word(judgement: Judgement) -> str:
    """``basis_written`` in scorecard.csv: first release, vintage (of the written day itself)
    or publication rule."""
    if judgement.vintage is not None and judgement.vintage.kind == "as of":
        return "vintage"
    return VERDICT_BASES[judgement.basis]


def _revised(result: ClaimResult) -> bool:
    return result.written.basis == VINTAGE


def rows(results: list[ClaimResult]) -> list[ClaimRow]:
    return [
        ClaimRow(
            id=r.config.id,
            text=r.config.text,
            rule=" ".join(r.config.rule.split()),
            link=_link(r.config.reads),
            written=r.written.verdict,
            now=r.now.verdict,
            as_of_written=r.written.evidence.as_of,
            as_of_now=r.now.evidence.as_of,
            evidence_written=evidence_text(r, r.written),
            evidence_now=evidence_text(r, r.now)
            + (" Values are today's vintage, revisions included." if _revised(r) else ""),
            stopped_written=dict(r.written.evidence.stopped),
            stopped_now=dict(r.now.evidence.stopped),
            basis_written=_basis_word(r.written),
            basis_text=basis_text(r.written),
        )
        for r in results
    ]


def _tally(verdicts: list[Verdict]) -> str:
    """' (3 not supported, 2 inconclusive)': what the verdicts other than supported were."""
    parts = [f"{verdicts.count(v)} {v}" for v in VERDICTS[1:] if verdicts.count(v)]
    return f" ({', '.join(parts)})" if parts else ""


def count(judgements: list[Judgement]) -> str:
    """'1 of 7 current (3 not supported, 3 inconclusive); 2 as of February 2026 (2
    inconclusive)': verdicts whose inputs stopped early are counted apart, by the month they
    are as of, so a verdict frozen in February is not read as today's. With none stopped, as
    before: '1 of 9 (...)'."""
    current = [j.verdict for j in judgements if j.current]
    held = f"{current.count(SUPPORTED)} of {len(current)}"
    if len(current) == len(judgements):
        return f"{held}{_tally(current)}"
    text = f"{held} current{_tally(current)}"
    by_month: dict[str, list[Verdict]] = {}
    for judgement in judgements:
        if not judgement.current:
            month = format_month(judgement.evidence.as_of)
            by_month.setdefault(month, []).append(judgement.verdict)
    for month, verdicts in by_month.items():
        supported = verdicts.count(SUPPORTED)
        held_then = f", {supported} supported" if supported else ""
        text += f"; {len(verdicts)} as of {month}{held_then}{_tally(verdicts)}"
    return text


def summary(results: list[ClaimResult], written: date | None) -> str:
    """'Held when written: N of 9; holds now: M of 7 current; 2 as of February 2026', with
    what the rest were."""
    if not results:
        return "No claims are configured."
    then = count([r.written for r in results])
    now = count([r.now for r in results])
    return f"Held when written ({format_date(written)}): {then}; holds now: {now}."


def scorecard_csv(results: list[ClaimResult]) -> str:
    """``data/scorecard.csv``: one row per claim, both verdicts, ISO dates, plain text (a
    claim's text that starts like a formula is neutralised: ``csv_cells``)."""
    return csv_cells.table(
        CSV_COLUMNS,
        (
            [
                row.id,
                row.text,
                row.written,
                row.now,
                row.as_of_written.isoformat() if row.as_of_written else "",
                row.as_of_now.isoformat() if row.as_of_now else "",
                row.evidence_written,
                row.evidence_now,
                _stopped_cell(row.stopped_written),
                _stopped_cell(row.stopped_now),
                row.basis_written,
            ]
            for row in rows(results)
        ),
    )


def _stopped_cell(stopped: dict[str, date]) -> str:
    """'BNB-USD 2026-02-20' (';'-separated): the inputs that ended early and their last dates;
    empty for a verdict on current data."""
    return ";".join(f"{name} {day.isoformat()}" for name, day in stopped.items())
