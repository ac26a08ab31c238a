"""The offline build: snapshot -> indicators -> charts and narrative -> Markdown in ``site/``.

Runs with no network and no key. Generated files are rewritten only when their content
changes, and files left over from removed indicators are deleted, so ``site/`` always mirrors
``indicators.yml`` and ``mkdocs build --strict`` never sees a dangling page.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from generator.catalogue import reference
from generator.catalogue.load import load_catalogue, load_config, load_events
from generator.catalogue.messages import ConfigError
from generator.catalogue.models import Config
from generator.measure import attribution, indicators, ladder, ladder_drivers, vintage_reads
from generator.measure import claims as claims_measure
from generator.measure import regime as analysis
from generator.publish import (
    answer,
    api,
    brief,
    calendar,
    changes,
    charts,
    citable,
    global_page,
    identity,
    ladder_page,
    pages,
    pictures,
    report,
    revisions,
    scorecard,
    vega_bundle,
)
from generator.publish import attribution as attribution_text
from generator.publish import desk as desk_text
from generator.publish import ladder_drivers as ladder_drivers_text
from generator.publish import nowcast as nowcast_text
from generator.publish.format import csv_decimals, is_monthly, with_period_column
from generator.publish.render import environment, write_text
from generator.snapshot import clock, freshness
from generator.snapshot.load import Snapshot, as_published, known_on, load_snapshot
from generator.snapshot.lock import exclusive
from generator.snapshot.releases import load_schedule
from generator.snapshot.store import Store, leftovers
from generator.writers import (
    figure,
    regime_note,
    write_analysis_charts,
    write_attribution,
    write_chart_citations,
    write_explanations,
    write_files,
    write_picture,
    write_publishing,
)

GENERATED_DIRS = ("indicators", "charts", "data", "api", "snippets", "downloads", "embed")


@dataclass
class BuildReport:
    pages: int = 0
    charts: int = 0
    missing_series: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


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
    weekly_parts = attribution.attribution(snapshot.series, config.attribution.series)
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
    settings = identity.settings(root)
    provenance_path = store.root / "provenance.json"
    provenance = json.loads(store.read_text(provenance_path)) if provenance_path.exists() else None
    citations: dict[str, dict[str, Any]] = {}
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
            cite = citable.publish(
                result, config, (store.records, provenance), settings.site_url,
                figures[result.id], (csv_text, picture.png),
            )  # fmt: skip
            write_files(out, cite.files)
            citations[result.id] = cite.context
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
    chart_citations = write_chart_citations(
        out, config, (store.records, provenance), settings.site_url,
        {**analysis_figures, "liquidity-attribution": attribution_figure},
        risk_ladder.until if risk_ladder is not None else None,
    )  # fmt: skip
    lap("charts")

    explanations = write_explanations(out, config, results, snapshot, store)
    env = environment(root / "templates")
    schedule = load_schedule(config, root / "data")
    moment = calendar.as_of_moment(as_of)
    upcoming = calendar.entries(config, schedule, moment)
    calendar_page = calendar.page_context(upcoming, moment)
    write_text(out / "api" / "calendar.json", calendar.calendar_json(upcoming, moment))
    (out / "calendar.ics").write_bytes(calendar.calendar_ics(upcoming, moment, config.site.name))
    write_text(out / "calendar.md", env.get_template("calendar.md.j2").render(**calendar_page))
    revised = {r.id: revisions.revised_mark(r, snapshot.revisions) for r in results}
    cards = [pages.card(r, f"indicators/{r.id}/") for r in results]
    for card, result in zip(cards, results, strict=True):
        card["revised"] = revised[result.id]
        card["estimate"] = nowcast_text.card(result, estimate)
    brief_lines, lead = home_brief(
        config,
        regime,
        results,
        site / "blog" / "posts",
        as_of,
        calendar.flip_releases(config, upcoming),
    )
    home = env.get_template("home.md.j2").render(
        site=config.site,
        headline=pages.headline(regime, results),
        narrative=pages.narrative_paragraphs(regime, results, config.groups, extra),
        cards=cards,
        regime_chart="charts/regime.vl.json" if regime is not None else None,
        regime_figure=analysis_figures.get("regime"),
        regime_note=regime_note(config, events, regime),
        regime_cite=chart_citations.get("regime"),
        claims=scorecard.summary(claims, written_on(config)),
        latest_report=pages.latest_report(site / "blog" / "posts", as_of),
        brief=brief_lines,
        lead=lead,
        calendar=calendar_page,
        global_section=global_page.home_section(results),
    )
    write_text(out / "index.md", home)
    if global_page.members(results):
        context = global_page.page_context(results, figures)
        write_text(out / global_page.PAGE, env.get_template("global.md.j2").render(**context))
    indicator_template = env.get_template("indicator.md.j2")
    for result in results:
        chart_link, csv_link = links[result.id]
        context = pages.indicator_page(result, config, store.records, chart_link, csv_link)
        context["revised"] = revised[result.id]
        context["attribution"] = None
        if result.id in config.attribution.pages and not weekly_parts.empty:
            context["attribution"] = {
                "chart": "../charts/liquidity-attribution.vl.json",
                "csv": "../data/liquidity-attribution.csv",
                "sentence": driver_text,
                "since": weekly_parts.index[0].date(),
                "figure": attribution_figure,
                "cite": chart_citations.get("liquidity-attribution"),
            }
        context["desk"] = desk_text.page_context(config, result, desk_rows)
        context["chart_note"] = notes.get(result.id, "")
        context["figure"] = figures.get(result.id)
        context["explain"] = explanations.get(result.id)
        context["explain_json"] = f"../api/explain/{result.id}.json"
        context["cite"] = citations.get(result.id)
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
        context["cite"] = chart_citations.get("ladder")
        tested = ladder_drivers.from_config(config, results, snapshot.series)
        context["drivers"] = [ladder_drivers_text.section(config, test) for test in tested]
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
    write_publishing(root, config, out, as_of)
    report.pages = len(results) + 5
    _swap_in(out, site)
    vega_bundle.ensure(site / "assets" / "js", root)
    lap("pages")

    if not quiet:
        missing = f"; missing series: {', '.join(snapshot.missing)}" if snapshot.missing else ""
        print(
            f"built {report.pages} pages and {report.charts} charts into site/{missing}",
            file=sys.stderr,
        )
    return report


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
    releases: dict[str, str] | None = None,
) -> tuple[list[str], answer.Lead]:
    """The home page's brief and lead, their changes counted from the newest report post
    written from older data than the page's (``report.previous_for_page``): a post of the same
    day shows what the page shows, so "no change since" it would compare the page with itself."""
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
    lines = brief.brief(
        regime,
        config.regime,
        results,
        comparison,
        previous,
        current,
        same_data=same,
        releases=releases,
    )
    headline = pages.headline(regime, results)
    return lines, answer.lead(config, headline, results, comparison, previous, current, same)
