/* The offline service worker (issue 23), served as /sw.js (scope: every page).
 *
 * Online it changes nothing: every GET goes to the network (Workbox NetworkOnly; nothing is
 * written to any cache at run time, pages stay no-store). Only when the network fails does
 * it answer from what "Für unterwegs speichern" stored (static/sozialraum/offline/store.js):
 * the page, API answer or basemap tile (tiles by path, without ?v=), the empty note form for
 * a note form with a place in its query (offline.js fills the place in), else a short German
 * page "nicht für unterwegs gespeichert". Expired bundles (14 days) are deleted first.
 * Workbox and idb come from static/vendor (npm), never from a CDN.
 */
/* global importScripts, workbox */
importScripts("/static/vendor/workbox-sw/build/workbox-sw.js");
workbox.setConfig({
  debug: false,
  modulePathCb: function (name) {
    return "/static/vendor/" + name + "/build/" + name + ".prod.js";
  }
});
importScripts("/static/vendor/idb/build/umd.js", "/static/sozialraum/offline/store.js");

(function () {
  "use strict";

  var store = self.sozialraumStore;
  var NETWORK_TIMEOUT_S = 10;  // a stairwell with one bar: fall back to the stored copy

  var NOT_STORED =
    "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<title>Offline – sozialraum</title>" +
    "<link rel=\"stylesheet\" href=\"/static/sozialraum/app.css\"></head><body>" +
    "<main id=\"inhalt\"><article class=\"card\"><h1>Keine Verbindung</h1>" +
    "<p>Diese Seite ist nicht für unterwegs gespeichert. Gespeichert sind die Rundgänge und " +
    "Bezirke, bei denen Sie „Für unterwegs speichern“ gewählt haben.</p>" +
    "<p><a href=\"/\">Zur Übersicht</a></p>" +
    "</article></main></body></html>";

  function notStored() {
    return new Response(NOT_STORED, {
      status: 503,
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'"
      }
    });
  }

  var checked = 0;  // when expiry was last checked (ms): once a minute, not per tile

  async function stored(request) {
    if (Date.now() - checked > 60000) {
      checked = Date.now();
      await store.expire();
    }
    var cache = await caches.open(store.CACHE);
    var url = new URL(request.url);
    var hit = await cache.match(store.cacheKey(request.url), { ignoreVary: true });
    if (!hit && request.mode === "navigate" && url.search) {
      // the page without its query: "?gespeichert=1", "/notizen/neu?address_id=…"
      hit = await cache.match(url.origin + url.pathname, { ignoreVary: true });
    }
    if (hit) return hit;
    return request.mode === "navigate" ? notStored() : Response.error();
  }

  self.addEventListener("install", function () { self.skipWaiting(); });
  self.addEventListener("activate", function (event) {
    event.waitUntil(self.clients.claim().then(function () { return store.expire(); }));
  });

  workbox.routing.registerRoute(
    function (options) {
      var url = options.url;
      return options.request.method === "GET" && url.origin === self.location.origin &&
        url.pathname !== "/sw.js";
    },
    new workbox.strategies.NetworkOnly({
      networkTimeoutSeconds: NETWORK_TIMEOUT_S,
      plugins: [{ handlerDidError: function (options) { return stored(options.request); } }]
    })
  );
})();
