"""Benchmarks: build cost against MkDocs, scaling, page weight, time to charts, determinism,
the home page's first view over gzip and Lighthouse's mobile scores (bench/web.py).

Prints a table and writes bench/results.json. Run with `make bench` (about 4 to 8 minutes on
2 cores). Every build happens in a temporary copy of the project, so the working tree is
never touched. Figures are medians of repeated runs; tests never assert on time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import releases, web  # noqa: E402
from generator.build import build  # noqa: E402
from generator.publish import csp  # noqa: E402
from tests.conftest import CACHE_VARIABLE, copy_project  # noqa: E402  (the tests' private copy)

# copy_project links each copy's chart caches to one shared folder, as in a test run: here a
# fresh one per bench run, so the first build of each size draws every chart (found: `make
# bench` stopped with a KeyError since the test cache became shared).
os.environ.setdefault(CACHE_VARIABLE, tempfile.mkdtemp(prefix="lw-bench-cache-"))

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "20,50,100,200").split(",")]
BUDGETS = {
    "generator_over_mkdocs": 0.5,
    "scale_per_indicator_ratio": 1.5,
    "build_200_seconds": 60.0,
    "chart_kb": 100.0,
    "home_kb_without_vega": 400.0,
    "differing_files": 0,
    # issue 14: what a phone pays, over gzip, and Lighthouse mobile on four page types
    "home_first_view_gzip_kb": 150.0,
    "lighthouse_tbt_ms_worst": 200.0,
}
# Budgets that are floors: the value must be at least this.
FLOORS = {"lighthouse_performance_worst": 0.95, "lighthouse_accessibility_worst": 1.0}


def mkdocs_build(root: Path) -> float:
    """Seconds of `mkdocs build` alone; then the post-build step `make site` runs (each page's
    Content-Security-Policy), so what is measured after is the site as published."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    csp.write_site(root / "public")
    return seconds


def generator_cost(root: Path) -> dict[str, float]:
    """Median time of our stages and of `mkdocs build` on the same output."""
    stages: dict[str, list[float]] = {}
    mkdocs: list[float] = []
    build(root, quiet=True)  # warm-up: writes the Vega bundle once, as a real checkout would
    for _ in range(RUNS):
        report = build(root, quiet=True)
        for stage, seconds in report.timings.items():
            stages.setdefault(stage, []).append(seconds)
        mkdocs.append(mkdocs_build(root))
    result = {stage: statistics.median(values) for stage, values in stages.items()}
    result["generator_total"] = sum(result.values())
    result["mkdocs"] = statistics.median(mkdocs)
    result["generator_over_mkdocs"] = result["generator_total"] / result["mkdocs"]
    return result


SERIES_POOL = [
    "WALCL",
    "WRESBAL",
    "TREAST",
    "WTREGEN",
    "RRPONTSYD",
    "SOFR",
    "IORB",
    "BTC-USD",
    "ETH-USD",
    "BNB-USD",
]
WINDOWS = ["4w", "13w", "26w", "52w"]


