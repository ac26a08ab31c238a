"""Sources as data: where ``make update`` gets a series, declared in ``indicators.yml``.

A series names its source in a ``fetch:`` block, one model per source, told apart by
``source:`` (as formulas are by ``op:``), so each source validates its own parameters with the
file and the line: an SDMX flow and key, a Bank of Japan database and code, a Fiscal Data
endpoint and the rows that carry the value, a CSV's column names. A fork adds a series from any
of these by editing ``indicators.yml`` alone. The older one-line form (``source: fred``) stays
valid: ``resolve`` turns it into the same models, with the id maps that used to live in code
(the NY Fed dataset, the Yahoo symbols) as defaults here.

The union below is the one registry of source names: ``SOURCES`` is read by the catalogue,
``fetch/sources`` has one module per name (a test checks it), and the data of a series lives
under ``data/series/<source>/``. Each model says which environment variable holds its key, if
any (``key_variable``), so ``update`` can check it before any request and redact it from every
message, whichever source it belongs to.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from generator.catalogue.grammar import Duration, Strict, check_url, parse_duration

ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]{2,59}")
FRED_ID = re.compile(r"[A-Z0-9_]{1,40}")
MARKET_SYMBOL = re.compile(r"\^?[A-Z0-9][A-Z0-9.=-]{0,19}")
CRYPTO_PRODUCT = re.compile(r"[A-Z0-9]{2,10}-USD")
SDMX_ID = re.compile(r"[A-Za-z0-9_@$-]{1,60}")
SDMX_KEY = re.compile(r"[A-Za-z0-9_@$.+-]{0,200}")
BOJ_ID = re.compile(r"[A-Za-z0-9_@$#.-]{1,40}")
FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,60}")
FISCAL_ENDPOINT = re.compile(r"v[12](/[a-z0-9_]+){1,6}")
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")  # test servers: http:// allowed with a key
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def source_config(title: str, example: dict[str, Any]) -> ConfigDict:
    """Strict, frozen, a schema title and one complete example (shown on the reference page)."""
    return ConfigDict(
        extra="forbid", frozen=True, title=title, json_schema_extra={"examples": [example]}
    )


def _pattern(value: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.fullmatch(value):
        raise ValueError(f"{value!r} is not {what}")
    return value


def matching(pattern: re.Pattern[str], what: str) -> AfterValidator:
    """A string parameter's check, declared once with its type: ``'x' is not <what>``."""
    return AfterValidator(lambda value: _pattern(value, pattern, what))


# The parameters' types: each validates its own text, so a model only names its fields.
FredId = Annotated[str, matching(FRED_ID, "a FRED id (A-Z, 0-9, _)")]
MarketSymbol = Annotated[str, matching(MARKET_SYMBOL, "a market symbol such as ^GSPC")]
CryptoProduct = Annotated[str, matching(CRYPTO_PRODUCT, "a Coinbase product like BTC-USD")]
SdmxKey = Annotated[str, matching(SDMX_KEY, "an SDMX key such as W.U2.C.T000000.Z5.Z01")]
FiscalField = Annotated[str, matching(FIELD, "a Fiscal Data field name")]
FiscalEndpoint = Annotated[
    str, matching(FISCAL_ENDPOINT, "a Fiscal Data endpoint such as v1/accounting/dts/…")
]
Name = Annotated[str, matching(FIELD, "a name of letters and digits")]
EnvName = Annotated[str, matching(ENV_NAME, "an environment variable name (A-Z, 0-9, _)")]
Url = Annotated[str, AfterValidator(check_url)]


class SourceSpec(Strict):
    """What every source model shares: its name and the variable holding its key, if any."""

    KEY_VARIABLE: ClassVar[str | None] = None
    source: str  # each model narrows it to its own name, the union's tag

    def key_variable(self) -> str | None:
        """The environment variable holding this source's key (None: the source is keyless)."""
        return self.KEY_VARIABLE


class FredSource(SourceSpec):
    """FRED (St. Louis Fed), through its API; needs FRED_API_KEY"""

    model_config = source_config("FRED", {"source": "fred", "id": "WALCL"})
    KEY_VARIABLE: ClassVar[str | None] = "FRED_API_KEY"
    source: Literal["fred"]
    id: FredId | None = Field(None, description="FRED's series id; defaults to the series' own id")


NyfedDataset = Literal[
    "rmp-bill-purchases", "sofr", "effr", "obfr", "tgcr", "bgcr", "reverse-repo", "repo"
]
NyfedField = Literal[
    "percentRate",
    "percentPercentile1",
    "percentPercentile25",
    "percentPercentile75",
    "percentPercentile99",
    "volumeInBillions",
]
NYFED_RATES = ("sofr", "effr", "obfr", "tgcr", "bgcr")


