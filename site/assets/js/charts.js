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

  // The picture on screen now, and the height the live chart must take so that nothing
  // below it moves when it replaces the picture (kept on the figure for later redraws).
  function reserved(figure) {
    if (!figure) return null;
    if (!figure.dataset.shownHeight) {
      var shown = Array.prototype.find.call(
        figure.querySelectorAll("img.lw-picture"), function (img) { return img.offsetHeight > 0; }
      );
      if (!shown) return null;
      figure.dataset.shownHeight = String(shown.getBoundingClientRect().height);
      figure.dataset.drawnHeight = shown.getAttribute("height") || "";
    }
    return { shown: +figure.dataset.shownHeight, drawn: +figure.dataset.drawnHeight };
  }

  function draw(link) {
    if (link.dataset.done) return;
    link.dataset.done = "1";
    var figure = link.closest("figure.lw-chart");
    var holder = document.createElement("div");
    var entry = { link: link, holder: holder, view: null, full: false };
    var current = scheme();
    var size = reserved(figure);
    holder.className = "vega-chart";
    holder.dataset.scheme = current;
    if (size) holder.style.minHeight = size.shown + "px";
    // In the pictures' paragraph, so the live chart keeps its margins too.
    var pictures = figure && figure.querySelector("img.lw-picture");
    if (pictures && pictures.parentNode.tagName === "P") {
      pictures.parentNode.insertBefore(holder, pictures);
    } else if (figure) figure.insertBefore(holder, figure.querySelector("figcaption"));
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
          patch: function (vgSpec) {
            fitHeight(vgSpec, size);
            voronoiTooltips(vgSpec.marks || []);
            entry.full = !!figure && figure.dataset.full === "1";
            showAll(vgSpec, entry.full);
            return haloOfPage(vgSpec);
          },
          loader: { baseURL: base },
          tooltip: { theme: current }
        });
      })
      .then(function (result) {
        entry.view = result.view;
        touchTooltips(holder);
        return settle(result.view, holder, size);
      })
      .then(function () {
        holder.dataset.window = entry.full ? "full" : "recent";
        holder.dataset.rendered = "1";
        if (figure) figure.classList.add("lw-live");
        // the link stays in place (its span is hidden by CSS), so the caption keeps its lines
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


  // The picture was drawn at a fixed width and scaled to the page; the live chart is drawn at
  // the page's width. Its plot is made taller or shorter by what the scaling changed, so the
  // live chart is as tall as the picture it replaces.
  function fitHeight(vgSpec, size) {
    if (!size || !size.drawn || typeof vgSpec.height !== "number") return;
    vgSpec.height = Math.max(120, Math.round(vgSpec.height - (size.drawn - size.shown)));
  }

  // The chart opens on the last two years; the figure's button asks for the full history.
  function showAll(vgSpec, all) {
    (vgSpec.signals || []).forEach(function (signal) {
      if (signal.name === "lw_all") signal.value = !!all;
    });
  }

  function windowButton(figure, link) {
    var button = figure.querySelector("button.lw-window");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var all = figure.dataset.full !== "1";
      figure.dataset.full = all ? "1" : "";
      button.setAttribute("aria-pressed", all ? "true" : "false");
      button.textContent = all ? "Last two years" : "Full history";
      var entry = drawn.find(function (e) { return e.link === link; });
      if (entry && entry.view) {
        // data-window says which window is drawn once it is (tests wait for it, not a time)
        entry.view.signal("lw_all", all).runAsync().then(function () {
          entry.holder.dataset.window = all ? "full" : "recent";
        });
      } else draw(link);
    });
  }

  // Fonts differ a little between the pictures' renderer and the browser: a live chart still
  // taller than its picture is made shorter by the difference before it is shown.
  function settle(view, holder, size) {
    if (!size) return null;
    var svg = holder.querySelector("svg");
    var extra = svg ? svg.getBoundingClientRect().height - size.shown : 0;
    if (extra < 1 || typeof view.height !== "function") return null;
    view.height(Math.max(120, view.height() - Math.ceil(extra)));
    return view.runAsync();
  }

  // Vega-Lite 6 writes a nearest-point layer's text fields as datum["f"] where the point is
  // datum.datum: the tooltip printed "undefined". Every bare datum[ of such a layer's tooltip
  // is pointed at the point.
  function voronoiTooltips(marks) {
    marks.forEach(function (mark) {
      var tooltip = mark.encode && mark.encode.update && mark.encode.update.tooltip;
      if (/_voronoi$/.test(mark.name || "") && tooltip && tooltip.signal) {
        tooltip.signal = tooltip.signal.replace(/(^|[^.\w])datum\[/g, "$1datum.datum[");
      }
      voronoiTooltips(mark.marks || []);
    });
  }

  // Vega shows a tooltip on a pointer move and hides it when the pointer leaves; a tap has no
  // move, and its finger leaves at once. So a tap is passed on as a move to the point nearest
  // it (the chart's Voronoi layer finds it), and the tooltip stays until the next tap.
  var tapped = null;
  var lastTouch = 0;
  function touchTooltips(holder) {
    // The finger's leaving, and the mouse events the browser makes up after a tap.
    var fromTouch = function (event) {
      if (event.pointerType === "touch") return true;
      var caps = event.sourceCapabilities;
      return (caps && caps.firesTouchEvents) || Date.now() - lastTouch < 800;
    };
    ["pointerout", "mouseout"].forEach(function (type) {
      holder.addEventListener(type, function (event) {
        if (fromTouch(event)) event.stopPropagation();
      }, true);
    });
    holder.addEventListener("pointerdown", function (event) {
      if (event.pointerType !== "touch") return;
      lastTouch = Date.now();
      if (tapped && tapped !== event.target) leave(tapped);
      tapped = event.target;
      event.target.dispatchEvent(pointer("pointermove", event));
    });
  }

  function pointer(type, event) {
    return new PointerEvent(type, {
      bubbles: true, clientX: event.clientX, clientY: event.clientY, pointerType: "mouse"
    });
  }

  function leave(target) {
    var box = target.getBoundingClientRect();
    target.dispatchEvent(pointer("pointerout", { clientX: box.left, clientY: box.top }));
  }

  document.addEventListener("pointerdown", function (event) {
    if (tapped && event.pointerType === "touch" && !event.target.closest("div.vega-chart")) {
      leave(tapped);
      tapped = null;
    }
  });

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
    windowButton(figure, link);
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
