"""Citable and embeddable charts: per chart (each indicator's, and the regime, ladder and
attribution charts), a download that carries its README, and an embed page.

A reader who quotes a number needs what the chart's CSV alone does not say: whose data it is
and on what terms, how new it is, how to cite it, and a way to check the copy is intact. So
``downloads/<id>.zip`` holds the chart's CSV and picture with ``README.txt`` (sources with their
owners' terms from ``indicators.yml`` and the snapshot's provenance, the data's vintage and
fetch date, a suggested citation and the sha256 of each file), and ``downloads/<id>.zip.sha256``
checks the zip itself. The zip is byte-identical between builds of the same data: fixed member
order, times (the data's date) and permissions.

``embed/<id>.html`` is a standalone page for an ``<iframe>``: the picture (light or dark, wide
or narrow, chosen by the browser with ``<picture>``), its sentence, the attribution and a link
back. It is plain HTML copied by any theme, loads nothing from other hosts (its own
Content-Security-Policy allows only its pictures and inline style) and runs no script. Every
text that comes from the catalogue or a source is escaped for HTML; the README is plain text.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from generator.catalogue.crossref import series_used
from generator.catalogue.models import Config
from generator.measure.indicators import IndicatorResult
from generator.publish.contexts import Cite, Figure, PictureSource
from generator.publish.format import format_date
from generator.publish.render import html_text
from generator.snapshot.store import SeriesRecord

EMBED_HEIGHT = 460  # px: the wide picture, its sentence and the attribution
CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    owner: str
    terms: str  # the attribution line the owner asks for
    redistribute: bool
    link: str | None
    fetched_at: str | None  # the day (UTC) of its last fetch: the time moves on every re-run
    last: str | None
    provenance: list[str]  # where a committed snapshot's values came from


@dataclass(frozen=True)
class Citable:
    id: str
    title: str
    site_name: str
    page_url: str
    sentence: str
    as_of: date | None
    fetched: str | None  # the day of the latest fetch of any of its series (UTC, ISO)
    sources: list[Source]
    rows: str = "one row per date shown"  # what a row of its CSV is (the README says)

    @property
    def citation(self) -> str:
        day = format_date(self.as_of) if self.as_of else "n/a"
        fetched = f", sources fetched {self.fetched}" if self.fetched else ""
        return f"{self.site_name}, “{self.title}”, data as of {day}{fetched}. {self.page_url}"

    @property
    def attribution(self) -> str:
        lines = []
        for source in self.sources:
            line = source.terms or f"Source: {source.owner}."
            if line not in lines:
                lines.append(line)
        return " ".join(lines)


def sources_of(
    result: IndicatorResult,
    config: Config,
    records: dict[str, SeriesRecord],
    provenance: dict[str, Any] | None = None,
) -> list[Source]:
    """The series an indicator reads, with their owners' terms and how new each is."""
    return series_sources(series_used(result.config, config), config, records, provenance)


def series_sources(
    series_ids: list[str],
    config: Config,
    records: dict[str, SeriesRecord],
    provenance: dict[str, Any] | None = None,
) -> list[Source]:
    """Each of ``series_ids`` (declared in ``series:``), its owner's terms and how new it is."""
    found = []
    known = (provenance or {}).get("series") or {}
    for series_id in series_ids:
        series = config.series[series_id]
        record = records.get(series_id)
        origin = [
            f"{s.get('repo')}@{str(s.get('commit'))[:12]}:{s.get('path')} ({s.get('dates')})"
            for s in (known.get(series_id) or {}).get("sources") or []
            if isinstance(s, dict)
        ]
        found.append(
            Source(
                id=series_id,
                title=series.title,
                owner=series.owner,
                terms=series.attribution or "",
                redistribute=series.redistribute,
                link=series.url(series_id),
                fetched_at=record.fetched_at[:10] if record and record.fetched_at else None,
                last=record.last if record else None,
                provenance=origin,
            )
        )
    return found


