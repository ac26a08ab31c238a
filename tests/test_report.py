"""The nightly report post: what it says, what it compares with, and that re-running is a no-op.

Reports are generated in-process (``generator.publish.report.report``) in private copies of the
project; the committed seed report is checked, never rewritten.
"""

from __future__ import annotations

import re
import zlib
from datetime import date
from pathlib import Path

import pytest
import yaml

from generator.catalogue.messages import ConfigError
from generator.publish import changes, images
from generator.publish.format import Number
from generator.publish.report import LEAD_MARK, POSTS, report, report_day
from tests.conftest import ROOT, copy_project, load_yaml, run_generator


def front_matter(path: Path) -> dict:
    text = path.read_text()
    assert text.startswith("---\n"), path
    return load_yaml(text.split("---\n")[1])


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project without the committed reports."""
    root = copy_project(tmp_path / "p")
    for path in sorted((root / POSTS).rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    return root


# -- the comparison, on its own --------------------------------------------------------------


def state(day: str, regime: str, **levels: str | None) -> changes.ReportState:
    return changes.ReportState(
        day=date.fromisoformat(day),
        regime=regime,
        score=0.1,
        indicators={
            key: changes.IndicatorState(level, Number(int(day[-2:]) * 100 + i, "bn USD", 0), None)
            for i, (key, level) in enumerate(levels.items())
        },
    )


def test_status_changes_come_first_and_make_an_alert():
    before = state("2026-08-20", "neutral", a="calm", b="calm", c="watch")
    after = state("2026-08-21", "neutral", a="calm", b="stress", c="calm")
    result = changes.compare(before, after, {"b": "Bitcoin"})
    assert [row.id for row in result.rows] == ["b", "c", "a"]
    assert [row.changed for row in result.rows] == [True, True, False]
    assert (str(result.rows[0].then), str(result.rows[0].now)) == ("2,001 bn USD", "2,101 bn USD")
    assert result.alert and not result.regime_changed
    text = changes.summary(result, before, after)
    assert "2 indicators changed status: Bitcoin (calm to stress); c (watch to calm)" in text


def test_regime_change_alone_is_an_alert_and_no_change_is_not():
    before = state("2026-08-20", "neutral", a="calm")
    moved = changes.compare(before, state("2026-08-21", "easing", a="calm"), {})
    assert moved.alert and moved.regime_changed and not moved.status_changes
    still = changes.compare(before, state("2026-08-21", "neutral", a="calm"), {})
    assert not still.alert
    text = changes.summary(still, before, state("2026-08-21", "neutral", a="calm"))
    assert text == (
        "Since the report of 20 Aug 2026, the regime stayed neutral "
        "and no indicator changed status."
    )


def test_first_report_has_nothing_to_compare_and_is_no_alert():
    result = changes.compare(None, state("2026-08-21", "tight", a="stress"), {})
    assert not result.alert and result.previous is None
    assert str(result.rows[0].then) == "n/a"


def test_state_round_trips_through_front_matter_yaml():
    original = changes.ReportState(
        date(2026, 8, 21),
        "neutral",
        -0.4361,
        {"x": changes.IndicatorState(None, Number(None), None)},
    )
    day = date(2026, 8, 20)
    original.indicators["y"] = changes.IndicatorState("calm", Number(-2.04, "bp", 1, day), day)
    dumped = yaml.safe_dump(original.to_meta(), allow_unicode=True)
    back = changes.ReportState.from_meta(original.day, load_yaml(dumped))
    assert back.indicators == original.indicators
    assert (back.regime, back.score) == ("neutral", -0.436)


# -- images -----------------------------------------------------------------------------------


def _pixels(png: bytes) -> bytes:
    data, position, pixels = png, 8, b""
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        if data[position + 4 : position + 8] == b"IDAT":
            pixels += data[position + 8 : position + 8 + length]
        position += 12 + length
    return zlib.decompress(pixels)


def test_chart_png_is_drawn_from_inline_data_and_recompressed_losslessly():
    spec = {
        "data": {"url": "t.csv", "format": {"type": "csv", "parse": {"x": "number"}}},
        "mark": "line",
        "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y"}},
    }
    csv = "x,y\n" + "".join(f"{i},{(i * 7) % 11}\n" for i in range(50))
    inline = images.inline_data(spec, {"t.csv": csv})
    assert isinstance(inline, dict)
    raw = images.vl_convert().vegalite_to_png(inline | {"width": 640})
    png = images.render_png(spec, {"t.csv": csv})
    assert png.startswith(images.PNG_SIGNATURE) and len(png) < len(raw)
    assert _pixels(png) == _pixels(raw)  # same image, smaller file
    with pytest.raises(ValueError, match="t.csv"):
        images.render_png(spec, {})


def test_control_characters_in_chart_text_do_not_crash_the_renderer():
    """vl-convert aborts the process on them, so they are removed before drawing."""
    spec = {
        "data": {"url": "t.csv", "format": {"type": "csv"}},
        "mark": "point",
        "title": "A \x01\x07\x1b\x7f title",
        "encoding": {"x": {"field": "x", "type": "quantitative"}},
    }
    cleaned = images.without_control_characters(images.inline_data(spec, {"t.csv": "x\n1\n"}))
    assert cleaned["title"] == "A  title" and cleaned["data"]["values"] == "x\n1\n"
    assert images.render_png(spec, {"t.csv": "x\n1\n2\n"}).startswith(images.PNG_SIGNATURE)


# -- the command ------------------------------------------------------------------------------


def test_report_writes_one_post_with_image_and_rerun_changes_nothing(project: Path, capsys):
    posts = project / POSTS
    assert report(project, "2026-08-21") == 0
    first = files_under(posts)
    assert sorted(first) == [
        "2026-08-21.md",
        "2026-08-21/regime.dark.png",
        "2026-08-21/regime.narrow.dark.png",
        "2026-08-21/regime.narrow.png",
        "2026-08-21/regime.png",
    ]
    meta = front_matter(posts / "2026-08-21.md")
    assert meta["date"] == date(2026, 8, 21)
    assert meta["image"] == "2026-08-21/regime.png"
    assert meta["title"] == f"21 Aug 2026: regime {meta['report']['regime']}"
    assert "categories" not in meta  # a first report is no alert
    assert set(meta["report"]["indicators"]) >= {"fed-assets", "btc", "sofr-iorb-spread"}
    btc = meta["report"]["indicators"]["btc"]
    # stored as a number: the close of 21 Aug 2026 in the frozen BTC-USD CSV, shown as 78,335
    assert (btc["value"], btc["unit"], btc["decimals"]) == (78335.19, "USD", 0)
    assert str(changes.IndicatorState.from_meta(btc).value) == "78,335 USD"
    # the feed item opens with the lead: the answer, then the regime and what changed
    feed = meta["rss"]["feed_description"]
    assert feed.startswith("<p><strong>") and "</strong></p><p>Regime: " in feed
    text = (posts / "2026-08-21.md").read_text()
    assert LEAD_MARK in text
    # the dark variant is a second Markdown image the stylesheet switches (no theme hook)
    assert re.search(r"\]\(2026-08-21/regime\.png\)\{ \.lw-report-light ", text)
    assert re.search(r'\]\(2026-08-21/regime\.dark\.png\)\{ \.lw-report-dark loading="lazy"', text)
    assert report(project, "2026-08-21") == 0
    assert files_under(posts) == first
    assert "unchanged" in capsys.readouterr().err


def test_a_report_rebuilt_from_a_later_snapshot_with_revisions_has_the_same_bytes(
    project: Path, capsys
):
    """Issue 20: nights later, with new rows and a revised WALCL week (its old value kept in
    the revision file), ``report --date`` rebuilds the night's post byte for byte."""
    from tests.test_fixtures import nightly

    posts = project / POSTS
    assert report(project, "2026-08-21") == 0
    first = files_under(posts)
    walcl = front_matter(posts / "2026-08-21.md")["report"]["indicators"]["fed-assets"]
    nightly(project)  # WALCL 2026-08-19 revised up by 1,000 million on 2026-09-10
    assert report(project, "2026-08-21") == 0
    assert files_under(posts) == first
    assert "unchanged" in capsys.readouterr().err
    # The revised figure does show in a report of a later day.
    assert report(project, "2026-09-10") == 0
    later = front_matter(posts / "2026-09-10.md")["report"]["indicators"]["fed-assets"]
    assert later["value"] != walcl["value"]


