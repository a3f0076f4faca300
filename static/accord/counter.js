// A visible character counter under each text area marked with data-counter, also in
// parts of the page that htmx swaps in.
(() => {
  function attach(scope) {
    for (const area of scope.querySelectorAll("textarea[data-counter]")) {
      const counter = document.querySelector(`[data-counter-for="${area.id}"]`);
      if (!counter || area.dataset.counting) continue;
      area.dataset.counting = "1";
      const max = Number(area.getAttribute("maxlength"));
      const template = counter.dataset.template || "{used} of {max} characters";
      const update = () => {
        counter.textContent = template.replace("{used}", area.value.length).replace("{max}", max);
      };
      area.addEventListener("input", update);
      update();
    }
  }
  document.addEventListener("DOMContentLoaded", () => attach(document));
  document.addEventListener("htmx:afterSwap", (event) => attach(event.target));
})();
