"""Page contexts: turn indicator results into the values the templates print.

Which values and comparisons to show is decided here; a number leaves as a ``format.Number``
(value, unit, decimals, date, explanation name), written out by ``publish/format`` only when a
template prints it, so templates stay declarative and golden files change only when a number
or a word really changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from generator.catalogue.models import Config, GroupConfig, Verdict
from generator.measure import claims as claims_measure
from generator.measure.claims import ClaimResult
from generator.measure.indicators import IndicatorResult
from generator.measure.regime import Component, Regime
from generator.publish import charts, scorecard
from generator.publish.contexts import (
    Card,
    Estimate,
    Headline,
    IndicatorPage,
    LatestReport,
    MissingRow,
    PageParts,
    QuantityRow,
    ScorecardPage,
    ScorecardRow,
    SourceRow,
)
from generator.publish.data_status import series_status
from generator.publish.describe import describe
from generator.publish.format import (
    Number,
    format_as_of,
    format_date,
    format_number,
    is_monthly,
    quantity_number,
    unit,
)
from generator.publish.render import front_matter
from generator.publish.sentences import sentence
from generator.snapshot.store import SeriesRecord


def _value(
    result: IndicatorResult,
    name: str,
    value: float | None,
    day: date | None = None,
    signed: bool = False,
) -> Number:
    """A quantity's value as the templates receive it: a ``Number``, written out only by
    ``publish/format``."""
    return quantity_number(result.config, result.id, name, value, day, signed)


def _value_text(result: IndicatorResult, name: str, value: float, signed: bool = False) -> str:
    return str(_value(result, name, value, signed=signed))


def card(
    result: IndicatorResult,
    href: str,
    revised: str | None = None,
    estimate: Estimate | None = None,
) -> Card:
    """A home card; ``revised``: its revised mark, ``estimate``: the nowcast's line."""
    spec = result.config.card
    value_name = spec.value
    context: Card = {
        "id": result.id,
        "title": result.config.title,
        "href": href,
        "level": result.status.level if result.status else None,
        "no_data": not result.has_data,
        "missing": result.missing,
        "as_of": result.as_of,
        "as_of_label": as_of_label(result),
        "stale_since": min(result.stale.values()) if result.stale else None,
        "overdue_since": min(result.overdue.values()) if result.overdue else None,
        "unit": unit(result.config, value_name),
        "value": _value(result, value_name, result.latest(value_name), result.as_of),
        "change": None,
        "change_label": None,
        "percentile": None,
        "percentile_label": None,
        "spark": charts.sparkline_svg(result.quantities[value_name]),
        "revised": revised,
        "estimate": estimate,
    }
    if spec.change:
        context["change"] = _value(
            result, spec.change, result.latest(spec.change), result.latest_date(spec.change), True
        )
        context["change_label"] = result.config.quantities[spec.change].label
    if spec.percentile:
        context["percentile"] = Number(
            result.latest(spec.percentile),
            decimals=0,
            date=result.latest_date(spec.percentile),
            explain=f"{result.id}.{spec.percentile}",
        )
        context["percentile_label"] = result.config.quantities[spec.percentile].label
    return context


def indicator_page(
    result: IndicatorResult,
    config: Config,
    records: dict[str, SeriesRecord],
    parts: PageParts,
) -> IndicatorPage:
    """An indicator page: its numbers, rules and sources, with ``parts`` made elsewhere."""
    quantities: list[QuantityRow] = []
    for name, quantity in result.config.quantities.items():
        latest_date = result.latest_date(name)
        month = year = Number(None)
        if latest_date is not None:
            stamp = pd.Timestamp(latest_date)
            when, before = result.value_at(name, stamp - pd.DateOffset(weeks=4))
            year_when, year_before = result.value_at(name, stamp - pd.DateOffset(years=1))
            month = _value(result, name, before, when)
            year = _value(result, name, year_before, year_when)
        quantities.append(
            {
                "name": name,
                "label": quantity.label,
                "formula": describe(quantity.formula),
                "unit": unit(result.config, name),
                "latest": _value(result, name, result.latest(name), latest_date),
                "latest_date": latest_date,
                "month_ago": month,
                "year_ago": year,
            }
        )
    sources: list[SourceRow] = []
    attributions: list[str] = []
    for series_id in result.series:
        spec = config.series[series_id]
        record = records.get(series_id)
        sources.append(
            {
                "id": series_id,
                "url": spec.url(series_id),
                "title": spec.title,
                "units": spec.units,
                "owner": spec.owner,
                "first": record.first if record and record.first else "n/a",
                "last": record.last if record and record.last else "n/a",
                "status": series_status(
                    None if series_id in result.missing else record,
                    result.overdue.get(series_id),
                    absent="not in snapshot",
                ),
            }
        )
        if spec.attribution and spec.attribution not in attributions:
            attributions.append(spec.attribution)
    missing: list[MissingRow] = [
        {"id": s, "note": config.series[s].note or "Run `make update` to fetch it."}
        for s in result.missing
    ]
    return {
        **parts,
        "id": result.id,
        "title": result.config.title,
        "level": result.status.level if result.status else None,
        "as_of": result.as_of,
        "as_of_label": as_of_label(result),
        "stale": result.stale,
        "overdue": result.overdue,
        "sentence": sentence(result),
        "measures": result.config.measures,
        "thesis": result.config.thesis,
        "units_note": result.config.units_note,
        "missing": missing,
        "quantities": quantities,
        "rules": [{"when": r.when, "level": r.level} for r in result.config.status],
        "sources": sources,
        "attributions": attributions,
    }