def revised_section(post: Path) -> list[str]:
    """The rows of the post's 'Revised since the last report' table ([] when it has none)."""
    text = post.read_text()
    if "## Revised since the last report" not in text:
        return []
    section = text.split("## Revised since the last report\n\n")[1].split("\n\n")[0]
    return section.splitlines()[2:]


def test_the_nights_revisions_that_move_an_indicator_are_listed(project: Path):
    """Issue 20: the WALCL week revised on 10 Sep 2026 is listed in that night's report with
    its old and new values and the indicator it moves; the 21 Aug report, with no revision
    seen since, prints no section."""
    from tests.test_fixtures import nightly

    posts = project / POSTS
    assert report(project, "2026-08-21") == 0
    assert revised_section(posts / "2026-08-21.md") == []
    assert "Revised since" not in (posts / "2026-08-21.md").read_text()
    nightly(project)
    assert report(project, "2026-09-10") == 0
    assert revised_section(posts / "2026-09-10.md") == [
        "| WALCL | 19 Aug 2026 | 6,745,699 | 6,746,699 | 10 Sep 2026 "
        "| Net liquidity: value moved, still stress |"
    ]
    # The next night saw no revision: nothing is printed.
    assert report(project, "2026-09-11") == 0
    assert revised_section(posts / "2026-09-11.md") == []


