/* The own basemap (issue 20): the area's vector tiles (layers of basemap-schema: roads, paths,
 * rail, buildings, housenumbers, water, waterways, green, forest, landuse, places, boundary),
 * drawn on Canvas by protomaps-leaflet (global ``protomapsL``) as a Leaflet layer below our
 * markers. Light, calm colours; street names along the lines in the browser's fonts; house
 * numbers from zoom 17; data zoom 12-18, drawn larger up to zoom 20. No eval, no inline
 * script, no worker: it runs under script-src 'self' and connect-src 'self'.
 *
 * sozialraumBasemap(map, url, options) -> the layer
 *   map      an L.Map (folium's map object)
 *   url      tile URL template, e.g. "/tiles/<area>/{z}/{x}/{y}.mvt"
 *   options  bounds [[south, west], [north, east]] (no requests outside; recommended),
 *            pixelRatio (canvas pixels per CSS pixel; 2 gives sharper print),
 *            attribution (default "© OpenStreetMap-Mitwirkende"; "" when the map has one),
 *            controls (default true: German zoom buttons and a metric scale).
 */
(function () {
  "use strict";

  var COLORS = {
    background: "#f3f1ec",
    landuse: "#ecebe6",
    green: "#dcebd3",
    forest: "#cfe3c6",
    water: "#b9d3e6",
    waterway: "#9fc2dc",
    building: "#dedbd5",
    buildingLine: "#cfcbc4",
    casing: "#c9c4bb",
    road: "#ffffff",
    mainRoad: "#fbeec5",
    path: "#9a8f84",
    rail: "#a3a3a3",
    boundary: "#8f7fa8",
    label: "#3d3a36",
    waterLabel: "#4b6f8c",
    houseNumber: "#7a746c",
    halo: "#ffffff"
  };
  var FONT = "'Noto Sans', 'DejaVu Sans', Arial, Helvetica, sans-serif";
  var MAJOR = ["motorway", "trunk", "primary", "secondary"];
  var MINOR = ["tertiary", "unclassified", "residential", "living_street", "pedestrian"];
  var SMALL = ["service", "track"];

  function kindIn(kinds) {
    return function (zoom, feature) {
      return kinds.indexOf(feature.props.kind) >= 0;
    };
  }

  /* line width in pixels, linear between [zoom, width] stops */
  function widths(stops) {
    return function (zoom) {
      var i, a, b;
      if (zoom <= stops[0][0]) return stops[0][1];
      for (i = 1; i < stops.length; i++) {
        a = stops[i - 1];
        b = stops[i];
        if (zoom <= b[0]) return a[1] + ((b[1] - a[1]) * (zoom - a[0])) / (b[0] - a[0]);
      }
      return stops[stops.length - 1][1];
    };
  }

  function casing(width) {
    return function (zoom) {
      return width(zoom) + (zoom >= 15 ? 1.6 : 0.8);
    };
  }

  function paintRules(P) {
    var major = widths([[12, 1.5], [15, 5], [18, 18], [20, 40]]);
    var minor = widths([[12, 0.6], [15, 3], [18, 12], [20, 30]]);
    var small = widths([[14, 0.8], [16, 2], [18, 6], [20, 14]]);
    function fill(layer, colour, extra) {
      var options = { fill: colour };
      if (extra) {
        options.stroke = extra;
        options.width = 0.5;
      }
      return { dataLayer: layer, symbolizer: new P.PolygonSymbolizer(options) };
    }
    function line(layer, kinds, options) {
      return { dataLayer: layer, filter: kinds && kindIn(kinds), symbolizer: new P.LineSymbolizer(options) };
    }
    return [
      fill("landuse", COLORS.landuse),
      fill("forest", COLORS.forest),
      fill("green", COLORS.green),
      fill("water", COLORS.water),
      line("waterways", null, { color: COLORS.waterway, width: widths([[12, 1], [18, 6]]) }),
      fill("buildings", COLORS.building, COLORS.buildingLine),
      line("paths", null, { color: COLORS.path, width: widths([[14, 0.7], [18, 1.6]]), dash: [3, 2.5] }),
      line("roads", SMALL, { color: COLORS.casing, width: casing(small) }),
      line("roads", MINOR, { color: COLORS.casing, width: casing(minor) }),
      line("roads", MAJOR, { color: COLORS.casing, width: casing(major) }),
      line("roads", SMALL, { color: COLORS.road, width: small }),
      line("roads", MINOR, { color: COLORS.road, width: minor }),
      line("roads", MAJOR, { color: COLORS.mainRoad, width: major }),
      line("rail", null, { color: COLORS.rail, width: widths([[12, 0.8], [18, 2]]), dash: [6, 3] }),
      line("boundary", null, { color: COLORS.boundary, width: 1.5, dash: [8, 4], opacity: 0.7 })
    ];
  }

  function labelRules(P) {
    function text(weight, size, colour, props) {
      return {
        font: weight + " " + size + "px " + FONT,
        fill: colour,
        stroke: COLORS.halo,
        width: 3,
        labelProps: props || ["name"]
      };
    }
    return [
      {
        dataLayer: "places",
        filter: kindIn(["city", "town", "suburb", "village"]),
        symbolizer: new P.CenteredTextSymbolizer(text("600", 15, COLORS.label))
      },
      {
        dataLayer: "places",
        minzoom: 14,
        filter: kindIn(["quarter", "neighbourhood", "hamlet", "locality"]),
        symbolizer: new P.CenteredTextSymbolizer(text("500", 13, COLORS.label))
      },
      { dataLayer: "roads", minzoom: 14, symbolizer: new P.LineLabelSymbolizer(text("400", 12, COLORS.label)) },
      { dataLayer: "paths", minzoom: 16, symbolizer: new P.LineLabelSymbolizer(text("400", 11, COLORS.label)) },
      {
        dataLayer: "waterways",
        minzoom: 14,
        symbolizer: new P.LineLabelSymbolizer(text("italic 400", 12, COLORS.waterLabel))
      },
      {
        dataLayer: "housenumbers",
        minzoom: 17,
        symbolizer: new P.CenteredTextSymbolizer({
          font: "400 10px " + FONT,
          fill: COLORS.houseNumber,
          stroke: COLORS.halo,
          width: 2,
          labelProps: ["housenumber"]
        })
      }
    ];
  }

  /* Leaflet's controls in German: zoom buttons titled "Vergrößern"/"Verkleinern", metric scale. */
  function germanControls(map) {
    var position = map.zoomControl ? map.zoomControl.getPosition() : "topleft";
    if (map.zoomControl) map.removeControl(map.zoomControl);
    map.zoomControl = L.control
      .zoom({ position: position, zoomInTitle: "Vergrößern", zoomOutTitle: "Verkleinern" })
      .addTo(map);
    L.control.scale({ metric: true, imperial: false }).addTo(map);
  }

  function sozialraumBasemap(map, url, options) {
    var P = window.protomapsL;
    var opts = options || {};
    var layer = P.leafletLayer({
      url: url,
      paintRules: paintRules(P),
      labelRules: labelRules(P),
      backgroundColor: COLORS.background,
      levelDiff: 0,
      maxDataZoom: 18,
      minZoom: 12,
      maxZoom: 20,
      bounds: opts.bounds,
      devicePixelRatio: opts.pixelRatio,
      attribution: opts.attribution === undefined ? "© OpenStreetMap-Mitwirkende" : opts.attribution
    });
    if (opts.controls !== false) germanControls(map);
    // data-basemap on the map's container: "loading", then "ready" once every visible tile
    // is drawn (for tests and benchmarks; Leaflet fires "load" after the last tile)
    var box = map.getContainer();
    layer.on("loading", function () { box.setAttribute("data-basemap", "loading"); });
    layer.on("load", function () { box.setAttribute("data-basemap", "ready"); });
    layer.addTo(map);
    layer.bringToBack();
    return layer;
  }

  window.sozialraumBasemap = sozialraumBasemap;
})();
