// Live counts on the attendee page: refresh the figures every 15 seconds (progressive
// enhancement; without JavaScript the page shows the counts of its last load).
(function () {
  "use strict";
  var box = document.querySelector(".live-counts[data-counts-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-counts-url");
  function refresh() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (counts) {
        if (!counts) { return; }
        ["confirmed", "waitlisted", "checked_in"].forEach(function (key) {
          var cell = box.querySelector('[data-count="' + key + '"]');
          if (cell && typeof counts[key] === "number") { cell.textContent = String(counts[key]); }
        });
      })
      .catch(function () { /* offline for a moment: keep the last figures */ });
  }
  window.setInterval(refresh, 15000);
})();
