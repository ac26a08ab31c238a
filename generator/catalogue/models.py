"""The models of ``indicators.yml`` (series, indicators, regime, site) and ``events.yml``.

Field descriptions are written for the person editing the YAML: they become
``indicators.schema.json`` (editor completion) and the Config reference page.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from pydantic import ConfigDict, Field, field_validator, model_validator

from generator.catalogue.answer import AnswerConfig
from generator.catalogue.claims import ClaimsConfig
from generator.catalogue.desk import DeskConfig
from generator.catalogue.formulas import Operand
from generator.catalogue.grammar import (
    INDICATOR_ID,
    QUANTITY_NAME,
    RESERVED_IDS,
    Duration,
    SeriesParts,
    Strict,
    check_duration,
    check_url,
)
from generator.catalogue.nowcast import NowcastConfig
from generator.catalogue.releases import ReleaseConfig, check_release_id
from generator.catalogue.sources import SOURCES, Fetch, SourceName, SourceSpec, resolve


class SeriesConfig(Strict):
    source: SourceName = Field(
        description="Where `make update` fetches it. Alone, fred, nyfed, market or crypto "
        "(with the defaults of each); any source with its parameters in a `fetch:` block, "
        "whose `source:` this repeats or stands for"
    )
    fetch: Fetch | None = Field(
        None,
        description="The source and its parameters (an SDMX key, a CSV's columns...); "
        "`source:` above may then be left out",
    )
    title: str = Field(max_length=200, description="The series' name at its source")
    units: str = Field(description="Units as the source states them")
    owner: str = Field(description="Who owns the data (their terms apply)")
    frequency: str = Field(description="How often it is observed")
    redistribute: bool = Field(
        True, description="False when the owner's terms forbid publishing raw levels"
    )
    attribution: str | None = Field(None, description="Credit line shown next to the data")
    plausible: tuple[float, float] | None = Field(None, description="[low, high] for sanity checks")
    revision_days: int = Field(
        90, ge=0, le=3650, description="Days before the last stored date re-fetched by update"
    )
    max_revision: float | None = Field(
        None,
        gt=0,
        le=100,
        description="The largest revision `update` applies without a person, as a share of the "
        "series' typical level (default 0.25); a larger one, or a change of scale, is held until "
        "`python -m generator accept ID`",
    )
    optional: bool = Field(False, description="True when the series may be absent")
    note: str | None = Field(None, description="Why the series is missing or special")
    link: str | None = Field(
        None, description="Page of the series at its source (an http:// or https:// address)"
    )
    valid_from: date | None = Field(
        None,
        description="Observations before this date are dropped as implausible (say why in note)",
    )
    breaks: list[date] = Field(
        default_factory=list,
        description="Dates on which the level steps for a reason that is not a flow (a "
        "vintage or method change): changes across them are left out of lead/lag tests",
    )
    published_after: int = Field(
        0,
        ge=0,
        le=120,
        description="Days from an observation's date to its publication (H.4.1 Wednesday "
        "figures: 1; a month dated on its first day and released early the next month: 37). "
        "Claims judged 'when written' use only what had been published by then",
    )
    release: str | None = Field(
        None,
        description="The id of its release under `releases:` (when it is published): "
        "`update --due` fetches it only after that release, and the calendar lists it. "
        "Without one it is fetched by the nightly run only",
    )

    @model_validator(mode="before")
    @classmethod
    def _source_from_fetch(cls, data: object) -> object:
        """`fetch: {source: sdmx, ...}` says the source: `source:` may be left out."""
        if isinstance(data, dict) and "source" not in data and isinstance(data.get("fetch"), dict):
            named = data["fetch"].get("source")
            if named in SOURCES:  # an unknown name is reported once, in the fetch: block
                return {"source": named, **data}
        return data

    @model_validator(mode="after")
    def _one_source(self) -> SeriesConfig:
        if self.fetch is not None and self.fetch.source != self.source:
            raise ValueError(
                f"'source: {self.source}' and the fetch: block's "
                f"'source: {self.fetch.source}' differ; keep one"
            )
        return self

    def fetcher(self, series_id: str) -> SourceSpec:
        """The source model: the fetch: block, or the defaults of the one-line `source:`.
        Raises ValueError when the one-line form cannot say enough (``check`` words it)."""
        return resolve(series_id, self.source, self.fetch)

    @field_validator("link")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

    @field_validator("plausible")
    @classmethod
    def _plausible(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not value[0] < value[1]:
            raise ValueError(f"[{value[0]:g}, {value[1]:g}] is not a range: low must be below high")
        return value

    def url(self, series_id: str) -> str | None:
        if self.link:
            return self.link
        if self.source == "fred":
            return f"https://fred.stlouisfed.org/series/{series_id}"
        return None


class Quantity(Strict):
    label: str = Field(
        max_length=80, description="How the quantity is named on cards, charts and pages"
    )
    formula: Operand = Field(
        description="A series id, an earlier quantity's name, or an operation (nestable)"
    )
    unit: str | None = Field(None, description="Defaults to the indicator's unit")
    decimals: int | None = Field(
        None, ge=0, le=6, description="Decimals shown; defaults to the indicator's"
    )


class ChartConfig(Strict):
    kind: Literal["line", "area", "bar", "stacked_bar"] = Field(
        "line",
        description="line for levels, area for a filled level, bar for monthly flows, "
        "stacked_bar for the parts of a flow per period (e.g. per Desk period), one on another",
    )
    plot: list[str] = Field(min_length=1, description="Quantities drawn, one line each")
    window: Duration = Field("10y", description="How much history to draw, or 'all'")
    rule_at: float | None = Field(None, description="Draw a horizontal rule at this value")
    rule_label: str | None = Field(
        None, max_length=40, description="What the rule marks, shown beside it and under the chart"
    )
    weekly_after: Duration = Field(
        "2y", description="Downsample to weekly when the window is longer than this"
    )
    log_scale: bool = Field(False, description="A log y axis, for prices over many years")

    @field_validator("window", "weekly_after")
    @classmethod
    def _duration(cls, value: str) -> str:
        return check_duration(value)


# The status levels, mildest first: their one home. Order matters (the brief's arrows, the
# regime's labels map onto them); every module reads LEVELS instead of spelling them.
Level = Literal["calm", "watch", "stress"]
LEVELS: tuple[Level, ...] = get_args(Level)
# The regime's labels, loosest first, and the level each shows as.
RegimeLabel = Literal["easing", "neutral", "tight"]
REGIME_LABELS: tuple[RegimeLabel, ...] = get_args(RegimeLabel)
REGIME_LEVEL: dict[RegimeLabel, Level] = dict(zip(REGIME_LABELS, LEVELS, strict=True))
# A stored series' state in the manifest (``data/manifest.json``): fresh (its last update
# succeeded), stale (it failed; the last good rows are kept) or unavailable (no data yet).
# ``update`` sets it, ``load`` and ``check`` read it, the pages show it.
SeriesStatus = Literal["fresh", "stale", "unavailable"]
SERIES_STATUSES: tuple[SeriesStatus, ...] = get_args(SeriesStatus)
# A claim's verdict, in the order the scorecard tallies them (supported first).
Verdict = Literal["supported", "not supported", "inconclusive", "not testable"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)


class StatusRule(Strict):
    when: str = Field(description="A condition over the quantities, e.g. 'mean_20d > 0'")
    level: Level = Field(description="The traffic light when the rule holds: calm, watch, stress")
    say: str = Field(description="The narrative sentence; {{ name }} inserts a quantity")


class Card(Strict):
    value: str = Field(description="The quantity shown large on the home card")
    change: str | None = Field(None, description="A quantity shown as the recent change")
    percentile: str | None = Field(None, description="A quantity shown as the percentile")


class IndicatorConfig(Strict):
    id: str = Field(description="The page address: lowercase letters, digits and -")
    title: str = Field(max_length=120, description="The heading of the card and the page")
    group: str = Field(
        description="The home-page section the card sits in: the id of one of `groups:`"
    )
    unit: str = Field(description="The unit of the quantities, shown after numbers")
    decimals: int = Field(1, ge=0, le=6, description="Decimals shown for the quantities")
    measures: str = Field(description="What the indicator measures")
    thesis: str = Field(description="Why it matters to the thesis")
    units_note: str | None = Field(None, description="How source units were aligned")
    quantities: dict[str, Quantity] = Field(
        min_length=1, description="Named formulas; each may use the ones above it"
    )
    card: Card = Field(description="What the home-page card shows")
    chart: ChartConfig = Field(description="The chart on the indicator page")
    status: list[StatusRule] = Field(
        default_factory=list, description="Rules tried in order; the first that holds wins"
    )

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not INDICATOR_ID.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid id: use lowercase letters, digits and '-'")
        if value in RESERVED_IDS:
            raise ValueError(
                f"{value!r} names one of the site's own pages or files; choose another id "
                f"(reserved: {', '.join(sorted(RESERVED_IDS))})"
            )
        return value

    @field_validator("quantities")
    @classmethod
    def _names(cls, value: dict[str, Quantity]) -> dict[str, Quantity]:
        for name in value:
            if not QUANTITY_NAME.fullmatch(name):
                raise ValueError(
                    f"quantity name {name!r} must start with a letter and use a-z, 0-9 and _"
                )
        return value


class RegimeInput(Strict):
    indicator: str = Field(description="An indicator id")
    quantity: str = Field(description="One of that indicator's quantities")
    weight: float = Field(1.0, gt=0, description="Its weight in the composite score")
    invert: bool = Field(False, description="True when a higher value means tighter liquidity")
    label: str | None = Field(None, max_length=80, description="How the headline names this input")


class RegimeConfig(Strict):
    lookback: Duration = Field("3y", description="Window over which inputs are standardised")
    easing_above: float = Field(0.5, description="Score above which the regime is easing")
    tight_below: float = Field(-0.5, description="Score below which the regime is tight")
    inputs: list[RegimeInput] = Field(min_length=1, description="The standardised inputs")

    @field_validator("lookback")
    @classmethod
    def _duration(cls, value: str) -> str:
        return check_duration(value)


class LadderDriver(Strict):
    """Another liquidity measure put to the ladder's tests against some of its assets."""

    indicator: str = Field(description="The indicator whose quantity is the driver")
    level: str = Field(description="Its quantity giving the level (weekly changes are tested)")
    label: str = Field(max_length=60, description="How the page names it, e.g. stablecoin supply")
    change: Literal["difference", "percent"] = Field(
        "difference",
        description="difference: the weekly change in the level's unit (as net liquidity); "
        "percent: the weekly log change in percent, for a level that grew many-fold",
    )
    assets: list[str] = Field(
        min_length=1, description="Series ids of the assets tested, e.g. [BTC-USD, ETH-USD]"
    )
    since: date | None = Field(
        None,
        description="The test starts here (say why in a comment): the driver's early history "
        "may not measure the same thing",
    )


