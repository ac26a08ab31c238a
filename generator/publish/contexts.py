"""What each template receives, typed: one ``TypedDict`` per page context and table row.

The templates read these by key with ``StrictUndefined``; declaring them here lets mypy check
every place a context is built (a misspelt key or a number where the template expects text
fails the type check, not a page at night). Plain dicts at run time, so Jinja reads them as
before and the pages stay byte-identical.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NotRequired, TypedDict

from generator.catalogue.models import Level, SiteConfig, Verdict

# A page's context as ``outputs.Page`` passes it to ``render(**context)``.
Context = Mapping[str, object]


class PictureSource(TypedDict):
    src: str
    classes: str
    width: int
    height: int


class Figure(TypedDict):
    """A chart's pictures, its PNG and its one-sentence text alternative."""

    png: str
    sentence: str
    pictures: list[PictureSource]
    windowed: bool


class Estimate(TypedDict):
    """The nowcast's line on a card."""

    value: str
    week: str
    mae: str | None
    horizon: str | None


class Card(TypedDict):
    id: str
    title: str
    href: str
    level: Level | None
    no_data: bool
    missing: list[str]
    as_of: date | None
    as_of_label: str
    stale_since: str | None
    overdue_since: str | None
    unit: str
    value: str
    change: str | None
    change_label: str | None
    percentile: str | None
    percentile_label: str | None
    spark: str
    revised: str | None
    estimate: Estimate | None


class QuantityRow(TypedDict):
    name: str
    label: str
    formula: str
    unit: str
    latest: str
    latest_date: date | None
    month_ago: str
    year_ago: str


class SourceRow(TypedDict):
    id: str
    url: str | None
    title: str
    units: str
    owner: str
    first: str
    last: str
    status: str


class MissingRow(TypedDict):
    id: str
    note: str


class RuleRow(TypedDict):
    when: str
    level: Level


class AttributionBlock(TypedDict):
    """The attribution chart on the pages ``attribution: pages:`` names."""

    chart: str
    csv: str
    sentence: str | None
    since: date
    figure: Figure | None


class ExplainRow(TypedDict):
    series: str
    date: str
    value: str
    known_from: str
    basis: str
    fetched_at: str


class ExplainBlock(TypedDict):
    """One quantity's "How this number was made"."""

    label: str
    day: str
    value: str
    steps: list[str]
    rows: list[ExplainRow]


class Cite(TypedDict):
    zip: str
    sha256: str
    citation: str
    snippet: str
    embed: str


class PageParts(TypedDict):
    """What an indicator page shows beside its numbers, made by the other stages: its chart
    (None without data), revised mark, attribution, Desk periods and explanations."""

    chart: str | None
    csv: str | None
    chart_note: str
    figure: Figure | None
    cite: Cite | None
    revised: str | None
    attribution: AttributionBlock | None
    desk: dict[str, Any] | None
    explain: list[ExplainBlock] | None
    explain_json: str


class IndicatorPage(PageParts):
    id: str
    title: str
    level: Level | None
    as_of: date | None
    as_of_label: str
    stale: dict[str, str]
    overdue: dict[str, str]
    sentence: str | None
    measures: str
    thesis: str | None
    units_note: str | None
    missing: list[MissingRow]
    quantities: list[QuantityRow]
    rules: list[RuleRow]
    sources: list[SourceRow]
    attributions: list[str]


class Headline(TypedDict):
    """The regime line at the top of the home page."""

    label: str
    level: str
    score: float | None
    as_of: date | None
    text: str
    inputs_text: NotRequired[str]  # only with a regime


class LatestReport(TypedDict):
    href: str
    title: str
    date: date


class ScorecardRow(TypedDict):
    claim: str
    id: str
    link: str
    rule: str
    written: Verdict
    written_level: str
    now: Verdict
    now_level: str
    as_of_written: date | None
    as_of_now: date | None
    evidence_written: str
    evidence_now: str
    note_written: str
    note_now: str
    basis: str
    vintage: bool


class ScorecardPage(TypedDict):
    claims: list[ScorecardRow]
    summary: str
    written: date | None
    csv: str


class StatusRow(TypedDict):
    """One series on the Data status page."""

    id: str
    url: str | None
    source: str
    units: str
    frequency: str
    first: str | None  # "n/a" without data
    last: str | None
    rows: int
    fetched_at: str
    status: str
    used_by: str
    known: str


class DataStatus(TypedDict):
    series: list[StatusRow]
    notes: list[MissingRow]


class GlobalSection(TypedDict):
    """The home page's paragraph on global liquidity."""

    paragraph: str
    href: str


class Home(TypedDict):
    site: SiteConfig
    headline: Headline
    narrative: list[Any]  # pages.Paragraph
    cards: list[Card]
    regime_chart: str | None
    regime_figure: Figure | None
    regime_note: str
    claims: str
    latest_report: LatestReport | None
    brief: list[str]
    lead: Any  # answer.Lead
    calendar: dict[str, Any]
    global_section: GlobalSection | None
