/* Review queue: map and list side by side, keyboard shortcuts (no third-party hosts).
 * Marker tooltips are DOM nodes filled with textContent: note text never becomes HTML. */
(function () {
  "use strict";
  var list = document.querySelector(".review-queue");
  var mapBox = document.getElementById("review-map");
  var dataNode = document.getElementById("review-data");
  if (!list || !mapBox || !dataNode) { return; }
  var items = JSON.parse(dataNode.textContent || "[]");
  var rows = Array.prototype.slice.call(list.querySelectorAll(".review-item"));
  var markers = {};
  var map = null;

  // the category colour of each number (set through the CSSOM: the CSP blocks style="")
  Array.prototype.forEach.call(list.querySelectorAll(".stop-number[data-colour]"), function (el) {
    el.style.backgroundColor = el.getAttribute("data-colour");
  });

  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  if (window.L) {
    map = L.map(mapBox, { zoomControl: true, minZoom: 0 });  // not the basemap's 12
    var tiles = mapBox.getAttribute("data-tiles");
    var basemap = JSON.parse(mapBox.getAttribute("data-basemap") || "null") || {};
    if (tiles) {
      L.tileLayer(tiles, { attribution: mapBox.getAttribute("data-attribution") || "", maxZoom: 19 }).addTo(map);
    } else if (basemap.url && window.sozialraumBasemap) {
      // the area's own basemap (issue 20): vector tiles from /tiles/<area>/...
      map.setMaxZoom(20);
      window.sozialraumBasemap(map, basemap.url, { bounds: basemap.bounds });
    }
    var outlines = mapBox.getAttribute("data-districts");
    if (outlines && window.fetch) {  // district outlines give a map without tiles its bearings
      fetch(outlines, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (data) {
          L.geoJSON(data, { interactive: false, style: { color: "#1f4e9c", weight: 2, fill: false, dashArray: "4 4" } })
            .addTo(map).bringToBack();
        }
      });
    }
    var bounds = [];
    items.forEach(function (item) {
      var marker = L.circleMarker([item.lat, item.lon], {
        radius: 8, color: "#222", weight: 1, fillColor: item.colour, fillOpacity: 0.9
      }).addTo(map);
      marker.bindTooltip(label(item.label));
      marker.on("click", function () { focusRow(item.id, true); });
      markers[item.id] = marker;
      bounds.push([item.lat, item.lon]);
    });
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17 });
    } else {
      var bbox = JSON.parse(mapBox.getAttribute("data-bbox") || "null");
      if (bbox) { map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]]); } else { map.setView([51.4, 7.0], 12); }
    }
  }

  function highlight(id) {
    Object.keys(markers).forEach(function (key) {
      markers[key].setStyle({ weight: key === id ? 4 : 1, color: key === id ? "#000" : "#222" });
    });
    if (map && markers[id]) {
      markers[id].bringToFront();
      map.panTo(markers[id].getLatLng());
    }
  }

  function focusRow(id, scroll) {
    var row = document.getElementById("note-" + id);
    if (!row) { return; }
    row.focus({ preventScroll: !scroll });
    if (scroll) { row.scrollIntoView({ block: "nearest" }); }
  }

  rows.forEach(function (row) {
    row.addEventListener("focusin", function () {
      rows.forEach(function (r) { r.classList.toggle("current", r === row); });
      highlight(row.getAttribute("data-id"));
    });
  });

  function currentRow() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(".review-item") : null;
  }

  function move(step) {
    var row = currentRow();
    var index = row ? rows.indexOf(row) + step : 0;
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (rows[index]) { rows[index].focus(); rows[index].scrollIntoView({ block: "nearest" }); }
  }

  var KEYS = { f: "freigeben", a: "archivieren", n: "nachpruefen", e: "einreichen", z: "zurueckziehen" };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
      var item = target.closest(".review-item");
      if (event.key === "Escape" && item) { item.focus(); }
      if (event.key === "Enter" && item && target.name === "comment") {
        // Enter sends the Rückfrage, never the form's first button
        event.preventDefault();
        var query = item.querySelector('button[data-action="rueckfrage"]');
        if (query && target.value.trim()) { query.click(); }
      }
      return;
    }
    var key = event.key;
    if (key === "j" || key === "ArrowDown") { move(1); event.preventDefault(); return; }
    if (key === "k" || key === "ArrowUp") { move(-1); event.preventDefault(); return; }
    var row = currentRow();
    if (!row) { return; }
    if (key === "r") {
      var comment = row.querySelector("input[name=comment]");
      if (comment) { comment.focus(); event.preventDefault(); }
      return;
    }
    var action = KEYS[key];
    if (!action) { return; }
    var button = row.querySelector('button[data-action="' + action + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });

  // after an action the next note is at the same position: keep working from there
  var position = parseInt(list.getAttribute("data-focus") || "", 10);
  if (rows.length && position > 0) {
    rows[Math.min(position, rows.length) - 1].focus();
  }
})();