def test_revised_values_of_series_not_to_be_redistributed_are_withheld(project: Path):
    """SP500's last close revised down a fifth: the row names the series, its date and what it
    moves, never the values (redistribute: false), as on the revision page."""
    from generator.snapshot.store import Store
    from generator.snapshot.vintages import Revision, revisions_to_csv

    store = Store(project / "data")
    sp500 = store.load("market", "SP500")
    old = float(sp500.iloc[-1])
    sp500.iloc[-1] = old * 0.8
    store.write("market", "SP500", sp500)
    row = Revision(date(2026, 8, 21), old, date(2026, 8, 21), date(2026, 8, 22), "seen")
    (project / "data/series/market/SP500.revisions.csv").write_bytes(revisions_to_csv([row]))
    assert report(project, "2026-08-21") == 0
    assert revised_section(project / POSTS / "2026-08-21.md") == []  # not seen yet on the 21st
    assert report(project, "2026-08-22") == 0
    rows = revised_section(project / POSTS / "2026-08-22.md")
    assert len(rows) == 1 and rows[0].startswith(
        "| SP500 | 21 Aug 2026 | withheld | withheld | 22 Aug 2026 | "
    ), rows
    assert "7,674" not in rows[0] and "6,139" not in rows[0]


def test_the_committed_post_of_21_aug_2026_is_reproduced_from_a_later_snapshot(tmp_path: Path):
    """The seed report's numbers (regime, score, each indicator's level, value and date, as
    stored in its front matter) come back from a snapshot with later rows and a revised week.
    Its wording is today's templates' (the post does not record the configuration it was made
    with), so the text is not compared."""
    from tests.test_fixtures import nightly

    root = copy_project(tmp_path / "p")
    post = root / POSTS / "2026-08-21.md"
    committed = front_matter(post)["report"]
    nightly(root)
    assert report(root, "2026-08-21") == 0
    rebuilt = front_matter(post)["report"]
    # The committed post stores values as displayed text, a new one as numbers: compared as
    # read, each value as printed.
    for block in (committed, rebuilt):
        block["indicators"] = {
            key: (s.level, str(s.value), s.as_of)
            for key, s in changes.ReportState.from_meta(date(2026, 8, 21), block).indicators.items()
        }
    # Issue 19 redefined two indicators after the post was written: fed-bills reads reserve
    # management purchases per Desk period (was all bills bought per calendar month) and the
    # reserves status reads the 26-week change in ordinary weekly moves (was the 13-week
    # change). Their numbers are not the post's by design; every other number comes back.
    redefined = {"fed-bills", "reserves"}
    for name in redefined:
        assert rebuilt["indicators"].pop(name) != committed["indicators"].pop(name), name
    # Issue 22 added indicators after the post was written: they are new, not changed.
    added = set(rebuilt["indicators"]) - set(committed["indicators"])
    assert added == {
        "srf-usage",
        "sofr-tail",
        "tga-daily",
        "bill-issuance",
        "central-banks-usd",
        "central-bank-breadth",
        "m2",
        "stablecoins",
    }
    for name in added:
        rebuilt["indicators"].pop(name)
    assert rebuilt == committed


