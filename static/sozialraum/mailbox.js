/* Mailbox check: address suggestions (chosen one is checked by its id) and the list upload
 * shown in place, so the chosen file stays selected for the CSV download. Everything from
 * the server is inserted as text or as the app's own escaped HTML. */
(function () {
  "use strict";

  function suggestions(form) {
    var input = document.getElementById("adresse");
    var hidden = document.getElementById("address_id");
    input.addEventListener("input", function () { hidden.value = ""; });  // check the text
    sozialraumSuggest({
      input: input,
      list: document.getElementById("vorschlaege"),
      status: document.getElementById("such-status"),
      url: form.dataset.search,
      choose: function (item) { hidden.value = item.id; form.submit(); }
    });
  }

  function replaceFrom(page, id) {
    var target = document.getElementById(id);
    var source = page.getElementById(id);
    target.replaceChildren.apply(target, source ? Array.from(source.childNodes) : []);
    return source;
  }

  /* The list upload in two steps without a page load, so the chosen file stays chosen:
   * "Weiter" sends it for the column detection and shows the mapping step in the form;
   * "Prüfen und anzeigen" sends it again with the confirmed columns and shows the table;
   * the CSV download is an ordinary form submission of the same file and columns.
   * Nothing of the file is kept on the server between the steps. */
  function upload(form) {
    var status = document.getElementById("liste-status");
    var mapping = document.getElementById("zuordnung");
    var first = Array.from(mapping.childNodes).map(function (n) { return n.cloneNode(true); });
    document.getElementById("datei").addEventListener("change", function () {
      mapping.replaceChildren.apply(mapping, first.map(function (n) { return n.cloneNode(true); }));
      document.getElementById("ergebnis").replaceChildren();
      status.textContent = "";
    });
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      var step = button && button.value;
      if ((step !== "tabelle" && step !== "zuordnung") || !window.fetch || !window.DOMParser) { return; }
      event.preventDefault();
      var body = new FormData(form);
      body.set("ausgabe", step);
      status.textContent = step === "zuordnung" ? "Die Spalten werden erkannt …" : "Die Liste wird geprüft …";
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          if (step === "zuordnung") { replaceFrom(page, "zuordnung"); }
          replaceFrom(page, "ergebnis");  // moves the nodes: look at the page's own copy
          var result = document.getElementById("ergebnis");
          var again = document.getElementById("datei-nochmal");
          if (again) { again.hidden = true; }  // the file is still chosen here
          var hint = document.querySelector("#ergebnis .hint");
          if (hint) { hint.textContent = "Die Datei bleibt ausgewählt: „Ergebnis als CSV herunterladen“ lädt dieselbe Prüfung als Datei."; }
          if (step === "zuordnung") {
            var select = mapping.querySelector("select");
            status.textContent = select ? "Spalten erkannt – bitte prüfen und dann „Prüfen und anzeigen“." : "Die Datei konnte nicht gelesen werden.";
            if (select) { select.focus(); }
          } else {
            status.textContent = result && result.querySelector("table") ? "Fertig." : "Die Prüfung ist fehlgeschlagen.";
          }
        }, function () { status.textContent = "Die Prüfung ist gerade nicht möglich."; });
    });
  }

  /* Returned mail: the upload and the choice of addresses for rows that were not found
   * exactly, without a page load, so the file stays chosen: "Auswahl übernehmen" sends
   * it again with the choices (nothing of the file is kept on the server). */
  function returns(form) {
    var status = document.getElementById("ruecklaeufer-status");
    document.getElementById("datei").addEventListener("change", function () {
      document.getElementById("auswahl").replaceChildren();
      status.textContent = "";
    });
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      var step = button && button.value;
      if ((step !== "hochladen" && step !== "auswahl") || !window.fetch || !window.DOMParser) { return; }
      event.preventDefault();
      var body = new FormData(form);
      body.set("schritt", step);
      status.textContent = "Die Rückläufer werden übernommen …";
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          replaceFrom(page, "auswahl");
          replaceFrom(page, "import-bericht");
          replaceFrom(page, "ruecklaeufer-liste");
          var again = document.getElementById("datei-nochmal");
          if (again) { again.hidden = true; }  // the file is still chosen here
          var select = document.querySelector("#auswahl select");
          var error = document.querySelector("#import-bericht .error");
          status.textContent = error ? "Nicht übernommen." : select
            ? "Übernommen. Einige Adressen wurden nicht eindeutig gefunden – bitte unten wählen."
            : "Übernommen.";
          if (select) { select.focus(); }
        }, function () { status.textContent = "Das Übernehmen ist gerade nicht möglich."; });
    });
  }

  var check = document.getElementById("briefkasten-formular");
  if (check) { suggestions(check); }
  var list = document.getElementById("liste-formular");
  if (list) { upload(list); }
  var returned = document.getElementById("ruecklaeufer-formular");
  if (returned) { returns(returned); }
})();
