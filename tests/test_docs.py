"""The contributor documents stay true: the hooks they promise exist, and nothing cites a
document the repository lacks.

A reader who clones the repository has only what is in it, so a docstring that says "see
DESIGN" sends them nowhere. A citation of a document is an upper-case Markdown name
(``README.md``, ``path/to/NOTES.md``) or anything under ``docs/``, found in Python, Markdown,
YAML, TOML and template files; each must resolve to a file in the repository. Lower-case
``.md`` names are site pages (generated or hand-written), whose links ``mkdocs build --strict``
already checks.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, load_yaml

SCANNED = {".py", ".md", ".yml", ".yaml", ".toml", ".j2"}
# Not the project's own text: tools, caches, build output, and past nightly posts.
SKIPPED_DIRS = {".git", ".venv", "public", ".cache", ".hypothesis", "node_modules", "bench/out"}
SKIPPED_FILES = {"tests/test_docs.py"}  # this file names missing documents on purpose
# A Markdown file named in prose or code: a path ending in .md, or a bare name.md; URLs are
# skipped (nothing may precede the match but a space or punctuation that opens a citation).
MARKDOWN_NAME = re.compile(r"(?<![\w/.:-])((?:\.{0,2}/)?(?:[\w.-]+/)*[\w-]+\.md)\b")
DOCUMENT_STEM = re.compile(r"[A-Z][A-Z0-9_-]*")
# Citations in files this branch may not edit, reported to the lead (issue 12). Remove an
# entry when its citation is fixed; the test fails while a fixed entry is still listed.
PENDING: dict[str, set[str]] = {}


def project_files() -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        relative = Path(folder).relative_to(ROOT).as_posix()
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIPPED_DIRS
            and f"{relative}/{d}".removeprefix("./") not in SKIPPED_DIRS
            and not d.endswith(".egg-info")
            and d != "__pycache__"
        )
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix in SCANNED and path.relative_to(ROOT).as_posix() not in SKIPPED_FILES:
                found.append(path)
    return found


def _resolves(citation: str, cited_from: Path, basenames: set[str]) -> bool:
    if "/" not in citation:
        return citation in basenames
    for candidate in (ROOT / citation, cited_from.parent / citation):
        candidate = candidate.resolve()
        # A file outside the repository (/abs/path, ../shared/...) is one a clone lacks.
        if candidate.is_relative_to(ROOT) and candidate.is_file():
            return True
    return False


def citations(text: str) -> set[str]:
    """The documents a text cites: upper-case Markdown names and anything under docs/."""
    found = set()
    for match in MARKDOWN_NAME.finditer(text):
        citation = match.group(1)
        stem = citation.rsplit("/", 1)[-1].removesuffix(".md")
        if "YYYY" in stem:  # a pattern such as posts/YYYY-MM-DD.md, not a document
            continue
        if DOCUMENT_STEM.fullmatch(stem) or citation.startswith("docs/") or "/docs/" in citation:
            found.add(citation)
    return found


def unresolved_citations() -> dict[str, set[str]]:
    files = project_files()
    basenames = {path.name for path in files}
    missing: dict[str, set[str]] = {}
    for path in files:
        for citation in citations(path.read_text(errors="replace")):
            if not _resolves(citation, path, basenames):
                missing.setdefault(path.relative_to(ROOT).as_posix(), set()).add(citation)
    return missing


def _beyond(cited: dict[str, set[str]], known: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per file, the names in ``cited`` that ``known`` does not hold (files with none left out)."""
    left = {path: names - known.get(path, set()) for path, names in cited.items()}
    return {path: names for path, names in left.items() if names}


@pytest.mark.reads_live  # every text file of the repository, the live ones too
def test_no_file_cites_a_document_the_repository_lacks():
    new = _beyond(unresolved_citations(), PENDING)
    assert not new, "\n".join(
        f"{path}: cites {', '.join(sorted(names))}, which the repository does not contain"
        for path, names in sorted(new.items())
    )