class LadderAsset(Strict):
    series: str = Field(description="The id of the asset's price series (declared in series:)")
    name: str = Field(
        min_length=1, max_length=40, description="How the ladder page and its chart name it"
    )


# The article's order: equities, small caps, Bitcoin, Ether, other coins; the default of
# `ladder: assets:`, so a catalogue written before the list moved here builds the same ladder.
DEFAULT_LADDER_ASSETS = (
    ("SP500", "S&P 500"),
    ("RUT", "Russell 2000"),
    ("BTC-USD", "Bitcoin"),
    ("ETH-USD", "Ether"),
    ("BNB-USD", "BNB"),
)


def _default_assets() -> list[LadderAsset]:
    return [LadderAsset(series=s, name=n) for s, n in DEFAULT_LADDER_ASSETS]


class LadderConfig(Strict):
    """The risk ladder: which liquidity measure drives it and which events it studies."""

    indicator: str = Field(description="The indicator whose quantities drive the ladder")
    level: str = Field(description="Its quantity giving the level (weekly changes are tested)")
    change: str = Field(description="Its quantity whose turns up are the liquidity events")
    events: list[str] = Field(
        default_factory=list,
        description="Ids of events in events.yml studied besides the turns, e.g. purchases-start",
    )
    also: list[LadderDriver] = Field(
        default_factory=list,
        description="Other drivers tested with the same primary test, lag scan and power "
        "statement against some of the assets (stablecoin supply against Bitcoin and Ether)",
    )
    assets: list[LadderAsset] = Field(
        default_factory=_default_assets,
        min_length=2,
        description="The assets tested, in the order the article expects them to respond "
        "(equities first, other coins last); each a price series with data in the snapshot",
    )

    @property
    def order(self) -> list[str]:
        """The asset series ids in the article's expected order."""
        return [a.series for a in self.assets]

    @property
    def names(self) -> dict[str, str]:
        """Series id -> display name, in the article's expected order."""
        return {a.series: a.name for a in self.assets}


