"""The build's pages and files: one list, each entry with its context and its writer.

Wiring, like ``build``: every entry is made from the frozen ``run.Run`` and what the charts
stage drew (``writers.Drawn``), and no context is touched after the ``publish`` function that
made it returns. ``build`` writes the list into its staging folder and counts the pages in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from jinja2 import Environment

from generator.catalogue import reference
from generator.catalogue.load import load_catalogue
from generator.catalogue.messages import ConfigError
from generator.catalogue.models import Config
from generator.measure import desk, indicators, ladder_drivers
from generator.measure import regime as analysis
from generator.publish import (
    answer,
    api,
    archive,
    brief,
    calendar,
    changes,
    data_status,
    feeds,
    global_page,
    identity,
    ladder_page,
    pages,
    report,
    revisions,
    scorecard,
)
from generator.publish import desk as desk_text
from generator.publish import ladder_drivers as ladder_drivers_text
from generator.publish import nowcast as nowcast_text
from generator.publish.contexts import AttributionBlock, Context, Home, PageParts
from generator.publish.render import write_text
from generator.run import Run
from generator.snapshot import clock
from generator.snapshot.releases import load_schedule
from generator.writers import Drawn, regime_note


class Output(Protocol):
    @property
    def path(self) -> str: ...  # under site/

    def write(self, out: Path, env: Environment) -> None: ...


@dataclass(frozen=True)
class Page:
    """A Markdown page: its template rendered with its context."""

    path: str
    template: str
    context: Context

    def write(self, out: Path, env: Environment) -> None:
        write_text(out / self.path, env.get_template(self.template).render(**self.context))


@dataclass(frozen=True)
class File:
    """A file that is not a page (CSV, JSON, iCalendar), its content made in full."""

    path: str
    content: str | bytes

    def write(self, out: Path, env: Environment) -> None:
        if isinstance(self.content, bytes):
            (out / self.path).parent.mkdir(parents=True, exist_ok=True)
            (out / self.path).write_bytes(self.content)
        else:
            write_text(out / self.path, self.content)


@dataclass(frozen=True)
class Releases:
    """The release calendar as of the build's moment (``build --as-of``: that day's end)."""

    moment: datetime
    entries: list[calendar.Entry]


def outputs(run: Run, drawn: Drawn) -> list[Output]:
    """Every page and file of the build beyond the charts, in the order they are written."""
    moment = calendar.as_of_moment(run.as_of)
    releases = Releases(
        moment, calendar.entries(run.config, load_schedule(run.config, run.root / "data"), moment)
    )
    desk_rows = desk_text.rows_of(run.config, run.results)
    return [
        *data_files(run, desk_rows),
        *calendar_outputs(run, releases),
        home_page(run, drawn, releases),
        *global_pages(run, drawn),
        *indicator_pages(run, drawn, desk_rows),
        data_status_page(run),
        *revision_outputs(run),
        *ladder_pages(run, drawn),
        scorecard_page(run),
        reference_page(run),
        *publishing_files(run),
    ]


def data_files(run: Run, rows: list[desk.PeriodRow]) -> list[Output]:
    """The scorecard's CSV, the Desk's periods, the nowcast's files and ``api/latest.json``."""
    view = run.estimate
    found: list[Output] = [
        File("data/scorecard.csv", scorecard.scorecard_csv(run.claims)),
        File(f"data/{nowcast_text.CSV}", nowcast_text.errors_csv(view.errors)),
        File("api/nowcast.json", api.api_json(nowcast_text.api_data(view))),
        File("snippets/nowcast-backtest.md", nowcast_text.methodology_table(view)),
    ]
    if rows:
        name = desk_text.file_name(run.config)
        found.append(File(f"data/{name}.csv", desk_text.periods_csv(rows)))
        found.append(File(f"api/{name}.json", api.api_json(desk_text.periods_api(rows))))
    generated = api.generated_stamp(run.results)
    latest = api.latest(run.results, run.regime, generated, run.config, run.snapshot.reasons)
    found.append(File("api/latest.json", api.api_json(latest)))
    return found


def calendar_outputs(run: Run, releases: Releases) -> list[Output]:
    entries, moment = releases.entries, releases.moment
    return [
        File("api/calendar.json", calendar.calendar_json(entries, moment)),
        File("calendar.ics", calendar.calendar_ics(entries, moment, run.config.site.name)),
        Page("calendar.md", "calendar.md.j2", calendar.page_context(entries, moment)),
    ]