class NyfedSource(SourceSpec):
    """The NY Fed's Markets Data API, keyless: reference rates with their percentiles and
    volume (sofr, effr, obfr, tgcr, bgcr), the amounts accepted per day in reverse repo
    (ON RRP) and repo operations (the Standing Repo Facility), and the Desk's reserve
    management bill purchases (rmp-bill-purchases), in billions of dollars"""

    model_config = source_config(
        "NY Fed Markets", {"source": "nyfed", "dataset": "sofr", "field": "percentPercentile99"}
    )
    source: Literal["nyfed"]
    dataset: NyfedDataset = Field(description="Which series of the Markets Data API")
    field: NyfedField | None = Field(
        None, description="For a rate: which figure (percentRate when left out)"
    )

    @model_validator(mode="after")
    def _field_for_rates(self) -> NyfedSource:
        if self.field is not None and self.dataset not in NYFED_RATES:
            raise ValueError(
                f"'field' applies to the reference rates ({', '.join(NYFED_RATES)}); "
                f"{self.dataset} is an amount per day"
            )
        return self


class MarketSource(SourceSpec):
    """Daily index closes from Yahoo Finance's chart endpoint, keyless (personal use only:
    set redistribute: false)"""

    model_config = source_config("Market", {"source": "market", "symbol": "^GSPC"})
    source: Literal["market"]
    symbol: MarketSymbol = Field(description="Yahoo's symbol, e.g. ^GSPC")


class CryptoSource(SourceSpec):
    """Daily UTC closes from Coinbase Exchange's public candles, keyless"""

    model_config = source_config("Crypto", {"source": "crypto", "product": "BTC-USD"})
    source: Literal["crypto"]
    product: CryptoProduct = Field(description="A Coinbase product, e.g. BTC-USD")


SDMX_ROOTS = {
    "ECB": "https://data-api.ecb.europa.eu/service",
    "BIS": "https://stats.bis.org/api/v1",
    "IMF": "https://api.imf.org/external/sdmx/2.1",
}


class SdmxSource(SourceSpec):
    """Any SDMX 2.1 REST service (the ECB, the BIS, the IMF and many statistics offices),
    keyless: one flow and series key, read as SDMX-CSV or SDMX-JSON. Weekly periods
    (2026-W26) are dated on `week_day` of that ISO week, monthly ones on the first day"""

    model_config = source_config(
        "SDMX",
        {"source": "sdmx", "agency": "ECB", "flow": "ILM", "key": "W.U2.C.T000000.Z5.Z01"},
    )
    source: Literal["sdmx"]
    agency: Literal["ECB", "BIS", "IMF"] | None = Field(
        None, description="A known service (its address is built in); or give `root`"
    )
    root: str | None = Field(None, description="The service's address, up to before /data/")
    flow: str = Field(description="The dataflow id, e.g. ILM (optionally AGENCY,FLOW,VERSION)")
    key: SdmxKey = Field(description="The series key, dimensions joined by dots")
    format: Literal["csv", "json"] = Field("csv", description="SDMX-CSV or SDMX-JSON")
    week_day: Literal[
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
    ] = Field("friday", description="The day a weekly period is dated on")
    scale: float = Field(1.0, description="Multiply every value by this (e.g. 0.001)")

    @field_validator("root")
    @classmethod
    def _root(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value).rstrip("/")

    @field_validator("flow")
    @classmethod
    def _flow(cls, value: str) -> str:
        for part in value.split(","):
            _pattern(part, SDMX_ID, "an SDMX flow such as ILM or ECB,ILM,1.0")
        return value

    @model_validator(mode="after")
    def _where(self) -> SdmxSource:
        if (self.agency is None) == (self.root is None):
            raise ValueError(f"give exactly one of 'agency' ({', '.join(SDMX_ROOTS)}) or 'root'")
        return self

    def address(self) -> str:
        return self.root or SDMX_ROOTS[self.agency or "ECB"]


