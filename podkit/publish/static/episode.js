/* podkit episode page: follow along, chapters in the player, #t= moments, in-page search.
   The page works without this file; it only enhances. Cheap on a 3-hour transcript: the
   sentence start times are read once into an array; on each position update a binary search
   finds the sentence and only the element that changes is touched. */
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) { return; }
  var root = document.documentElement;
  root.classList.add("js");
  var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var FOLLOW_PAUSE_MS = 4000; // a listener who scrolled away keeps their place this long
  var transcript = document.getElementById("transcript");
  var spans = transcript ? transcript.querySelectorAll("span[data-t]") : [];
  var n = spans.length;
  var starts = new Float64Array(n);
  for (var i = 0; i < n; i++) { starts[i] = parseFloat(spans[i].getAttribute("data-t")); }
  var chapterLinks = document.querySelectorAll("#chapter-list a[data-start]");
  var chapterStarts = [];
  for (i = 0; i < chapterLinks.length; i++) { chapterStarts.push(parseFloat(chapterLinks[i].getAttribute("data-start"))); }
  var marks = document.querySelectorAll("#marks span[data-start]");
  var area = document.getElementById("player-area");
  var chapterTitle = document.getElementById("chapter-title");
  var prevButton = document.getElementById("chapter-prev");
  var nextButton = document.getElementById("chapter-next");
  var shareButton = document.getElementById("share");
  var status = document.getElementById("share-status");
  ["now", "marks", "transcript-help"].forEach(function (id) {
    var el = document.getElementById(id);
    if (el) { el.hidden = false; }
  });

  // The last index whose start is at or before t (starts ascending), or -1.
  function find(list, t) {
    var lo = 0, hi = list.length - 1, found = -1;
    t += 0.1; // a #t= time is rounded down to a tenth
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  // -- keeping the spoken sentence in view, unless the listener scrolled away --------------
  var userScrollAt = -Infinity, autoScrolling = false, autoTimer = 0;
  function userScrolled() { userScrollAt = performance.now(); }
  window.addEventListener("wheel", userScrolled, { passive: true });
  window.addEventListener("touchmove", userScrolled, { passive: true });
  window.addEventListener("keydown", function (ev) {
    var keys = { PageUp: 1, PageDown: 1, Home: 1, End: 1, ArrowUp: 1, ArrowDown: 1, " ": 1 };
    var field = ev.target.closest && ev.target.closest("input, textarea, button, audio, [data-t]");
    if (keys[ev.key] && !field) { userScrolled(); }
  });
  window.addEventListener("scroll", function () { if (!autoScrolling) { userScrolled(); } }, { passive: true });
  function endAuto() { autoScrolling = false; }
  window.addEventListener("scrollend", function () { window.clearTimeout(autoTimer); autoTimer = window.setTimeout(endAuto, 50); });
  function scrollTo(el, force, known) {
    if (!force && performance.now() - userScrollAt < FOLLOW_PAUSE_MS) { return; }
    if (!known) {
      var r = el.getBoundingClientRect();
      var top = area ? area.getBoundingClientRect().bottom : 0;
      if (r.top >= top && r.bottom <= window.innerHeight) { return; }
    }
    autoScrolling = true;
    window.clearTimeout(autoTimer);
    autoTimer = window.setTimeout(endAuto, reduce ? 100 : 1500);
    el.scrollIntoView({ block: "center", behavior: reduce ? "auto" : "smooth" });
  }

  // Whether the spoken sentence is in view is asked of an IntersectionObserver watching that one
  // element: the answer comes with the browser's own rendering, so an update never forces a layout.
  var watched = null, forceNext = false, observer = null;
  function makeObserver() {
    if (!window.IntersectionObserver) { return; }
    if (observer) { observer.disconnect(); }
    var top = area ? Math.ceil(area.getBoundingClientRect().height) : 0;
    observer = new IntersectionObserver(function (entries) {
      var entry = entries[entries.length - 1];
      if (entry.target !== watched) { return; }
      var force = forceNext;
      forceNext = false;
      if (entry.intersectionRatio < 0.99) { scrollTo(entry.target, force, true); }
    }, { rootMargin: "-" + top + "px 0px 0px 0px", threshold: [0, 0.99] });
    if (watched) { observer.observe(watched); }
  }
  function follow(el, force) {
    if (!observer) { scrollTo(el, force, false); return; }
    if (watched) { observer.unobserve(watched); }
    watched = el;
    forceNext = force;
    observer.observe(el);
  }
  makeObserver();
  window.addEventListener("resize", function () { window.clearTimeout(follow.timer); follow.timer = window.setTimeout(makeObserver, 200); });

  // -- the current sentence and chapter -------------------------------------------------------
  var current = -1, rove = n ? 0 : -1, chapter = -2;
  if (n) {
    spans[0].tabIndex = 0;
    spans[0].setAttribute("aria-describedby", "transcript-help");
  }
  function moveRove(j) {
    if (j === rove || j < 0 || j >= n) { return; }
    if (rove >= 0) { spans[rove].removeAttribute("tabindex"); spans[rove].removeAttribute("aria-describedby"); }
    rove = j;
    spans[j].tabIndex = 0;
    spans[j].setAttribute("aria-describedby", "transcript-help");
  }
  function setSentence(j, keep, force) {
    if (j === current) { return; }
    if (current >= 0) { spans[current].removeAttribute("aria-current"); }
    current = j;
    if (j < 0) { return; }
    spans[j].setAttribute("aria-current", "true");
    if (!transcript.contains(document.activeElement)) { moveRove(j); }
    if (keep) { follow(spans[j], force); }
  }
  function setChapter(k) {
    if (k === chapter || !chapterLinks.length) { return; }
    if (chapter >= 0) {
      chapterLinks[chapter].removeAttribute("aria-current");
      if (marks[chapter]) { marks[chapter].classList.remove("current"); }
    }
    chapter = k;
    var shown = Math.max(k, 0);
    if (k >= 0) {
      chapterLinks[k].setAttribute("aria-current", "true");
      if (marks[k]) { marks[k].classList.add("current"); }
    }
    if (chapterTitle) { chapterTitle.textContent = chapterLinks[shown].getAttribute("data-title"); }
    if (prevButton) { prevButton.disabled = k <= 0; }
    if (nextButton) { nextButton.disabled = k >= chapterLinks.length - 1; }
  }
  function update(t, keep, force) {
    setSentence(find(starts, t), keep, force);
    setChapter(find(chapterStarts, t));
  }

  // -- seeking --------------------------------------------------------------------------------
  var pending = null;
  function seek(t, play) {
    if (!isFinite(t)) { return; }
    t = Math.max(0, t);
    if (player.readyState >= 1) { player.currentTime = t; } else { pending = t; }
    update(t, true, true);
    if (play) {
      var p = player.play();
      if (p && p.catch) { p.catch(function () {}); }
    }
  }
  player.addEventListener("loadedmetadata", function () {
    if (pending !== null) { player.currentTime = pending; pending = null; }
  });
  function onTime() { if (pending === null) { update(player.currentTime, true, false); } }
  player.addEventListener("timeupdate", onTime);
  player.addEventListener("seeked", onTime);

  // W3C Media Fragments: t=83, t=83.5, t=npt:83, t=1:23, t=01:02:03 (an end after "," is ignored).
  function parseT(hash) {
    var m = /(?:^#|&)t=(?:npt:)?([0-9.:]+)/.exec(hash || "");
    if (!m) { return null; }
    var parts = m[1].split(":"), s = 0;
    if (parts.length > 3) { return null; }
    for (var k = 0; k < parts.length; k++) {
      if (!/^\d+(\.\d+)?$/.test(parts[k])) { return null; }
      s = s * 60 + parseFloat(parts[k]);
    }
    return s;
  }
  function label(t) {
    t = Math.max(0, Math.floor(t));
    var h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
    var two = function (x) { return (x < 10 ? "0" : "") + x; };
    return (h ? h + ":" + two(m) : two(m)) + ":" + two(s);
  }
  function fromHash() {
    var t = parseT(location.hash);
    if (t !== null) { seek(t, false); } // playback waits for the listener
  }
  window.addEventListener("hashchange", fromHash);

  document.addEventListener("click", function (ev) {
    var target = ev.target;
    if (!target.closest) { return; }
    var link = target.closest("a[href^='#t=']");
    if (link) {
      ev.preventDefault();
      var at = link.hasAttribute("data-start") ? parseFloat(link.getAttribute("data-start")) : parseT(link.getAttribute("href"));
      history.replaceState(null, "", link.getAttribute("href"));
      seek(at, true);
      return;
    }
    var mark = target.closest("#marks span[data-start]");
    if (mark) { seek(parseFloat(mark.getAttribute("data-start")), true); return; }
    var sentence = target.closest("#transcript span[data-t]");
    if (sentence) {
      var sel = window.getSelection && window.getSelection();
      if (sel && !sel.isCollapsed) { return; } // the listener is selecting text
      moveRove(indexOf(sentence));
      seek(parseFloat(sentence.getAttribute("data-t")), true);
    }
  });
  function indexOf(span) { return find(starts, parseFloat(span.getAttribute("data-t")) - 0.1); }

  // Keyboard: the transcript is one tab stop; arrows move between sentences, Enter plays.
  if (transcript) {
    transcript.addEventListener("keydown", function (ev) {
      var span = ev.target.closest && ev.target.closest("span[data-t]");
      if (!span) { return; }
      var j = indexOf(span), to = null;
      if (ev.key === "ArrowDown" || ev.key === "ArrowRight") { to = j + 1; }
      else if (ev.key === "ArrowUp" || ev.key === "ArrowLeft") { to = j - 1; }
      else if (ev.key === "Home") { to = 0; }
      else if (ev.key === "End") { to = n - 1; }
      else if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        seek(starts[j], true);
        return;
      }
      if (to === null) { return; }
      ev.preventDefault();
      to = Math.max(0, Math.min(n - 1, to));
      moveRove(to);
      spans[to].focus();
    });
  }

  if (prevButton) {
    prevButton.addEventListener("click", function () {
      var k = find(chapterStarts, player.currentTime);
      if (k > 0) { seek(chapterStarts[k - 1], false); }
    });
  }
  if (nextButton) {
    nextButton.addEventListener("click", function () {
      var k = find(chapterStarts, player.currentTime);
      if (k + 1 < chapterStarts.length) { seek(chapterStarts[k + 1], false); }
    });
  }
  setChapter(-1);

  // -- share this moment ----------------------------------------------------------------------
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallbackCopy(text); });
    }
    return Promise.resolve(fallbackCopy(text));
  }
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  if (shareButton) {
    shareButton.addEventListener("click", function () {
      var url = location.href.split("#")[0] + "#t=" + label(player.currentTime);
      copy(url).then(function (ok) {
        status.textContent = (ok ? "Link copied: " : "Copy this link: ") + url;
      });
    });
  }

  // -- find in the transcript -------------------------------------------------------------------
  var form = document.getElementById("search-form");
  if (form && transcript) {
    form.hidden = false;
    var box = document.getElementById("search"), count = document.getElementById("search-count");
    var shown = [], timer = 0;
    var escapeRe = function (s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); };
    var clear = function () {
      var parents = [];
      shown.forEach(function (m) {
        var parent = m.parentNode;
        if (!parent) { return; }
        parent.replaceChild(document.createTextNode(m.textContent), m);
        parents.push(parent);
      });
      parents.forEach(function (p) { p.normalize(); });
      shown = [];
    };
    var run = function () {
      clear();
      var q = box.value.trim();
      if (!q) { count.textContent = ""; return; }
      var re = new RegExp("(" + escapeRe(q) + ")", "gi");
      var walker = document.createTreeWalker(transcript, NodeFilter.SHOW_TEXT), nodes = [], node;
      while ((node = walker.nextNode())) {
        var parent = node.parentNode;
        if (parent.nodeName !== "TIME" && !parent.classList.contains("speaker")) { nodes.push(node); }
      }
      nodes.forEach(function (textNode) {
        var parts = textNode.nodeValue.split(re);
        if (parts.length < 2) { return; }
        var frag = document.createDocumentFragment();
        parts.forEach(function (part, k) {
          if (k % 2) {
            var m = document.createElement("mark");
            m.textContent = part;
            frag.appendChild(m);
            shown.push(m);
          } else if (part) {
            frag.appendChild(document.createTextNode(part));
          }
        });
        textNode.parentNode.replaceChild(frag, textNode);
      });
      count.textContent = shown.length + (shown.length === 1 ? " match" : " matches");
      if (shown.length) { scrollTo(shown[0], true, false); }
    };
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      if (n > 1000) { timer = window.setTimeout(run, 150); } else { run(); }
    });
  }

  if (parseT(location.hash) !== null) {
    fromHash();
  }
  window.podkitPlayer = { find: find, update: update, sentences: n };
})();
