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

from generator.outputs import Page, home_brief, outputs
from generator.publish import identity, vega_bundle
from generator.publish.render import environment
from generator.run import judge_claims, load, measure, written_on
from generator.snapshot.lock import exclusive
from generator.snapshot.store import leftovers
from generator.writers import draw

__all__ = ["BuildReport", "build", "home_brief", "judge_claims", "written_on"]

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


def _build(root: Path, quiet: bool, as_of: date | None) -> BuildReport:
    """Load, measure, draw the charts, then write every page and file of ``outputs``: all
    into a staging folder moved into ``site/`` only once the whole build has succeeded, so a
    crash halfway leaves the last good pages, never a chart of one night beside a home card of
    the other."""
    report = BuildReport()
    clock = _Laps(report.timings)
    loaded = load(root, as_of)
    report.missing_series = loaded.snapshot.missing
    clock.lap("load")
    run = measure(root, as_of, loaded)
    clock.lap("indicators")
    out = root / ".cache" / "site-staging"
    shutil.rmtree(out, ignore_errors=True)
    drawn = draw(run, out)
    report.charts = len(drawn.indicators)
    clock.lap("charts")
    # The site's name and tagline into mkdocs.yml (outside site/), before the feeds read it.
    identity.sync_mkdocs_yml(root / "mkdocs.yml", run.config.site)
    env = environment(root / "templates", root / ".cache" / "jinja")
    made = outputs(run, drawn)
    for item in made:
        item.write(out, env)
    report.pages = sum(1 for item in made if isinstance(item, Page))
    _swap_in(out, root / "site")
    vega_bundle.ensure(root / "site" / "assets" / "js", root)
    clock.lap("pages")
    if not quiet:
        missing = run.snapshot.missing
        said = f"; missing series: {', '.join(missing)}" if missing else ""
        print(
            f"built {report.pages} pages and {report.charts} charts into site/{said}",
            file=sys.stderr,
        )
    return report


class _Laps:
    """Each stage's seconds into ``timings`` (``make bench`` prints them)."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.started = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self.started
        self.started = now


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
