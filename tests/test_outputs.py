"""The build's list of outputs (generator/outputs.py) and the typed contexts its pages render
(generator/publish/contexts.py): every name a template reads is a key its context declares,
so mypy's check of the context is a check of what the template receives."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from jinja2 import meta

from generator import run as run_module
from generator.catalogue import reference
from generator.outputs import File, Page, outputs
from generator.publish import answer, contexts, pages
from generator.publish.render import environment
from generator.writers import Drawn
from tests.conftest import ROOT, copy_project

TEMPLATES = ROOT / "templates"
# template -> the TypedDict of its context (report.md.j2 is the nightly post, written by
# `report`, not by the build's list; figure.md.j2 is a macro)
TYPED = {
    "home.md.j2": contexts.Home,
    "calendar.md.j2": contexts.CalendarPage,
    "data_status.md.j2": contexts.DataStatus,
    "global.md.j2": contexts.GlobalPage,
    "ladder.md.j2": contexts.LadderPage,
    "revisions.md.j2": contexts.RevisionsPage,
    "scorecard.md.j2": contexts.ScorecardPage,
    "config_reference.md.j2": reference.ReferencePage,
}


def _read_names(template: str) -> set[str]:
    env = environment(TEMPLATES)
    return meta.find_undeclared_variables(env.parse((TEMPLATES / template).read_text()))


def _keys(typed: Any) -> set[str]:
    return set(typed.__required_keys__) | set(typed.__optional_keys__)


@pytest.mark.parametrize("template", sorted(TYPED))
def test_a_template_reads_only_what_its_context_declares(template: str):
    assert _read_names(template) <= _keys(TYPED[template])


def test_the_indicator_page_reads_only_what_its_context_declares():
    assert _read_names("indicator.md.j2") == {"ind"}
    read = set(re.findall(r"\bind\.(\w+)", (TEMPLATES / "indicator.md.j2").read_text()))
    assert read <= _keys(contexts.IndicatorPage)
    assert {"figure", "attribution", "desk", "explain", "cite"} <= read  # the parts


def test_the_check_would_catch_an_undeclared_name():
    # a key the template reads that the TypedDict lacks fails the comparison above
    assert not (_read_names("calendar.md.j2") <= _keys(contexts.CalendarPage) - {"rows"})


def test_every_context_type_resolves():
    """The contexts' annotations name real types (the two imported for type checking only
    included), so mypy and this test read the same declarations."""
    names = {"Paragraph": pages.Paragraph, "Lead": answer.Lead}
    for name in dir(contexts):
        typed = getattr(contexts, name)
        if isinstance(typed, type) and hasattr(typed, "__required_keys__"):
            assert get_type_hints(typed, localns=names), name


# A chart's figure as the charts stage returns it, standing in for the drawn ones: no picture
# is drawn here (the build's tests draw them).
FIGURE: contexts.Figure = {
    "png": "x.png",
    "sentence": "A chart.",
    "pictures": [],
    "windowed": False,
}


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> tuple[run_module.Run, list[Any]]:
    """The fixture project's run and its outputs, with no indicator chart drawn."""
    root = copy_project(tmp_path_factory.mktemp("outputs"))
    run = run_module.measure(root, None, run_module.load(root, None))
    analysis = {"regime": FIGURE, "ladder": FIGURE}
    return run, outputs(
        run, Drawn({}, attribution=FIGURE, analysis=analysis, explanations={}, citations={})
    )


def test_the_run_object_is_frozen(listed):
    run, _ = listed
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.results = []  # type: ignore[misc]


def test_every_output_has_one_path_and_every_page_a_template(listed):
    run, made = listed
    paths = [item.path for item in made]
    assert len(paths) == len(set(paths))
    pages = [item for item in made if isinstance(item, Page)]
    assert all(isinstance(item, Page | File) for item in made)
    for page in pages:
        assert (TEMPLATES / page.template).is_file(), page.template
    indicator_pages = {p.path for p in pages if p.path.startswith("indicators/")}
    assert indicator_pages == {f"indicators/{r.id}.md" for r in run.results}
    # the count `build` prints: the pages written, not the indicators plus a constant
    others = {p.path for p in pages} - indicator_pages
    assert others == {
        "index.md",
        "calendar.md",
        "global.md",
        "data-status.md",
        "revisions.md",
        "ladder.md",
        "scorecard.md",
        "config-reference.md",
    }


def test_every_page_renders_from_its_context_alone(listed, tmp_path: Path):
    """Each page writes from the context its publish function made (StrictUndefined: a key
    missing from a context fails here), with no chart drawn."""
    _, made = listed
    env = environment(TEMPLATES)
    for item in made:
        item.write(tmp_path, env)
    home = (tmp_path / "index.md").read_text()
    assert home.startswith("---\ntitle: ")
    assert (tmp_path / "indicators" / "reserves.md").read_text().count("## ") >= 3


def test_every_file_the_site_names_itself_is_an_id_no_indicator_may_take(built_project: Path):
    """An indicator's files share data/, charts/, downloads/ and embed/ with the site's own
    (the regime, ladder and attribution charts, the scorecard, the nowcast's errors, the Desk's
    table): every stem there that is not an indicator's must be reserved, or a fork could name
    an indicator ``regime`` and overwrite the regime chart's CSV with no error."""
    from generator.catalogue.grammar import RESERVED_IDS
    from generator.catalogue.load import load_config

    config = load_config(built_project / "indicators.yml")
    ids = {indicator.id for indicator in config.indicators}
    desk_table = config.desk.table.file_name if config.desk and config.desk.table else None
    site = built_project / "site"
    stems = {
        path.name.split(".")[0]
        for folder in ("data", "charts", "downloads", "embed")
        for path in (site / folder).iterdir()
    }
    assert {"regime", "ladder", "liquidity-attribution", "scorecard"} <= stems  # looked
    unclaimed = stems - ids - RESERVED_IDS - {desk_table}
    assert not unclaimed, f"add to grammar.RESERVED_IDS: {sorted(unclaimed)}"
