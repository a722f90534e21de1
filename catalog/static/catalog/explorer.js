/* The data explorer of an entry page: a table with per-column filters, sorting and keyset
   pages, a chart and a map, all read from the entry's row API, which applies the access
   policy to every call. Without JavaScript the page keeps its server-rendered preview and
   its CSV link; this script only adds to it. */
(function () {
  "use strict";

  var section = document.getElementById("explorer");
  var configNode = document.getElementById("explorer-config");
  if (!section || !configNode || !window.fetch) return;
  var config = JSON.parse(configNode.textContent);
  var msg = section.dataset;
  var lang = document.documentElement.lang || "zh-hans";
  var locale = lang.indexOf("zh") === 0 ? "zh-CN" : lang;
  var SVG = "http://www.w3.org/2000/svg";
  var SAMPLE = 1000; // rows read for the chart and the map (the API's largest page)
  var NUMERIC = { integer: true, decimal: true };
  var RANGED = { integer: true, decimal: true, date: true, datetime: true };

  var state = { filters: {}, ordering: "", cursors: [null], index: 0, view: "table" };
  // The latest request of each view: answers to earlier ones (a filter typed on, a sort
  // clicked twice) arrive late and are dropped.
  var latest = { table: 0, chart: 0, map: 0 };

  function current(view) {
    var token = ++latest[view];
    return function (handler) {
      return function (value) { if (token === latest[view]) return handler(value); };
    };
  }

  // ---- small helpers ---------------------------------------------------------------------

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function readable(value, type) {
    if (value === null || value === undefined) return "";
    if (typeof value === "boolean") return value ? "✓" : "✗";
    if (typeof value === "number") {
      return Math.abs(value) >= 10000 ? value.toLocaleString(locale) : String(value);
    }
    if ((type === "date" || type === "datetime") && /^\d{4}-\d\d-\d\d/.test(value)) {
      var moment = new Date(type === "date" ? value + "T00:00:00" : value);
      if (isNaN(moment.getTime())) return value;
      return type === "date"
        ? moment.toLocaleDateString(locale)
        : moment.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
    }
    return String(value);
  }

  function query(extra) {
    var params = new URLSearchParams();
    Object.keys(state.filters).forEach(function (name) {
      if (state.filters[name] !== "") params.set(name, state.filters[name]);
    });
    if (state.ordering) params.set("ordering", state.ordering);
    Object.keys(extra || {}).forEach(function (key) {
      if (extra[key] !== null && extra[key] !== undefined && extra[key] !== "") params.set(key, extra[key]);
    });
    return config.api + "?" + params.toString();
  }

  function load(extra) {
    return fetch(query(extra), {
      headers: { Accept: "application/json", "X-Portal-Explorer": "1" },
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(describe(body));
        return body;
      });
    });
  }

  function describe(body) {
    if (!body || typeof body !== "object") return "";
    if (body.detail) return String(body.detail);
    return Object.keys(body).map(function (key) {
      var value = body[key];
      return key + ": " + (Array.isArray(value) ? value.join(" ") : String(value));
    }).join("; ");
  }

  function cursorOf(next) {
    if (!next) return null;
    try { return new URL(next, window.location.href).searchParams.get("cursor"); }
    catch (e) { return null; }
  }

  // ---- the table ----------------------------------------------------------------------

  var table = section.querySelector(".explorer-table");
  var status = section.querySelector(".explorer-status");
  var pager = section.querySelector(".explorer-pager");

  function buildHead() {
    var head = table.tHead;
    var names = el("tr");
    var filters = el("tr", { "class": "explorer-filters" });
    config.fields.forEach(function (field) {
      var th = el("th", { scope: "col" });
      var button = el("button", { type: "button", "class": "sort", "data-field": field.name_en }, field.name);
      button.addEventListener("click", function () { sortBy(field.name_en); });
      th.appendChild(button);
      names.appendChild(th);
      var cell = el("td");
      if (RANGED[field.type]) {
        cell.appendChild(filterInput(field, field.name_en + "__gte", msg.msgFrom));
        cell.appendChild(filterInput(field, field.name_en + "__lte", msg.msgTo));
      } else {
        cell.appendChild(filterInput(field, field.name_en, "="));
      }
      filters.appendChild(cell);
    });
    head.appendChild(names);
    head.appendChild(filters);
  }

  function filterInput(field, param, placeholder) {
    var type = field.type === "date" ? "date" : NUMERIC[field.type] ? "number" : "text";
    var input = el("input", {
      type: type, "data-filter": param, placeholder: placeholder,
      "aria-label": field.name + " " + placeholder, step: field.type === "decimal" ? "any" : "1",
    });
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        state.filters[param] = input.value.trim();
        restart();
      }, 350);
    });
    return input;
  }

  function sortBy(name) {
    state.ordering = state.ordering === name ? "-" + name : name;
    table.querySelectorAll("button.sort").forEach(function (button) {
      var field = button.dataset.field;
      button.classList.toggle("asc", state.ordering === field);
      button.classList.toggle("desc", state.ordering === "-" + field);
      button.setAttribute("aria-sort", state.ordering === field ? "ascending"
        : state.ordering === "-" + field ? "descending" : "none");
    });
    restart();
  }

  function restart() {
    state.cursors = [null];
    state.index = 0;
    showPage();
    if (state.view === "chart") drawChart();
    if (state.view === "map") drawMap();
  }

  function showPage() {
    status.textContent = msg.msgLoading;
    var cursor = state.cursors[state.index];
    var only = current("table");
    load({ page_size: config.page_size, cursor: cursor }).then(only(function (page) {
      var body = table.tBodies[0];
      body.textContent = "";
      page.results.forEach(function (row) {
        var tr = el("tr");
        config.fields.forEach(function (field) {
          tr.appendChild(el("td", {}, readable(row.data[field.name_en], field.type)));
        });
        body.appendChild(tr);
      });
      if (!page.results.length) {
        var empty = el("td", { colspan: String(config.fields.length) }, msg.msgEmpty);
        body.appendChild(el("tr")).appendChild(empty);
      }
      var next = cursorOf(page.next);
      state.cursors = state.cursors.slice(0, state.index + 1);
      if (next) state.cursors.push(next);
      pager.querySelector("[data-page=next]").disabled = !next;
      pager.querySelector("[data-page=previous]").disabled = state.index === 0;
      pager.querySelector("[data-page=first]").disabled = state.index === 0;
      status.textContent = msg.msgStatus.replace("{page}", String(state.index + 1))
        .replace("{rows}", (config.rows || 0).toLocaleString(locale));
    })).catch(only(function (error) {
      status.textContent = msg.msgError + " " + error.message;
    }));
  }

  pager.addEventListener("click", function (event) {
    var which = event.target.dataset && event.target.dataset.page;
    if (!which) return;
    if (which === "next" && state.index + 1 < state.cursors.length) state.index += 1;
    if (which === "previous" && state.index > 0) state.index -= 1;
    if (which === "first") state.index = 0;
    showPage();
  });

  // ---- the chart ----------------------------------------------------------------------

  var chartBox = section.querySelector(".explorer-chart");
  var valueSelect = section.querySelector("[data-chart=value]");
  var categorySelect = section.querySelector("[data-chart=category]");
  var kindSelect = section.querySelector("[data-chart=kind]");

  function fillChartChoices() {
    config.fields.forEach(function (field) {
      if (NUMERIC[field.type]) valueSelect.appendChild(el("option", { value: field.name_en }, field.name));
      else categorySelect.appendChild(el("option", { value: field.name_en }, field.name));
    });
    // A date column is the natural axis of a line.
    var dated = config.fields.filter(function (f) { return f.type === "date" || f.type === "datetime"; });
    if (dated.length) { categorySelect.value = dated[0].name_en; kindSelect.value = "line"; }
    [valueSelect, categorySelect, kindSelect].forEach(function (select) {
      select.addEventListener("change", drawChart);
    });
  }

  function fieldNamed(name) {
    return config.fields.filter(function (f) { return f.name_en === name; })[0];
  }

  function drawChart() {
    var value = valueSelect.value;
    var category = categorySelect.value;
    if (!value || !category) { chartBox.textContent = msg.msgChartEmpty; return; }
    chartBox.textContent = msg.msgLoading;
    var ordering = state.ordering;
    var categoryField = fieldNamed(category);
    var timeAxis = categoryField.type === "date" || categoryField.type === "datetime";
    var only = current("chart");
    load({ page_size: SAMPLE, ordering: timeAxis && !ordering ? category : ordering }).then(only(function (page) {
      var sums = {};
      var keys = [];
      page.results.forEach(function (row) {
        var key = row.data[category];
        var amount = row.data[value];
        if (key === null || key === undefined || typeof amount !== "number") return;
        key = readable(key, categoryField.type);
        if (!(key in sums)) { sums[key] = 0; keys.push(key); }
        sums[key] += amount;
      });
      if (!timeAxis) keys.sort(function (a, b) { return sums[b] - sums[a]; });
      keys = keys.slice(0, 40);
      chartBox.textContent = "";
      if (!keys.length) { chartBox.textContent = msg.msgChartEmpty; return; }
      chartBox.appendChild(chartSvg(keys, sums, kindSelect.value, fieldNamed(value).name));
      chartBox.appendChild(el("p", { "class": "hint" }, msg.msgSample));
    })).catch(only(function (error) {
      chartBox.textContent = msg.msgError + " " + error.message;
    }));
  }

  function chartSvg(keys, sums, kind, label) {
    var width = 720, height = 320, left = 70, bottom = 90, top = 20;
    var plotW = width - left - 10, plotH = height - top - bottom;
    var values = keys.map(function (k) { return sums[k]; });
    var max = Math.max.apply(null, values.concat([0]));
    var min = Math.min.apply(null, values.concat([0]));
    var span = max - min || 1;
    var y = function (v) { return top + plotH - ((v - min) / span) * plotH; };
    var step = plotW / keys.length;
    var root = svg("svg", {
      viewBox: "0 0 " + width + " " + height, role: "img", "class": "chart chart-" + kind,
      "aria-label": label,
    });
    root.appendChild(svg("line", { x1: left, x2: width - 10, y1: y(0), y2: y(0), "class": "axis" }));
    [min, (min + max) / 2, max].forEach(function (tick) {
      root.appendChild(svg("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end", "class": "tick" },
        readable(Math.round(tick * 100) / 100, "decimal")));
    });
    var points = [];
    keys.forEach(function (key, i) {
      var x = left + i * step;
      var v = sums[key];
      if (kind === "bar") {
        var bar = svg("rect", {
          x: x + step * 0.1, width: Math.max(step * 0.8, 1),
          y: Math.min(y(v), y(0)), height: Math.abs(y(0) - y(v)), "class": "bar",
        });
        bar.appendChild(svg("title", {}, key + ": " + readable(v, "decimal")));
        root.appendChild(bar);
      } else {
        points.push((x + step / 2) + "," + y(v));
        var dot = svg("circle", { cx: x + step / 2, cy: y(v), r: 3, "class": "dot" });
        dot.appendChild(svg("title", {}, key + ": " + readable(v, "decimal")));
        root.appendChild(dot);
      }
      if (keys.length <= 20 || i % Math.ceil(keys.length / 20) === 0) {
        var lx = x + step / 2, ly = top + plotH + 12;
        root.appendChild(svg("text", {
          x: lx, y: ly, "text-anchor": "end", "class": "label",
          transform: "rotate(-40 " + lx + " " + ly + ")",
        }, key.length > 14 ? key.slice(0, 13) + "…" : key));
      }
    });
    if (kind === "line") {
      root.insertBefore(svg("polyline", { points: points.join(" "), "class": "line" }), root.firstChild);
    }
    return root;
  }

  // ---- the map ------------------------------------------------------------------------

  // A simplified outline of Shanghai's land area (longitude, latitude), enough to place points.
  var OUTLINE = [
    [121.30, 31.87], [121.60, 31.70], [121.88, 31.50], [121.97, 31.18], [121.93, 30.95],
    [121.80, 30.85], [121.55, 30.82], [121.28, 30.70], [121.05, 30.72], [120.90, 30.83],
    [120.87, 31.03], [120.90, 31.13], [121.05, 31.15], [121.12, 31.30], [121.10, 31.45],
    [121.20, 31.55], [121.30, 31.87],
  ];
  var mapBox = section.querySelector(".explorer-map");

  function drawMap() {
    if (!mapBox || !config.coordinates) return;
    var lng = config.coordinates.lng, lat = config.coordinates.lat;
    mapBox.textContent = msg.msgLoading;
    var only = current("map");
    load({ page_size: SAMPLE }).then(only(function (page) {
      var points = page.results.filter(function (row) {
        return typeof row.data[lng] === "number" && typeof row.data[lat] === "number" &&
          Math.abs(row.data[lng]) <= 180 && Math.abs(row.data[lat]) <= 90;
      });
      mapBox.textContent = "";
      if (!points.length) { mapBox.textContent = msg.msgMapEmpty; return; }
      mapBox.appendChild(mapSvg(points, lng, lat));
      mapBox.appendChild(el("p", { "class": "hint" }, msg.msgSample));
    })).catch(only(function (error) {
      mapBox.textContent = msg.msgError + " " + error.message;
    }));
  }

  function mapSvg(points, lng, lat) {
    var all = OUTLINE.map(function (p) { return { x: p[0], y: p[1] }; })
      .concat(points.map(function (row) { return { x: row.data[lng], y: row.data[lat] }; }));
    var xs = all.map(function (p) { return p.x; }), ys = all.map(function (p) { return p.y; });
    var minX = Math.min.apply(null, xs), maxX = Math.max.apply(null, xs);
    var minY = Math.min.apply(null, ys), maxY = Math.max.apply(null, ys);
    var width = 600, pad = 20;
    // Degrees of longitude are shorter than degrees of latitude away from the equator.
    var aspect = Math.cos(((minY + maxY) / 2) * Math.PI / 180);
    var scale = (width - 2 * pad) / (((maxX - minX) * aspect) || 1);
    var height = Math.min(Math.max((maxY - minY) * scale + 2 * pad, 200), 900);
    var px = function (x) { return pad + (x - minX) * aspect * scale; };
    var py = function (y) { return height - pad - (y - minY) * scale; };
    var root = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "class": "map" });
    root.appendChild(svg("polygon", {
      "class": "outline",
      points: OUTLINE.map(function (p) { return px(p[0]) + "," + py(p[1]); }).join(" "),
    }));
    var labelField = config.fields.filter(function (f) { return f.type === "string"; })[0];
    points.forEach(function (row) {
      var dot = svg("circle", { cx: px(row.data[lng]), cy: py(row.data[lat]), r: 4, "class": "point" });
      var label = labelField ? readable(row.data[labelField.name_en], "string") + " · " : "";
      dot.appendChild(svg("title", {}, label + row.data[lng] + ", " + row.data[lat]));
      root.appendChild(dot);
    });
    return root;
  }

  // ---- views --------------------------------------------------------------------------

  section.querySelector(".explorer-tabs").addEventListener("click", function (event) {
    var view = event.target.dataset && event.target.dataset.view;
    if (!view) return;
    state.view = view;
    section.querySelectorAll("[role=tab]").forEach(function (tab) {
      tab.setAttribute("aria-selected", String(tab.dataset.view === view));
    });
    section.querySelectorAll("[data-panel]").forEach(function (panel) {
      panel.hidden = panel.dataset.panel !== view;
    });
    if (view === "chart") drawChart();
    if (view === "map") drawMap();
  });

  buildHead();
  fillChartChoices();
  section.hidden = false;
  showPage();
})();
