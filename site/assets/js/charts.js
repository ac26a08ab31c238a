// Turns every `a.vega-chart` link into a chart drawn by the self-hosted vega-embed bundle.
// The link stays in the page as the no-JavaScript fallback and is restored if drawing fails.
(function () {
  "use strict";

  function theme() {
    var scheme = document.body && document.body.getAttribute("data-md-color-scheme");
    return scheme === "slate" ? "dark" : undefined;
  }

  function draw(link) {
    var holder = document.createElement("div");
    holder.className = "vega-chart";
    link.after(holder);
    link.hidden = true;
    // Data URLs in the spec are relative to the spec file, not to the page.
    var base = link.href.slice(0, link.href.lastIndexOf("/") + 1);
    return vegaEmbed(holder, link.href, {
      actions: false,
      renderer: "svg",
      theme: theme(),
      loader: { baseURL: base },
      tooltip: { theme: theme() === "dark" ? "dark" : "light" }
    })
      .then(function () { holder.dataset.rendered = "1"; })
      .catch(function (error) {
        console.error("chart failed:", link.getAttribute("href"), error);
        link.hidden = false;
        holder.remove();
      });
  }

  function renderAll() {
    var links = document.querySelectorAll("a.vega-chart:not([data-done])");
    for (var i = 0; i < links.length; i++) {
      links[i].dataset.done = "1";
      draw(links[i]);
    }
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(renderAll); // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", renderAll);
  }
})();
