"""Runs that collide or cannot write (issue 15): the data lock, the write transaction, a full or
read-only disk, and ``report`` dates and earlier posts that used to be misread.

Every case asserts the exit code, the message, and the snapshot bytes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.catalogue.messages import ConfigError
from generator.publish.report import POSTS, previous_state, report_day
from generator.snapshot.lock import LockHeld, exclusive
from tests.conftest import FIXTURE, ROOT
from tests.fakes.harness import (
    data_files,
    environment,
    run_update,
)

SOFR_NEW = [("2026-08-21", "3.64"), ("2026-08-24", "3.65")]


# -- the lock ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["update", "report"])
def test_a_second_run_while_the_lock_is_held_exits_2_and_changes_nothing(project, servers, command):
    """Found: two updates at once both exited 0 and the manifest lost one run's entry."""
    servers.fred.add("SOFR", *SOFR_NEW)
    before = data_files(project)
    with exclusive(project / "data", "test"):
        args = ("--only", "SOFR") if command == "update" else ("--date", "2026-08-21")
        run = run_update(project, environment(servers), *args, command_name=command)
    assert run.returncode == 2, run.output
    assert (
        f"error: {project / 'data' / '.lock'} is held by another `update`, `report` or `build` "
        f"run; `{command}` did nothing. Wait for it to finish and run again"
    ) in run.stderr
    assert data_files(project) == before
    assert servers.requests() == 0
    assert not (project / POSTS).exists() or not any((project / POSTS).glob("*.md"))


def test_the_lock_is_released_when_the_holder_ends(project):
    with exclusive(project / "data", "first"):
        with pytest.raises(LockHeld):
            with exclusive(project / "data", "second"):
                pass
    with exclusive(project / "data", "third"):
        pass


# -- full and read-only disks -----------------------------------------------------------------


def test_a_full_disk_while_staging_changes_nothing_and_exits_4(project, servers):
    """Found: a full disk ended in a traceback and exit 1, which the README did not list."""
    servers.fred.add("SOFR", *SOFR_NEW)
    before = data_files(project)
    run = run_update(project, environment(servers), "--only", "SOFR", kill="disk-full")
    assert run.returncode == 4, run.output
    assert "Traceback" not in run.output
    assert (
        "error: cannot write data/ (no space left on device); nothing was changed: free space "
        "or make it writable and run update again"
    ) in run.stderr
    assert data_files(project) == before  # manifest included, no temp file left


def test_a_read_only_data_folder_exits_4_before_any_request(project, servers):
    before = data_files(project)
    run = run_update(project, environment(servers), "--only", "SOFR", kill="read-only")
    assert run.returncode == 4, run.output
    assert "Traceback" not in run.output
    assert "cannot create the lock file (read-only file system); `update` needs to write data/" in (
        run.stderr
    )
    assert data_files(project) == before
    assert servers.requests() == 0


# -- report dates and earlier posts -----------------------------------------------------------


@pytest.mark.parametrize("value", ["2026-W01-1", "20260101", "2026-001", "2026-08-21T00:00"])
def test_report_dates_must_be_written_yyyy_mm_dd(value):
    """Found: ``--date 2026-W01-1`` was accepted as 2025-12-29."""
    with pytest.raises(ConfigError, match=f"--date: '{value}' is not a date written YYYY-MM-DD"):
        report_day(value)


def test_a_report_before_the_first_observation_is_refused(project, servers):
    """Found: ``--date`` before all data wrote an empty post."""
    shutil.copy2(FIXTURE / "events.yml", project / "events.yml")
    run = run_update(project, environment(servers), "--date", "1900-01-02", command_name="report")
    assert run.returncode == 2, run.output
    assert "error: --date: 1900-01-02 is before the first observation (" in run.stderr
    assert not (project / POSTS).exists()


@pytest.mark.parametrize(
    ("front", "fragment"),
    [
        ("report: many\n", "the previous report's 'report:' block is not a mapping"),
        ("report: {indicators: [1, 2]}\n", "the previous report's 'report:' block is not a"),
        ("report: {indicators: {btc: 7}}\n", "the previous report's 'report:' block cannot be"),
        ("report: [unclosed\n", "the previous report's front matter is not valid YAML"),
    ],
)
def test_a_malformed_earlier_post_is_named(tmp_path, front, fragment):
    """Found: a previous post with a malformed ``report:`` block gave a traceback."""
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2026-08-20.md").write_text(f"---\ntitle: x\n{front}---\n\nText\n")
    (posts / "2026-08-22.md").write_text("---\nreport: many\n---\n")  # later: never read
    (posts / "2026-W01-1.md").write_text("---\nreport: many\n---\n")  # not a dated post
    with pytest.raises(ConfigError) as caught:
        previous_state(posts, report_day("2026-08-21"))
    message = str(caught.value)
    assert message.startswith(str(posts / "2026-08-20.md")) or "2026-08-20.md:" in message
    assert fragment in message


# -- a build that crashes halfway ------------------------------------------------------------


def site_files(root: Path) -> dict[str, bytes]:
    site = root / "site"
    return {
        str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()
    }


