"""The GitHub workflows: linted with actionlint, checked for the hardening rules, and their two
shell steps that decide what gets published run here for real (with a stub generator and local
git repositories), because a typo there would only show up on the first night in production.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from tests.conftest import FIXTURE, ROOT, load_yaml

WORKFLOWS = ROOT / ".github" / "workflows"
NIGHTLY = WORKFLOWS / "nightly.yml"
CI = WORKFLOWS / "ci.yml"
RELEASES = WORKFLOWS / "releases.yml"  # the timed updates (issue 21)
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+?)(?:\s+#\s*(.*))?$", re.MULTILINE)
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION = re.compile(r"^v\d+\.\d+\.\d+$")


def load(path: Path) -> dict:
    workflow = load_yaml(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def steps(workflow: dict) -> list[tuple[str, dict]]:
    return [(job, step) for job, spec in workflow["jobs"].items() for step in spec["steps"]]


def step_running(workflow: dict, command: str) -> dict:
    (step,) = [s for _, s in steps(workflow) if command in s.get("run", "")]
    return step


def run_script(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A `run:` block as Actions runs it: bash -e with GITHUB_OUTPUT and a step summary."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


# -- lint and hardening ----------------------------------------------------------------------


def test_actionlint_finds_nothing():
    actionlint = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert actionlint, "actionlint is missing: run `make test` (it installs the test extra)"
    result = subprocess.run(
        [actionlint, "-no-color", "-oneline", str(NIGHTLY), str(CI), str(RELEASES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", [NIGHTLY, CI, RELEASES], ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path):
    found = USES.findall(path.read_text())
    assert found, path
    for ref, comment in found:
        assert PINNED.match(ref), f"{path.name}: {ref} is not pinned to a full commit SHA"
        assert VERSION.match(comment or ""), f"{path.name}: {ref} lacks a '# vX.Y.Z' comment"


@pytest.mark.parametrize("path", [NIGHTLY, CI, RELEASES], ids=lambda p: p.name)
def test_read_only_token_by_default_and_bounded_jobs(path: Path):
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["group"]
    for name, job in workflow["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 30, name
        for scope, level in (job.get("permissions") or {}).items():
            assert level in {"read", "write", "none"}, (name, scope)


def test_nightly_grants_each_write_to_the_one_job_that_needs_it():
    jobs = load(NIGHTLY)["jobs"]
    assert jobs["preflight"]["permissions"] == {"pages": "read"}
    assert jobs["update"]["permissions"] == {"contents": "write"}
    assert jobs["update"]["environment"] == "fred"  # the key is a secret of that environment
    assert "permissions" not in jobs["build"]  # builds with the read-only default
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    assert load(NIGHTLY)["concurrency"] == {"group": "nightly-publish", "cancel-in-progress": False}


def test_no_expression_is_pasted_into_a_shell_script():
    """Values reach scripts through env:, never as ${{ }} text (script injection)."""
    for path in (NIGHTLY, CI, RELEASES):
        for job, step in steps(load(path)):
            assert "${{" not in step.get("run", ""), f"{path.name} {job}: {step.get('name')}"
        assert "github.event." not in path.read_text()


def test_fred_key_reaches_only_the_update_step_and_ci_has_no_secrets():
    workflow = load(NIGHTLY)
    holders = [s for _, s in steps(workflow) if "FRED_API_KEY" in str(s)]
    assert len(holders) == 1 and "generator update" in holders[0]["run"]
    assert holders[0]["env"] == {"FRED_API_KEY": "${{ secrets.FRED_API_KEY }}"}
    assert "env" not in workflow and all("env" not in job for job in workflow["jobs"].values())
    assert NIGHTLY.read_text().count("secrets.") == 1
    assert "secrets." not in CI.read_text() and "FRED_API_KEY" not in CI.read_text()


def test_the_timed_updates_hold_the_fred_key_in_their_update_step_only():
    workflow = load(RELEASES)
    holders = [s for _, s in steps(workflow) if "FRED_API_KEY" in str(s)]
    assert len(holders) == 1 and "generator update" in holders[0]["run"]
    assert "--due" in holders[0]["run"]
    assert holders[0]["env"] == {"FRED_API_KEY": "${{ secrets.FRED_API_KEY }}"}
    assert RELEASES.read_text().count("secrets.") == 1
    jobs = workflow["jobs"]
    assert jobs["update"]["environment"] == "fred"
    assert jobs["update"]["permissions"] == {"contents": "write"}
    assert jobs["keepalive"]["permissions"] == {"actions": "write"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert "permissions" not in jobs["build"]
    holders = [n for n, job in jobs.items() if "actions" in (job.get("permissions") or {})]
    assert holders == ["keepalive"]


def test_the_timed_updates_share_the_nightly_concurrency_group():
    assert load(RELEASES)["concurrency"] == load(NIGHTLY)["concurrency"]


def test_the_timed_updates_build_and_deploy_only_when_a_csv_changed():
    jobs = load(RELEASES)["jobs"]
    changed = "needs.update.outputs.changed == 'true'"
    assert jobs["preflight"]["if"] == changed and jobs["build"]["if"] == changed
    assert jobs["deploy"]["needs"] == "build"
    assert jobs["build"]["steps"][0]["with"]["ref"] == "${{ needs.update.outputs.sha }}"
    assert jobs["update"]["outputs"]["changed"] == "${{ steps.commit.outputs.changed }}"


def cron_instants(expression: str, day: date) -> list[datetime]:
    minute, hours, _, _, dows = expression.split()
    allowed = set(range(7))
    if dows != "*":
        low, _, high = dows.partition("-")
        allowed = set(range(int(low), int(high or low) + 1))
    if day.isoweekday() % 7 not in allowed:
        return []
    return [datetime.combine(day, time(int(h), int(minute)), tzinfo=UTC) for h in hours.split(",")]


def test_each_release_has_a_timed_group_soon_after_it_in_summer_and_winter():
    """For every release in the catalogue and every occurrence of two months (January: New
    York on UTC-5; July: UTC-4), a cron line fires after the release is out (``SETTLE``) and
    within 20 minutes of its official time; none on the hour or the half hour."""
    from generator.catalogue.load import load_config
    from generator.fetch.due import SETTLE
    from generator.snapshot.releases import load_schedule

    crons = [entry["cron"] for entry in load(RELEASES)["on"]["schedule"]]
    assert all(int(c.split()[0]) not in (0, 30) for c in crons)
    config = load_config(FIXTURE / "indicators.yml")  # the frozen copy of the catalogue
    schedule = load_schedule(config, FIXTURE / "data")
    for release_id in config.releases:
        for first, last in (
            (date(2026, 1, 5), date(2026, 1, 30)),
            (date(2026, 7, 6), date(2026, 7, 31)),
        ):
            for occurrence in schedule.occurrences(release_id, first, last):
                out = occurrence.at + SETTLE
                fires = [
                    t
                    for c in crons
                    for d in (out.date(), out.date() + timedelta(days=1))
                    for t in cron_instants(c, d)
                    if t >= out
                ]
                assert fires, (release_id, occurrence.at)
                assert min(fires) - occurrence.at <= timedelta(minutes=20), (release_id, occurrence)


def test_the_timed_updates_keep_both_scheduled_workflows_enabled(tmp_path: Path):
    (step,) = load(RELEASES)["jobs"]["keepalive"]["steps"]
    assert step["env"] == {"GH_TOKEN": "${{ github.token }}", "REPO": "${{ github.repository }}"}
    stub = tmp_path / "bin" / "gh"
    stub.parent.mkdir()
    stub.write_text('#!/bin/sh\necho "gh $*"\n')
    stub.chmod(0o755)
    env = {"PATH": f"{stub.parent}:{os.environ['PATH']}", "REPO": "me/fork", "FORCE_KEEPALIVE": "1"}
    result = run_script(step["run"], tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert "gh workflow enable releases.yml --repo me/fork" in result.stdout
    assert "gh workflow enable nightly.yml --repo me/fork" in result.stdout


def test_nightly_runs_off_the_hour_and_by_hand():
    triggers = load(NIGHTLY)["on"]
    (schedule,) = triggers["schedule"]
    minute = schedule["cron"].split()[0]
    assert minute.isdigit() and int(minute) not in (0, 30)
    assert "workflow_dispatch" in triggers


def test_nightly_steps_in_order():
    workflow = load(NIGHTLY)
    flat = [s.get("uses", "").split("@")[0] or s["run"].strip() for _, s in steps(workflow)]
    expected = [
        "actions/checkout",
        "actions/configure-pages",
        "example\\.org",
        "actions/checkout",
        "actions/setup-python",
        "make .venv/.runtime",
        "generator update",
        "generator report",
        "git status --porcelain",
        "actions/checkout",
        "actions/setup-python",
        "make site",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ]
    assert len(flat) == len(expected)
    for got, want in zip(flat, expected, strict=True):
        assert want in got, (want, got)
    for _, step in steps(workflow):
        if step.get("uses", "").startswith("actions/setup-python"):
            assert step["with"]["cache"] == "pip"
    build = workflow["jobs"]["build"]
    assert workflow["jobs"]["update"]["needs"] == "preflight"
    assert (
        build["needs"] == ["preflight", "update"] and workflow["jobs"]["deploy"]["needs"] == "build"
    )
    assert build["steps"][0]["with"]["ref"] == "${{ needs.update.outputs.sha }}"


def test_update_step_runs_what_make_update_runs():
    recipe = re.search(r"^update:.*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    command = recipe[1].replace("$(BIN)", ".venv/bin")
    assert command in step_running(load(NIGHTLY), "generator update")["run"]


def test_update_stops_fetching_well_inside_the_jobs_time_limit():
    """A job cancelled at its limit publishes nothing: `--deadline` must leave the report,
    the commit and the build their time (at least a third of the job's limit)."""
    workflow = load(NIGHTLY)
    (job,) = [
        j
        for j, s in workflow["jobs"].items()
        if any("generator update" in x.get("run", "") for x in s["steps"])
    ]
    limit = workflow["jobs"][job]["timeout-minutes"] * 60
    found = re.search(r"--deadline (\d+)", step_running(workflow, "generator update")["run"])
    assert found, "the nightly update runs without --deadline"
    assert 0 < int(found[1]) <= limit * 2 / 3


def test_ci_runs_make_test_without_secrets():
    workflow = load(CI)
    assert {"push", "pull_request"} <= set(workflow["on"])
    assert "make test" in [s.get("run", "").strip() for _, s in steps(workflow)]


def test_dependabot_watches_pip_and_actions():
    config = load_yaml((ROOT / ".github" / "dependabot.yml").read_text())
    assert config["version"] == 2
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(ecosystems) == {"pip", "github-actions"}
    assert all(u["directory"] == "/" for u in ecosystems.values())


# -- the update step: exit 3 publishes, exit 2 stops ---------------------------------------------


@pytest.mark.parametrize(("code", "fails"), [(0, False), (3, False), (2, True), (1, True)])
@pytest.mark.parametrize("key", ["k" * 32, ""])
def test_update_step_publishes_after_stale_series_and_stops_on_errors(
    tmp_path: Path, code: int, fails: bool, key: str
):
    stub = tmp_path / ".venv" / "bin" / "python"
    stub.parent.mkdir(parents=True)
    stub.write_text(f'#!/bin/sh\necho "stub $*"\nexit {code}\n')
    stub.chmod(0o755)
    output, summary = tmp_path / "output", tmp_path / "summary"
    env = {"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary), "FRED_API_KEY": key}
    step = step_running(load(NIGHTLY), "generator update")
    result = run_script(step["run"], tmp_path, env)
    assert "stub -m generator update" in result.stdout
    if key:
        assert (
            "--keyless" not in result.stdout and "::warning title=No FRED key" not in result.stdout
        )
    else:  # a fork without the key: the keyless sources update, with a warning on the run
        assert "stub -m generator update --keyless" in result.stdout
        assert "::warning title=No FRED key::FRED_API_KEY is not set" in result.stdout
    assert (result.returncode != 0) is fails, result.stdout + result.stderr
    assert output.read_text() == f"exit={code}\n"
    if code == 3:
        assert "::warning" in result.stdout and "stale" in summary.read_text()
    if fails:
        assert f"::error title=Update failed::generator update exited {code}" in result.stdout


# -- the preflight: Pages and the site address, before any commit ------------------------------


@pytest.mark.parametrize(
    ("pages_url", "placeholder", "url"),
    [
        ("https://me.github.io/fork", True, "https://me.github.io/fork/"),
        ("https://me.github.io/fork/", False, "https://me.github.io/fork/"),
        ("", False, ""),
        ("", True, None),
    ],
)
def test_preflight_takes_the_address_from_pages_or_fails_on_the_placeholder(
    tmp_path: Path, pages_url: str, placeholder: bool, url: str | None
):
    host = "liquidity-watch.example.org" if placeholder else "me.example.com"
    (tmp_path / "mkdocs.yml").write_text(f"site_url: https://{host}/\n")
    output = tmp_path / "output"
    step = step_running(load(NIGHTLY), "example\\.org")
    result = run_script(
        step["run"], tmp_path, {"GITHUB_OUTPUT": str(output), "PAGES_URL": pages_url}
    )
    if url is None:
        assert result.returncode == 1
        assert "::error title=No site address::" in result.stdout
        assert not output.exists()
    else:
        assert result.returncode == 0, result.stdout + result.stderr
        assert output.read_text() == f"url={url}\n"


def test_the_build_step_passes_the_pages_address_only_when_there_is_one(tmp_path: Path):
    step = step_running(load(NIGHTLY), "make site")
    assert step["env"] == {"PAGES_SITE_URL": "${{ needs.preflight.outputs.site-url }}"}
    assert 'export SITE_URL="$PAGES_SITE_URL"' in step["run"]
    assert "!ENV [SITE_URL," in (ROOT / "mkdocs.yml").read_text()


def test_the_concurrency_comment_says_what_github_does():
    text = NIGHTLY.read_text()
    assert "never cancels" not in text
    assert "GitHub cancels an older pending run" in text


# -- the commit step: only when something changed, rebase and retry on a moving branch -----------


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"git {args}: {done.stderr}"
    return done.stdout.strip()


@pytest.fixture
def clone(tmp_path: Path) -> tuple[Path, Path]:
    """A bare 'origin' with one commit on main, and a clone of it like the runner's checkout."""
    origin, seed, work = tmp_path / "origin.git", tmp_path / "seed", tmp_path / "work"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    git(tmp_path, "clone", "--quiet", str(origin), str(seed))
    for name in ("data/manifest.json", "site/blog/posts/.keep", "README.md"):
        (seed / name).parent.mkdir(parents=True, exist_ok=True)
        (seed / name).write_text("1\n")
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.org")
    git(seed, "add", ".")
    git(seed, *identity, "commit", "--quiet", "-m", "start")
    git(seed, "push", "--quiet", "origin", "HEAD:main")
    git(tmp_path, "clone", "--quiet", str(origin), str(work))
    return origin, work


def run_commit_step(
    work: Path, tmp_path: Path, extra: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess, str]:
    output = tmp_path / "commit-output"
    output.write_text("")
    env = {"GITHUB_OUTPUT": str(output), "GITHUB_REF_NAME": "main", "GH_TOKEN": "", **(extra or {})}
    result = run_script(step_running(load(NIGHTLY), "git status --porcelain")["run"], work, env)
    return result, output.read_text()


def test_commit_step_commits_data_and_post_only_when_they_changed(clone, tmp_path: Path):
    origin, work = clone
    start = git(origin, "rev-parse", "main")
    result, output = run_commit_step(work, tmp_path)
    assert result.returncode == 0 and "Nothing changed" in result.stdout
    assert git(origin, "rev-parse", "main") == start and output == f"sha={start}\n"
    (work / "data/manifest.json").write_text("2\n")
    (work / "site/blog/posts/2026-08-24.md").write_text("post\n")
    (work / "README.md").write_text("not ours to commit\n")
    night = work / "archive/api/2026-08-24/latest.json"  # the night's API copy (archive.py)
    night.parent.mkdir(parents=True)
    night.write_text("{}\n")
    result, output = run_commit_step(work, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    head = git(origin, "rev-parse", "main")
    assert head != start and output == f"sha={head}\n"
    committed = git(origin, "show", "--name-only", "--format=", "main").splitlines()
    assert sorted(committed) == [
        "archive/api/2026-08-24/latest.json",
        "data/manifest.json",
        "site/blog/posts/2026-08-24.md",
    ]


def test_commit_step_rebases_when_the_branch_moved_meanwhile(clone, tmp_path: Path):
    origin, work = clone
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(origin), str(other))
    (other / "README.md").write_text("a maintainer's edit\n")
    git(other, "-c", "user.name=m", "-c", "user.email=m@example.org", "commit", "-qam", "edit")
    git(other, "push", "--quiet", "origin", "HEAD:main")
    (work / "data/manifest.json").write_text("3\n")
    # The step's back-off (`sleep $((attempt * 3))`) is asked for, not waited: a `sleep` first
    # on the PATH writes down how long it was asked to wait.
    fake = tmp_path / "bin" / "sleep"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "$@" >> "$SLEPT"\n')
    fake.chmod(0o755)
    slept = tmp_path / "slept"
    path = f"{fake.parent}:{os.environ['PATH']}"
    result, output = run_commit_step(work, tmp_path, {"PATH": path, "SLEPT": str(slept)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Push rejected (attempt 1)" in result.stdout
    assert slept.read_text() == "3\n"
    log = git(origin, "log", "--format=%s", "main").splitlines()
    assert log[0].startswith("Nightly update and report for ") and log[1:] == ["edit", "start"]
    assert output == f"sha={git(origin, 'rev-parse', 'main')}\n"


def run_timed_commit_step(work: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess, str]:
    output = tmp_path / "timed-output"
    output.write_text("")
    env = {"GITHUB_OUTPUT": str(output), "GITHUB_REF_NAME": "main", "GH_TOKEN": ""}
    result = run_script(step_running(load(RELEASES), "git status --porcelain")["run"], work, env)
    return result, output.read_text()


def test_timed_commit_step_deploys_only_when_a_csv_changed(clone, tmp_path: Path):
    origin, work = clone
    start = git(origin, "rev-parse", "main")
    result, output = run_timed_commit_step(work, tmp_path)
    assert result.returncode == 0 and "Nothing changed" in result.stdout
    assert output == f"changed=false\nsha={start}\n"
    (work / "data/manifest.json").write_text("stale now\n")  # a status change only
    result, output = run_timed_commit_step(work, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    head = git(origin, "rev-parse", "main")
    assert head != start and output == f"changed=false\nsha={head}\n"
    (work / "data/series/fred").mkdir(parents=True)
    (work / "data/series/fred/WALCL.csv").write_text("date,value\n2026-08-26,6600000\n")
    (work / "README.md").write_text("not ours to commit\n")
    result, output = run_timed_commit_step(work, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    newest = git(origin, "rev-parse", "main")
    assert output == f"changed=true\nsha={newest}\n"
    committed = git(origin, "show", "--name-only", "--format=", "main").splitlines()
    assert committed == ["data/series/fred/WALCL.csv"]
    assert git(origin, "log", "-1", "--format=%s", "main").startswith("Timed update ")
