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

    function syncMailbox() {
      var option = category.options[category.selectedIndex];
      var isMailbox = option && option.getAttribute("data-kind") === "mailbox";
      mailbox.hidden = !isMailbox;
      if (!isMailbox) { mailbox.querySelector("select").value = ""; }
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
          "° O (aktueller Standort, ± " + Math.round(position.coords.accuracy) + " m)";
        status.textContent = "";
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
