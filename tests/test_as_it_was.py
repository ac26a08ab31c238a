"""Issue 20 on the built site: revised figures marked on the cards and indicator pages.

Projects are private copies of the frozen fixture; ``nightly`` adds a later WALCL week and
revises the week of 19 Aug 2026 (its old value kept in the revision file).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import copy_project, run_generator
from tests.test_fixtures import nightly

# One worker runs this module (`--dist loadgroup`): its module-scoped fixture (a revised
# snapshot, built: most of 18 s) is made once, not again in a second worker that draws one of
# the two tests that read it.
pytestmark = pytest.mark.xdist_group("as_it_was")


def card_of(home: str, indicator: str) -> str:
    """The HTML of one home card, by the indicator page it links to."""
    start = home.index(f'href="indicators/{indicator}/"')
    return home[start : home.index("</a>", start)]


@pytest.fixture(scope="module")
def revised_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("revised"))
    nightly(root)
    run_generator(root, "build")
    return root / "site"


def test_a_card_whose_latest_figure_was_revised_is_marked(revised_site: Path):
    """Net liquidity's latest figure is dated 19 Aug 2026, the WALCL week revised; Fed assets
    shows the newer week of 9 Sep 2026, first published as it stands, and is not marked."""
    home = (revised_site / "index.md").read_text()
    words = "Revised since first published: WALCL, 19 Aug 2026"
    mark = f'<span class="lw-revised" title="{words}" aria-label="{words}">revised</span>'
    assert mark in card_of(home, "net-liquidity")
    assert "lw-revised" not in card_of(home, "fed-assets")
    assert home.count('class="lw-revised"') == 1
    page = (revised_site / "indicators" / "net-liquidity.md").read_text()
    meta = page[page.index('<p class="lw-meta">') : page.index("</p>")]
    assert f'class="lw-badge lw-revised" title="{words}"' in meta
    assert "lw-revised" not in (revised_site / "indicators" / "fed-assets.md").read_text()


def test_no_card_is_marked_without_revisions_at_its_date(built_project: Path):
    """The frozen fixture's only revisions are ADP's first releases, long before its cards'
    dates: nothing is marked."""
    site = built_project / "site"
    assert not re.search(r"lw-revised", (site / "index.md").read_text())
    for page in (site / "indicators").glob("*.md"):
        assert "lw-revised" not in page.read_text(), page.name


# -- build --as-of ----------------------------------------------------------------------------

CARD_PARTS = re.compile(
    r'<a class="lw-card lw-(?P<level>[a-z-]+)" href="(?P<href>[^"]+)">.*?'
    r'(?:<span class="lw-value">(?P<value>.*?)</span>.*?)?'
    r'<span class="lw-asof">data as of (?P<as_of>[^<]+)',
    re.S,
)


def cards(home: str) -> dict[str, tuple]:
    """Each home card's status, value line (value, unit, change, percentile) and date."""
    found = {}
    for block in home.split('<a class="lw-card')[1:]:
        block = '<a class="lw-card' + block[: block.index("</a>")]
        match = CARD_PARTS.search(block)
        assert match, block[:200]
        details = re.findall(r'<span class="lw-detail">(.*?)</span>', block)
        found[match["href"]] = (match["level"], match["value"], match["as_of"].strip(), details)
    return found


def cut(root: Path, day: str) -> None:
    """Drop every row dated after ``day`` from the project's series CSVs."""
    import pandas as pd

    from generator.snapshot.store import Store

    store = Store(root / "data")
    for path in sorted((root / "data" / "series").rglob("*.csv")):
        if path.name.endswith(".revisions.csv"):
            continue
        values = store.load(path.parent.name, path.stem)
        store.write(path.parent.name, path.stem, values[values.index <= pd.Timestamp(day)])


def test_build_as_of_a_day_shows_the_cards_of_the_snapshot_cut_there(
    tmp_path: Path, revised_site: Path
):
    """Issue 20: after a night that added a WALCL week and revised the week of 19 Aug 2026,
    ``build --as-of 2026-08-21`` shows on every home card what a build of the snapshot cut at
    21 Aug 2026 shows; the later build (``revised_site``) differs, so the test can fail."""
    later = copy_project(tmp_path / "later")
    nightly(later)
    run_generator(later, "build", "--as-of", "2026-08-21")
    reference = copy_project(tmp_path / "cut")
    cut(reference, "2026-08-21")
    run_generator(reference, "build")
    as_of = cards((later / "site" / "index.md").read_text())
    expected = cards((reference / "site" / "index.md").read_text())
    assert as_of == expected
    assert len(expected) > 5
    today = cards((revised_site / "index.md").read_text())
    assert today["indicators/fed-assets/"] != expected["indicators/fed-assets/"]
    assert "lw-revised" not in (later / "site" / "index.md").read_text()
    # the revision seen on 10 Sep 2026 was not known on 21 Aug
    assert '"revisions": []' not in (later / "site/api/revisions.json").read_text()
    assert "WALCL" not in (later / "site/api/revisions.json").read_text()


def test_build_as_of_refuses_a_bad_day(tmp_path: Path):
    root = copy_project(tmp_path / "p")
    done = run_generator(root, "build", "--as-of", "21-08-2026", check=False)
    assert done.returncode == 2
    assert "--as-of: '21-08-2026' is not a date written YYYY-MM-DD" in done.stderr