def synthetic_config(n: int) -> dict:
    """n indicators over the real series, cycling through formulas, windows and chart kinds."""
    real = yaml.safe_load((ROOT / "indicators.yml").read_text())
    indicators = []
    for i in range(n):
        series = SERIES_POOL[i % len(SERIES_POOL)]
        window = WINDOWS[(i // len(SERIES_POOL)) % len(WINDOWS)]
        quantities = {
            "level": {"label": "Level", "formula": {"op": "scale", "of": series, "factor": 0.001}},
            "change": {
                "label": "Change",
                "formula": {"op": "pct_change", "of": "level", "window": window},
            },
            "mean": {
                "label": "Mean",
                "formula": {"op": "rolling_mean", "of": "change", "periods": 10},
            },
            "z": {"label": "Z-score", "formula": {"op": "zscore", "of": "change", "window": "3y"}},
            "pct": {
                "label": "Percentile",
                "unit": "percentile",
                "formula": {"op": "percentile", "of": "level"},
            },
        }
        restricted = not real["series"][series].get("redistribute", True)
        plot = ["change", "mean"] if restricted or i % 2 else ["level"]
        indicators.append(
            {
                "id": f"bench-{i:03d}",
                "title": f"Benchmark {i} ({series}, {window})",
                "group": "liquidity",
                "unit": "units",
                "measures": "A synthetic indicator for the scaling benchmark.",
                "thesis": "None: it only exercises the pipeline.",
                "quantities": quantities,
                "card": {"value": "level", "change": "change", "percentile": "pct"},
                "chart": {
                    "kind": "line",
                    "plot": plot,
                    "window": ["3y", "5y", "10y", "all"][i % 4],
                },
                "status": [
                    {
                        "when": "z > 1",
                        "level": "calm",
                        "say": "Benchmark {{ z|num(2) }} on {{ date }}.",
                    },
                    {
                        "when": "z <= 1",
                        "level": "watch",
                        "say": "Benchmark {{ z|num(2) }} on {{ date }}.",
                    },
                ],
            }
        )
    # No reserves or net-liquidity page here: the attribution chart is shown on none.
    return {
        "site": real.get("site", {}),
        "releases": real.get("releases", {}),  # the series name theirs
        "series": real["series"],
        "indicators": indicators,
        "attribution": {"pages": []},
        "nowcast": None,  # its default continues the reserves and net-liquidity charts
    }


def scale(workdir: Path) -> dict:
    rows = {}
    for n in SIZES:
        root = copy_project(workdir / f"scale-{n}")
        (root / "indicators.yml").write_text(yaml.safe_dump(synthetic_config(n), sort_keys=False))
        build(root, quiet=True)  # warm-up (Vega bundle)
        times = []
        for _ in range(max(1, RUNS // 2)):
            started = time.perf_counter()
            build(root, quiet=True)
            mkdocs_build(root)
            times.append(time.perf_counter() - started)
        seconds = statistics.median(times)
        rows[n] = {"seconds": seconds, "per_indicator": seconds / n}
        shutil.rmtree(root)
    first, last = SIZES[0], SIZES[-1]
    return {
        "sizes": rows,
        "scale_per_indicator_ratio": rows[last]["per_indicator"] / rows[first]["per_indicator"],
        "build_200_seconds": rows.get(200, {}).get("seconds"),
    }


def page_weight(public: Path) -> dict:
    """Bytes the home page needs, and bytes per chart (spec plus its CSV)."""
    html = (public / "index.html").read_text()
    import re

    assets = set(re.findall(r'(?:href|src)="([^"]+\.(?:css|js))[^"]*"', html))
    own = sum(
        (public / a).stat().st_size
        for a in assets
        if (public / a).exists() and "vega-bundle" not in a
    )
    vega = (public / "assets/js/vega-bundle.js").stat().st_size
    charts_on_home = re.findall(r'href="(charts/[^"]+\.vl\.json)"', html)
    chart_bytes = {}
    for spec in sorted((public / "charts").glob("*.vl.json")):
        data = public / "data" / spec.name.replace(".vl.json", ".csv")
        chart_bytes[spec.stem.replace(".vl", "")] = spec.stat().st_size + (
            data.stat().st_size if data.exists() else 0
        )
    home_charts = sum(chart_bytes[c.split("/")[1].replace(".vl.json", "")] for c in charts_on_home)
    # The chart pictures of the reader's (light) scheme, shown before any Vega loads.
    pictures = set(re.findall(r'src="(charts/[\w-]+\.svg)"', html))  # wide, light
    # First view: the page, its own CSS/JS and the pictures; the specs and their CSVs load
    # with Vega, when the reader reaches for a chart.
    without = len(html.encode()) + own
    without += sum((public / p).stat().st_size for p in pictures if (public / p).exists())
    return {
        "home_kb_without_vega": without / 1024,
        "home_kb_with_vega": (without + vega + home_charts) / 1024,
        "vega_bundle_kb": vega / 1024,
        "chart_kb": {name: size / 1024 for name, size in chart_bytes.items()},
        "largest_chart_kb": max(chart_bytes.values()) / 1024,
    }


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def time_to_charts(public: Path) -> float | None:
    """Median seconds from navigation to every home-page chart drawn, in headless Chromium."""
    if not Path("/usr/bin/chromium").exists():
        return None
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(public))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        for _ in range(RUNS):
            context = browser.new_context()  # cold cache each time
            page = context.new_page()
            started = time.perf_counter()
            page.goto(url)
            # Charts are pictures first; the interactive chart is drawn when the reader reaches
            # for it, as the pointer over each picture does here.
            figures = page.locator("figure.lw-chart")
            for i in range(figures.count()):
                figures.nth(i).hover()
            expected = page.locator("a.vega-chart").count()
            page.wait_for_function(
                "n => document.querySelectorAll('div.vega-chart[data-rendered] svg').length >= n",
                arg=expected,
            )
            times.append(time.perf_counter() - started)
            context.close()
        browser.close()
    httpd.shutdown()
    return statistics.median(times)


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def determinism(workdir: Path) -> dict:
    digests = []
    for name in ("det-a", "det-b"):
        root = copy_project(workdir / name)
        build(root, quiet=True)
        mkdocs_build(root)
        digests.append(tree_digest(root / "public"))
    a, b = digests
    differing = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return {"files": len(a), "differing_files": len(differing), "differing": differing[:20]}


def main() -> int:
    started = time.perf_counter()
    results: dict = {"runs": RUNS}
    with tempfile.TemporaryDirectory(prefix="lw-bench-") as tmp:
        workdir = Path(tmp)
        root = copy_project(workdir / "main")
        results["cost"] = generator_cost(root)
        results["weight"] = page_weight(root / "public")
        results["time_to_charts_s"] = time_to_charts(root / "public")
        results["first_view"] = web.first_view(root / "public")
        results["lighthouse"] = web.lighthouse(root / "public")
        results["determinism"] = determinism(workdir)
        results["scale"] = scale(workdir)
    results["releases"] = releases.measure()  # issue 21: release to page, timed vs nightly
    results["bench_seconds"] = time.perf_counter() - started
    results["budgets"] = verdicts(results)
    (ROOT / "bench" / "results.json").write_text(
        json.dumps(results, indent=1, sort_keys=True) + "\n"
    )
    print_table(results)
    print()
    releases.print_table(results["releases"])
    return 0


def verdicts(r: dict) -> dict[str, dict]:
    """Each figure against its budget. Lighthouse is judged on its worst page, since the
    issue's budgets hold for every one of the four; a figure that could not be measured is
    reported as missed, never as met."""
    pages = r["lighthouse"].get("pages", {}).values()
    ceilings = {
        "generator_over_mkdocs": r["cost"]["generator_over_mkdocs"],
        "scale_per_indicator_ratio": r["scale"]["scale_per_indicator_ratio"],
        "build_200_seconds": r["scale"]["build_200_seconds"],
        "chart_kb": r["weight"]["largest_chart_kb"],
        "home_kb_without_vega": r["weight"]["home_kb_without_vega"],
        "differing_files": r["determinism"]["differing_files"],
        "home_first_view_gzip_kb": (r["first_view"] or {}).get("home_first_view_gzip_kb"),
        "lighthouse_tbt_ms_worst": max((p["tbt_ms"] for p in pages), default=None),
    }
    floors = {
        "lighthouse_performance_worst": min((p["performance"] for p in pages), default=None),
        "lighthouse_accessibility_worst": min((p["accessibility"] for p in pages), default=None),
    }
    verdict = {
        name: {
            "value": value,
            "budget": BUDGETS[name],
            "ok": value is not None and value <= BUDGETS[name],
        }
        for name, value in ceilings.items()
    }
    for name, value in floors.items():
        ok = value is not None and value >= FLOORS[name]
        verdict[name] = {"value": value, "floor": FLOORS[name], "ok": ok}
    return verdict


def print_table(r: dict) -> None:
    cost = r["cost"]
    print(f"Liquidity Watch benchmarks (median of {r['runs']} runs)\n")
    print("| measure | value | budget | ok |")
    print("|---|---:|---:|---|")
    for stage in ("load", "indicators", "charts", "pages"):
        print(f"| generator stage: {stage} | {cost.get(stage, 0):.2f} s | | |")
    print(f"| generator total | {cost['generator_total']:.2f} s | | |")
    print(f"| mkdocs build | {cost['mkdocs']:.2f} s | | |")
    for name, check in r["budgets"].items():
        value = check["value"]
        shown = "n/a" if value is None else f"{value:.2f}"
        limit = f"≥ {check['floor']}" if "floor" in check else f"≤ {check['budget']}"
        print(f"| {name} | {shown} | {limit} | {'met' if check['ok'] else 'MISSED'} |")
    for n, row in r["scale"]["sizes"].items():
        each = row["per_indicator"] * 1000
        print(f"| build {n} indicators | {row['seconds']:.2f} s ({each:.0f} ms each) | | |")
    weight = r["weight"]
    print(f"| home page with Vega bundle | {weight['home_kb_with_vega']:.0f} KB | | |")
    ttc = r["time_to_charts_s"]
    print(f"| time to charts (home, Chromium) | {'n/a' if ttc is None else f'{ttc:.2f} s'} | | |")
    print(f"| files compared for determinism | {r['determinism']['files']} | | |")
    view = r["first_view"]
    if view is not None:
        label = "home first view: requests (412x823, gzip, no interaction)"
        print(f"| {label} | {view['requests']} | | |")
    light = r["lighthouse"]
    if "error" in light:
        print(f"\nLighthouse did not run: {light['error']}")
    else:
        print(f"\nLighthouse {light['version']} mobile, median of {light['runs']} runs:\n")
        print("| page | performance | accessibility | total blocking time |")
        print("|---|---:|---:|---:|")
        for page, row in light["pages"].items():
            scores = f"{row['performance']:.2f} | {row['accessibility']:.2f}"
            print(f"| {page} | {scores} | {row['tbt_ms']:.0f} ms |")
    print(f"\nbench took {r['bench_seconds']:.0f} s; figures in bench/results.json")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
