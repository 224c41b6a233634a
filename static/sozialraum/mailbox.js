/* Mailbox check: address suggestions (chosen one is checked by its id) and the list upload
 * shown in place, so the chosen file stays selected for the CSV download. Everything from
 * the server is inserted as text or as the app's own escaped HTML. */
(function () {
  "use strict";

  function suggestions(form) {
    var input = document.getElementById("adresse");
    var hidden = document.getElementById("address_id");
    var list = document.getElementById("vorschlaege");
    var status = document.getElementById("such-status");
    var timer = null, latest = 0, active = -1, results = [];

    function close() { list.textContent = ""; input.setAttribute("aria-expanded", "false"); active = -1; }

    function choose(i) {
      var item = results[i];
      if (!item) { return; }
      input.value = item.label;
      hidden.value = item.id;
      close();
      form.submit();
    }

    function show(items) {
      results = items;
      list.textContent = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = "vorschlag-" + i;
        li.setAttribute("role", "option");
        li.textContent = item.label + (item.match === "ähnlich" ? " (ähnlich)" : "");
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      status.textContent = items.length ? items.length + " Vorschläge" : "";
    }

    function lookup() {
      var query = input.value.trim();
      if (query.length < 3) { close(); return; }
      var ticket = ++latest;
      fetch(form.dataset.search + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) { if (ticket === latest) { show(data.results); } },
              function () { status.textContent = "Vorschläge sind gerade nicht möglich."; });
    }

    function highlight(i) {
      var items = list.querySelectorAll("li");
      items.forEach(function (li, n) { li.setAttribute("aria-selected", n === i ? "true" : "false"); });
      active = i;
      if (items[i]) { input.setAttribute("aria-activedescendant", items[i].id); }
    }

    input.addEventListener("input", function () {
      hidden.value = "";  // typed again: check the text, not an earlier choice
      clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    input.addEventListener("keydown", function (event) {
      var count = list.children.length;
      if (event.key === "ArrowDown" && count) { event.preventDefault(); highlight((active + 1) % count); }
      else if (event.key === "ArrowUp" && count) { event.preventDefault(); highlight((active - 1 + count) % count); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(active); }
      else if (event.key === "Escape") { close(); }
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
