/* Leaflet maps in German and keyboard-friendly (issue 21 §5), for every map of the app.
 *
 * sozialraumMapA11y(map, label):
 * - zoom buttons, layer switcher, popup close button and attribution prefix in German;
 * - a scale in metres only (added when the map has none yet: the basemap adds its own);
 * - markers are not tab stops (tabindex -1): they are reached through the list beside the map,
 *   not as dozens of tab stops inside it; the map itself is one tab stop (named by ``label``
 *   when given, else by the region around it).
 * Runs after the other controls were added (next task), and again for every added layer. */
(function (global) {
  "use strict";

  var TITLES = {
    ".leaflet-control-zoom-in": "Vergrößern",
    ".leaflet-control-zoom-out": "Verkleinern",
    ".leaflet-control-layers-toggle": "Ebenen",
    ".leaflet-control-zoom-fullscreen": null  // already German (folium's Fullscreen title)
  };

  function untab(layer) {
    var element = layer && layer.getElement && layer.getElement();
    if (element && element.classList && element.classList.contains("leaflet-marker-icon")) {
      element.setAttribute("tabindex", "-1");
    }
  }

  function german(map, label) {
    var box = map.getContainer();
    Object.keys(TITLES).forEach(function (selector) {
      var text = TITLES[selector];
      if (!text) { return; }
      box.querySelectorAll(selector).forEach(function (element) {
        element.setAttribute("title", text);
        element.setAttribute("aria-label", text);
      });
    });
    if (map.attributionControl) {
      map.attributionControl.setPrefix("Leaflet");
    }
    if (!box.querySelector(".leaflet-control-scale")) {
      L.control.scale({ metric: true, imperial: false }).addTo(map);
    }
    if (label && !box.getAttribute("aria-label")) {
      box.setAttribute("aria-label", label);
      box.setAttribute("role", "region");
    }
    box.querySelectorAll(".leaflet-marker-icon").forEach(function (element) {
      element.setAttribute("tabindex", "-1");
    });
  }

  global.sozialraumMapA11y = function (map, label) {
    map.on("layeradd", function (event) { untab(event.layer); });
    map.on("popupopen", function (event) {
      var close = event.popup.getElement() &&
        event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) {
        close.setAttribute("aria-label", "Schließen");
        close.setAttribute("title", "Schließen");
      }
    });
    // after the controls that are added later in the same script
    setTimeout(function () { german(map, label); }, 0);
  };
})(window);
