// The job page's progress: asks the job's status URL every two seconds and updates the bar;
// when the job has finished, reloads the page once to show the download or the error.
// Without JavaScript the page refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "1" || !window.fetch) return;
  var bar = document.getElementById("job-bar");
  var count = document.getElementById("job-count");
  var state = document.getElementById("job-state");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.finished) { window.location.reload(); return; }
        bar.max = Math.max(status.total, 1);
        bar.value = status.done;
        count.textContent = status.total ? status.done + " / " + status.total : "";
        state.textContent = status.state_label;
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
