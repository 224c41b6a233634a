/* List view beside the map (BITV 2.0): everything the map shows, sortable and filterable.
 * Rows and map markers select each other. All text is set with textContent. */
(function () {
  "use strict";
  var root = document.getElementById("liste");
  if (!root) { return; }
  var layers = JSON.parse(root.dataset.layers);
  var labels = JSON.parse(root.dataset.labels || "{}");
  var tbody = root.querySelector("tbody");
  var status = document.getElementById("liste-status");
  var filter = document.getElementById("liste-filter");
  var kind = document.getElementById("liste-art");
  var more = document.getElementById("liste-mehr");
  var PAGE = 200;
  var state = { rows: { orte: [], adressen: null }, sort: "name", dir: 1, shown: PAGE, selected: null };

  function text(v) { return v === null || v === undefined ? "" : String(v); }

  function address(p) {
    return [[p.street, p.housenumber].filter(Boolean).join(" "), p.postcode].filter(Boolean).join(", ");
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); });
  }

  function loadPlaces() {
    var seen = {};
    var jobs = Object.keys(layers).map(function (category) {
      return getJson(layers[category]).then(function (data) {
        data.features.forEach(function (f) {
          if (seen[f.id]) { return; }
          seen[f.id] = true;
          var p = f.properties || {};
          var cats = (p.categories || []).map(function (c) { return labels[c] || c; }).join(", ");
          state.rows.orte.push({ id: f.id, name: text(p.name) || cats, category: cats,
                                 address: address(p), link: root.dataset.card });
        });
      });
    });
    return Promise.all(jobs);
  }

  function loadAddresses() {
    return getJson(root.dataset.addresses).then(function (data) {
      state.rows.adressen = data.features.map(function (f) {
        var p = f.properties || {};
        return { id: f.id, name: address(p), category: "Adresse", address: address(p),
                 link: root.dataset.addressCard };
      });
    });
  }

  function current() {
    var rows = state.rows[kind.value] || [];
    var needle = filter.value.trim().toLowerCase();
    if (needle) {
      rows = rows.filter(function (r) {
        return (r.name + " " + r.category + " " + r.address).toLowerCase().indexOf(needle) >= 0;
      });
    }
    var key = state.sort, dir = state.dir;
    return rows.slice().sort(function (a, b) {
      return dir * a[key].localeCompare(b[key], "de", { numeric: true, sensitivity: "base" });
    });
  }

  // the map is part of the page (issue 21 §5): its popup opens, the focus stays on the list
  // (the rows were drawn anew: the chosen row's button gets it back)
  function focusOnMap(id) {
    var shown = false;
    try { shown = window.sozialraumFocus ? window.sozialraumFocus(id) : false; } catch (e) { shown = false; }
    var button = tbody.querySelector('tr[data-id="' + CSS.escape(id) + '"] button.row-select');
    if (button) { button.focus({ preventScroll: true }); }
    return shown;
  }

  function render() {
    var rows = current();
    tbody.textContent = "";
    rows.slice(0, state.shown).forEach(function (row) {
      var tr = document.createElement("tr");
      tr.dataset.id = row.id;
      if (row.id === state.selected) { tr.className = "selected"; tr.setAttribute("aria-selected", "true"); }
      var nameCell = document.createElement("td");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "row-select";
      button.textContent = row.name || "(ohne Namen)";
      button.title = "Auf der Karte zeigen";
      button.addEventListener("click", function () { select(row.id, true); });
      nameCell.appendChild(button);
      var link = document.createElement("a");
      link.href = row.link.replace("__ID__", encodeURIComponent(row.id));
      link.textContent = "Details";
      link.className = "row-card";
      link.setAttribute("aria-label", "Details zu " + (row.name || row.address));
      nameCell.appendChild(document.createTextNode(" "));
      nameCell.appendChild(link);
      tr.appendChild(nameCell);
      [row.category, row.address].forEach(function (value) {
        var td = document.createElement("td");
        td.textContent = value;
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    more.hidden = rows.length <= state.shown;
    var one = rows.length === 1;
    status.textContent = rows.length + (kind.value === "orte" ? (one ? " Ort" : " Orte")
      : (one ? " Adresse" : " Adressen")) +
      (rows.length > state.shown ? ", " + state.shown + " angezeigt" : "");
  }

  function select(id, fromList) {
    state.selected = id;
    var rows = current();
    var index = rows.findIndex(function (r) { return r.id === id; });
    if (index >= state.shown) { state.shown = index + 1; }
    render();
    var tr = tbody.querySelector('tr[data-id="' + CSS.escape(id) + '"]');
    if (tr && !fromList) { tr.scrollIntoView({ block: "nearest" }); }
    if (fromList) { focusOnMap(id); }
  }

  window.sozialraumListSelect = function (id) {
    var inPlaces = state.rows.orte.some(function (r) { return r.id === id; });
    var wanted = inPlaces ? "orte" : "adressen";
    if (kind.value !== wanted && state.rows[wanted]) { kind.value = wanted; }
    filter.value = "";
    select(id, false);
  };

  root.querySelectorAll("th button[data-sort]").forEach(function (button) {
    button.addEventListener("click", function () {
      var key = button.dataset.sort;
      state.dir = state.sort === key ? -state.dir : 1;
      state.sort = key;
      root.querySelectorAll("th").forEach(function (th) { th.setAttribute("aria-sort", "none"); });
      button.parentNode.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
      render();
    });
  });
  filter.addEventListener("input", function () { state.shown = PAGE; render(); });
  more.addEventListener("click", function () { state.shown += PAGE; render(); });
  kind.addEventListener("change", function () {
    state.shown = PAGE;
    if (kind.value === "adressen" && state.rows.adressen === null) {
      status.textContent = "Lade Adressen …";
      loadAddresses().then(render, function () { status.textContent = "Adressen konnten nicht geladen werden."; });
    } else {
      render();
    }
  });

  loadPlaces().then(function () {
    root.dataset.ready = "true";
    render();
  }, function () { status.textContent = "Die Liste konnte nicht geladen werden."; });
})();
