// After a failed submit the page opens with an error summary: move focus to it so a screen
// reader reads it, and let its links move focus to the field (not only scroll to it).
(function () {
  "use strict";
  function start() {
    var summary = document.querySelector(".error-summary");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      target.focus();
      target.scrollIntoView({ block: "center" });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
