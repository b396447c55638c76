// The attendee page. Focus: after a check-in (the page comes back with ?done=<id>) it moves to
// the next attendee still to check in — or to the one just changed when nobody is left — and
// after a search to the number of matches just above the results, not to the top of the page.
// Live counts: the figures refresh every 15 seconds (progressive enhancement; without
// JavaScript the page shows the counts of its last load).
(function () {
  "use strict";
  function shown(el) { return el.getClientRects().length > 0; }
  function moveFocus() {
    var params = new URLSearchParams(window.location.search);
    var done = params.get("done");
    var target = null;
    if (done) {
      var rows = Array.prototype.filter.call(
        document.querySelectorAll("[data-registration]"), shown);
      var at = rows.findIndex(function (row) { return row.getAttribute("data-registration") === done; });
      var order = at < 0 ? rows : rows.slice(at + 1).concat(rows.slice(0, at + 1));
      order.some(function (row) {
        target = row.querySelector("[data-check-in]");
        return target !== null;
      });
      if (!target && at >= 0) { target = rows[at].querySelector("button"); }
    } else if (params.get("q")) {
      target = document.getElementById("matches");
    }
    if (target) {
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "center" });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", moveFocus);
  } else {
    moveFocus();
  }

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
