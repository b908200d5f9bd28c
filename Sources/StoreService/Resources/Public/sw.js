// Parcours fronts' service worker: keeps the shell (the kiosk's and till's HTML, CSS, JS, icon and config.json) so
// that reloading a front while the store service is down still shows the page, which then shows "service
// unreachable" and reconnects by itself. Plain JS, registered by shared.js with scope "/".
//
// The service fills in the two placeholders when it serves this file: VERSION is a hash of every shell file, so a
// new build or configuration is a new worker with a new cache (the old ones are deleted); SHELL lists exactly the
// files it serves. Network first: while the service answers, the page always gets the current files.
//
// Never cached: the API (/v1/…, customer data, no-store), /health, /metrics, anything not in SHELL.
"use strict";

const VERSION = "__SHELL_VERSION__";
const SHELL = [/* __SHELL_PATHS__ */];
const CACHE_PREFIX = "parcours-shell-";
const CACHE = CACHE_PREFIX + VERSION;
const shellPaths = new Set(SHELL);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: "no-cache" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // Not answering leaves the request to the browser, untouched: the API, WebSockets, other origins.
  if (url.origin !== self.location.origin || url.pathname.startsWith("/v1/") || !shellPaths.has(url.pathname)) return;
  event.respondWith(networkFirst(request, url.pathname));
});

/** The network's answer (kept for next time when it is a 200), or the kept copy when the service is unreachable. */
async function networkFirst(request, path) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") await cache.put(path, response.clone());
    return response;
  } catch (e) {
    const kept = await cache.match(path);
    return kept || Response.error();
  }
}