class AttributionSeries(SeriesParts):
    """The four Wednesday levels the attribution of reserves reads (millions of USD except the
    ON RRP, in billions): renaming one here is all a fork with other ids needs."""

    reserves: str = Field("WRBWFRBL", description="Reserve balances, Wednesday level")
    fed_assets: str = Field("WALCL", description="The Fed's total assets, Wednesday level")
    tga: str = Field("WDTGAL", description="The Treasury General Account, Wednesday level")
    rrp: str = Field("RRPONTSYD", description="Overnight reverse repo, daily (bn USD)")


class AttributionConfig(Strict):
    """Where a week's change in reserves came from, and the indicator pages that show it."""

    series: AttributionSeries = Field(
        AttributionSeries(), description="The series each part reads (ids from series:)"
    )
    pages: list[str] = Field(
        ["reserves", "net-liquidity"],
        description="Ids of the indicators whose pages show the attribution chart",
    )


class GroupConfig(Strict):
    """One home-page section: the indicators whose `group:` names it, their sentences in one
    paragraph of "What the data says"."""

    id: str = Field(description="The name indicators give in `group:`")
    title: str = Field(max_length=80, description="How the section is named")
    heading: bool = Field(
        False, description="Show the title as a heading above the section's paragraph"
    )
    text: str | None = Field(
        None, max_length=600, description="A sentence shown before the indicators' sentences"
    )
    with_previous: bool = Field(
        False,
        description="Continue the previous section's paragraph instead of starting one "
        "(funding follows liquidity, equities follow labour)",
    )

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not INDICATOR_ID.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid id: use lowercase letters, digits and '-'")
        return value


