// Charts as pictures first. Each chart arrives as a static SVG picture with its sentence
// (figure.lw-chart); this script swaps in the interactive Vega chart only when the reader
// reaches for it: hovering or touching the picture, focusing or clicking its "Interactive
// chart" link, or scrolling it into view after scrolling the page. Only then is the 300 KB
// Vega bundle loaded, so the first view and pages without charts never load it.
// Charts are redrawn when the reader toggles the palette, so they never stay light in dark.
(function () {
  "use strict";

  var script = document.currentScript;
  var BUNDLE = script ? script.src.replace(/charts\.js([?#].*)?$/, "vega-bundle.js") : null;
  var bundle = null; // the promise of the loaded bundle
  var drawn = []; // {link, holder, view} for the charts on the current page
  var observer = null;

  function loadVega() {
    if (typeof vegaEmbed !== "undefined") return Promise.resolve();
    if (!bundle) {
      bundle = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = BUNDLE;
        tag.onload = resolve;
        tag.onerror = function () { bundle = null; reject(new Error("cannot load " + BUNDLE)); };
        document.head.appendChild(tag);
      });
    }
    return bundle;
  }

  function scheme() {
    var value = document.body && document.body.getAttribute("data-md-color-scheme");
    return value === "slate" ? "dark" : "light";
  }

  function draw(link) {
    if (link.dataset.done) return;
    link.dataset.done = "1";
    var figure = link.closest("figure.lw-chart");
    var holder = document.createElement("div");
    var entry = { link: link, holder: holder, view: null };
    var current = scheme();
    holder.className = "vega-chart";
    holder.dataset.scheme = current;
    if (figure) figure.insertBefore(holder, figure.querySelector("figcaption"));
    else link.after(holder);
    drawn.push(entry);
    // Data URLs in the spec are relative to the spec file, not to the page.
    var base = link.href.slice(0, link.href.lastIndexOf("/") + 1);
    return loadVega()
      .then(function () { return inlined(link.href, base); })
      .then(function (spec) {
        return vegaEmbed(holder, spec, {
          actions: false,
          // Vega's expression interpreter instead of compiled functions: the site's
          // Content-Security-Policy allows no eval (see generator/publish/csp.py).
          ast: true,
          renderer: "svg",
          theme: current === "dark" ? "dark" : undefined,
          config: { background: null }, // the page colour shows through, in both schemes
          patch: haloOfPage,
          loader: { baseURL: base },
          tooltip: { theme: current }
        });
      })
      .then(function (result) {
        entry.view = result.view;
        holder.dataset.rendered = "1";
        if (figure) figure.classList.add("lw-live");
        link.hidden = true;
      })
      .catch(function (error) {
        console.error("chart failed:", link.getAttribute("href"), error);
        if (figure) figure.classList.remove("lw-live");
        link.hidden = false;
        holder.remove();
        delete link.dataset.done;
      });
  }

  // The spec with its CSV files read here and inlined as rows. Vega reads CSV through d3-dsv,
  // which builds each row with `new Function`; the site's Content-Security-Policy allows no
  // eval (generator/publish/csp.py), so the rows arrive as values and Vega only types them
  // (format.parse), which needs no eval.
  function inlined(url, base) {
    return fetch(url)
      .then(function (response) { return response.json(); })
      .then(function (spec) {
        var pending = [];
        (function walk(node) {
          if (Array.isArray(node)) { node.forEach(walk); return; }
          if (!node || typeof node !== "object") return;
          var format = node.format;
          if (typeof node.url === "string" && format && format.type === "csv") {
            pending.push(fetch(new URL(node.url, base)).then(function (response) {
              if (!response.ok) throw new Error("cannot load " + node.url);
              return response.text();
            }).then(function (text) {
              node.values = csvRows(text);
              delete node.url;
              node.format = { type: "json", parse: format.parse };
            }));
          }
          Object.keys(node).forEach(function (key) { walk(node[key]); });
        })(spec);
        return Promise.all(pending).then(function () { return spec; });
      });
  }

  // RFC 4180 rows as objects keyed by the header (quoted cells, doubled quotes, CRLF).
  function csvRows(text) {
    var rows = [], row = [], cell = "", quoted = false, i, c;
    for (i = 0; i < text.length; i++) {
      c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
        else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") { row.push(cell); cell = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        row.push(cell); rows.push(row); row = []; cell = "";
      } else cell += c;
    }
    if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
    var header = rows.shift() || [];
    return rows.map(function (cells) {
      var item = {};
      header.forEach(function (name, k) { item[name] = cells[k] === undefined ? "" : cells[k]; });
      return item;
    });
  }

  // Labels are outlined in the page's background (the chart's lw_halo parameter, white in
  // the spec), so lines crossing them stop at their letters; on a dark page, the dark colour.
  function haloOfPage(vgSpec) {
    var colour = window.getComputedStyle(document.body).backgroundColor;
    (vgSpec.signals || []).forEach(function (signal) {
      if (signal.name === "lw_halo" && colour) signal.value = colour;
    });
    return vgSpec;
  }

  function linkOf(figure) {
    return figure.querySelector("a.vega-chart");
  }

  function arm(figure) {
    var link = linkOf(figure);
    if (!link || figure.dataset.armed) return;
    figure.dataset.armed = "1";
    var go = function () { draw(link); };
    figure.addEventListener("pointerenter", go, { once: true });
    figure.addEventListener("touchstart", go, { once: true, passive: true });
    link.addEventListener("focus", go, { once: true });
    link.addEventListener("click", function (event) { event.preventDefault(); go(); });
  }

  // Scrolled into view, but only once the reader scrolls: a chart in the first view waits
  // for the reader, so the first view stays light.
  function watchScroll() {
    if (observer || !("IntersectionObserver" in window)) return;
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          var link = linkOf(entry.target);
          if (link) draw(link);
        }
      });
    }, { rootMargin: "200px 0px" });
    document.querySelectorAll("figure.lw-chart").forEach(function (f) { observer.observe(f); });
  }

  function setUp() {
    drawn = drawn.filter(function (entry) { return document.contains(entry.holder); });
    if (observer) { observer.disconnect(); observer = null; }
    document.querySelectorAll("figure.lw-chart").forEach(arm);
    // A chart link outside a figure (no picture) is drawn at once, as before.
    document.querySelectorAll("a.vega-chart:not([data-done])").forEach(function (link) {
      if (!link.closest("figure.lw-chart")) draw(link);
    });
    window.addEventListener("scroll", watchScroll, { once: true, passive: true });
  }

  // Material switches the palette by changing data-md-color-scheme on <body>.
  function redraw() {
    var old = drawn;
    drawn = [];
    old.forEach(function (entry) {
      if (entry.view) entry.view.finalize();
      entry.holder.remove();
      delete entry.link.dataset.done;
      draw(entry.link);
    });
  }

  function watchScheme() {
    var last = scheme();
    new MutationObserver(function () {
      var now = scheme();
      if (now !== last) {
        last = now;
        redraw();
      }
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(setUp); // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", setUp);
  }
  // Material loads scripts at the end of <body>, so the body exists already.
  if (document.body) watchScheme();
  else document.addEventListener("DOMContentLoaded", watchScheme);
})();