def home_page(run: Run, drawn: Drawn, releases: Releases) -> Page:
    results, regime = run.results, run.regime
    brief_lines, lead = home_brief(
        run.config,
        regime,
        results,
        run.posts,
        run.as_of,
        calendar.flip_releases(run.config, releases.entries),
    )
    cards = [
        pages.card(
            r,
            f"indicators/{r.id}/",
            revised=revisions.revised_mark(r, run.snapshot.revisions),
            estimate=nowcast_text.card(r, run.estimate),
        )
        for r in results
    ]
    extra = {"reserves": run.driver} if run.driver else {}
    context: Home = {
        "site": run.config.site,
        "headline": pages.headline(regime, results),
        "narrative": pages.narrative_paragraphs(regime, results, run.config.groups, extra),
        "cards": cards,
        "regime_chart": "charts/regime.vl.json" if regime is not None else None,
        "regime_figure": drawn.analysis.get("regime"),
        "regime_note": regime_note(run.config, run.events, regime),
        "regime_cite": drawn.citations.get("regime"),
        "claims": scorecard.summary(run.claims, run.written),
        "latest_report": pages.latest_report(run.posts, run.as_of),
        "brief": brief_lines,
        "lead": lead,
        "calendar": calendar.page_context(releases.entries, releases.moment),
        "global_section": global_page.home_section(results),
    }
    return Page("index.md", "home.md.j2", context)


def global_pages(run: Run, drawn: Drawn) -> list[Output]:
    if not global_page.members(run.results):
        return []
    figures = {i: chart.figure for i, chart in drawn.indicators.items()}
    context = global_page.page_context(run.results, figures)
    return [Page(global_page.PAGE, "global.md.j2", context)]


def indicator_pages(run: Run, drawn: Drawn, desk_rows: list[desk.PeriodRow]) -> list[Output]:
    shown = set(run.config.attribution.pages) if not run.attribution.empty else set()
    found: list[Output] = []
    for result in run.results:
        chart = drawn.indicators.get(result.id)
        parts: PageParts = {
            "chart": chart.chart if chart else None,
            "csv": chart.csv if chart else None,
            "chart_note": chart.note if chart else "",
            "figure": chart.figure if chart else None,
            "cite": chart.cite if chart else None,
            "revised": revisions.revised_mark(result, run.snapshot.revisions),
            "attribution": attribution_block(run, drawn) if result.id in shown else None,
            "desk": desk_text.page_context(run.config, result, desk_rows),
            "explain": drawn.explanations.get(result.id),
            "explain_json": f"../api/explain/{result.id}.json",
        }
        context = pages.indicator_page(result, run.config, run.store.records, parts)
        found.append(Page(f"indicators/{result.id}.md", "indicator.md.j2", {"ind": context}))
    return found


def attribution_block(run: Run, drawn: Drawn) -> AttributionBlock:
    return {
        "chart": "../charts/liquidity-attribution.vl.json",
        "csv": "../data/liquidity-attribution.csv",
        "sentence": run.driver,
        "since": run.attribution.index[0].date(),
        "figure": drawn.attribution,
        "cite": drawn.citations.get("liquidity-attribution"),
    }


def data_status_page(run: Run) -> Page:
    snapshot = run.snapshot
    context = data_status.data_status(
        run.config, run.store.records, run.results, snapshot.overdue, snapshot.revisions
    )
    return Page("data-status.md", "data_status.md.j2", context)


def revision_outputs(run: Run) -> list[Output]:
    logged = revisions.log(run.config, run.snapshot.series, run.snapshot.revisions)
    held = revisions.held(run.config, run.store)
    return [
        File("api/revisions.json", revisions.revisions_json(logged)),
        Page("revisions.md", "revisions.md.j2", revisions.page_context(logged, held=held)),
    ]


def ladder_pages(run: Run, drawn: Drawn) -> list[Output]:
    if run.ladder is None:
        return []
    tested = ladder_drivers.from_config(run.config, run.results, run.snapshot.series)
    context = ladder_page.ladder_page(
        run.ladder,
        "charts/ladder.vl.json",
        "data/ladder.csv",
        figure=drawn.analysis.get("ladder"),
        cite=drawn.citations.get("ladder"),
        drivers=[ladder_drivers_text.section(run.config, test) for test in tested],
    )
    return [Page("ladder.md", "ladder.md.j2", context)]


def scorecard_page(run: Run) -> Page:
    return Page("scorecard.md", "scorecard.md.j2", pages.scorecard_page(run.claims, run.written))


def reference_page(run: Run) -> Page:
    catalogue = load_catalogue(run.root / "indicators.yml")
    context = reference.reference_context(catalogue)
    return Page("config-reference.md", "config_reference.md.j2", context)


def publishing_files(run: Run) -> list[Output]:
    """What the MkDocs hooks did, made before any theme runs: the report feeds (RSS 2.0 and
    JSON Feed 1.1) in the site root, and the nightly copies of the API under ``api/archive/``.
    Read after ``identity.sync_mkdocs_yml``: a feed's description is ``mkdocs.yml``'s."""
    settings = identity.settings(run.root)
    posts = feeds.read_posts(run.site / settings.blog_dir / "posts", run.as_of)
    found: list[Output] = [
        File(name, content)
        for name, content in feeds.feed_files(settings, run.config.site.name, posts).items()
    ]
    found += [
        File(name, text) for name, text in archive.published_files(run.root, run.as_of).items()
    ]
    return found


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
