// Progressive enhancement of the event form: show the room and the link fields only when the
// chosen format uses them. Without JavaScript every field stays visible and the server checks.
(function () {
  "use strict";
  var format = document.getElementById("format");
  if (!format) { return; }
  var room = document.getElementById("venue");
  var link = document.getElementById("online_url");
  function fieldOf(input) { return input ? input.closest(".field") : null; }
  function update() {
    var value = format.value;
    var roomField = fieldOf(room), linkField = fieldOf(link);
    if (roomField) { roomField.hidden = value === "online" && !roomField.classList.contains("has-error"); }
    if (linkField) { linkField.hidden = value === "in_person" && !linkField.classList.contains("has-error"); }
  }
  format.addEventListener("change", update);
  update();
}());
