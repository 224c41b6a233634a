/* German display formats shared by the page and map scripts: distances for people.
 * The same rule as the Jinja filter "entfernung" (sozialraum/web/formats.py):
 * whole metres below 1 km ("850 m"), else kilometres with one decimal and a comma ("3,0 km").
 * Loaded on every page (base.html) and with the map layers (maps/assets.py). */
(function (global) {
  "use strict";

  global.sozialraumDistance = function (metres) {
    if (metres === null || metres === undefined || isNaN(Number(metres))) { return ""; }
    var whole = Math.round(Number(metres));
    if (whole < 1000) { return whole + " m"; }
    var tenths = Math.floor((whole + 50) / 100);  // half up, in integers (as the Python twin)
    var km = String(Math.floor(tenths / 10)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return km + "," + (tenths % 10) + " km";
  };
})(window);
