/* The device store of offline use (issue 23), shared by the pages (offline.js) and the
 * service worker (sw.js): IndexedDB through idb (global ``idb``) and one Cache Storage cache.
 *
 *   bundles  what "Für unterwegs speichern" stored: key, title, area, user, savedAt (ms),
 *            keepDays, urls (every stored URL), bytes, tiles
 *   queue    what was recorded without a connection, in order (seq): kind "note" (a JSON
 *            request to the notes API, If-Match for a change) or "findings" (the results form
 *            of a walk); state "pending", "conflict" (412, the current version kept beside
 *            it) or "refused" (the data-protection guard or another check, with its reason)
 *
 * Stored pages and answers never go into the browser's HTTP cache (they are no-store): only
 * into this cache, which expiry and logout clear. The queue is never cleared without asking.
 */
(function (global) {
  "use strict";

  var DB_NAME = "sozialraum-offline";
  var CACHE = "sozialraum-offline-v1";
  var DAY_MS = 86400000;
  var opened = null;

  function db() {
    if (!opened) {
      opened = global.idb.openDB(DB_NAME, 1, {
        upgrade: function (database) {
          database.createObjectStore("bundles", { keyPath: "key" });
          database.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        }
      });
    }
    return opened;
  }

  /* the key a URL is stored under: tiles without their ?v= (the archive's identity) */
  function cacheKey(url) {
    var u = new URL(url, global.location.href);
    if (u.pathname.indexOf("/tiles/") === 0) return u.origin + u.pathname;
    return u.href;
  }

  function expired(bundle, now) {
    return now - bundle.savedAt > (bundle.keepDays || 14) * DAY_MS;
  }

  /* delete every cached URL that no remaining bundle names */
  async function prune(remaining) {
    if (!remaining.length) {
      await global.caches.delete(CACHE);
      return;
    }
    var live = new Set();
    remaining.forEach(function (b) { b.urls.forEach(function (u) { live.add(u); }); });
    var cache = await global.caches.open(CACHE);
    var keys = await cache.keys();
    await Promise.all(keys.map(function (request) {
      return live.has(request.url) ? null : cache.delete(request);
    }));
  }

  /* bundles older than their keepDays (14) are deleted with their stored pages and data;
   * the queue stays (unsent notes are never deleted silently). Returns the deleted keys. */
  async function expire(now) {
    now = now || Date.now();
    var d = await db();
    var bundles = await d.getAll("bundles");
    var old = bundles.filter(function (b) { return expired(b, now); });
    if (!old.length) return [];
    for (var i = 0; i < old.length; i++) await d.delete("bundles", old[i].key);
    await prune(bundles.filter(function (b) { return !expired(b, now); }));
    return old.map(function (b) { return b.key; });
  }

  async function clearData() {
    var d = await db();
    await d.clear("bundles");
    await global.caches.delete(CACHE);
  }

  async function clearQueue() {
    var d = await db();
    await d.clear("queue");
  }

  global.sozialraumStore = {
    CACHE: CACHE,
    DAY_MS: DAY_MS,
    db: db,
    cacheKey: cacheKey,
    expire: expire,
    prune: prune,
    clearData: clearData,
    clearQueue: clearQueue,
    bundles: function () { return db().then(function (d) { return d.getAll("bundles"); }); },
    queue: function () { return db().then(function (d) { return d.getAll("queue"); }); }
  };
})(self);