def headline(regime: Regime | None, results: list[IndicatorResult]) -> Headline:
    """The regime line at the top of the home page, with the inputs that drove it."""
    if regime is None:
        return {
            "label": "unknown",
            "level": "none",
            "score": None,
            "as_of": None,
            "text": "Not enough data to score the liquidity regime.",
        }
    by_id = {r.id: r for r in results}
    window = _window_words(regime.lookback)

    def said(c: Component) -> str:
        return _component(c, by_id.get(c.indicator), window)

    easing = [c for c in regime.components if c.zscore > 0.25]
    tight = [c for c in regime.components if c.zscore < -0.25]
    parts = []
    if easing:
        parts.append("Pointing to easing: " + "; ".join(said(c) for c in easing) + ".")
    if tight:
        parts.append("Pointing to tightening: " + "; ".join(said(c) for c in tight) + ".")
    neutral = [c for c in regime.components if c not in easing and c not in tight]
    if neutral:
        parts.append("Near the usual level: " + "; ".join(said(c) for c in neutral) + ".")
    text = " ".join(parts)
    return {
        "label": regime.label,
        "level": regime.level,
        "score": regime.score,
        "as_of": regime.as_of,
        "text": text,
        "inputs_text": inputs_text(regime),
    }


def _window_words(lookback: str) -> str:
    number, unit_letter = int(lookback[:-1]), lookback[-1]
    names = {"d": "day", "w": "week", "m": "month", "y": "year"}
    return f"{number}-{names.get(unit_letter, unit_letter)}"


def _component(component: Component, result: IndicatorResult | None, window: str) -> str:
    """'SOFR minus IORB, 20-day mean: −1.0 bp, above its 3-year mean of −4.6 bp (z −0.5)': the
    value and what it is compared with, so a reading 'pointing to tightening' that is merely
    above its own history says so."""
    z = f"z {format_number(component.zscore, 1, signed=True)}"
    if component.inverted:
        z += ", inverted: higher reads as tighter"
    if result is None or math.isnan(component.mean) or math.isnan(component.value):
        return f"{component.label} ({z})"
    value = _value_text(result, component.quantity, component.value, True)
    mean = _value_text(result, component.quantity, component.mean, True)
    side = "above" if component.value > component.mean else "below"
    return f"{component.label}: {value}, {side} its {window} mean of {mean} ({z})"


def inputs_text(regime: Regime) -> str:
    """When the score averaged fewer inputs than it has today, and why (the minimum window)."""
    counts = regime.inputs
    if counts is None or counts.empty:
        return ""
    full = int(counts.iloc[-1])
    changes = counts[counts != counts.shift()]
    steps = [f"{int(n)} from {format_date(d.date())}" for d, n in changes.items()]
    if len(steps) <= 1:
        return f"Every week of the score averages {full} inputs."
    return (
        f"The score averages {full} inputs from {format_date(changes.index[-1].date())}; "
        f"before that it had fewer ({', '.join(steps[:-1])}), because an input counts only once "
        f"it has {regime.min_weeks} weeks of history, half its {_window_words(regime.lookback)} "
        "window."
    )