def test_a_new_post_records_the_configuration_it_was_made_with(project: Path):
    """Issue 20: the sha256 of indicators.yml and events.yml as read; the commit that last
    touched them is null outside a git repository (the report is still written)."""
    import hashlib

    assert report(project, "2026-08-21") == 0
    made = front_matter(project / POSTS / "2026-08-21.md")["config"]
    for name in ("indicators.yml", "events.yml"):
        digest = hashlib.sha256((project / name).read_bytes()).hexdigest()
        assert made[name.replace(".yml", "_sha256")] == digest
    assert made["commit"] is None


def test_a_post_names_the_commit_that_last_touched_the_configuration(project: Path):
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=project,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    git("init", "-q")
    git("add", "indicators.yml", "events.yml")
    git("commit", "-q", "-m", "config")
    config_commit = git("rev-parse", "HEAD")
    git("add", "templates")
    git("commit", "-q", "-m", "not the config")
    assert report(project, "2026-08-21") == 0
    made = front_matter(project / POSTS / "2026-08-21.md")["config"]
    assert made["commit"] == config_commit != git("rev-parse", "HEAD")


def test_a_post_written_before_posts_recorded_their_configuration_gets_none(project: Path):
    """The committed seed post has no 'config:' block; re-running its night adds none, and
    a post that has one is rewritten with the same bytes."""
    posts = project / POSTS
    assert report(project, "2026-08-21") == 0
    post = posts / "2026-08-21.md"
    text = post.read_text()
    start = text.index("\nconfig:\n")
    end = text.index("\n---\n", start)
    post.write_text(text[:start] + text[end:])
    assert report(project, "2026-08-21") == 0
    assert "config" not in front_matter(post)
    assert "\nconfig:\n" not in (ROOT / POSTS / "2026-08-21.md").read_text()


def test_report_uses_only_what_was_known_on_its_date(project: Path):
    report(project, "2026-08-20")
    indicators = front_matter(project / POSTS / "2026-08-20.md")["report"]["indicators"]
    # 73,033 USD is 41% below the peak (stress); a day later 78,335 USD is 37% below it (calm).
    btc = indicators["btc"]
    assert (btc["level"], btc["as_of"]) == ("stress", date(2026, 8, 20))
    assert str(changes.IndicatorState.from_meta(btc).value) == "73,033 USD"


