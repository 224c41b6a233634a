/* Field mode "Unterwegs" (issue 21 §4): the map, the walk's stops, "Wo bin ich?", a quick note.
 * The position goes only to the app's own API, by POST (never in a URL). All text from
 * OpenStreetMap and from users is set with textContent, never as HTML. */
(function () {
  "use strict";
  var dataNode = document.getElementById("field-data");
  var mapBox = document.getElementById("field-map");
  if (!dataNode || !mapBox || !window.L) { return; }
  var data = JSON.parse(dataNode.textContent || "{}");
  var stops = JSON.parse((document.getElementById("field-stops") || {}).textContent || "[]");
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var status = document.getElementById("standort-status");
  var addressBox = document.getElementById("standort-adresse");
  var nextLine = document.getElementById("naechster-halt");
  var stopList = document.getElementById("stationen");
  var storeKey = "sozialraum-erreicht-" + (data.walk || "");
  var position = null;   // {lon, lat, accuracy}
  var positionLayer = null;

  function text(value) { return value === null || value === undefined ? "" : String(value); }

  var metres = window.sozialraumDistance;  // formats.js: "850 m", "3,0 km"

  function germanDate(iso) {
    var parts = text(iso).split("-");
    return parts.length === 3 ? parts[2] + "." + parts[1] + "." + parts[0] : text(iso);
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          var error = new Error(text(json.detail || json.error) || "HTTP " + response.status);
          error.status = response.status;
          throw error;
        }
        return json;
      });
    });
  }

  // -- the map ---------------------------------------------------------------------------
  var map = L.map(mapBox, { zoomControl: true, minZoom: 0 });
  map.createPane("fieldPosition").style.zIndex = 620;  // the position above the stop markers
  var basemap = data.basemap || {};
  if (data.tiles) {
    L.tileLayer(data.tiles, { attribution: text(data.tileAttribution), maxZoom: 19 }).addTo(map);
  } else if (basemap.url && window.sozialraumBasemap) {
    map.setMaxZoom(20);
    window.sozialraumBasemap(map, basemap.url, { bounds: basemap.bounds });
  } else if (basemap.notice) {
    var notice = L.control({ position: "bottomleft" });
    notice.onAdd = function () {
      var box = L.DomUtil.create("div", "leaflet-control sozialraum-basemap-notice");
      box.setAttribute("role", "status");
      box.textContent = text(basemap.notice);
      return box;
    };
    notice.addTo(map);
  }
  map.attributionControl.addAttribution("© OpenStreetMap-Mitwirkende");
  if (window.sozialraumMapA11y) { window.sozialraumMapA11y(map); }
  if (data.districts) {
    fetch(data.districts, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (json) {
      if (json) {
        L.geoJSON(json, { interactive: false, style: { color: "#1f4e9c", weight: 2, fill: false, dashArray: "4 4" } })
          .addTo(map).bringToBack();
      }
    });
  }

  var stopMarkers = {};
  var bounds = [];
  stops.forEach(function (stop) {
    var number = document.createElement("span");
    number.textContent = text(stop.number);
    var icon = L.divIcon({ html: number, className: "field-stop-icon", iconSize: [28, 28], iconAnchor: [14, 14] });
    var label = document.createElement("span");
    label.textContent = stop.number + ". " + text(stop.label);
    stopMarkers[stop.number] = L.marker([stop.lat, stop.lon], { icon: icon, keyboard: false })
      .bindTooltip(label).addTo(map);
    bounds.push([stop.lat, stop.lon]);
  });
  if (bounds.length > 1) {
    L.polyline(bounds, { color: "#1f4e9c", weight: 3, opacity: 0.5, dashArray: "6 6", interactive: false }).addTo(map);
  }
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17 });
  } else if (data.bbox) {
    map.fitBounds([[data.bbox[1], data.bbox[0]], [data.bbox[3], data.bbox[2]]]);
  } else {
    map.setView([51.2, 6.7], 13);
  }

  // -- "Wo bin ich?" ----------------------------------------------------------------------
  function reached() {
    try { return JSON.parse(sessionStorage.getItem(storeKey) || "[]"); } catch (e) { return []; }
  }

  function showAddress(address, radius) {
    var link = document.getElementById("adresse-link");
    var notes = document.getElementById("adresse-notizen");
    var mailbox = document.getElementById("adresse-briefkasten");
    if (!address) {
      addressBox.hidden = true;
      return "Keine Adresse im Umkreis von " + metres(radius || 50) + ".";
    }
    link.textContent = text(address.label);
    link.href = text(address.url);
    document.getElementById("adresse-abstand").textContent = "(" + metres(address.distance_m) + " entfernt)";
    var box = address.mailbox || {};
    mailbox.textContent = "Briefkasten: " + (box.status_label ? text(box.status_label) : "nichts bekannt") +
      (box.action ? " – " + text(box.action) : "");
    notes.textContent = "";
    (address.notes || []).forEach(function (note) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = text(note.url);
      a.textContent = text(note.category_label) + (note.mailbox_status_label ? ": " + text(note.mailbox_status_label) : "");
      li.appendChild(a);
      li.appendChild(document.createTextNode(" (" + germanDate(note.observed_on) + ") " + text(note.text).slice(0, 160)));
      notes.appendChild(li);
    });
    if (!(address.notes || []).length) {
      var none = document.createElement("li");
      none.textContent = "Keine Notizen zu dieser Adresse.";
      notes.appendChild(none);
    }
    addressBox.hidden = false;
    return "Nächste Adresse: " + text(address.label) + " (" + metres(address.distance_m) + ").";
  }

  function showStops(answer) {
    if (!stopList) { return ""; }
    var done = answer.reached || [];
    try { sessionStorage.setItem(storeKey, JSON.stringify(done)); } catch (e) { /* private mode */ }
    (answer.stops || []).forEach(function (stop) {
      var li = stopList.querySelector('li[data-number="' + Number(stop.number) + '"]');
      if (!li) { return; }
      li.querySelector(".stop-distance").textContent = metres(stop.distance_m) +
        (done.indexOf(stop.number) >= 0 ? " · erreicht" : "");
      li.classList.toggle("done", done.indexOf(stop.number) >= 0);
      li.classList.toggle("next", !!answer.next_stop && answer.next_stop.number === stop.number);
      if (answer.next_stop && answer.next_stop.number === stop.number) {
        li.setAttribute("aria-current", "step");
      } else {
        li.removeAttribute("aria-current");
      }
    });
    var next = answer.next_stop;
    // the page's title of that stop (as on the walk sheet), not the stored label
    var shown = next && stops.filter(function (s) { return s.number === next.number; })[0];
    nextLine.textContent = next
      ? "Nächster Halt: " + next.number + ". " + text((shown || next).label) + " – " + metres(next.distance_m) + " (Luftlinie)"
      : "Alle Stationen erreicht.";
    nextLine.hidden = false;
    return " " + nextLine.textContent;
  }

  function fillProposals(lon, lat) {
    var select = document.getElementById("field-address");
    if (!select || !data.nearest) { return Promise.resolve(); }
    return postJson(data.nearest, { lon: lon, lat: lat }).then(function (answer) {
      while (select.options.length > 1) { select.remove(1); }
      (answer.addresses || []).forEach(function (address, index) {
        var option = document.createElement("option");
        option.value = text(address.id);
        option.textContent = text(address.label) + " (" + metres(address.distance_m) + ")";
        select.appendChild(option);
        if (index === 0) { select.value = option.value; }  // the nearest is proposed
      });
    }, function () { /* the note can still be saved at the position */ });
  }

  function showPosition(lon, lat, accuracy) {
    if (positionLayer) { map.removeLayer(positionLayer); }
    positionLayer = L.layerGroup([
      L.circle([lat, lon], { radius: Math.max(Number(accuracy) || 0, 5), color: "#1565c0", weight: 1, fillOpacity: 0.1, interactive: false }),
      L.circleMarker([lat, lon], { radius: 9, color: "#fff", weight: 3, fillColor: "#1565c0", fillOpacity: 1,
                                   className: "field-position", pane: "fieldPosition", interactive: false })
    ]).addTo(map);
    map.setView([lat, lon], Math.max(map.getZoom(), 17));
  }

  function locate() {
    status.textContent = "Standort wird bestimmt …";
    return new Promise(function (resolve, reject) {
      if (!navigator.geolocation) {
        reject(new Error("Dieses Gerät kann seinen Standort nicht bestimmen."));
        return;
      }
      navigator.geolocation.getCurrentPosition(function (found) {
        resolve({ lon: found.coords.longitude, lat: found.coords.latitude, accuracy: found.coords.accuracy });
      }, function (error) {
        reject(new Error(error && error.code === 1
          ? "Der Standort ist nicht freigegeben. Bitte erlauben Sie ihn in den Einstellungen des Browsers."
          : "Der Standort konnte nicht bestimmt werden."));
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 10000 });
    }).then(function (where) {
      position = where;
      showPosition(where.lon, where.lat, where.accuracy);
      var body = { lon: where.lon, lat: where.lat };
      if (data.walk) { body.rundgang = data.walk; body.erreicht = reached(); }
      return Promise.all([postJson(data.here, body), fillProposals(where.lon, where.lat)]);
    }).then(function (results) {
      var answer = results[0];
      status.textContent = showAddress(answer.address, answer.radius_m) + showStops(answer);
      // on a phone the answer is under the full-height map: bring it into view
      status.scrollIntoView({ block: "nearest" });
      document.body.setAttribute("data-located", "true");
      return position;
    }, function (error) {
      status.textContent = text(error.message) || "Der Standort konnte nicht bestimmt werden.";
      throw error;
    });
  }

  document.getElementById("wo-bin-ich").addEventListener("click", function () {
    locate().catch(function () { /* shown in the status line */ });
  });

  // -- a note at the current position ---------------------------------------------------------
  var form = document.getElementById("field-note");
  if (form && data.notes) {
    var category = document.getElementById("field-category");
    var mailboxBox = document.getElementById("field-mailbox-box");
    var noteStatus = document.getElementById("field-note-status");
    var isMailbox = function () {
      var option = category.options[category.selectedIndex];
      return !!option && option.getAttribute("data-kind") === "mailbox";
    };
    var toggle = function () { mailboxBox.hidden = !isMailbox(); };
    category.addEventListener("change", toggle);
    toggle();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var save = function (where) {
        var body = { category: category.value, text: document.getElementById("field-text").value,
                     lon: where.lon, lat: where.lat };
        var address = document.getElementById("field-address").value;
        if (address) { body.address_id = address; }
        var mailbox = document.getElementById("field-mailbox").value;
        if (isMailbox() && mailbox) { body.mailbox_status = mailbox; }
        noteStatus.textContent = "Wird gespeichert …";
        return postJson(data.notes, body).then(function (note) {
          var props = note.properties || {};
          noteStatus.textContent = "Gespeichert: " + text(props.category_label || category.value) +
            (props.address_label ? " – " + text(props.address_label) : "") + ". ";
          var link = document.createElement("a");
          link.href = data.noteUrl.replace("__ID__", encodeURIComponent(note.id));
          link.textContent = "Notiz öffnen";
          noteStatus.appendChild(link);
          form.setAttribute("data-saved", text(note.id));
          document.getElementById("field-text").value = "";
        });
      };
      (position ? Promise.resolve(position) : locate()).then(save).catch(function (error) {
        noteStatus.textContent = "Nicht gespeichert: " + (text(error.message) || "unbekannter Fehler");
      });
    });
  }
  document.body.setAttribute("data-field-ready", "true");
})();
