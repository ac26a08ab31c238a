"""tools/compare_builds.py, the CI comparison of the Zensical build with the MkDocs one, on two
small site folders made here: each kind of difference is found, and equal builds pass."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from tests.conftest import ROOT


def load():
    spec = importlib.util.spec_from_file_location(
        "compare_builds", ROOT / "tools" / "compare_builds.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def site(folder: Path) -> Path:
    files = {
        "index.html": '<a href="about/">About</a><img src="charts/x.svg"><a href="#top">top</a>'
        '<a href="https://example.org/">out</a>',
        "about/index.html": '<a href="../">home</a><link href="../assets/s.css" rel="stylesheet">',
        "charts/x.svg": "<svg/>",
        "assets/s.css": "body{}",
        "feed_rss_created.xml": "<rss/>",
        "feed_json_created.json": "{}",
        "api/latest.json": '{"version": 1}',
        "downloads/x.zip": "zip",
        "embed/x.html": '<img src="../charts/x.svg">',
    }
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def test_equal_builds_pass(tmp_path: Path):
    tool = load()
    a, b = site(tmp_path / "public"), site(tmp_path / "other")
    rows, ok = tool.compare(a, b)
    assert ok, rows
    assert tool.broken_links(a) == []
    assert tool.main([str(a), str(b), "--summary", str(tmp_path / "summary.md")]) == 0
    assert "| feeds (byte for byte) | none | yes |" in (tmp_path / "summary.md").read_text()


def test_each_kind_of_difference_is_found(tmp_path: Path):
    tool = load()
    a, b = site(tmp_path / "public"), site(tmp_path / "other")
    shutil.rmtree(b / "about")  # a missing page, and the home page's link to it breaks
    (b / "feed_rss_created.xml").write_text("<rss>changed</rss>")
    (b / "api/latest.json").unlink()
    # a page the post-build step (generator csp) missed: a head without the policy
    home = (b / "index.html").read_text()
    (b / "index.html").write_text(f"<html><head><title>x</title></head><body>{home}</body></html>")
    rows, ok = tool.compare(a, b)
    assert not ok
    found = {name: (detail, passed) for name, detail, passed in rows}
    assert found["pages only in public"] == ("`about/index.html`", False)
    assert found["broken internal links in other"] == ("`index.html -> about/`", False)
    assert found["feeds (byte for byte)"] == ("`feed_rss_created.xml (differs)`", False)
    detail, passed = found["API, data, downloads, embed pages (byte for byte)"]
    assert detail == "`api/latest.json (missing)`" and not passed
    assert found["pages without a Content-Security-Policy in public"] == ("none", True)
    assert found["pages without a Content-Security-Policy in other"] == ("`index.html`", False)
    assert tool.main([str(a), str(b)]) == 1
    assert tool.main([str(a), str(tmp_path / "nowhere")]) == 2
