"""The browser's chart libraries come from pinned npm packages (issue 25): ``package.json``
pins vega, vega-lite and vega-embed exactly, ``package-lock.json`` agrees, none is in the
range of a known advisory, and the build copies exactly those files into the bundle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.catalogue.messages import ConfigError
from generator.publish import vega_bundle
from tests.conftest import ROOT

# The first release of each package with the fixes of the Vega advisories we know of:
# CVE-2025-66648 (GHSA-m9rg-mr6g-75gm: vega-functions < 6.1.1, `setdata` XSS, not prevented
# by the expression interpreter) and CVE-2025-59840 (GHSA-7f2v-3qq3-vvjf: vega < 6.2.0,
# vega-expression < 6.1.0).
FIXED = {"vega": "6.2.0", "vega-functions": "6.1.1", "vega-expression": "6.1.0"}


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("-")[0].split("."))


def test_the_chart_libraries_are_pinned_and_free_of_known_advisories(capsys):
    pins = json.loads((ROOT / "package.json").read_text())["dependencies"]
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    installed = vega_bundle.vega_versions(vega_bundle.node_modules(ROOT))
    with capsys.disabled():
        print("\nchart libraries:", ", ".join(f"{k} {v}" for k, v in installed.items()), end="")
        print("; vega-functions", lock["node_modules/vega-functions"]["version"], end="")
    for name, _ in vega_bundle.VEGA_PACKAGES:
        assert version(pins[name]), f"{name} is not pinned exactly: {pins[name]}"
        assert lock[f"node_modules/{name}"]["version"] == pins[name] == installed[name]
    for name, fixed in FIXED.items():
        locked = lock[f"node_modules/{name}"]["version"]
        assert version(locked) >= version(fixed), f"{name} {locked} predates the fix in {fixed}"


def test_the_bundle_is_the_pinned_builds_in_load_order(tmp_path: Path):
    target = vega_bundle.ensure(tmp_path / "js", ROOT)
    bundle = target.read_text()
    modules = vega_bundle.node_modules(ROOT)
    positions = []
    for name, build_file in vega_bundle.VEGA_PACKAGES:
        code = (modules / name / build_file).read_text().rstrip()
        assert code in bundle, name
        positions.append(bundle.index(code))
    assert positions == sorted(positions)  # vega, then vega-lite, then vega-embed
    stamp = (tmp_path / "js" / "vega-bundle.version").read_text()
    assert stamp == "".join(
        f"{name} {v}\n" for name, v in vega_bundle.vega_versions(modules).items()
    )
    before = target.stat().st_mtime_ns
    vega_bundle.ensure(tmp_path / "js", ROOT)
    assert target.stat().st_mtime_ns == before  # unchanged versions: not rewritten
    assert "vl_convert" not in (ROOT / "generator" / "publish" / "vega_bundle.py").read_text()


def test_missing_libraries_are_one_message_naming_npm_ci(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"node_modules/vega/build/vega.min.js is missing: run"):
        vega_bundle.vega_versions(tmp_path)
