// The service worker of the browser forms (scope /collect/fill/): it keeps what a
// form page needs (the page, its scripts and styles, the form's media) so that the
// form opens and fills with no connection. Reads go to the network first and fall
// back to what was kept; static files, whose names change with their content in
// production, come from the cache first. Submissions (POST) are never touched here:
// the page keeps them in its outbox until the server has taken them.
const CACHE = "scoretrack-fill-v1";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// The page lists what it needs: kept now, while it is online. Static files it no
// longer lists (an older bundle, before an upgrade) are dropped: every form page
// uses the same ones.
async function keep(urls) {
  const cache = await caches.open(CACHE);
  await Promise.all(
    urls.map((url) =>
      fetch(url, { credentials: "same-origin" })
        .then((response) => (response.ok ? cache.put(url, response) : undefined))
        .catch(() => undefined),
    ),
  );
  const listed = new Set(urls.map((url) => new URL(url, self.location.origin).pathname));
  for (const request of await cache.keys()) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/static/") && !listed.has(pathname)) await cache.delete(request);
  }
}

self.addEventListener("message", (event) => {
  const urls = (event.data && event.data.cache) || [];
  event.waitUntil(keep(urls));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request, {
      ignoreSearch: request.mode === "navigate",
      // Pages vary by cookie and language: the copy kept is the one this browser saw.
      ignoreVary: true,
    });
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreVary: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const immutable = url.pathname.startsWith("/static/") && /\.[0-9a-f]{12}\./.test(url.pathname);
  event.respondWith(immutable ? cacheFirst(request) : networkFirst(request));
});