@pytest.mark.reads_live  # every text file of the repository, the live ones too
def test_pending_citations_are_still_there():
    """A fixed citation leaves PENDING, so the exemptions cannot outlive the problem."""
    fixed = _beyond(PENDING, unresolved_citations())
    assert not fixed, f"fixed, remove from PENDING in tests/test_docs.py: {fixed}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see DESIGN.md section 2", {"DESIGN.md"}),
        ("the living version is docs/architecture.md.", {"docs/architecture.md"}),
        ("from ../shared/data/FRED_API.md", {"../shared/data/FRED_API.md"}),
        ("https://example.org/README.md and data/series/<source>/<ID>.csv", set()),
        (
            "posts/YYYY-MM-DD.md, site/INDEX-<id>.md, site/index.md, *.md and [ladder](ladder.md)",
            set(),
        ),
        (
            "[guide](../CONTRIBUTING.md), see data/README.md",
            {"../CONTRIBUTING.md", "data/README.md"},
        ),
    ],
)
def test_citation_pattern(text, expected):
    assert citations(text) == expected


def test_the_contributor_documents_exist_and_the_readme_links_them():
    readme = (ROOT / "README.md").read_text()
    for name in ("docs/architecture.md", "CONTRIBUTING.md", "CHANGELOG.md"):
        assert (ROOT / name).is_file(), name
        assert f"({name})" in readme, f"README.md does not link {name}"


def test_architecture_names_every_generator_module():
    """The living design stays living: a new module must be placed in a stage in the doc."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    for path in sorted((ROOT / "generator").rglob("*.py")):
        if path.name in {"__init__.py", "__main__.py"}:
            continue
        assert path.stem in text, f"docs/architecture.md does not mention {path.stem}"
    for stage in ("catalogue", "snapshot", "fetch", "measure", "publish"):
        assert f"{stage}/" in text


def test_contributing_lists_every_make_target():
    makefile = (ROOT / "Makefile").read_text()
    targets = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    text = (ROOT / "CONTRIBUTING.md").read_text()
    for target in targets:
        assert f"make {target}" in text, f"CONTRIBUTING.md does not explain make {target}"


def test_changelog_keeps_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "keepachangelog.com" in text
    assert "## [Unreleased]" in text
    assert re.search(r"^## \[0\.1\.0\]", text, re.M)


def test_pre_commit_runs_ruff_and_mypy_from_the_venv():
    config = load_yaml((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {
        hook["entry"]: hook
        for repo in config["repos"]
        if repo["repo"] == "local"
        for hook in repo["hooks"]
    }
    assert set(hooks) >= {
        ".venv/bin/ruff check",
        ".venv/bin/ruff format --check",
        ".venv/bin/mypy",
    }
    assert all(hook["language"] == "system" for hook in hooks.values())
    # mypy reads its file list from pyproject.toml; a per-file run would miss imports.
    assert hooks[".venv/bin/mypy"]["pass_filenames"] is False
    for entry in hooks:
        assert (ROOT / entry.split()[0]).parent.name == "bin"


MARKER = re.compile(r"^(<{7}|>{7})( |$)|<{7} \S|>{7} \S", re.MULTILINE)


@pytest.mark.reads_live  # every text file of the repository, the live ones too
def test_no_text_file_holds_a_merge_conflict_marker():
    """Found: a merge left conflict-marked rows (seven "<" then HEAD) in docs/architecture.md and
    every test passed.
    Every Markdown, YAML, Python, template and workflow file in the tree is searched."""
    suffixes = {".md", ".yml", ".yaml", ".py", ".j2", ".toml", ".txt", ".css", ".js", ".json"}
    skip = {".venv", "node_modules", ".git", "site", "public", ".cache", "data"}
    found = []
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in skip or path.suffix not in suffixes or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if MARKER.search(text):
            found.append(str(path.relative_to(ROOT)))
    assert not found, f"merge conflict markers in: {found}"
