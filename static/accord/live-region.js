// Regions marked data-live-url follow changes others make: every few seconds the page asks
// for a newer version (the server answers 204 when nothing changed) and swaps it in, but
// never while the person is working inside the region.
(() => {
  const EVERY = 5000;
  function follow(region) {
    let waiting = null;
    const swap = (html) => {
      if (region.contains(document.activeElement)) {
        waiting = html;
        return;
      }
      // Plain HTML, never given to htmx.process: a region shows people's text, and its
      // page keeps htmx off (hx-disable), so no attribute in it can make a request.
      region.innerHTML = html;
    };
    region.addEventListener("focusout", () => {
      setTimeout(() => {
        if (waiting && !region.contains(document.activeElement)) {
          const html = waiting;
          waiting = null;
          swap(html);
        }
      }, 0);
    });
    setInterval(async () => {
      const stampHolder = region.querySelector("[data-stamp]");
      const stamp = stampHolder ? stampHolder.dataset.stamp : "";
      const url = new URL(region.dataset.liveUrl, location.href);
      url.searchParams.set("stamp", stamp);
      try {
        const response = await fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" });
        if (response.status === 200) swap(await response.text());
      } catch (error) {
        // Offline for a moment: the next round tries again.
      }
    }, EVERY);
  }
  document.addEventListener("DOMContentLoaded", () => {
    for (const region of document.querySelectorAll("[data-live-url]")) follow(region);
  });
})();
