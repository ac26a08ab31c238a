"""Citable and embeddable charts: each chart's download with its README (recomputed here from
the frozen catalogue, manifest and files by separate code) and its embed page. The dated API
copy each night, which a rebuild never rewrites, is checked on the nights of
tests/test_nightly.py."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import FIXTURE, load_yaml
from tests.test_config import IDS

SITE_URL = "https://liquidity-watch.example.org/"
CATALOGUE = load_yaml((FIXTURE / "indicators.yml").read_text())
MANIFEST = json.loads((FIXTURE / "data" / "manifest.json").read_text())["series"]


def series_of(indicator: dict) -> list[str]:
    """Every series id named anywhere in an indicator's formulas (separate from crossref)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str) and node in CATALOGUE["series"] and node not in found:
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for quantity in indicator["quantities"].values():
        walk(quantity["formula"])
    return found


def unzip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def download(public: Path, name: str) -> tuple[bytes, str]:
    """``downloads/<name>.zip`` checked against the site: exactly its README, CSV and PNG, the
    CSV and PNG the very bytes the site publishes, each named in the README with its sha256,
    and the zip's own checksum beside it. Returns the CSV and the README."""
    path = public / "downloads" / f"{name}.zip"
    members = unzip(path)
    files = ("README.txt", f"{name}.csv", f"{name}.png")
    assert sorted(members) == [f"{name}/{n}" for n in files]
    csv = members[f"{name}/{name}.csv"]
    assert csv == (public / "data" / f"{name}.csv").read_bytes()
    assert members[f"{name}/{name}.png"] == (public / "charts" / f"{name}.png").read_bytes()
    readme = members[f"{name}/README.txt"].decode()
    for file in files[1:]:
        assert f"{hashlib.sha256(members[f'{name}/{file}']).hexdigest()}  {file}" in readme
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert (public / "downloads" / f"{name}.zip.sha256").read_text() == f"{digest}  {name}.zip\n"
    return csv, readme


def series_lines(readme: str, used: list[str]) -> tuple[list[str], list[str]]:
    """Each series the chart reads named in the README with its title, owner, terms, last
    observation and fetch day; returns the fetch days and last observations it found."""
    fetched, lasts = [], []
    for series_id in dict.fromkeys(used):
        series = CATALOGUE["series"][series_id]
        assert f"{series_id}: {series['title']}" in readme
        assert f"Owner: {series['owner']}" in readme
        if series.get("attribution"):
            assert f"Terms: {series['attribution']}" in readme
        record = MANIFEST.get(series_id, {})  # an optional series may be absent
        last, when = record.get("last") or "n/a", (record.get("fetched_at") or "n/a")[:10]
        assert f"Last observation: {last}; fetched: {when}" in readme
        fetched += [when] if record.get("fetched_at") else []  # the day: a re-run is equal
        lasts += [last] if record.get("last") else []
    return fetched, lasts


