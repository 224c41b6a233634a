/* "Notiz setzen" on the map: the next click opens the new-note form at that point. */
(function (global) {
  "use strict";

  global.sozialraumNotePlacer = function (map, url, startActive) {
    var active = false;
    var control = L.control({ position: "topleft" });
    var button, status;

    function setActive(on) {
      active = on;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      map.getContainer().classList.toggle("sr-picking", on);
      status.textContent = on ? "Klicken Sie auf die Karte: dort entsteht die Notiz." : "";
    }

    control.onAdd = function () {
      var box = L.DomUtil.create("div", "sr-tool sr-note-placer leaflet-bar");
      button = document.createElement("button");
      button.type = "button";
      button.className = "sr-tool-toggle";
      button.textContent = "Notiz setzen";
      button.title = "Eine Notiz an einer Stelle der Karte anlegen";
      button.addEventListener("click", function () { setActive(!active); });
      status = document.createElement("div");
      status.className = "sr-tool-status";
      status.setAttribute("role", "status");
      box.appendChild(button);
      box.appendChild(status);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    setActive(Boolean(startActive));

    map.getContainer().addEventListener("click", function (event) {
      if (!active || event.target.closest(".leaflet-control, .leaflet-popup")) { return; }
      if (map.dragging && map.dragging.moved()) { return; }
      event.stopPropagation();
      var latlng = map.mouseEventToLatLng(event);
      var target = url + (url.indexOf("?") < 0 ? "?" : "&") + "lon=" +
        latlng.lng.toFixed(7) + "&lat=" + latlng.lat.toFixed(7);
      setActive(false);
      global.sozialraumRegistry.noteTarget = target;
      (global.top || global).location.href = target;
    }, true);
  };
})(window);
