"""Static PNG images of chart specs, for report posts and feed enclosures.

The site's specs load their data by URL, which vl-convert cannot follow; here the same CSV
text is put inline, so the image draws exactly the numbers the interactive chart would.
vl-convert writes barely compressed PNGs (about 150 KB for a line chart); re-compressing the
pixel data losslessly brings that to about 30 KB, which matters because every night's images
are committed with its report.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import struct
import tempfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from generator.publish.render import cache_bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDTH = 640  # CSS pixels; a report image is drawn at SCALE device pixels per CSS pixel
# The phone drawing: narrow enough for a 390 px screen, so axis text keeps its real size.
NARROW = 290
DARK_BACKGROUND = "#333"  # vl-convert's dark theme
# 2x: at 1x a 640 px image shown on a 390 px phone has axis text of about 5 px, unreadable
# on a high-density screen. Posts written before this keep their 1x images (see report.py).
SCALE = 2
# vl-convert aborts the whole process (a Rust panic) on control characters in chart text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What vl-convert's font database (fontdb, which reads fontconfig's files itself) is told to
# load from the machine: the folder this file is written in, which holds no font.
_NO_FONTS = '<?xml version="1.0"?>\n<fontconfig><dir prefix="relative">.</dir></fontconfig>\n'


@functools.cache
def vl_convert() -> ModuleType:
    """vl-convert, drawing with the Liberation Sans it carries and none of the machine's fonts.

    Its font database is made once per process, on first use, from the machine's fonts and
    then its own copy of Liberation Sans (Vega's "sans-serif"). The machine's copy, when there
    is one, came first and was read from its file: opened, mapped and closed again for every
    label measured, about 1,900 times a chart (a fifth of a cold build's CPU, most of it in the
    kernel). Pointing ``FONTCONFIG_FILE`` at a configuration naming no fonts while the database
    is made leaves only vl-convert's own copy, held in memory. Its widths are the same, so the
    SVGs are byte for byte those drawn before; PNGs differ in a few anti-aliased edge pixels,
    now the same whichever fonts the machine has (on Linux, where fontdb reads fontconfig).
    The variable is set back at once: Chromium, started later by a test, reads it too.
    Every use of vl-convert goes through here (tests/test_architecture.py)."""
    import vl_convert as module

    before = os.environ.get("FONTCONFIG_FILE")
    with tempfile.TemporaryDirectory(prefix="lw-fonts-") as folder:
        config = Path(folder) / "fonts.conf"
        config.write_text(_NO_FONTS, encoding="utf-8")
        os.environ["FONTCONFIG_FILE"] = str(config)
        try:  # any drawing makes the database; this one is the smallest
            module.svg_to_png('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
        finally:
            if before is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = before
    return module


def inline_data(spec: object, tables: Mapping[str, str]) -> object:
    """A copy of ``spec`` where every ``{"url": u, "format": ...}`` in ``tables`` is inline."""
    if isinstance(spec, dict):
        url = spec.get("url")
        if isinstance(url, str) and "format" in spec and url in tables:
            return {"values": tables[url], "format": spec["format"]}
        return {key: inline_data(value, tables) for key, value in spec.items()}
    if isinstance(spec, list):
        return [inline_data(item, tables) for item in spec]
    return spec


def render_png(
    spec: dict[str, Any],
    tables: Mapping[str, str],
    scale: int = 1,
    theme: Literal["dark"] | None = None,
    width: int = WIDTH,
    cache_dir: Path | None = None,
) -> bytes:
    """The spec drawn at a fixed width with its data inline; raises if a URL is left over.

    ``scale`` multiplies the pixels, not the layout, so a 2x image shown ``WIDTH`` CSS pixels
    wide looks like the 1x one, only sharp; ``theme="dark"`` is vl-convert's dark theme (an
    opaque dark background, light text), for readers whose system prefers a dark scheme.
    With ``cache_dir``, a picture drawn before from the same spec, data, size, theme and
    renderer is read back instead of drawn again (a report's four drawings of each chart at 2x
    are most of its time, and a re-run night draws exactly the same ones).
    """
    drawing = vl_convert()
    drawn = without_control_characters(inline_data(spec, tables))
    assert isinstance(drawn, dict)  # a spec is a mapping, and both walks keep its shape
    leftover = sorted(_urls(drawn))
    if leftover:
        raise ValueError(f"chart data not provided for {', '.join(leftover)}")
    drawn["width"] = width
    # A report's picture shows all the data it was given (the site's charts open on the last
    # two years, a window only the live chart can widen).
    for param in drawn.get("params", []):
        if isinstance(param, dict) and param.get("name") == "lw_all":
            param["value"] = True
        if isinstance(param, dict) and param.get("name") == "lw_halo" and theme == "dark":
            param["value"] = DARK_BACKGROUND  # labels outlined in the picture's own colour
    version = getattr(drawing, "__version__", "unknown")
    key = hashlib.sha256(
        json.dumps(["report-png", version, scale, theme, drawn], sort_keys=True).encode()
    ).hexdigest()
    cached = None if cache_dir is None else cache_dir / f"{key}.report.png"
    if cached is not None and cached.exists():
        return cached.read_bytes()
    if theme is None:  # exactly the call earlier posts' images were made with
        png = compact_png(drawing.vegalite_to_png(drawn, scale=scale))
    else:
        png = compact_png(drawing.vegalite_to_png(drawn, scale=scale, theme=theme))
    if cached is not None:
        cache_bytes(cached, png)
    return png


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels, from the PNG's header chunk."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def without_control_characters(node: object) -> object:
    """A copy with control characters (other than tab and newlines) removed from every string."""
    if isinstance(node, str):
        return _CONTROL.sub("", node)
    if isinstance(node, dict):
        return {key: without_control_characters(value) for key, value in node.items()}
    if isinstance(node, list):
        return [without_control_characters(item) for item in node]
    return node


def compact_png(data: bytes) -> bytes:
    """The same image with its pixel data recompressed at zlib level 9 (lossless)."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    chunks: list[tuple[bytes, bytes]] = []
    pixels = bytearray()
    position = len(PNG_SIGNATURE)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IDAT":
            if not any(k == b"IDAT" for k, _ in chunks):
                chunks.append((b"IDAT", b""))  # placeholder where the pixel data goes
            pixels += body
        else:
            chunks.append((kind, body))
    packed = zlib.compress(zlib.decompress(bytes(pixels)), 9)
    out = bytearray(PNG_SIGNATURE)
    for kind, body in chunks:
        body = packed if kind == b"IDAT" else body
        out += struct.pack(">I", len(body)) + kind + body
        out += struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return bytes(out)


def _urls(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("url"), str):
            yield node["url"]
        for value in node.values():
            yield from _urls(value)
    elif isinstance(node, list):
        for value in node:
            yield from _urls(value)


@dataclass(frozen=True)
class Drawing:
    """One of a report picture's drawings as its post shows it."""

    path: str  # relative to the post, like the light image's
    css_class: str  # which the stylesheet shows, by scheme and screen (extra.css)
    size: tuple[int, int]  # CSS pixels: a 2x drawing is shown at half its pixels


def phone_drawings(path: str, narrow: Mapping[str, bytes]) -> list[Drawing]:
    """The phone drawings of the picture at ``path`` (``narrow``: PNG by suffix), light then
    dark; none unless both exist, so a phone in either scheme always has one to show."""
    if set(narrow) != {".narrow", ".narrow.dark"}:
        return []
    stem = path.removesuffix(".png")
    found = []
    for suffix, css_class in (
        (".narrow", "lw-report-narrow-light"),
        (".narrow.dark", "lw-report-narrow-dark"),
    ):
        width, height = png_size(narrow[suffix])
        found.append(Drawing(f"{stem}{suffix}.png", css_class, (width // SCALE, height // SCALE)))
    return found
