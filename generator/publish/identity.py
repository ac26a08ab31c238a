"""The site's identity and publishing settings, shared by the generator and whatever theme
builds the pages.

Until issue 23 three MkDocs hooks did this at build time; Zensical, Material's successor, runs
no hooks, so the generator does it before any theme runs:

* **The name.** A fork renames its site in ``indicators.yml`` (``site: name:``, ``tagline:``).
  ``sync_mkdocs_yml`` writes them into ``mkdocs.yml``'s ``site_name`` and ``site_description``
  lines (only those lines, only when they differ), which every theme reads. Material prints
  ``site_name`` unescaped in the header, in ``<title>`` (through ``striptags``, which decodes
  entities) and in attributes, so the name is made inert for all three: angle brackets become
  look-alike quotes (``no_markup``) and then ``html.escape(quote=True)`` escapes ``&``, ``"``
  and ``'`` for the attribute sink. ``overrides/main.html`` therefore prints it without ``| e``.
* **The settings.** ``settings`` reads ``site_url`` (with its ``!ENV`` default), ``extra.feeds``,
  ``extra.share_image`` and the blog's folder from ``mkdocs.yml``, so the feeds, downloads and
  embed pages use the addresses the theme publishes, from one file.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.catalogue.models import SiteConfig
from generator.publish.render import no_markup

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NAME_LINE = re.compile(r"^site_name:.*$", re.MULTILINE)
DESCRIPTION_LINE = re.compile(r"^site_description:.*$", re.MULTILINE)
NOTE = "  # from indicators.yml (site:), written by `generator build`"


@dataclass(frozen=True)
class Feed:
    title: str
    description: str
    rss: str  # file name under the site root, e.g. feed_rss_created.xml
    json: str
    category: str | None = None  # only the posts in this blog category


@dataclass(frozen=True)
class Settings:
    site_url: str  # always ends with "/"
    feeds: list[Feed] = field(default_factory=list)
    share_image: str = "assets/logo.png"
    blog_dir: str = "blog"
    author: str | None = None


class _Loader(yaml.SafeLoader):
    """mkdocs.yml as MkDocs reads it, for the few keys the generator needs: ``!ENV`` resolved
    (``!ENV [NAME, default]`` or ``!ENV NAME``), any other tag read as plain data."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)  # type: ignore[arg-type]
        names, default = [str(i) for i in items[:-1]], items[-1] if len(items) > 1 else None
    for name in names:
        if name in os.environ:
            return os.environ[name]
    return default


def _other(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_Loader.add_constructor("!ENV", _env)
_Loader.add_multi_constructor("!", _other)
_Loader.add_multi_constructor("tag:", _other)


def read_mkdocs_yml(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    return data if isinstance(data, dict) else {}


def settings(root: Path) -> Settings:
    """The publishing settings of ``root/mkdocs.yml`` (a missing file gives the defaults)."""
    path = root / "mkdocs.yml"
    data = read_mkdocs_yml(path) if path.exists() else {}
    url = str(data.get("site_url") or "https://example.org/")
    url = url if url.endswith("/") else url + "/"
    extra = data.get("extra") or {}
    feeds = [
        Feed(
            title=str(item["title"]),
            description=str(item.get("description") or data.get("site_description") or ""),
            rss=str(item["rss"]),
            json=str(item["json"]),
            category=item.get("category"),
        )
        for item in extra.get("feeds") or []
    ]
    blog_dir = "blog"
    for plugin in data.get("plugins") or []:
        if isinstance(plugin, dict) and "blog" in plugin:
            blog_dir = str((plugin["blog"] or {}).get("blog_dir") or blog_dir)
    return Settings(
        site_url=url,
        feeds=feeds,
        share_image=str(extra.get("share_image") or "assets/logo.png"),
        blog_dir=blog_dir,
        author=data.get("site_author"),
    )


def attribute_text(value: str) -> str:
    """The site name as every Material sink can print it unescaped (see the module's note)."""
    return html.escape(no_markup(_CONTROL.sub("", value)), quote=True)


def _yaml_line(key: str, value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar (escapes included).
    return f"{key}: {json.dumps(value, ensure_ascii=False)}{NOTE}"


def sync_mkdocs_yml(path: Path, site: SiteConfig) -> bool:
    """Write ``site.name`` and ``site.tagline`` into ``mkdocs.yml``; True when it changed."""
    if not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    new = NAME_LINE.sub(lambda _: _yaml_line("site_name", attribute_text(site.name)), text, 1)
    if site.tagline:
        tagline = no_markup(_CONTROL.sub("", site.tagline))
        new = DESCRIPTION_LINE.sub(lambda _: _yaml_line("site_description", tagline), new, 1)
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True
