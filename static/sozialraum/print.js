/* Buttons with data-print open the browser's print dialog ("Save as PDF" works too). */
document.addEventListener("click", function (event) {
  var target = event.target.closest ? event.target.closest("[data-print]") : null;
  if (target) { window.print(); }
});
