/* The query page: the editor (CodeMirror from the bundle, else a plain textarea), the
   named queries with their parameters, running (button or Ctrl-Enter), the query in the
   URL, errors that replace the results. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("kg-config").textContent);
  var textarea = document.getElementById("query");
  var status = document.getElementById("status");
  var named = {};
  var current = null;       // the named query chosen, while its text is unchanged
  var running = null;

  function searchTerms(text, namespace) {
    var url = "/api/search?limit=8&q=" + encodeURIComponent(text) + (namespace ? "&namespace=" + encodeURIComponent(namespace) : "");
    return fetch(url).then(function (r) { return r.ok ? r.json() : []; }).catch(function () { return []; });
  }

  // The textarea itself, where the bundle is missing: Ctrl-Enter still runs.
  function plainEditor(area) {
    area.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey || event.shiftKey)) { event.preventDefault(); run(); }
    });
    return {kind: "textarea", getValue: function () { return area.value; },
            setValue: function (text) { area.value = text; }, focus: function () { area.focus(); },
            markError: function () {}, clearError: function () {}};
  }

  var editor = window.KGEditor
    ? window.KGEditor.create(textarea, {vocabulary: config.vocabulary, search: searchTerms, onRun: function () { run(); }})
    : plainEditor(textarea);
  document.body.setAttribute("data-editor", editor.kind);

  var results = new window.KGResults.Results(document.getElementById("results-area"), {
    prefixes: config.vocabulary.prefixes,
    fetchLabels: function (iris) {
      return fetch("/api/labels", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(iris)})
        .then(function (r) { return r.ok ? r.json() : {}; });
    },
  });

  function setStatus(text, kind) {
    status.className = kind || "";
    status.textContent = text;
  }

  function paramValues() {
    var values = {};
    document.querySelectorAll("#params input").forEach(function (input) { if (input.value.trim()) values[input.name] = input.value.trim(); });
    return values;
  }

  // The query (or the named query and its parameters) in the address, so it can be shared.
  function remember() {
    var params = new URLSearchParams();
    if (current) {
      params.set("name", current);
      var values = paramValues();
      Object.keys(values).forEach(function (k) { params.set(k, values[k]); });
    } else {
      params.set("query", editor.getValue());
    }
    params.set("view", results.state.view);
    history.replaceState(null, "", "?" + params.toString());
  }

  function run() {
    var text = editor.getValue();
    if (current && text !== named[current].text) current = null;     // edited: run the text as it is
    if (!text.trim()) { setStatus("Write a query first.", "error"); return; }
    if (running) running.abort();
    running = new AbortController();
    results.clear();                 // old results never stay under a new answer or an error
    editor.clearError();
    setStatus("正在查询 running…", "running");
    remember();
    var started = performance.now();
    var accept = "application/sparql-results+json, application/n-triples;q=0.9";
    var request = current
      ? fetch("/api/named/" + encodeURIComponent(current) + "?" + new URLSearchParams(paramValues()).toString(),
              {headers: {Accept: accept}, signal: running.signal})
      : fetch("/sparql", {method: "POST", headers: {"Content-Type": "application/sparql-query", Accept: accept},
                          body: text, signal: running.signal});
    request.then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return response.text().then(function (body) {
        var seconds = ((performance.now() - started) / 1000).toFixed(2);
        if (!response.ok) { fail(response.status, body); return; }
        if (type.indexOf("json") >= 0) {
          var data = JSON.parse(body);
          results.show(data, data.boolean !== undefined ? "ask" : "select");
          var n = data.boolean !== undefined ? null : data.results.bindings.length;
          setStatus(n === null ? "ASK answered in " + seconds + " s" : n + (n === 1 ? " row" : " rows") + " in " + seconds + " s", "ok");
        } else {
          results.show(body, "graph");
          var triples = results.rows.length;
          setStatus(triples + (triples === 1 ? " triple" : " triples") + " in " + seconds + " s", "ok");
        }
      });
    }).catch(function (error) {
      if (error.name !== "AbortError") fail(0, "The server could not be reached: " + error.message);
    });
  }

  function fail(code, message) {
    results.clear();
    var text = message.trim();
    setStatus((code ? "Error " + code + ": " : "") + text, "error");
    var at = /line (\d+), column (\d+)/.exec(text);
    if (at && !current) editor.markError(Number(at[1]), Number(at[2]), text);
  }

  function choose(name, values) {
    current = name || null;
    var box = document.getElementById("params");
    box.innerHTML = "";
    document.getElementById("examples").value = name || "";
    if (!current) return;
    var query = named[current];
    editor.setValue(query.text);
    document.getElementById("example-description").textContent = query.description;
    query.params.forEach(function (p) {
      var label = document.createElement("label");
      label.textContent = p.name + " ";
      var input = document.createElement("input");
      input.name = p.name;
      input.placeholder = p.description;
      input.value = (values && values[p.name]) || "";
      input.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); run(); } });
      label.appendChild(input);
      box.appendChild(label);
    });
  }

  config.examples.forEach(function (q) {
    named[q.name] = q;
    var option = document.createElement("option");
    option.value = q.name;
    option.textContent = q.title;
    document.getElementById("examples").appendChild(option);
  });
  document.getElementById("examples").addEventListener("change", function (event) { choose(event.target.value); });
  document.getElementById("run").addEventListener("click", run);
  document.querySelectorAll(".results-toolbar .tab").forEach(function (tab) {
    tab.addEventListener("click", function () { if (results.data) remember(); });
  });

  // A shared address: ?query=… or ?name=…&param=…, and the view; run it at once.
  var address = new URLSearchParams(window.location.search);
  if (address.get("view")) results.state.view = address.get("view");
  if (address.get("name") && named[address.get("name")]) {
    var values = {};
    address.forEach(function (value, key) { if (key !== "name" && key !== "view") values[key] = value; });
    choose(address.get("name"), values);
    run();
  } else if (address.get("query")) {
    editor.setValue(address.get("query"));
    run();
  }
  window.kgQueryPage = {editor: editor, results: results, run: run};
})();
