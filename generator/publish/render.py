"""The Jinja environment and the Markdown it writes into ``site/``.

Templates receive finished numbers and sentences; they format, never compute. Every string
that comes from config or a data source passes the ``md`` filter, because Jinja's autoescape
does not cover ``.md`` templates and Markdown has its own ways to inject links and HTML.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
import urllib.parse
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from jinja2.bccache import Bucket

from generator.catalogue.models import LEVELS
from generator.publish.format import format_date, format_number, is_missing

# Characters no sink may hold (C0 and C1 controls, line separators, bidi controls,
# non-characters): `check` refuses them in the config; here they are dropped from any text a
# source supplied, so U+202E cannot reorder a page.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, the cut marked with an ellipsis, never silent."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]])")
_LINE_START = re.compile(r"^(\s*)([#+\->=])", re.MULTILINE)
_LIST_NUMBER = re.compile(r"^(\s*\d+)\.", re.MULTILINE)
LEVEL_TEXT: dict[str | None, str] = {**{level: level for level in LEVELS}, None: "no status"}


def md_text(value: object, limit: int = 2000) -> str:
    """Make any text inert in Markdown and HTML: no tags, links, emphasis or control chars."""
    text = _cut(_CONTROL.sub("", str(value)), limit)
    text = html.escape(text, quote=False)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("|", "&#124;")
    text = _LIST_NUMBER.sub(r"\1\\.", text)
    return _LINE_START.sub(r"\1\\\2", text)


# Markdown's link, attribute-list, emphasis and code characters as character references: they
# display the same in HTML, but Markdown sees no syntax in them.
_MARKDOWN_REFERENCES = str.maketrans({c: f"&#{ord(c)};" for c in "[]{}*_`\\|"})


def html_text(value: object, limit: int = 2000) -> str:
    """For text inside raw HTML, where Markdown escapes would show literally. Escaped for an
    attribute too, and inert as Markdown: a raw HTML span inside a ``markdown`` block (the
    chart note in ``<figcaption markdown>``) is parsed as Markdown, where an event's label
    ``[details](javascript:...)`` became a live link and ``{ onanimationstart=... }`` an
    attribute list."""
    text = html.escape(_cut(_CONTROL.sub("", str(value)), limit), quote=True)
    return text.translate(_MARKDOWN_REFERENCES)


# Characters left as they are in a link target: the reserved ones of RFC 3986 that a Markdown
# link target can hold. Parentheses, brackets, quotes, spaces and angle brackets are
# percent-encoded, so a value can never close the link and continue as Markdown or HTML.
_HREF_SAFE = "/:?#@!$&*+,;=%~-._"


def link_target(value: object) -> str:
    """A Markdown link target: an http(s) address percent-encoded, anything else "#".

    ``check`` refuses other schemes already; this is the last line if a value gets through
    (a page built without ``check``), so ``javascript:`` never becomes a live link."""
    text = _CONTROL.sub("", str(value)).strip()
    scheme, _, rest = text.partition("://")
    if scheme.lower() not in ("http", "https") or not rest:
        return "#"
    return urllib.parse.quote(text, safe=_HREF_SAFE)


_CODE_SPECIAL = str.maketrans(
    {c: f"&#{ord(c)};" for c in "*`|[]\\{}"} | {"\n": " ", "\r": " ", "\t": " "}
)
_LONE_UNDERSCORE = re.compile(r"(?<!\w)_|_(?!\w)")


def code_text(value: object, limit: int = 500) -> str:
    """Inline code in a Markdown table cell, escaped exactly once. A backtick code span would
    show ``html.escape``'s entities literally (``&gt;=``), so this writes ``<code>`` whose
    content Markdown cannot turn into emphasis, links or cell breaks: Markdown's special
    characters become character references, and so does an underscore that could open or
    close emphasis (one inside a word, as in ``mean_20d``, cannot)."""
    text = html.escape(_cut(_CONTROL.sub("", str(value)), limit), quote=False)
    text = _LONE_UNDERSCORE.sub("&#95;", text.translate(_CODE_SPECIAL))
    return f"<code>{text}</code>"


def yaml_string(value: object, limit: int = 300) -> str:
    """A front-matter value: JSON string syntax is valid YAML and survives colons and quotes."""
    return json.dumps(_cut(_CONTROL.sub("", str(value)), limit), ensure_ascii=False)


_LOOK_ALIKES = str.maketrans({"<": "\u2039", ">": "\u203a", '"': "\u201d", "'": "\u2019"})


def no_markup(value: object) -> str:
    """Text that Material prints unescaped (page titles and descriptions in the nav, the
    ``<title>`` and ``<meta>``; the site name in the header and in the logo's ``aria-label``
    attribute), where entities would show or be unescaped again: angle brackets and quotes
    become look-alikes, so the text can neither open a tag nor leave an attribute (a ``"`` in
    ``site: name:`` used to add an ``onanimationstart`` handler to the logo on every page)."""
    return _CONTROL.sub("", str(value)).translate(_LOOK_ALIKES)


def front_text(value: object, limit: int = 300) -> str:
    """A page title or description for front matter (see ``no_markup``)."""
    return yaml_string(no_markup(value), limit)


def number(value: float | None, decimals: int = 1) -> str:
    return format_number(value, decimals)


def signed(value: float | None, decimals: int = 1) -> str:
    return format_number(value, decimals, signed=True)


_FRONT_MATTER = re.compile(r"\A-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


def front_matter(text: str) -> dict[str, Any]:
    """The YAML front matter of a Markdown page (as MkDocs reads it), or {} when there is none
    or it is not a mapping."""
    found = _FRONT_MATTER.match(text)
    if found is None:
        return {}
    try:
        data = yaml.safe_load(found.group(1))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


class TemplateCache(FileSystemBytecodeCache):
    """Compiled templates under ``.cache/jinja``, keyed by each template's name and the hash of
    its source: compiling the thirteen templates took 95 ms of CPU in every build and report
    process, loading them takes 3 ms. An edited template has a new key, so it is compiled
    again; Jinja writes each entry beside it and renames it into place, and refuses one that
    another Python or Jinja version wrote (its magic header)."""

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        keyed = f"{name}|{self.get_source_checksum(source)}"  # not its path: copies share it
        return super().get_bucket(environment, keyed, None, source)


def environment(templates: Path, cache: Path | None = None) -> Environment:
    """The templates' environment; with ``cache``, compiled templates are kept there."""
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        bytecode_cache=TemplateCache(str(cache)) if cache is not None else None,
        undefined=StrictUndefined,
        # Markdown output: HTML autoescape would not stop Markdown links, so every template
        # escapes explicitly with the md / h filters instead.
        autoescape=False,  # noqa: S701
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        md=md_text,
        yaml=yaml_string,
        front=front_text,
        h=html_text,
        href=link_target,
        code=code_text,
        num=number,
        signed=signed,
        day=lambda value: format_date(value) if isinstance(value, date) else "n/a",
        missing=is_missing,
    )
    env.globals["level_text"] = LEVEL_TEXT
    return env


def write_text(path: Path, text: str) -> bool:
    """Write only when the content changed, so MkDocs' live reload and git stay quiet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True


def cache_bytes(path: Path, payload: bytes) -> None:
    """Put a build-cache file in place whole: written beside it, then renamed over it, so a
    build killed mid-write (or a second build reading the same cache) never finds half a
    picture that every later build would serve. No fsync: a cache lost to a power cut is
    rebuilt, not wrong."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