class BojSource(SourceSpec):
    """The Bank of Japan's Time-Series Data Search API (getDataCode), keyless"""

    model_config = source_config(
        "Bank of Japan",
        {"source": "boj", "db": "BS01", "code": "MABJMTA", "frequency": "monthly"},
    )
    source: Literal["boj"]
    db: str = Field(description="The database, e.g. BS01 (the Bank's accounts)")
    code: str = Field(description="The series code without the database prefix")
    frequency: Literal["daily", "weekly", "monthly", "quarterly", "annual"] = Field(
        description="The series' frequency: it sets how dates are written to the API"
    )

    @field_validator("db", "code")
    @classmethod
    def _ids(cls, value: str) -> str:
        if "'" in value:
            raise ValueError(f"{value!r}: leave out the database prefix (BS01'MABJMTA -> MABJMTA)")
        return _pattern(value, BOJ_ID, "a Bank of Japan id (letters, digits, @, $, #, ., _)")


class FiscalRow(Strict):
    """Which rows carry the value: the fields they must match, and the field holding it."""

    where: dict[str, str] = Field(min_length=1, description="field: value the row must have")
    value: FiscalField = Field(description="The field holding the value, e.g. open_today_bal")

    @field_validator("where")
    @classmethod
    def _where(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            _pattern(name, FIELD, "a Fiscal Data field name")
        return value


class FiscalDataSource(SourceSpec):
    """The US Treasury's Fiscal Data API, keyless: one dataset, the rows whose fields match
    `rows[].where`; when a dataset renamed its rows over time, list each form, the first
    that has a value on a date wins"""

    model_config = source_config(
        "Treasury Fiscal Data",
        {
            "source": "fiscaldata",
            "endpoint": "v1/accounting/dts/operating_cash_balance",
            "rows": [
                {
                    "where": {"account_type": "Treasury General Account (TGA) Closing Balance"},
                    "value": "open_today_bal",
                },
                {"where": {"account_type": "Federal Reserve Account"}, "value": "close_today_bal"},
            ],
        },
    )
    source: Literal["fiscaldata"]
    endpoint: FiscalEndpoint = Field(
        description="The dataset's path after /services/api/fiscal_service/"
    )
    date_field: FiscalField = Field("record_date", description="The field holding the date")
    rows: list[FiscalRow] = Field(min_length=1, description="The rows holding the value")
    scale: float = Field(1.0, description="Multiply every value by this")


class DefiLlamaSource(SourceSpec):
    """DefiLlama's stablecoin supply in US dollars, keyless: all stablecoins or one (by its
    DefiLlama id), on all chains or one. DefiLlama recomputes its history: each fetch is a
    vintage"""

    model_config = source_config("DefiLlama stablecoins", {"source": "defillama"})
    source: Literal["defillama"]
    stablecoin: int | None = Field(None, ge=1, description="One stablecoin's id (1 = USDT)")
    chain: Name | None = Field(None, description="One chain, e.g. Ethereum; all when left out")
    peg: Name = Field(
        "all", description="Which peg's dollar value: peggedUSD, peggedEUR...; all sums them"
    )


class CsvKey(Strict):
    """A key sent with the request: from an environment variable, never written in the YAML."""

    variable: EnvName = Field(description="The environment variable holding it, e.g. ACME_API_KEY")
    query: str | None = Field(None, description="Sent as this query parameter")
    header: str | None = Field(None, description="Or sent in this request header")

    @model_validator(mode="after")
    def _one_place(self) -> CsvKey:
        if (self.query is None) == (self.header is None):
            raise ValueError("give exactly one of 'query' or 'header' (where the key is sent)")
        return self


class CsvSource(SourceSpec):
    """Any CSV file over HTTPS, with the date and value columns named here"""

    model_config = source_config(
        "CSV over HTTPS",
        {
            "source": "csv",
            "url": "https://example.org/data/series.csv",
            "date_column": "date",
            "value_column": "value",
        },
    )
    source: Literal["csv"]
    url: Url = Field(description="The file's address (https://)")
    date_column: str = Field(description="The header of the date column")
    value_column: str = Field(description="The header of the value column")
    date_format: str | None = Field(
        None, description="strftime pattern of the dates, e.g. %d/%m/%Y; ISO when left out"
    )
    delimiter: Literal[",", ";", "\t", "|"] = Field(",", description="The column separator")
    missing: list[str] = Field(
        default_factory=lambda: ["", ".", "NA", "ND", "NaN", "null"],
        description="Values that mean no observation",
    )
    scale: float = Field(1.0, description="Multiply every value by this")
    key: CsvKey | None = Field(None, description="The API key the file needs, if any")

    @model_validator(mode="after")
    def _key_over_https(self) -> CsvSource:
        host = self.url.split("://", 1)[1].split("/", 1)[0].split(":")[0].lower()
        if self.key and self.url.lower().startswith("http://") and host not in LOOPBACK:
            raise ValueError("a key is only sent over https://: change the url's http://")
        return self

    def key_variable(self) -> str | None:
        return self.key.variable if self.key else None


class ManualSource(SourceSpec):
    """No API (the PBoC's balance sheet): the rows are added by hand to the series' CSV;
    `update` leaves the series alone and `check` says when a new observation is overdue"""

    model_config = source_config(
        "Updated by hand",
        {"source": "manual", "every": "1m", "lag": "45d", "how": "PBoC, Monetary Authority"},
    )
    source: Literal["manual"]
    every: Duration = Field(description="How often a new observation appears: 1m, 1w, 3m")
    lag: Duration = Field(
        "1d", description="How long after its date an observation is published (e.g. 45d)"
    )
    how: str = Field(max_length=200, description="Where the new rows come from (shown in check)")

    @field_validator("every", "lag")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


Fetch = Annotated[
    FredSource
    | NyfedSource
    | MarketSource
    | CryptoSource
    | SdmxSource
    | BojSource
    | FiscalDataSource
    | DefiLlamaSource
    | CsvSource
    | ManualSource,
    Field(discriminator="source"),
]
SourceName = Literal[
    "fred", "nyfed", "market", "crypto", "sdmx", "boj", "fiscaldata", "defillama", "csv", "manual"
]
SOURCE_MODELS: dict[str, type[SourceSpec]] = {
    model.model_fields["source"].annotation.__args__[0]: model
    for model in get_args(get_args(Fetch)[0])
}
SOURCES: tuple[str, ...] = get_args(SourceName)
if tuple(SOURCE_MODELS) != SOURCES:  # pragma: no cover - a programming mistake, found at import
    raise RuntimeError(f"SourceName {SOURCES} and the Fetch union {tuple(SOURCE_MODELS)} differ")
# The sources the one-line form `source: <name>` may name: the rest need their parameters.
LEGACY_SOURCES = ("fred", "nyfed", "market", "crypto")
# Ids that used to be mapped in code (``nyfed.SERIES``, ``market.SYMBOLS``): the defaults of
# the one-line form. Any other series needs a fetch: block naming its dataset or symbol.
NYFED_DEFAULTS: dict[str, NyfedDataset] = {"FED_RMP_BILL_PURCHASES": "rmp-bill-purchases"}
MARKET_DEFAULTS = {"SP500": "^GSPC", "RUT": "^RUT"}


def resolve(series_id: str, source: str, fetch: SourceSpec | None) -> SourceSpec:
    """The source model of a series: its fetch: block, or the one its `source:` line implies.

    Raises ValueError (worded for the YAML) when the one-line form cannot say enough.
    """
    if fetch is not None:
        return fetch
    try:
        return _legacy(series_id, source)
    except ValidationError as error:  # an id the source cannot take: say which and why
        reason = error.errors()[0]["msg"].removeprefix("Value error, ")
        raise ValueError(f"'source: {source}' takes the series id as is, and {reason}") from None


def _legacy(series_id: str, source: str) -> SourceSpec:
    if source == "fred":
        return FredSource(source="fred", id=series_id)
    if source == "nyfed":
        if series_id not in NYFED_DEFAULTS:
            raise ValueError(
                f"'source: nyfed' alone only serves {', '.join(NYFED_DEFAULTS)}; give a fetch: "
                "block with the dataset, e.g. fetch: {source: nyfed, dataset: sofr}"
            )
        return NyfedSource(source="nyfed", dataset=NYFED_DEFAULTS[series_id])
    if source == "market":
        return MarketSource(source="market", symbol=MARKET_DEFAULTS.get(series_id, series_id))
    if source == "crypto":
        return CryptoSource(source="crypto", product=series_id)
    shown = ""
    model = SOURCE_MODELS.get(source)
    if model is not None:
        pairs = ", ".join(f"{k}: {v}" for k, v in example(model).items())
        shown = ", e.g. fetch: {" + pairs + "}"
    raise ValueError(f"'source: {source}' needs a fetch: block with its parameters{shown}")


def example(model: type[SourceSpec]) -> dict[str, object]:
    """The complete example a source model declares (for messages and the reference page)."""
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    first = examples[0] if isinstance(examples, list) and examples else None
    return dict(first) if isinstance(first, dict) else {"source": "?"}


def key_variables(fetches: list[SourceSpec]) -> list[str]:
    """Every key variable the given sources declare, sorted, once each."""
    return sorted({name for spec in fetches if (name := spec.key_variable())})


def weekday_number(name: str) -> int:
    """'friday' -> 5 (ISO: Monday is 1)."""
    return WEEKDAYS.index(name) + 1
