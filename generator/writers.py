"""The build's writers: each turns one stage's results into files under the staging folder.

Wiring, like ``build`` (which calls them in order): split from it so each stays readable. No
rule lives here; each writer joins a ``measure`` result to a ``publish`` formatter and writes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from generator.catalogue.models import Config
from generator.measure import ladder, lineage
from generator.measure import regime as analysis
from generator.publish import annotations as event_notes
from generator.publish import (
    archive,
    charts,
    citable,
    csv_cells,
    feeds,
    identity,
    ladder_page,
    pictures,
)
from generator.publish import attribution as attribution_text
from generator.publish import explain as explain_text
from generator.publish.render import write_text
from generator.snapshot.load import Snapshot
from generator.snapshot.store import Store


def write_publishing(root: Path, config: Config, out: Path, as_of: date | None) -> None:
    """What the MkDocs hooks did, done before any theme runs: the site's name into
    ``mkdocs.yml``, and the report feeds (RSS 2.0 and JSON Feed 1.1) into the site root; and
    the nightly copies of the API under ``api/archive/``."""
    identity.sync_mkdocs_yml(root / "mkdocs.yml", config.site)
    settings = identity.settings(root)
    posts = feeds.read_posts(root / "site" / settings.blog_dir / "posts", as_of)
    write_files(out, feeds.feed_files(settings, config.site.name, posts))
    for name, text in archive.published_files(root, as_of).items():
        write_text(out / name, text)


def write_files(out: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(content)


def write_chart_citations(
    out: Path,
    config: Config,
    known: tuple[dict[str, Any], dict[str, Any] | None],
    site_url: str,
    figures: dict[str, dict[str, Any] | None],
    ladder_until: date | None,
) -> dict[str, dict[str, Any]]:
    """The download and embed page of each chart that is not an indicator's (regime, ladder,
    attribution), from its CSV and PNG already in the staging folder; returns what each
    page shows (``citable.Published.context``) by chart id. ``known``: the manifest's records
    and the snapshot's provenance."""
    found: dict[str, dict[str, Any]] = {}
    for chart in citable.analysis_charts(config, ladder_until):
        figure_context = figures.get(chart.id)
        csv_path, png_path = out / "data" / f"{chart.id}.csv", out / "charts" / f"{chart.id}.png"
        if figure_context is None or not csv_path.is_file() or not png_path.is_file():
            continue  # not drawn (no data): nothing to cite
        data = (csv_path.read_text(encoding="utf-8"), png_path.read_bytes())
        cite = citable.publish_chart(chart, config, known, site_url, figure_context, data)
        write_files(out, cite.files)
        found[chart.id] = cite.context
    return found


def write_attribution(
    site: Path, cache: Path | None, image_cache: Path | None, frame: pd.DataFrame
) -> dict[str, Any] | None:
    """data/liquidity-attribution.csv (every week) and its stacked bar chart (two years), with
    its pictures; returns the figure for the pages, or None without data."""
    if frame.empty:
        return None
    csv_text = attribution_text.attribution_csv(frame)
    write_text(site / "data" / "liquidity-attribution.csv", csv_text)
    since = attribution_text.chart_since(frame)
    url = "../data/liquidity-attribution.csv"
    spec = charts.cached(
        cache,
        ["attribution", since, 1],
        lambda: attribution_text.attribution_spec(url, since),
    )
    write_text(site / "charts" / "liquidity-attribution.vl.json", charts.spec_json(spec))
    picture = pictures.render(spec, {url: csv_text}, image_cache)
    write_picture(site / "charts", "liquidity-attribution", picture)
    sentence = attribution_text.chart_sentence(frame, since)
    return figure("../charts/", "liquidity-attribution", picture, sentence)


def write_explanations(
    out: Path, config: Config, results: list[Any], snapshot: Snapshot, store: Store
) -> dict[str, list[dict[str, Any]]]:
    """``api/explain/<id>.json`` for each indicator with data, and its page's blocks."""
    provenance = lineage.Provenance(
        snapshot.revisions, {k: r.fetched_at for k, r in store.records.items()}
    )
    blocks: dict[str, list[dict[str, Any]]] = {}
    hide = explain_text.withheld(config)
    for result in results:
        if not result.has_data:
            continue
        names = explain_text.explained_quantities(result.config)
        traced = lineage.explain_latest(config, result.config, snapshot.series, names, provenance)
        write_text(
            out / "api" / "explain" / f"{result.id}.json",
            explain_text.document(result.config, traced, hide),
        )
        blocks[result.id] = explain_text.page_context(result.config, traced, hide)
    return blocks


