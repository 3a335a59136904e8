"""Follow-along with word timings stays smooth: ``python -m bench.words [SECONDS]``.

A word-level episode of 2,000 sentences (30,000 words, 1,000 segments once merged) is built
and played in headless Chromium, once with ``assets/words.js`` marking the word being said and
once without it, the page otherwise the same; each run counts the frames the page paints
while the audio plays (requestAnimationFrame), and their intervals' median, 95th percentile
and maximum. Also reports how much the word times add to the page.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

from generator.build import build
from tests.browser import launch, serve
from tests.conftest import write_files
from tests.test_episode_page import silent_wav

MEASURE = """async (seconds) => {
  document.querySelector('a.ts').click();
  await new Promise(r => setTimeout(r, 500));
  const gaps = []; let last = performance.now();
  await new Promise(done => { const end = last + seconds * 1000;
    function f(now) { gaps.push(now - last); last = now;
      if (now < end) requestAnimationFrame(f); else done(); }
    requestAnimationFrame(f); });
  gaps.sort((x, y) => x - y);
  return {fps: gaps.length / seconds, median: gaps[gaps.length >> 1],
          p95: gaps[Math.floor(gaps.length * 0.95)], max: gaps[gaps.length - 1],
          marked: !!document.querySelector('.w.is-said')};
}"""


def word_level(sentences: int = 2000) -> list[dict[str, object]]:
    """Podcast Index JSON segments, one word each, as Buzzsprout publishes them: ``sentences``
    sentences of 15 words (2,000 make 1,000 segments once merged)."""
    segments: list[dict[str, object]] = []
    t = 0.0
    for _ in range(sentences):
        for word in range(15):
            body = f"word{word}" + ("." if word == 14 else "")
            segments.append({"startTime": round(t, 3), "endTime": round(t + 0.25, 3), "body": body})
            t += 0.31
        t += 0.4
    return segments


def site(root: Path) -> None:
    segments = word_level()
    write_files(
        root,
        {
            "site.yaml": "title: T\nbase_url: https://example.test/show/\nsearch: false\n",
            "content/episodes/a.md": "---\ntitle: W\ndate: 2026-03-01\naudio: audio/a.wav\n---\n",
            "content/episodes/a.json": json.dumps({"version": "1.0.0", "segments": segments}),
        },
    )
    (root / "static/audio").mkdir(parents=True)
    silent_wav(root / "static/audio/a.wav", 120)
    build(root)
    page = (root / "output/episodes/a/index.html").read_text()
    plain = page.replace('<script src="/show/assets/words.js" defer></script>', "")
    (root / "output/episodes/plain").mkdir()
    (root / "output/episodes/plain/index.html").write_text(plain)
    without = re.sub(r' data-w="[^"]*"', "", page)
    growth = (len(page) - len(without)) / len(without)
    print(
        f"Word times add {growth:.1%} to a 1,000-segment page ({len(page) / 1000:.0f} kB with them)"
    )


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        site(root)
        with serve(root / "output", "/show/") as url, launch() as (_, browser):
            for _run in range(2):
                for slug, label in (("a", "with words.js"), ("plain", "without")):
                    page = browser.new_page()
                    page.goto(url + f"episodes/{slug}/")
                    r = page.evaluate(MEASURE, seconds)
                    page.close()
                    print(
                        f"  {label:<14} {r['fps']:5.1f} frames/s  median {r['median']:5.1f} ms"
                        f"  p95 {r['p95']:5.1f} ms  max {r['max']:6.1f} ms"
                        f"  word marked: {r['marked']}"
                    )


if __name__ == "__main__":
    main()
