/* sozialraum map layers, loaded from the JSON API in the browser.
 * Every label is built with textContent, never from HTML. */
(function (global) {
  "use strict";

  var WHEELCHAIR = { yes: "ja", no: "nein", limited: "eingeschränkt" };
  var byId = {};        // feature id -> [{layer, cluster}]
  var pending = 0;
  var focusPopup = null;

  global.sozialraumRegistry = global.sozialraumRegistry || {};
  global.sozialraumReady = false;

  function str(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function escapeHtml(value) {
    var div = document.createElement("div");
    div.textContent = str(value);
    return div.innerHTML;
  }

  function addLine(box, value, className) {
    if (!value) { return; }
    var line = document.createElement("div");
    if (className) { line.className = className; }
    line.textContent = value;
    box.appendChild(line);
  }

  function addressText(props) {
    var street = [props.street, props.housenumber].filter(Boolean).join(" ");
    var town = [props.postcode, props.city].filter(Boolean).join(" ");
    return [street, town].filter(Boolean).join(", ");
  }

  function cardLink(box, options, id) {
    if (!options.cardUrl) { return; }
    var link = document.createElement("a");
    link.href = options.cardUrl.replace("__ID__", encodeURIComponent(id));
    link.target = "_top";
    link.textContent = options.cardLabel || "Details";
    box.appendChild(link);
  }

  function germanDate(iso) {
    var parts = str(iso).split("-");
    return parts.length === 3 ? parts[2] + "." + parts[1] + "." + parts[0] : str(iso);
  }

  function noteCard(feature, options) {
    var props = feature.properties || {};
    var box = document.createElement("div");
    box.className = "sr-card sr-note-card";
    var title = document.createElement("strong");
    title.textContent = str(props.category_label) +
      (props.mailbox_status_label ? ": " + props.mailbox_status_label : "");
    box.appendChild(title);
    addLine(box, str(props.text).length > 200 ? str(props.text).slice(0, 200) + " …" : props.text,
      "sr-note-text");
    addLine(box, props.address_label || props.resource_label);
    addLine(box, "Beobachtet am " + germanDate(props.observed_on) + " · " +
      str(props.review_state_label), "sr-meta");
    cardLink(box, options, feature.id);
    return box;
  }

  // -- support offers: diamonds of their own colour, faded when flagged --------------------
  function offerFlags(props) {
    var flags = props.flags;
    if (Array.isArray(flags)) { return { labels: flags.map(str), faded: flags.length > 0 }; }
    if (flags && typeof flags === "object") {
      var labels = Array.isArray(flags.labels) ? flags.labels.map(str) : [];
      return { labels: labels, faded: labels.length > 0 || flags.handout === false };
    }
    return { labels: [], faded: false };
  }

  function offerPlaced(feature) {
    var props = feature.properties || {};
    return !!(feature.geometry && feature.geometry.type === "Point" && !props.region_wide);
  }

  function offerTooltip(feature) {
    var props = feature.properties || {};
    var box = document.createElement("div");
    box.className = "sr-card sr-offer-tooltip";
    var title = document.createElement("strong");
    title.textContent = str(props.name) || "Angebot";
    box.appendChild(title);
    offerFlags(props).labels.forEach(function (label) { addLine(box, "⚠ " + label, "sr-offer-flag"); });
    return box;
  }

  function offerCard(feature, options) {
    var props = feature.properties || {};
    var box = offerTooltip(feature);
    box.className = "sr-card sr-offer-card";
    var first = box.querySelector(".sr-offer-flag");
    var provider = document.createElement("div");
    provider.textContent = str(props.provider);
    box.insertBefore(provider, first);
    if (props.address) {
      var address = document.createElement("div");
      address.textContent = str(props.address);
      box.insertBefore(address, first);
    }
    if (props.phone) {
      var phone = document.createElement("div");
      phone.textContent = "Telefon: " + props.phone;
      box.insertBefore(phone, first);
    }
    cardLink(box, options, feature.id);
    return box;
  }

  function offerMarker(feature, latlng, options) {
    var faded = offerFlags(feature.properties || {}).faded;
    var shape = document.createElement("span");
    shape.className = "sr-offer-shape";
    shape.style.cssText = "display:block;box-sizing:border-box;width:14px;height:14px;" +
      "margin:4px;transform:rotate(45deg);border:2px solid #fff;box-shadow:0 0 0 1px #222;";
    shape.style.backgroundColor = /^#[0-9a-fA-F]{6}$/.test(options.colour || "")
      ? options.colour : "#6a1b9a";
    var icon = L.divIcon({
      html: shape, className: "sr-offer-icon" + (faded ? " sr-offer-flagged" : ""),
      iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -9], tooltipAnchor: [9, 0]
    });
    // not a tab stop: the offers are reached through the list and the offer pages
    var marker = L.marker(latlng, { icon: icon, opacity: faded ? 0.45 : 1, keyboard: false });
    marker.on("add", function () {
      var element = marker.getElement();
      if (element) {  // a named image, not a tab stop (the list and the offer pages reach it)
        element.setAttribute("role", "img");
        element.setAttribute("aria-label", str((feature.properties || {}).name));
      }
    });
    return marker;
  }

  function featureCard(feature, options) {
    if (options.kind === "note") { return noteCard(feature, options); }
    if (options.kind === "offer") { return offerCard(feature, options); }
    var props = feature.properties || {};
    var box = document.createElement("div");
    box.className = "sr-card";
    var labels = options.labels || {};
    var categories = (props.categories || []).map(function (id) { return labels[id] || id; });
    var title = document.createElement("strong");
    title.textContent = str(props.name) || categories.join(", ") || addressText(props) ||
      str(options.title);
    box.appendChild(title);
    if (props.name) { addLine(box, categories.join(", ")); }
    addLine(box, addressText(props));
    if (props.opening_hours) { addLine(box, "Öffnungszeiten: " + props.opening_hours); }
    if (props.wheelchair) {
      addLine(box, "Rollstuhlgerecht: " + (WHEELCHAIR[props.wheelchair] || props.wheelchair));
    }
    if (options.distanceLabel && props.distance_m !== undefined) {
      addLine(box, str(options.distanceLabel) + ": " + (props.distance_m === null
        ? "keiner erreichbar"
        : global.sozialraumDistance(props.distance_m) + ", " + germanNumber(props.walk_min) +
          " Minuten"));
    }
    if (props.phone) { addLine(box, "Telefon: " + props.phone); }
    if (props.website) { addLine(box, "Web: " + props.website); }
    cardLink(box, options, feature.id);
    return box;
  }

  function areaLabel(feature, options) {
    var props = feature.properties || {};
    var box = document.createElement("div");
    box.className = "sr-card";
    addLine(box, str(props.name));
    if (props.team) { addLine(box, "Team: " + props.team); }
    var values = (options && options.values) || {};
    if (Object.prototype.hasOwnProperty.call(values, feature.id)) {
      addLine(box, str(values[feature.id]));
    }
    return box;
  }

  function germanNumber(value) {
    return String(value).replace(".", ",");
  }

  function notice(map, text) {
    var box = document.createElement("div");
    box.className = "sr-notice";
    box.setAttribute("role", "alert");
    box.textContent = text;
    map.getContainer().appendChild(box);
  }

  function focusFromHash() {
    var hash = "";
    try { hash = (global.top || global).location.hash; } catch (e) { return; }
    var match = /^#notiz=([A-Za-z0-9_-]{1,64})$/.exec(hash);
    if (match) { global.sozialraumFocus(match[1]); }
  }

  function finished() {
    pending -= 1;
    if (pending === 0) {
      focusFromHash();
      global.sozialraumReady = true;
      document.dispatchEvent(new Event("sozialraum:ready"));
    }
  }

  function notifyParent(id) {
    // the map in the page (issue 21 §5) tells the list directly; a map document in a frame
    // tells the page around it
    if (global.sozialraumListSelect) { global.sozialraumListSelect(id); return; }
    try {
      if (global.parent !== global && global.parent.sozialraumListSelect) {
        global.parent.sozialraumListSelect(id);
      }
    } catch (e) { /* another origin: ignore */ }
  }

  function pointMarker(feature, latlng, options) {
    if (options.kind === "offer") { return offerMarker(feature, latlng, options); }
    var colours = options.colours || {};
    var category = feature.properties && feature.properties.category;
    var colour = colours[category];
    if (options.kind === "note") {
      return L.circleMarker(latlng, {
        radius: 8, color: "#fff", weight: 3, fillColor: /^#[0-9a-fA-F]{6}$/.test(colour || "")
          ? colour : options.colour, fillOpacity: 1, className: "sr-note-marker"
      });
    }
    return L.circleMarker(latlng, {
      radius: options.radius || 7, color: "#222", weight: 1,
      fillColor: options.colour, fillOpacity: 0.9
    });
  }

  function build(group, data, options, done) {
    var map = group._map;
    var make = options.kind === "area" ? function (f) { return areaLabel(f, options); }
      : function (f) { return featureCard(f, options); };
    var layer = L.geoJSON(data, {
      // offers without a place (region-wide) are not drawn
      filter: function (feature) { return options.kind !== "offer" || offerPlaced(feature); },
      pointToLayer: function (feature, latlng) { return pointMarker(feature, latlng, options); },
      style: function (feature) {
        if (feature.geometry && feature.geometry.type === "Point") { return {}; }
        var selected = options.highlight && feature.id === options.highlight;
        var fills = options.fills || {};
        var fill = fills[feature.id];
        if (fill && /^#[0-9a-fA-F]{6}$/.test(fill)) {
          return { color: options.colour || "#333", weight: 2, fillColor: fill, fillOpacity: 0.7 };
        }
        return { color: options.colour || "#3367d6", weight: selected ? 4 : 2,
                 fillOpacity: selected ? 0.08 : 0.03 };
      }
    });
    // one binding for the whole layer (not one per marker): the content is built on demand
    layer.bindTooltip(function (item) {
      return options.kind === "offer" ? offerTooltip(item.feature) : make(item.feature);
    });
    layer.bindPopup(function (item) { return make(item.feature); });
    if (options.kind !== "area" && options.kind !== "offer") {
      layer.on("click", function (event) {
        var item = event.propagatedFrom || event.layer;
        if (item && item.feature) { notifyParent(item.feature.id); }
      });
    }
    var cluster = null;
    if (options.cluster) {
      cluster = L.markerClusterGroup({
        chunkedLoading: true, showCoverageOnHover: false, disableClusteringAtZoom: 18,
        maxClusterRadius: 50,
        chunkProgress: function (processed, total) { if (processed === total) { done(); } }
      });
      group.addLayer(cluster);  // on the map first: adding to a detached group is quadratic
      var markers = layer.getLayers();
      if (markers.length) { cluster.addLayers(markers); } else { done(); }
    } else {
      group.addLayer(layer);
      done();
    }
    if (options.kind !== "area") {
      layer.eachLayer(function (marker) {
        if (marker.feature && marker.feature.id !== undefined) {
          (byId[marker.feature.id] = byId[marker.feature.id] || []).push(
            { layer: marker, cluster: cluster, options: options });
        }
      });
    }
    if (options.fit && map && layer.getBounds().isValid()) {
      var target = layer;
      if (options.highlight) {
        layer.eachLayer(function (l) {
          if (l.feature && l.feature.id === options.highlight) { target = l; }
        });
      }
      map.fitBounds(target.getBounds(), { padding: [10, 10] });
    }
    global.sozialraumRegistry[options.id || "layer"] = options.kind === "offer"
      ? layer.getLayers().length : data.features.length;
  }

  global.sozialraumText = escapeHtml;

  global.sozialraumRemoteLayer = function (group, url, options) {
    pending += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        return new Promise(function (resolve) { build(group, data, options, resolve); });
      })
      .catch(function () {
        global.sozialraumRegistry[options.id || "layer"] = -1;
        var map = group._map;
        if (map) { notice(map, "Die Ebene „" + str(options.title) + "“ konnte nicht geladen werden."); }
      })
      .then(finished);
  };

  global.sozialraumFocus = function (id) {
    var entries = byId[id];
    if (!entries || !entries.length) { return false; }
    var entry = entries[0];
    var open = function () {
      var map = entry.layer._map;
      if (!map) { return; }
      map.setView(entry.layer.getLatLng(), Math.max(map.getZoom(), 17));
      var content = entry.options.kind === "area" ? areaLabel(entry.layer.feature, entry.options)
        : featureCard(entry.layer.feature, entry.options);
      focusPopup = focusPopup || L.popup();  // one popup for list selections, reused
      focusPopup.setLatLng(entry.layer.getLatLng()).setContent(content).openOn(map);
    };
    if (entry.cluster && !entry.layer._map) {
      entry.cluster.zoomToShowLayer(entry.layer, open);
    } else {
      open();
    }
    return true;
  };

  global.sozialraumShowPoint = function (map, lon, lat, label) {
    var container = document.createElement("div");
    container.className = "sr-card";
    container.textContent = str(label);
    if (global.sozialraumPin) { map.removeLayer(global.sozialraumPin); }
    global.sozialraumPin = L.marker([lat, lon]).addTo(map).bindPopup(container).openPopup();
    map.setView([lat, lon], 18);
  };

  global.sozialraumLegend = function (map, items, title) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "sr-legend leaflet-bar");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", str(title));
      var heading = document.createElement("button");
      heading.type = "button";
      heading.className = "sr-legend-toggle";
      heading.textContent = str(title);
      var rows = document.createElement("div");
      var collapsed = map.getSize().x < 500;  // small screens: the legend starts folded
      var toggle = function () {
        rows.hidden = collapsed;
        heading.setAttribute("aria-expanded", collapsed ? "false" : "true");
      };
      heading.addEventListener("click", function () { collapsed = !collapsed; toggle(); });
      L.DomEvent.disableClickPropagation(box);
      box.appendChild(heading);
      box.appendChild(rows);
      toggle();
      items.forEach(function (item) {
        var row = document.createElement("div");
        row.className = "sr-legend-row";
        var swatch = document.createElement("span");
        swatch.className = "sr-swatch";
        swatch.style.backgroundColor = /^#[0-9a-fA-F]{6}$/.test(item.colour) ? item.colour : "#777";
        if (item.shape === "diamond") {  // the offers' markers
          swatch.style.borderRadius = "0";
          swatch.style.transform = "rotate(45deg) scale(0.85)";
        }
        var label = document.createElement("span");
        label.textContent = str(item.label) + (item.count !== undefined ? " (" + item.count + ")" : "");
        row.appendChild(swatch);
        row.appendChild(label);
        rows.appendChild(row);
      });
      return box;
    };
    legend.addTo(map);
  };
})(window);
