/* The walk's map with the basemap (issue 23): numbered stops and the route along the streets
 * on the area's own vector tiles, also without a connection (the service worker answers the
 * walk's API answer and the tiles stored by "Für unterwegs speichern").
 *
 * <div data-sr-walk-map data-walk="/api/areas/A/walks/ID" data-tiles="/tiles/A/{z}/{x}/{y}.mvt?v=…"
 *      data-bounds="[[s, w], [n, e]]"></div>; needs leaflet.js, protomaps-leaflet.js, basemap.js.
 * Sets data-ready="true" on the box once the stops are drawn ("error" when the walk is missing).
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-sr-walk-map]");
  if (!box || !window.L) return;
  var map = L.map(box, { zoomControl: true, attributionControl: true });
  // on screen this map replaces the printed SVG map of the page (app.css: .print-only)
  var printed = document.querySelector("figure.walk-map");
  if (printed) printed.classList.add("print-only");
  if (window.sozialraumBasemap && box.getAttribute("data-tiles")) {
    var bounds = JSON.parse(box.getAttribute("data-bounds") || "null");
    window.sozialraumBasemap(map, box.getAttribute("data-tiles"), bounds ? { bounds: bounds } : {});
  }

  function draw(walk) {
    var points = (walk.geometry && walk.geometry.coordinates) || [];
    var route = walk.properties && walk.properties.route;
    if (route && route.coordinates) {
      route.coordinates.forEach(function (line) {
        L.polyline(line.map(function (c) { return [c[1], c[0]]; }),
          { color: "#1d4f91", weight: 4, opacity: 0.8, className: "walk-route" }).addTo(map);
      });
    }
    var stops = (walk.properties && walk.properties.stops) || [];
    var latlngs = points.map(function (c, i) {
      var latlng = [c[1], c[0]];
      var icon = L.divIcon({ className: "walk-stop-number", html: String(i + 1), iconSize: [24, 24] });
      var marker = L.marker(latlng, { icon: icon, keyboard: true, title: String(i + 1) }).addTo(map);
      if (stops[i] && stops[i].label) {
        var label = document.createElement("span");
        label.textContent = (i + 1) + ". " + stops[i].label;
        marker.bindTooltip(label);
      }
      return latlng;
    });
    if (latlngs.length) map.fitBounds(latlngs, { padding: [24, 24], maxZoom: 17 });
    box.setAttribute("data-ready", "true");
  }

  fetch(box.getAttribute("data-walk"), { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(draw)
    .catch(function () {
      box.setAttribute("data-ready", "error");
      if (printed) printed.classList.remove("print-only");  // the walk is missing: keep the SVG
      map.setView([51, 10], 5);
    });
})();
