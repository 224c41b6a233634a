/* Walking zones on the map: click a point, get the areas reachable on foot in 5/10/15 minutes.
 * The point goes to the API by POST (never in a URL); every label is text, not HTML. */
(function (global) {
  "use strict";

  var COLOURS = { 5: "#2e7d32", 10: "#f9a825", 15: "#c62828" };

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  global.sozialraumWalkZones = function (map, url, csrfToken) {
    var active = false;
    var zones = null;
    var pin = null;
    var profile = "normal";
    var control = L.control({ position: "topleft" });
    var box, button, status;

    function clear() {
      if (zones) { map.removeLayer(zones); zones = null; }
      if (pin) { map.removeLayer(pin); pin = null; }
      status.textContent = "";
      global.sozialraumRegistry.zones = 0;
    }

    function setActive(on) {
      active = on;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      box.classList.toggle("sr-open", on);  // small screens: the pace and status only when on
      map.getContainer().classList.toggle("sr-picking", on);
      status.textContent = on ? "Klicken Sie auf die Karte: Start des Fußwegs." : "";
      if (!on) { clear(); }
    }

    function draw(latlng, data) {
      clear();
      zones = L.geoJSON(data, {
        style: function (feature) {
          var minutes = feature.properties.walk_min;
          return { color: COLOURS[minutes] || "#555", weight: 1, fillOpacity: 0.25 };
        }
      }).addTo(map);
      zones.bindTooltip(function (layer) {
        return text("span", layer.feature.properties.walk_min + " Minuten zu Fuß");
      });
      pin = L.circleMarker(latlng, { radius: 6, color: "#111", fillColor: "#fff", fillOpacity: 1 })
        .addTo(map);
      status.textContent = "Zu Fuß erreichbar in 5 / 10 / 15 Minuten (" +
        (profile === "langsam" ? "langsam, 3 km/h" : "4,5 km/h") + ").";
      global.sozialraumRegistry.zones = data.features.length;
      document.dispatchEvent(new Event("sozialraum:zones"));
    }

    function request(latlng) {
      status.textContent = "Berechne Fußwege …";
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken,
                   Accept: "application/geo+json" },
        body: JSON.stringify({ lon: latlng.lng, lat: latlng.lat, profil: profile })
      }).then(function (response) {
        if (response.status === 400) {
          throw new Error("Hier gibt es keine Fußwege in der Nähe. Bitte näher an einer Straße klicken.");
        }
        if (!response.ok) { throw new Error("Die Fußweg-Zonen konnten nicht berechnet werden."); }
        return response.json();
      }).then(function (data) { draw(latlng, data); })
        .catch(function (error) {
          clear();
          status.textContent = error.message;
          global.sozialraumRegistry.zones = -1;
          document.dispatchEvent(new Event("sozialraum:zones"));
        });
    }

    control.onAdd = function () {
      box = L.DomUtil.create("div", "sr-zones leaflet-bar");
      button = text("button", "Fußweg-Zonen", "sr-zones-toggle");
      button.type = "button";
      button.title = "Was ist von einem Punkt aus in 5, 10 und 15 Minuten zu Fuß erreichbar?";
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", function () { setActive(!active); });
      var select = document.createElement("select");
      select.setAttribute("aria-label", "Gehtempo");
      [["normal", "4,5 km/h"], ["langsam", "langsam (3 km/h)"]].forEach(function (pair) {
        var option = text("option", pair[1]);
        option.value = pair[0];
        select.appendChild(option);
      });
      select.addEventListener("change", function () { profile = select.value; });
      status = text("div", "", "sr-zones-status");
      status.setAttribute("role", "status");
      box.appendChild(button);
      box.appendChild(select);
      box.appendChild(status);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    // While picking, a click anywhere on the map is the start point, also on a district or a
    // marker (their popups stop Leaflet's map "click"); controls and popups keep their clicks.
    map.getContainer().addEventListener("click", function (event) {
      if (!active || event.target.closest(".leaflet-control, .leaflet-popup")) { return; }
      if (map.dragging && map.dragging.moved()) { return; }  // the end of a drag
      event.stopPropagation();
      map.closePopup();
      request(map.mouseEventToLatLng(event));
    }, true);
  };
})(window);
