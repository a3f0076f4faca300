// The "Print" button of a page made to be printed (a meeting's summary): shown only when
// this script runs, since without it the button would do nothing.
"use strict";
document.querySelectorAll("[data-print]").forEach((button) => {
  button.closest("[hidden]")?.removeAttribute("hidden");
  button.addEventListener("click", () => window.print());
});