def test_report_compares_with_what_the_previous_post_showed(project: Path):
    """The 'then' column comes from the previous post, even when the data was revised since;
    a status that differs from the stored one puts the report in the Alerts category."""
    posts = project / POSTS
    report(project, "2026-08-20")
    earlier = posts / "2026-08-20.md"
    text = earlier.read_text()
    stored = r"(  btc:\n      level: )stress\n      value: [^\n]+"
    text, edits = re.subn(stored, r"\1watch\n      value: 70000.4", text)
    assert edits == 1
    earlier.write_text(text)
    report(project, "2026-08-21")
    post = (posts / "2026-08-21.md").read_text()
    meta = front_matter(posts / "2026-08-21.md")
    assert meta["categories"] == ["Alerts"]
    changed = meta["title"].split(", ")[-1]
    assert re.fullmatch(r"\d+ status changes?", changed), meta["title"]
    table = post[post.index("## What changed since 20 Aug 2026") :].split("\n\n")[1].splitlines()
    rows = table[2:]
    assert "| Bitcoin | 70,000 USD | 78,335 USD | 21 Aug 2026 | **watch → calm** |" in rows
    flagged = [row.endswith("** |") for row in rows]
    assert flagged == sorted(flagged, reverse=True)  # status changes first
    assert "Bitcoin (watch to calm)" in meta["rss"]["feed_description"]
    pictures = sorted(p.name for p in (posts / "2026-08-21").iterdir())
    assert {"btc.png", "btc.dark.png", "regime.png", "regime.dark.png"} <= set(pictures)


def test_new_report_images_are_2x_with_a_dark_variant_shown_at_css_size(project: Path):
    """Twice the pixels, shown at the 1x size (so phones get readable axis text), and a dark
    variant drawn by vl-convert's dark theme, darker on average than the light image."""
    report(project, "2026-08-21")
    folder = project / POSTS / "2026-08-21"
    light, dark = (folder / "regime.png").read_bytes(), (folder / "regime.dark.png").read_bytes()
    width, height = images.png_size(light)
    assert width >= 2 * images.WIDTH and images.png_size(dark) == (width, height)  # + axes
    post = (project / POSTS / "2026-08-21.md").read_text()
    size = f'width="{width // 2}" height="{height // 2}"'
    assert f'(2026-08-21/regime.png){{ .lw-report-light loading="lazy" {size} }}' in post
    assert f'(2026-08-21/regime.dark.png){{ .lw-report-dark loading="lazy" {size} }}' in post
    # the phone drawings, 2x, shown at half their pixels, one class each for the stylesheet
    for suffix, kind in ((".narrow", "light"), (".narrow.dark", "dark")):
        w, h = images.png_size((folder / f"regime{suffix}.png").read_bytes())
        line = f'(2026-08-21/regime{suffix}.png){{ .lw-report-narrow-{kind} loading="lazy" '
        assert f'{line}width="{w // 2}" height="{h // 2}" }}' in post, suffix
    assert _pixels(light) != _pixels(dark)
    assert len(light) < 120_000 and len(dark) < 120_000  # recompressed, still small


def test_rerunning_an_old_post_keeps_its_1x_light_image_and_adds_its_variants(project: Path):
    """A post written before 2x images existed is re-run in the same format: its light image
    stays 1x and its Markdown has no size attributes; beside it, a dark drawing of the same
    size and phone drawings (images.NARROW CSS px wide, 2x), so it is no white block in dark
    mode and its axis text is readable on a phone (issue 23)."""
    report(project, "2026-08-21")
    folder = project / POSTS / "2026-08-21"
    light = folder / "regime.png"
    light.write_bytes(images.render_png({"mark": "point"}, {}, 1))  # a 1x post's image
    report(project, "2026-08-21")
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "regime.dark.png",
        "regime.narrow.dark.png",
        "regime.narrow.png",
        "regime.png",
    ], names
    width, height = images.png_size(light.read_bytes())
    assert width < 2 * images.WIDTH
    assert images.png_size((folder / "regime.dark.png").read_bytes()) == (width, height)
    narrow = images.png_size((folder / "regime.narrow.png").read_bytes())
    # twice the pixels of a drawing that fits a 390 px phone's column (358 px)
    assert 2 * images.NARROW <= narrow[0] <= 2 * 358, narrow
    assert "{ width=" not in (project / POSTS / "2026-08-21.md").read_text()
    assert _pixels(light.read_bytes()) != _pixels((folder / "regime.dark.png").read_bytes())


