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

  function upload(form) {
    var target = document.getElementById("ergebnis");
    var status = document.getElementById("liste-status");
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.value !== "tabelle" || !window.fetch || !window.DOMParser) { return; }
      event.preventDefault();
      var body = new FormData(form);
      body.set("ausgabe", "tabelle");
      status.textContent = "Die Liste wird geprüft …";
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var result = page.getElementById("ergebnis");
          target.replaceChildren.apply(target, result ? Array.from(result.childNodes) : []);
          var hint = target.querySelector(".hint");
          if (hint) { hint.textContent = "Die Datei bleibt ausgewählt: „Ergebnis als CSV herunterladen“ lädt dieselbe Prüfung als Datei."; }
          status.textContent = result ? "Fertig." : "Die Prüfung ist fehlgeschlagen.";
        }, function () { status.textContent = "Die Prüfung ist gerade nicht möglich."; });
    });
  }

  var check = document.getElementById("briefkasten-formular");
  if (check) { suggestions(check); }
  var list = document.getElementById("liste-formular");
  if (list) { upload(list); }
})();
