/* Cuepress episode page: play from any moment, deep links (#t=), follow-along, copy link, find.
   The page works without this script; every feature here only improves it. No dependencies. */
(function () {
  "use strict";
  var doc = document;
  var audio = doc.querySelector(".player audio");
  var segs = Array.prototype.slice.call(doc.querySelectorAll(".seg"));
  var starts = segs.map(function (el) { return parseFloat(el.getAttribute("data-t")); });
  var current = -1, target = null, stopAt = null, stopTimer = 0, follow = true;
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  /* "83", "83.5", "1:23", "1:02:03", "npt:83" -> seconds (NaN if malformed). */
  function clockToSeconds(text) {
    text = text.replace(/^npt:/, "");
    if (!/^\d+(:\d{1,2}){0,2}(\.\d+)?$/.test(text)) return NaN;
    return text.split(":").reduce(function (sum, part) { return sum * 60 + parseFloat(part); }, 0);
  }

  /* W3C media fragment "t=start[,end]" in a hash -> {start, end} or null. */
  function parseHash(hash) {
    var match = /(?:^#|&)t=([^&]*)/.exec(hash);
    if (!match) return null;
    var parts = decodeURIComponent(match[1]).replace(/^npt:/, "").split(",");
    var start = parts[0] ? clockToSeconds(parts[0]) : 0;
    var end = parts.length > 1 && parts[1] ? clockToSeconds(parts[1]) : null;
    if (isNaN(start) || (end !== null && (isNaN(end) || end <= start))) return null;
    return { start: start, end: end };
  }

  function label(seconds) {
    var s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    var ss = ("0" + (s % 60)).slice(-2);
    return h ? h + ":" + ("0" + m).slice(-2) + ":" + ss : m + ":" + ss;
  }

  /* The segment containing second t: the last one starting at or before it (binary search). */
  function segmentAt(t) {
    var lo = 0, hi = starts.length - 1, found = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.0005) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  /* Landing: an element's top goes just below the sticky player (its scroll-margin-top, which
     the stylesheet derives from --stick, the player's height: the same place the browser's own
     #fragment jump uses without this script). A move of less than a window may glide; a longer
     one, or any with prefers-reduced-motion, is one jump. */
  var player = doc.querySelector(".player");
  function stick() {
    if (player) doc.documentElement.style.setProperty("--stick", player.offsetHeight + "px");
  }
  function land(el, glide) {
    if (!el) return;
    stick();
    var margin = parseFloat(getComputedStyle(el).scrollMarginTop) || 0;
    var delta = el.getBoundingClientRect().top - margin;
    if (Math.abs(delta) < 1) return;
    var smooth = glide && !reduced && Math.abs(delta) < window.innerHeight;
    window.scrollBy({ top: delta, behavior: smooth ? "smooth" : "instant" });
  }
  /* Follow-along: the current segment stays put while it is in the upper three quarters of the
     window below the player; when it leaves them it lands again (a page turn, not a crawl). */
  function scrollToSeg(index) {
    var el = segs[index];
    if (!el) return;
    var rect = el.getBoundingClientRect(), top = player ? player.getBoundingClientRect().bottom : 0;
    if (rect.top < top || rect.bottom > window.innerHeight * 0.75) land(el, true);
  }

  function markTarget(index) {
    if (target !== null && segs[target]) segs[target].classList.remove("is-target");
    target = index;
    if (segs[index]) segs[index].classList.add("is-target");
  }

  /* Player bar controls, made only when there is audio to play. */
  var bar = null, playFrom = null, resume = null, status = null;
  function button(text, cls, onClick) {
    var b = doc.createElement("button");
    b.type = "button"; b.className = cls; b.textContent = text; b.hidden = true;
    b.addEventListener("click", onClick);
    bar.appendChild(b);
    return b;
  }
  if (audio) {
    bar = doc.createElement("div");
    bar.className = "player-actions";
    audio.parentNode.appendChild(bar);
    playFrom = button("", "play-from", function () {
      var t = parseFloat(playFrom.getAttribute("data-t"));
      playAt(t, stopAt);
    });
    resume = button("Resume auto-scroll", "resume", function () {
      follow = true; resume.hidden = true;
      if (current >= 0) land(segs[current], true);
    });
    stick();
    if (window.ResizeObserver) new ResizeObserver(stick).observe(player);
  }
  status = doc.createElement("p");
  status.className = "visually-hidden"; status.setAttribute("role", "status");
  doc.body.appendChild(status);
  function say(text) { status.textContent = text; }

  function seek(t) {
    if (!audio) return;
    audio.currentTime = t;
  }

  function playAt(t, end) {
    stopAt = end === undefined ? null : end;
    if (!audio) return;
    seek(t);
    var played = audio.play();
    if (played && played.catch) played.catch(function () { offerPlay(t); });
    if (playFrom) playFrom.hidden = true;
  }

  function offerPlay(t) {
    if (!playFrom) return;
    playFrom.textContent = "\u25B6 Play from " + label(t);
    playFrom.setAttribute("data-t", String(t));
    playFrom.hidden = false;
  }

  /* Opening a #t= link: scroll to the segment holding that second, highlight it, seek there,
     and offer to play (browsers block autoplay). */
  function followHash() {
    var range = parseHash(location.hash);
    if (!range || !segs.length) return;
    var exact = doc.getElementById(decodeURIComponent(location.hash.slice(1)));
    var index = exact && exact.classList.contains("seg") ? segs.indexOf(exact) : segmentAt(range.start);
    markTarget(index);
    stopAt = range.end;
    seek(range.start);
    offerPlay(range.start);  /* before landing: the player's height is final by then */
    land(segs[index], false);  /* as the browser's own #fragment jump: at once */
  }

  function stopTimerClear() { if (stopTimer) { clearTimeout(stopTimer); stopTimer = 0; } }
  function stopTimerSet() {
    stopTimerClear();
    if (stopAt === null || !audio) return;
    var wait = (stopAt - audio.currentTime) / (audio.playbackRate || 1) * 1000;
    stopTimer = setTimeout(checkStop, Math.max(0, wait));
  }
  function checkStop() {
    if (stopAt !== null && audio.currentTime >= stopAt - 0.05) {
      audio.pause(); stopAt = null; stopTimerClear();
    } else if (stopAt !== null && !audio.paused) {
      stopTimerSet();
    }
  }

  function onTime() {
    if (!segs.length) return;
    var index = segmentAt(audio.currentTime);
    if (index === current) return;
    if (current >= 0) segs[current].classList.remove("is-current");
    current = index;
    segs[index].classList.add("is-current");
    if (follow && !audio.paused) scrollToSeg(index);
  }

  if (audio) {
    audio.addEventListener("timeupdate", function () { onTime(); if (stopAt !== null) checkStop(); });
    audio.addEventListener("playing", function () { if (playFrom) playFrom.hidden = true; stopTimerSet(); });
    audio.addEventListener("pause", stopTimerClear);
    audio.addEventListener("seeked", onTime);
  }

  /* Scrolling by hand while playing pauses auto-scroll until the listener asks for it again. */
  function manualScroll() {
    if (!audio || audio.paused || !follow) return;
    follow = false;
    resume.hidden = false;
  }
  window.addEventListener("wheel", manualScroll, { passive: true });
  window.addEventListener("touchmove", manualScroll, { passive: true });

  /* One delegated listener for every timestamp on the page. */
  doc.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.ts");
    if (link && audio && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      var id = link.getAttribute("href").slice(1);
      history.replaceState(null, "", "#" + id);
      var t = parseFloat(link.getAttribute("data-t") || link.parentNode.getAttribute("data-t"));
      markTarget(segmentAt(t));
      follow = true; resume.hidden = true;
      playAt(t);
      return;
    }
    var copy = event.target.closest && event.target.closest("button.copy");
    if (copy) copyLink(copy.parentNode);
  });

  /* "Copy link to this moment": one button that moves to the segment in hover or focus. */
  var copyButton = doc.createElement("button");
  copyButton.type = "button"; copyButton.className = "copy";
  function placeCopy(seg) {
    if (!seg || copyButton.parentNode === seg) return;
    copyButton.textContent = "Copy link";
    copyButton.setAttribute("aria-label", "Copy link to " + seg.querySelector(".ts").textContent);
    seg.insertBefore(copyButton, seg.querySelector(".text"));
  }
  function fromEvent(event) { return event.target.closest && event.target.closest(".seg"); }
  doc.addEventListener("mouseover", function (event) { placeCopy(fromEvent(event)); });
  doc.addEventListener("focusin", function (event) {
    if (event.target.classList.contains("ts")) placeCopy(fromEvent(event));
  });
  function copyLink(seg) {
    var url = location.href.split("#")[0] + "#" + seg.id;
    var done = function () { copyButton.textContent = "Copied"; say("Link copied: " + url); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(done, function () { window.prompt("Copy this link", url); });
    } else {
      window.prompt("Copy this link", url);
    }
  }

  /* Find in transcript: "/" focuses, Enter goes to the next match, Shift+Enter back. */
  var head = doc.querySelector(".transcript-head");
  var texts = segs.map(function (el) { return el.querySelector(".text"); });
  var plain = texts.map(function (el) { return el.textContent; });
  var lower = plain.map(function (t) { return t.toLowerCase(); });
  var marks = [], at = -1, marked = [], findInput = null, findCount = null, debounce = 0;
  if (head && segs.length) {
    var form = doc.createElement("form");
    form.className = "find"; form.setAttribute("role", "search");
    form.innerHTML = '<label for="find-input">Find in transcript</label> ' +
      '<input id="find-input" type="search" autocomplete="off" aria-describedby="find-count" ' +
      'aria-keyshortcuts="/"> <output id="find-count" aria-live="polite"></output>';
    head.appendChild(form);
    findInput = form.querySelector("input");
    findCount = form.querySelector("output");
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    findInput.addEventListener("input", function () {
      clearTimeout(debounce);
      debounce = setTimeout(function () { find(findInput.value); }, 80);
    });
    findInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        clearTimeout(debounce);
        if (findInput.value !== lastQuery) find(findInput.value);
        step(event.shiftKey ? -1 : 1);
      } else if (event.key === "Escape") {
        findInput.value = ""; find("");
      }
    });
  }
  var lastQuery = "";
  function restore(index) { texts[index].textContent = plain[index]; }
  function find(query) {
    lastQuery = query;
    marked.forEach(restore);
    marked = []; marks = []; at = -1;
    var q = query.trim().toLowerCase();
    if (!q) { findCount.textContent = ""; return; }
    for (var i = 0; i < lower.length; i++) {
      var from = 0, pos = lower[i].indexOf(q);
      if (pos < 0) continue;
      var el = texts[i], text = plain[i];
      el.textContent = "";
      while (pos >= 0) {
        el.appendChild(doc.createTextNode(text.slice(from, pos)));
        var mark = doc.createElement("mark");
        mark.textContent = text.slice(pos, pos + q.length);
        el.appendChild(mark);
        marks.push(mark);
        from = pos + q.length;
        pos = lower[i].indexOf(q, from);
      }
      el.appendChild(doc.createTextNode(text.slice(from)));
      marked.push(i);
    }
    findCount.textContent = marks.length === 1 ? "1 match" : marks.length + " matches";
  }
  function step(direction) {
    if (!marks.length) return;
    if (at >= 0) marks[at].classList.remove("is-match");
    at = (at + direction + marks.length) % marks.length;
    marks[at].classList.add("is-match");
    land(marks[at].closest(".seg"), true);
    findCount.textContent = (at + 1) + " of " + marks.length + (marks.length === 1 ? " match" : " matches");
  }
  doc.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) || event.target.isContentEditable;
    if (event.key === "/" && findInput && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      findInput.focus();
      findInput.select();
    } else if (!typing && /^(PageUp|PageDown|ArrowUp|ArrowDown|Home|End| )$/.test(event.key)) {
      manualScroll();
    }
  });

  window.addEventListener("hashchange", followHash);
  followHash();
})();
