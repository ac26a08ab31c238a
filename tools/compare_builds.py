"""Compare two builds of the same tree: MkDocs (the reference) and another engine (Zensical).

Material for MkDocs reaches end of life on 5 May 2027; Zensical, its successor, builds from
the same ``mkdocs.yml``. CI builds the tree with both (the ``zensical`` job, allowed to fail)
and runs this script, so the differences are measured, not guessed, long before the switch.

    python tools/compare_builds.py public public-zensical [--summary FILE]

It reports, as a Markdown table (also appended to ``--summary``, e.g. $GITHUB_STEP_SUMMARY):

* **pages**: HTML pages each build has that the other lacks (``404.html`` aside);
* **internal links**: links, pictures, scripts and styles in each build's pages whose target
  is missing from that build (broken links), counted per build with the first few named;
* **feeds**: the RSS and JSON feeds byte for byte (the generator writes them; both engines must
  only copy them);
* **API, downloads and embed pages**: every file under ``api/``, ``downloads/``, ``embed/`` and
  ``data/`` byte for byte (the same: written by the generator, copied by the engine);
* **Content-Security-Policy**: pages with a ``<head>`` but no policy ``<meta>``, per build. The
  policy is written after either engine's build by the same step (``python -m generator csp
  SITE_DIR``, which ``make site`` and the CI job run); a page without one was missed by it.

Exit status: 0 when the feeds, API, downloads and embed pages are identical and every page of
the reference exists in the other build with no broken internal link more than the reference
has; 1 otherwise; 2 on a usage error. Standard library only: it runs before any install.
"""

from __future__ import annotations

import argparse
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

COPIED = ("api", "downloads", "embed", "data")
POLICY = 'http-equiv="Content-Security-Policy"'  # generator/publish/csp.py MARK
FEEDS = "feed_*"
SHOWN = 8  # names listed per finding


class Links(HTMLParser):
    """Every href and src of a page (anchors, pictures, sources, scripts, styles)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("href", "src"):
                self.targets.append(value)
            if value and name == "srcset":
                self.targets += [part.strip().split(" ")[0] for part in value.split(",")]


def pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")} - {"404.html"}


def resolve(site: Path, page: str, target: str) -> Path | None:
    """The file an internal link points at, or None for links to other sites and anchors."""
    target, _ = urldefrag(target)
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not parsed.path or target.startswith("data:"):
        return None
    path = unquote(parsed.path)
    base = site if path.startswith("/") else (site / page).parent
    found = (base / path.lstrip("/")).resolve()
    if found.is_dir() or path.endswith("/"):
        found = found / "index.html"
    return found


def broken_links(site: Path) -> list[str]:
    broken = []
    for page in sorted(pages(site)):
        parser = Links()
        parser.feed((site / page).read_text(encoding="utf-8", errors="replace"))
        for target in parser.targets:
            found = resolve(site, page, target)
            if found is not None and not found.exists():
                broken.append(f"{page} -> {target}")
    return broken


def without_policy(site: Path) -> list[str]:
    """Pages with a head that carry no Content-Security-Policy (``generator csp`` not run)."""
    found = []
    for page in sorted(pages(site) | ({"404.html"} if (site / "404.html").is_file() else set())):
        text = (site / page).read_text(encoding="utf-8", errors="replace")
        if "<head" in text and POLICY not in text:
            found.append(page)
    return found


def files_under(site: Path, patterns: tuple[str, ...]) -> dict[str, bytes]:
    found = {}
    for pattern in patterns:
        for path in site.glob(pattern):
            if path.is_file():
                found[path.relative_to(site).as_posix()] = path.read_bytes()
    return found


def differing(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    names = sorted(set(a) | set(b))
    return [
        f"{n} ({'missing' if n not in b else 'extra' if n not in a else 'differs'})"
        for n in names
        if a.get(n) != b.get(n)
    ]


def listed(items: list[str]) -> str:
    if not items:
        return "none"
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return "; ".join(f"`{i}`" for i in items[:SHOWN]) + more


def compare(reference: Path, other: Path) -> tuple[list[tuple[str, str, bool]], bool]:
    """(finding, detail, ok) rows and whether everything that must match matches."""
    rows = []
    ref_pages, other_pages = pages(reference), pages(other)
    missing, extra = sorted(ref_pages - other_pages), sorted(other_pages - ref_pages)
    rows.append((f"pages only in {reference.name}", listed(missing), not missing))
    rows.append((f"pages only in {other.name}", listed(extra), True))
    ref_broken, other_broken = broken_links(reference), broken_links(other)
    rows.append((f"broken internal links in {reference.name}", listed(ref_broken), True))
    rows.append(
        (
            f"broken internal links in {other.name}",
            listed(other_broken),
            len(other_broken) <= len(ref_broken),
        )
    )
    feeds = differing(files_under(reference, (FEEDS,)), files_under(other, (FEEDS,)))
    rows.append(("feeds (byte for byte)", listed(feeds), not feeds))
    patterns = tuple(f"{folder}/**/*" for folder in COPIED)
    copied = differing(files_under(reference, patterns), files_under(other, patterns))
    rows.append(("API, data, downloads, embed pages (byte for byte)", listed(copied), not copied))
    for site in (reference, other):
        bare = without_policy(site)
        rows.append(
            (f"pages without a Content-Security-Policy in {site.name}", listed(bare), not bare)
        )
    return rows, all(ok for _, _, ok in rows)


def report(reference: Path, other: Path, rows: list[tuple[str, str, bool]]) -> str:
    lines = [
        f"## {other.name} compared with {reference.name}",
        "",
        f"{len(pages(reference))} pages in {reference.name}, {len(pages(other))} in {other.name}.",
        "",
        "| finding | detail | ok |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {detail} | {'yes' if ok else 'NO'} |" for name, detail, ok in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path, help="the MkDocs build (public/)")
    parser.add_argument("other", type=Path, help="the other engine's build")
    parser.add_argument("--summary", type=Path, help="append the Markdown report to this file")
    args = parser.parse_args(argv)
    for folder in (args.reference, args.other):
        if not (folder / "index.html").is_file():
            print(f"error: {folder}/index.html does not exist: build it first", file=sys.stderr)
            return 2
    rows, ok = compare(args.reference, args.other)
    text = report(args.reference, args.other, rows)
    print(text)
    if args.summary:
        with args.summary.open("a", encoding="utf-8") as handle:
            handle.write(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
