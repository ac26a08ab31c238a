"""The offline build: snapshot -> indicators -> charts and narrative -> Markdown in ``site/``.

Runs with no network and no key. Generated files are rewritten only when their content
changes, and files left over from removed indicators are deleted, so ``site/`` always mirrors
``indicators.yml`` and ``mkdocs build --strict`` never sees a dangling page.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from generator.catalogue import reference
from generator.catalogue.load import load_catalogue, load_config, load_events
from generator.catalogue.messages import ConfigError
from generator.catalogue.models import Config
from generator.measure import attribution, indicators, ladder, lineage, vintage_reads
from generator.measure import claims as claims_measure
from generator.measure import regime as analysis
from generator.publish import annotations as event_notes
from generator.publish import (
    api,
    brief,
    changes,
    charts,
    csv_cells,
    ladder_page,
    pages,
    pictures,
    report,
    revisions,
    scorecard,
)
from generator.publish import attribution as attribution_text
from generator.publish import desk as desk_text
from generator.publish import explain as explain_text
from generator.publish import nowcast as nowcast_text
from generator.publish.format import csv_decimals, is_monthly, with_period_column
from generator.publish.render import environment, write_text
from generator.snapshot import clock, freshness
from generator.snapshot.load import Snapshot, as_published, known_on, load_snapshot
from generator.snapshot.lock import exclusive
from generator.snapshot.store import Store, leftovers

GENERATED_DIRS = ("indicators", "charts", "data", "api", "snippets")


@dataclass
class BuildReport:
    pages: int = 0
    charts: int = 0
    missing_series: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def ensure_vega_bundle(assets: Path) -> Path:
    """Write vl-convert's Vega/Vega-Lite/vega-embed bundle once per vl-convert version."""
    import vl_convert

    target = assets / "vega-bundle.js"
    stamp = assets / "vega-bundle.version"
    version = getattr(vl_convert, "__version__", "unknown")
    if target.exists() and stamp.exists() and stamp.read_text().strip() == version:
        return target
    # The stub says snippet is required; at run time it defaults to None (the plain bundle).
    bundle = vl_convert.javascript_bundle()  # type: ignore[call-arg]
    assets.mkdir(parents=True, exist_ok=True)
    target.write_text(bundle)
    stamp.write_text(version + "\n")
    return target


def build(root: Path, quiet: bool = False, as_of: date | None = None) -> BuildReport:
    """The whole site from the snapshot, under the data lock ``update`` and ``report`` take:
    two builds at once shared one staging folder (one deleted the other's files, and ``site/``
    lost up to every chart), and a build during an update read new CSVs beside the old
    manifest. With the lock a second run exits 2 at once and the snapshot cannot change midway.
    Temp files a killed run left in ``site/`` are removed first."""
    with exclusive(Path(root) / "data", "build"):
        for leftover in leftovers(Path(root) / "site"):
            leftover.unlink(missing_ok=True)
        return _build(Path(root), quiet, as_of)