def test_a_build_that_crashes_halfway_leaves_the_last_good_pages(tmp_path, monkeypatch):
    """Found: a crash after some files were written left site/ with a chart at 9,999 bn beside
    a home card at 6,746 bn, and `mkdocs build --strict` published it."""
    from generator import build as build_module
    from tests.conftest import copy_project

    root = copy_project(tmp_path / "p")
    build_module.build(root, quiet=True)
    good = site_files(root)
    walcl = root / "data" / "series" / "fred" / "WALCL.csv"
    lines = walcl.read_text().splitlines()
    lines[-1] = lines[-1].split(",")[0] + ",9999000"
    walcl.write_text("\n".join(lines) + "\n")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("crash after the charts and the home page were made")

    with monkeypatch.context() as patched:
        patched.setattr("generator.publish.pages.scorecard_page", crash)
        with pytest.raises(RuntimeError):
            build_module.build(root, quiet=True)
    assert site_files(root) == good
    build_module.build(root, quiet=True)
    rebuilt = site_files(root)
    assert rebuilt["data/fed-assets.csv"] != good["data/fed-assets.csv"]
    assert rebuilt["index.md"] != good["index.md"]
    assert not (root / ".cache" / "site-staging").exists()


# -- one writer at a time: build (issue 25, class 5) -------------------------------------------


def generated_files(root: Path) -> set[str]:
    site = root / "site"
    return {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()}


def test_a_build_while_the_lock_is_held_exits_2_and_writes_nothing(tmp_path):
    """Found: `build` took no lock, so a build during an update published new CSVs beside the
    old manifest's data status, and two builds shared one staging folder."""
    from tests.conftest import copy_project, run_generator

    root = copy_project(tmp_path / "p")
    before = generated_files(root)
    with exclusive(root / "data", "test"):
        run = run_generator(root, "build", check=False)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "is held by another `update`, `report` or `build` run; `build` did nothing" in (
        run.stderr
    )
    assert generated_files(root) == before
    assert not (root / ".cache" / "site-staging").exists()


def test_two_builds_started_together_never_leave_fewer_files_than_one(tmp_path):
    """Found: in 3 of 23 overlapping pairs both exited 0 and site/ lost 18 to 131 files.

    Two processes of their own, forked together (tests/forked.py) rather than two new
    interpreters: they overlap from their first line instead of after seconds of imports that
    may not end together, and neither pays those imports."""
    import os

    from tests import forked
    from tests.conftest import copy_project, run_generator

    root = copy_project(tmp_path / "p")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = ["--root", str(root), "build"]
    pair = forked.run_together([argv, argv], env, root, timeout=600)
    codes = sorted(done.returncode for done in pair)
    assert codes in ([0, 0], [0, 2]), codes  # the second waits its turn or is told to
    together = generated_files(root)
    run_generator(root, "build")  # one build alone
    assert together == generated_files(root)
    assert "data/fed-assets.csv" in together and "index.md" in together


def test_temp_files_of_a_killed_run_are_reported_ignored_and_cleaned(tmp_path):
    import subprocess

    from tests.conftest import copy_project, run_generator

    root = copy_project(tmp_path / "p")
    stray = root / "data" / "series" / "fred" / ".SOFR.csv.k1ll3d.tmp"
    stray.write_text("date,value\n2026-08-20,")
    site_stray = root / "site" / ".index.md.k1ll3d.tmp"
    site_stray.write_text("half a page")
    run = run_generator(root, "check", check=False)
    assert "data/series/fred/.SOFR.csv.k1ll3d.tmp: a temp file left by a killed run" in run.stderr
    assert "site/.index.md.k1ll3d.tmp" in run.stderr
    run_generator(root, "build")
    assert stray.exists() and not site_stray.exists()  # build cleans site/, update data/
    for path in ("data/series/fred/.SOFR.csv.k1ll3d.tmp", "public.new/index.html"):
        ignored = subprocess.run(
            ["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, check=False
        )
        assert ignored.returncode == 0, f"{path} is not ignored by git"


# -- a fork without the FRED key ----------------------------------------------------------------


def test_keyless_update_refreshes_the_other_sources_and_leaves_fred_alone(project, servers):
    """Found: without FRED_API_KEY `update` exited 2 and nothing was updated or published,
    although the keyless sources could still update. The nightly job now runs --keyless."""
    servers.crypto.add("BTC-USD", ("2026-08-22", "70000"))
    before = data_files(project)
    run = run_update(project, environment(servers, key=None), "--keyless")
    assert run.returncode == 0, run.output
    assert len(servers.fred.log) == 0
    after = data_files(project)
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert "series/crypto/BTC-USD.csv" in changed and "manifest.json" in changed
    assert not [name for name in changed if name.startswith("series/fred/")]
    assert "FRED_API_KEY" not in run.output


def test_the_readme_lists_exactly_the_exit_codes_the_code_uses():
    import re

    from generator import cli
    from generator.fetch import update

    text = (ROOT / "README.md").read_text()
    table = text[text.index("| Exit code | Meaning | Snapshot |") :].split("\n\n")[0]
    listed = {int(code) for code in re.findall(r"^\| (\d) \|", table, re.MULTILINE)}
    used = {cli.EXIT_OK, cli.EXIT_USER_ERROR, cli.EXIT_WRITE, update.EXIT_PARTIAL}
    assert listed == used == {0, 2, 3, 4}
    assert update.EXIT_CONFIG == cli.EXIT_USER_ERROR


def test_a_full_disk_during_build_exits_4_with_the_reason(tmp_path, monkeypatch, capsys):
    import errno

    from generator import cli
    from generator.publish import render

    def full(*args: object, **kwargs: object) -> bool:
        raise OSError(errno.ENOSPC, "No space left on device", "site/index.md")

    from tests.conftest import copy_project

    root = copy_project(tmp_path / "p")
    monkeypatch.setattr("generator.outputs.write_text", full)  # where the pages are written
    assert render.write_text is not full
    code = cli.main(["--root", str(root), "build"])
    assert code == 4
    assert "error: cannot write site/index.md (no space left on device)" in capsys.readouterr().err