def figure(base: str, name: str, picture: pictures.Picture, sentence: str) -> dict[str, Any]:
    """What a template needs to show a chart's pictures: their files, sizes and sentence."""
    context: dict[str, Any] = {
        "png": f"{base}{name}.png",
        "sentence": sentence,
        "pictures": [],
        "windowed": picture.windowed,
    }
    for suffix, _, theme in pictures.VARIANTS:
        width, height = picture.size(suffix)
        context["pictures"].append(
            {
                "src": f"{base}{name}{suffix}.svg",
                "classes": " ".join(
                    [
                        ".lw-picture",
                        ".lw-picture-dark" if theme else ".lw-picture-light",
                        ".lw-narrow" if ".narrow" in suffix else ".lw-wide",
                    ]
                ),
                "width": width,
                "height": height,
            }
        )
    return context


def write_picture(folder: Path, name: str, picture: pictures.Picture) -> None:
    """The picture's SVGs and PNG into the staging folder (``_swap_in`` keeps unchanged files)."""
    for suffix, svg in picture.svgs.items():
        write_text(folder / f"{name}{suffix}.svg", svg)
    png = folder / f"{name}.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(picture.png)


def write_analysis_charts(
    site: Path,
    cache: Path | None,
    image_cache: Path | None,
    config: Config,
    events: list[Any],
    regime: analysis.Regime | None,
    risk_ladder: ladder.Ladder | None,
) -> dict[str, dict[str, Any]]:
    """Data, specs and pictures for the regime history (home) and the lead/lag chart (ladder
    page), and their figures. The home page sits one level above the indicator pages, hence
    its own base path."""
    figures: dict[str, dict[str, Any]] = {}
    if regime is not None and config.regime is not None:
        history = regime.history[
            regime.history.index >= regime.history.index[-1] - pd.DateOffset(years=10)
        ]
        frame = pd.DataFrame({"date": history.index, "score": history.to_numpy()})
        if regime.inputs is not None:
            # How many inputs the score averaged that week (fewer early on: the minimum window).
            frame["inputs"] = regime.inputs.reindex(history.index).to_numpy(dtype="float64")
        csv_path, spec_path = site / "data" / "regime.csv", site / "charts" / "regime.vl.json"
        csv_text = charts.frame_to_csv(frame, {"score": 3, "inputs": 0})
        write_text(csv_path, csv_text)
        thresholds = (config.regime.easing_above, config.regime.tight_below)
        span = [str(frame["date"].min()), str(frame["date"].max())]
        spec = charts.cached(
            cache,
            ["regime", span, thresholds, [e.model_dump() for e in events]],
            lambda: charts.regime_spec(frame, "../data/regime.csv", events, *thresholds),
        )
        write_text(spec_path, charts.spec_json(spec))
        picture = pictures.render(spec, {"../data/regime.csv": csv_text}, image_cache)
        write_picture(site / "charts", "regime", picture)
        figures["regime"] = figure("charts/", "regime", picture, pictures.regime_sentence(frame))
    if risk_ladder is not None:
        assets = {r.asset: risk_ladder.names[r.asset] for r in risk_ladder.lags}
        lags = risk_ladder.lags[0].lags if risk_ladder.lags else []
        frame = pd.DataFrame({"lag": lags, **{r.asset: r.correlations for r in risk_ladder.lags}})
        lines = [csv_cells.line(frame.columns).rstrip("\n")]
        for row in frame.itertuples(index=False):
            cells = [str(row[0])] + ["" if pd.isna(v) else f"{v:.4f}" for v in row[1:]]
            lines.append(",".join(cells))
        csv_path, spec_path = site / "data" / "ladder.csv", site / "charts" / "ladder.vl.json"
        csv_text = "\n".join(lines) + "\n"
        write_text(csv_path, csv_text)
        beyond = ladder_page.significant_beyond(risk_ladder)
        spec = charts.cached(
            cache,
            ["ladder", assets, beyond],
            lambda: charts.lag_spec(assets, "../data/ladder.csv", significant_beyond=beyond),
        )
        write_text(spec_path, charts.spec_json(spec))
        picture = pictures.render(spec, {"../data/ladder.csv": csv_text}, image_cache)
        write_picture(site / "charts", "ladder", picture)
        figures["ladder"] = figure(
            "charts/", "ladder", picture, pictures.ladder_sentence(assets, frame)
        )
    return figures


def regime_note(config: Config, events: list[Any], regime: analysis.Regime | None) -> str:
    """The line under the home page's regime chart (the window it opens with)."""
    if regime is None or config.regime is None or regime.history.empty:
        return ""
    end = regime.history.index[-1]
    start = regime.history.index[regime.history.index >= end - pd.DateOffset(years=10)][0]
    shown = event_notes.shown_events(events, charts.recent_start(start, end) or start, end)
    references = charts.regime_references(config.regime.easing_above, config.regime.tight_below)
    return event_notes.note(shown, references, "dotted")
