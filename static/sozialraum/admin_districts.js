/* Admin district page: draw one polygon on the area's map (leaflet-geoman, German tools)
 * over the area's basemap and district outlines; the polygon goes into the form field
 * "geometry" as GeoJSON (EPSG:4326). District names reach the map as text only. */
(function () {
  "use strict";
  var box = document.getElementById("admin-map");
  var field = document.getElementById("zeichnen-geometrie");
  var status = document.getElementById("zeichnen-status");
  var form = document.getElementById("zeichnen-form");
  if (!box || !field || !window.L) { return; }
  var map = L.map(box, { zoomControl: true, minZoom: 0 });
  var tiles = box.getAttribute("data-tiles");
  var basemap = JSON.parse(box.getAttribute("data-basemap") || "null") || {};
  if (tiles) {
    L.tileLayer(tiles, { attribution: box.getAttribute("data-attribution") || "", maxZoom: 19 }).addTo(map);
  } else if (basemap.url && window.sozialraumBasemap) {
    map.setMaxZoom(20);
    window.sozialraumBasemap(map, basemap.url, { bounds: basemap.bounds });
  }
  var bbox = JSON.parse(box.getAttribute("data-bbox") || "null");
  if (bbox && bbox.length === 4) {
    map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]]);
  } else {
    map.setView([51.0, 10.0], 6);
  }
  var url = box.getAttribute("data-districts");
  if (url && window.fetch) {
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data) { return; }
      var outlines = L.geoJSON(data, {
        pmIgnore: true,
        interactive: false,
        style: { color: "#1f4e9c", weight: 2, fillOpacity: 0.05, dashArray: "4 4" },
        onEachFeature: function (feature, layer) {
          var label = document.createElement("span");
          label.textContent = (feature.properties && feature.properties.name) || "";
          layer.bindTooltip(label, { permanent: true, direction: "center", className: "admin-district-label" });
        }
      }).addTo(map);
      outlines.bringToBack();
    });
  }

  var drawn = null;
  function show(layer) {
    if (!layer) {
      field.value = "";
      status.textContent = "Noch keine Fläche gezeichnet.";
      return;
    }
    field.value = JSON.stringify(layer.toGeoJSON().geometry);
    status.textContent = "Fläche gezeichnet (" + layer.getLatLngs()[0].length + " Ecken). Name eingeben und „Bezirk anlegen“ wählen.";
  }
  if (map.pm) {
    map.pm.setLang("de");
    map.pm.addControls({
      position: "topleft",
      drawMarker: false,
      drawCircleMarker: false,
      drawPolyline: false,
      drawRectangle: true,
      drawPolygon: true,
      drawCircle: false,
      drawText: false,
      editMode: true,
      dragMode: false,
      cutPolygon: false,
      removalMode: true,
      rotateMode: false
    });
    map.pm.setGlobalOptions({ allowSelfIntersection: false });
    map.on("pm:create", function (event) {
      if (drawn && drawn !== event.layer) { map.removeLayer(drawn); }  // one polygon at a time
      drawn = event.layer;
      drawn.on("pm:edit", function () { show(drawn); });
      show(drawn);
    });
    map.on("pm:remove", function (event) {
      if (event.layer === drawn) { drawn = null; show(null); }
    });
  }
  if (form) {
    form.addEventListener("submit", function (event) {
      if (!field.value) {
        event.preventDefault();
        status.textContent = "Bitte zuerst eine Fläche auf der Karte zeichnen.";
        status.focus();
      }
    });
  }
}());