def narrative(
    regime: Regime | None,
    results: list[IndicatorResult],
    extra: dict[str, str] | None = None,
) -> list[str]:
    """Sentences for the home page: the regime, then each indicator's rule sentence (and any
    ``extra`` sentence for it, such as what drove reserves)."""
    sentences = []
    if regime is not None:
        sentences.append(
            f"In the week to {format_date(regime.as_of)} the composite liquidity score was "
            f"{format_number(regime.score, 2, signed=True)}, which reads as {regime.label}."
        )
    for result in results:
        said = sentence(result)
        if said:
            sentences.append(said)
            if extra and extra.get(result.id):
                sentences.append(extra[result.id])
        elif not result.has_data:
            missing = ", ".join(result.missing) or "its series"
            sentences.append(f"{result.config.title}: no data yet ({missing} not in the snapshot).")
    return sentences


def as_of_label(result: IndicatorResult) -> str:
    """The card's 'data as of': a month for monthly figures ("July 2026"), else a day."""
    if not result.has_data:
        return format_date(None)
    index = result.quantity(result.config.card.value).index
    return format_as_of(result.as_of, is_monthly(index))


# How a verdict shows: its colour is a status level's (none for a claim that cannot be tested).
VERDICT_LEVEL: dict[Verdict, str] = {
    claims_measure.SUPPORTED: "calm",
    claims_measure.NOT_SUPPORTED: "stress",
    claims_measure.INCONCLUSIVE: "watch",
    claims_measure.UNTESTABLE: "none",
}


def scorecard_page(
    claims: list[ClaimResult], written: date | None, csv: str = "data/scorecard.csv"
) -> ScorecardPage:
    """Context for scorecard.md: both verdicts of each claim side by side, with evidence."""
    table: list[ScorecardRow] = []
    for row in scorecard.rows(claims):
        table.append(
            {
                "claim": row.text,
                "id": row.id,
                "link": row.link,
                "rule": row.rule,
                "written": row.written,
                "written_level": VERDICT_LEVEL[row.written],
                "now": row.now,
                "now_level": VERDICT_LEVEL[row.now],
                "as_of_written": row.as_of_written,
                "as_of_now": row.as_of_now,
                "evidence_written": row.evidence_written,
                "evidence_now": row.evidence_now,
                "note_written": row.as_of_note("written"),
                "note_now": row.as_of_note("now"),
                "basis": row.basis_text,
                "vintage": row.basis_written == "first release",
            }
        )
    return {
        "claims": table,
        "summary": scorecard.summary(claims, written),
        "written": written,
        "csv": csv,
    }


@dataclass
class Paragraph:
    """One home section of "What the data says": its heading, if the group shows one, and its
    sentences joined."""

    heading: str | None
    text: str


def narrative_paragraphs(
    regime: Regime | None,
    results: list[IndicatorResult],
    groups: Sequence[GroupConfig],
    extra: dict[str, str] | None = None,
) -> list[Paragraph]:
    """The narrative split by the home page's sections (``groups:`` in indicators.yml, in
    order; by default the Fed and funding, then jobs and stocks, then crypto). A group with
    ``with_previous`` continues the paragraph before it; the regime's sentences open the first.
    A paragraph with no sentence is left out."""
    spans: list[list[GroupConfig]] = []
    for group in groups:
        if group.with_previous and spans:
            spans[-1].append(group)
        else:
            spans.append([group])
    sentences = narrative(regime, [])
    paragraphs = []
    for span in spans:
        ids = {g.id for g in span}
        members = [r for r in results if r.config.group in ids]
        sentences += [g.text for g in span if g.text]
        sentences += narrative(None, members, extra)
        if sentences:
            heading = span[0].title if span[0].heading else None
            paragraphs.append(Paragraph(heading, " ".join(sentences)))
        sentences = []
    return paragraphs


def latest_value(result: IndicatorResult) -> Number:
    """The card's headline value, as a report states and stores it (missing without data)."""
    name = result.config.card.value
    return _value(result, name, result.latest(name), result.as_of)


def latest_value_text(result: IndicatorResult) -> str:
    """The card's headline value with its unit, as a report states it (``n/a`` without data)."""
    return str(latest_value(result))


def latest_report(posts: Path, until: date | None = None) -> LatestReport | None:
    """The newest report post (by its dated file name), for the home page's link to it; with
    ``until`` (``build --as-of``), the newest dated on or before it: a later one did not exist."""
    dated = sorted(p for p in posts.glob("*.md") if _is_iso_day(p.stem)) if posts.is_dir() else []
    if until is not None:
        dated = [p for p in dated if date.fromisoformat(p.stem) <= until]
    if not dated:
        return None
    newest = dated[-1]
    meta = front_matter(newest.read_text(encoding="utf-8"))
    return {
        "href": f"blog/posts/{newest.name}",
        "title": str(meta.get("title") or newest.stem),
        "date": date.fromisoformat(newest.stem),
    }


def _is_iso_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
