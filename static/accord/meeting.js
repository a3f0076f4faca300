// The live meeting page (and the projector): follow the meeting's state over a WebSocket,
// fall back to polling when sockets are blocked, and come back to where the meeting is
// after a reload, a sleep or a lost network. The server holds the state; this only shows it.
(() => {
  const root = document.querySelector("[data-meeting]");
  if (!root) return;
  const stage = document.getElementById("stage");
  const mine = document.getElementById("mine");
  const connection = document.getElementById("connection");
  const announce = document.getElementById("announce");
  const timer = document.getElementById("timer");
  const userId = Number(root.dataset.user || 0);
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const wsUrl = scheme + location.host + root.dataset.wsUrl;
  const LABELS = {
    live: root.dataset.labelLive || "Live",
    reconnecting: root.dataset.labelReconnecting || "Reconnecting…",
    polling: root.dataset.labelPolling || "Live (by polling)",
  };

  let seq = Number(root.dataset.seq);
  let phase = root.dataset.phase;
  let steerers = root.dataset.steerers || "";
  let socket = null;
  let failures = 0;
  let pollTimer = null;
  let heartbeat = null;
  let clockOffset = 0;
  let deadline = null;

  const setStatus = (name) => {
    if (connection) connection.textContent = LABELS[name];
  };

  // The person's own part of the page is fetched again only when it no longer matches the
  // meeting: after a facilitator's command it usually already does (the command's answer
  // replaced it), and fetching it twice would wipe what they started typing.
  const refreshMine = (state) => {
    if (!mine || !window.htmx) return;
    const shown = mine.querySelector("[data-mine-phase]");
    const steerers = [state.steerers[0] || "", state.steerers[1] || ""].join(",");
    if (
      shown &&
      shown.dataset.minePhase === String(state.phase ?? "") &&
      shown.dataset.mineStatus === state.status &&
      shown.dataset.mineSteerers === steerers &&
      shown.dataset.mineItem === String(state.item ?? "")
    ) {
      return;
    }
    htmx.ajax("GET", root.dataset.mineUrl, { target: "#mine", swap: "innerHTML" });
  };

  function apply(state) {
    if (state.seq < seq) return; // an older state arriving late
    seq = state.seq;
    stage.innerHTML = state.html;
    clockOffset = Date.parse(state.server_now) - Date.now();
    deadline = state.timer_ends_at ? Date.parse(state.timer_ends_at) : null;
    tick();
    const newPhase = state.phase === null ? "" : String(state.phase);
    const newSteerers = state.steerers.join(",");
    if (newPhase !== phase || newSteerers !== steerers) {
      if (newPhase !== phase && announce) {
        const where = stage.querySelector(".stage__where");
        if (where) announce.textContent = where.textContent;
      }
      phase = newPhase;
      steerers = newSteerers;
      root.classList.toggle("is-steering", state.steerers.includes(userId));
    }
    if (state.status !== root.dataset.status) {
      root.dataset.status = state.status;
      const badge = document.getElementById("meeting-status");
      if (badge) badge.textContent = state.status_display;
    }
    // Also when only the opening's current commitment moved: its owner gets the form.
    refreshMine(state);
  }

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
    setStatus("polling");
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
      setStatus("reconnecting");
      if (failures >= 2) startPolling(); // blocked sockets: keep following by polling
      setTimeout(connect, Math.min(30000, 1000 * 2 ** Math.min(failures, 5)));
    };
  }

  function showPresence(people) {
    const names = document.getElementById("presence-names");
    if (names) names.textContent = people.join(", ") || "—";
  }

  // What a person typed in a reflection survives a reload or a lost connection.
  function keepDrafts() {
    for (const form of document.querySelectorAll("form[data-drafts]")) {
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
  document.body.addEventListener("htmx:afterSwap", keepDrafts);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") connect();
  });
  window.addEventListener("online", connect);
  connect();
})();
