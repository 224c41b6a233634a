/* Address suggestions while typing (combobox with a listbox), shared by the address search
 * and the mailbox check. The typed text goes only to the app's own API, in the body of a
 * POST (never in a URL, where a proxy's access log would record it); nothing is stored.
 *
 * sozialraumSuggest({input, list, status, url, choose, enterTakesFirst, noneText, failText})
 * calls choose(item) with the chosen suggestion ({id, label, match, …}). */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  window.sozialraumSuggest = function (options) {
    var input = options.input, list = options.list, status = options.status;
    var timer = null, active = -1, results = [], latest = 0;

    function close() {
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function choose(i) {
      var item = results[i];
      if (!item) { return; }
      input.value = item.label;
      close();
      options.choose(item);
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
      status.textContent = items.length === 1 ? "1 Vorschlag" : items.length ? items.length +
        " Vorschläge" : (options.noneText || "");
    }

    function lookup() {
      var query = input.value.trim();
      if (query.length < 3) { close(); status.textContent = ""; return; }
      var ticket = ++latest;
      fetch(options.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ q: query, limit: 10 })
      })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (data) { if (ticket === latest) { show(data.results); } },
              function () { status.textContent = options.failText || "Vorschläge sind gerade nicht möglich."; });
    }

    function highlight(i) {
      var items = list.querySelectorAll("li");
      items.forEach(function (li, n) { li.setAttribute("aria-selected", n === i ? "true" : "false"); });
      active = i;
      if (items[i]) { input.setAttribute("aria-activedescendant", items[i].id); }
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    input.addEventListener("keydown", function (event) {
      var count = list.children.length;
      if (event.key === "ArrowDown" && count) { event.preventDefault(); highlight((active + 1) % count); }
      else if (event.key === "ArrowUp" && count) { event.preventDefault(); highlight((active - 1 + count) % count); }
      else if (event.key === "Enter" && (active >= 0 || options.enterTakesFirst)) {
        event.preventDefault();
        choose(active >= 0 ? active : 0);
      }
      else if (event.key === "Escape") { close(); }
    });
  };
})();
