"""``python -m generator report [--date YYYY-MM-DD]``: the dated nightly report post.

Writes ``site/blog/posts/<date>.md`` (a Material blog post) and its chart images in
``site/blog/posts/<date>/``: the regime headline, what changed since the previous report
(status changes first), the narrative, and PNG charts for feed readers. The report uses only
observations dated on or before its date, and compares with the state stored in the previous
post's front matter, so re-running a date rewrites the same bytes and never adds a second post.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml

from generator.catalogue.load import load_config, load_events
from generator.catalogue.messages import ConfigError
from generator.catalogue.models import Config, Event, GroupConfig, default_groups
from generator.measure import indicators
from generator.measure import regime as analysis
from generator.measure.indicators import IndicatorResult
from generator.publish import (
    answer,
    api,
    archive,
    brief,
    changes,
    charts,
    feeds,
    images,
    pages,
    revised,
)
from generator.publish import posts as post_files
from generator.publish.contexts import Headline
from generator.publish.format import format_date, format_number
from generator.publish.render import environment
from generator.snapshot import freshness
from generator.snapshot.load import load_snapshot
from generator.snapshot.lock import exclusive
from generator.snapshot.store import Store
from generator.snapshot.vintages import Revision, as_of

POSTS = Path("site") / "blog" / "posts"
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ALERTS = "Alerts"  # the blog category, and the filter of the alerts feed (mkdocs.yml)
# Posts are never rewritten with a new layout: a post written before the brief existed is
# regenerated without one, so re-running its date keeps its bytes.
BRIEF_MARK = '<div class="lw-brief"'
# Likewise a post written before posts recorded their configuration gets no 'config:' block.
CONFIG_MARK = "\nconfig:\n"
# And a post written before the lead (the answer first) keeps its old opening.
LEAD_MARK = '<div class="lw-lead'
CONFIG_FILES = ("indicators.yml", "events.yml")
CHANGE_CHARTS = 4  # at most this many indicator charts: the ones whose status changed
REGIME_YEARS = 3


@dataclass
class Image:
    path: str  # relative to the post's file
    alt: str
    png: bytes
    dark: bytes | None = None  # the dark-scheme variant, at ``dark_path``
    scale: int = 1
    # The phone drawings (images.NARROW wide, 2x), light and dark: axis text at its real size.
    narrow: dict[str, bytes] | None = None  # by suffix: ".narrow", ".narrow.dark"

    @property
    def dark_path(self) -> str:
        return self.path.removesuffix(".png") + ".dark.png"

    def variants(self) -> list[tuple[str, bytes]]:
        """(path, PNG) of every variant beside the light image."""
        found = [(self.dark_path, self.dark)] if self.dark is not None else []
        stem = self.path.removesuffix(".png")
        return found + [(f"{stem}{suffix}.png", png) for suffix, png in (self.narrow or {}).items()]

    def phone_drawings(self) -> list[images.Drawing]:
        """The phone drawings as the post shows them (templates/report_picture.md.j2)."""
        return images.phone_drawings(self.path, self.narrow or {})

    @property
    def size(self) -> tuple[int, int]:
        """The size to show it at, in CSS pixels."""
        width, height = images.png_size(self.png)
        return width // self.scale, height // self.scale


@dataclass(frozen=True)
class Style:
    """How a post's images are drawn. Posts written before 2x images existed keep their 1x
    light image and their words when their night is re-run: a published report is never
    rewritten (feed readers and links hold on to it). Every post has a dark drawing and phone
    drawings beside it (issue 23: the seed post was a white block in dark mode, with axis text
    a phone could not read); they are new files, never a change to the post."""

    scale: int
    dark: bool = True
    narrow: bool = True
    cache: Path | None = None  # the build's picture cache (images.render_png)

    def render(self, path: str, alt: str, spec: dict[str, Any], tables: dict[str, str]) -> Image:
        def draw(scale: int, theme: Literal["dark"] | None, width: int = images.WIDTH) -> bytes:
            return images.render_png(spec, tables, scale, theme, width, self.cache)

        png = draw(self.scale, None)
        dark = draw(self.scale, "dark") if self.dark else None
        narrow = None
        if self.narrow:
            narrow = {
                ".narrow": draw(images.SCALE, None, images.NARROW),
                ".narrow.dark": draw(images.SCALE, "dark", images.NARROW),
            }
        return Image(path, alt, png, dark, self.scale, narrow)


CURRENT = Style(scale=images.SCALE)
LEGACY = Style(scale=1)
VARIANT = re.compile(r"\.(dark|narrow|narrow\.dark)\.png$")


def style_of(posts: Path, folder: str) -> Style:
    """LEGACY for an existing post whose images are 1x, else CURRENT."""
    images_folder = posts / folder
    if (posts / f"{folder}.md").exists() and images_folder.is_dir():
        drawn = [p for p in images_folder.glob("*.png") if not VARIANT.search(p.name)]
        if drawn and images.png_size(drawn[0].read_bytes())[0] < images.SCALE * images.WIDTH:
            return LEGACY
    return CURRENT


def report(root: Path, day: str | None) -> int:
    """Write (or confirm) the report for ``day`` (default: today, UTC) under the data lock, so
    an update cannot change the snapshot midway and two reports cannot pick the wrong earlier
    post; returns the exit code."""
    target = report_day(day)
    with exclusive(root / "data", "report"):
        return _report(root, target)


def _report(root: Path, target: date) -> int:
    events = load_events(root / "events.yml")
    config = load_config(root / "indicators.yml", events)
    snapshot = load_snapshot(config, Store(root / "data"))
    starts = [s.dropna().index[0] for s in snapshot.series.values() if s.notna().any()]
    first = min(starts, default=None)
    if first is None or pd.Timestamp(target) < first:
        since = f"{first:%Y-%m-%d}" if first is not None else "never: data/ holds no observations"
        raise ConfigError([f"--date: {target} is before the first observation ({since})"])
    known = until(snapshot.series, target, snapshot.revisions)
    results = indicators.evaluate(config, known, snapshot.stale)
    regime = analysis.compute_regime(config, results)
    current = state_of(target, regime, results)
    posts = root / POSTS
    previous = previous_or_derived(
        posts, target, config, snapshot.series, snapshot.revisions, snapshot.stale
    )
    titles = {r.id: r.config.title for r in results}
    comparison = changes.compare(previous, current, titles)
    folder = target.isoformat()
    style = dataclasses.replace(style_of(posts, folder), cache=root / ".cache" / "pictures")
    drawn = regime_image(config, regime, events, folder, style) + change_images(
        results, comparison, events, folder, style
    )
    written = write_images(posts / folder, drawn)
    # the night's dated copy of the API, written once (publish/archive.py)
    latest = api.latest(results, regime, api.generated_stamp(results), config)
    written |= archive.write_night(root, target, api.api_json(latest))
    path = posts / f"{folder}.md"
    lines = None
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old is None or BRIEF_MARK in old:
        # stopped series as of the report's own date, for its warnings only: the rest of the
        # post reads as it did before the brief existed
        stopped = freshness.overdue(known, target)
        lines = brief.brief(regime, config.regime, results, comparison, previous, current, stopped)
    opening = None
    if old is None or LEAD_MARK in old:
        headline = pages.headline(regime, results)
        opening = answer.lead(config, headline, results, comparison, previous, current)
    # posts written before they recorded their configuration predate the revised section too
    new_layout = old is None or CONFIG_MARK in old
    made_with = configuration(root) if new_layout else None
    night = (
        revised.night_revisions(
            config,
            events,
            known,
            snapshot.revisions,
            results,
            revised.since_day(previous.day if previous else None, target),
            target,
        )
        if new_layout
        else []
    )
    text = render_post(
        root,
        target,
        regime,
        results,
        previous,
        current,
        comparison,
        drawn,
        lines,
        made_with,
        night,
        opening,
        config.groups,
    )
    written |= post_files.write_post(path, text)
    stale = ", ".join(f"{s} (since {d})" for s, d in sorted(snapshot.stale.items()))
    state = "written" if written else "unchanged"
    alert = f"alert, {len(comparison.status_changes)} status change(s)" if comparison.alert else ""
    notes = "; ".join(part for part in (alert, f"stale: {stale}" if stale else "") if part)
    print(f"{POSTS / folder}.md {state}" + (f" ({notes})" if notes else ""), file=sys.stderr)
    return 0


def configuration(root: Path) -> dict[str, str | None]:
    """What a post was made with, so a reader (or a later rebuild) can tell which definitions
    produced its statuses: the sha256 of ``indicators.yml`` and ``events.yml`` as read, and the
    git commit that last touched them. The commit is None when git or the repository is
    missing: a report is never refused over its provenance."""
    made: dict[str, str | None] = {}
    for name in CONFIG_FILES:
        made[name.replace(".yml", "_sha256")] = hashlib.sha256(
            (root / name).read_bytes()
        ).hexdigest()
    made["commit"] = config_commit(root)
    return made


def config_commit(root: Path) -> str | None:
    """``git log -1 --format=%H -- indicators.yml events.yml`` in ``root``, or None."""
    try:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%H", "--", *CONFIG_FILES],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", commit) else None


def report_day(text: str | None, flag: str = "--date") -> date:
    """The report's date: ``--date`` if given (never after today), else today (UTC); also
    ``build --as-of`` (``flag`` names the option in the messages)."""
    from generator.snapshot.clock import today

    if text is None:
        return today()
    try:
        # date.fromisoformat also reads 2026-W01-1 and 20260101 as dates: match first.
        if not ISO_DAY.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise ConfigError([f"{flag}: {text!r} is not a date written YYYY-MM-DD"]) from None
    if day > today():
        raise ConfigError([f"{flag}: {text} is in the future (today is {today()})"])
    return day


def until(
    series: dict[str, pd.Series], day: date, revisions: dict[str, list[Revision]] | None = None
) -> dict[str, pd.Series]:
    """Only what was known on ``day``: observations dated after it are left out, and a value
    revised since is the one current on ``day`` (its revision file), so a report rebuilt from
    a later snapshot says what the night's report said."""
    revisions = revisions or {}
    kept = {key: as_of(values, revisions.get(key, []), 0, day) for key, values in series.items()}
    return {key: values for key, values in kept.items() if not values.empty}


