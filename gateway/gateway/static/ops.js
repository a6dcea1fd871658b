// Driftsoversikt: refreshes the status table in place; can be paused (WCAG 2.2.2).
(function () {
  "use strict";
  var controls = document.getElementById("ops-controls");
  var button = document.getElementById("ops-pause");
  var announce = document.getElementById("ops-announce");
  if (!controls || !button || !announce || !window.fetch || !window.DOMParser) {
    return;
  }
  var period = (parseInt(controls.getAttribute("data-refresh-seconds"), 10) || 10) * 1000;
  var paused = false;
  var timer = null;

  function summaryOf(element) {
    var summary = element && element.querySelector(".summary");
    return summary ? summary.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function schedule() {
    window.clearTimeout(timer);
    if (!paused) {
      timer = window.setTimeout(refresh, period);
    }
  }

  function refresh() {
    fetch("/ops/status", { cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("ops-status");
        var current = document.getElementById("ops-status");
        if (fresh && current) {
          var before = summaryOf(current);
          current.replaceWith(document.importNode(fresh, true));
          var after = summaryOf(fresh);
          if (after !== before) {
            announce.textContent = after;
          }
        }
      })
      .catch(function () {
        announce.textContent = "Kunne ikke oppdatere driftsoversikten. Prøver igjen.";
      })
      .then(schedule);
  }

  button.hidden = false;
  button.addEventListener("click", function () {
    paused = !paused;
    button.setAttribute("aria-pressed", paused ? "true" : "false");
    if (paused) {
      window.clearTimeout(timer);
    } else {
      refresh();
    }
  });
  schedule();
})();
