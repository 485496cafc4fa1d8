// Comptoir's web interface: the little it needs beyond HTML and htmx (no inline script:
// the Content-Security-Policy allows only this server's files).
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("keydown", function (event) {
  var results = document.querySelector("header .search-results");
  if (!results) { return; }
  if (event.key === "Escape") { results.innerHTML = ""; return; }
  if (event.key === "ArrowDown" && document.activeElement &&
      document.activeElement.id === "global-search") {
    var first = results.querySelector("a");
    if (first) { first.focus(); event.preventDefault(); }
  }
});