def state_of(
    day: date, regime: analysis.Regime | None, results: list[IndicatorResult]
) -> changes.ReportState:
    return changes.ReportState(
        day=day,
        regime=regime.label if regime else None,
        score=regime.score if regime else None,
        indicators={
            r.id: changes.IndicatorState(
                level=r.status.level if r.status else None,
                value=pages.latest_value(r),
                as_of=r.as_of,
            )
            for r in results
        },
    )


def data_day(results: list[IndicatorResult]) -> date | None:
    """The newest observation any indicator shows: the day a page built from ``results`` is
    "as of". A report dated on or after it was written from the same data."""
    days = [r.as_of for r in results if r.as_of is not None]
    return max(days) if days else None


def previous_for_page(posts: Path, results: list[IndicatorResult]) -> changes.ReportState | None:
    """The report a page built from ``results`` is compared with: the newest post dated before
    the page's data day. The newest post itself, when dated on or after that day, shows the
    same data; comparing with it would report "no change since" the very report the reader
    just came from."""
    day = data_day(results)
    return previous_state(posts, day) if day is not None else None


def previous_state(posts: Path, day: date) -> changes.ReportState | None:
    """The state stored in the newest post dated before ``day``, if there is one; a post that
    cannot be read raises ``ConfigError`` naming its file and line (``posts.read_state``)."""
    earlier = [(when, path) for when, path in post_files.dated_posts(posts) if when < day]
    if not earlier:
        return None
    when, path = earlier[-1]
    return post_files.read_state(path, when)


