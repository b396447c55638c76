// The door page (templates/registrations/door.html). Progressive enhancement: without
// JavaScript the typed-code form posts and the page answers; with it, the camera reads QR codes
// (the browser's BarcodeDetector where it exists, the vendored jsQR decoder otherwise), each
// code is posted with the form's CSRF token, and the answer shows at once in large type.
// The counts (checked in / confirmed) refresh every 10 seconds.
(function () {
  "use strict";
  var root = document.querySelector(".door[data-scan-url]");
  if (!root || !window.fetch || !window.FormData) { return; }
  var form = root.querySelector("[data-scan-form]");
  var input = form.querySelector("input[name=token]");
  var resultBox = root.querySelector("[data-result]");
  var counts = root.querySelector("[data-counts-url]");
  var cameraBox = root.querySelector("[data-camera]");
  var video = root.querySelector("[data-video]");
  var cameraStatus = root.querySelector("[data-camera-status]");
  var startButton = root.querySelector("[data-start-camera]");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var busy = false, lastToken = null, lastAt = 0, detector = null, stream = null;

  function showCounts(figures) {
    if (!figures) { return; }
    ["checked_in", "confirmed"].forEach(function (key) {
      var cell = counts.querySelector('[data-count="' + key + '"]');
      if (cell && typeof figures[key] === "number") { cell.textContent = String(figures[key]); }
    });
  }

  function showResult(answer) {
    var kind = answer.admitted ? "is-admitted" : "is-refused";
    resultBox.className = "door-result " + kind + " outcome-" + answer.outcome;
    resultBox.setAttribute("data-outcome", answer.outcome);
    var message = document.createElement("p");
    message.className = "door-message";
    message.textContent = answer.message;
    resultBox.replaceChildren(message);
    if (navigator.vibrate) { navigator.vibrate(answer.admitted ? 80 : [60, 60, 60]); }
    showCounts(answer.counts);
  }

  // Post one code; answers {outcome, admitted, message, ...} (see events.registrations.door).
  function submitToken(token) {
    var data = new FormData(form);
    data.set("token", token);
    busy = true;
    return fetch(root.getAttribute("data-scan-url"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        throw new Error("not json");
      }
      return response.json();
    }).then(function (answer) {
      showResult(answer);
      return answer;
    }).catch(function () {
      showResult({ outcome: "error", admitted: false, message: root.getAttribute("data-error-message") });
      return null;
    }).then(function (answer) {
      busy = false;
      return answer;
    });
  }

  // The text of a QR code in an ImageData, or null (jsQR; also used by the browser tests).
  function decodeImageData(image) {
    if (typeof window.jsQR !== "function") { return null; }
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return code ? code.data : null;
  }

  function onCode(token) {
    var now = Date.now();
    // The same ticket held in front of the camera is read many times a second: post it once.
    if (!token || busy || (token === lastToken && now - lastAt < 4000)) { return; }
    lastToken = token;
    lastAt = now;
    submitToken(token);
  }

  function readFrame() {
    if (!stream) { return; }
    if (video.readyState >= 2 && !busy) {
      if (detector) {
        detector.detect(video).then(function (codes) {
          if (codes.length) { onCode(codes[0].rawValue); }
        }).catch(function () { detector = null; });
      } else {
        var width = video.videoWidth, height = video.videoHeight;
        if (width && height) {
          canvas.width = width;
          canvas.height = height;
          context.drawImage(video, 0, 0, width, height);
          onCode(decodeImageData(context.getImageData(0, 0, width, height)));
        }
      }
    }
    window.setTimeout(readFrame, 150);
  }

  function startCamera() {
    cameraBox.hidden = false;
    cameraStatus.textContent = root.getAttribute("data-camera-starting");
    var pick = Promise.resolve(null);
    if ("BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats) {
      pick = window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
      }).catch(function () { return null; });
    }
    pick.then(function (found) {
      detector = found;
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (media) {
      stream = media;
      video.srcObject = media;
      return video.play();
    }).then(function () {
      cameraStatus.textContent = root.getAttribute("data-camera-ready");
      startButton.hidden = true;
      readFrame();
    }).catch(function () {
      cameraStatus.textContent = root.getAttribute("data-camera-failed");
    });
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    startButton.hidden = false;
    startButton.addEventListener("click", startCamera);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var token = input.value.trim();
    if (!token || busy) { return; }
    submitToken(token).then(function (answer) {
      if (answer) { input.value = ""; }
    });
  });

  var countsUrl = counts.getAttribute("data-counts-url");
  window.setInterval(function () {
    fetch(countsUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(showCounts)
      .catch(function () { /* offline for a moment: keep the last figures */ });
  }, 10000);

  window.JointEventsDoor = { decodeImageData: decodeImageData, submitToken: submitToken };
})();
