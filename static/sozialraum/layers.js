/* sozialraum map layers: every label is built with textContent, never from HTML. */
(function (global) {
  "use strict";

  var WHEELCHAIR = { yes: "ja", no: "nein", limited: "eingeschränkt" };

  function str(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function escapeHtml(value) {
    var div = document.createElement("div");
    div.textContent = str(value);
    return div.innerHTML;
  }

  function addLine(box, value) {
    if (!value) { return; }
    var line = document.createElement("div");
    line.textContent = value;
    box.appendChild(line);
  }

  function featureCard(props, options) {
    var box = document.createElement("div");
    box.className = "sr-card";
    var labels = options.labels || {};
    var categories = (props.categories || []).map(function (id) { return labels[id] || id; });
    var title = document.createElement("strong");
    title.textContent = str(props.name) || categories.join(", ") || str(options.title);
    box.appendChild(title);
    if (props.name) { addLine(box, categories.join(", ")); }
    var street = [props.street, props.housenumber].filter(Boolean).join(" ");
    var town = [props.postcode, props.city].filter(Boolean).join(" ");
    addLine(box, [street, town].filter(Boolean).join(", "));
    if (props.opening_hours) { addLine(box, "Öffnungszeiten: " + props.opening_hours); }
    if (props.wheelchair) {
      addLine(box, "Rollstuhlgerecht: " + (WHEELCHAIR[props.wheelchair] || props.wheelchair));
    }
    if (props.phone) { addLine(box, "Telefon: " + props.phone); }
    if (props.website) { addLine(box, "Web: " + props.website); }
    return box;
  }

  function areaLabel(props) {
    var box = document.createElement("div");
    box.className = "sr-card";
    box.textContent = str(props.name);
    return box;
  }

  global.sozialraumRegistry = global.sozialraumRegistry || {};

  global.sozialraumText = escapeHtml;

  global.sozialraumLayer = function (group, data, options) {
    var make = options.kind === "area" ? areaLabel : function (p) { return featureCard(p, options); };
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          radius: 7, color: "#222", weight: 1, fillColor: options.colour, fillOpacity: 0.9
        });
      },
      style: function (feature) {
        if (feature.geometry && feature.geometry.type === "Point") { return {}; }
        return { color: options.colour || "#3367d6", weight: 2, fillOpacity: 0.04 };
      },
      onEachFeature: function (feature, item) {
        item.bindTooltip(function () { return make(feature.properties || {}); });
        item.bindPopup(function () { return make(feature.properties || {}); });
      }
    });
    layer.addTo(group);
    global.sozialraumRegistry[options.id || "layer"] = data.features.length;
  };

  global.sozialraumLegend = function (map, items, title) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "sr-legend leaflet-bar");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", str(title));
      var heading = document.createElement("strong");
      heading.textContent = str(title);
      box.appendChild(heading);
      items.forEach(function (item) {
        var row = document.createElement("div");
        row.className = "sr-legend-row";
        var swatch = document.createElement("span");
        swatch.className = "sr-swatch";
        swatch.style.backgroundColor = /^#[0-9a-fA-F]{6}$/.test(item.colour) ? item.colour : "#777";
        var label = document.createElement("span");
        label.textContent = str(item.label) + (item.count !== undefined ? " (" + item.count + ")" : "");
        row.appendChild(swatch);
        row.appendChild(label);
        box.appendChild(row);
      });
      return box;
    };
    legend.addTo(map);
  };
})(window);
