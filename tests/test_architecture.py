"""The tree shows the flow, and this test keeps it true.

Stages import only stages before them (catalogue <- snapshot <- measure <- publish; fetch
imports only catalogue and snapshot); only ``fetch`` touches the network; no module of
``generator/`` imports MkDocs (the site builds with no hook: the generator works before and
after the theme, never inside it); no module grows past 500 lines. A failure names the
file, the line and the import that breaks the rule. See docs/architecture.md.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from generator.catalogue.sources import SOURCES
from generator.fetch import sources
from tests.conftest import ROOT

PACKAGE = ROOT / "generator"
# What each stage may import from generator (itself included); wiring modules may import all.
ALLOWED = {
    "catalogue": {"catalogue"},
    "snapshot": {"catalogue", "snapshot"},
    "measure": {"catalogue", "snapshot", "measure"},
    "publish": {"catalogue", "snapshot", "measure", "publish"},
    "fetch": {"catalogue", "snapshot", "fetch"},
}
WIRING = {"__init__", "__main__", "cli", "build", "check", "explain", "writers", "run", "outputs"}
NETWORK = ("urllib.request", "http.client", "socket", "fredapi", "requests", "urllib3")
MAX_LINES = 500


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) for every import in a file, relative imports resolved."""
    tree = ast.parse(path.read_text(), str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.append((node.lineno, base))
            # "from generator import measure" imports the stage itself
            if base == "generator":
                found += [(node.lineno, f"generator.{a.name}") for a in node.names]
    return found


def _stage(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def _violations() -> list[str]:
    problems = []
    for path in _modules():
        where = path.relative_to(ROOT)
        stage = _stage(path)
        if stage is None and path.stem not in WIRING:
            problems.append(f"{where}: a top-level module that is not wiring; put it in a stage")
        for line, name in _imports(path):
            if name.startswith("mkdocs"):
                problems.append(
                    f"{where}:{line}: imports {name} (the generator never runs inside the theme)"
                )
            if stage != "fetch" and name.startswith(NETWORK):
                problems.append(f"{where}:{line}: imports {name}; only generator/fetch/ may")
            if stage is None or not name.startswith("generator."):
                continue
            target = name.split(".")[1]
            if target in WIRING:
                problems.append(f"{where}:{line}: imports {name}, a wiring module")
            elif target not in ALLOWED[stage]:
                allowed = ", ".join(sorted(ALLOWED[stage]))
                problems.append(
                    f"{where}:{line}: stage {stage!r} imports {name} "
                    f"({stage} may import only {allowed})"
                )
    return problems


def test_no_stage_imports_upward():
    assert _violations() == []


def test_the_rule_catches_an_upward_import():
    bad = PACKAGE / "measure" / "_upward_probe.py"
    bad.write_text("from generator.publish import format\nimport urllib.request\n")
    try:
        problems = _violations()
    finally:
        bad.unlink()
    assert "generator/measure/_upward_probe.py:1: stage 'measure' imports " in "\n".join(problems)
    assert any("_upward_probe.py:2: imports urllib.request" in p for p in problems)


# vl-convert makes its font database on first use, from whatever fonts the process sees then:
# only its one home sets that up (images.vl_convert), so nothing may import it another way.
VL_CONVERT_HOME = "generator/publish/images.py"


def _vl_convert_imports(folders: tuple[str, ...]) -> list[str]:
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            for line, name in _imports(path):
                if name.split(".")[0] == "vl_convert" and where != VL_CONVERT_HOME:
                    found.append(f"{where}:{line}: imports vl_convert; use images.vl_convert()")
    return found


def test_vl_convert_is_imported_only_by_its_home():
    assert _vl_convert_imports(("generator", "tests", "bench", "tools")) == []


def test_the_vl_convert_rule_catches_a_direct_import(tmp_path, monkeypatch):
    probe = tmp_path / "generator" / "probe.py"
    probe.parent.mkdir()
    probe.write_text("x = 1\nimport vl_convert as vlc\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _vl_convert_imports(("generator",)) == [
        "generator/probe.py:2: imports vl_convert; use images.vl_convert()"
    ]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (max {MAX_LINES})"


def test_every_catalogue_source_has_a_module_with_the_source_interface():
    for name in SOURCES:
        module = sources.module(name)
        for attribute in ("DEFAULT_ROOT", "fetch_spec", "host"):
            assert hasattr(module, attribute), f"generator/fetch/sources/{name}.py: no {attribute}"


# -- one home per fact --------------------------------------------------------------------------
# A rule or constant written twice drifts: the brief or the ladder page would disagree with the
# numbers. Each of these has one home; a copy elsewhere fails here with its file and line.
HOMES = {
    # every `when:` (status rules, the answer's parts, claims' rules) is decided by
    # conditions.holds / first_holding, nowhere else
    "evaluate a status rule": ("catalogue/conditions.py",),
    # the ladder's test level (ladder.ALPHA)
    "the 5% level": ("measure/ladder.py",),
    # a clip of z-scores (regime.Z_CLIP)
    "a numeric clip": (),
    # a stored series' states (models.SeriesStatus) and a claim's verdicts (models.Verdict):
    # each spelled in full in one Literal; a copy of the whole set, or a verdict word, is not
    "the series statuses": ("catalogue/models.py",),
    "the verdicts": ("catalogue/models.py",),
    # a claim parameter's default (catalogue/claims.Param: `params.get("months", 3)` was the
    # measure's own copy, free to disagree with what check and the reference page say)
    "a claim parameter's default": (),
}
NUMBERS = {"the 5% level", "a numeric clip"}
SERIES_STATUSES = {"fresh", "stale", "unavailable"}
VERDICTS = {"supported", "not supported", "inconclusive", "not testable"}


def _literal_facts(node: ast.AST) -> list[str]:
    """The sets of words spelled in a tuple, list or set literal, and the verdict words only a
    verdict uses ("supported" alone is also a claim's rule name)."""
    found = []
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        words = {e.value for e in node.elts if isinstance(e, ast.Constant)}
        if SERIES_STATUSES <= words:
            found.append("the series statuses")
        if VERDICTS <= words:
            found.append("the verdicts")
    if isinstance(node, ast.Constant) and node.value in ("not supported", "not testable"):
        found.append("the verdicts")
    return found


def _copies(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "evaluate" and "parse" in ast.unparse(node.func.value):
                found.append((node.lineno, "evaluate a status rule"))
            if node.func.attr == "clip" and any(
                isinstance(a, ast.Constant)
                or (isinstance(a, ast.UnaryOp) and isinstance(a.operand, ast.Constant))
                for a in node.args
            ):
                found.append((node.lineno, "a numeric clip"))
        if isinstance(node, ast.Constant) and node.value == 0.05:
            found.append((node.lineno, "the 5% level"))
        found += [(getattr(node, "lineno", 0), fact) for fact in _literal_facts(node)]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "params"
            and len(node.args) == 2
        ):
            found.append((node.lineno, "a claim parameter's default"))
    return found


def test_each_rule_and_constant_has_one_home():
    problems = []
    for path in _modules():
        where = path.relative_to(PACKAGE).as_posix()
        for line, fact in _copies(ast.parse(path.read_text())):
            if where.startswith("fetch/") and fact in NUMBERS:
                continue  # network timings, not analysis facts
            if where not in HOMES[fact]:
                problems.append(f"generator/{where}:{line}: restates {fact}; import it instead")
    assert problems == []


def test_one_home_catches_a_copied_status_set_and_verdict():
    copied = ast.parse('STATES = ("fresh", "stale", "unavailable")\nWORD = "not testable"\n')
    assert {fact for _, fact in _copies(copied)} == {"the series statuses", "the verdicts"}
    assert _copies(ast.parse('if status in ("stale", "unavailable"): pass\n')) == []
    default = ast.parse('months = int(params.get("months", 3))\n')
    assert _copies(default) == [(1, "a claim parameter's default")]
