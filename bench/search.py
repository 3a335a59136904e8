"""Search at archive scale: ``python -m bench.search EPISODES [RUNS] [--bytes] [--small]``
(``make bench``).

On the synthetic archive of :mod:`bench.archive` (about 1,080 cues an episode) in its large
vocabulary (50,000 made-up words, about 1,800 distinct ones an episode, as in real talk; with
``--small``, the 60-word vocabulary of the other benchmarks, which flatters the index), with one
made-up word planted in one cue of the middle episode and another in the newest, it measures
each target of the search design (README, Search), whole ``cuepress build`` processes on this
machine:

- a cold build with search beside the same build without it (no cache, no output), RUNS pairs
  run in alternation (off, on, on, off ...) so that other work on the machine hits both alike:
  medians, spread, and the median of the pairs' ratios (target: at most 2x);
- a rebuild after one cue of the middle episode changed (an old one, in a large index), after
  one cue of the newest changed, and after a new episode is added (target: at most 1.5 s each);
- in the live preview (a real ``cuepress serve``): from saving a changed transcript to the
  search page finding the new word (target: within 2 s);
- what one query downloads, in real Chromium against the built site served under its
  sub-path: the bytes of every ``pagefind/`` file fetched from opening ``search/?q=WORD`` to the
  results, for the planted word and for a word said in every episode (target: at most
  300 kB), and that the planted word's result links to its cue's second.

``--bytes`` makes one cold build and measures only the downloads (the 6,000-episode case).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Request
from playwright.sync_api import Error as PlaywrightError

from bench.archive import make
from generator.timecodes import seconds_text
from tests.browser import launch, serve
from tests.test_serve import Running

RARE = "quokka"  # planted once; no word of the archive's vocabulary contains it
NEWEST = "numbat"  # planted once in the newest episode; no word of the vocabulary contains it
COMMON = "ladder"  # said in every episode: about 37 times (large vocabulary) or 150 (small)
PREFIX = "/archive/"
ROOT = Path(__file__).resolve().parent.parent
LIMIT = 300_000  # bytes a query may download
RATIO = 2.0  # a cold build with search, at most this many times one without
REBUILD = 1.5  # seconds, after an edit or a new episode
PREVIEW = 2.0  # seconds from a save to the preview's search finding the word


def copy(corpus: Path, site: Path) -> None:
    """The archive, hard-linked (a planted or edited file is written anew, never through)."""
    shutil.copytree(corpus, site, copy_function=os.link)


def rewrite(path: Path, text: str) -> None:
    path.unlink()
    path.write_text(text)


def plant(site: Path, number: int, word: str = RARE) -> tuple[Path, str]:
    """Put ``word`` at the start of one cue's text in the episode ``number`` (oldest first):
    that transcript and the cue's start in seconds, as the search page links it."""
    vtt = sorted((site / "content" / "episodes").glob("*.vtt"))[number]
    lines = vtt.read_text().split("\n")
    cues = [n for n, line in enumerate(lines) if "-->" in line]
    at = cues[len(cues) // 2] + 1
    hours, minutes, seconds = lines[at - 1].split(" --> ")[0].split(":")
    ms = round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)
    lines[at] = re.sub(r"^(<v [^>]*>)?", lambda m: (m.group(0) or "") + f"{word} ", lines[at])
    rewrite(vtt, "\n".join(lines))
    return vtt, seconds_text(ms)


def set_search(site: Path, on: bool) -> None:
    text = (site / "site.yaml").read_text().replace("search: false\n", "")
    rewrite(site / "site.yaml", text + ("" if on else "search: false\n"))


CPU: list[float] = []  # the CPU seconds of each cuepress() (its processes, Pagefind's too)