def _build(root: Path, quiet: bool, as_of: date | None) -> BuildReport:  # noqa: C901 - split by the lead after the merges
    report = BuildReport()
    started = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal started
        now = time.perf_counter()
        report.timings[stage] = now - started
        started = now

    events = load_events(root / "events.yml")
    config = load_config(root / "indicators.yml", events)
    store = Store(root / "data")
    snapshot = load_snapshot(config, store)
    if as_of is not None:  # `build --as-of`: the site as it would have been on that day
        snapshot = known_on(snapshot, as_of)
    report.missing_series = snapshot.missing
    lap("load")

    results = indicators.evaluate(config, snapshot.series, snapshot.stale, snapshot.overdue)
    regime = analysis.compute_regime(config, results)
    risk_ladder = ladder.from_config(config, events, results, snapshot.series)
    claims = judge_claims(config, events, snapshot, results, store, as_of)
    weekly_parts = attribution.attribution(snapshot.series)
    driver = attribution.main_driver(weekly_parts)
    driver_text = attribution_text.driver_sentence(driver)
    extra = {"reserves": driver_text} if driver_text else {}
    estimate = nowcast_text.compute(config, snapshot, store, as_of, root / ".cache" / "nowcast")
    lap("indicators")

    site = root / "site"
    cache = root / ".cache" / "specs"
    # Everything generated is written into a staging folder and moved into site/ only once the
    # whole build has succeeded: a crash halfway leaves the last good pages, never a chart of
    # one night beside a home card of the other.
    out = root / ".cache" / "site-staging"
    shutil.rmtree(out, ignore_errors=True)
    links: dict[str, tuple[str | None, str | None]] = {}
    notes: dict[str, str] = {}
    figures: dict[str, dict[str, Any]] = {}
    image_cache = root / ".cache" / "pictures"
    for result in results:
        chart_link = csv_link = None
        if result.has_data:
            chart = result.config.chart
            frame = charts.chart_frame(result, chart)
            decimals = {name: csv_decimals(result.config, name) for name in chart.plot}
            csv_path = out / "data" / f"{result.id}.csv"
            spec_path = out / "charts" / f"{result.id}.vl.json"
            csv_text = charts.frame_to_csv(frame, decimals)
            if is_monthly(result.quantity(chart.plot[0]).index):
                csv_text = with_period_column(csv_text)  # a month is dated as a month
            write_text(csv_path, csv_text)
            url = f"../data/{result.id}.csv"
            spec = charts.cached(
                cache,
                charts.spec_key(result, chart, frame, url, events),
                lambda: charts.chart_spec(result, chart, frame, url, events),  # noqa: B023
            )
            spec = nowcast_text.extend_spec(spec, result, estimate)  # the dashed estimate
            write_text(spec_path, charts.spec_json(spec))
            api_path = out / "api" / "indicators" / f"{result.id}.json"
            write_text(api_path, api.api_json(api.indicator_data(result, frame)))
            notes[result.id] = charts.chart_note(result, chart, frame, events)
            notes[result.id] += nowcast_text.note(result, estimate)
            picture = pictures.render(spec, {url: csv_text}, image_cache)
            write_picture(out / "charts", result.id, picture)
            sentence = pictures.chart_sentence(result, chart, frame)
            sentence += nowcast_text.estimate_sentence(result, estimate)
            figures[result.id] = figure("../charts/", result.id, picture, sentence)
            chart_link = f"../charts/{result.id}.vl.json"
            csv_link = f"../data/{result.id}.csv"
            report.charts += 1
        links[result.id] = (chart_link, csv_link)
    attribution_figure = write_attribution(out, cache, image_cache, weekly_parts)
    write_text(out / "data" / "scorecard.csv", scorecard.scorecard_csv(claims))
    nowcast_text.write(out, estimate)
    desk_rows = desk_text.rows_of(config, results)
    if desk_rows:
        name = desk_text.file_name(config)
        write_text(out / "data" / f"{name}.csv", desk_text.periods_csv(desk_rows))
        write_text(out / "api" / f"{name}.json", api.api_json(desk_text.periods_api(desk_rows)))
    generated = api.generated_stamp(results)
    write_text(
        out / "api" / "latest.json",
        api.api_json(api.latest(results, regime, generated, config, snapshot.reasons)),
    )
    analysis_figures = write_analysis_charts(
        out, cache, image_cache, config, events, regime, risk_ladder
    )
    lap("charts")

    explanations = write_explanations(out, config, results, snapshot, store)
    env = environment(root / "templates")
    revised = {r.id: revisions.revised_mark(r, snapshot.revisions) for r in results}
    cards = [pages.card(r, f"indicators/{r.id}/") for r in results]
    for card, result in zip(cards, results, strict=True):
        card["revised"] = revised[result.id]
        card["estimate"] = nowcast_text.card(result, estimate)
    home = env.get_template("home.md.j2").render(
        site=config.site,
        headline=pages.headline(regime, results),
        narrative=pages.narrative_paragraphs(regime, results, extra),
        cards=cards,
        regime_chart="charts/regime.vl.json" if regime is not None else None,
        regime_figure=analysis_figures.get("regime"),
        regime_note=regime_note(config, events, regime),
        claims=scorecard.summary(claims, written_on(config)),
        latest_report=pages.latest_report(site / "blog" / "posts", as_of),
        brief=home_brief(config, regime, results, site / "blog" / "posts", as_of),
    )
    write_text(out / "index.md", home)
    indicator_template = env.get_template("indicator.md.j2")
    for result in results:
        chart_link, csv_link = links[result.id]
        context = pages.indicator_page(result, config, store.records, chart_link, csv_link)
        context["revised"] = revised[result.id]
        context["attribution"] = None
        if result.id in attribution_text.PAGES and not weekly_parts.empty:
            context["attribution"] = {
                "chart": "../charts/liquidity-attribution.vl.json",
                "csv": "../data/liquidity-attribution.csv",
                "sentence": driver_text,
                "since": weekly_parts.index[0].date(),
                "figure": attribution_figure,
            }
        context["desk"] = desk_text.page_context(config, result, desk_rows)
        context["chart_note"] = notes.get(result.id, "")
        context["figure"] = figures.get(result.id)
        context["explain"] = explanations.get(result.id)
        context["explain_json"] = f"../api/explain/{result.id}.json"
        path = out / "indicators" / f"{result.id}.md"
        write_text(path, indicator_template.render(ind=context))
    status = pages.data_status(config, store.records, results, snapshot.overdue, snapshot.revisions)
    write_text(out / "data-status.md", env.get_template("data_status.md.j2").render(**status))
    logged = revisions.log(config, snapshot.series, snapshot.revisions)
    write_text(out / "api" / "revisions.json", revisions.revisions_json(logged))
    held = revisions.held(config, store)
    page = env.get_template("revisions.md.j2").render(**revisions.page_context(logged, held=held))
    write_text(out / "revisions.md", page)
    if risk_ladder is not None:
        context = ladder_page.ladder_page(risk_ladder, "charts/ladder.vl.json", "data/ladder.csv")
        context["figure"] = analysis_figures.get("ladder")
        write_text(out / "ladder.md", env.get_template("ladder.md.j2").render(**context))
    write_text(
        out / "scorecard.md",
        env.get_template("scorecard.md.j2").render(
            **pages.scorecard_page(claims, written_on(config))
        ),
    )
    write_text(
        out / "config-reference.md",
        env.get_template("config_reference.md.j2").render(
            **reference.reference_context(load_catalogue(root / "indicators.yml"))
        ),
    )
    report.pages = len(results) + 5
    _swap_in(out, site)
    ensure_vega_bundle(site / "assets" / "js")
    lap("pages")

    if not quiet:
        missing = f"; missing series: {', '.join(snapshot.missing)}" if snapshot.missing else ""
        print(
            f"built {report.pages} pages and {report.charts} charts into site/{missing}",
            file=sys.stderr,
        )
    return report


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


