"""The nightly sequence end to end, as the workflow runs it: update (against the fake sources),
report, build, ``mkdocs build --strict``, for two consecutive nights, then the second night again.

Night 1 brings two quiet days of crypto prices: a report, but no status change since the seed
report. Night 2 brings a Bitcoin close 44% below its peak: Bitcoin's status becomes stress, so
that report, and only that one, is an alert.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import feedparser
import pytest
from jsonschema import Draft202012Validator

from generator.publish.format import format_date
from generator.publish.report import POSTS
from tests.conftest import ROOT, copy_project, run_generator, run_mkdocs
from tests.fakes.harness import environment, run_update, start_servers

# One worker runs this module (`--dist loadgroup`): its module-scoped fixture (three nights of
# update, report, build and MkDocs) is made once, not once in each worker that runs one of its
# tests.
pytestmark = pytest.mark.xdist_group("nightly")

# The first night brings no new data, but issue 19 changed the reserves rule since the seed
# report (stress on the 13-week change, now the 26-week change in ordinary weekly moves): it
# reports that change as an alert. The second is quiet, the third a crash.
NIGHTS = ("2026-08-23", "2026-08-24", "2026-08-25")
QUIET = {
    "BTC-USD": [("2026-08-22", "78512.4"), ("2026-08-23", "78890.1")],
    "ETH-USD": [("2026-08-22", "2521.7"), ("2026-08-23", "2530.2")],
}
CRASH = {"BTC-USD": [("2026-08-24", "69850.0")], "ETH-USD": [("2026-08-24", "2490.5")]}
SEED = "2026-08-21"


def run_night(project: Path, servers, day: str, monkeypatch) -> None:
    """update -> report -> build -> mkdocs, with 'today' set to the night's date."""
    update = run_update(project, environment(servers, UPDATE_TODAY=day))
    assert update.returncode == 0, update.output
    monkeypatch.setenv("UPDATE_TODAY", day)
    run_generator(project, "report")  # no --date: the workflow relies on 'today'
    run_generator(project, "build")
    run_mkdocs(project)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def feed_days(path: Path) -> list[str]:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.bozo_exception
    return [
        f"{e.published_parsed.tm_year}-{e.published_parsed.tm_mon:02}-"
        f"{e.published_parsed.tm_mday:02}"
        for e in feed.entries
    ]


@pytest.fixture(scope="module")
def nights(tmp_path_factory, request):
    """The project after both nights, and everything each step left behind."""
    monkeypatch = pytest.MonkeyPatch()
    request.addfinalizer(monkeypatch.undo)
    project = copy_project(tmp_path_factory.mktemp("nightly"))
    servers = start_servers(project)
    request.addfinalizer(servers.stop)
    seen = {}
    for day, rows in zip(NIGHTS, ({}, QUIET, CRASH), strict=True):
        for series, observations in rows.items():
            servers.crypto.add(series, *observations)
        run_night(project, servers, day, monkeypatch)
        seen[day] = {"public": tree(project / "public"), "data": tree(project / "data")}
    return project, servers, seen, monkeypatch


def test_each_night_adds_one_post_and_one_feed_item(nights):
    project, _, _, _ = nights
    posts = sorted(p.stem for p in (project / POSTS).glob("*.md"))
    assert posts == [SEED, *NIGHTS]
    for day in NIGHTS:
        assert (project / POSTS / day / "regime.png").is_file()
        page = project / "public/blog" / day.replace("-", "/") / "index.html"
        # the dark image is a second image the stylesheet shows in the dark scheme, at the
        # path the image is published at (no theme hook)
        html = page.read_text()
        dark = re.search(rf'<img[^>]*src="../../../{day}/regime\.dark\.png"[^>]*>', html)
        assert dark and 'class="lw-report-dark"' in dark[0] and 'loading="lazy"' in dark[0]
        assert (project / "public/blog" / day / "regime.dark.png").is_file()
    assert feed_days(project / "public/feed_rss_created.xml") == [*reversed(NIGHTS), SEED]
    items = json.loads((project / "public/feed_json_created.json").read_text())["items"]
    assert [i["date_published"][:10] for i in items] == [*reversed(NIGHTS), SEED]


