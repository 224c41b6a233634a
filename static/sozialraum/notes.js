/* Note form: current location (phones), mailbox field only for mailbox notes, text counter,
 * confirmation before deleting. Everything is text; nothing is sent anywhere but the form. */
(function () {
  "use strict";

  document.querySelectorAll("[data-sr-note-form]").forEach(function (form) {
    var category = form.querySelector("[data-sr-category]");
    var mailbox = form.querySelector("[data-sr-mailbox]");
    var text = form.querySelector("[data-sr-text]");
    var count = form.querySelector("[data-sr-count]");
    var locate = form.querySelector("[data-sr-locate]");
    var status = form.querySelector("[data-sr-locate-status]");
    var point = form.querySelector("[data-sr-point]");

    var address = form.querySelector("[data-sr-address]");
    var confirm = form.querySelector("[data-sr-address-confirm]");

    function syncMailbox() {
      var option = category.options[category.selectedIndex];
      var isMailbox = option && option.getAttribute("data-kind") === "mailbox";
      mailbox.hidden = !isMailbox;
      if (!isMailbox) { mailbox.querySelector("select").value = ""; }
      if (confirm) {
        var hasChoice = Boolean(form.querySelector("input[name=address_choice]"));
        confirm.required = isMailbox && hasChoice;
      }
    }

    /* The addresses near a new point (POST: the point may be the caseworker's position),
     * nearest preselected; shown as text only. */
    function proposeAddresses(lon, lat) {
      if (!address) { return; }
      var list = address.querySelector("[data-sr-address-list]");
      list.textContent = "Adressen in der Nähe werden gesucht …";
      fetch(address.getAttribute("data-sr-nearest-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json",
                   "X-CSRFToken": form.querySelector("input[name=csrf_token]").value },
        body: JSON.stringify({ lon: lon, lat: lat })
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (answer) {
        list.textContent = "";
        if (!answer.addresses.length) {
          var none = document.createElement("p");
          none.textContent = "Keine Adresse im Umkreis von " +
            window.sozialraumDistance(answer.radius_m) + ". Bitte die Notiz über die Adresse anlegen („Adresse suchen“ → „Notiz zu dieser Adresse“).";
          list.appendChild(none);
        }
        answer.addresses.forEach(function (item, index) {
          var label = document.createElement("label");
          label.className = "check";
          var input = document.createElement("input");
          input.type = "radio";
          input.name = "address_choice";
          input.value = item.id;
          input.checked = index === 0;
          label.appendChild(input);
          label.appendChild(document.createTextNode(
            " " + item.label + " · " + window.sozialraumDistance(item.distance_m)));
          list.appendChild(label);
        });
        if (confirm) { confirm.checked = false; }
        syncMailbox();
      }).catch(function () {
        list.textContent = "Die Adressen in der Nähe konnten nicht geladen werden.";
      });
    }

    function syncCount() {
      var left = 2000 - text.value.length;
      count.textContent = "Noch " + left.toLocaleString("de-DE") + " Zeichen.";
    }

    category.addEventListener("change", syncMailbox);
    text.addEventListener("input", syncCount);
    syncMailbox();
    syncCount();

    if (!navigator.geolocation) {
      locate.hidden = true;
    }
    locate.addEventListener("click", function () {
      status.textContent = "Standort wird ermittelt …";
      navigator.geolocation.getCurrentPosition(function (position) {
        var lat = position.coords.latitude, lon = position.coords.longitude;
        form.querySelector("[data-sr-lon]").value = lon.toFixed(7);
        form.querySelector("[data-sr-lat]").value = lat.toFixed(7);
        point.textContent = "Punkt: " + lat.toFixed(5) + "° N, " + lon.toFixed(5) +
          "° O (aktueller Standort, ± " + window.sozialraumDistance(position.coords.accuracy) + ")";
        status.textContent = "";
        proposeAddresses(lon, lat);
      }, function () {
        status.textContent = "Der Standort ist nicht verfügbar. Bitte auf der Karte wählen.";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
    });
  });

  document.querySelectorAll("form[data-sr-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-sr-confirm"))) { event.preventDefault(); }
    });
  });
})();
