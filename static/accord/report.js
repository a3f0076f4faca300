// The report's "Download the PDF" link. Making the PDF can take a few seconds, so the page
// fetches it itself and, after one second, says in a live region that it is being
// prepared; then it saves the file under the name the server gives. Without JavaScript the
// link downloads the PDF as any link does. The messages come translated in data-* attributes.
(() => {
  const WAIT_MS = 1000;

  function fileName(response, fallback) {
    const header = response.headers.get("Content-Disposition") || "";
    const match = /filename="?([^";]+)"?/i.exec(header);
    return match ? match[1] : fallback;
  }

  function save(blob, name) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    // Long enough for the browser to have read it, then freed.
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  async function download(link, status) {
    if (link.getAttribute("aria-busy") === "true") return; // one PDF at a time
    link.setAttribute("aria-busy", "true");
    status.textContent = "";
    const waiting = setTimeout(() => {
      status.textContent = link.dataset.waiting;
    }, WAIT_MS);
    try {
      const response = await fetch(link.href, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const fallback = new URL(link.href, location.href).pathname.split("/").pop();
      save(await response.blob(), fileName(response, fallback));
      status.textContent = link.dataset.done;
    } catch (error) {
      status.textContent = link.dataset.failed;
    } finally {
      clearTimeout(waiting);
      link.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const link of document.querySelectorAll("a[data-pdf-download]")) {
      const status = document.getElementById(link.dataset.status);
      if (!status) continue;
      link.addEventListener("click", (event) => {
        // A click meant to open the link elsewhere is left to the browser.
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        download(link, status);
      });
    }
  });
})();
