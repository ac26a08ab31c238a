"""The build's writers: each turns one stage's results into files under the staging folder.

Wiring, like ``build`` (which calls them in order): split from it so each stays readable. No
rule lives here; each writer joins a ``measure`` result to a ``publish`` formatter and writes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from generator.catalogue.models import Config
from generator.measure import ladder, lineage
from generator.measure import regime as analysis
from generator.measure.indicators import IndicatorResult
from generator.publish import annotations as event_notes
from generator.publish import (
    api,
    charts,
    citable,
    csv_cells,
    identity,
    ladder_page,
    pictures,
)
from generator.publish import attribution as attribution_text
from generator.publish import explain as explain_text
from generator.publish import nowcast as nowcast_text
from generator.publish.contexts import Cite, ExplainBlock, Figure
from generator.publish.format import csv_decimals, is_monthly, with_period_column
from generator.publish.render import write_text
from generator.run import Run
from generator.snapshot.load import Snapshot
from generator.snapshot.store import Store


@dataclass(frozen=True)
class IndicatorChart:
    """One indicator's chart as its page links and shows it."""

    chart: str  # the Vega-Lite spec, relative to the indicator page
    csv: str  # the CSV it draws
    note: str  # the line under the chart (events, references, the estimate)
    figure: Figure  # the pictures and their sentence (``figure``)
    cite: Cite  # the download, checksum, citation and embed (``citable.publish``)


@dataclass(frozen=True)
class Drawn:
    """What the charts stage wrote and the pages show: each indicator's chart (indicators
    without data have none), the attribution's and the analysis charts' figures, and the
    indicator pages' "How this number was made" blocks."""

    indicators: dict[str, IndicatorChart]
    attribution: Figure | None
    analysis: dict[str, Figure]
    explanations: dict[str, list[ExplainBlock]]
    citations: dict[str, Cite]  # the regime, ladder and attribution charts' downloads, by id


@dataclass(frozen=True)
class Drawing:
    """What every chart is drawn with: the spec and picture caches (under ``.cache``, keyed by
    everything a chart is drawn from), the site's address and the snapshot's provenance
    (``data/provenance.json``, None without one) for the downloads' README."""

    specs: Path
    pictures: Path
    site_url: str
    provenance: dict[str, Any] | None


def drawing(run: Run) -> Drawing:
    path = run.store.root / "provenance.json"
    return Drawing(
        specs=run.root / ".cache" / "specs",
        pictures=run.root / ".cache" / "pictures",
        site_url=identity.settings(run.root).site_url,
        provenance=json.loads(run.store.read_text(path)) if path.exists() else None,
    )


def draw(run: Run, out: Path) -> Drawn:
    """Every chart of the build with its CSV, spec, pictures and downloads, into ``out``."""
    how = drawing(run)
    drawn = {
        result.id: write_indicator_chart(out, run, result, how)
        for result in run.results
        if result.has_data
    }
    attribution = write_attribution(out, how.specs, how.pictures, run.attribution)
    analysis = write_analysis_charts(
        out, how.specs, how.pictures, run.config, run.events, run.regime, run.ladder
    )
    citations = write_chart_citations(
        out, run.config, (run.store.records, how.provenance), how.site_url,
        {**analysis, "liquidity-attribution": attribution},
        run.ladder.until if run.ladder is not None else None,
    )  # fmt: skip
    return Drawn(
        indicators=drawn,
        attribution=attribution,
        analysis=analysis,
        explanations=write_explanations(out, run.config, run.results, run.snapshot, run.store),
        citations=citations,
    )


def write_indicator_chart(
    out: Path, run: Run, result: IndicatorResult, how: Drawing
) -> IndicatorChart:
    """One indicator's CSV, spec (with the dashed estimate), API file, pictures, download and
    embed page."""
    chart = result.config.chart
    frame = charts.chart_frame(result, chart)
    decimals = {name: csv_decimals(result.config, name) for name in chart.plot}
    csv_text = charts.frame_to_csv(frame, decimals)
    if is_monthly(result.quantity(chart.plot[0]).index):
        csv_text = with_period_column(csv_text)  # a month is dated as a month
    write_text(out / "data" / f"{result.id}.csv", csv_text)
    url = f"../data/{result.id}.csv"
    spec = charts.cached(
        how.specs,
        charts.spec_key(result, chart, frame, url, run.events),
        lambda: charts.chart_spec(result, chart, frame, url, run.events),
    )
    spec = nowcast_text.extend_spec(spec, result, run.estimate)  # the dashed estimate
    write_text(out / "charts" / f"{result.id}.vl.json", charts.spec_json(spec))
    api_path = out / "api" / "indicators" / f"{result.id}.json"
    write_text(api_path, api.api_json(api.indicator_data(result, frame)))
    note = charts.chart_note(result, chart, frame, run.events)
    note += nowcast_text.note(result, run.estimate)
    picture = pictures.render(spec, {url: csv_text}, how.pictures)
    write_picture(out / "charts", result.id, picture)
    sentence = pictures.chart_sentence(result, chart, frame)
    sentence += nowcast_text.estimate_sentence(result, run.estimate)
    shown = figure("../charts/", result.id, picture, sentence)
    cite = citable.publish(
        result, run.config, (run.store.records, how.provenance), how.site_url,
        shown, (csv_text, picture.png),
    )  # fmt: skip
    write_files(out, cite.files)
    return IndicatorChart(
        chart=f"../charts/{result.id}.vl.json",
        csv=url,
        note=note,
        figure=shown,
        cite=cite.context,
    )


def write_files(out: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(content)


def write_chart_citations(
    out: Path,
    config: Config,
    known: tuple[dict[str, Any], dict[str, Any] | None],
    site_url: str,
    figures: Mapping[str, Figure | None],
    ladder_until: date | None,
) -> dict[str, Cite]:
    """The download and embed page of each chart that is not an indicator's (regime, ladder,
    attribution), from its CSV and PNG already in the staging folder; returns what each
    page shows (``citable.Published.context``) by chart id. ``known``: the manifest's records
    and the snapshot's provenance."""
    found: dict[str, Cite] = {}
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
) -> Figure | None:
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
) -> dict[str, list[ExplainBlock]]:
    """``api/explain/<id>.json`` for each indicator with data, and its page's blocks."""
    provenance = lineage.Provenance(
        snapshot.revisions, {k: r.fetched_at for k, r in store.records.items()}
    )
    blocks: dict[str, list[ExplainBlock]] = {}
    hide = explain_text.withheld(config)
    for result in results:
        if not result.has_data:
            continue
        names = explain_text.explained_quantities(result.config)
        evaluated = lineage.Evaluated(result.quantities, result.spans)
        traced = lineage.explain_latest(
            config, result.config, snapshot.series, names, provenance, evaluated
        )
        write_text(
            out / "api" / "explain" / f"{result.id}.json",
            explain_text.document(result.config, traced, hide),
        )
        blocks[result.id] = explain_text.page_context(result.config, traced, hide)
    return blocks


def figure(base: str, name: str, picture: pictures.Picture, sentence: str) -> Figure:
    """What a template needs to show a chart's pictures: their files, sizes and sentence."""
    context: Figure = {
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
) -> dict[str, Figure]:
    """Data, specs and pictures for the regime history (home) and the lead/lag chart (ladder
    page), and their figures. The home page sits one level above the indicator pages, hence
    its own base path."""
    figures: dict[str, Figure] = {}
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
