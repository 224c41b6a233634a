/* The walk planner: the district's map and its lists side by side (issue 21).
 *
 * Click a place, an address or a note on the map or in the list to add it as a stop; drag the
 * stops (SortableJS) or move them with the up/down buttons; "Reihenfolge vorschlagen" asks the
 * app for the shortest order; the route and its length follow every change (POST to the
 * planner's route endpoint: the places are in no URL). A free point is set by clicking the map
 * after pressing "Freien Punkt auf der Karte setzen". The start field suggests addresses,
 * places and stops (ARIA combobox). Every OSM or user text is set with textContent.
 *
 * Without this script the form still works: checkboxes, the start field and typed addresses.
 * window.sozialraumPlannerReady is true once the map, its places and the route are drawn. */
(function () {
  "use strict";
  var form = document.getElementById("planner-form");
  var dataNode = document.getElementById("planner-data");
  var mapBox = document.getElementById("planner-map");
  var list = document.getElementById("walk-stops");
  if (!form || !dataNode || !mapBox || !list || !window.L || !window.fetch) { return; }
  var data = JSON.parse(dataNode.textContent || "{}");
  var routeInfo = document.getElementById("planner-route");
  var proposeButton = document.getElementById("planner-propose");
  var pointButton = document.getElementById("planner-point");
  var maxStops = parseInt(list.getAttribute("data-max") || "40", 10);
  var placing = false;
  var stops = (data.stops || []).map(function (s) {
    return { value: s.value, label: s.label, what: s.what || "", lon: s.lon, lat: s.lat };
  });
  var places = {};  // value -> {value, label, what, lon, lat}
  var markers = {};  // value -> Leaflet layer
  var stopLayer = null, routeLayer = null, ticket = 0;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) { throw new Error(body.detail || body.message || "Fehler " + response.status); }
        return body;
      });
    });
  }

  // -- the map -----------------------------------------------------------------------------
  mapBox.hidden = false;
  var map = L.map(mapBox, { zoomControl: true, minZoom: 0 });
  window.sozialraumPlannerMap = map;  // for the browser tests and the benchmark
  var basemap = data.basemap || {};
  if (data.tiles) {
    L.tileLayer(data.tiles, { attribution: data.attribution || "", maxZoom: 19 }).addTo(map);
  } else if (basemap.url && window.sozialraumBasemap) {
    map.setMaxZoom(20);
    window.sozialraumBasemap(map, basemap.url, { bounds: basemap.bounds });
  }
  if (data.district) {
    L.geoJSON(data.district, {
      interactive: false, style: { color: "#1f4e9c", weight: 2, fill: false, dashArray: "4 4" }
    }).addTo(map);
  }
  var canvas = L.canvas({ padding: 0.3 });
  var addressLayer = L.layerGroup();
  var ADDRESS_ZOOM = 16;

  function tooltip(marker, label, what) {
    var box = el("span");
    box.appendChild(el("strong", label));
    if (what) { box.appendChild(document.createTextNode(" (" + what + ")")); }
    box.appendChild(el("br"));
    box.appendChild(el("span", "Klicken: als Station hinzufügen"));
    marker.bindTooltip(box);
  }
  function addPlace(place, layer, style) {
    places[place.value] = place;
    var marker = L.circleMarker([place.lat, place.lon], Object.assign({ renderer: canvas }, style));
    tooltip(marker, place.label, place.what);
    marker.on("click", function () {
      if (placing) { return; }
      toggle(place.value);
    });
    marker.addTo(layer);
    markers[place.value] = marker;
  }
  var placeLayer = L.layerGroup().addTo(map);
  (data.addresses || []).forEach(function (a) {
    addPlace({ value: a[0], label: a[1], what: "Adresse", lon: a[2], lat: a[3] }, addressLayer,
      { radius: 4, color: "#666", weight: 1, fillColor: "#fff", fillOpacity: 0.9 });
  });
  (data.places || []).forEach(function (p) {
    addPlace({ value: p.value, label: p.label, what: p.what, lon: p.lon, lat: p.lat,
               hint: p.hint || p.address || "" }, placeLayer,
      { radius: 7, color: "#1d4f91", weight: 2, fillColor: "#5b8fd6", fillOpacity: 0.85 });
  });
  (data.notes || []).forEach(function (n) {
    addPlace({ value: n.value, label: n.label + (n.address ? " – " + n.address : ""), what: "Notiz",
               lon: n.lon, lat: n.lat }, placeLayer,
      { radius: 7, color: "#8a4b00", weight: 2, fillColor: "#f0a040", fillOpacity: 0.9 });
  });
  function showAddresses() {
    var on = map.getZoom() >= ADDRESS_ZOOM;
    if (on && !map.hasLayer(addressLayer)) {
      addressLayer.addTo(map);
      placeLayer.eachLayer(function (layer) { layer.bringToFront(); });  // places stay on top
    }
    if (!on && map.hasLayer(addressLayer)) { map.removeLayer(addressLayer); }
  }
  map.on("zoomend", showAddresses);
  var bounds = data.district ? L.geoJSON(data.district).getBounds() : null;
  if (bounds && bounds.isValid()) {
    map.fitBounds(bounds, { padding: [10, 10] });
  } else if (data.bbox) {
    map.fitBounds([[data.bbox[1], data.bbox[0]], [data.bbox[3], data.bbox[2]]]);
  } else {
    map.setView([51.2, 6.7], 14);
  }
  showAddresses();

  // a free point: only after pressing the button, by clicking the map
  pointButton.hidden = false;
  function setPlacing(on) {
    placing = on;
    pointButton.setAttribute("aria-pressed", on ? "true" : "false");
    map.getContainer().classList.toggle("sr-picking", on);
    if (on) { routeInfo.textContent = "Klicken Sie auf die Karte, wo der freie Punkt liegen soll."; }
  }
  pointButton.addEventListener("click", function () { setPlacing(!placing); });
  map.on("click", function (event) {
    if (!placing) { return; }
    setPlacing(false);
    var lon = Math.round(event.latlng.lng * 1e6) / 1e6, lat = Math.round(event.latlng.lat * 1e6) / 1e6;
    add({ value: "point:" + lon.toFixed(6) + "," + lat.toFixed(6) + ",", label: "Freier Punkt",
          what: "Punkt", lon: lon, lat: lat });
  });

  // -- the list of places (checkboxes of the page) -------------------------------------------
  var boxes = Array.prototype.slice.call(form.querySelectorAll(".planner-places input[type=checkbox], .planner-notes input[type=checkbox]"));
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      var present = indexOf(box.value) >= 0;
      if (box.checked && !present) { add(places[box.value] || { value: box.value, label: box.parentNode.textContent.trim() }); }
      if (!box.checked && present) { remove(indexOf(box.value)); }
    });
  });
  function syncBoxes() {
    boxes.forEach(function (box) { box.checked = indexOf(box.value) >= 0; });
  }

  // -- the stops ---------------------------------------------------------------------------
  function indexOf(value) {
    for (var i = 0; i < stops.length; i++) { if (stops[i].value === value) { return i; } }
    return -1;
  }
  function add(place, first) {
    var at = indexOf(place.value);
    if (at >= 0) { stops.splice(at, 1); }
    else if (stops.length >= maxStops) {
      routeInfo.textContent = "Ein Rundgang hat höchstens " + maxStops + " Stationen.";
      return;
    }
    var stop = { value: place.value, label: place.label, what: place.what || "", lon: place.lon, lat: place.lat,
                 hint: place.hint || "" };
    if (first) { stops.unshift(stop); } else { stops.push(stop); }
    changed(first ? 0 : stops.length - 1, null);
  }
  function remove(i) {
    stops.splice(i, 1);
    changed(Math.min(i, stops.length - 1), "remove");
  }
  function toggle(value) {
    var at = indexOf(value);
    if (at >= 0) { remove(at); } else { add(places[value]); }
  }
  function move(i, step) {
    var j = i + step;
    if (j < 0 || j >= stops.length) { return; }
    var moved = stops.splice(i, 1)[0];
    stops.splice(j, 0, moved);
    changed(j, step < 0 ? "up" : "down");
  }

  function button(text, label, action, i) {
    var b = el("button", text, "planner-move");
    b.type = "button";
    b.setAttribute("aria-label", label);
    b.setAttribute("data-action", action);
    b.addEventListener("click", function () {
      if (action === "up") { move(i, -1); } else if (action === "down") { move(i, 1); } else { remove(i); }
    });
    return b;
  }
  // Two stops of the same name (more than 50 m apart, else the app merges them) are told
  // apart by their address, else the nearest address of the district (straight line).
  function nearestAddress(stop) {
    if (stop.lat === undefined) { return ""; }
    var best = "", bestD = Infinity, kx = Math.cos(stop.lat * Math.PI / 180);
    (data.addresses || []).forEach(function (a) {
      var dx = (a[2] - stop.lon) * kx, dy = a[3] - stop.lat, d = dx * dx + dy * dy;
      if (d < bestD && a[1]) { bestD = d; best = a[1]; }
    });
    var metres = Math.sqrt(bestD) * 111320;
    if (!best || metres > 400) { return ""; }
    return "nächste Adresse: " + best +
      (metres < 10 ? "" : " (ca. " + window.sozialraumDistance(metres) + ")");
  }
  function hintOf(stop) {
    var place = places[stop.value];
    return stop.hint || (place && (place.hint || place.address)) || nearestAddress(stop);
  }
  function render(focusIndex, focusAction) {
    list.textContent = "";
    var names = {};
    stops.forEach(function (stop) {
      var name = stop.label || "Station";
      names[name] = (names[name] || 0) + 1;
    });
    stops.forEach(function (stop, i) {
      var li = el("li");
      li.setAttribute("data-value", stop.value);
      var input = el("input");
      input.type = "hidden";
      input.name = "stop";
      input.value = stop.value;
      li.appendChild(input);
      var handle = el("span", "⠿", "drag-handle");
      handle.setAttribute("aria-hidden", "true");
      handle.title = "Ziehen, um die Reihenfolge zu ändern";
      li.appendChild(handle);
      li.appendChild(el("span", String(i + 1), "stop-number"));
      var text = el("span", null, "stop-text");
      text.appendChild(el("span", stop.label || "Station", "stop-label"));
      if (stop.what && stop.what !== stop.label) { text.appendChild(el("small", " (" + stop.what + ")")); }
      if (names[stop.label || "Station"] > 1) {
        var hint = hintOf(stop);
        if (hint && hint !== stop.label) { text.appendChild(el("small", " – " + hint, "stop-hint")); }
      }
      if (i === 0) { text.appendChild(el("small", " – Start", "stop-start")); }
      li.appendChild(text);
      var name = (i + 1) + ". " + (stop.label || "Station");
      var tools = el("span", null, "stop-tools");
      if (i > 0) { tools.appendChild(button("↑", name + " nach oben", "up", i)); }
      if (i < stops.length - 1) { tools.appendChild(button("↓", name + " nach unten", "down", i)); }
      tools.appendChild(button("✕", name + " entfernen", "remove", i));
      li.appendChild(tools);
      list.appendChild(li);
    });
    if (focusAction && stops[focusIndex]) {
      var item = list.children[focusIndex];
      var target = item.querySelector('[data-action="' + focusAction + '"]') ||
        item.querySelector("[data-action]");
      if (target) { target.focus(); }
    }
    syncBoxes();
    drawStops();
  }
  function drawStops() {
    if (stopLayer) { map.removeLayer(stopLayer); }
    stopLayer = L.layerGroup();
    stops.forEach(function (stop, i) {
      if (stop.lat === undefined) { return; }
      var icon = L.divIcon({ className: "planner-stop-icon", html: el("span", String(i + 1)), iconSize: [24, 24] });
      var marker = L.marker([stop.lat, stop.lon], { icon: icon, keyboard: false, title: (i + 1) + ". " + stop.label });
      marker.on("click", function () { remove(indexOf(stop.value)); });
      marker.addTo(stopLayer);
    });
    stopLayer.addTo(map);
  }
  function changed(focusIndex, focusAction) {
    render(focusIndex, focusAction);
    route(false);
  }

  function showRoute(body) {
    if (routeLayer) { map.removeLayer(routeLayer); routeLayer = null; }
    if (body.route && body.route.coordinates.length) {
      routeLayer = L.geoJSON(body.route, { interactive: false, style: { color: "#c0392b", weight: 4, opacity: 0.8 } }).addTo(map);
    }
    var count = stops.length === 1 ? "1 Station" : stops.length + " Stationen";
    if (stops.length === 1) {
      routeInfo.textContent = "1 Station (Start) · wählen Sie weitere Orte";
    } else if (body.route_m === null || body.route_m === undefined) {
      routeInfo.textContent = count + " · Weglänge unbekannt";
    } else {
      routeInfo.textContent = count + " · " + window.sozialraumDistance(body.route_m) + ", etwa " +
        body.walk_min + " Minuten zu Fuß" +
        (body.route_kind === "luftlinie" ? " (Luftlinie)" : "");
    }
    routeInfo.setAttribute("data-route-m", body.route_m === null ? "" : String(body.route_m));
  }
  function picks() {
    return stops.map(function (stop) {
      var parts = stop.value.split(":");
      if (parts[0] === "point") {
        var xy = parts.slice(1).join(":").split(",");
        return { kind: "point", lon: parseFloat(xy[0]), lat: parseFloat(xy[1]), label: xy.slice(2).join(",") };
      }
      return { kind: parts[0], ref: parts.slice(1).join(":") };
    });
  }
  function route(propose) {
    var mine = ++ticket;
    if (!stops.length) {
      showRoute({ route: null, route_m: null });
      routeInfo.textContent = "Noch keine Stationen: wählen Sie Orte auf der Karte oder in der Liste.";
      window.sozialraumPlannerReady = true;
      return Promise.resolve();
    }
    routeInfo.textContent = propose ? "Suche die kürzeste Reihenfolge …" : "Berechne den Weg …";
    return post(data.route_url, { stops: picks(), propose: propose }).then(function (body) {
      if (mine !== ticket) { return; }
      var byValue = {};
      stops.forEach(function (s) { byValue[s.value] = s; });
      var ordered = [];
      body.stops.forEach(function (s) {  // repeats are merged by the app: follow its list
        var value = s.kind === "point" ? null : s.kind + ":" + s.ref;
        var known = value && byValue[value];
        if (!known) {
          known = stops.filter(function (x) {
            return x.value.indexOf("point:") === 0 && Math.abs(x.lon - s.lon) < 1e-6 && Math.abs(x.lat - s.lat) < 1e-6;
          })[0];
        }
        if (known && ordered.indexOf(known) < 0) { ordered.push(known); }
      });
      if (ordered.length !== stops.length || propose) {
        stops = ordered;
        render(0, null);
      }
      showRoute(body);
      window.sozialraumPlannerReady = true;
      document.dispatchEvent(new Event("sozialraum:route"));
    }).catch(function (error) {
      if (mine !== ticket) { return; }
      routeInfo.textContent = "Der Weg konnte nicht berechnet werden: " + error.message;
      window.sozialraumPlannerReady = true;
      document.dispatchEvent(new Event("sozialraum:route"));
    });
  }

  proposeButton.addEventListener("click", function (event) {
    event.preventDefault();
    route(true);
  });
  if (window.Sortable) {
    window.Sortable.create(list, {
      handle: ".drag-handle",
      animation: 120,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) { return; }
        var moved = stops.splice(event.oldIndex, 1)[0];
        stops.splice(event.newIndex, 0, moved);
        changed(event.newIndex, null);
      }
    });
  }
  var typed = form.querySelector(".planner-typed");
  if (typed) { typed.hidden = true; }
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter === proposeButton) { event.preventDefault(); return; }
    // the list is the plan: its order is kept; the other fields only fed the list
    boxes.forEach(function (box) { box.removeAttribute("name"); });
    ["start", "start_value", "addresses"].forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      if (field) { field.removeAttribute("name"); }
    });
    if (!form.querySelector('input[name="reihenfolge"]')) {
      var fixed = el("input");
      fixed.type = "hidden";
      fixed.name = "reihenfolge";
      fixed.value = "fest";
      form.appendChild(fixed);
    }
  });

  // -- the start field (ARIA combobox) -------------------------------------------------------
  var input = document.getElementById("walk-start");
  var options = document.getElementById("start-vorschlaege");
  var status = document.getElementById("start-status");
  var results = [], active = -1, timer = null, latest = 0;
  function close() {
    options.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }
  function choose(i) {
    var item = results[i];
    if (!item) { return; }
    close();
    input.value = "";
    add({ value: item.value, label: item.label, what: item.what, lon: item.lon, lat: item.lat }, true);
    status.textContent = "Start: " + item.label;
    input.focus();
  }
  function highlight(i) {
    var items = options.querySelectorAll("li");
    items.forEach(function (li, n) { li.setAttribute("aria-selected", n === i ? "true" : "false"); });
    active = i;
    if (items[i]) { input.setAttribute("aria-activedescendant", items[i].id); items[i].scrollIntoView({ block: "nearest" }); }
  }
  function show(items) {
    results = items;
    options.textContent = "";
    items.forEach(function (item, i) {
      var li = el("li");
      li.id = "start-vorschlag-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.appendChild(el("span", item.label));
      li.appendChild(el("small", " (" + item.what + ")"));
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
      options.appendChild(li);
    });
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    status.textContent = items.length === 1 ? "1 Vorschlag" : items.length ? items.length + " Vorschläge" : "Nichts gefunden.";
  }
  function lookup() {
    var query = input.value.trim();
    if (query.length < 3) { close(); return; }
    var mine = ++latest;
    post(data.places_url, { q: query, limit: 8 }).then(function (body) {
      if (mine === latest) { show(body.results || []); }
    }, function () { status.textContent = "Vorschläge sind gerade nicht möglich."; });
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 150); });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
  input.addEventListener("keydown", function (event) {
    var count = options.children.length;
    if (event.key === "ArrowDown" && count) { event.preventDefault(); highlight((active + 1) % count); }
    else if (event.key === "ArrowUp" && count) { event.preventDefault(); highlight((active - 1 + count) % count); }
    else if (event.key === "Enter") {
      event.preventDefault();  // never sends the form from the start field
      if (count) { choose(active >= 0 ? active : 0); }
    } else if (event.key === "Escape") { close(); }
  });

  render(0, null);
  route(false);
})();
