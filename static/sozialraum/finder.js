/* Offer finder: after a search the page scrolls to the results (their heading gets the focus)
 * and a live region announces their number (issue 21 §5).
 * Handout: a checkbox per offer leaves it out of the print.
 * Without JavaScript the checkboxes stay hidden and every offer is printed. */
(function () {
  "use strict";

  function sync(box) {
    var entry = box.closest(".handout-offer");
    if (entry) { entry.classList.toggle("omit", !box.checked); }
  }

  document.querySelectorAll("input[data-handout-toggle]").forEach(function (box) {
    var label = box.closest("label");
    if (label) { label.hidden = false; }
    box.addEventListener("change", function () { sync(box); });
    sync(box);  // the browser may restore an unticked box (back button)
  });

  var heading = document.getElementById("passend");
  var count = document.getElementById("finder-anzahl");
  if (heading) {
    heading.scrollIntoView({ block: "start" });
    heading.focus({ preventScroll: true });
    // filled after the page is shown, so that screen readers announce it
    if (count) { setTimeout(function () { count.textContent = count.getAttribute("data-text"); }, 100); }
  }
})();