def written_on(config: Config) -> date | None:
    return config.claims.written if config.claims is not None else None


def judge_claims(
    config: Config,
    events: list[Any],
    snapshot: Snapshot,
    results: list[Any],
    store: Store,
    as_of: date | None = None,
) -> list[claims_measure.ClaimResult]:
    """Each claim judged on the snapshot as published when the article was written, and on
    the whole snapshot as of the day the sources were last asked (months up to it complete)."""
    if config.claims is None:
        return []
    fetched = freshness.last_update([r.fetched_at for r in store.records.values()])
    latest = max((s.index[-1].date() for s in snapshot.series.values()), default=None)
    now = fetched or latest or config.claims.written
    now = min(now, as_of) if as_of is not None else now
    day = config.claims.written
    then = as_published(snapshot, config, day)
    results_then = indicators.evaluate(config, then.series)
    first = {}
    for claim in config.claims.items:
        read = vintage_reads.claim_reads(config, claim, snapshot, results_then, day)
        if read is not None:
            first[claim.id] = read
    return claims_measure.judge_claims(
        config, events, (results, snapshot.series, now), (results_then, then.series), first
    )


def figure(base: str, name: str, picture: pictures.Picture, sentence: str) -> dict[str, Any]:
    """What a template needs to show a chart's pictures: their files, sizes and sentence."""
    context: dict[str, Any] = {"png": f"{base}{name}.png", "sentence": sentence, "pictures": []}
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
        assets = {r.asset: ladder.ASSET_NAMES[r.asset] for r in risk_ladder.lags}
        lags = risk_ladder.lags[0].lags if risk_ladder.lags else []
        frame = pd.DataFrame({"lag": lags, **{r.asset: r.correlations for r in risk_ladder.lags}})
        lines = [csv_cells.line(frame.columns).rstrip("\n")]
        for row in frame.itertuples(index=False):
            cells = [str(row[0])] + ["" if pd.isna(v) else f"{v:.4f}" for v in row[1:]]
            lines.append(",".join(cells))
        csv_path, spec_path = site / "data" / "ladder.csv", site / "charts" / "ladder.vl.json"
        csv_text = "\n".join(lines) + "\n"
        write_text(csv_path, csv_text)
        spec = charts.cached(
            cache, ["ladder", assets], lambda: charts.lag_spec(assets, "../data/ladder.csv")
        )
        write_text(spec_path, charts.spec_json(spec))
        picture = pictures.render(spec, {"../data/ladder.csv": csv_text}, image_cache)
        write_picture(site / "charts", "ladder", picture)
        figures["ladder"] = figure(
            "charts/", "ladder", picture, pictures.ladder_sentence(assets, frame)
        )
    return figures


