"""Nightly posts that can always be read: each is checked, written atomically and read back
before it is kept, and ``check`` reads the committed ones with the same rules.

A post is what was known that night and is never regenerated, so a post MkDocs or the next
report cannot read stops every later night (found: ``\\x92`` in a label reached a post's front
matter; ``mkdocs build`` then failed and every later ``report`` exited 2). The rules here are
the ones those readers apply: UTF-8 text with no character a feed or YAML refuses, front
matter that parses, a ``date``, and a ``report:`` block the next report can compare with.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from generator.catalogue.messages import ConfigError, display
from generator.catalogue.yaml_lines import refused_character
from generator.publish import changes
from generator.snapshot.store import stage_bytes

POSTS = Path("site") / "blog" / "posts"
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FRONT = re.compile(r"\A-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


def dated_posts(posts: Path) -> list[tuple[date, Path]]:
    """Every ``<YYYY-MM-DD>.md`` in ``posts``, oldest first."""
    found = []
    for path in posts.glob("*.md") if posts.is_dir() else []:
        if not ISO_DAY.fullmatch(path.stem):
            continue
        try:
            found.append((date.fromisoformat(path.stem), path))
        except ValueError:
            continue
    return sorted(found)


def read_state(path: Path, when: date, text: str | None = None) -> changes.ReportState:
    """The ``report:`` state a post stores; ``ConfigError`` naming the file and line when the
    post cannot be read (the wording the next report and ``check`` both print)."""
    where = display(path)
    if text is None:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            line = path.read_bytes()[: error.start].count(b"\n") + 1
            raise ConfigError([f"{where}:{line}: the report is not UTF-8 text"]) from None
    refused = refused_character(text)
    if refused is not None:
        at, why = refused
        line = text.count("\n", 0, at) + 1
        raise ConfigError(
            [f"{where}:{line}: the report holds {why}, which its feeds and YAML refuse"]
        )
    meta = _front_matter(text, where)
    block = meta.get("report")
    if block is None:
        block = {}
    line = _key_line(text, "report")
    if not isinstance(block, dict) or not isinstance(block.get("indicators") or {}, dict):
        raise ConfigError(
            [
                f"{where}:{line}: the previous report's 'report:' block is not a mapping with "
                "'indicators'; fix or delete that post, then run report again"
            ]
        )
    try:
        return changes.ReportState.from_meta(when, block)
    except (AttributeError, TypeError, ValueError) as error:
        raise ConfigError(
            [
                f"{where}:{line}: the previous report's 'report:' block cannot be read "
                f"({type(error).__name__}: {str(error)[:80]}); fix or delete that post"
            ]
        ) from None


def _front_matter(text: str, where: str) -> dict[str, Any]:
    found = _FRONT.match(text)
    if found is None:
        if text.startswith("---"):
            raise ConfigError([f"{where}:1: the previous report's front matter is not closed"])
        return {}
    try:
        data = yaml.safe_load(found.group(1))
    except yaml.YAMLError as error:
        # where the broken construct began (an unclosed '{' or '['), else where YAML stopped
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2  # + the opening '---'
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(
            [f"{where}:{line}: the previous report's front matter is not valid YAML: {problem}"]
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError([f"{where}:2: the previous report's front matter is not a mapping"])
    return data


def _key_line(text: str, key: str) -> int:
    found = re.search(rf"^{re.escape(key)}:", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def problems(posts: Path) -> list[str]:
    """Every committed post that MkDocs or the next report could not read, with its line:
    for ``check``."""
    found = []
    for when, path in dated_posts(posts):
        try:
            text = path.read_bytes().decode("utf-8")
            read_state(path, when, text)
            if not isinstance(_front_matter(text, display(path)).get("date"), date):
                found.append(f"{display(path)}:1: the report has no 'date:' in its front matter")
        except UnicodeDecodeError:
            found.append(f"{display(path)}:1: the report is not UTF-8 text")
        except ConfigError as error:
            found.extend(error.problems)
    return found


def write_post(path: Path, text: str) -> bool:
    """Write a post only when its bytes change, atomically (a temp file beside it, fsync,
    rename), and only after the staged file was read back as the next night will read it:
    a post that could not be read is never kept (``ConfigError`` naming what is wrong)."""
    payload = text.encode("utf-8")
    if path.exists() and path.read_bytes() == payload:
        return False
    when = date.fromisoformat(path.stem)
    staged = stage_bytes(path, payload)
    try:
        read_state(path, when, staged.read_bytes().decode("utf-8"))
        os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)
    return True


def with_drawings(text: str, image_path: str, markdown: str) -> str:
    """``text`` with the Markdown image of ``image_path`` standing alone on its line (as a post
    written before its dark and phone drawings names its picture) replaced by ``markdown``
    (templates/report_picture.md.j2, every drawing); every other line, the words, as it was.
    Unchanged when that line is not there, such as once it has been replaced."""
    alone = re.compile(rf"^!\[(?:\\.|[^\]\n])*\]\({re.escape(image_path)}\)[ \t]*$", re.MULTILINE)
    return alone.sub(lambda _: markdown.strip("\n"), text, count=1)
