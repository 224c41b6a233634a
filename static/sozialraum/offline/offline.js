/* Offline use on the phone (issue 23), on every page (base.html; a page of its own includes
 * vendor/idb/build/umd.js, sozialraum/offline/store.js and this file, in that order).
 *
 * - registers the service worker /sw.js (it answers from the stored copies only when the
 *   network fails);
 * - "Für unterwegs speichern" (a button with data-sr-offline-save="<GET /api/areas/A/offline
 *   URL>" and a status element data-sr-offline-status beside it) stores the pages, API
 *   answers and basemap tiles of a walk or district in Cache Storage (with their CSS, script
 *   and font files) and shows how much and when;
 * - without a connection the note form (form[data-sr-note-form]) and a walk's results form
 *   (form.findings) are queued in IndexedDB and marked "nicht übertragen";
 * - back online, or on "Jetzt übertragen", the queue is sent in order (notes through the JSON
 *   API with their stored If-Match version, results through their form): a 412 shows both
 *   versions side by side to keep one or merge, a refusal (data-protection guard, 4xx) shows
 *   its reason and the text stays editable; nothing is dropped without the user saying so;
 * - logout asks before it deletes stored data and unsent entries; stored data expires after
 *   14 days; a page without a session (ended on the server) offers to delete, after asking.
 * Every text from data is set as text, never as HTML.
 */