def regime_note(config: Config, events: list[Any], regime: analysis.Regime | None) -> str:
    """The line under the home page's regime chart (same ten-year window as its data)."""
    if regime is None or config.regime is None or regime.history.empty:
        return ""
    end = regime.history.index[-1]
    shown = event_notes.shown_events(events, end - pd.DateOffset(years=10), end)
    references = charts.regime_references(config.regime.easing_above, config.regime.tight_below)
    return event_notes.note(shown, references, "dotted")


def _swap_in(staging: Path, site: Path) -> None:
    """Move the finished build from ``staging`` into ``site/``: each changed file by an atomic
    rename (unchanged ones stay untouched, so MkDocs' live reload and git stay quiet), then the
    files of ``GENERATED_DIRS`` this build no longer makes are deleted (removed indicators)."""
    made: set[Path] = set()
    for path in sorted(staging.rglob("*")):
        if not path.is_file():
            continue
        target = site / path.relative_to(staging)
        made.add(target)
        if target.is_file() and target.read_bytes() == path.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    for folder in GENERATED_DIRS:
        directory = site / folder
        if not directory.exists():
            continue
        for path in directory.rglob("*"):
            if path.is_file() and path not in made:
                path.unlink()
        for path in sorted(directory.rglob("*"), reverse=True):
            if path.is_dir() and not any(path.iterdir()):
                shutil.rmtree(path)
    shutil.rmtree(staging, ignore_errors=True)


def home_brief(
    config: Config,
    regime: analysis.Regime | None,
    results: list[indicators.IndicatorResult],
    posts: Path,
    as_of: date | None = None,
) -> list[str]:
    """The home page's brief, its changes counted from the newest report post written from
    older data than the page's (``report.previous_for_page``): a post of the same day shows
    what the page shows, so "no change since" it would compare the page with itself."""
    try:
        previous = report.previous_for_page(posts, results)
    except ConfigError:  # a broken post is reported by `report`; the home page still builds
        previous = None
    day = regime.as_of if regime is not None else clock.today()
    current = report.state_of(day, regime, results)
    titles = {r.id: r.config.title for r in results}
    comparison = changes.compare(previous, current, titles) if previous else None
    newest = pages.latest_report(posts, as_of)
    data_day = report.data_day(results)
    same = newest["date"] if newest and data_day and newest["date"] >= data_day else None
    return brief.brief(
        regime, config.regime, results, comparison, previous, current, same_data=same
    )
