// Bulk import with a progress bar: sends the form with fetch, asking for NDJSON, and reads
// the progress events line by line as the server checks the rows. Without JavaScript the form
// posts normally and the page shows the outcome.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.fetch || !window.TextDecoder) return;
  var box = document.getElementById("import-progress");
  var bar = document.getElementById("import-bar");
  var count = document.getElementById("import-count");
  var outcome = document.getElementById("import-outcome");
  var text = document.getElementById("import-messages").dataset;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function notice(message, kind) {
    var p = document.createElement("p");
    p.className = "notice " + (kind || "");
    p.textContent = message;
    outcome.appendChild(p);
  }

  function errorTable(errors) {
    var table = document.createElement("table");
    table.className = "import-errors";
    var head = table.createTHead().insertRow();
    [text.row, text.column, text.problem].forEach(function (label) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      head.appendChild(th);
    });
    var body = table.createTBody();
    errors.forEach(function (error) {
      var tr = body.insertRow();
      [error.row, error.column || "—", error.message].forEach(function (value) {
        tr.insertCell().textContent = value;
      });
    });
    outcome.appendChild(table);
  }

  function handle(event) {
    if (event.event === "job") {
      window.location.assign(event.url);  // a large file: follow its background job
    } else if (event.event === "start") {
      bar.max = Math.max(event.total, 1);
    } else if (event.event === "progress") {
      bar.value = event.done;
      count.textContent = event.done + " / " + event.total;
    } else if (event.event === "refused") {
      notice(event.message, "error");
    } else if (event.event === "done") {
      if (event.committed) {
        notice(fill(text.committed, event), "success");
      } else if (event.errors.length) {
        notice(fill(text.failed, { n: event.errors.length }), "error");
        errorTable(event.errors);
      } else {
        notice(fill(text.dry, event));
      }
    }
  }

  form.addEventListener("submit", function (submit) {
    submit.preventDefault();
    outcome.textContent = "";
    box.hidden = false;
    bar.removeAttribute("value");
    count.textContent = "";
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/x-ndjson", "X-CSRFToken": token },
      credentials: "same-origin"
    }).then(function (response) {
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffered = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) return;
          buffered += decoder.decode(chunk.value, { stream: true });
          var lines = buffered.split("\n");
          buffered = lines.pop();
          lines.filter(Boolean).forEach(function (line) { handle(JSON.parse(line)); });
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      notice(text.network, "error");
    }).then(function () {
      button.disabled = false;
    });
  });
})();
