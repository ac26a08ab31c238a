"""What a reader sees of a chart, read from the browser: how many charts each figure shows, the
legend entries without a visible mark, the label boxes that overlap or leave the plot.

Shared by tests/test_chart_integrity.py (the live charts and the pictures) and
tests/test_screenshots.py. Each check returns what is wrong, in words, so an assertion names it.
"""

from __future__ import annotations

from typing import Any

# Per figure: the pictures and live charts that take space on screen now.
SHOWN_PER_FIGURE = """
() => Array.from(document.querySelectorAll("figure.lw-chart")).map(figure => {
  const visible = el => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.display !== "none" && style.visibility !== "hidden" && box.height > 0;
  };
  return Array.from(figure.querySelectorAll("img.lw-picture, div.vega-chart"))
    .filter(visible)
    .map(el => el.tagName === "IMG" ? "picture " + el.className : "live " + el.dataset.scheme);
})
"""

# One chart's SVG (a live chart's holder, or a picture opened on its own): its legend entries
# with the boxes of the marks in their colour, its labels' boxes and its plot's box.
READ_SVG = """
(root) => {
  const svg = root.tagName === "svg" ? root : root.querySelector("svg");
  if (!svg) return null;
  // Each distinct paint is resolved once (a probe added and removed is a style recalculation
  // of the chart; a chart has a few colours and hundreds of marks), as is each node's opacity.
  const colours = new Map();
  const colour = c => {
    if (!c || c === "none" || c === "transparent") return null;
    if (!colours.has(c)) {
      const probe = document.createElementNS("http://www.w3.org/2000/svg", "g");
      probe.setAttribute("fill", c);
      probe.style.fill = c;
      svg.appendChild(probe);
      colours.set(c, getComputedStyle(probe).fill);
      probe.remove();
    }
    return colours.get(c);
  };
  const seen = new Map();
  const opaque = el => {
    if (!el || el === svg) return true;
    if (!seen.has(el)) {
      const o = el.getAttribute && el.getAttribute("opacity");
      const hidden = (o !== null && o !== undefined && parseFloat(o) === 0)
        || (el.nodeType === 1 && getComputedStyle(el).opacity === "0");
      seen.set(el, !hidden && opaque(el.parentNode));
    }
    return seen.get(el);
  };
  const box = el => {
    const b = el.getBoundingClientRect();
    return [b.left, b.top, b.width, b.height];
  };
  const entries = [];
  svg.querySelectorAll("g.role-legend-label text").forEach((text, i) => {
    const symbols = svg.querySelectorAll("g.role-legend-symbol path");
    const symbol = symbols[i];
    const paint = symbol && (symbol.getAttribute("fill") || symbol.getAttribute("stroke"));
    entries.push({label: text.textContent, colour: colour(paint)});
  });
  const marks = Array.from(svg.querySelectorAll(
    "g.role-mark path, g.role-mark line, g.role-mark rect"
  )).filter(el => !el.closest("g.role-legend") && opaque(el)).map(el => ({
    fill: colour(el.getAttribute("fill")),
    stroke: colour(el.getAttribute("stroke")),
    box: box(el),
  }));
  const texts = Array.from(svg.querySelectorAll("text")).filter(t => {
    if (!t.textContent.trim() || !opaque(t)) return false;
    const stroke = t.getAttribute("stroke");
    return !stroke || stroke === "none";  // a label's halo sits under the label itself
  }).map(t => ({
    text: t.textContent,
    role: (t.closest("g[class*='role-']") || {className: {baseVal: ""}}).className.baseVal,
    box: box(t),
  }));
  const frame = svg.querySelector("g.role-frame.root path.background");
  return {entries, marks, texts, plot: frame ? box(frame) : null};
}
"""

# Every drawn live chart of the page, read in one round trip.
READ_LIVE = f"""
() => Array.from(document.querySelectorAll("div.vega-chart[data-rendered]"))
  .map(holder => ({READ_SVG.strip()})(holder))
"""


def legend_without_marks(read: dict[str, Any]) -> list[str]:
    """Legend entries with no mark of their colour at least 1 px wide on screen."""
    missing = []
    for entry in read["entries"]:
        wide = [
            m
            for m in read["marks"]
            if entry["colour"] in (m["fill"], m["stroke"]) and m["box"][2] >= 1
        ]
        if not wide:
            widths = [
                round(m["box"][2], 3)
                for m in read["marks"]
                if entry["colour"] in (m["fill"], m["stroke"])
            ]
            missing.append(f"{entry['label']!r} ({entry['colour']}): widths {widths[:5]}")
    return missing


def _overlap(a: list[float], b: list[float]) -> float:
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


# Glyph boxes include the font's ascent and descent: two labels in rows 11 px apart have boxes
# that touch by a pixel or two without their letters touching.
OVERLAP_PX2 = 6.0


def overlapping_labels(read: dict[str, Any]) -> list[str]:
    """Pairs of printed labels (axis, legend, title, event and reference labels) whose boxes
    overlap."""
    found = []
    texts = read["texts"]
    for i, first in enumerate(texts):
        for second in texts[i + 1 :]:
            area = _overlap(first["box"], second["box"])
            if area > OVERLAP_PX2:
                found.append(f"{first['text']!r} and {second['text']!r} ({area:.0f} px2)")
    return found


def labels_outside_plot(read: dict[str, Any]) -> list[str]:
    """Event and reference labels (text marks of the chart itself) not inside the plot."""
    plot = read["plot"]
    if plot is None:
        return ["no plot frame found"]
    left, top = plot[0] - 1, plot[1] - 1
    right, bottom = plot[0] + plot[2] + 1, plot[1] + plot[3] + 1
    outside = []
    for text in read["texts"]:
        if "role-mark" not in text["role"]:
            continue
        x, y, w, h = text["box"]
        if x < left or y < top or x + w > right or y + h > bottom:
            outside.append(f"{text['text']!r} at {[round(v) for v in text['box']]}, plot {plot}")
    return outside


def problems(read: dict[str, Any] | None) -> list[str]:
    """Every defect of one drawn chart, in words."""
    if read is None:
        return ["no SVG drawn"]
    return (
        [f"legend entry without a visible mark: {m}" for m in legend_without_marks(read)]
        + [f"labels overlap: {m}" for m in overlapping_labels(read)]
        + [f"label leaves the plot: {m}" for m in labels_outside_plot(read)]
    )
