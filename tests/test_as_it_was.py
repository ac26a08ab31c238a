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
