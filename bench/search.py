"""Search at archive scale: ``python -m bench.search [EPISODES] [RUNS]`` (``make bench``).

On the synthetic archive of :mod:`bench.archive` (about 1,080 cues an episode), with search
turned on and one made-up word planted in one cue of the middle episode, it measures:

- what indexing adds to a cold ``cuepress build`` (whole processes, no cache, no output):
  the median of RUNS cold builds with search on, minus the median with search off;
- a rebuild after one cue of one episode changed (the index is rebuilt for that episode's shard
  only, the others come from the cache);
- what one query downloads, in real Chromium against the built site served under its sub-path:
  the bytes of every request to ``pagefind/`` from opening ``search/?q=WORD`` to the results,
  for the planted rare word and for a word said in every episode, by kind of file.
"""

from __future__ import annotations

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

from playwright.sync_api import Request

from bench.archive import make
from tests.browser import launch, serve

RARE = "quokka"  # planted once; no word of the archive's vocabulary contains it
COMMON = "ladder"  # one of the archive's words: said about 150 times in every episode
PREFIX = "/archive/"


def plant(site: Path, count: int) -> str:
    """Put RARE at the start of one cue's text in the middle episode; returns that episode."""
    vtt = sorted((site / "content" / "episodes").glob("*.vtt"))[count // 2]
    lines = vtt.read_text().split("\n")
    cues = [n for n, line in enumerate(lines) if "-->" in line]
    at = cues[len(cues) // 2] + 1
    lines[at] = (
        lines[at].replace(">", f">{RARE} ", 1) if ">" in lines[at] else f"{RARE} {lines[at]}"
    )
    vtt.write_text("\n".join(lines))
    return vtt.stem


def set_search(site: Path, on: bool) -> None:
    text = (site / "site.yaml").read_text().replace("search: false\n", "")
    (site / "site.yaml").write_text(text + ("" if on else "search: false\n"))


def cuepress(site: Path) -> tuple[float, float]:
    """One ``cuepress build``: its wall time and the CPU time of its processes (Pagefind's
    included), which other work on the machine disturbs less."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site", str(site)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def cold(site: Path, runs: int) -> list[tuple[float, float]]:
    times = []
    for _ in range(runs):
        shutil.rmtree(site / ".cache", ignore_errors=True)
        shutil.rmtree(site / "output", ignore_errors=True)
        times.append(cuepress(site))
    return times


def kind(url: str) -> str:
    name = url.split("/pagefind/", 1)[1]
    if name.endswith(".pf_meta"):
        return "meta"
    if "/" in name and name.split("/")[-2] in ("index", "fragment", "filter"):
        return name.split("/")[-2]
    return "script+wasm" if name.endswith((".js", ".pagefind")) else "entry+common"


def downloads(output: Path, words: list[str]) -> dict[str, tuple[Counter[str], Counter[str], str]]:
    """Per word: bytes and requests by kind of pagefind/ file, and the status line shown."""
    found = {}
    with serve(output, PREFIX) as url, launch() as (_, browser):
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
                timeout=60_000,
            )
            page.wait_for_load_state("networkidle")
            found[word] = (sizes, counts, page.inner_text("#search-status"))
            context.close()
    return found


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as folder:
        site = make(count, Path(folder) / "site")
        slug = plant(site, count)
        set_search(site, False)
        without = cold(site, runs)
        set_search(site, True)
        with_search = cold(site, runs)
        segments = sum(
            p.read_text().count("-->") for p in (site / "content" / "episodes").glob("*.vtt")
        )
        pagefind = site / "output" / "pagefind"
        bundle = [p.stat().st_size for p in pagefind.rglob("*") if p.is_file()]
        indexes = len(list(pagefind.glob("**/pagefind-entry.json")))
        vtt = site / "content" / "episodes" / f"{slug}.vtt"
        vtt.write_text(vtt.read_text().replace(f"{RARE} ", f"{RARE}s ", 1))
        edit = cuepress(site)
        vtt.write_text(vtt.read_text().replace(f"{RARE}s ", f"{RARE} ", 1))
        cuepress(site)
        found = downloads(site / "output", [RARE, COMMON])
    off, on = statistics.median(w for w, _ in without), statistics.median(w for w, _ in with_search)
    cpu_off, cpu_on = (
        statistics.median(c for _, c in without),
        statistics.median(c for _, c in with_search),
    )
    print(f"Search, {count} episodes, {segments:,} segments (median of {runs} cold builds)")
    for name, runs_of in (("off", without), ("on ", with_search)):
        walls = [w for w, _ in runs_of]
        cpu = statistics.median(c for _, c in runs_of)
        spread = f"min {min(walls):.2f}, max {max(walls):.2f}; CPU {cpu:.1f} s"
        print(f"  cold build, search {name}   {statistics.median(walls):6.2f} s   ({spread})")
    print(
        f"  indexing adds            {on - off:6.2f} s   (CPU {cpu_on - cpu_off:.1f} s on 2 cores)"
    )
    print(f"  one cue edited, rebuild  {edit[0]:6.2f} s   (its index rebuilt, the others cached)")
    print(f"  bundle: {len(bundle):,} files, {sum(bundle) / 1e6:.1f} MB, {indexes} index(es)")
    for word, (sizes, counts, status) in found.items():
        total = sum(sizes.values())
        parts = ", ".join(f"{k} {sizes[k] / 1000:.0f} kB ({counts[k]})" for k in sorted(sizes))
        print(
            f"  query {word!r}: {total / 1000:.0f} kB in {sum(counts.values())} requests: {parts}"
        )
        print(f"    shown: {status}")


if __name__ == "__main__":
    main()
