"""The browser's chart libraries: ``site/assets/js/vega-bundle.js`` from pinned npm packages.

``charts.js`` loads this bundle when a reader reaches for a chart. The libraries come from
``package.json``/``package-lock.json`` (``npm ci``), so their versions are pinned, audited
with npm's tools and updated on purpose; vl-convert's bundle, used before, lagged behind.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.catalogue.messages import ConfigError

# The browser's chart libraries, pinned in package.json and package-lock.json (npm ci), in the
# order they load: vega-embed needs vega and vega-lite on the page. Not vl-convert's bundle:
# its newest release lacks the fix for CVE-2025-66648 (vega-functions 6.1.1).
VEGA_PACKAGES = (
    ("vega", "build/vega.min.js"),
    ("vega-lite", "build/vega-lite.min.js"),
    ("vega-embed", "build/vega-embed.min.js"),
)


def node_modules(root: Path) -> Path:
    """The project's ``node_modules``, else the one beside this package (a test's project copy
    has none of its own)."""
    own = root / "node_modules"
    return own if (own / "vega").is_dir() else Path(__file__).resolve().parents[2] / "node_modules"


def vega_versions(modules: Path) -> dict[str, str]:
    """The installed version of each chart library; ``ConfigError`` when one is missing."""
    versions = {}
    for name, build_file in VEGA_PACKAGES:
        manifest = modules / name / "package.json"
        if not manifest.is_file() or not (modules / name / build_file).is_file():
            raise ConfigError(
                [
                    f"node_modules/{name}/{build_file} is missing: run `npm ci` (package.json "
                    "pins the chart libraries the site's interactive charts load)"
                ]
            )
        versions[name] = str(json.loads(manifest.read_text())["version"])
    return versions


def ensure(assets: Path, root: Path) -> Path:
    """``assets/vega-bundle.js``: the pinned npm builds of vega, vega-lite and vega-embed, one
    after another; rewritten only when their versions change (``vega-bundle.version``)."""
    modules = node_modules(root)
    versions = vega_versions(modules)
    stamp_text = "".join(f"{name} {version}\n" for name, version in versions.items())
    target = assets / "vega-bundle.js"
    stamp = assets / "vega-bundle.version"
    if target.exists() and stamp.exists() and stamp.read_text() == stamp_text:
        return target
    parts = [
        f"/* {name} {version} (BSD-3-Clause), from npm */\n" for name, version in versions.items()
    ]
    bundle = "".join(
        header + (modules / name / build_file).read_text().rstrip() + "\n;\n"
        for header, (name, build_file) in zip(parts, VEGA_PACKAGES, strict=True)
    )
    assets.mkdir(parents=True, exist_ok=True)
    target.write_text(bundle)
    stamp.write_text(stamp_text)
    return target