# Today's sections, in order: the default of `groups:`.
DEFAULT_GROUPS = (
    ("liquidity", "Fed liquidity", False, False),
    ("funding", "Funding markets", True, False),
    ("labour", "Labour market", False, False),
    ("equities", "Equities", True, False),
    ("crypto", "Crypto", False, False),
    ("global", "Global liquidity", False, True),
)


def default_groups() -> list[GroupConfig]:
    return [GroupConfig(id=i, title=t, with_previous=w, heading=h) for i, t, w, h in DEFAULT_GROUPS]


class SiteConfig(Strict):
    name: str = Field(
        "Liquidity Watch",
        min_length=1,
        max_length=60,
        description="The site's name: header, home, feeds",
    )
    tagline: str = Field("", max_length=200, description="The line under the name on the home page")


class Config(Strict):
    """indicators.yml: the catalogue a fork edits."""

    model_config = ConfigDict(title="Liquidity Watch indicators.yml")

    site: SiteConfig = Field(SiteConfig(), description="Names shown on the site")
    series: dict[str, SeriesConfig] = Field(description="Every input series, by id")
    indicators: list[IndicatorConfig] = Field(description="What the site measures, in order")
    regime: RegimeConfig | None = Field(None, description="The composite liquidity regime")
    ladder: LadderConfig | None = Field(None, description="The risk-ladder lead/lag analysis")
    attribution: AttributionConfig = Field(
        AttributionConfig(),
        description="The attribution of weekly changes in reserves (Fed assets, TGA, ON RRP, "
        "other) and the pages that show it",
    )
    nowcast: NowcastConfig | None = Field(
        NowcastConfig(),
        description="The estimate of this week's reserves and net liquidity before the H.4.1: "
        "the series it reads and the charts it continues (null: no estimate)",
    )
    groups: list[GroupConfig] = Field(
        default_factory=default_groups,
        min_length=1,
        description="The home page's sections, in order; each indicator's `group:` names one",
    )
    claims: ClaimsConfig | None = Field(
        None, description="The article's claims, judged when written and now (the scorecard)"
    )
    answer: AnswerConfig | None = Field(
        None,
        description="The plain answer to the site's question that opens the home page, each "
        "new report and each feed item: rules over indicators' latest values",
    )
    desk: DeskConfig | None = Field(
        None,
        description="The NY Fed Desk's monthly purchase periods (mid-month to mid-month), over "
        "which the `desk_period` formula operation sums operations",
    )
    releases: dict[str, ReleaseConfig] = Field(
        default_factory=dict,
        description="The publications the series come in, by id (a series names one with "
        "`release:`): when each is published, as a rule and, for FRED releases, FRED's calendar",
    )

    @field_validator("releases")
    @classmethod
    def _release_ids(cls, value: dict[str, ReleaseConfig]) -> dict[str, ReleaseConfig]:
        for name in value:
            check_release_id(name)
        return value

    def indicator(self, indicator_id: str) -> IndicatorConfig:
        for item in self.indicators:
            if item.id == indicator_id:
                return item
        raise KeyError(indicator_id)


class Event(Strict):
    id: str | None = Field(None, description="A name other settings refer to, e.g. qt-end")
    date: date
    label: str = Field(max_length=80)
    short: str | None = Field(
        None, max_length=16, description="The label on charts; FOMC meetings default to FOMC"
    )
    kind: Literal["fomc", "policy", "market"] = "policy"
    easing: bool = Field(
        False,
        description="A Fed policy easing start (QT's end, purchases beginning, a first cut): "
        "the fall-first claim judges these apart from upturns in net liquidity. Only on "
        "kind: policy",
    )

    @model_validator(mode="after")
    def _easing_is_policy(self) -> Event:
        if self.easing and self.kind != "policy":
            raise ValueError(
                f"easing: true needs kind: policy (this event is kind: {self.kind}); the "
                "fall-first claim studies the Fed's own policy decisions"
            )
        return self


class Events(Strict):
    events: list[Event]
