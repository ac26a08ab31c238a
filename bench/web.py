"""What a reader's browser pays: the home page's first view over gzip, and Lighthouse's scores.

Both serve the built site on 127.0.0.1 with gzip, as GitHub Pages serves it, because the
budgets in issue 14 are about bytes on the wire, not bytes on disk (text shrinks 3 to 5 times).

* **First view.** Headless Chromium at a phone's 412x823 opens the home page with a cold cache
  and waits until the network is idle, without scrolling, hovering or touching anything; the
  figure is the sum of the response bodies the server sent for that load (gzip-compressed
  where the server compresses, headers excluded). Counting at the server, not in the browser,
  gives exactly the bytes transferred, and includes lazy requests made during the load.
* **Lighthouse.** The npm package pinned in package.json (mobile defaults: Moto G Power
  emulation, simulated slow 4G and 4x CPU slowdown) against Debian's Chromium, median of
  ``LIGHTHOUSE_RUNS`` runs per page. If Lighthouse or Chromium is missing, or a run fails, the
  figures are ``None`` with the reason, and the rest of the bench carries on.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import os
import statistics
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
# Five runs: blocking time on this 2-core machine ranges over 100 ms between single runs of one
# page, so a median of three could still land on an outlier.
LIGHTHOUSE_RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "5"))
LIGHTHOUSE_PAGES = {
    "home": "",
    "indicator (sofr-iorb-spread)": "indicators/sofr-iorb-spread/",
    "scorecard": "scorecard/",
    "ladder": "ladder/",
}
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync"
)
PHONE = {"width": 412, "height": 823}  # Lighthouse's mobile viewport
# The types GitHub Pages compresses; images (PNG, WOFF2) are already compressed.
GZIP_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "xml")
GZIP_LEVEL = 6


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files, text gzip-compressed when the client accepts it; counts body bytes sent."""

    sent: list[int]  # set per server, see serve()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]  # the base class's own signature
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the base class redirects to the slash URL
            path = path / "index.html"
        kind = self.guess_type(str(path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (path.is_file() and accepts and any(t in kind for t in GZIP_TYPES)):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), GZIP_LEVEL, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return _Counted(body)

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        data = source.read()
        self.sent.append(len(data))
        outputfile.write(data)


class _Counted:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(self) -> bytes:
        return self.body

    def close(self) -> None:
        pass


@contextlib.contextmanager
def serve(public: Path) -> Iterator[tuple[str, list[int]]]:
    """The site on 127.0.0.1 with gzip; yields its URL and the list of body sizes sent."""
    sent: list[int] = []
    handler = type("Handler", (GzipHandler,), {"sent": sent})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=public))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", sent
    finally:
        httpd.shutdown()


def first_view(public: Path) -> dict | None:
    """Bytes transferred (gzip) for the home page's first view at phone size, cold cache."""
    if not CHROMIUM.exists():
        return None
    from playwright.sync_api import sync_playwright

    with serve(public) as (url, sent), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_FLAGS.split()[1:])
        context = browser.new_context(viewport=PHONE, device_scale_factor=1.75, is_mobile=True)
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        requests = len(sent)
        total = sum(sent)
        context.close()
        browser.close()
    return {"home_first_view_gzip_kb": total / 1024, "requests": requests}


def lighthouse(public: Path) -> dict:
    """Median Lighthouse mobile scores per page, or the reason there are none."""
    if not LIGHTHOUSE.exists():
        return {"error": f"{LIGHTHOUSE.relative_to(ROOT)} missing: run npm ci"}
    if not CHROMIUM.exists():
        return {"error": f"{CHROMIUM} missing"}
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    pages: dict[str, dict] = {}
    with serve(public) as (url, _):
        for name, path in LIGHTHOUSE_PAGES.items():
            runs = []
            for _ in range(LIGHTHOUSE_RUNS):
                command = [
                    str(LIGHTHOUSE),
                    url + path,
                    "--output=json",
                    "--output-path=stdout",
                    "--only-categories=performance,accessibility",
                    f"--chrome-flags={CHROME_FLAGS}",
                    "--quiet",
                ]
                done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
                if done.returncode != 0:
                    return {"error": f"lighthouse failed on {path or '/'}: {done.stderr[-500:]}"}
                result = json.loads(done.stdout)
                if result.get("runtimeError"):
                    return {"error": f"lighthouse on {path or '/'}: {result['runtimeError']}"}
                categories = result["categories"]
                runs.append(
                    {
                        "performance": categories["performance"]["score"],
                        "accessibility": categories["accessibility"]["score"],
                        "tbt_ms": result["audits"]["total-blocking-time"]["numericValue"],
                    }
                )
            pages[name] = {key: statistics.median(run[key] for run in runs) for key in runs[0]} | {
                "runs": runs
            }
    version = json.loads((ROOT / "node_modules/lighthouse/package.json").read_text())["version"]
    return {"version": version, "runs": LIGHTHOUSE_RUNS, "pages": pages}
