// Turns every `a.vega-chart` link into a chart drawn by the self-hosted vega-embed bundle.
// The link stays in the page as the no-JavaScript fallback and is restored if drawing fails.
// Charts are redrawn when the reader toggles the palette, so they never stay light in dark mode.
(function () {
  "use strict";

  var drawn = []; // {link, holder, view} for the charts on the current page

  function scheme() {
    var value = document.body && document.body.getAttribute("data-md-color-scheme");
    return value === "slate" ? "dark" : "light";
  }

  function draw(link) {
    var holder = document.createElement("div");
    var entry = { link: link, holder: holder, view: null };
    var current = scheme();
    holder.className = "vega-chart";
    holder.dataset.scheme = current;
    link.after(holder);
    link.hidden = true;
    drawn.push(entry);
    // Data URLs in the spec are relative to the spec file, not to the page.
    var base = link.href.slice(0, link.href.lastIndexOf("/") + 1);
    return vegaEmbed(holder, link.href, {
      actions: false,
      renderer: "svg",
      theme: current === "dark" ? "dark" : undefined,
      config: { background: null }, // the page colour shows through, in both schemes
      loader: { baseURL: base },
      tooltip: { theme: current }
    })
      .then(function (result) {
        entry.view = result.view;
        holder.dataset.rendered = "1";
      })
      .catch(function (error) {
        console.error("chart failed:", link.getAttribute("href"), error);
        link.hidden = false;
        holder.remove();
      });
  }

  function renderAll() {
    drawn = drawn.filter(function (entry) { return document.contains(entry.holder); });
    var links = document.querySelectorAll("a.vega-chart:not([data-done])");
    for (var i = 0; i < links.length; i++) {
      links[i].dataset.done = "1";
      draw(links[i]);
    }
  }

  // Material switches the palette by changing data-md-color-scheme on <body>.
  function redraw() {
    var old = drawn;
    drawn = [];
    old.forEach(function (entry) {
      if (entry.view) entry.view.finalize();
      entry.holder.remove();
      entry.link.hidden = false;
      delete entry.link.dataset.done;
    });
    renderAll();
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
    document$.subscribe(renderAll); // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", renderAll);
  }
  // Material loads scripts at the end of <body>, so the body exists already.
  if (document.body) watchScheme();
  else document.addEventListener("DOMContentLoaded", watchScheme);
})();
