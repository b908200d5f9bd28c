// Parcours fronts: what the kiosk and the till share. Plain JS, no framework, no network beyond this origin.
// Loaded before kiosk.js / till.js; exposes one global, Parcours.
"use strict";

(function () {
  /** An API refusal, or the network failing: `error` is the API's code, `reason` its sentence. */
  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.reason) || "request failed");
      this.status = status;
      this.error = (body && body.error) || "unknown";
      this.reason = (body && body.reason) || "";
      this.field = body && body.field;
      this.body = body || {};
    }
  }

  /** The device token lives in localStorage: typed once when the device is paired (a browser has no other place). */
  function tokenStore(kind) {
    const key = "parcours." + kind + ".deviceToken";
    return {
      get: () => window.localStorage.getItem(key),
      set: (token) => window.localStorage.setItem(key, token),
      clear: () => window.localStorage.removeItem(key),
    };
  }

  /**
   * Calls the API with the device token (and the staff session when given).
   * Resolves with the JSON body (or null for 204); rejects with an ApiError.
   */
  async function api(token, method, path, body, staffSession) {
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    if (staffSession) headers["X-Staff-Session"] = staffSession;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        credentials: "omit",
      });
    } catch (e) {
      throw new ApiError(0, { error: "network", reason: "the store service cannot be reached" });
    }
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (!response.ok) throw new ApiError(response.status, data || { error: "http" + response.status, reason: response.statusText });
    return data;
  }

  /**
   * The live tap feed: a WebSocket on /v1/taps/live that reconnects with back-off, and a poll of
   * /v1/taps/current while the socket is down. `onTap` gets each tap object once (deduplicated by tapRef).
   */
  function tapFeed({ token, onTap, onState, onAuthError, pollMs = 3000, currentTap }) {
    let socket = null;
    let stopped = false;
    let delay = 500;
    let lastRef = null;
    let pollTimer = null;
    let reconnectTimer = null;

    function deliver(tap) {
      if (stopped || !tap || tap.type !== "tap" || !tap.tapRef || tap.tapRef === lastRef) return;
      lastRef = tap.tapRef;
      onTap(tap);
    }

    function connect() {
      if (stopped) return;
      const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
      const url = scheme + "//" + window.location.host + "/v1/taps/live?token=" + encodeURIComponent(token);
      try {
        socket = new WebSocket(url);
      } catch (e) {
        scheduleReconnect();
        return;
      }
      socket.addEventListener("open", () => {
        delay = 500;
        stopPolling();
        onState && onState("live");
      });
      socket.addEventListener("message", (event) => {
        try {
          deliver(JSON.parse(event.data));
        } catch (e) {
          /* not JSON: ignore */
        }
      });
      socket.addEventListener("close", () => {
        socket = null;
        // A feed stopped on purpose (sign-out, session expiry, re-pairing) reports nothing more: its page has moved on.
        if (stopped) return;
        onState && onState("polling");
        startPolling();
        scheduleReconnect();
      });
      socket.addEventListener("error", () => {
        /* close follows */
      });
    }

    function scheduleReconnect() {
      if (stopped || reconnectTimer) return;
      reconnectTimer = window.setTimeout(() => {
        reconnectTimer = null;
        connect();
      }, delay);
      delay = Math.min(delay * 2, 10000);
    }

    async function pollOnce() {
      try {
        const tap = await currentTap();
        if (stopped) return;
        deliver(tap);
        onState && onState(socket ? "live" : "polling");
      } catch (e) {
        if (stopped) return;
        if (e.status === 401 && onAuthError) {
          onAuthError(e);
          return;
        }
        if (e.error === "network") onState && onState("offline");
      }
    }

    function startPolling() {
      if (pollTimer || stopped) return;
      pollTimer = window.setInterval(pollOnce, pollMs);
      pollOnce();
    }

    function stopPolling() {
      if (pollTimer) window.clearInterval(pollTimer);
      pollTimer = null;
    }

    connect();
    return {
      stop() {
        stopped = true;
        stopPolling();
        if (reconnectTimer) window.clearTimeout(reconnectTimer);
        if (socket) socket.close();
      },
      /** A tap the page already handled (e.g. read by a poll) is not delivered again. */
      seen(tapRef) {
        lastRef = tapRef;
      },
    };
  }

  /** Shows exactly one of the elements with class "screen" (by id), hiding the others. */
  function showScreen(id) {
    for (const screen of document.querySelectorAll(".screen")) screen.hidden = screen.id !== id;
    const shown = document.getElementById(id);
    const main = document.querySelector("main");
    if (main) main.scrollTop = 0;
    const focus = shown && shown.querySelector("[autofocus], .primary, input, button");
    if (focus) focus.focus({ preventScroll: true });
    document.body.dataset.screen = id;
  }

  /** Fills every [data-i18n] element from a string table; [data-i18n-placeholder] and [data-i18n-label] likewise. */
  function applyStrings(table, root = document) {
    for (const el of root.querySelectorAll("[data-i18n]")) {
      const value = table[el.dataset.i18n];
      if (value !== undefined) el.textContent = value;
    }
    for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
      const value = table[el.dataset.i18nPlaceholder];
      if (value !== undefined) el.placeholder = value;
    }
    for (const el of root.querySelectorAll("[data-i18n-label]")) {
      const value = table[el.dataset.i18nLabel];
      if (value !== undefined) el.setAttribute("aria-label", value);
    }
  }

  /** "Hello {name}" with {name} replaced. Values are inserted as text by the callers, never as HTML. */
  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, (_, key) => (values && key in values ? String(values[key]) : ""));
  }

  /** A new element with text: the pages never assign innerHTML with data. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("data-")) node.setAttribute(key, value);
      else if (key in node) node[key] = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  /** The browser's language if the front has it, else the first one it has. */
  function browserLanguage(available) {
    for (const tag of navigator.languages || [navigator.language || ""]) {
      const base = String(tag).toLowerCase().split("-")[0];
      if (available.includes(base)) return base;
    }
    return available[0];
  }

  /**
   * The store's languages (`kiosk.languages`, from the front's config.json) in its order, keeping only those the
   * front has strings for; none usable (an old or missing config) means all of them.
   */
  function configuredLanguages(configured, translated) {
    const list = (Array.isArray(configured) ? configured : []).filter((lang, i, all) => translated.includes(lang) && all.indexOf(lang) === i);
    return list.length ? list : translated.slice();
  }

  /**
   * Shows only the store's languages, in its order: the header switcher (.languages, hidden with fewer than two)
   * and the options of every language <select>.
   */
  function offerLanguages(languages) {
    for (const nav of document.querySelectorAll(".languages")) {
      for (const button of nav.querySelectorAll("[data-lang]")) button.hidden = !languages.includes(button.dataset.lang);
      nav.append(...languages.map((lang) => nav.querySelector("[data-lang='" + lang + "']")).filter(Boolean));
      nav.hidden = languages.length < 2;
    }
    for (const select of document.querySelectorAll("select[name='language']")) {
      for (const option of [...select.options]) if (!languages.includes(option.value)) option.remove();
      select.append(...languages.map((lang) => select.querySelector("option[value='" + lang + "']")).filter(Boolean));
    }
  }

  /** The front's config.json (the service's settings for it); the defaults when it cannot be read. */
  async function loadConfig(defaults) {
    try {
      const response = await fetch("config.json", { cache: "no-store", credentials: "omit" });
      if (response.ok) return Object.assign({}, defaults, await response.json());
    } catch (e) {
      /* keep the defaults */
    }
    return Object.assign({}, defaults);
  }

  /**
   * The service worker keeps the shell for a reload while the service is down (sw.js says what it keeps: never
   * the API). Without service workers, or if it fails, the page works as before, just not offline.
   */
  function keepShellForOffline() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      /* no offline reload; everything else works */
    });
  }

  /** Sets a message box's text and shows it, or hides the box when there is no text. Text only, never HTML. */
  function showMessage(id, text) {
    const box = document.getElementById(id);
    box.textContent = text || "";
    box.hidden = !text;
  }

  /** A device token the service knows answers 200 (a tap is live) or 404 noCurrentTap; anything else is refused. */
  async function checkDeviceToken(token) {
    try {
      await api(token, "GET", "/v1/taps/current");
    } catch (e) {
      if (e.status !== 404 || e.error !== "noCurrentTap") throw e;
    }
  }

  /** The set-up form both fronts share (#setup-form, #setup-token, #setup-error): check the token, keep it, go on. */
  function wirePairingForm({ tokens, t, onPaired }) {
    document.getElementById("setup-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = document.getElementById("setup-token");
      const token = input.value.trim();
      if (!token) return;
      try {
        await checkDeviceToken(token);
        tokens.set(token);
        input.value = "";
        showMessage("setup-error");
        if (window.location.hash === "#setup") history.replaceState(null, "", window.location.pathname);
        onPaired(token);
      } catch (e) {
        showMessage("setup-error", e.error === "network" ? t("errNetwork") : t("setupRejected", { reason: e.reason }));
      }
    });
  }

  keepShellForOffline();

  window.Parcours = {
    ApiError, api, tokenStore, tapFeed, showScreen, applyStrings, format, el, browserLanguage, showMessage,
    wirePairingForm, configuredLanguages, offerLanguages, loadConfig,
  };
})();
