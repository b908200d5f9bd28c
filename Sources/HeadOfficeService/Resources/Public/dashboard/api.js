// What both dashboard pages share: the manager's session (kept in sessionStorage, so it ends with the tab), calls
// to head office's API with its token, the sign-in form, and how errors are put into words.

const SESSION_KEY = "parcours.hq.session";

export class ApiError extends Error {
  constructor(status, code, reason) {
    super(reason || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

export function session() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    if (!stored || typeof stored.token !== "string") return null;
    if (stored.expiresAt && Date.parse(stored.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(SESSION_KEY);
      return null;
    }
    return stored;
  } catch {
    sessionStorage.removeItem(SESSION_KEY);
    return null;
  }
}

function forget() {
  sessionStorage.removeItem(SESSION_KEY);
}

let onSignedOut = () => {};

/** Called with a sentence when the session is gone (expired, revoked, signed out elsewhere). */
export function whenSignedOut(handler) {
  onSignedOut = handler;
}

async function errorOf(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON: say the status */ }
  return new ApiError(response.status, body?.error, body?.reason || body?.error || `head office answered HTTP ${response.status}`);
}

/** GET or POST to head office with the session's token; a 401 ends the session and goes back to the sign-in. */
export async function api(path, { method = "GET", body, accept = "application/json" } = {}) {
  const current = session();
  if (!current) {
    onSignedOut("Please sign in.");
    throw new ApiError(401, "unauthenticated", "not signed in");
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${current.token}`, Accept: accept, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (failure) {
    throw new ApiError(0, "network", `cannot reach head office (${failure.message})`);
  }
  if (response.status === 401) {
    forget();
    onSignedOut("Your session has expired or was ended. Please sign in again.");
    throw await errorOf(response);
  }
  if (!response.ok) throw await errorOf(response);
  if (accept === "application/json") return response.json();
  return response;
}

/** Fetches a CSV with the token and hands it to the browser as a download under the server's file name. */
export async function download(path, fallbackName) {
  const response = await api(path, { accept: "text/csv" });
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="?([^";]+)"?/.exec(disposition);
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = match ? match[1] : fallbackName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

export async function signIn(id, password) {
  let response;
  try {
    response = await fetch("/v1/manager/sessions", {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ id, password }),
    });
  } catch (failure) {
    throw new ApiError(0, "network", `cannot reach head office (${failure.message})`);
  }
  if (response.status === 401) throw new ApiError(401, "wrong_credentials", "Wrong manager id or password.");
  if (!response.ok) throw await errorOf(response);
  const body = await response.json();
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({
    token: body.token, managerId: body.managerId, name: body.name, expiresAt: body.expiresAt,
  }));
  return body;
}

export async function signOut() {
  const current = session();
  forget();
  if (!current) return;
  try {
    await fetch("/v1/manager/sessions/current", { method: "DELETE", headers: { Authorization: `Bearer ${current.token}` } });
  } catch { /* the token is forgotten here either way */ }
}

/**
 * Wires the sign-in section and the page's main section: shows one or the other, and calls `start` once signed in.
 * The page's elements: #signin (section), #signin-form, #signin-error, #app, #manager-name, #signout.
 */
export function setUpSignIn(start) {
  const signinSection = document.getElementById("signin");
  const app = document.getElementById("app");
  const form = document.getElementById("signin-form");
  const error = document.getElementById("signin-error");
  const who = document.getElementById("manager-name");
  const signoutButton = document.getElementById("signout");

  function showSignIn(message) {
    app.hidden = true;
    signinSection.hidden = false;
    signoutButton.hidden = true;
    who.textContent = "";
    error.textContent = message || "";
    error.hidden = !message;
    form.elements.password.value = "";
    form.elements.id.focus();
  }

  function showApp(current) {
    signinSection.hidden = true;
    app.hidden = false;
    signoutButton.hidden = false;
    who.textContent = `Signed in as ${current.name || current.managerId}`;
    start();
  }

  whenSignedOut((message) => showSignIn(message));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = form.elements.id.value.trim();
    const password = form.elements.password.value;
    if (!id || !password) {
      error.textContent = !id ? "Enter your manager id." : "Enter your password.";
      error.hidden = false;
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await signIn(id, password);
      error.hidden = true;
      showApp(session());
    } catch (failure) {
      error.textContent = failure.status === 423 ? `Too many attempts: ${failure.message}` : failure.message;
      error.hidden = false;
      form.elements.password.value = "";
      form.elements.password.focus();
    } finally {
      button.disabled = false;
    }
  });

  signoutButton.addEventListener("click", async () => {
    await signOut();
    showSignIn("You are signed out.");
  });

  const current = session();
  if (current) showApp(current); else showSignIn("");
}

// ---- Formatting

export function formatInteger(value) {
  return value === null || value === undefined ? "–" : Number(value).toLocaleString("en-GB");
}

export function formatShare(value) {
  return value === null || value === undefined ? "–" : `${(Math.round(value * 1000) / 10).toLocaleString("en-GB")}%`;
}

export function formatScore(value) {
  return value === null || value === undefined ? "–" : `${Math.round(value * 10) / 10 > 0 ? "+" : ""}${Math.round(value * 10) / 10}`;
}

export function formatDateTime(iso) {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";
}

export function formatDay(iso) {
  if (!iso) return "–";
  const date = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

export function make(name, attributes = {}, text = null) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(key, String(value));
  }
  if (text !== null && text !== undefined) node.textContent = text;
  return node;
}

export function customerLink(id, text) {
  return make("a", { href: `/dashboard/customer?id=${encodeURIComponent(id)}`, class: "customer-link" }, text);
}
