// Charts of a campaign page, drawn from the JSON block the server renders (no inline script).
(function () {
  "use strict";
  function draw() {
    var block = document.getElementById("campaign-charts");
    if (!block || typeof window.Chart === "undefined") return;
    var data = JSON.parse(block.textContent);
    var t = data.text;
    var red = "rgba(220, 53, 69, 0.8)";
    var grey = "rgba(108, 117, 125, 0.35)";
    var counts = { ticks: { precision: 0 }, beginAtZero: true };
    var common = {
      responsive: true,
      animation: false,
      plugins: { legend: { position: "bottom" } },
      scales: { x: counts, y: counts }
    };
    function make(id, config) {
      var canvas = document.getElementById(id);
      if (canvas) new window.Chart(canvas, config);
    }
    make("chart-units", {
      type: "bar",
      data: {
        labels: data.units.labels,
        datasets: [
          { label: t.target, data: data.units.target, backgroundColor: grey },
          { label: t.result, data: data.units.result, backgroundColor: red }
        ]
      },
      options: Object.assign({}, common, { indexAxis: "y" })
    });
    make("chart-groups", {
      type: "bar",
      data: {
        labels: data.groups.labels,
        datasets: [{ label: t.result, data: data.groups.result, backgroundColor: red }]
      },
      options: common
    });
    make("chart-days", {
      type: "line",
      data: {
        labels: data.days.labels,
        datasets: [
          { label: t.result, data: data.days.result, borderColor: red, backgroundColor: red },
          { label: t.cumulative, data: data.days.cumulative, borderColor: grey, backgroundColor: grey }
        ]
      },
      options: common
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
