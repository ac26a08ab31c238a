"""What each template receives, typed: one ``TypedDict`` per page context and table row.

The templates read these by key with ``StrictUndefined``; declaring them here lets mypy check
every place a context is built (a misspelt key or a number where the template expects text
fails the type check, not a page at night). Plain dicts at run time, so Jinja reads them as
before and the pages stay byte-identical.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, NotRequired, TypedDict

from generator.catalogue.models import Level, SiteConfig, Verdict
from generator.publish.format import Number

if TYPE_CHECKING:  # both modules build contexts from here
    from generator.publish.answer import Lead
    from generator.publish.pages import Paragraph

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

    value: Number
    week: str
    mae: Number | None
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
    value: Number
    change: Number | None
    change_label: str | None
    percentile: Number | None
    percentile_label: str | None
    spark: str
    revised: str | None
    estimate: Estimate | None


class QuantityRow(TypedDict):
    name: str
    label: str
    formula: str
    unit: str
    latest: Number
    latest_date: date | None
    month_ago: Number
    year_ago: Number


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
    cite: Cite | None


class ExplainRow(TypedDict):
    series: str
    date: str
    value: str
    known_from: str
    basis: str
    fetched_at: str


class ExplainBlock(TypedDict):
    """One quantity's "How this number was made"."""

    anchor: str  # the block's id (format.explain_anchor): what an explained figure links to
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
    desk: DeskSection | None
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
    narrative: list[Paragraph]
    cards: list[Card]
    regime_chart: str | None
    regime_figure: Figure | None
    regime_note: str
    regime_cite: Cite | None
    claims: str
    latest_report: LatestReport | None
    brief: list[str]
    lead: Lead
    calendar: CalendarPage
    global_section: GlobalSection | None


class CalendarIndicator(TypedDict):
    id: str
    title: str


class CalendarRow(TypedDict):
    """One release on the calendar page and the home panel."""

    id: str
    name: str
    title: str
    link: str | None
    next: str
    basis: str
    later: list[str]
    series: list[str]
    indicators: list[CalendarIndicator]
    claims: list[str]


class CalendarPage(TypedDict):
    as_of: str
    as_of_day: str
    rows: list[CalendarRow]
    panel: list[CalendarRow]


class HeldReply(TypedDict):
    """A reply the revision gate held for review."""

    series: str
    changed: int
    since: str
    reason: str


class RevisionRow(TypedDict):
    series: str
    date: str
    old: Number | str
    new: Number | str
    known_from: str
    replaced: str
    basis: str


class RevisionsPage(TypedDict):
    held: list[HeldReply]
    total: int
    shown: int
    withheld: list[str]
    rows: list[RevisionRow]


class SplitRow(TypedDict):
    """One part of a global indicator's latest change in dollars."""

    part: str
    value: Number


class GlobalPageSection(TypedDict):
    id: str
    title: str
    measures: str
    sentence: str | None
    value: Number
    as_of: str
    figure: Figure | None
    spec: str
    csv: str
    split: list[SplitRow]
    split_month: str


class GlobalPage(TypedDict):
    sections: list[GlobalPageSection]
    until: str


class DeskRow(TypedDict):
    period: str
    bought: Number
    reinvested: Number
    rmp: Number
    announced: Number | str
    source: str | None
    checks: list[Number]


class DeskTable(TypedDict):
    columns: list[str]
    rows: list[DeskRow]


class DeskSection(TypedDict):
    """The Desk's periods on the indicator page ``desk: table:`` names."""

    sentence: str
    table: DeskTable
    csv: str
    columns: str


# A row of the ladder page's tables (primary tests, lag scan, averages): text and counts.
LadderRow = dict[str, str | int]


class SeriesNote(TypedDict):
    series: str
    note: str | None  # only series with a note are listed


class DriverSection(TypedDict):
    """One ``ladder: also:`` driver's section of the ladder page."""

    title: str
    label: str
    indicator: str
    change: str
    since: date | None
    until: date | None
    primary_sentence: str
    scan_sentence: str
    primary: list[LadderRow]
    lags: list[LadderRow]
    left_out: str
    notes: list[SeriesNote]


class LadderPage(TypedDict):
    skew_example: str
    summary: str
    primary: list[LadderRow]
    primary_weeks: str
    placebo_draws: str
    coverage_text: str
    common_text: str
    common: list[dict[str, str]]
    abnormal: list[LadderRow]
    since: date
    until: date
    lags: list[LadderRow]
    threshold: str
    beyond: str
    article_order: str
    asset_count: str
    single_level: str
    observed_order: str
    order_text: str
    turns: list[date]
    events: list[dict[str, str]]
    average: list[LadderRow]
    fall_text: str
    chart: str
    csv: str
    figure: Figure | None
    cite: Cite | None
    drivers: list[DriverSection]
