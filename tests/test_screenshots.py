"""Screenshots of the key pages compared with reviewed golden pictures, within a tolerance.

Home, an indicator, the scorecard, the ladder and the seed report, at phone (390 px) and
desktop (1280 px) width, light and dark: the top two screens of each, as a reader first sees
them (charts as pictures; no live chart is drawn). The goldens are downscaled (a fifth of the
width on a desktop, a third on a phone) and reduced to 16 colours (about 10 KB each), so they
stay small in the repository and the comparison is blind to font antialiasing; a screenshot is
reduced to its golden's own palette before they are compared: a pixel "differs" only when a
channel moves by more than DIFFERS, and a page fails when more than SHARE of its pixels differ
or their mean difference passes MEAN. A chart drawn twice, a white block on a dark page, a
card that moved or a layout that broke all move far more than that.

`make golden` (UPDATE_GOLDEN=1) rewrites tests/golden/screens/; review the pictures in the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.conftest import GOLDEN

SCREENS = GOLDEN / "screens"
PAGES = {
    "home": "",
    "indicator": "indicators/fed-assets/",
    "scorecard": "scorecard/",
    "ladder": "ladder/",
    "report": "blog/2026/08/21/",
}
WIDTHS = {"phone": (390, 844, 3), "desktop": (1280, 900, 5)}  # width, height, downscale
COLOURS = 16
DIFFERS = 48  # a channel moved by more than this (of 255): the pixel differs
SHARE = 0.02  # at most this share of pixels may differ
MEAN = 6.0  # and the mean difference over every channel stays below this
# Fonts loaded, every shown image decoded, and Material's bundle and tables.js done with the
# tables (Material wraps each in a scroller, tables.js labels it): the layout is final.
READY = """() => document.fonts.ready.then(() => Array.from(document.images)
  .filter(i => i.offsetParent !== null).every(i => i.complete && i.naturalWidth > 0)
  && Array.from(document.querySelectorAll("article table"))
    .every(t => t.closest(".md-typeset__scrollwrap[data-lw-labelled]")))"""
# Masked (painted grey): the header's search field, drawn by Material's search worker when it
# is ready, and the tables, whose column widths Chromium settles differently from one load to
# the next on a busy machine (their text is checked by the page tests).
MASK = (".md-search", ".md-header__option", "article table")
# The masked tables also get one fixed height each (their scroller clipped to 240 px), so the
# text below them lands in the same place every time. Found: the ladder page's first table
# settled at one of two heights from one load to the next (both stable for seconds), which
# moved everything under it and flipped the picture between two goldens.
FIX_TABLES = """() => document.querySelectorAll("article .md-typeset__scrollwrap").forEach(w => {
  w.style.height = "240px"; w.style.overflow = "hidden"; })"""
# The layout has settled: the page's height and the box of every table and heading unchanged
# over ten polls 50 ms apart (in place of a fixed 300 ms wait, which a busy machine outran).
SETTLED = """() => new Promise(resolve => {
  let last = null, same = 0;
  const tick = () => {
    const boxes = Array.from(document.querySelectorAll("article table, article h2"))
      .map(e => { const r = e.getBoundingClientRect(); return [r.top, r.height]; });
    const key = JSON.stringify([document.documentElement.scrollHeight, boxes]);
    same = key === last ? same + 1 : 0;
    last = key;
    if (same >= 10) resolve(true); else setTimeout(tick, 50);
  };
  tick();
})"""


def _shot(tab, height: int, path: Path, factor: int) -> Image.Image:
    tab.wait_for_function(READY)
    tab.evaluate(FIX_TABLES)
    tab.evaluate(SETTLED)
    page_height = tab.evaluate("document.documentElement.scrollHeight")
    width = tab.viewport_size["width"]
    clip = {"x": 0, "y": 0, "width": width, "height": min(2 * height, page_height)}
    masks = [tab.locator(selector) for selector in MASK]
    tab.screenshot(
        path=str(path),
        clip=clip,
        full_page=True,
        animations="disabled",
        caret="hide",
        mask=masks,
        mask_color="#808080",
    )
    with Image.open(path) as raw:
        small = raw.convert("RGB").resize(
            (raw.width // factor, raw.height // factor), Image.Resampling.BOX
        )
    return small


def _golden(image: Image.Image, palette: Image.Image | None = None) -> Image.Image:
    """The picture in 16 colours: its own, or a golden's (so equal pictures map alike)."""
    if palette is None:
        return image.quantize(COLOURS, dither=Image.Dither.NONE)
    return image.quantize(palette=palette, dither=Image.Dither.NONE)


def difference(actual: Image.Image, golden: Image.Image) -> tuple[float, float] | None:
    """(share of pixels that differ, mean difference), or None when the sizes differ."""
    if actual.size != golden.size:
        return None
    reduced = _golden(actual, golden).convert("RGB")
    delta = ImageChops.difference(reduced, golden.convert("RGB"))
    worst = _max_channel(delta)
    differing = sum(worst.histogram()[DIFFERS + 1 :])
    share = differing / (worst.width * worst.height)
    mean = sum(ImageStat.Stat(delta).mean) / 3
    return share, mean


def _max_channel(delta: Image.Image) -> Image.Image:
    red, green, blue = delta.split()
    return ImageChops.lighter(ImageChops.lighter(red, green), blue)


@pytest.mark.golden
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", list(WIDTHS))
def test_key_pages_look_as_reviewed(
    server: str,
    tabs,
    tmp_path: Path,
    device: str,
    scheme: str,
):
    width, height, factor = WIDTHS[device]
    tab, watch = tabs.open(width, height, scheme, phone=device == "phone", reduced_motion="reduce")
    failures = []
    for page, path in PAGES.items():
        # "load", then READY and SETTLED below: the exact conditions for a final layout (the
        # "networkidle" stood here: 500 ms without a request on every page, on top of them).
        tab.goto(f"{server}{path}", wait_until="load")
        name = f"{page}-{device}-{scheme}.png"
        actual = _shot(tab, height, tmp_path / name, factor)
        golden_path = SCREENS / name
        if os.environ.get("UPDATE_GOLDEN") == "1":
            SCREENS.mkdir(parents=True, exist_ok=True)
            _golden(actual).save(golden_path, optimize=True)
            continue
        if not golden_path.exists():
            failures.append(f"{name}: no golden picture (run `make golden` and review it)")
            continue
        with Image.open(golden_path) as stored:
            stored.load()
            found = difference(actual, stored)
        if found is None or found[0] > SHARE or found[1] > MEAN:
            kept = tmp_path / f"actual-{name}"
            _golden(actual).save(kept)
            failures.append(f"{name}: {found} (share, mean) differs from its golden; see {kept}")
    assert not failures, "\n".join(failures)
    assert not watch.errors, watch.errors
