/* sozialraum coverage map: streets coloured by the age of their last visit.
 * Street names come from OpenStreetMap: every label is built with textContent, never HTML. */
(function (global) {
  "use strict";

  function str(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function germanDate(iso) {
    var parts = str(iso).split("-");
    return parts.length === 3 ? parts[2] + "." + parts[1] + "." + parts[0] : str(iso);
  }

  function addLine(box, value) {
    var line = document.createElement("div");
    line.textContent = value;
    box.appendChild(line);
  }

  function card(props) {
    var box = document.createElement("div");
    box.className = "sr-card";
    var title = document.createElement("strong");
    title.textContent = str(props.name);
    box.appendChild(title);
    if (props.district) { addLine(box, "Bezirk: " + str(props.district)); }
    addLine(box, props.last_visit
      ? "Letzter Besuch: " + germanDate(props.last_visit) +
        (props.last_kind ? " (" + str(props.last_kind) + ")" : "")
      : "Noch nie besucht");
    addLine(box, "Besuche in 12 Monaten: " + str(props.visits_12m));
    addLine(box, str(props.age_class));
    return box;
  }

  // group: the folium FeatureGroup the lines go into (added to the map after this call)
  global.sozialraumCoverageLines = function (group, data, options) {
    var layer = L.geoJSON(data, {
      style: function (feature) {
        var colour = feature.properties && feature.properties.colour;
        return { color: /^#[0-9a-fA-F]{6}$/.test(str(colour)) ? colour : "#777777",
                 weight: 5, opacity: 0.9 };
      }
    });
    layer.bindTooltip(function (item) { return card(item.feature.properties || {}); },
      { sticky: true });
    layer.bindPopup(function (item) { return card(item.feature.properties || {}); });
    group.addLayer(layer);
    var fit = function () {
      if (group._map && layer.getBounds().isValid()) {
        group._map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      }
    };
    if (options && options.fit) {
      if (group._map) { fit(); } else { group.once("add", fit); }
    }
    global.sozialraumRegistry = global.sozialraumRegistry || {};
    global.sozialraumRegistry.coverage = (data.features || []).length;
    global.sozialraumCoverageReady = true;
  };
})(window);
