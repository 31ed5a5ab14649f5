// The workbench's service worker: keeps the app's own files so that it opens without a
// connection. It never keeps an answer of the API: /api/ requests are not even looked at.
const VERSION = "{{version}}";
const FILES = ["{{files}}"];
const PREFIX = "tongjie-workbench-";
const CACHE = `${PREFIX}${VERSION}`;
const PAGE = "/workbench";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function pageFirstFromNetwork(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(CACHE);
      await cache.put(PAGE, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await caches.match(PAGE);
    if (kept) return kept;
    throw error;
  }
}

async function assetFromCache(request) {
  const kept = await caches.match(request);
  return kept || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) event.respondWith(pageFirstFromNetwork(event.request));
  else if (url.pathname.startsWith(`${PAGE}/assets/`)) event.respondWith(assetFromCache(event.request));
  // Anything else (the API above all) goes to the network as if there were no worker.
});
