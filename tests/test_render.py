"""generator/publish/render.py: the templates' environment and its cache of compiled templates."""

from __future__ import annotations

from pathlib import Path

from generator.publish.render import environment
from tests.conftest import ROOT


def test_compiled_templates_are_kept_and_an_edited_one_is_compiled_again(tmp_path: Path):
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    (templates / "page.md.j2").write_text("first {{ x | md }}\n")
    assert environment(templates, cache).get_template("page.md.j2").render(x="*a*") == (
        "first \\*a\\*\n"
    )
    kept = sorted(cache.iterdir())
    assert len(kept) == 1
    # read back: a later build renders from the kept code, not the (unchanged) source
    assert environment(templates, cache).get_template("page.md.j2").render(x="b") == "first b\n"
    assert sorted(cache.iterdir()) == kept
    (templates / "page.md.j2").write_text("second {{ x }}\n")
    assert environment(templates, cache).get_template("page.md.j2").render(x="b") == "second b\n"
    assert len(list(cache.iterdir())) == 2


def test_two_projects_with_a_template_of_the_same_name_share_one_cache(tmp_path: Path):
    """Keyed by name and source, not path: project copies share entries, and a fork's edited
    template never gets another's code."""
    cache = tmp_path / "cache"
    for project, text in (("a", "A {{ x }}"), ("b", "B {{ x }}"), ("c", "A {{ x }}")):
        (tmp_path / project).mkdir()
        (tmp_path / project / "t.j2").write_text(text)
    rendered = [
        environment(tmp_path / project, cache).get_template("t.j2").render(x=1)
        for project in ("a", "b", "c", "a", "b")
    ]
    assert rendered == ["A 1", "B 1", "A 1", "A 1", "B 1"]
    assert len(list(cache.iterdir())) == 2


def test_every_template_of_the_tree_renders_the_same_from_the_cache(tmp_path: Path):
    """Loading compiled code gives the template compiling it would: same blocks, same output."""
    fresh = environment(ROOT / "templates")
    for _ in range(2):  # the first compiles and keeps, the second loads
        cached = environment(ROOT / "templates", tmp_path / "cache")
        for path in sorted((ROOT / "templates").glob("*.j2")):
            a, b = fresh.get_template(path.name), cached.get_template(path.name)
            assert sorted(a.blocks) == sorted(b.blocks), path.name
            code = a.root_render_func.__code__
            assert code.co_code == b.root_render_func.__code__.co_code, path.name
    assert len(list((tmp_path / "cache").iterdir())) == len(list((ROOT / "templates").glob("*.j2")))
