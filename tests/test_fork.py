"""The worked examples of the "Fork and customise" page, applied exactly as written.

Each test reads its YAML or command from ``site/fork.md`` (the block after an
``<!-- example: NAME -->`` marker), applies it to a private copy of the project the way the
page tells a reader to, and checks the promised result in the built site. If the page and the
code drift apart, these fail.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_project, load_yaml, run_generator, run_mkdocs
from tests.fakes.harness import add_series, environment, run_update, start_servers

FORK_PAGE = ROOT / "site" / "fork.md"


def example(name: str) -> str:
    """The fenced block right after ``<!-- example: name -->`` on the fork page."""
    text = FORK_PAGE.read_text()
    found = re.search(rf"<!-- example: {re.escape(name)} -->\n```\w*\n(.*?)\n```", text, re.S)
    assert found, f"site/fork.md has no example block {name!r}"
    return found.group(1)


def edit(root: Path, old: str, new: str, path: str = "indicators.yml") -> None:
    target = root / path
    text = target.read_text()
    assert text.count(old) == 1, f"{path}: {old!r} does not occur exactly once"
    target.write_text(text.replace(old, new))


def add_indicator_block(root: Path, block: str) -> None:
    """'Add this at the end of indicators: (before regime:)'."""
    edit(root, "\nregime:\n", "\n" + block.rstrip("\n") + "\n\nregime:\n")


def synthetic_curve() -> list[tuple[str, str]]:
    """Test-only T10Y2Y observations (the snapshot has none): business days, a slow rise
    from inversion, ending at +0.57 percentage points on 2026-08-21."""
    day, rows = date(2023, 1, 2), []
    while day <= date(2026, 8, 21):
        if day.weekday() < 5:
            rows.append((day.isoformat(), ""))
        day += timedelta(days=1)
    step = (0.57 - -0.80) / (len(rows) - 1)
    return [(d, f"{-0.80 + step * i:.2f}") for i, (d, _) in enumerate(rows)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "fork")


def test_add_an_indicator_in_yaml_only(project: Path):
    add_series(project, example("add-series"))
    add_indicator_block(project, example("add-indicator"))

    checked = run_generator(project, "check")
    assert example("check-note") in checked.stderr
    run_generator(project, "build")
    home = (project / "site/index.md").read_text()
    card = home[home.index('href="indicators/yield-curve/"') :]
    assert "no data" in card[: card.index("</a>")]

    commands = [shlex.split(line) for line in example("fetch").splitlines()]
    update = next(c for c in commands if c[:3] == [".venv/bin/python", "-m", "generator"])
    assert update[3:] == ["update", "--only", "T10Y2Y"]
    assert ["make", "site"] in commands
    servers = start_servers(project)
    try:
        curve = synthetic_curve()
        servers.fred.add("T10Y2Y", *curve)
        run = run_update(project, environment(servers), *update[4:])
    finally:
        servers.stop()
    assert run.returncode == 0, run.output
    stored = (project / "data/series/fred/T10Y2Y.csv").read_text().splitlines()
    assert stored[0] == "date,value" and len(stored) == len(curve) + 1

    run_generator(project, "check")
    run_generator(project, "build")
    run_mkdocs(project)
    site = project / "site"
    assert (site / "indicators/yield-curve.md").exists()
    assert (site / "charts/yield-curve.vl.json").exists()
    downloaded = (site / "data/yield-curve.csv").read_text().splitlines()
    assert downloaded[-1].startswith("2026-08-21,57")
    home = (site / "index.md").read_text()
    card = home[home.index('href="indicators/yield-curve/"') :]
    card = card[: card.index("</a>")]
    assert "no data" not in card
    assert 'lw-card lw-calm" href="indicators/yield-curve/"' in home
    sentence = "The yield curve is positive: 10-year minus 2-year is 57 bp on 21 Aug 2026."
    assert sentence in home
    built = project / "public/indicators/yield-curve/index.html"
    assert "10-year minus 2-year Treasury spread" in built.read_text()


def test_change_a_threshold(project: Path, built_project: Path):
    line = example("threshold")
    new, was = (part.strip() for part in line.split("# was:"))
    old = "      - when: mean_20d > 0 or " + was
    assert (
        'lw-card lw-watch" href="indicators/sofr-iorb-spread/'
        in (built_project / "site/index.md").read_text()
    )
    edit(project, old, line[: line.index("#")].rstrip())
    run_generator(project, "check")
    run_generator(project, "build")
    home = (project / "site/index.md").read_text()
    assert 'lw-card lw-stress" href="indicators/sofr-iorb-spread/' in home
    page = (project / "site/indicators/sofr-iorb-spread.md").read_text()
    assert "banks are paying up for cash" in page
    assert new.split("when: ")[1].replace(">", "&gt;") in page


def test_remove_an_indicator(project: Path):
    """The README's example, on a fork that built its site before: the removed indicator's
    page, chart and spec are gone from the rebuilt site, and no page links to it."""
    run_generator(project, "build")  # the site as it stood before the edit
    assert (project / "site/indicators/bnb-btc.md").exists()
    start = example("remove")
    text = (project / "indicators.yml").read_text()
    begin = text.index(start + "\n")
    end = min(
        i for i in (text.find("\n  - id:", begin + 1), text.find("\nregime:", begin)) if i > 0
    )
    (project / "indicators.yml").write_text(text[:begin] + text[end + 1 :])
    run_generator(project, "check")
    run_generator(project, "build")
    run_mkdocs(project)  # --strict: a link to the removed page would fail the build
    assert not (project / "site/indicators/bnb-btc.md").exists()
    assert not (project / "site/charts/bnb-btc.vl.json").exists()
    assert not (project / "public/indicators/bnb-btc").exists()
    for page in (project / "public").rglob("*.html"):
        assert "indicators/bnb-btc" not in page.read_text(), page


def test_rename_the_site(project: Path):
    block = example("rename")
    text = (project / "indicators.yml").read_text()
    current = re.search(r"^site:\n(?:  .*\n)+", text, re.M)
    assert current, "indicators.yml has no site: block"
    (project / "indicators.yml").write_text(text.replace(current.group(0), block + "\n"))
    run_generator(project, "check")
    run_generator(project, "build")
    run_mkdocs(project)
    home = (project / "public/index.html").read_text()
    assert "<title>Plumbing Watch" in home
    assert "Liquidity Watch" not in home
    methodology = (project / "public/methodology/index.html").read_text()
    assert "Plumbing Watch</title>" in methodology
    assert "Where the Fed&#39;s money goes next." in home or "Where the Fed's money" in home


def test_change_the_schedule(tmp_path: Path):
    line = example("schedule")
    workflow = tmp_path / "nightly.yml"
    text = (ROOT / ".github/workflows/nightly.yml").read_text()
    current = re.findall(r"^    - cron: .*$", text, re.M)
    assert len(current) == 1, "nightly.yml should have exactly one cron line"
    workflow.write_text(text.replace(current[0], line))
    parsed = load_yaml(workflow.read_text())
    assert parsed[True]["schedule"] == [{"cron": "17 6 * * 1-5"}]  # YAML 1.1 reads `on` as True
    actionlint = Path(sys.executable).with_name("actionlint")
    result = subprocess.run(
        [str(actionlint), "-no-color", str(workflow)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
