"""Posts that can always be read (issue 25, class 2): a post is checked, written atomically
and read back before it is kept; ``check`` reads the committed posts and names one it cannot
read with its line; ``report`` re-derives the previous state from the data when the previous
post is unreadable, instead of stopping every later night."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalogue.messages import ConfigError
from generator.cli import main
from generator.publish import posts
from generator.publish.report import POSTS, report
from tests.conftest import copy_project, load_yaml


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project without the committed reports."""
    root = copy_project(tmp_path / "p")
    for path in sorted((root / POSTS).rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    return root


def run(root: Path, capsys, monkeypatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(root)
    monkeypatch.setenv("UPDATE_TODAY", "2026-09-10")
    code = main(["--root", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_post_that_could_not_be_read_is_never_kept(tmp_path: Path):
    """The post is staged beside its place and parsed before the rename; nothing of it (nor a
    temp file) is left when it cannot be read, and an earlier good post stays as it was."""
    path = tmp_path / "2026-08-21.md"
    path.write_text("---\ndate: 2026-08-21\nreport: {regime: neutral}\n---\n\nGood\n")
    before = path.read_bytes()
    bad = "---\ndate: 2026-08-21\nreport: {regime: neutral\n---\n\nBad\n"
    with pytest.raises(ConfigError) as caught:
        posts.write_post(path, bad)
    assert "2026-08-21.md:3: the previous report's front matter is not valid YAML" in str(
        caught.value
    )
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["2026-08-21.md"]
    with pytest.raises(ConfigError, match=r"2026-08-21.md:6: the report holds U\+FFFE"):
        posts.write_post(path, "---\ndate: 2026-08-21\nreport: {}\n---\n\nx\ufffe\n")
    assert path.read_bytes() == before
    assert posts.write_post(path, before.decode().replace("Good", "Better"))
    assert "Better" in path.read_text()


def test_the_nightly_report_writes_through_the_checked_writer(project: Path, monkeypatch):
    """``report`` keeps a post only after reading it back: a post whose staged copy cannot be
    read (simulated: the reader refuses it) leaves no post behind."""
    real = posts.read_state
    calls = []

    def refusing(path, when, text=None):
        calls.append(path.name)
        if text is not None:  # the staged copy
            raise ConfigError([f"{path.name}:1: refused"])
        return real(path, when, text)

    monkeypatch.setattr(posts, "read_state", refusing)
    monkeypatch.setenv("UPDATE_TODAY", "2026-09-10")
    with pytest.raises(ConfigError, match="refused"):
        report(project, "2026-08-21")
    assert calls == ["2026-08-21.md"]
    assert not (project / POSTS / "2026-08-21.md").exists()
    assert not list((project / POSTS).glob(".*.tmp"))


UNREADABLE = [
    ("  regime: neutral\n", '  regime: "neutral\x92"\n', "U+0092, a control character"),
    ("report:\n", "report: [\n", "front matter is not valid YAML"),
    ("report:\n", "report: many\nrest:\n", "'report:' block is not a mapping"),
]


@pytest.mark.parametrize(("old", "new", "fragment"), UNREADABLE)
def test_check_names_a_committed_post_it_cannot_read_with_its_line(
    project: Path, capsys, monkeypatch, old: str, new: str, fragment: str
):
    monkeypatch.setenv("UPDATE_TODAY", "2026-09-10")
    assert report(project, "2026-08-20") == 0
    path = project / POSTS / "2026-08-20.md"
    text = path.read_text()
    assert text.count(old) == 1
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new))
    code, output = run(project, capsys, monkeypatch, "check")
    assert code == 2, output
    assert f"error: site/blog/posts/2026-08-20.md:{line}: " in output, output
    assert fragment in output


def test_report_rederives_the_previous_state_when_the_previous_post_is_unreadable(
    project: Path, capsys, monkeypatch
):
    """Found: U+0092 in a label reached a post; every later ``report`` exited 2, even after the
    label was fixed. Now the next report warns, naming the post and line, and compares with
    the state recomputed from the data as known on that post's day: the same state the post
    stored, so the new post is byte-identical to one written after a readable post."""
    monkeypatch.setenv("UPDATE_TODAY", "2026-09-10")
    assert report(project, "2026-08-20") == 0
    assert report(project, "2026-08-21") == 0
    good = (project / POSTS / "2026-08-21.md").read_bytes()
    (project / POSTS / "2026-08-21.md").unlink()
    earlier = project / POSTS / "2026-08-20.md"
    earlier.write_text(earlier.read_text().replace("report:\n", "report: [\n"))
    capsys.readouterr()
    assert report(project, "2026-08-21") == 0
    err = capsys.readouterr().err
    assert "warning: " in err and "2026-08-20.md:" in err, err
    assert "re-derived from the data as known on 2026-08-20" in err
    assert (project / POSTS / "2026-08-21.md").read_bytes() == good


def test_the_committed_posts_are_readable():
    """Every post in the repository passes the rules ``check`` applies."""
    from tests.conftest import ROOT

    assert posts.problems(ROOT / POSTS) == []
    for _, path in posts.dated_posts(ROOT / POSTS):
        meta = load_yaml(path.read_text().split("---\n")[1])
        assert isinstance(meta["report"], dict)