def cuepress(site: Path) -> float:
    """One ``cuepress build`` (this checkout's, run from it): its wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site", str(site)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def cold(site: Path, on: bool) -> float:
    set_search(site, on)
    shutil.rmtree(site / ".cache", ignore_errors=True)
    shutil.rmtree(site / "output", ignore_errors=True)
    return cuepress(site)


def kind(url: str) -> str:
    name = url.split("/pagefind/", 1)[1]
    if name.endswith(".pf_meta"):
        return "meta"
    if "/" in name and name.split("/")[-2] in ("index", "fragment", "filter", "lines"):
        return name.split("/")[-2]
    return "script+wasm" if name.endswith((".js", ".pagefind")) else "entry"


def downloads(
    browser: Browser, output: Path, words: list[str]
) -> dict[str, tuple[Counter[str], Counter[str], str, str]]:
    """Per word: bytes and requests by kind of pagefind/ file, the status line shown, and the
    first line link."""
    found = {}
    with serve(output, PREFIX) as url:
        for word in words:
            context = browser.new_context()
            page = context.new_page()
            sizes: Counter[str] = Counter()
            counts: Counter[str] = Counter()

            def done(
                request: Request, sizes: Counter[str] = sizes, counts: Counter[str] = counts
            ) -> None:
                path = urlsplit(request.url).path
                if "/pagefind/" in path:  # served as it is: the file's size is what travels
                    sizes[kind(path)] += (output / path.removeprefix(PREFIX)).stat().st_size
                    counts[kind(path)] += 1

            page.on("requestfinished", done)
            page.goto(url + f"search/?q={word}")
            page.wait_for_function(
                "() => { const s = document.getElementById('search-status').textContent;"
                " return s && s !== 'Searching…'; }",
                timeout=120_000,
            )
            page.wait_for_load_state("networkidle")
            link = page.locator(".search-line").first.get_attribute("href") or ""
            if word == RARE:  # every episode listed for the word planted once
                for hit in page.locator(".search-hit").all():
                    print(f"    {RARE!r} listed: {hit.inner_text()[:300]!r}")
            found[word] = (sizes, counts, page.inner_text("#search-status"), link)
            context.close()
    return found


def found_on(page: Page, url: str, word: str) -> bool:
    """Whether the search page at ``url`` lists a line for ``word`` (False while the preview
    reloads the page under us)."""
    try:
        page.goto(url + f"search/?q={word}", wait_until="domcontentloaded")
        page.wait_for_function(
            "() => { const s = document.getElementById('search-status');"
            " return s.textContent && s.textContent !== 'Searching…'; }",
            timeout=10_000,
        )
        return page.locator(".search-line").count() > 0
    except PlaywrightError:
        return False


def preview(browser: Browser, site: Path, vtt: Path, rounds: int) -> list[float]:
    """Seconds from saving a transcript with a new word to the preview's search finding it."""
    times = []
    text = vtt.read_text()
    with tempfile.TemporaryDirectory() as tmp:
        server = Running(site, Path(tmp))
        try:
            page = browser.new_page()
            deadline = time.monotonic() + 600  # the first index of the archive
            while not found_on(page, server.url, RARE) and time.monotonic() < deadline:
                page.wait_for_timeout(200)
            for n in range(rounds):
                marker = f"wombat{'x' * n}z"
                started = time.perf_counter()
                vtt.write_text(text.replace(f"{RARE} ", f"{RARE} {marker} ", 1))
                while time.perf_counter() - started < 60:
                    if found_on(page, server.url, marker):
                        break
                times.append(time.perf_counter() - started)
            page.close()
            said = server.output()
            built = [float(t) for t in re.findall(r"Built in ([\d.]+) s", said)[-rounds:]]
            made = [float(t) for t in re.findall(r"index made in ([\d.]+) s", said)[-rounds:]]
            print(f"  preview's own times: rebuilds {built} s, then search indexes {made} s")
        finally:
            try:
                server.stop()
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
    vtt.write_text(text)
    return times


def new_episode(site: Path, count: int, number: int) -> Path:
    """A record and transcript newer than every other: the archive's first, re-dated."""
    folder = site / "content" / "episodes"
    record = (folder / "ep0001.md").read_text()
    record = re.sub(r"date: .*", f"date: 2099-01-{number + 1:02d}", record)
    record = re.sub(r"number: .*", f"number: {count + 1 + number}", record)
    record = re.sub(r"audio: .*", f"audio: https://media.example.com/new{number}.mp3", record)
    made = folder / f"new{number}.md"
    made.write_text(record)
    os.link(folder / "ep0001.vtt", folder / f"new{number}.vtt")
    return made


def edited(site: Path, vtt: Path, runs: int, word: str = RARE) -> list[float]:
    """Rebuilds after the cue where ``word`` was planted changed (then changed back, untimed)."""
    times = []
    for n in range(runs):
        text = vtt.read_text()
        rewrite(vtt, text.replace(f"{word} ", f"{word} edit{n} ", 1))
        times.append(cuepress(site))
        rewrite(vtt, text)
        cuepress(site)
    return times


def adding(site: Path, count: int, runs: int) -> list[float]:
    """Rebuilds after a new episode was added (then removed, untimed)."""
    times = []
    for n in range(runs):
        made = new_episode(site, count, n)
        times.append(cuepress(site))
        made.unlink()
        made.with_suffix(".vtt").unlink()
        cuepress(site)
    return times


