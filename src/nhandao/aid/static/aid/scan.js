// Scan a QR code with the phone's camera where the browser can (BarcodeDetector): a button
// marked data-scan-target="<input id>" opens the camera, puts the code it reads into that input
// and fires "search", as if the code had been typed. Without camera support the button stays
// hidden and a handheld scanner or the keyboard types the code instead.
(function () {
  "use strict";
  function stop(video) {
    if (video.srcObject) { video.srcObject.getTracks().forEach(function (t) { t.stop(); }); }
    video.srcObject = null;
    video.hidden = true;
  }
  function start(button) {
    var input = document.getElementById(button.dataset.scanTarget);
    var video = document.getElementById(button.dataset.scanVideo);
    if (!input || !video) { return; }
    if (video.srcObject) { stop(video); return; }
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var tick = function () {
        if (!video.srcObject) { return; }
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            input.value = codes[0].rawValue;
            input.dispatchEvent(new Event("search", { bubbles: true }));
            stop(video);
          } else {
            window.setTimeout(tick, 250);
          }
        }, function () { window.setTimeout(tick, 500); });
      };
      tick();
    }, function () { stop(video); });
  }
  // After a gift is recorded, the search box is emptied and focused for the next recipient.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target.querySelector("#recorded")) { return; }
    document.querySelectorAll("[data-next-recipient]").forEach(function (input) {
      input.value = "";
      input.focus();
    });
    var found = document.getElementById("found");
    if (found) { found.innerHTML = ""; }
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
    document.querySelectorAll("[data-scan-target]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { start(button); });
    });
  });
})();
