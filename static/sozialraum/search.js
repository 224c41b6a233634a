/* Address search: suggestions while typing, then the address card and the point on the map.
 * The typed text goes only to the app's own API; nothing is stored. */
(function () {
  "use strict";
  var root = document.getElementById("suche");
  if (!root) { return; }
  var input = document.getElementById("adresse");
  var list = document.getElementById("vorschlaege");
  var status = document.getElementById("such-status");
  var card = document.getElementById("adresskarte");
  var frame = document.getElementById("karte");
  var labels = JSON.parse(root.dataset.labels || "{}");
  var timer = null, active = -1, results = [], latest = 0;

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); });
  }

  function close() {
    list.textContent = "";
    input.setAttribute("aria-expanded", "false");
    active = -1;
  }

  function show(items) {
    results = items;
    list.textContent = "";
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "vorschlag-" + i;
      li.setAttribute("role", "option");
      li.textContent = item.label + (item.match === "ähnlich" ? " (ähnlich)" : "");
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    status.textContent = items.length === 1 ? "1 Vorschlag" : items.length ? items.length +
      " Vorschläge" : "Keine passende Adresse gefunden.";
  }

  function lookup() {
    var query = input.value.trim();
    if (query.length < 3) { close(); status.textContent = ""; return; }
    var ticket = ++latest;
    getJson(root.dataset.search + "?q=" + encodeURIComponent(query)).then(function (data) {
      if (ticket === latest) { show(data.results); }
    }, function () { status.textContent = "Die Suche ist gerade nicht möglich."; });
  }

  function line(parent, tag, value) {
    var el = document.createElement(tag);
    el.textContent = value;
    parent.appendChild(el);
    return el;
  }

  function renderCard(data) {
    card.textContent = "";
    var a = data.address;
    line(card, "h2", [a.street, a.housenumber].filter(Boolean).join(" "));
    line(card, "p", [a.postcode, a.city].filter(Boolean).join(" "));
    line(card, "h3", "In der Nähe (Luftlinie bis " + Math.round(data.radius_m) + " m)");
    var ul = document.createElement("ul");
    ul.className = "nearby";
    data.nearby.forEach(function (r) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = root.dataset.resource.replace("__ID__", encodeURIComponent(r.id));
      var cats = r.categories.map(function (c) { return labels[c] || c; }).join(", ");
      link.textContent = r.name || cats;
      li.appendChild(link);
      li.appendChild(document.createTextNode(" – " + cats + ", " + r.distance_m + " m"));
      ul.appendChild(li);
    });
    if (!data.nearby.length) { line(card, "p", "Keine Orte in der Nähe erfasst."); }
    card.appendChild(ul);
    card.hidden = false;
    try {
      var win = frame.contentWindow;
      var map = Object.values(win).find(function (v) { return v instanceof win.L.Map; });
      var c = data.geometry.coordinates;
      win.sozialraumShowPoint(map, c[0], c[1], [a.street, a.housenumber].filter(Boolean).join(" "));
    } catch (e) { /* map not ready */ }
  }

  function choose(i) {
    var item = results[i];
    if (!item) { return; }
    input.value = item.label;
    close();
    getJson(root.dataset.card.replace("__ID__", encodeURIComponent(item.id))).then(renderCard,
      function () { status.textContent = "Die Adresskarte konnte nicht geladen werden."; });
  }

  function highlight(i) {
    var items = list.querySelectorAll("li");
    items.forEach(function (li, n) { li.setAttribute("aria-selected", n === i ? "true" : "false"); });
    active = i;
    if (items[i]) { input.setAttribute("aria-activedescendant", items[i].id); }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 150);
  });
  input.addEventListener("keydown", function (event) {
    var count = list.children.length;
    if (event.key === "ArrowDown" && count) { event.preventDefault(); highlight((active + 1) % count); }
    else if (event.key === "ArrowUp" && count) { event.preventDefault(); highlight((active - 1 + count) % count); }
    else if (event.key === "Enter") { event.preventDefault(); choose(active >= 0 ? active : 0); }
    else if (event.key === "Escape") { close(); }
  });
  document.getElementById("suchformular").addEventListener("submit", function (e) { e.preventDefault(); });
})();