(function (global) {
  "use strict";

  var S = global.sozialraumStore;
  var doc = global.document;
  if (!S || !global.indexedDB || !global.caches) return;

  var POOL = 6;  // parallel downloads while saving
  var RETRY_MS = 30000;  // how often a waiting queue is tried again
  var SOON_MS = 3000;  // after a failed attempt: once more this soon
  var SKEW_MS = 600000;  // the phone's clock may be this far off the server's
  var SENT_KEY = "sozialraum-offline-sent";  // ids of notes this device sent (localStorage)
  var syncing = false;
  var sessionEnded = false;
  var notices = [];
  var panel = null;

  // -- small helpers ---------------------------------------------------------------------
  function el(tag, text, className) {
    var node = doc.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function button(text, onClick, className) {
    var b = el("button", text, className);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function when(ms) {
    return new Date(ms).toLocaleString("de-DE", {
      day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit"
    });
  }

  function day(ms) {
    return new Date(ms).toLocaleDateString("de-DE", { day: "2-digit", month: "2-digit", year: "numeric" });
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toLocaleString("de-DE", { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + " MB";
  }

  function meta(name) {
    var m = doc.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute("content") : "";
  }

  function me() { return meta("sr-user"); }

  function online() { return global.navigator.onLine !== false; }

  // -- service worker --------------------------------------------------------------------
  if ("serviceWorker" in global.navigator) {
    global.navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }

  // -- saving for offline use ------------------------------------------------------------
  /* same-origin CSS, script and font files a page or style sheet names */
  function assetsOf(text, base, css) {
    var found = [];
    var pattern = css ? /url\(\s*['"]?([^'")]+)['"]?\s*\)/g : /(?:src|href)="([^"]+)"/g;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      var raw = match[1].replace(/&amp;/g, "&");
      if (/^(data|blob|javascript|mailto):/i.test(raw) || raw.charAt(0) === "#") continue;
      var url = new URL(raw, base);
      if (url.origin !== global.location.origin) continue;
      if (url.pathname.indexOf("/static/") !== 0) continue;
      url.hash = "";
      found.push(url.href);
    }
    return found;
  }

  async function pool(jobs, worker) {
    var next = 0;
    async function run() {
      while (next < jobs.length) {
        var job = jobs[next++];
        await worker(job);
      }
    }
    var runners = [];
    for (var i = 0; i < POOL; i++) runners.push(run());
    await Promise.all(runners);
  }

  function copyOf(response, body) {
    var headers = new Headers(response.headers);
    headers.delete("Content-Encoding");  // the body is decoded already
    headers.delete("Content-Length");
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  }

  async function saveBundle(planUrl, progress) {
    var answer = await fetch(planUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (answer.status === 401) throw new Error("Bitte melden Sie sich wieder an.");
    if (!answer.ok) throw new Error("Speichern nicht möglich (Fehler " + answer.status + ").");
    var plan = await answer.json();
    var cache = await caches.open(S.CACHE);
    var stored = new Set();
    var seenAssets = new Set();
    var totals = { bytes: 0, tiles: 0, pages: 0, failed: 0, done: 0 };
    var jobs = [];
    plan.pages.forEach(function (url) { jobs.push({ url: url, kind: "page" }); });
    plan.data.forEach(function (item) { jobs.push({ url: item.url, alias: item.alias, kind: "data" }); });
    plan.tiles.forEach(function (url) { jobs.push({ url: url, kind: "tile" }); });
    var total = jobs.length;

    async function fetchOne(job) {
      var response;
      try {
        response = await fetch(job.url, { credentials: "same-origin", cache: "no-store" });
      } catch (e) {
        throw new Error("Die Verbindung ist abgebrochen. Bitte erneut speichern.");
      }
      if (response.status === 401) throw new Error("Bitte melden Sie sich wieder an.");
      totals.done += 1;
      if (!response.ok) { totals.failed += 1; return; }
      var body = await response.arrayBuffer();
      totals.bytes += body.byteLength;
      var keys = [S.cacheKey(job.url)];
      if (job.alias) keys.push(S.cacheKey(job.alias));
      for (var i = 0; i < keys.length; i++) {
        await cache.put(keys[i], copyOf(response, body));
        stored.add(keys[i]);
      }
      if (job.kind === "tile") totals.tiles += 1;
      if (job.kind === "page") totals.pages += 1;
      var type = response.headers.get("Content-Type") || "";
      if (job.kind === "page" || job.kind === "asset") {
        var isCss = type.indexOf("text/css") === 0;
        if (type.indexOf("text/html") === 0 || isCss) {
          var text = new TextDecoder().decode(body);
          assetsOf(text, response.url || job.url, isCss).forEach(function (url) {
            if (!seenAssets.has(url)) {
              seenAssets.add(url);
              jobs.push({ url: url, kind: "asset" });
              total += 1;
            }
          });
        }
      }
      if (progress) progress(totals.done, total);
    }

    await pool(jobs, fetchOne);
    // the offline scripts themselves, whatever the pages named
    var own = ["/static/vendor/idb/build/umd.js", "/static/sozialraum/offline/store.js",
      "/static/sozialraum/offline/offline.js", "/static/sozialraum/offline/manifest.webmanifest"];
    await pool(own.filter(function (u) { return !stored.has(S.cacheKey(u)); })
      .map(function (u) { return { url: u, kind: "asset" }; }), fetchOne);
    var bundle = {
      key: plan.key,
      kind: plan.kind,
      title: plan.title,
      area: plan.area,
      district: plan.district,
      user: plan.user,
      savedAt: Date.now(),
      keepDays: plan.keep_days || 14,
      urls: Array.from(stored),
      bytes: totals.bytes,
      tiles: totals.tiles,
      pages: totals.pages,
      failed: totals.failed
    };
    var d = await S.db();
    await d.put("bundles", bundle);
    await S.prune(await d.getAll("bundles"));  // what an earlier save of this key had extra
    return bundle;
  }

  function describe(bundle) {
    var until = bundle.savedAt + bundle.keepDays * S.DAY_MS;
    return "Für unterwegs gespeichert am " + when(bundle.savedAt) + ": " + megabytes(bundle.bytes) +
      ", " + bundle.tiles.toLocaleString("de-DE") + " Kartenkacheln, " + bundle.pages + " Seiten. " +
      "Wird am " + day(until) + " von diesem Gerät gelöscht.";
  }

  function showBundle(status, bundle) {
    status.textContent = describe(bundle);
    status.setAttribute("data-bytes", String(bundle.bytes));
    status.setAttribute("data-tiles", String(bundle.tiles));
    status.setAttribute("data-saved-at", String(bundle.savedAt));
    status.setAttribute("data-state", "saved");
  }

  async function setUpSaveButtons() {
    var buttons = doc.querySelectorAll("[data-sr-offline-save]");
    if (!buttons.length) return;
    var bundles = await S.bundles();
    buttons.forEach(function (b) {
      var box = b.closest("[data-sr-offline-key]") || b.parentNode;
      var status = box.querySelector("[data-sr-offline-status]");
      var key = box.getAttribute("data-sr-offline-key");
      var known = bundles.filter(function (x) { return x.key === key; })[0];
      if (known && status) showBundle(status, known);
      b.addEventListener("click", async function () {
        if (!online()) {
          status.textContent = "Ohne Verbindung kann nichts gespeichert werden.";
          return;
        }
        b.disabled = true;
        status.setAttribute("data-state", "saving");
        status.textContent = "Speichere für unterwegs …";
        try {
          var bundle = await saveBundle(b.getAttribute("data-sr-offline-save"), function (done, total) {
            status.textContent = "Speichere für unterwegs … " + done + " von " + total;
          });
          showBundle(status, bundle);
        } catch (error) {
          status.setAttribute("data-state", "error");
          status.textContent = error.message;
        } finally {
          b.disabled = false;
          render();
        }
      });
    });
  }

  // -- the queue -------------------------------------------------------------------------
  async function enqueue(item) {
    item.state = "pending";
    item.createdAt = Date.now();
    item.user = me();
    var d = await S.db();
    item.seq = await d.add("queue", item);
    render();
    return item;
  }

  function noteFields(form) {
    var data = {};
    var fd = new FormData(form);
    ["category", "observed_on", "expires_on", "review_state", "mailbox_status", "address_id",
      "resource_id"].forEach(function (key) {
      var value = String(fd.get(key) || "").trim();
      if (value) data[key] = value;
    });
    data.text = String(fd.get("text") || "");
    ["lon", "lat"].forEach(function (key) {
      var value = String(fd.get(key) || "").trim().replace(",", ".");
      if (value) data[key] = Number(value);
    });
    var option = form.querySelector("select[name=category] option:checked");
    var mailbox = option && option.getAttribute("data-kind") === "mailbox";
    var choice = String(fd.get("address_choice") || "").trim();
    if (choice && !data.address_id && mailbox) {
      if (!fd.get("address_confirmed")) {
        throw new Error("Bitte bestätigen Sie die Adresse des Hauses, zu der die Beobachtung gehört.");
      }
      data.address_id = choice;
    }
    if (data.address_id || data.resource_id) { delete data.lon; delete data.lat; }
    if (!data.text.trim()) throw new Error("Bitte eine Beobachtung eintragen.");
    return data;
  }

  function formMessage(form, text, ok) {
    var old = form.parentNode.querySelector(".offline-queued");
    if (old) old.remove();
    var p = el("p", text, (ok ? "success" : "error") + " offline-queued");
    p.setAttribute("role", ok ? "status" : "alert");
    form.parentNode.insertBefore(p, form);
    return p;
  }

  /* Online with nothing waiting, a form is posted as usual (form.submit(), which fires no
   * second submit event); otherwise it goes into the queue, behind what waits already. */
  async function postsNormally(form) {
    var waiting = (await S.queue()).some(isWaiting);
    if (online() && !waiting) {
      form.submit();
      return true;
    }
    return false;
  }

  /* the note form: a new note (POST) or a change of one (PUT with If-Match) */
  function setUpNoteForm(form) {
    var base = null;
    try { base = noteFields(form); } catch (e) { base = null; }
    var action = new URL(form.getAttribute("action") || global.location.pathname, global.location.href);
    var match = /^\/gebiete\/([^/]+)\/notizen\/([^/]+)$/.exec(action.pathname);
    if (!match) return;
    var area = decodeURIComponent(match[1]);
    var isNew = match[2] === "neu";
    if (isNew && !online()) {
      // the stored empty form, opened for an address or a place: take the place from the URL
      var params = new URLSearchParams(global.location.search);
      ["address_id", "resource_id", "lon", "lat"].forEach(function (key) {
        var input = form.querySelector("input[name=" + key + "]");
        if (input && !input.value && params.get(key)) input.value = params.get(key);
      });
      var point = form.querySelector("[data-sr-point]");
      if (point && params.get("address_id")) point.textContent = "Ort: die gewählte Adresse";
    }
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (await postsNormally(form)) return;  // the normal way: the page posts the form
      var data;
      try { data = noteFields(form); } catch (error) { formMessage(form, error.message, false); return; }
      var version = form.querySelector("input[name=version]");
      var item = {
        kind: "note",
        area: area,
        method: isNew ? "POST" : "PUT",
        url: isNew ? "/api/areas/" + encodeURIComponent(area) + "/notes"
          : "/api/areas/" + encodeURIComponent(area) + "/notes/" + encodeURIComponent(match[2]),
        target: isNew ? null : match[2],
        ifMatch: version ? '"v' + version.value + '"' : null,
        body: data,
        base: isNew ? null : base,
        label: (isNew ? "Neue Notiz: " : "Änderung: ") + data.text.trim().slice(0, 60)
      };
      await enqueue(item);
      formMessage(form, "Auf diesem Gerät gespeichert – nicht übertragen. Die Notiz wird gesendet, sobald eine Verbindung besteht.", true);
      if (isNew) form.querySelector("[name=text]").value = "";
      sync();
    });
  }

  /* a walk's results form: every stop in one form, sent as it is (one note per filled stop) */
  function setUpFindingsForm(form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (await postsNormally(form)) return;
      var fields = [];
      var filled = 0;
      new FormData(form).forEach(function (value, key) {
        if (key === "csrf_token") return;
        fields.push([key, String(value)]);
        if (/^(text|mailbox)-\d+$/.test(key) && String(value).trim()) filled += 1;
      });
      if (!filled) { formMessage(form, "Es wurde nichts eingetragen.", false); return; }
      var title = doc.querySelector("nav.crumbs a:last-of-type");
      await enqueue({
        kind: "findings",
        method: "POST",
        url: global.location.pathname,
        target: global.location.pathname,
        fields: fields,
        label: "Ergebnisse des Rundgangs" + (title ? " „" + title.textContent + "“" : "")
      });
      formMessage(form, "Auf diesem Gerät gespeichert – nicht übertragen. Die Ergebnisse werden gesendet, sobald eine Verbindung besteht.", true);
      form.querySelectorAll("textarea").forEach(function (t) { t.value = ""; });
      sync();
    });
  }

  // -- sending ---------------------------------------------------------------------------
  async function freshToken() {
    var response = await fetch("/", { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) return null;
    var text = await response.text();
    var match = /<meta name="csrf-token" content="([^"]+)"/.exec(text);
    return match ? match[1] : null;
  }

  async function send(item, token) {
    if (item.kind === "findings") {
      var form = new URLSearchParams();
      form.append("csrf_token", token);
      item.fields.forEach(function (pair) { form.append(pair[0], pair[1]); });
      return fetch(item.url, {
        method: "POST", credentials: "same-origin", body: form,
        headers: { "Content-Type": "application/x-www-form-urlencoded" }
      });
    }
    var headers = { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token };
    if (item.ifMatch) headers["If-Match"] = item.ifMatch;
    return fetch(item.url, {
      method: item.method, credentials: "same-origin", headers: headers, body: JSON.stringify(item.body)
    });
  }

  function succeeded(item, response) {
    if (item.kind === "findings") {
      // the form answers 303 to the notes list; an error is the form again with its message
      return response.ok && response.redirected && !/\/ergebnisse$/.test(new URL(response.url).pathname);
    }
    return response.ok;
  }

  async function reasonOf(item, response) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("json") >= 0) {
      var body = await response.json().catch(function () { return {}; });
      return body.detail || body.error || "Abgelehnt (" + response.status + ").";
    }
    var text = await response.text();
    var page = new DOMParser().parseFromString(text, "text/html");
    var error = page.querySelector("p.error[role=alert], .error");
    return error ? error.textContent.trim() : "Abgelehnt (" + response.status + ").";
  }

  function isWaiting(item) { return item.state === "pending" || item.state === "sending"; }

  function areaOf(item) {
    if (item.area) return item.area;
    var match = /^\/gebiete\/([^/]+)\//.exec(item.url);
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* Did an entry whose sending was cut off arrive after all? A change: the note has my
   * text now. A new note or results: notes of mine with exactly these texts. */
  async function arrived(item, user) {
    var options = { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } };
    if (item.kind === "note" && item.method === "PUT") {
      var one = await fetch(item.url, options);
      if (!one.ok) return false;
      var note = await one.json();
      return (note.properties.text || "").trim() === item.body.text.trim();
    }
    var texts = item.kind === "note" ? [item.body.text.trim()] : item.fields
      .filter(function (p) { return /^text-\d+$/.test(p[0]) && p[1].trim(); })
      .map(function (p) { return p[1].trim(); });
    if (!texts.length || !user) return false;
    var list = await fetch("/api/areas/" + encodeURIComponent(areaOf(item)) + "/notes?author=" +
      encodeURIComponent(user), options);
    if (!list.ok) return false;
    var known = sentIds();  // notes this device sent for other entries: not this one's
    var since = (item.sendingSince || item.createdAt) - SKEW_MS;
    var found = (await list.json()).features.filter(function (f) {
      var at = Date.parse(f.properties.updated_at || "");
      return !known.has(f.id) && !(at < since);
    }).map(function (f) { return (f.properties.text || "").trim(); });
    return texts.every(function (t) {
      var i = found.indexOf(t);
      if (i < 0) return false;
      found.splice(i, 1);  // one note per text
      return true;
    });
  }

  function sentIds() {
    try {
      return new Set(JSON.parse(global.localStorage.getItem(SENT_KEY) || "[]"));
    } catch (e) {
      return new Set();
    }
  }

  function remember(ids) {
    try {
      var all = Array.from(sentIds()).concat(ids).slice(-1000);
      global.localStorage.setItem(SENT_KEY, JSON.stringify(all));
    } catch (e) { /* storage full or off: the arrival check is only less sure */ }
  }

  /* the ids of the notes an entry created (for the arrival check of later entries) */
  async function noteCreated(item, response) {
    try {
      if (item.kind === "note" && item.method === "POST") {
        remember([(await response.json()).id]);
      } else if (item.kind === "findings") {
        var walk = /^\/gebiete\/([^/]+)\/rundgaenge\/([^/]+)\/ergebnisse$/.exec(item.url);
        if (!walk) return;
        var answer = await fetch("/api/areas/" + walk[1] + "/walks/" + walk[2],
          { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
        if (answer.ok) remember((await answer.json()).properties.findings || []);
      }
    } catch (e) { /* only the arrival check of a later entry is less sure */ }
  }

  async function runQueue() {
    var d = await S.db();
    var items = (await d.getAll("queue")).filter(isWaiting);
    if (!items.length) return;
    var token;
    try {
      token = await freshToken();
    } catch (e) {
      return "network";
    }
    if (!token) { sessionEnded = true; return; }
    sessionEnded = false;
    var user = me();
    var blocked = new Set();
    (await d.getAll("queue")).forEach(function (i) {
      if (!isWaiting(i) && i.target) blocked.add(i.target);
    });
    for (var n = 0; n < items.length; n++) {
      var item = await d.get("queue", items[n].seq);
      if (!item || !isWaiting(item)) continue;
      if (item.user && user && item.user !== user) continue;  // never under another name
      if (item.target && blocked.has(item.target)) continue;  // wait for the one before it
      var response;
      try {
        if (item.state === "sending" && await arrived(item, user)) {
          // sent before, but the page or browser ended before the answer was noted
          await d.delete("queue", item.seq);
          render();
          continue;
        }
        item.state = "sending";  // from here on unknown whether it arrives: checked next time
        item.sendingSince = Date.now();
        await d.put("queue", item);
        response = await send(item, token);
      } catch (e) {
        return "network";  // the connection is gone again: the rest stays queued
      }
      if (response.status === 401) { sessionEnded = true; return; }
      if (succeeded(item, response)) {
        await d.delete("queue", item.seq);
        await noteCreated(item, response);
        render();
        continue;
      }
      if (response.status >= 500 || response.status === 429) return;  // later
      if (response.status === 412) {
        var body = await response.json();
        item.state = "conflict";
        item.current = body.current;
      } else {
        item.state = "refused";
        item.reason = await reasonOf(item, response);
      }
      item.status = response.status;
      await d.put("queue", item);
      if (item.target) blocked.add(item.target);
      render();
    }
  }

  var retryTimer = null;

  async function sync() {
    if (syncing || !online()) return;
    syncing = true;
    var outcome;
    try {
      if (global.navigator.locks) {
        outcome = await global.navigator.locks.request("sozialraum-offline-sync", runQueue);
      } else {
        outcome = await runQueue();
      }
    } catch (e) {
      outcome = "network";  // trouble while sending: the queue is kept as it is
    } finally {
      syncing = false;
      render();
    }
    if (outcome === "network" && !retryTimer) {
      // the connection came back only half way (or not yet for this page): soon again
      retryTimer = global.setTimeout(function () { retryTimer = null; sync(); }, SOON_MS);
    }
  }

  // -- resolving conflicts and refusals --------------------------------------------------
  async function update(item) {
    var d = await S.db();
    await d.put("queue", item);
    render();
  }

  async function drop(item) {
    var d = await S.db();
    await d.delete("queue", item.seq);
    render();
  }

  /* keep my change on top of the current version: the fields I did not change come from it */
  function merged(item, text) {
    var current = item.current.properties || {};
    var body = Object.assign({}, item.body, { text: text });
    var base = item.base || {};
    ["category", "observed_on", "expires_on", "review_state", "mailbox_status", "address_id"].forEach(function (key) {
      if (base[key] === item.body[key] && current[key] !== undefined && current[key] !== null) {
        body[key] = current[key];
      }
    });
    if (base.lon === item.body.lon && base.lat === item.body.lat && item.current.geometry &&
        body.lon !== undefined) {
      body.lon = item.current.geometry.coordinates[0];
      body.lat = item.current.geometry.coordinates[1];
    }
    return body;
  }

  function conflictView(item) {
    var box = el("div", null, "offline-conflict");
    var current = item.current.properties || {};
    box.appendChild(el("p", "Die Notiz wurde inzwischen geändert (Fassung " + current.version +
      "). Beide Fassungen stehen hier nebeneinander: übernehmen Sie eine, oder führen Sie sie zusammen.", "meta"));
    var grid = el("div", null, "offline-versions");
    var mine = el("div", null, "offline-version offline-mine");
    mine.appendChild(el("h3", "Ihre Fassung (auf diesem Gerät, nicht übertragen)"));
    var area = el("textarea", null, "offline-text");
    area.value = item.body.text;
    area.rows = 5;
    area.setAttribute("aria-label", "Ihre Fassung");
    mine.appendChild(area);
    var theirs = el("div", null, "offline-version offline-theirs");
    theirs.appendChild(el("h3", "Aktuelle Fassung" + (current.author ? " (" + current.author + ")" : "")));
    theirs.appendChild(el("p", current.text || "", "offline-current-text"));
    grid.appendChild(mine);
    grid.appendChild(theirs);
    box.appendChild(grid);
    var actions = el("p", null, "offline-actions");
    actions.appendChild(button("Beide Texte zusammenführen", function () {
      area.value = item.body.text.trim() + "\n\n" + (current.text || "").trim();
      area.focus();
    }));
    actions.appendChild(button("Meine Fassung senden", async function () {
      item.body = merged(item, area.value);
      item.ifMatch = '"v' + current.version + '"';
      item.state = "pending";
      delete item.current;
      await update(item);
      sync();
    }, "primary"));
    actions.appendChild(button("Aktuelle Fassung behalten (meine verwerfen)", function () { drop(item); }));
    box.appendChild(actions);
    return box;
  }

  function refusedView(item) {
    var box = el("div", null, "offline-refused");
    var reason = el("p", item.reason || "Abgelehnt.", "error");
    reason.setAttribute("role", "alert");
    box.appendChild(reason);
    var editors = [];
    if (item.kind === "note") {
      var area = el("textarea", null, "offline-text");
      area.value = item.body.text;
      area.rows = 4;
      area.setAttribute("aria-label", "Text der Notiz");
      box.appendChild(area);
      editors.push(function () { item.body.text = area.value; });
    } else {
      item.fields.forEach(function (pair, index) {
        if (!/^text-\d+$/.test(pair[0]) || !pair[1].trim()) return;
        var t = el("textarea", null, "offline-text");
        t.value = pair[1];
        t.rows = 3;
        t.setAttribute("aria-label", "Station " + (Number(pair[0].split("-")[1]) + 1));
        box.appendChild(t);
        editors.push(function () { item.fields[index][1] = t.value; });
      });
    }
    var actions = el("p", null, "offline-actions");
    actions.appendChild(button("Geändert erneut senden", async function () {
      editors.forEach(function (apply) { apply(); });
      item.state = "pending";
      delete item.reason;
      await update(item);
      sync();
    }, "primary"));
    actions.appendChild(button("Diesen Eintrag löschen", function () {
      ask("Diesen nicht übertragenen Eintrag endgültig von diesem Gerät löschen?",
        [["Löschen", function () { drop(item); }]]);
    }));
    box.appendChild(actions);
    return box;
  }

  // -- dialogs ---------------------------------------------------------------------------
  /* an in-page dialog (no window.confirm): text, then [label, action] buttons and "Abbrechen" */
  function ask(text, choices) {
    var dialog = el("dialog", null, "offline-dialog");
    dialog.setAttribute("aria-label", "Daten für unterwegs");
    text.split("\n").forEach(function (line) { dialog.appendChild(el("p", line)); });
    var actions = el("p", null, "offline-actions");
    choices.forEach(function (choice) {
      actions.appendChild(button(choice[0], async function () {
        dialog.close();
        dialog.remove();
        await choice[1]();
      }, choice[2]));
    });
    actions.appendChild(button("Abbrechen", function () { dialog.close(); dialog.remove(); }));
    dialog.appendChild(actions);
    doc.body.appendChild(dialog);
    dialog.showModal();
    return dialog;
  }

  async function counts() {
    var bundles = await S.bundles();
    var queue = await S.queue();
    return { bundles: bundles, queue: queue };
  }

  function deleteQuestion(state) {
    var lines = [];
    if (state.queue.length) {
      lines.push("Auf diesem Gerät sind " + state.queue.length + " Einträge noch nicht übertragen. " +
        "Beim Löschen gehen sie verloren.");
    }
    if (state.bundles.length) {
      lines.push("Für unterwegs gespeichert: " + state.bundles.map(function (b) { return b.title; }).join(", ") + ".");
    }
    return lines.join("\n");
  }

  async function deleteAll() {
    try { global.localStorage.removeItem(SENT_KEY); } catch (e) { /* nothing stored */ }
    await S.clearQueue();
    await S.clearData();
    notices = ["Die Daten für unterwegs wurden von diesem Gerät gelöscht."];
    render();
  }

  function guardLogout() {
    doc.querySelectorAll("form.logout").forEach(function (form) {
      form.addEventListener("submit", async function (event) {
        if (form.getAttribute("data-sr-confirmed") === "1") return;
        event.preventDefault();
        var state = await counts();
        if (!state.queue.length && !state.bundles.length) {
          form.setAttribute("data-sr-confirmed", "1");
          form.submit();
          return;
        }
        var choices = [];
        if (state.queue.length && online()) {
          choices.push(["Erst übertragen", function () { return sync(); }, "primary"]);
        }
        choices.push([state.queue.length ? "Alles löschen und abmelden" : "Gespeicherte Daten löschen und abmelden",
          async function () {
            await deleteAll();
            form.setAttribute("data-sr-confirmed", "1");
            form.submit();
          }]);
        ask("Abmelden: Die Daten für unterwegs werden von diesem Gerät gelöscht.\n" + deleteQuestion(state), choices);
      });
    });
  }

  // -- the panel -------------------------------------------------------------------------
  function ensurePanel() {
    if (panel) return panel;
    panel = el("section", null, "offline-panel");
    panel.setAttribute("aria-label", "Unterwegs");
    panel.setAttribute("aria-live", "polite");
    panel.setAttribute("data-sr-offline-panel", "");
    var main = doc.querySelector("main") || doc.body;
    main.insertBefore(panel, main.firstChild);
    return panel;
  }

  async function render() {
    var state = await counts();
    var box = ensurePanel();
    box.textContent = "";
    var pending = state.queue.filter(isWaiting);
    if (!state.queue.length) {
      // everything arrived: the form's "nicht übertragen" would now be wrong
      doc.querySelectorAll("p.offline-queued.success").forEach(function (p) {
        p.textContent = "Übertragen: auf dem Server gespeichert.";
      });
    }
    box.setAttribute("data-queued", String(state.queue.length));
    box.setAttribute("data-pending", String(pending.length));
    box.setAttribute("data-online", online() ? "true" : "false");
    notices.forEach(function (text) { box.appendChild(el("p", text, "success")); });
    if (!online()) {
      var newest = state.bundles.reduce(function (a, b) { return Math.max(a, b.savedAt); }, 0);
      box.appendChild(el("p", "Keine Verbindung." + (newest ? " Sie sehen die für unterwegs gespeicherte Fassung vom " + when(newest) + "." : ""), "offline-state"));
    }
    var loggedIn = !!me();
    if (sessionEnded || (!loggedIn && (state.queue.length || state.bundles.length))) {
      var ended = el("div", null, "offline-ended");
      ended.appendChild(el("p", (sessionEnded ? "Ihre Sitzung ist beendet. " : "") +
        "Auf diesem Gerät sind Daten für unterwegs gespeichert" +
        (state.queue.length ? ", davon " + state.queue.length + " nicht übertragene Einträge: Melden Sie sich an, dann werden sie gesendet." : ".")));
      ended.appendChild(button("Daten auf diesem Gerät löschen …", function () {
        ask(deleteQuestion(state), [["Endgültig löschen", deleteAll]]);
      }));
      box.appendChild(ended);
    }
    var others = state.bundles.filter(function (b) { return loggedIn && b.user && b.user !== me(); });
    if (others.length) {
      // another account's stored data on this device (its session ended without logout)
      var foreign = el("div", null, "offline-foreign");
      foreign.appendChild(el("p", "Auf diesem Gerät sind Daten für unterwegs eines anderen Kontos gespeichert (" +
        others.map(function (b) { return b.title + ", " + b.user; }).join("; ") + ")."));
      foreign.appendChild(button("Diese Daten löschen …", function () {
        ask("Die für unterwegs gespeicherten Daten eines anderen Kontos von diesem Gerät löschen? " +
          "Nicht übertragene Einträge bleiben.", [["Löschen", async function () {
          var d = await S.db();
          for (var i = 0; i < others.length; i++) await d.delete("bundles", others[i].key);
          await S.prune(await d.getAll("bundles"));
          render();
        }]]);
      }));
      box.appendChild(foreign);
    }
    if (state.queue.length) {
      var head = el("p", null, "offline-queue-head");
      head.appendChild(el("strong", state.queue.length + (state.queue.length === 1 ? " Eintrag" : " Einträge") + " nicht übertragen"));
      var now = button("Jetzt übertragen", function () { sync(); }, "primary");
      now.disabled = !online() || syncing;
      head.appendChild(doc.createTextNode(" "));
      head.appendChild(now);
      box.appendChild(head);
      var list = el("ol", null, "offline-queue");
      state.queue.forEach(function (item) {
        var li = el("li", null, "offline-item");
        li.setAttribute("data-state", item.state);
        li.appendChild(el("span", item.label));
        li.appendChild(el("span", item.state === "sending" ? " · wird übertragen" : " · nicht übertragen", "offline-mark"));
        if (item.user && me() && item.user !== me()) {
          li.appendChild(el("p", "Aufgenommen von " + item.user + ": wird erst gesendet, wenn " + item.user + " angemeldet ist.", "meta"));
        }
        if (item.state === "conflict") li.appendChild(conflictView(item));
        if (item.state === "refused") li.appendChild(refusedView(item));
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    box.hidden = !box.childNodes.length;
  }

  // -- start -----------------------------------------------------------------------------
  async function start() {
    var gone = await S.expire();
    if (gone.length) {
      notices.push("Für unterwegs gespeicherte Daten, die älter als 14 Tage waren, wurden von diesem Gerät gelöscht.");
    }
    doc.querySelectorAll("form[data-sr-note-form]").forEach(setUpNoteForm);
    doc.querySelectorAll("form.findings").forEach(setUpFindingsForm);
    guardLogout();
    await setUpSaveButtons();
    await render();
    doc.documentElement.setAttribute("data-sr-offline", "ready");
    if (online()) sync();
  }

  global.addEventListener("online", function () { render(); sync(); });
  // the "online" event does not come everywhere (and a weak signal may have dropped a
  // request): look again every RETRY_MS while something waits
  global.setInterval(function () {
    S.queue().then(function (items) {
      if (items.some(isWaiting)) sync();
    });
  }, RETRY_MS);
  global.addEventListener("offline", function () { render(); });
  /* for the field page and other pages of their own: queue a new note (the JSON body of
   * POST /api/areas/{area}/notes) as the note form does without a connection */
  function queueNote(area, body, label) {
    return enqueue({
      kind: "note", area: area, method: "POST", target: null, ifMatch: null, base: null,
      url: "/api/areas/" + encodeURIComponent(area) + "/notes", body: body,
      label: label || "Neue Notiz: " + String(body.text || "").trim().slice(0, 60)
    });
  }

  global.sozialraumOffline = {
    sync: sync, render: render, save: saveBundle, deleteAll: deleteAll, queueNote: queueNote
  };
  start();
})(window);
