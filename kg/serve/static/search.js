/* The search box in the page header: names and aliases, Chinese or English, fuzzy (the
   server ranks them, /api/search); Enter or a click opens the entity's page. */
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  var list = document.getElementById("site-search-hits");
  if (!input || !list) return;
  var hits = [], chosen = -1, timer = null, asked = 0;

  function link(iri) {
    var base = "https://w3id.org/zjkg/id/";
    return iri.indexOf(base) === 0 ? "/id/" + iri.slice(base.length) : /^https?:/i.test(iri) ? iri : "#";
  }

  function show() {
    list.innerHTML = "";
    hits.forEach(function (hit, i) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.className = i === chosen ? "chosen" : "";
      var a = document.createElement("a");
      a.href = link(hit.iri);
      a.textContent = hit.label;
      item.appendChild(a);
      var note = document.createElement("small");
      note.textContent = " " + [hit.en, hit.cls, hit.matched !== hit.label ? "“" + hit.matched + "”" : ""].filter(Boolean).join(" · ");
      item.appendChild(note);
      item.addEventListener("mousedown", function (event) { event.preventDefault(); window.location.href = a.href; });
      list.appendChild(item);
    });
    list.hidden = hits.length === 0;
  }

  function ask() {
    var text = input.value.trim(), mine = ++asked;
    if (!text) { hits = []; show(); return; }
    fetch("/api/search?limit=10&q=" + encodeURIComponent(text)).then(function (r) { return r.json(); }).then(function (found) {
      if (mine !== asked) return;           // an older answer arriving late
      hits = found; chosen = found.length ? 0 : -1; show();
    }).catch(function () {});
  }

  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 120); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!hits.length) return;
      chosen = (chosen + (event.key === "ArrowDown" ? 1 : hits.length - 1)) % hits.length;
      show();
    } else if (event.key === "Enter" && chosen >= 0 && hits[chosen]) {
      event.preventDefault();
      window.location.href = link(hits[chosen].iri);
    } else if (event.key === "Escape") {
      hits = []; show();
    }
  });
  input.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 150); });
  input.addEventListener("focus", function () { if (hits.length) list.hidden = false; });
})();
