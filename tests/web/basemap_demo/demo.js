/* Demo page of the basemap: view and area bounds from the query string (lat, lon, zoom, bbox). */
(function () {
  "use strict";
  var query = new URLSearchParams(window.location.search);
  var element = document.getElementById("map");
  var bbox = (query.get("bbox") || "").split(",").map(Number);
  var map = L.map(element, { maxZoom: 20 }).setView(
    [Number(query.get("lat") || 51.2026), Number(query.get("lon") || 6.6838)],
    Number(query.get("zoom") || 16)
  );
  var layer = window.sozialraumBasemap(map, element.getAttribute("data-tiles"), {
    bounds: bbox.length === 4 ? [[bbox[1], bbox[0]], [bbox[3], bbox[2]]] : undefined
  });
  layer.on("load", function () {
    window.__basemapReady = true;
  });
})();