def test_only_the_night_whose_status_changed_is_an_alert(nights):
    project, _, _, _ = nights
    assert feed_days(project / "public/feed_rss_alerts.xml") == [NIGHTS[2], NIGHTS[0]]
    rule = (project / POSTS / f"{NIGHTS[0]}.md").read_text()
    assert "categories:\n  - Alerts\n" in rule
    assert (
        "| Bank reserves | 2,935 bn USD | 2,935 bn USD | 19 Aug 2026 | **stress → watch** |" in rule
    )
    quiet = (project / POSTS / f"{NIGHTS[1]}.md").read_text()
    assert (
        f"Since the report of {format_date(date.fromisoformat(NIGHTS[0]))}, the regime stayed"
        in quiet
    )
    assert "no indicator changed status" in quiet and "categories:" not in quiet
    alert = (project / POSTS / f"{NIGHTS[2]}.md").read_text()
    assert "categories:\n  - Alerts\n" in alert
    assert "| Bitcoin | 78,890 USD | 69,850 USD | 24 Aug 2026 | **calm → stress** |" in alert
    assert (project / POSTS / NIGHTS[2] / "btc.png").is_file()
    home = (project / "site/index.md").read_text()
    assert f"](blog/posts/{NIGHTS[2]}.md)" in home  # the home page links the newest report


def test_running_the_same_night_again_changes_nothing(nights):
    """A re-run of night 2 (same data at the sources): no new post, byte-identical report,
    feeds and pages. Only the fetch times move: `update` stamps every fresh series with the
    time it was fetched, which the Data status page shows."""
    project, servers, seen, monkeypatch = nights
    posts_before = tree(project / POSTS)
    archive_before = tree(project / "archive")
    run_night(project, servers, NIGHTS[2], monkeypatch)
    assert tree(project / POSTS) == posts_before
    assert tree(project / "archive") == archive_before  # a night's API copy is never rewritten
    after = tree(project / "public")
    before = seen[NIGHTS[2]]["public"]
    assert set(after) == set(before)
    changed = sorted(name for name in after if after[name] != before[name])
    assert set(changed) <= {"data-status/index.html", "search/search_index.json"}, changed
    for name in after:
        if name.startswith("feed_") or name.startswith("blog/"):
            assert after[name] == before[name], name
    data = tree(project / "data")
    assert {k for k in data if data[k] != seen[NIGHTS[2]]["data"][k]} <= {"manifest.json"}


def test_a_dated_copy_of_the_api_is_kept_each_night(nights, tmp_path: Path):
    """Each night's report keeps the API as known that night (dated by the newest observation
    then, not by the clock), valid against its schema; the build publishes every copy with an
    index, newest first, and ``build --as-of`` publishes no copy of a later night."""
    project, _, _, _ = nights
    schema = Draft202012Validator(json.loads((ROOT / "schemas" / "latest.schema.json").read_text()))
    newest = SEED
    for day, rows in zip(NIGHTS, ({}, QUIET, CRASH), strict=True):
        newest = max([newest, *(when for added in rows.values() for when, _ in added)])
        copy = json.loads((project / "archive" / "api" / day / "latest.json").read_text())
        assert not list(schema.iter_errors(copy)), day
        assert copy["generated"] == f"{newest}T00:00:00Z", (day, copy["generated"])
    site = project / "site" / "api" / "archive"
    for day in NIGHTS:
        kept = project / "archive" / "api" / day / "latest.json"
        assert (site / day / "latest.json").read_bytes() == kept.read_bytes()
    index = json.loads((site / "index.json").read_text())
    assert index["latest"] == NIGHTS[-1]
    assert [n["date"] for n in index["nights"]][: len(NIGHTS)] == list(reversed(NIGHTS))
    # as of the second night, in a copy (its pictures are the second night's: from the cache)
    earlier = shutil.copytree(
        project, tmp_path / "as-of", symlinks=True, ignore=shutil.ignore_patterns("public")
    )
    run_generator(earlier, "build", "--as-of", NIGHTS[1])
    published = earlier / "site" / "api" / "archive"
    assert not (published / NIGHTS[2]).exists()
    assert json.loads((published / "index.json").read_text())["latest"] == NIGHTS[1]
