// The live meeting page (and the projector): follow the meeting's state over a WebSocket,
// fall back to polling when sockets are blocked, and come back to where the meeting is
// after a reload, a sleep or a lost network. The server holds the state; this only shows it.
(() => {
  const root = document.querySelector("[data-meeting]");
  if (!root) return;
  const stage = document.getElementById("stage");
  const connection = document.getElementById("connection");
  const announce = document.getElementById("announce");
  const now = document.getElementById("now");
  const timer = document.getElementById("timer");
  const projector = root.hasAttribute("data-projector");
  const userId = Number(root.dataset.user || 0);
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const wsUrl = scheme + location.host + root.dataset.wsUrl;
  const LABELS = {
    live: root.dataset.labelLive || "Live",
    reconnecting: root.dataset.labelReconnecting || "Reconnecting…",
    polling: root.dataset.labelPolling || "Live (by polling)",
    offline: root.dataset.labelOffline || "Offline",
  };
  const PENDING = "accord-pending:" + root.dataset.wsUrl;

  let seq = Number(root.dataset.seq);
  let phase = root.dataset.phase;
  let latest = null; // the newest state, for the parts drawn again once a request ends
  let socket = null;
  let failures = 0;
  let pollTimer = null;
  let heartbeat = null;
  let clockOffset = 0;
  let deadline = null;

  const setStatus = (name) => {
    if (connection) connection.textContent = LABELS[name];
    for (const note of document.querySelectorAll("[data-offline-note]")) {
      note.hidden = name !== "offline";
    }
  };

  // The person's own parts (#controls, #work) are drawn again only when they no longer
  // match the meeting, and never while one of their own requests is on its way: its
  // answer draws the part, and a second drawing would wipe what they started typing.
  const busy = new Set();
  const stale = (part, state) => {
    const shown = part.querySelector("[data-part-phase]");
    if (!shown) return false;
    const people = [state.steerers[0] || "", state.steerers[1] || ""];
    if (part.id === "work") people.push(state.recorder || ""); // the note-takers
    const names = people.join(",");
    return !(
      shown.dataset.partPhase === String(state.phase ?? "") &&
      shown.dataset.partStatus === state.status &&
      shown.dataset.partSteerers === names &&
      shown.dataset.partItem === String(state.item ?? "") &&
      shown.dataset.partAnswering === (state.answering ? "1" : "0")
    );
  };
  function refreshParts(state) {
    if (!window.htmx || !state) return;
    for (const id of ["controls", "work"]) {
      const part = document.getElementById(id);
      if (!part || busy.has(id) || !stale(part, state)) continue;
      busy.add(id);
      htmx
        .ajax("GET", root.dataset.mineUrl + "?part=" + id, { target: "#" + id, swap: "innerHTML" })
        .finally(() => busy.delete(id));
    }
  }

  function phaseChanged(state) {
    const where = stage.querySelector(".stage__where");
    const text = where ? where.textContent.trim() : "";
    if (now && text) now.textContent = text;
    if (announce && text) announce.textContent = text;
    const bar = document.querySelector(".meeting-bar");
    if (bar) {
      bar.classList.add("is-new");
      setTimeout(() => bar.classList.remove("is-new"), 4000);
    }
    // A phone follows the room: back to the top, where the new step begins, unless the
    // person is in the middle of typing.
    const typing = document.activeElement && document.activeElement.matches("textarea, input");
    if (!projector && !root.classList.contains("is-steering") && !typing) window.scrollTo(0, 0);
    root.dataset.kind = state.status === "ended" ? "ended" : state.kind || "waiting";
  }

  function apply(state) {
    if (state.seq < seq) return; // an older state arriving late
    seq = state.seq;
    latest = state;
    stage.innerHTML = state.html;
    clockOffset = Date.parse(state.server_now) - Date.now();
    deadline = state.timer_ends_at ? Date.parse(state.timer_ends_at) : null;
    tick();
    const newPhase = (state.phase === null ? "" : String(state.phase)) + ":" + state.status;
    if (newPhase !== phase) {
      phase = newPhase;
      phaseChanged(state);
    }
    root.classList.toggle("is-steering", state.steerers.includes(userId));
    if (state.status !== root.dataset.status) {
      root.dataset.status = state.status;
      const badge = document.getElementById("meeting-status");
      if (badge) badge.textContent = state.status_display;
    }
    if (projector) pageReflections();
    refreshParts(state);
  }
  phase = (root.dataset.phase || "") + ":" + root.dataset.status;

  function tick() {
    if (!timer) return;
    if (!deadline) {
      timer.hidden = true;
      return;
    }
    const left = Math.max(0, Math.round((deadline - (Date.now() + clockOffset)) / 1000));
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    timer.hidden = false;
    timer.textContent = (timer.dataset.label || "Time left") + ": " + minutes + ":" + seconds;
  }
  setInterval(tick, 1000);

  // On the room's screen, many written answers are shown a page at a time.
  let pageTimer = null;
  function pageReflections() {
    clearInterval(pageTimer);
    const lists = stage.querySelectorAll("[data-pages]");
    const pages = [];
    for (const list of lists) {
      const items = Array.from(list.children);
      const size = 6;
      if (items.length <= size) continue;
      const count = Math.ceil(items.length / size);
      const label = document.createElement("p");
      label.className = "reflections__page";
      list.after(label);
      pages.push({ items, size, count, label, at: 0 });
    }
    const show = () => {
      for (const p of pages) {
        p.items.forEach((item, i) => {
          item.hidden = Math.floor(i / p.size) !== p.at;
        });
        p.label.textContent = p.at + 1 + " / " + p.count;
        p.at = (p.at + 1) % p.count;
      }
    };
    if (pages.length) {
      show();
      pageTimer = setInterval(show, 12000);
    }
  }
  if (projector) pageReflections();

  async function poll() {
    try {
      const response = await fetch(root.dataset.stateUrl + "?seq=" + seq, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.status === 200) apply(await response.json());
    } catch (error) {
      // The network is down: the next poll tries again.
    }
  }

  function startPolling() {
    if (pollTimer) return;
    setStatus(navigator.onLine === false ? "offline" : "polling");
    pollTimer = setInterval(poll, 3000);
    poll();
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  function connect() {
    if (socket && socket.readyState <= WebSocket.OPEN) return;
    socket = new WebSocket(wsUrl);
    socket.onopen = () => {
      failures = 0;
      stopPolling();
      setStatus("live");
      socket.send(JSON.stringify({ type: "hello", seq }));
      clearInterval(heartbeat);
      heartbeat = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
      }, 25000);
      sendPending();
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "state") apply(message);
      else if (message.type === "presence") showPresence(message.people);
      else if (message.type === "error" && announce) announce.textContent = message.message;
    };
    socket.onclose = (event) => {
      clearInterval(heartbeat);
      // Signed out (4401) or a new role (4409): the page itself must be drawn again, for
      // the controls a person sees are those of the role they had when it was drawn.
      if (event.code === 4401 || event.code === 4409) {
        window.location.reload();
        return;
      }
      if (event.code === 4403 || event.code === 4404) {
        setStatus("reconnecting");
        startPolling();
        return;
      }
      failures += 1;
      setStatus(navigator.onLine === false ? "offline" : "reconnecting");
      if (failures >= 2) startPolling(); // blocked sockets: keep following by polling
      setTimeout(connect, Math.min(30000, 1000 * 2 ** Math.min(failures, 5)));
    };
  }

  function showPresence(people) {
    const names = document.getElementById("presence-names");
    if (names) names.textContent = people.join(", ") || "—";
  }

  // An answer sent while the network is down is kept on the device and sent again as
  // soon as it is back (the server takes one answer per person, so never twice).
  function keepPending(form) {
    const body = new URLSearchParams(new FormData(form)).toString();
    localStorage.setItem(PENDING, JSON.stringify({ url: form.action, body }));
    setStatus("offline");
  }
  let sending = false;
  async function sendPending() {
    const kept = localStorage.getItem(PENDING);
    if (!kept || sending) return;
    sending = true;
    const { url, body } = JSON.parse(kept);
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true" },
        body,
      });
      localStorage.removeItem(PENDING);
      const work = document.getElementById("work");
      if (work && window.htmx) htmx.swap(work, await response.text(), { swapStyle: "innerHTML" });
    } catch (error) {
      // Still offline: the next connection tries again.
    } finally {
      sending = false;
    }
  }

  // What a person typed in a reflection survives a reload or a lost connection.
  function keepDrafts() {
    for (const form of document.querySelectorAll("form[data-drafts]")) {
      if (form.dataset.draftsKept) continue;
      form.dataset.draftsKept = "1";
      const key = form.dataset.drafts;
      for (const area of form.querySelectorAll("textarea")) {
        const name = key + ":" + area.name;
        if (!area.value && localStorage.getItem(name)) area.value = localStorage.getItem(name);
        area.addEventListener("input", () => localStorage.setItem(name, area.value));
      }
      for (const radio of form.querySelectorAll("input[type=radio]")) {
        const name = key + ":" + radio.name;
        if (localStorage.getItem(name) === radio.value) radio.checked = true;
        radio.addEventListener("change", () => localStorage.setItem(name, radio.value));
      }
      form.addEventListener("submit", () => {
        for (const field of form.querySelectorAll("textarea, input[type=radio]")) {
          localStorage.removeItem(key + ":" + field.name);
        }
      });
    }
  }

  // Focus stays on the control just used: a command draws the controls again, and a
  // keyboard user must not be sent back to the top of the page.
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const target = event.detail.target;
    if (target && (target.id === "controls" || target.id === "work")) busy.add(target.id);
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const target = event.detail.target;
    if (!target || !target.id) return;
    busy.delete(target.id);
    const form = event.detail.elt;
    if (event.detail.failed !== false && form && form.matches && form.matches("[data-answer-form]")) {
      if (!event.detail.xhr || event.detail.xhr.status === 0) keepPending(form);
    }
    // A state that arrived meanwhile is checked now the part is drawn.
    setTimeout(() => refreshParts(latest), 0);
  });
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    // A refused save (a conflict between two editors, an invalid form) shows its reasons.
    const status = event.detail.xhr ? event.detail.xhr.status : 200;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    const active = document.activeElement;
    const target = event.detail.target;
    if (active && active.id && target && target.contains(active)) target.refocus = active.id;
  });
  document.body.addEventListener("htmx:afterSwap", keepDrafts);
  // Once htmx has wired the new controls (settled), not before: a key pressed on a control
  // not yet wired would follow its plain link.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail.target || event.target;
    if (!target || !target.querySelector) return;
    const focused = target.refocus;
    target.refocus = null;
    const wanted =
      target.querySelector("[data-focus]") ||
      (focused && document.getElementById(focused)) ||
      (focused && (target.querySelector("[data-primary]") || target.querySelector("h2")));
    if (wanted) wanted.focus();
  });
  keepDrafts();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") connect();
  });
  window.addEventListener("offline", () => setStatus("offline"));
  window.addEventListener("online", () => {
    setStatus("reconnecting");
    connect();
    sendPending();
  });
  connect();
})();
