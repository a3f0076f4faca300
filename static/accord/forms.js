// A form is sent once: a second press of its button while the first is on its way (a slow
// network, a double tap on a phone) sends nothing more, so nothing is made twice. After a
// while, or back on a page the browser kept, the form can be sent again (a download leaves
// the page where it is). Forms htmx sends are left to htmx and the meeting's script.
(() => {
  const AGAIN_AFTER_MS = 10000;
  const release = (form) => {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
  };
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || form.method !== "post" || form.matches("[hx-post], [hx-put]")) {
      return;
    }
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    form.setAttribute("aria-busy", "true");
    setTimeout(() => release(form), AGAIN_AFTER_MS);
  });
  window.addEventListener("pageshow", () => {
    for (const form of document.querySelectorAll("form[data-sending]")) release(form);
  });
})();
