/* Address search: suggestions while typing, then the address card and the point on the map.
 * The typed text goes only to the app's own API; nothing is stored. */
(function () {
  "use strict";
  var root = document.getElementById("suche");
  if (!root) { return; }
  var input = document.getElementById("adresse");
  var list = document.getElementById("vorschlaege");
  var status = document.getElementById("such-status");
  var card = document.getElementById("adresskarte");
  var labels = JSON.parse(root.dataset.labels || "{}");

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); });
  }

  function line(parent, tag, value) {
    var el = document.createElement(tag);
    el.textContent = value;
    parent.appendChild(el);
    return el;
  }

  function renderCard(data) {
    card.textContent = "";
    var a = data.address;
    line(card, "h2", [a.street, a.housenumber].filter(Boolean).join(" "));
    line(card, "p", [a.postcode, a.city].filter(Boolean).join(" "));
    line(card, "h3", "In der Nähe (Luftlinie bis " + window.sozialraumDistance(data.radius_m) + ")");
    var ul = document.createElement("ul");
    ul.className = "nearby";
    data.nearby.forEach(function (r) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = root.dataset.resource.replace("__ID__", encodeURIComponent(r.id));
      var cats = r.categories.map(function (c) { return labels[c] || c; }).join(", ");
      link.textContent = r.name || cats;
      li.appendChild(link);
      li.appendChild(document.createTextNode(" – " + cats + ", " + window.sozialraumDistance(r.distance_m)));
      ul.appendChild(li);
    });
    if (!data.nearby.length) { line(card, "p", "Keine Orte in der Nähe erfasst."); }
    card.appendChild(ul);
    card.hidden = false;
    try {  // the map is part of the page (issue 21 §5)
      var win = window;
      var map = Object.values(win).find(function (v) { return v instanceof win.L.Map; });
      var c = data.geometry.coordinates;
      win.sozialraumShowPoint(map, c[0], c[1], [a.street, a.housenumber].filter(Boolean).join(" "));
    } catch (e) { /* map not ready */ }
  }

  sozialraumSuggest({
    input: input,
    list: list,
    status: status,
    url: root.dataset.search,
    enterTakesFirst: true,
    noneText: "Keine passende Adresse gefunden.",
    failText: "Die Suche ist gerade nicht möglich.",
    choose: function (item) {
      getJson(root.dataset.card.replace("__ID__", encodeURIComponent(item.id))).then(renderCard,
        function () { status.textContent = "Die Adresskarte konnte nicht geladen werden."; });
    }
  });
  document.getElementById("suchformular").addEventListener("submit", function (e) { e.preventDefault(); });
})();
