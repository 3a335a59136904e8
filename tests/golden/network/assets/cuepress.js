/* Cuepress episode page (README: The episode page). The page works without it. */
(function () {
  "use strict";
  var doc = document, win = window, root = doc.documentElement;
  var audio = doc.querySelector(".player audio");
  var player = doc.querySelector(".player");
  var segs = [].slice.call(doc.querySelectorAll(".seg"));
  var starts = segs.map(function (el) { return parseFloat(el.getAttribute("data-t")); });
  var chapters = [].slice.call(doc.querySelectorAll(".chapters li[data-t]")).map(function (li) {
    return { t: parseFloat(li.getAttribute("data-t")), li: li, img: li.getAttribute("data-img"),
      title: li.querySelector(".chapter-title").textContent };
  });
  var slug = (doc.querySelector(".episode") || root).getAttribute("data-slug");
  var current = -1, chapter = -1, targets = [], stopAt = null, stopTimer = 0, follow = true;
  var reduced = win.matchMedia && win.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var RATES = [0.75, 1, 1.25, 1.5, 1.75, 2, 2.5], BACK = 15, AHEAD = 30;

  function store(key, value) {
    try {
      if (value === undefined) return localStorage.getItem("cuepress." + key);
      if (value === null) localStorage.removeItem("cuepress." + key);
      else localStorage.setItem("cuepress." + key, value);
    } catch (e) { /* storage off */ }
    return null;
  }

  /* "83", "1:23.5", "1:02:03", "npt:83" -> seconds, or NaN */
  function clockToSeconds(text) {
    text = text.replace(/^npt:/, "");
    if (!/^\d+(:\d{1,2}){0,2}(\.\d+)?$/.test(text)) return NaN;
    return text.split(":").reduce(function (sum, part) { return sum * 60 + parseFloat(part); }, 0);
  }

  /* "#t=start[,end]" -> {start, end} or null */
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

  /* the last of the sorted times at or before t, or -1 */
  function lastAt(times, t) {
    var lo = 0, hi = times.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (times[mid] <= t + 0.0005) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }
  function segmentAt(t) { return Math.max(0, lastAt(starts, t)); }
  var chapterStarts = chapters.map(function (c) { return c.t; });

  /* Landing: at scroll-margin-top (from --stick), as the browser's #fragment jump; a move
     under a window may glide, else one jump. */
  function stick() {
    if (player) root.style.setProperty("--stick", player.offsetHeight + "px");
  }
  function land(el, glide) {
    if (!el) return;
    stick();
    var margin = parseFloat(getComputedStyle(el).scrollMarginTop) || 0;
    var delta = el.getBoundingClientRect().top - margin;
    if (Math.abs(delta) < 1) return;
    var smooth = glide && !reduced && Math.abs(delta) < win.innerHeight;
    win.scrollBy({ top: delta, behavior: smooth ? "smooth" : "instant" });
  }
  /* Follow-along: a page turn, not a crawl */
  function keepInView(el) {
    var rect = el.getBoundingClientRect(), top = player ? player.getBoundingClientRect().bottom : 0;
    if (rect.top < top || rect.bottom > win.innerHeight * 0.75) land(el, true);
  }

  function markTargets(from, to) {
    targets.forEach(function (i) { segs[i].classList.remove("is-target"); });
    targets = [];
    for (var i = from; i <= to && segs[i]; i++) { segs[i].classList.add("is-target"); targets.push(i); }
  }

  var status = doc.createElement("p");
  status.className = "visually-hidden"; status.setAttribute("role", "status");
  doc.body.appendChild(status);
  function say(text) { status.textContent = text; }

  /* The player bar, made before anything lands (its height is final by then). */
  var bar = null, offers, playFrom, resumeAt, resume, rateSelect, nowLink, help;
  function el(tag, cls, html) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (html) e.innerHTML = html;
    return e;
  }
  function button(parent, text, cls, onClick, name, keys) {
    var b = el("button", cls);
    b.type = "button"; b.textContent = text;
    if (name) b.setAttribute("aria-label", name);
    if (keys) b.setAttribute("aria-keyshortcuts", keys);
    b.addEventListener("click", onClick);
    parent.appendChild(b);
    return b;
  }
  if (audio) {
    bar = el("div", "player-bar");
    button(bar, "\u2212" + BACK + " s", "nudge", function () { skip(-BACK); }, "Back " + BACK + " seconds", "J ArrowLeft");
    button(bar, "+" + AHEAD + " s", "nudge", function () { skip(AHEAD); }, "Forward " + AHEAD + " seconds", "L ArrowRight");
    rateSelect = el("select", "rate", RATES.map(function (r) {
      return "<option value=" + r + ">" + r + "\u00d7</option>";
    }).join(""));
    rateSelect.setAttribute("aria-label", "Playback speed");
    rateSelect.addEventListener("change", function () { setRate(parseFloat(rateSelect.value)); });
    bar.appendChild(rateSelect);
    if (chapters.length) {
      var nav = el("span", "now");
      button(nav, "\u2039", "chap", function () { chapterStep(-1); }, "Previous chapter", "P");
      nowLink = el("a", "now-title");
      nav.appendChild(nowLink);
      button(nav, "\u203a", "chap", function () { chapterStep(1); }, "Next chapter", "N");
      bar.appendChild(nav);
    }
    button(bar, "?", "keys", function () { help.showModal(); }, "Keyboard shortcuts", "?");
    player.appendChild(bar);
    offers = bar;
    playFrom = button(offers, "", "play-from offer", function () {
      playAt(parseFloat(playFrom.getAttribute("data-t")), stopAt);
    });
    resumeAt = button(offers, "", "play-from resume-at", function () {
      playAt(parseFloat(resumeAt.getAttribute("data-t")));
    });
    resume = button(offers, "Resume auto-scroll", "resume", function () {
      follow = true; resume.hidden = true;
      if (current >= 0) land(segs[current], true);
    });
    playFrom.hidden = resumeAt.hidden = resume.hidden = true;
    setRate(parseFloat(store("rate")) || 1, true);
    showChapter(0);
    if (win.ResizeObserver) new ResizeObserver(stick).observe(player);
  }

  function setRate(rate, quiet) {
    if (RATES.indexOf(rate) < 0) rate = 1;
    audio.playbackRate = audio.defaultPlaybackRate = rate;
    rateSelect.value = String(rate);
    store("rate", rate === 1 ? null : String(rate));
    if (!quiet) say("Speed " + rate + "\u00d7");
  }
  function stepRate(direction) {
    var i = RATES.indexOf(audio.playbackRate) + direction;
    if (i >= 0 && i < RATES.length) setRate(RATES[i]);
  }

  function seek(t) {
    if (!audio) return;
    audio.currentTime = Math.max(0, t);
  }
  function skip(seconds) {
    seek(audio.currentTime + seconds);
    if (audio.paused) showTime(true);
  }
  /* before the audio loads a seek says nothing: show where */
  function showAt(t) { if (chapters.length) showChapter(lastAt(chapterStarts, t)); }

  function playAt(t, end) {
    stopAt = end === undefined ? null : end;
    if (!audio) return;
    seek(t);
    var played = audio.play();
    if (played && played.catch) played.catch(function () { offerPlay(t, stopAt); });
    playFrom.hidden = resumeAt.hidden = true;
  }

  function offerPlay(t, end) {
    if (!playFrom) return;
    playFrom.textContent = end ? "\u25B6 Play this quote" : "\u25B6 Play from " + label(t);
    playFrom.setAttribute("data-t", String(t));
    playFrom.hidden = false;
  }

  /* Chapters (previous: the current one's start first, as a CD player) */
  function showChapter(index) {
    if (!chapters.length || index === chapter) return;
    if (chapter >= 0) chapters[chapter].li.removeAttribute("aria-current");
    chapter = index;
    var c = chapters[Math.max(0, index)];
    if (index >= 0) c.li.setAttribute("aria-current", "true");
    if (!nowLink) return;
    nowLink.textContent = c.title;
    nowLink.href = c.li.querySelector("a").getAttribute("href");
    nowLink.setAttribute("data-t", String(c.t));
    metadata();
  }
  function chapterStep(direction) {
    if (!chapters.length) return;
    var here = lastAt(chapterStarts, audio.currentTime);
    var to = direction > 0 ? here + 1 : (audio.currentTime - (chapterStarts[here] || 0) > 3 ? here : here - 1);
    to = Math.max(0, to);
    if (to >= chapters.length) return;
    seek(chapters[to].t);
    say("Chapter " + (to + 1) + ": " + chapters[to].title);
    if (audio.paused) showTime(true);
  }

  /* Media Session */
  var session = navigator.mediaSession;
  var art = player && player.getAttribute("data-art");
  function metadata() {
    if (!session || !win.MediaMetadata || !audio) return;
    var c = chapters[chapter], image = (c && c.img) || art;
    session.metadata = new MediaMetadata({
      title: player.getAttribute("data-title"),
      artist: c ? c.title : player.getAttribute("data-show"),
      album: player.getAttribute("data-show"),
      artwork: image ? [{ src: new URL(image, location.href).href }] : []
    });
  }
  function position() {
    if (session && session.setPositionState && isFinite(audio.duration)) {
      try {
        session.setPositionState({ duration: audio.duration, playbackRate: audio.playbackRate,
          position: Math.min(audio.currentTime, audio.duration) });
      } catch (e) { /* a duration refused */ }
    }
  }
  if (session && audio) {
    var actions = {
      play: function () { audio.play(); },
      pause: function () { audio.pause(); },
      seekbackward: function (d) { skip(-(d.seekOffset || BACK)); },
      seekforward: function (d) { skip(d.seekOffset || AHEAD); },
      seekto: function (d) {
        if (d.fastSeek && audio.fastSeek) audio.fastSeek(d.seekTime); else seek(d.seekTime);
      }
    };
    if (chapters.length) {
      actions.previoustrack = function () { chapterStep(-1); };
      actions.nexttrack = function () { chapterStep(1); };
    }
    Object.keys(actions).forEach(function (name) {
      try { session.setActionHandler(name, actions[name]); } catch (e) { /* not supported */ }
    });
  }

  /* A #t= link: its segment or range, seek, offer to play (no autoplay) */
  function followHash() {
    var range = parseHash(location.hash);
    if (!range || !segs.length) return false;
    var exact = doc.getElementById(decodeURIComponent(location.hash.slice(1)));
    var index = exact && exact.classList.contains("seg") ? segs.indexOf(exact) : segmentAt(range.start);
    markTargets(index, range.end === null ? index : Math.max(index, lastAt(starts, range.end - 0.001)));
    stopAt = range.end;
    seek(range.start);
    showAt(range.start);
    offerPlay(range.start, range.end);  /* before landing: the player's final height */
    land(segs[index], false);
    return true;
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

  /* The segment and chapter follow the audio; "jumped" lands while paused too. */
  function showTime(jumped) {
    if (chapters.length) showChapter(lastAt(chapterStarts, audio.currentTime));
    if (!segs.length) return;
    var index = segmentAt(audio.currentTime);
    if (index !== current) {
      if (current >= 0) segs[current].classList.remove("is-current");
      current = index;
      segs[index].classList.add("is-current");
    }
    if (follow && (jumped === true || !audio.paused)) keepInView(segs[index]);
  }

  /* Resume (not in the first 10 s or last 30 s) */
  var saved = 0;
  function remember() {
    var t = audio.currentTime, d = audio.duration;
    if (Math.abs(t - saved) < 5 && !audio.paused) return;
    saved = t;
    store("at." + slug, t > 10 && !(d - t < 30) ? String(Math.floor(t)) : null);
  }

  if (audio) {
    audio.addEventListener("timeupdate", function () {
      showTime();
      if (stopAt !== null) checkStop();
      if (!audio.paused) remember();
    });
    audio.addEventListener("playing", function () {
      playFrom.hidden = resumeAt.hidden = true; stopTimerSet(); metadata(); position();
    });
    audio.addEventListener("pause", function () { stopTimerClear(); remember(); });
    audio.addEventListener("ended", function () { store("at." + slug, null); });
    audio.addEventListener("seeked", function () { showTime(); position(); });
    audio.addEventListener("ratechange", position);
    audio.addEventListener("durationchange", position);
  }

  /* scrolling by hand pauses auto-scroll */
  function manualScroll() {
    if (!audio || audio.paused || !follow) return;
    follow = false;
    resume.hidden = false;
  }
  win.addEventListener("wheel", manualScroll, { passive: true });
  win.addEventListener("touchmove", manualScroll, { passive: true });

  /* every #t= link on the page */
  doc.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#t=']");
    if (link && audio && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      var href = link.getAttribute("href"), range = parseHash(href) || { start: 0, end: null };
      var seg = link.parentNode.classList.contains("seg") ? link.parentNode : null;
      var t = parseFloat(link.getAttribute("data-t") || (seg && seg.getAttribute("data-t")));
      if (isNaN(t)) t = range.start;
      if (link.hasAttribute("data-end")) {  /* a soundbite */
        range.end = parseFloat(link.getAttribute("data-end"));
        href = "#t=" + t + "," + range.end;
      }
      history.replaceState(null, "", href);
      var index = segmentAt(t);
      markTargets(index, range.end === null ? index : lastAt(starts, range.end - 0.001));
      follow = true; resume.hidden = true;
      playAt(t, range.end === null ? undefined : range.end);
    }
  });

  /* the embed code */
  var embedCode = doc.getElementById("embed-code"), embedCopy = doc.querySelector(".copy-embed");
  if (embedCode && embedCopy) {
    embedCopy.hidden = false;
    embedCopy.addEventListener("click", function () {
      copyText(embedCode.value, function () { embedCopy.textContent = "Copied"; say("Embed code copied"); });
    });
  }

  /* Share a quote (words, who, episode, #t=a,b) by the Web Share API or the clipboard: the
     selection's button (Tab goes there next), "s" (shareKey), or a line's "Share". */
  var box = doc.querySelector(".segments"), share = null, selTimer = 0, lastRange = null, sharedSel = "";
  var episodeTitle = (player && player.getAttribute("data-title")) ||
    (doc.querySelector("h1") || doc.querySelector("title")).textContent;
  /* the selection (or the last): the lines it has words of */
  function selected(orLast) {
    var sel = win.getSelection(), range = orLast ? lastRange : null;
    if (sel && sel.rangeCount && !sel.isCollapsed) range = sel.getRangeAt(0);
    if (!range || !box.contains(range.commonAncestorContainer)) return null;
    var chosen = [], words = [];
    texts.forEach(function (text, i) {
      if (!range.intersectsNode(text)) return;
      var part = doc.createRange();
      part.selectNodeContents(text);
      if (text.contains(range.startContainer)) part.setStart(range.startContainer, range.startOffset);
      if (text.contains(range.endContainer)) part.setEnd(range.endContainer, range.endOffset);
      part = part.toString().trim();
      if (part) { chosen.push(i); words.push(part); }
    });
    return chosen.length ? { range: range, first: chosen[0], last: chosen.pop(), words: words.join(" ") } : null;
  }
  function speakerOf(seg) {
    for (var e = seg.previousElementSibling; e; e = e.previousElementSibling) {
      if (e.classList.contains("speaker")) return e.textContent;
      if (e.classList.contains("chapter-heading")) return "";
    }
    return "";
  }
  function placeShare() {
    var found = selected(), shown = !share.hidden;
    if (!found) { share.hidden = share !== doc.activeElement; return; }
    lastRange = found.range.cloneRange();
    var after = segs[found.last];
    if (share.previousSibling !== after && share !== doc.activeElement) box.insertBefore(share, after.nextSibling);
    share.hidden = false;
    var rect = found.range.getBoundingClientRect(), outer = box.getBoundingClientRect();
    share.style.top = (rect.bottom - outer.top + 6) + "px";
    share.style.left = Math.max(0, Math.min(rect.left - outer.left, outer.width - 140)) + "px";
    if (!shown) say("Quote selected: Tab to Share quote");
  }
  function quote(first, last, words) {
    var end = last + 1 < starts.length ? starts[last + 1] :
      (audio && isFinite(audio.duration) ? audio.duration : starts[last] + 5);
    var who = segs.slice(first, last + 1).map(speakerOf).filter(function (n, i, all) { return n && all.indexOf(n) === i; });
    return { url: location.href.split("#")[0] + "#t=" + starts[first] + "," + +end.toFixed(3),
      text: "\u201c" + words + "\u201d \u2014 " + (who.length ? who.join(", ") + ", " : "") + episodeTitle };
  }
  function send(q, done) {
    var copy = function () { copyText(q.text + " " + q.url, done); };
    if (!navigator.share) return copy();
    navigator.share({ title: episodeTitle, text: q.text, url: q.url }).catch(function (e) {
      if (e && e.name !== "AbortError") copy();
    });
  }
  function shareQuote() {
    var found = selected(true);
    if (!found) return;
    sharedSel = String(win.getSelection());
    send(quote(found.first, found.last, found.words),
      function () { share.textContent = "Quote copied"; say("Quote and link copied"); });
  }
  function shareLines(first, last, button) {
    send(quote(first, last, plain.slice(first, last + 1).join(" ")),
      function () { button.textContent = "Copied"; say("Quote and link copied"); });
  }
  /* the selection, else the line in focus, the line playing, the passage opened */
  function shareKey() {
    if (selected() || doc.activeElement === share) return shareQuote();
    var i = segs.indexOf((doc.activeElement || root).closest(".seg"));
    var lines = i >= 0 ? [i, i] : current >= 0 ? [current, current] : targets.length ? [targets[0], targets[targets.length - 1]] : 0;
    if (!lines) return say("Select words to share");
    placeCopy(segs[lines[0]]);
    shareLines(lines[0], lines[1], shareLine);
  }
  if (box && segs.length) {
    share = button(box, "Share quote", "share-quote", shareQuote, 0, "S");
    share.hidden = true;
    share.addEventListener("mousedown", function (event) { event.preventDefault(); });  /* keep the selection */
    share.addEventListener("blur", function () { if (!selected()) share.hidden = true; });
    doc.addEventListener("selectionchange", function () {
      clearTimeout(selTimer);
      selTimer = setTimeout(function () {
        if (String(win.getSelection()) !== sharedSel) share.textContent = "Share quote";
        placeShare();
      }, 120);
    });
  }

  /* "Copy link" and "Share" move to the line in hover or focus */
  var lineActions = el("span", "seg-actions");
  var copyButton = button(lineActions, "", "copy", function () { copyLink(copyButton.closest(".seg")); });
  var shareLine = button(lineActions, "", "share-line", function () {
    var i = segs.indexOf(shareLine.closest(".seg"));
    shareLines(i, i, shareLine);
  }, 0, "S");
  function placeCopy(seg) {
    if (!seg || lineActions.parentNode === seg) return;
    var at = seg.querySelector(".ts").textContent;
    copyButton.textContent = "Copy link";
    copyButton.setAttribute("aria-label", "Copy link to " + at);
    shareLine.textContent = "Share";
    shareLine.setAttribute("aria-label", "Share line at " + at);
    seg.insertBefore(lineActions, seg.querySelector(".text"));
  }
  function fromEvent(event) { return event.target.closest && event.target.closest(".seg"); }
  doc.addEventListener("mouseover", function (event) { placeCopy(fromEvent(event)); });
  doc.addEventListener("focusin", function (event) {
    if (event.target.classList.contains("ts")) placeCopy(fromEvent(event));
  });
  function copyText(text, done) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { win.prompt("Copy this", text); });
    } else {
      win.prompt("Copy this", text);
    }
  }
  function copyLink(seg) {
    var url = location.href.split("#")[0] + "#" + seg.id;
    copyText(url, function () { copyButton.textContent = "Copied"; say("Link copied: " + url); });
  }

  /* Find */
  var head = doc.querySelector(".transcript-head");
  var texts = segs.map(function (e) { return e.querySelector(".text"); });
  var plain = texts.map(function (e) { return e.textContent; });
  var lower = plain.map(function (t) { return t.toLowerCase(); });
  var marks = [], at = -1, marked = [], findInput = null, findCount = null, debounce = 0;
  if (head && segs.length) {
    var form = el("form", "find", '<label for="find-input">Find in transcript</label> ' +
      '<input id="find-input" type="search" autocomplete="off" placeholder="Find in transcript" ' +
      'aria-describedby="find-count" ' +
      'aria-keyshortcuts="/"> <output id="find-count" aria-live="polite"></output>');
    form.setAttribute("role", "search");
    (bar || head).appendChild(form);
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
      var node = texts[i], text = plain[i];
      node.textContent = "";
      while (pos >= 0) {
        node.appendChild(doc.createTextNode(text.slice(from, pos)));
        var mark = el("mark");
        mark.textContent = text.slice(pos, pos + q.length);
        node.appendChild(mark);
        marks.push(mark);
        from = pos + q.length;
        pos = lower[i].indexOf(q, from);
      }
      node.appendChild(doc.createTextNode(text.slice(from)));
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

  /* Shortcuts: never while typing; single keys can be off (WCAG 2.1.4) */
  var KEYS = [["k", "Space", "Play or pause"], ["j", "\u2190", "Back " + BACK + " s"],
    ["l", "\u2192", "Forward " + AHEAD + " s"], ["<", ">", "Slower, faster"],
    ["p", "n", "Previous, next chapter"], ["/", "", "Find in transcript"],
    ["s", "", "Share quote: the words selected, else this line"], ["?", "", "These shortcuts"]];
  if (audio) {
    help = el("dialog", "keys-help", '<h2 id="keys-title">Keyboard shortcuts</h2><dl>' +
      KEYS.map(function (k) {
        return "<dt><kbd>" + k[0] + "</kbd>" + (k[1] ? " <kbd>" + k[1] + "</kbd>" : "") + "</dt><dd>" + k[2] + "</dd>";
      }).join("") + '</dl><label><input type="checkbox" id="keys-on"> Single-key shortcuts on</label>' +
      '<form method="dialog"><button>Close</button></form>');
    help.setAttribute("aria-labelledby", "keys-title");
    doc.body.appendChild(help);
    var keysOn = help.querySelector("#keys-on");
    keysOn.checked = store("keys") !== "off";
    keysOn.addEventListener("change", function () { store("keys", keysOn.checked ? null : "off"); });
  }
  doc.addEventListener("keydown", function (event) {
    var target = event.target, key = event.key;
    /* a field of the help just closed keeps focus until the next frame: no typing there */
    var typing = (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) && !(help && !help.open && help.contains(target));
    if (typing || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (key === "Tab" && !event.shiftKey && share && !share.hidden && target.compareDocumentPosition(share) & 4 && selected()) {  /* to Share quote */
      event.preventDefault(); share.focus(); return;
    }
    if (/^(PageUp|PageDown|ArrowUp|ArrowDown|Home|End)$/.test(key)) { manualScroll(); return; }
    if (event.shiftKey && /^Arrow/.test(key)) return;  /* selecting */
    if (help && (help.open || (keysOn && !keysOn.checked))) return;
    var control = /^(BUTTON|A|AUDIO|SUMMARY|DETAILS)$/.test(target.tagName);
    var act = {
      "/": findInput && function () { findInput.focus(); findInput.select(); },
      "?": help && function () { help.showModal(); },
      s: share && shareKey
    };
    if (audio) {
      act.k = function () { if (audio.paused) audio.play(); else audio.pause(); };
      act[" "] = !control && act.k;
      act.j = function () { skip(-BACK); };
      act.l = function () { skip(AHEAD); };
      act.ArrowLeft = target.tagName !== "AUDIO" && act.j;
      act.ArrowRight = target.tagName !== "AUDIO" && act.l;
      act["<"] = function () { stepRate(-1); };
      act[">"] = function () { stepRate(1); };
      act.p = chapters.length && function () { chapterStep(-1); };
      act.n = chapters.length && function () { chapterStep(1); };
    }
    var run = act[key];
    if (run) { event.preventDefault(); run(); }
  });

  win.addEventListener("hashchange", followHash);
  if (!followHash() && audio) {
    var at0 = parseFloat(store("at." + slug));
    if (at0 > 0) {
      resumeAt.textContent = "\u25B6 Resume at " + label(at0);
      resumeAt.setAttribute("data-t", String(at0));
      resumeAt.hidden = false;
      seek(at0);
      showAt(at0);
    }
  }
})();