@pytest.mark.parametrize("indicator", IDS)
def test_each_chart_download_carries_its_data_picture_and_readme(
    built_project: Path, indicator: str
):
    public = built_project / "public"
    csv, readme = download(public, indicator)
    config = next(i for i in CATALOGUE["indicators"] if i["id"] == indicator)
    used = series_of(config)
    assert used
    fetched, _ = series_lines(readme, used)
    # vintage: the last row's date in the chart's own CSV, and the newest fetch of its series
    last_row = csv.decode().strip().splitlines()[-1].split(",")[0]
    assert f"Data as of: {last_row[:10]}" in readme or f"Data as of: {last_row[:7]}" in readme
    assert f"Sources last fetched: {max(fetched) if fetched else 'n/a'} (UTC day)" in readme
    assert f"{config['title']}" in readme and f"{SITE_URL}indicators/{indicator}/" in readme
    # the zip's own checksum, on the indicator page
    digest = hashlib.sha256((public / "downloads" / f"{indicator}.zip").read_bytes()).hexdigest()
    page = (public / "indicators" / indicator / "index.html").read_text()
    assert digest in page and f'href="../../downloads/{indicator}.zip"' in page


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def embed_page(public: Path, name: str) -> tuple[list[tuple[str, dict]], str]:
    """``embed/<name>.html`` checked for what every embed page must be: no script, frame or
    object, its own four pictures (light and dark, wide and narrow) that exist, and a policy
    that allows nothing by default. Returns its tags and its text."""
    page = public / "embed" / f"{name}.html"
    parsed = Collect()
    parsed.feed(page.read_text())
    tags = parsed.tags
    assert not [t for t, _ in tags if t in ("script", "iframe", "object")]
    sources = [a["srcset"] for t, a in tags if t == "source"] + [
        a["src"] for t, a in tags if t == "img"
    ]
    assert len(sources) == 4 and len(set(sources)) == 4
    for src in sources:
        assert (page.parent / src).resolve().is_file(), src
        assert Path(src).name.startswith(f"{name}."), src
    csp = next(a["content"] for t, a in tags if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp
    return tags, " ".join("".join(parsed.text).split())


@pytest.mark.parametrize("indicator", ["reserves", "btc"])
def test_embed_page_shows_the_picture_sentence_attribution_and_links_back(
    built_project: Path, indicator: str
):
    public = built_project / "public"
    tags, text = embed_page(public, indicator)
    links = [a for t, a in tags if t == "a"]
    assert [(a["href"], a["target"]) for a in links] == [
        (f"{SITE_URL}indicators/{indicator}/", "_top")
    ]
    config = next(i for i in CATALOGUE["indicators"] if i["id"] == indicator)
    for series_id in series_of(config):
        attribution = CATALOGUE["series"][series_id].get("attribution")
        if attribution:
            assert " ".join(attribution.split()) in text
    # the indicator page offers the snippet to copy, pointing at this page
    html = (public / "indicators" / indicator / "index.html").read_text()
    assert f"&lt;iframe src=&quot;{SITE_URL}embed/{indicator}.html&quot;" in html


# The charts that are not one indicator's (issue 23 item 5): id -> (the pages that show and
# link it, the page its citation and embed page point back to, its series from the catalogue).
LADDER = CATALOGUE["ladder"]
ATTRIBUTION = CATALOGUE["attribution"]
CHARTS = {
    "regime": (
        ["index.html"],
        "",
        [
            s
            for item in CATALOGUE["regime"]["inputs"]
            for s in series_of(
                next(i for i in CATALOGUE["indicators"] if i["id"] == item["indicator"])
            )
        ],
    ),
    "ladder": (
        ["ladder/index.html"],
        "ladder/",
        series_of(next(i for i in CATALOGUE["indicators"] if i["id"] == LADDER["indicator"]))
        + [asset["series"] for asset in LADDER["assets"]],
    ),
    "liquidity-attribution": (
        [f"indicators/{page}/index.html" for page in ATTRIBUTION["pages"]],
        f"indicators/{ATTRIBUTION['pages'][0]}/",
        list(ATTRIBUTION["series"].values()),
    ),
}


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_the_regime_ladder_and_attribution_downloads_carry_their_readme(
    built_project: Path, chart: str
):
    public = built_project / "public"
    shown_on, page_path, used = CHARTS[chart]
    csv, readme = download(public, chart)
    header = csv.decode().splitlines()[0]
    assert header.replace(",", ", ") in readme
    fetched, lasts = series_lines(readme, used)
    assert readme.count("    Owner: ") == len(dict.fromkeys(used))  # no other series
    assert f"Sources last fetched: {max(fetched)} (UTC day)" in readme
    as_of = readme.split("Data as of: ", 1)[1][:10]
    if header.startswith("date,"):  # a row per week: its last row's date
        assert as_of == csv.decode().strip().splitlines()[-1][:10]
    else:  # the ladder, a row per lag: the last week its correlations use, within its data
        assert "2026-01-01" <= as_of <= max(lasts), as_of
    page_url = f"{SITE_URL}{page_path}"
    assert f"Page: {page_url}" in readme
    citation = readme.split("SUGGESTED CITATION\n  ", 1)[1].splitlines()[0]
    assert citation.endswith(page_url) and CATALOGUE["site"]["name"] in citation
    for shown in shown_on:  # linked from each page that shows the chart, with the snippet
        html = (public / shown).read_text()
        depth = "../" * shown.count("/")
        assert f'href="{depth}downloads/{chart}.zip"' in html, shown
        assert f'href="{depth}embed/{chart}.html"' in html, shown
        assert f'href="{depth}downloads/{chart}.zip.sha256"' in html, shown
        assert f"&lt;iframe src=&quot;{SITE_URL}embed/{chart}.html&quot;" in html, shown


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_the_regime_ladder_and_attribution_embed_pages(built_project: Path, chart: str):
    public = built_project / "public"
    _, page_path, used = CHARTS[chart]
    tags, text = embed_page(public, chart)
    links = [a for t, a in tags if t == "a"]
    assert [(a["href"], a["target"]) for a in links] == [(f"{SITE_URL}{page_path}", "_top")]
    for series_id in used:
        attribution = CATALOGUE["series"][series_id].get("attribution")
        if attribution:
            assert " ".join(attribution.split()) in text
