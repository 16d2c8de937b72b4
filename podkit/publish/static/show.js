/* podkit show page: search every episode's transcript in the browser, from search.json
   (search.json.gz where the browser inflates gzip itself). The index is fetched when the
   listener first uses the search box, never on page load.
   Results link to the moment: episodes/<slug>/#t=<start>. */
(function () {
  "use strict";
  var form = document.getElementById("show-search");
  if (!form || !window.fetch) { return; }
  form.hidden = false;
  var box = document.getElementById("q");
  var list = document.getElementById("results");
  var count = document.getElementById("results-count");
  var LIMIT = 50, loading = null, index = null, timer = 0;

  function fold(s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }

  // search.json: {"version": 1, "key", "episodes": [{"slug", "title", "date", "paragraphs": [[start, text], ...]}]}
  function prepare(data) {
    var items = [];
    (data.episodes || []).forEach(function (ep) {
      (ep.paragraphs || []).forEach(function (p) {
        items.push({ slug: ep.slug, title: ep.title, start: p[0], text: p[1], folded: fold(p[1]) });
      });
    });
    return items;
  }
  function fetchJSON(url) {
    return fetch(url).then(function (r) { if (!r.ok) { throw new Error(r.status); } return r; });
  }
  // search.json.gz where the browser can inflate it (a quarter of the bytes on any host), else
  // (or when that fails: a host that already inflated it, say) search.json.
  function fetchIndex() {
    if (!window.DecompressionStream) { return fetchJSON("search.json").then(function (r) { return r.json(); }); }
    return fetchJSON("search.json.gz")
      .then(function (r) { return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).json(); })
      .catch(function () { return fetchJSON("search.json").then(function (r) { return r.json(); }); });
  }
  function load() {
    if (!loading) {
      loading = fetchIndex()
        .then(function (data) { index = prepare(data); return index; });
      loading.catch(function () { loading = null; count.textContent = "The search index could not be loaded."; });
    }
    return loading;
  }

  // Paragraphs holding every word of the query; those holding it as a phrase first.
  function query(items, q) {
    var phrase = fold(q).replace(/\s+/g, " ").trim();
    var terms = phrase.split(" ").filter(Boolean);
    if (!terms.length) { return []; }
    var exact = [], loose = [];
    for (var i = 0; i < items.length; i++) {
      var text = items[i].folded, all = true;
      for (var k = 0; k < terms.length; k++) {
        if (text.indexOf(terms[k]) < 0) { all = false; break; }
      }
      if (!all) { continue; }
      (text.indexOf(phrase) >= 0 ? exact : loose).push(items[i]);
    }
    return { hits: exact.concat(loose), terms: terms, phrase: phrase };
  }

  function clock(t) {
    t = Math.max(0, Math.floor(t));
    var h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
    var two = function (x) { return (x < 10 ? "0" : "") + x; };
    return (h ? two(h) + ":" : "") + two(m) + ":" + two(s);
  }
  function moment(t) {
    var tenths = Math.floor(t * 10);
    return tenths % 10 ? (tenths / 10).toFixed(1) : String(tenths / 10);
  }

  // A stretch of the paragraph around the first match, the query's words marked (DOM text only).
  function snippet(item, terms, phrase) {
    var text = item.text, folded = item.folded;
    var at = folded.indexOf(phrase);
    if (at < 0) { at = folded.indexOf(terms[0]); }
    var from = Math.max(0, at - 80), to = Math.min(text.length, at + 180);
    if (from > 0) { var sp = text.indexOf(" ", from); if (sp > 0 && sp < at) { from = sp + 1; } }
    if (to < text.length) { var end = text.lastIndexOf(" ", to); if (end > at) { to = end; } }
    var p = document.createElement("p");
    var piece = text.slice(from, to), low = folded.slice(from, to);
    var same = folded.length === text.length; // marks only where folding kept the positions
    var spans = [];
    if (same) {
      terms.concat(phrase.indexOf(" ") > 0 ? [phrase] : []).forEach(function (term) {
        var pos = low.indexOf(term);
        while (pos >= 0) { spans.push([pos, pos + term.length]); pos = low.indexOf(term, pos + term.length); }
      });
      spans.sort(function (a, b) { return a[0] - b[0]; });
    }
    var cursor = 0;
    if (from > 0) { p.appendChild(document.createTextNode("…")); }
    spans.forEach(function (s) {
      if (s[0] < cursor) { return; }
      p.appendChild(document.createTextNode(piece.slice(cursor, s[0])));
      var m = document.createElement("mark");
      m.textContent = piece.slice(s[0], s[1]);
      p.appendChild(m);
      cursor = s[1];
    });
    p.appendChild(document.createTextNode(piece.slice(cursor) + (to < text.length ? "…" : "")));
    return p;
  }

  function show(result) {
    list.textContent = "";
    var hits = result.hits || [];
    hits.slice(0, LIMIT).forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "episodes/" + encodeURIComponent(item.slug) + "/#t=" + moment(item.start);
      a.textContent = item.title + " · " + clock(item.start);
      li.appendChild(a);
      li.appendChild(snippet(item, result.terms, result.phrase));
      list.appendChild(li);
    });
    var total = hits.length;
    count.textContent = total === 0 ? "No results." :
      total + (total === 1 ? " result" : " results") + (total > LIMIT ? " (the first " + LIMIT + " shown)" : "");
  }

  function run() {
    var q = box.value.trim();
    if (!q) { list.textContent = ""; count.textContent = ""; return; }
    load().then(function (items) { if (box.value.trim() === q) { show(query(items, q)); } });
  }
  box.addEventListener("focus", load);
  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 120);
  });
  window.podkitSearch = { load: load, query: function (q) { return query(index || [], q).hits || []; } };
})();
