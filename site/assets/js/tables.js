// Wide tables scroll sideways inside Material's wrapper (.md-typeset__scrollwrap). A keyboard
// reader can only scroll a region it can focus, and a screen reader should hear what the region
// holds: each wrapper that overflows becomes a focusable, named region (named after the
// heading above its table, or the page title). On a phone, a wide table (five columns or more)
// that would hide columns off-screen is shown stacked instead: one block per row, each cell
// under its column's name, so key columns such as Status or Evidence are never cut off.
(function () {
  "use strict";

  function heading(node) {
    for (var el = node.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-3]$/.test(el.tagName)) return el.textContent.replace(/\u00b6$/, "").trim();
    }
    var parent = node.parentElement;
    if (parent && !parent.classList.contains("md-typeset")) return heading(parent);
    var title = document.querySelector(".md-content h1");
    return title ? title.textContent.replace(/\u00b6$/, "").trim() : "Table";
  }

  function label() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.dataset.lwLabelled) return;
      wrap.dataset.lwLabelled = "1";
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", heading(wrap) + " (table; scrolls sideways)");
    });
  }

  var narrow = window.matchMedia("(max-width: 40em)");

  function stack() {
    document.querySelectorAll(".md-typeset table").forEach(function (table) {
      var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      // Wide tables, and the scorecard (three columns of long evidence), stack on phones.
      if (names.length < 5 && !table.closest(".lw-stack")) return;
      if (!table.dataset.lwLabels) {
        table.dataset.lwLabels = "1";
        table.querySelectorAll("tbody tr").forEach(function (row) {
          Array.prototype.forEach.call(row.cells, function (cell, i) {
            if (names[i]) cell.setAttribute("data-label", names[i]);
          });
        });
      }
      table.classList.toggle("lw-stacked", narrow.matches);
    });
  }

  function setUp() {
    label();
    stack();
  }

  if (narrow.addEventListener) narrow.addEventListener("change", stack);
  if (typeof document$ !== "undefined") {
    // Material wraps the tables in its own subscription; label them once that has run.
    document$.subscribe(function () { setTimeout(setUp, 0); });
  } else {
    document.addEventListener("DOMContentLoaded", setUp);
  }
})();