def previous_or_derived(
    posts: Path,
    target: date,
    config: Config,
    snapshot_series: dict[str, pd.Series],
    revisions: dict[str, list[Revision]],
    stale: dict[str, str],
) -> changes.ReportState | None:
    """The previous post's state; when that post cannot be read, the same state re-derived
    from the data as known on its date, with a warning naming the post and its line, so one
    bad post no longer stops every later night (``check`` names it for a person to fix)."""
    try:
        return previous_state(posts, target)
    except ConfigError as error:
        earlier = [when for when, _ in post_files.dated_posts(posts) if when < target]
        day = earlier[-1]
        for problem in error.problems:
            print(f"warning: {problem}", file=sys.stderr)
        print(
            f"warning: compared with the state re-derived from the data as known on {day}",
            file=sys.stderr,
        )
        results = indicators.evaluate(config, until(snapshot_series, day, revisions), stale)
        return state_of(day, analysis.compute_regime(config, results), results)


def regime_image(
    config: Config,
    regime: analysis.Regime | None,
    events: list[Event],
    folder: str,
    style: Style = CURRENT,
) -> list[Image]:
    if regime is None or config.regime is None:
        return []
    history = regime.history[
        regime.history.index > regime.history.index[-1] - pd.DateOffset(years=REGIME_YEARS)
    ]
    frame = pd.DataFrame({"date": history.index, "score": history.to_numpy()})
    csv = charts.frame_to_csv(frame, {"score": 3})
    spec = charts.regime_spec(
        frame, "regime.csv", events, config.regime.easing_above, config.regime.tight_below
    )
    alt = f"Liquidity regime score, {REGIME_YEARS} years to {format_date(regime.as_of)}"
    return [style.render(f"{folder}/regime.png", alt, spec, {"regime.csv": csv})]


