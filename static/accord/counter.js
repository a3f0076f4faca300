// A visible character counter under each text area marked with data-counter.
document.addEventListener("DOMContentLoaded", () => {
  for (const area of document.querySelectorAll("textarea[data-counter]")) {
    const counter = document.querySelector(`[data-counter-for="${area.id}"]`);
    if (!counter) continue;
    const max = Number(area.getAttribute("maxlength"));
    const template = counter.dataset.template || "{used} of {max} characters";
    const update = () => {
      counter.textContent = template.replace("{used}", area.value.length).replace("{max}", max);
    };
    area.addEventListener("input", update);
    update();
  }
});