def spread(values: list[float]) -> str:
    low, high, median = min(values), max(values), statistics.median(values)
    return f"median {median:.2f} s (min {low:.2f}, max {high:.2f}, n={len(values)})"


def timed(label: str, values: list[float], limit: float, target: str) -> None:
    ok = verdict(statistics.median(values) <= limit)
    print(f"  {label:<37} {spread(values)}: {ok} ({target})")


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "MISSES the target"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 500
    runs = int(args[1]) if len(args) > 1 else 3
    bytes_only = "--bytes" in sys.argv
    small = "--small" in sys.argv
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        copy(make(count, vocabulary=not small), site)
        vtt, second = plant(site, count // 2)
        newest, _ = plant(site, count - 1, NEWEST)
        vocabulary = "60 words" if small else "50,000 words"
        print(
            f"Search, {count} episodes, vocabulary of {vocabulary} ({runs} runs each; "
            f"2 cores shared with other work; load average {os.getloadavg()[0]:.2f})"
        )
        if not bytes_only:
            off: list[float] = []
            on: list[float] = []
            cpu: dict[bool, list[float]] = {False: [], True: []}
            for n in range(runs):  # in alternation, so both meet the same load
                for search in (False, True) if n % 2 == 0 else (True, False):
                    (on if search else off).append(cold(site, search))
                    cpu[search].append(CPU[-1])
            ratios = [b / a for a, b in zip(off, on, strict=True)]
            print(f"  cold build, search off                {spread(off)}")
            print(f"  cold build, search on                 {spread(on)}")
            ratio = statistics.median(ratios)
            pairs = ", ".join(f"{r:.2f}" for r in ratios)
            print(
                f"  cold, on / off (paired)               median {ratio:.2f}x (pairs: {pairs}): ",
                end="",
            )
            print(f"{verdict(ratio <= RATIO)} (at most {RATIO:.0f}x)")
            used = {key: statistics.median(values) for key, values in cpu.items()}
            print(
                f"  CPU of a cold build (median)          search off {used[False]:.1f} s, "
                f"on {used[True]:.1f} s ({used[True] / used[False]:.2f}x; less disturbed by load)"
            )
            for search in (False, True):  # each after a cold build with its setting
                cold(site, search)
                edits, added = edited(site, vtt, runs), adding(site, count, runs)
                recent = edited(site, newest, runs, NEWEST)
                if not search:
                    print(f"  middle episode edited, search off     {spread(edits)}")
                    print(f"  newest episode edited, search off     {spread(recent)}")
                    print(f"  new episode, rebuild, search off      {spread(added)}")
                else:
                    limit = f"at most {REBUILD} s"
                    timed("middle episode edited, rebuild", edits, REBUILD, limit)
                    timed("newest episode edited, rebuild", recent, REBUILD, limit)
                    timed("new episode, rebuild", added, REBUILD, limit)
        else:
            print(f"  cold build, search on    {cold(site, True):.2f} s")
        pagefind = site / "output" / "pagefind"
        bundle = [p.stat().st_size for p in pagefind.rglob("*") if p.is_file()]
        indexes = len(list(pagefind.glob("**/pagefind-entry.json")))
        print(f"  bundle: {len(bundle):,} files, {sum(bundle) / 1e6:.1f} MB, {indexes} index(es)")
        print(f"  load average now {os.getloadavg()[0]:.2f}")
        with launch() as (_, browser):
            found = downloads(browser, site / "output", [RARE, COMMON])
            for word, (sizes, counts, status, link) in found.items():
                total = sum(sizes.values())
                parts = ", ".join(
                    f"{k} {sizes[k] / 1000:.0f} kB ({counts[k]})" for k in sorted(sizes)
                )
                print(
                    f"  query {word!r}: {total / 1000:.0f} kB in {sum(counts.values())} requests: ",
                    end="",
                )
                print(f"{verdict(total <= LIMIT)} (at most {LIMIT // 1000} kB)")
                print(f"    {parts}")
                print(f"    shown: {status} First line: {link}")
            landed = found[RARE][3].endswith(f"#t={second}")
            print(f"  the planted word links to its cue's second (#t={second}): {verdict(landed)}")
            if not bytes_only:
                times = preview(browser, site, vtt, min(runs, 3))
                timed("preview, save -> found", times, PREVIEW, f"within {PREVIEW:.0f} s")


if __name__ == "__main__":
    main()
