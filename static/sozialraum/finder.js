/* Offer finder handout: a checkbox per offer leaves it out of the print.
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
})();