def test_the_seed_post_has_its_dark_and_phone_pictures():
    """Committed beside the seed post by tools/post_pictures.py; its words and light image
    unchanged."""
    folder = ROOT / POSTS / "2026-08-21"
    light = images.png_size((folder / "regime.png").read_bytes())
    assert images.png_size((folder / "regime.dark.png").read_bytes()) == light
    for name in ("regime.narrow.png", "regime.narrow.dark.png"):
        width, _ = images.png_size((folder / name).read_bytes())
        assert 2 * images.NARROW <= width <= 2 * 358, (name, width)


def test_later_posts_are_not_the_previous_one(project: Path):
    report(project, "2026-08-21")
    report(project, "2026-08-19")
    post = (project / POSTS / "2026-08-19.md").read_text()
    assert "This is the first report" in post


@pytest.mark.parametrize(
    ("value", "message"),
    [("21-08-2026", "is not a date written YYYY-MM-DD"), ("2999-01-01", "is in the future")],
)
def test_bad_dates_are_refused(value: str, message: str):
    with pytest.raises(ConfigError, match=message):
        report_day(value)


def test_bad_date_exits_2_without_writing(project: Path):
    result = run_generator(project, "report", "--date", "2026-02-30", check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'2026-02-30' is not a date written YYYY-MM-DD" in result.stderr
    assert not any((project / POSTS).glob("*.md"))


# -- the committed archive and the home page ---------------------------------------------------


def test_committed_reports_are_valid_posts_with_their_images():
    posts = sorted((ROOT / POSTS).glob("*.md"))
    assert posts, "the seed report is missing: run `python -m generator report --date 2026-08-21`"
    for path in posts:
        meta = front_matter(path)
        assert meta["date"] == date.fromisoformat(path.stem)
        assert (path.parent / meta["image"]).is_file()
        assert meta["report"]["regime"] in {"tight", "neutral", "easing"}


def test_home_page_links_the_latest_report(built_project: Path):
    newest = sorted((built_project / POSTS).glob("*.md"))[-1]
    home = (built_project / "site" / "index.md").read_text()
    assert f"**Latest report:** [{front_matter(newest)['title']}](blog/posts/{newest.name})" in home
    assert (built_project / "public" / "blog" / "index.html").exists()


def test_report_pages_show_their_images_and_load_nothing_foreign(
    built_project: Path, server: str, tabs
):
    """The newest report and the archive in Chromium: every image shown is decoded (a post
    names four drawings and the stylesheet shows the one for the screen and scheme; the
    hidden ones are lazy and never fetched), nothing from another host, no console error.
    The newest of the served site's posts (the live repository's newest, a night's post the
    frozen fixture lacks, was looked for here)."""
    newest = sorted((built_project / POSTS).glob("*.md"))[-1].stem
    tab, watch = tabs.open(1280, 720)
    shown = {}
    for path in (f"blog/{newest.replace('-', '/')}/", "blog/"):
        tab.goto(f"{server}{path}", wait_until="load")
        # A shown image is lazy too: it may still be loading at "load" (found in a warm tab,
        # where the page's own scripts are done sooner). Broken, it is complete with width 0.
        tab.wait_for_function(
            "() => [...document.querySelectorAll('article img')]"
            ".filter(n => n.offsetParent !== null).every(n => n.complete)"
        )
        shown[path] = tab.eval_on_selector_all(
            "article img",
            "nodes => nodes.filter(n => n.offsetParent !== null)"
            ".map(n => n.complete && n.naturalWidth)",
        )
    assert all(shown.values()) and all(width > 300 for widths in shown.values() for width in widths)
    assert not watch.errors, watch.errors
    assert not watch.foreign, watch.foreign


# The seed post's drawings in a browser, by screen and scheme, toggle included:
# tests/test_postbuild.py (test_the_seed_post_shows_one_drawing_for_the_screen_and_scheme).