def citable(
    result: IndicatorResult, config: Config, sources: list[Source], site_url: str, sentence: str
) -> Citable:
    fetched = [s.fetched_at for s in sources if s.fetched_at]
    # The newest date the chart's own data has (a plotted quantity may run past the card's).
    shown = [d for d in (result.latest_date(q) for q in result.config.chart.plot) if d]
    return Citable(
        id=result.id,
        title=result.config.title,
        site_name=config.site.name,
        page_url=f"{site_url}indicators/{result.id}/",
        sentence=sentence,
        as_of=max(shown) if shown else result.as_of,
        fetched=max(fetched) if fetched else None,
        sources=sources,
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def readme(item: Citable, files: dict[str, bytes], columns: str) -> str:
    """README.txt of the download: plain text, so nothing in it is markup."""
    as_of = item.as_of.isoformat() if item.as_of else "n/a"
    lines = [
        f"{item.title} ({item.site_name})",
        "",
        item.sentence,
        "",
        f"Page: {item.page_url}",
        "",
        "FILES",
        f"  {item.id}.csv  the chart's data, {item.rows}: {columns}",
        f"  {item.id}.png  the chart as drawn on the page",
        "",
        "VINTAGE",
        f"  Data as of: {as_of} (the latest observation the chart shows)",
        f"  Sources last fetched: {item.fetched or 'n/a'} (UTC day)",
        "",
        "SOURCES AND THEIR OWNERS' TERMS",
    ]
    for source in item.sources:
        lines += [
            f"  {source.id}: {source.title}",
            f"    Owner: {source.owner}",
            f"    Terms: {source.terms or 'see the owner'}"
            + (
                ""
                if source.redistribute
                else " (raw levels may not be redistributed: only "
                "values derived from them are published)"
            ),
        ]
        if source.link:
            lines.append(f"    At the source: {source.link}")
        lines.append(
            f"    Last observation: {source.last or 'n/a'}; fetched: {source.fetched_at or 'n/a'}"
        )
        for origin in source.provenance:
            lines.append(f"    Snapshot taken from: {origin}")
    lines += [
        "",
        "SUGGESTED CITATION",
        f"  {item.citation}",
        "",
        "CHECKSUMS (sha256)",
        *(f"  {sha256(data)}  {name}" for name, data in files.items()),
        "",
    ]
    return "\n".join(lines)


def bundle(item: Citable, files: dict[str, bytes], columns: str) -> bytes:
    """The zip: the files, then README.txt, with fixed times and permissions."""
    day = item.as_of or date(1980, 1, 1)
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    members = {**files, "README.txt": readme(item, files, columns).encode("utf-8")}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(f"{item.id}/{name}", date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def embed_url(site_url: str, indicator: str) -> str:
    return f"{site_url}embed/{indicator}.html"


def snippet(item: Citable, site_url: str) -> str:
    """The HTML a reader pastes into their page to embed the chart."""
    return (
        f'<iframe src="{html_text(embed_url(site_url, item.id))}" '
        f'title="{html_text(item.title)} ({html_text(item.site_name)})" width="100%" '
        f'height="{EMBED_HEIGHT}" style="border:0" loading="lazy"></iframe>'
    )


def embed_html(item: Citable, picture: Figure) -> str:
    """The standalone embed page; ``picture`` is the page figure (``build.figure``)."""
    by_class = {p["classes"]: p for p in picture["pictures"]}

    def src(dark: bool, narrow: bool) -> PictureSource:
        for classes, entry in by_class.items():
            if ("lw-picture-dark" in classes) == dark and ("lw-narrow" in classes) == narrow:
                return entry
        return picture["pictures"][0]

    wide, dark = src(False, False), src(True, False)
    narrow, narrow_dark = src(False, True), src(True, True)
    as_of = format_date(item.as_of) if item.as_of else "n/a"
    page, name, title = html_text(item.page_url), html_text(item.site_name), html_text(item.title)
    narrow_screen = "(max-width: 30em)"
    dark_scheme = "(prefers-color-scheme: dark)"
    link = f'<a href="{page}" target="_top" rel="noopener">{name}: {title}</a>'
    lines = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="robots" content="noindex">',
        f"<title>{title} · {name}</title>",
        f'<link rel="canonical" href="{page}">',
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<figure>",
        "<picture>",
        f'<source media="{dark_scheme} and {narrow_screen}" srcset="{_src(narrow_dark)}">',
        f'<source media="{narrow_screen}" srcset="{_src(narrow)}">',
        f'<source media="{dark_scheme}" srcset="{_src(dark)}">',
        f'<img src="{_src(wide)}" width="{wide["width"]}" height="{wide["height"]}" '
        f'alt="{html_text(item.sentence)}">',
        "</picture>",
        "<figcaption>",
        f"<p>{html_text(item.sentence)}</p>",
        f'<p class="source">{html_text(item.attribution)} Chart: {link}, data as of '
        f"{html_text(as_of)}.</p>",
        "</figcaption>",
        "</figure>",
        "</body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"


STYLE = (
    "body { margin: 0; padding: 0.5rem; font: 15px/1.45 system-ui, sans-serif; "
    "color: #1b1b1b; background: #fff; } figure { margin: 0; } "
    "img { display: block; width: 100%; height: auto; } figcaption p { margin: 0.4rem 0 0; } "
    ".source { color: #4a4a4a; font-size: 0.9em; } a { color: #0b57a4; } "
    "@media (prefers-color-scheme: dark) { body { color: #e6e6e6; background: #1e2129; } "
    ".source { color: #c4c4c4; } a { color: #8cc4ff; } }"
)


def _src(picture: PictureSource) -> str:
    """A picture's path from embed/ (``../charts/x.svg``), whichever page's figure it is
    (``charts/x.svg`` on the home page, ``../charts/x.svg`` on an indicator page)."""
    return html_text("../charts/" + picture["src"].rsplit("/", 1)[-1])


@dataclass(frozen=True)
class Published:
    files: dict[str, bytes]  # path under the site root -> bytes
    context: Cite  # what the indicator page shows: links, checksum, citation, snippet


def for_chart(
    item: Citable,
    site_url: str,
    csv_text: str,
    png: bytes,
    picture: Figure,
    columns: str,
    base: str = "../",
) -> Published:
    """The download, its checksum file and the embed page of one chart; ``base`` leads from
    the page that shows the chart to the site root (its links in ``context``)."""
    data = bundle(
        item, {f"{item.id}.csv": csv_text.encode("utf-8"), f"{item.id}.png": png}, columns
    )
    digest = sha256(data)
    files = {
        f"downloads/{item.id}.zip": data,
        f"downloads/{item.id}.zip.sha256": f"{digest}  {item.id}.zip\n".encode(),
        f"embed/{item.id}.html": embed_html(item, picture).encode("utf-8"),
    }
    context: Cite = {
        "zip": f"{base}downloads/{item.id}.zip",
        "sha256": digest,
        "citation": item.citation,
        "snippet": snippet(item, site_url),
        "embed": f"{base}embed/{item.id}.html",
    }
    return Published(files, context)


def publish(
    result: IndicatorResult,
    config: Config,
    known: tuple[dict[str, SeriesRecord], dict[str, Any] | None],
    site_url: str,
    picture: Figure,
    chart: tuple[str, bytes],
) -> Published:
    """Everything citable of one indicator's chart; ``known``: the manifest's records and the
    snapshot's provenance (``data/provenance.json``, None without one); ``chart``: its CSV
    text and PNG."""
    records, provenance = known
    csv_text, png = chart
    sources = sources_of(result, config, records, provenance)
    item = citable(result, config, sources, site_url, picture["sentence"])
    columns = csv_text.split("\n", 1)[0].replace(",", ", ")
    return for_chart(item, site_url, csv_text, png, picture, columns)


@dataclass(frozen=True)
class Chart:
    """A chart that is not one indicator's (the regime, ladder and attribution charts): what
    its download and embed page say. Its files are ``charts/<id>.png`` and ``data/<id>.csv``."""

    id: str
    title: str
    page: str  # the path of the page that shows it, under the site root ("" for home)
    base: str  # from that page's Markdown file to the site root
    series: list[str]
    rows: str
    as_of: date | None = None  # None: the date of its CSV's last row


def analysis_charts(config: Config, ladder_until: date | None) -> list[Chart]:
    """The regime, ladder and attribution charts the catalogue defines, each with the series
    it is computed from (``ladder_until``: the last week the ladder's correlations use)."""
    found = []
    if config.regime is not None:
        inputs = [config.indicator(i.indicator) for i in config.regime.inputs]
        used = _unique([s for i in inputs for s in series_used(i, config)])
        found.append(Chart("regime", "Liquidity regime score", "", "", used, "one row per week"))
    if config.ladder is not None:
        driver = config.indicator(config.ladder.indicator)
        used = _unique(series_used(driver, config) + config.ladder.order)
        title = f"Risk ladder: {driver.title} against each asset's weekly returns, by lag"
        rows = "one row per lag in weeks (correlations of weekly changes and returns)"
        found.append(Chart("ladder", title, "ladder/", "", used, rows, ladder_until))
    pages = config.attribution.pages
    if pages:
        used = list(config.attribution.series.parts().values())
        title = "What moved reserves: the weekly change in reserves, by source"
        page = f"indicators/{pages[0]}/"
        found.append(Chart("liquidity-attribution", title, page, "../", used, "one row per week"))
    return found


def publish_chart(
    chart: Chart,
    config: Config,
    known: tuple[dict[str, SeriesRecord], dict[str, Any] | None],
    site_url: str,
    picture: Figure,
    data: tuple[str, bytes],
) -> Published:
    """Everything citable of one of ``analysis_charts``; ``data``: its CSV text and PNG."""
    records, provenance = known
    csv_text, png = data
    sources = series_sources(chart.series, config, records, provenance)
    fetched = [s.fetched_at for s in sources if s.fetched_at]
    item = Citable(
        id=chart.id,
        title=chart.title,
        site_name=config.site.name,
        page_url=f"{site_url}{chart.page}",
        sentence=picture["sentence"],
        as_of=chart.as_of or _last_date(csv_text),
        fetched=max(fetched) if fetched else None,
        sources=sources,
        rows=chart.rows,
    )
    columns = csv_text.split("\n", 1)[0].replace(",", ", ")
    return for_chart(item, site_url, csv_text, png, picture, columns, chart.base)


def _last_date(csv_text: str) -> date | None:
    """The date in the first cell of the CSV's last row, when its first column is a date."""
    rows = csv_text.strip().splitlines()
    if len(rows) < 2 or not rows[0].startswith("date,"):
        return None
    try:
        return date.fromisoformat(rows[-1].split(",", 1)[0])
    except ValueError:
        return None


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))
