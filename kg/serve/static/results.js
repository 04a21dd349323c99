/* The results of a query: a table (paging, sorting, a filter, labels beside IRIs),
   downloads (CSV, TSV, JSON), a chart of numeric columns and a graph of the IRIs.
   Plain JavaScript, no build step: it works whether or not the editor bundle was installed. */
(function () {
  "use strict";
  var ID_BASE = "https://w3id.org/zjkg/id/";
  var SVG = "http://www.w3.org/2000/svg";
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|nonNegativeInteger|positiveInteger|gYear)$/;
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                 "#7f7f7f", "#bcbd22", "#393b79", "#637939"];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function shortIri(iri, prefixes) {
    var best = null;
    Object.keys(prefixes).forEach(function (p) {
      var ns = prefixes[p];
      if (iri.indexOf(ns) === 0 && (!best || ns.length > prefixes[best].length)) best = p;
    });
    return best ? best + ":" + iri.slice(prefixes[best].length) : iri;
  }

  // A graph IRI opens its page here; other http(s) IRIs link to themselves; anything else
  // (a javascript: IRI in the data) links nowhere.
  function localLink(iri) {
    return iri.indexOf(ID_BASE) === 0 ? "/id/" + iri.slice(ID_BASE.length) : /^https?:/i.test(iri) ? iri : "#";
  }

  function isNumber(term) {
    return term && term.type !== "uri" && (NUMERIC.test(term.datatype || "") ||
      (!term.datatype && !term["xml:lang"] && term.value !== "" && isFinite(Number(term.value)) && /\d/.test(term.value)));
  }

  // The N-Triples form of a term (SPARQL TSV writes terms so).
  function ntriples(term) {
    if (!term) return "";
    if (term.type === "uri") return "<" + term.value + ">";
    if (term.type === "bnode") return "_:" + term.value;
    var text = '"' + term.value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t") + '"';
    if (term["xml:lang"]) return text + "@" + term["xml:lang"];
    if (term.datatype && term.datatype !== "http://www.w3.org/2001/XMLSchema#string") return text + "^^<" + term.datatype + ">";
    return text;
  }

  function csvCell(text) {
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  // Parses N-Triples (what the endpoint sends for CONSTRUCT and DESCRIBE) into s/p/o rows.
  function parseNTriples(text) {
    var term = /\s*(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?)/y;
    var rows = [];
    text.split("\n").forEach(function (line) {
      line = line.trim();
      if (!line || line[0] === "#") return;
      var parts = [], m;
      term.lastIndex = 0;
      while (parts.length < 3 && (m = term.exec(line))) parts.push(m[1]);
      if (parts.length < 3) return;
      var row = {};
      ["subject", "predicate", "object"].forEach(function (name, i) {
        var t = parts[i];
        if (t[0] === "<") row[name] = {type: "uri", value: t.slice(1, -1)};
        else if (t[0] === "_") row[name] = {type: "bnode", value: t.slice(2)};
        else {
          var close = t.lastIndexOf('"');
          var value = JSON.parse(t.slice(0, close + 1).replace(/\\'/g, "'"));
          var rest = t.slice(close + 1);
          row[name] = {type: "literal", value: value};
          if (rest[0] === "@") row[name]["xml:lang"] = rest.slice(1);
          else if (rest.indexOf("^^<") === 0) row[name].datatype = rest.slice(3, -1);
        }
      });
      rows.push(row);
    });
    return {head: {vars: ["subject", "predicate", "object"]}, results: {bindings: rows}};
  }

  function Results(root, options) {
    this.root = root;
    this.prefixes = options.prefixes || {};
    this.fetchLabels = options.fetchLabels;
    this.labels = {};
    this.state = {sort: null, desc: false, filter: "", page: 0, pageSize: 25, view: "table"};
    this.build();
  }

  Results.prototype.build = function () {
    var self = this;
    this.root.innerHTML = "";
    this.toolbar = el("div", {className: "results-toolbar", hidden: ""});
    this.tabs = {};
    ["table", "chart", "graph"].forEach(function (view) {
      var names = {table: "表格 Table", chart: "图表 Chart", graph: "关系图 Graph"};
      var button = el("button", {type: "button", className: "tab", id: "view-" + view, text: names[view]});
      button.addEventListener("click", function () { self.setView(view); });
      self.tabs[view] = button;
      self.toolbar.appendChild(button);
    });
    this.filter = el("input", {type: "search", id: "results-filter", placeholder: "筛选 Filter rows", "aria-label": "Filter rows"});
    this.filter.addEventListener("input", function () { self.state.filter = self.filter.value; self.state.page = 0; self.render(); });
    this.toolbar.appendChild(this.filter);
    this.count = el("span", {id: "results-count", className: "count"});
    this.toolbar.appendChild(this.count);
    var downloads = el("span", {className: "downloads"}, ["下载 Download: "]);
    ["csv", "tsv", "json"].forEach(function (format) {
      var button = el("button", {type: "button", id: "download-" + format, text: format.toUpperCase(),
                                 title: "the rows the filter keeps, in the order shown"});
      button.addEventListener("click", function () { self.download(format); });
      downloads.appendChild(button);
    });
    this.toolbar.appendChild(downloads);
    this.root.appendChild(this.toolbar);
    this.tableView = el("div", {id: "table-view"});
    this.chartView = el("div", {id: "chart-view", hidden: ""});
    this.graphView = el("div", {id: "graph-view", hidden: ""});
    this.root.appendChild(this.tableView);
    this.root.appendChild(this.chartView);
    this.root.appendChild(this.graphView);
  };

  Results.prototype.clear = function () {
    this.data = null;
    this.toolbar.hidden = true;
    this.tableView.innerHTML = "";
    this.chartView.innerHTML = "";
    this.graphView.innerHTML = "";
    if (this.network) { this.network.destroy(); this.network = null; }
  };

  // data: SPARQL 1.1 results JSON ({head: {vars}, results: {bindings}}) or N-Triples text.
  Results.prototype.show = function (data, kind) {
    this.clear();
    if (typeof data === "string") data = parseNTriples(data);
    this.kind = kind || "select";
    this.vars = data.head.vars || [];
    this.rows = data.results.bindings;
    this.data = data;
    this.state.sort = null; this.state.page = 0; this.state.filter = ""; this.filter.value = "";
    this.toolbar.hidden = false;
    var chartable = this.chartSpec() !== null;
    this.tabs.chart.disabled = !chartable;
    this.tabs.chart.title = chartable ? "" : "no numeric column to chart";
    this.tabs.graph.disabled = !this.hasIris();
    if (this.state.view === "chart" && !chartable) this.state.view = "table";
    this.setView(this.state.view);
    this.loadLabels();
  };

  Results.prototype.hasIris = function () {
    return this.rows.some(function (row) { return Object.keys(row).some(function (k) { return row[k].type === "uri"; }); });
  };

  Results.prototype.loadLabels = function () {
    var self = this, wanted = {};
    this.rows.forEach(function (row) {
      Object.keys(row).forEach(function (k) { if (row[k].type === "uri" && !(row[k].value in self.labels)) wanted[row[k].value] = 1; });
    });
    var iris = Object.keys(wanted).slice(0, 2000);
    if (!iris.length || !this.fetchLabels) return;
    var data = this.data;
    this.fetchLabels(iris).then(function (found) {
      iris.forEach(function (iri) { self.labels[iri] = found[iri] || null; });
      if (self.data === data) self.render();
    }).catch(function () { /* labels are a help, not a need */ });
  };

  Results.prototype.label = function (iri) {
    var found = this.labels[iri];
    return found ? (found.zh || found.en || "") : "";
  };

  Results.prototype.text = function (term) {
    if (!term) return "";
    return term.type === "uri" ? (this.label(term.value) + " " + term.value) : term.value;
  };

  Results.prototype.setView = function (view) {
    this.state.view = view;
    var self = this;
    Object.keys(this.tabs).forEach(function (v) { self.tabs[v].classList.toggle("active", v === view); });
    this.tableView.hidden = view !== "table";
    this.chartView.hidden = view !== "chart";
    this.graphView.hidden = view !== "graph";
    this.render();
  };

  // The rows the filter keeps, in the order chosen.
  Results.prototype.visibleRows = function () {
    var self = this, needle = this.state.filter.trim().toLowerCase(), rows = this.rows;
    if (needle) {
      rows = rows.filter(function (row) {
        return self.vars.some(function (v) { return self.text(row[v]).toLowerCase().indexOf(needle) >= 0; });
      });
    }
    if (this.state.sort !== null) {
      var v = this.state.sort, sign = this.state.desc ? -1 : 1;
      rows = rows.map(function (row, i) { return [row, i]; }).sort(function (a, b) {
        var x = a[0][v], y = b[0][v];
        if (!x || !y) return (!x && !y) ? a[1] - b[1] : (!x ? 1 : -1);      // unbound last
        var c = (isNumber(x) && isNumber(y)) ? Number(x.value) - Number(y.value)
          : (self.label(x.value) || x.value).localeCompare(self.label(y.value) || y.value, "zh");
        return c ? sign * c : a[1] - b[1];
      }).map(function (pair) { return pair[0]; });
    }
    return rows;
  };

  Results.prototype.render = function () {
    if (!this.data) return;
    var rows = this.visibleRows();
    this.count.textContent = rows.length === this.rows.length
      ? this.rows.length + (this.rows.length === 1 ? " row" : " rows")
      : rows.length + " of " + this.rows.length + " rows";
    if (this.state.view === "table") this.renderTable(rows);
    else if (this.state.view === "chart") this.renderChart(rows);
    else this.renderGraph(rows);
  };

  Results.prototype.cell = function (term) {
    if (!term) return el("td");
    if (term.type === "uri") {
      var label = this.label(term.value);
      var link = el("a", {href: localLink(term.value), text: label || shortIri(term.value, this.prefixes)});
      var td = el("td", {className: "uri"}, [link]);
      if (label) td.appendChild(el("code", {className: "iri", text: shortIri(term.value, this.prefixes), title: term.value}));
      return td;
    }
    var cell = el("td", {className: isNumber(term) ? "num" : "", text: term.value});
    if (term["xml:lang"]) cell.appendChild(el("small", {className: "lang", text: "@" + term["xml:lang"]}));
    return cell;
  };

  Results.prototype.renderTable = function (rows) {
    var self = this, state = this.state;
    this.tableView.innerHTML = "";
    var pages = Math.max(1, Math.ceil(rows.length / state.pageSize));
    state.page = Math.min(state.page, pages - 1);
    var table = el("table", {id: "results", className: "results"});
    var head = el("tr");
    this.vars.forEach(function (v) {
      var mark = state.sort === v ? (state.desc ? " ▼" : " ▲") : "";
      var th = el("th", {"data-var": v, title: "sort by ?" + v, text: v + mark, "aria-sort": state.sort === v ? (state.desc ? "descending" : "ascending") : "none"});
      th.addEventListener("click", function () {
        if (state.sort === v) { if (state.desc) { state.sort = null; state.desc = false; } else state.desc = true; }
        else { state.sort = v; state.desc = false; }
        state.page = 0;
        self.render();
      });
      head.appendChild(th);
    });
    table.appendChild(el("thead", {}, [head]));
    var body = el("tbody");
    rows.slice(state.page * state.pageSize, (state.page + 1) * state.pageSize).forEach(function (row) {
      var tr = el("tr", {className: "row"});
      self.vars.forEach(function (v) { tr.appendChild(self.cell(row[v])); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    if (this.kind === "ask") {
      this.tableView.appendChild(el("p", {className: "ask", text: "ASK → " + this.data.boolean}));
      return;
    }
    if (!rows.length) {
      this.tableView.appendChild(el("p", {className: "empty", text: this.rows.length ? "No row matches the filter." : "No results."}));
    }
    this.tableView.appendChild(table);
    var pager = el("div", {className: "pager", id: "pager"});
    function go(label, page, id) {
      var b = el("button", {type: "button", id: id, text: label});
      b.disabled = page < 0 || page >= pages || page === state.page;
      b.addEventListener("click", function () { state.page = page; self.render(); });
      pager.appendChild(b);
    }
    go("«", 0, "page-first"); go("‹", state.page - 1, "page-prev");
    pager.appendChild(el("span", {id: "page-info", text: "page " + (state.page + 1) + " of " + pages}));
    go("›", state.page + 1, "page-next"); go("»", pages - 1, "page-last");
    var size = el("select", {id: "page-size", "aria-label": "rows per page"});
    [10, 25, 50, 100, 500].forEach(function (n) {
      var o = el("option", {value: String(n), text: n + " / page"});
      if (n === state.pageSize) o.selected = true;
      size.appendChild(o);
    });
    size.addEventListener("change", function () { state.pageSize = Number(size.value); state.page = 0; self.render(); });
    pager.appendChild(size);
    this.tableView.appendChild(pager);
  };

  Results.prototype.download = function (format) {
    var self = this, rows = this.visibleRows(), text, type;
    if (format === "json") {
      text = JSON.stringify({head: {vars: this.vars}, results: {bindings: rows}}, null, 2);
      type = "application/sparql-results+json";
    } else if (format === "tsv") {
      text = ["?" + this.vars.join("\t?")].concat(rows.map(function (row) {
        return self.vars.map(function (v) { return ntriples(row[v]); }).join("\t");
      })).join("\n") + "\n";
      type = "text/tab-separated-values";
    } else {
      text = [this.vars.map(csvCell).join(",")].concat(rows.map(function (row) {
        return self.vars.map(function (v) { return csvCell(row[v] ? row[v].value : ""); }).join(",");
      })).join("\r\n") + "\r\n";
      type = "text/csv";
    }
    var url = URL.createObjectURL(new Blob([text], {type: type + ";charset=utf-8"}));
    var a = el("a", {href: url, download: "kg-results." + format});
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  };

  // ------------------------------------------------------------------ the chart
  // Which columns to draw: y a numeric column; x a year-like one (a line chart) or else a
  // text column (bars); series a column with a few distinct values.
  Results.prototype.chartSpec = function (rows) {
    rows = rows || this.rows;
    var self = this;
    var numeric = this.vars.filter(function (v) {
      var bound = rows.filter(function (r) { return r[v]; });
      return bound.length && bound.every(function (r) { return isNumber(r[v]); });
    });
    if (!numeric.length) return null;
    var yearLike = numeric.concat(this.vars).filter(function (v) {
      if (/year|年/i.test(v) && numeric.indexOf(v) >= 0) return true;
      var bound = rows.filter(function (r) { return r[v]; });
      return numeric.indexOf(v) >= 0 && bound.length && bound.every(function (r) {
        var n = Number(r[v].value); return Number.isInteger(n) && n >= 1900 && n <= 2100;
      });
    })[0];
    var y = numeric.filter(function (v) { return v !== yearLike; })[0];
    if (!y) return null;
    var texts = this.vars.filter(function (v) { return numeric.indexOf(v) < 0; });
    var distinct = function (v) { var seen = {}; rows.forEach(function (r) { if (r[v]) seen[self.text(r[v])] = 1; }); return Object.keys(seen).length; };
    var x = yearLike || texts[0];
    if (!x) return null;
    var series = texts.filter(function (v) { return v !== x && distinct(v) >= 2 && distinct(v) <= PALETTE.length; })[0] || null;
    return {x: x, y: y, series: series, line: !!yearLike};
  };

  Results.prototype.renderChart = function (rows) {
    var self = this;
    this.chartView.innerHTML = "";
    var spec = this.chartSpec(rows.length ? rows : this.rows);
    if (!spec || !rows.length) { this.chartView.appendChild(el("p", {text: "Nothing to chart."})); return; }
    var caption = el("p", {className: "chart-caption", id: "chart-caption",
      text: "?" + spec.y + " by ?" + spec.x + (spec.series ? ", one series per ?" + spec.series : "") +
            (spec.line ? " (line)" : " (bars)")});
    this.chartView.appendChild(caption);
    var name = function (term) { return term ? (term.type === "uri" ? (self.label(term.value) || shortIri(term.value, self.prefixes)) : term.value) : ""; };
    var points = rows.filter(function (r) { return r[spec.x] && r[spec.y]; }).map(function (r) {
      return {x: spec.line ? Number(r[spec.x].value) : name(r[spec.x]), y: Number(r[spec.y].value), s: spec.series ? name(r[spec.series]) : ""};
    });
    var seriesNames = [];
    points.forEach(function (p) { if (seriesNames.indexOf(p.s) < 0) seriesNames.push(p.s); });
    var categories = [];
    points.forEach(function (p) { if (categories.indexOf(p.x) < 0) categories.push(p.x); });
    if (spec.line) categories.sort(function (a, b) { return a - b; });
    else categories = categories.slice(0, 60);
    var W = 860, H = 380, L = 70, R = 20, T = 20, B = spec.line ? 40 : 110;
    var ys = points.map(function (p) { return p.y; });
    var lo = Math.min(0, Math.min.apply(null, ys)), hi = Math.max.apply(null, ys);
    if (hi === lo) hi = lo + 1;
    var chart = svg("svg", {id: "chart", width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img"});
    var yAt = function (v) { return T + (H - T - B) * (1 - (v - lo) / (hi - lo)); };
    var xAt;
    if (spec.line) {
      var x0 = categories[0], x1 = categories[categories.length - 1];
      xAt = function (v) { return x1 === x0 ? (L + W - R) / 2 : L + (W - L - R) * (v - x0) / (x1 - x0); };
    } else {
      var band = (W - L - R) / Math.max(1, categories.length);
      xAt = function (v) { return L + band * (categories.indexOf(v) + 0.5); };
    }
    for (var i = 0; i <= 5; i++) {
      var v = lo + (hi - lo) * i / 5, yy = yAt(v);
      chart.appendChild(svg("line", {x1: L, x2: W - R, y1: yy, y2: yy, stroke: "#e3e3e3"}));
      chart.appendChild(svg("text", {x: L - 6, y: yy + 4, "text-anchor": "end", "font-size": 11}, String(Math.round(v * 100) / 100)));
    }
    chart.appendChild(svg("line", {x1: L, x2: W - R, y1: yAt(lo), y2: yAt(lo), stroke: "#555"}));
    categories.forEach(function (c) {
      var label = svg("text", {x: xAt(c), y: H - B + 16, "text-anchor": spec.line ? "middle" : "end", "font-size": 11,
        transform: spec.line ? "" : "rotate(-40 " + xAt(c) + " " + (H - B + 16) + ")"}, String(c).slice(0, 16));
      chart.appendChild(label);
    });
    seriesNames.forEach(function (s, k) {
      var color = PALETTE[k % PALETTE.length];
      var mine = points.filter(function (p) { return p.s === s && categories.indexOf(p.x) >= 0; });
      if (spec.line) {
        mine.sort(function (a, b) { return a.x - b.x; });
        chart.appendChild(svg("polyline", {fill: "none", stroke: color, "stroke-width": 2,
          points: mine.map(function (p) { return xAt(p.x) + "," + yAt(p.y); }).join(" ")}));
        mine.forEach(function (p) {
          var dot = svg("circle", {cx: xAt(p.x), cy: yAt(p.y), r: 4, fill: color, "class": "point"});
          dot.appendChild(svg("title", {}, (s ? s + " · " : "") + p.x + ": " + p.y));
          chart.appendChild(dot);
        });
      } else {
        var width = (W - L - R) / Math.max(1, categories.length) * 0.8 / seriesNames.length;
        mine.forEach(function (p) {
          var x = xAt(p.x) - width * seriesNames.length / 2 + width * k;
          var bar = svg("rect", {x: x, y: Math.min(yAt(p.y), yAt(0)), width: Math.max(1, width), height: Math.abs(yAt(0) - yAt(p.y)), fill: color, "class": "point"});
          bar.appendChild(svg("title", {}, (s ? s + " · " : "") + p.x + ": " + p.y));
          chart.appendChild(bar);
        });
      }
    });
    this.chartView.appendChild(chart);
    if (spec.series) {
      var legend = el("div", {className: "legend"});
      seriesNames.forEach(function (s, k) {
        legend.appendChild(el("span", {}, [el("i", {style: "background:" + PALETTE[k % PALETTE.length]}), s]));
      });
      this.chartView.appendChild(legend);
    }
  };

  // ------------------------------------------------------------------ the graph
  Results.prototype.renderGraph = function (rows) {
    var self = this, view = this.graphView;
    if (typeof vis === "undefined") {
      view.innerHTML = "";
      view.appendChild(el("p", {text: "loading the graph view…"}));
      var script = el("script", {src: "/static/vis-network.min.js"});
      script.onload = function () { self.render(); };
      script.onerror = function () { view.textContent = "The graph view's library (vis-network) could not be loaded."; };
      document.head.appendChild(script);
      return;
    }
    view.innerHTML = "";
    var nodes = {}, edges = [], nodeCount = 0;
    var node = function (term) {
      var key = term.type + ":" + term.value;
      if (!(key in nodes)) {
        if (nodeCount >= 500) return null;
        nodeCount++;
        var label = term.type === "uri" ? (self.label(term.value) || shortIri(term.value, self.prefixes)) : term.value;
        nodes[key] = {id: key, label: label.length > 24 ? label.slice(0, 23) + "…" : label, title: term.value,
                      shape: term.type === "uri" ? "dot" : "box", iri: term.type === "uri" ? term.value : null,
                      color: term.type === "uri" ? "#4a79a8" : "#eeeeee", font: {face: "KG Sans, sans-serif"}};
      }
      return key;
    };
    rows.forEach(function (row) {
      if (self.kind === "graph") {
        var s = node(row.subject), o = node(row.object);
        if (s && o) edges.push({from: s, to: o, label: shortIri(row.predicate.value, self.prefixes), arrows: "to"});
        return;
      }
      // the row's first IRI is what the row is about: an edge from it to each other IRI, named by the column
      var anchor = null;
      self.vars.forEach(function (v) {
        if (!row[v] || row[v].type !== "uri") return;
        var key = node(row[v]);
        if (anchor === null) anchor = key;
        else if (key && anchor && anchor !== key) edges.push({from: anchor, to: key, label: v, arrows: "to"});
      });
    });
    var box = el("div", {id: "graph", style: "height: 520px; border: 1px solid #ddd"});
    view.appendChild(el("p", {className: "hint", text: nodeCount + " nodes · double-click a node to open its page"}));
    view.appendChild(box);
    this.network = new vis.Network(box, {nodes: new vis.DataSet(Object.values(nodes)), edges: new vis.DataSet(edges)},
      {physics: {stabilization: {iterations: 200}}, edges: {font: {size: 10, align: "middle"}, color: "#999", smooth: false}});
    this.network.on("doubleClick", function (event) {
      var picked = event.nodes.length && nodes[event.nodes[0]];
      if (picked && picked.iri) window.location.href = localLink(picked.iri);
    });
  };

  window.KGResults = {Results: Results, parseNTriples: parseNTriples, shortIri: shortIri, localLink: localLink};
})();
