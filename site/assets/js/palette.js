// The light/dark toggle (overrides/partials/palette.html), in place of Material's palette
// component. Material's version set data-md-color-switching on <body> and read the header's
// computed style on every page load, forcing two full style recalculations of the page: on a
// phone (Lighthouse, 4x slower CPU) that was most of the home page's blocking time. Here a
// page load changes nothing when the stored palette is already applied, and the switch
// happens only when the reader toggles (or on a first visit whose system scheme differs).
//
// Same storage as Material (__md_set("__palette", {index, color})), so Material's inline
// script at the top of <body> applies the reader's choice before the first paint, and
// charts.js redraws its charts when data-md-color-scheme changes, as before.
(function () {
  "use strict";

  var form = document.querySelector("form[data-lw-palette]");
  if (!form || typeof __md_get !== "function" || typeof __md_set !== "function") return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.md-option"));
  if (!inputs.length) return;
  var KEYS = ["media", "scheme", "primary", "accent"];
  var current = 0;

  function paletteOf(index) {
    var color = {};
    KEYS.forEach(function (key) {
      color[key] = inputs[index].getAttribute("data-md-color-" + key);
    });
    return { index: index, color: color };
  }

  // The stored choice, else the first palette whose media query matches (as Material does).
  function chosen() {
    var stored = null;
    try {
      stored = __md_get("__palette"); // throws when storage is blocked or the value is corrupt
    } catch (error) {
      stored = null;
    }
    var index = stored && typeof stored.index === "number" ? stored.index : -1;
    if (index < 0 || index >= inputs.length) {
      index = inputs.findIndex(function (input) {
        var media = input.getAttribute("data-md-color-media");
        return !!media && window.matchMedia(media).matches;
      });
    }
    return Math.max(0, Math.min(index, inputs.length - 1));
  }

  // The browser's theme colour and colour scheme follow the header, read once the styles
  // are settled (after a frame, so it never forces a recalculation of its own).
  function meta(name) {
    var tag = document.head.querySelector("meta[name='" + name + "']");
    if (!tag) {
      tag = document.createElement("meta");
      tag.name = name;
      document.head.appendChild(tag);
    }
    return tag;
  }

  function syncMeta() {
    var header = document.querySelector("[data-md-component=header]");
    if (!header) return;
    var style = window.getComputedStyle(header);
    var rgb = (style.backgroundColor.match(/\d+/g) || []).slice(0, 3);
    if (rgb.length === 3) {
      meta("theme-color").content = "#" + rgb.map(function (v) {
        return (+v).toString(16).padStart(2, "0");
      }).join("");
    }
    meta("color-scheme").content = style.colorScheme;
  }

  // Material's "automatic" option (media "(prefers-color-scheme)") takes the colours of the
  // light or dark option, whichever the system prefers now.
  function resolve(palette) {
    if (palette.color.media !== "(prefers-color-scheme)") return palette;
    var light = window.matchMedia("(prefers-color-scheme: light)").matches;
    var match = form.querySelector(
      "[data-md-color-media='(prefers-color-scheme: " + (light ? "light" : "dark") + ")']"
    );
    if (match) {
      KEYS.slice(1).forEach(function (key) {
        palette.color[key] = match.getAttribute("data-md-color-" + key);
      });
    }
    return palette;
  }

  function apply(palette, switching) {
    resolve(palette);
    var body = document.body;
    var changes = KEYS.filter(function (key) {
      var value = palette.color[key];
      return value !== null && body.getAttribute("data-md-color-" + key) !== value;
    });
    if (changes.length) {
      // Material's CSS turns transitions off while this is set, so nothing fades between
      // the schemes; it is removed once the new colours are applied.
      if (switching) body.setAttribute("data-md-color-switching", "");
      changes.forEach(function (key) {
        body.setAttribute("data-md-color-" + key, palette.color[key]);
      });
      if (switching) {
        window.setTimeout(function () { body.removeAttribute("data-md-color-switching"); });
      }
    }
    current = palette.index;
    inputs.forEach(function (input, index) {
      input.checked = index === current;
      var label = input.nextElementSibling;
      if (label && label.tagName === "LABEL") label.hidden = index !== current;
    });
    __md_set("__palette", palette);
    window.requestAnimationFrame(syncMeta);
  }

  inputs.forEach(function (input, index) {
    input.addEventListener("change", function () {
      if (input.checked) apply(paletteOf(index), true);
    });
  });
  // Enter on the focused toggle switches too (Space already does, radio inputs being native).
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    var next = inputs[(current + 1) % inputs.length];
    next.click();
    next.focus();
  });

  apply(paletteOf(chosen()), false);
})();