def change_images(
    results: list[IndicatorResult],
    comparison: changes.Comparison,
    events: list[Event],
    folder: str,
    style: Style = CURRENT,
) -> list[Image]:
    """A chart of each indicator whose status changed (the first few)."""
    by_id = {r.id: r for r in results}
    drawn = []
    for row in comparison.status_changes[:CHANGE_CHARTS]:
        result = by_id[row.id]
        chart = result.config.chart
        frame = charts.chart_frame(result, chart)
        if frame.empty:
            continue
        csv = charts.frame_to_csv(frame, {name: 6 for name in chart.plot})
        spec = charts.chart_spec(result, chart, frame, "data.csv", events)
        alt = f"{result.config.title} to {format_date(result.as_of)}"
        drawn.append(style.render(f"{folder}/{row.id}.png", alt, spec, {"data.csv": csv}))
    return drawn


def write_images(folder: Path, drawn: list[Image]) -> bool:
    """Write changed images and delete ones this report no longer shows; True if anything moved."""
    changed = False
    keep = set()
    files = [(image.path, image.png) for image in drawn]
    files += [variant for image in drawn for variant in image.variants()]
    for name, png in files:
        path = folder.parent / name
        keep.add(path)
        if not path.exists() or path.read_bytes() != png:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)
            changed = True
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file() and path not in keep:
                path.unlink()
                changed = True
        if not any(folder.iterdir()):
            folder.rmdir()
    return changed


def render_post(
    root: Path,
    day: date,
    regime: analysis.Regime | None,
    results: list[IndicatorResult],
    previous: changes.ReportState | None,
    current: changes.ReportState,
    comparison: changes.Comparison,
    drawn: list[Image],
    brief_lines: list[str] | None = None,
    made_with: dict[str, str | None] | None = None,
    night: list[revised.RevisedRow] | None = None,
    opening: answer.Lead | None = None,
    groups: Sequence[GroupConfig] | None = None,
) -> str:
    headline = pages.headline(regime, results)
    summary = changes.summary(comparison, previous, current)
    stale = sorted({(s, d) for r in results for s, d in r.stale.items()})
    if stale:
        listed = ", ".join(f"{s} (since {d})" for s, d in stale)
        summary += f" Stale data, kept from the last good fetch: {listed}."
    regime_line = regime_text(headline)
    count = len(comparison.status_changes)
    title = f"{format_date(day)}: regime {headline['label']}" + (
        f", {count} status change{'s' if count != 1 else ''}" if count else ""
    )
    state = yaml.safe_dump(
        current.to_meta(), sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False
    )
    made = (
        yaml.safe_dump(made_with, sort_keys=False, width=1000, default_flow_style=False)
        if made_with is not None
        else None
    )
    template = environment(root / "templates", root / ".cache" / "jinja").get_template(
        "report.md.j2"
    )
    return template.render(
        title=title,
        day=day,
        description=f"{opening.text} {summary}" if opening else f"{regime_line} {summary}",
        feed_html=feeds.item_html(opening, regime_line, headline, summary),
        lead=opening,
        image=drawn[0].path if drawn else None,
        alert=comparison.alert,
        category=ALERTS,
        state="".join(f"  {line}\n" for line in state.splitlines()),
        made_with="".join(f"  {line}\n" for line in made.splitlines()) if made else None,
        headline=headline,
        brief=brief_lines,
        summary=summary,
        comparison=comparison,
        narrative=pages.narrative_paragraphs(
            regime, results, default_groups() if groups is None else groups
        ),
        revised=night or [],
        # a monthly figure is dated by its month ("July 2026"), as on its card
        as_of_labels={r.id: pages.as_of_label(r) for r in results},
        lead_image=drawn[0] if drawn and drawn[0].path.endswith("/regime.png") else None,
        charts=[i for i in drawn if not i.path.endswith("/regime.png")],
    )


def regime_text(headline: Headline) -> str:
    """'Liquidity regime: neutral (score −0.44), as of 21 Aug 2026.' as plain text."""
    score = headline["score"]
    scored = f" (score {format_number(score, 2, signed=True)})" if score is not None else ""
    return f"Liquidity regime: {headline['label']}{scored}, as of {format_date(headline['as_of'])}."
