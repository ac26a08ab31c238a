"""The offline build end to end: golden Markdown and spec, strict MkDocs, no foreign hosts."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import (
    BUILT_NOW,
    assert_golden,
    copy_project,
    load_yaml,
    private_cache,
    run_generator,
    run_mkdocs,
)
from tests.test_config import IDS

FOREIGN_LOAD = re.compile(
    r"<(?:script|img|iframe|source|audio|video)[^>]+src=[\"'](?:https?:)?//"
    r"|<link[^>]+rel=[\"'](?:stylesheet|preload|modulepreload|icon)[\"'][^>]+href=[\"'](?:https?:)?//"
    r"|@import\s+url\([\"']?(?:https?:)?//"
    r"|fonts\.googleapis|fonts\.gstatic|cdn\.jsdelivr|unpkg\.com",
    re.IGNORECASE,
)


@pytest.mark.golden
def test_home_page_markdown_matches_golden(built_project: Path):
    assert_golden("home.md", (built_project / "site" / "index.md").read_text())


@pytest.mark.golden
def test_chart_spec_matches_golden(built_project: Path):
    assert_golden(
        "fed-assets.vl.json", (built_project / "site/charts/fed-assets.vl.json").read_text()
    )


def test_every_indicator_has_page_chart_and_csv(built_project: Path):
    public = built_project / "public"
    for indicator in IDS:
        page = (public / "indicators" / indicator / "index.html").read_text()
        assert "data as of" in page, indicator
        assert (public / "charts" / f"{indicator}.vl.json").exists()
        csv = (public / "data" / f"{indicator}.csv").read_text().splitlines()
        assert csv[0].startswith("date,") and len(csv) > 5, indicator
    for page in ("data-status", "methodology", "about"):
        assert (public / page / "index.html").exists()


def test_chart_draws_exactly_the_downloadable_csv(built_project: Path):
    spec = json.loads((built_project / "site/charts/net-liquidity.vl.json").read_text())
    urls = {layer_data["url"] for layer_data in _data_urls(spec)}
    assert urls == {"../data/net-liquidity.csv"}
    rows = (built_project / "public/data/net-liquidity.csv").read_text().splitlines()
    assert rows[0] == "date,net"
    assert rows[-1] == "2026-08-19,5791.77"  # 6,745,699 - 953,612 - 317 million, in billions


def _data_urls(node):
    if isinstance(node, dict):
        if "url" in node and "format" in node:
            yield node
        for value in node.values():
            yield from _data_urls(value)
    elif isinstance(node, list):
        for value in node:
            yield from _data_urls(value)


def test_restricted_raw_levels_are_not_published(built_project: Path):
    data = built_project / "public" / "data"
    assert (data / "small-large-ratio.csv").read_text().splitlines()[0] == "date,ratio"
    assert (data / "btc.csv").read_text().splitlines()[0] == "date,return_30d,drawdown"
    for csv in data.glob("*.csv"):
        assert "7674.37" not in csv.read_text(), f"S&P 500 level leaked into {csv.name}"


def test_nothing_loads_from_another_host(built_project: Path):
    offenders = []
    for path in (built_project / "public").rglob("*"):
        # Third-party bundles (Vega, Material) name hosts for features we do not use; the browser
        # test proves at run time that no request leaves 127.0.0.1.
        bundled = path.name == "vega-bundle.js" or "assets/javascripts" in path.as_posix()
        if path.suffix in {".html", ".css", ".js"} and not bundled:
            for match in FOREIGN_LOAD.finditer(path.read_text(errors="replace")):
                offenders.append(f"{path.relative_to(built_project)}: {match.group(0)}")
    assert not offenders, "\n".join(offenders[:20])


def test_pages_say_data_as_of_their_own_date(built_project: Path):
    bnb = (built_project / "site/indicators/bnb.md").read_text()
    assert "data as of 20 Feb 2026" in bnb
    btc = (built_project / "site/indicators/btc.md").read_text()
    assert "data as of 21 Aug 2026" in btc
    assert "Yahoo Finance" in btc  # attribution on the page


def test_missing_series_gives_no_data_card_and_explaining_page(tmp_path: Path):
    root = copy_project(tmp_path / "p")
    (root / "data/series/fred/ADPMNUSNERSA.csv").unlink()
    run_generator(root, "build")
    run_mkdocs(root)
    home = (root / "site/index.md").read_text()
    card = home[home.index('href="indicators/adp-payrolls/"') :]
    card = card[: card.index("</a>")]
    assert "no data" in card and "ADPMNUSNERSA" in card
    page = (root / "site/indicators/adp-payrolls.md").read_text()
    assert "Series `ADPMNUSNERSA` is not in the data snapshot" in page
    assert "NPPTTL" in page  # the series' note says why


# Charts the rebuild draws again in its own process (the line chart with the most labels and
# event lines, and the Desk's stacked bars); the others' pictures it reads from the run's cache.
DRAWN_AGAIN = ("reserves", "fed-bills")


def test_rebuild_is_byte_identical(built_project: Path, tmp_path: Path):
    """``built_project`` built again in a new interpreter: a hash seed of its own, so an order
    that depends on it (iterating a set of strings) shows as a difference.

    Its specs, CSVs, pages and nowcast are all made again (a cache of its own). Its pictures are
    the run's, read back by the hash of everything each is drawn from, so a spec or a table
    that came out different misses the cache and differs below; but two charts' pictures
    (``DRAWN_AGAIN``) are left out, so vl-convert draws them afresh in that process, in another
    order than the first build drew them, and they must come out byte-identical too. (Drawing
    all ~25 afresh cost 12 CPU-s and showed nothing more: a picture depends on its inputs
    alone.)"""
    second = private_cache(copy_project(tmp_path / "p"))
    again = _pictures_but(built_project, second, DRAWN_AGAIN)
    assert len(again) == len(DRAWN_AGAIN), again
    run_generator(second, "build", env_extra={"UPDATE_NOW": BUILT_NOW}, fresh=True)
    for key in again:  # drawn in this build, not read: the cache holds them only now
        assert (second / ".cache" / "pictures" / f"{key}.svg").exists(), key
    for folder in ("charts", "data", "indicators"):
        for path in (built_project / "site" / folder).iterdir():
            assert path.read_bytes() == (second / "site" / folder / path.name).read_bytes(), path
    assert (built_project / "site/index.md").read_text() == (second / "site/index.md").read_text()
    shutil.rmtree(second)


def _pictures_but(built: Path, target: Path, charts: tuple[str, ...]) -> set[str]:
    """``target``'s own picture cache: a hard link to each of the run's cached pictures but
    those of ``charts``; returns the keys left out (found by the bytes of each chart's light
    SVG in ``built``, which is the cached file's)."""
    shared = built / ".cache" / "pictures"
    drawn = {(built / "site" / "charts" / f"{chart}.svg").read_bytes() for chart in charts}
    left_out = {path.stem for path in shared.glob("*.svg") if path.read_bytes() in drawn}
    own = target / ".cache" / "pictures"
    own.mkdir(parents=True)
    for path in shared.iterdir():
        if path.name.split(".")[0] not in left_out:
            os.link(path, own / path.name)
    return left_out


def test_broken_config_is_one_message_not_a_traceback(tmp_path: Path):
    root = copy_project(tmp_path / "p")
    text = (
        (root / "indicators.yml").read_text().replace("op: spread, a: SOFR", "op: spread, a: SOFRR")
    )
    (root / "indicators.yml").write_text(text)
    result = run_generator(root, "build", check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert re.search(r"indicators\.yml:\d+: indicator 'sofr-iorb-spread'", result.stderr)
    assert "did you mean 'SOFR'?" in result.stderr


def test_generated_front_matter_is_valid_yaml(built_project: Path):
    site = built_project / "site"
    for path in [site / "index.md", site / "data-status.md", *(site / "indicators").glob("*.md")]:
        text = path.read_text()
        assert text.startswith("---\n"), path.name
        meta = load_yaml(text.split("---\n")[1])
        assert isinstance(meta, dict) and meta.get("title"), path.name


def test_every_chart_spec_is_valid_vega_lite(built_project: Path):
    """Specs are built without Altair's per-build validation (it is slow); validate them here.

    Against Vega-Lite's JSON schema for a layered chart, as ``LayerChart.from_dict(spec,
    validate=True)`` does first; the objects that call then builds validated each sub-spec again
    (about 1,200 more validations a spec, 8 s of the suite) and checked nothing more."""
    import altair as alt

    specs = sorted((built_project / "site" / "charts").glob("*.vl.json"))
    assert len(specs) >= 14  # 12 indicators + regime + ladder
    for path in specs:
        spec = json.loads(path.read_text())
        spec.pop("usermeta", None)
        alt.LayerChart.validate(spec)  # raises jsonschema.ValidationError naming the path


def test_the_search_index_leaves_out_the_explanations_and_the_config_reference(
    built_project: Path,
):
    """The search index is fetched with every first view: 157 KB of the home page's 164 KB
    budget overrun came from it. The rows of "How this number was made" (about a quarter of the
    index) and the config reference (a fork's manual, a fifth) are left out of it; their pages
    and the rest of each indicator page are still found."""
    index = json.loads((built_project / "public" / "search" / "search_index.json").read_text())
    docs = {doc["location"]: doc["text"] for doc in index["docs"]}
    locations = list(docs)
    assert not [loc for loc in locations if loc.startswith("config-reference/")]
    explained = [loc for loc in locations if loc.endswith("#how-this-number-was-made")]
    assert "indicators/reserves/#how-this-number-was-made" in explained  # the heading and intro
    for loc in explained:  # the intro alone (about 400 characters), no rows, no arithmetic
        assert len(docs[loc]) < 600 and "Known from" not in docs[loc], (loc, docs[loc][:200])
    assert "indicators/reserves/#status-rules" in locations
    assert (built_project / "public" / "config-reference" / "index.html").exists()
