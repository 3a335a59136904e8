/* Cuepress: the word being said, marked as the audio plays, on pages whose transcript timed
   its words (each segment's data-w: layouts/_segment.html, from transcripts/page.py word_codes).
   Only the current segment (.seg.is-current, which cuepress.js keeps) is split into words,
   and it is put back as it was when playback moves on. No dependencies. */
(function () {
  "use strict";
  var audio = document.querySelector(".player audio");
  if (!audio || !document.querySelector(".seg[data-w]")) return;
  var seg = null, text = null, original = "", spans = [], times = [], lit = -1, frame = 0;

  function release() {
    if (text) text.textContent = original;
    seg = text = null; spans = []; times = []; lit = -1;
  }

  function take(el) {
    release();
    var codes = el.getAttribute("data-w");
    var node = el.querySelector(".text");
    if (!codes || !node) return;
    var words = node.textContent.split(" "), steps = codes.split(" ");
    if (words.length !== steps.length) return; /* not the words that were timed: leave it */
    var t = parseFloat(el.getAttribute("data-t")), fragment = document.createDocumentFragment();
    seg = el; text = node; original = node.textContent;
    words.forEach(function (word, i) {
      t += parseInt(steps[i], 36) / 100;
      times.push(t);
      var span = document.createElement("span");
      span.className = "w";
      span.textContent = word;
      spans.push(span);
      if (i) fragment.appendChild(document.createTextNode(" "));
      fragment.appendChild(span);
    });
    node.textContent = "";
    node.appendChild(fragment);
  }

  function tick() {
    frame = 0;
    var current = document.querySelector(".seg.is-current[data-w]");
    if (current !== seg) { if (current) take(current); else release(); }
    if (seg) {
      var now = audio.currentTime, at = -1;
      for (var i = 0; i < times.length && times[i] <= now; i++) at = i;
      if (at !== lit) {
        if (lit >= 0) spans[lit].classList.remove("is-said");
        if (at >= 0) spans[at].classList.add("is-said");
        lit = at;
      }
    }
    if (!audio.paused) frame = requestAnimationFrame(tick);
  }

  audio.addEventListener("play", function () { if (!frame) frame = requestAnimationFrame(tick); });
  audio.addEventListener("seeked", function () { if (!frame) frame = requestAnimationFrame(tick); });
})();
