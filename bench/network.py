"""A network of shows at scale: ``python -m bench.network [SHOWS] [EPISODES]`` (``make bench``
runs 20 x 300: 6,000 episodes, about 6.5 million cues; ``make bench-quick`` 3 x 4).

The network is generated once per size and cached under ``bench/corpus/`` (git-ignored): SHOWS
shows of EPISODES episodes each, every episode a record and a WebVTT sidecar of about 1,080 cues
made by :mod:`bench.archive`'s generator (original sentences, nothing real), each show with its
own seed, title and category.

Every figure is a whole ``cuepress`` process from a true cold start (the site's ``output/`` and
``.cache/`` deleted first), timed with its process tree's peak memory by :mod:`bench.build`'s
helpers (the resident memory of the process and its forked workers added up, so pages they
share are counted once per process: an upper bound), and its CPU time:

- a cold build with ``search: false`` (the better of two), then the same with search on
  (what search adds);
- a one-episode edit (one cue of one transcript) rebuilt after each cold build (7 times: the
  median and the range);
- two shard builds (``--shard 1/2``, ``--shard 2/2``), each in its own copy of the site (as on
  two machines), then ``cuepress merge`` in a third, search on (the merge makes the index):
  each time and the total; the merged output is compared, file by file, with the cold
  build's;
- the output's size in bytes and files.

Then where a cold build's time goes, stage by stage, from one more cold build run in this
process with the stages wrapped in timers (:func:`stages`), and function by function, from
cProfile of a one-process build of 100 episodes (:func:`episode_profile`). Prints a table;
writes it to ``bench/NETWORK.md`` when the network has 1,000 episodes or more (not for
``make bench-quick``).
"""

from __future__ import annotations

import filecmp
import os
import platform
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.archive import record, transcript
from bench.build import PYTHON, ROOT, cold, linked_copy, load, timed

CORPUS = ROOT / "bench" / "corpus"
VERSION = 1  # bump when the recipe changes, so cached networks are remade
CATEGORIES = ("Education", "History", "Science", "Society & Culture", "Arts", "Technology")


def make(shows: int, episodes: int) -> Path:
    """The site folder of a network of ``shows`` x ``episodes``, made if missing. Its
    site.yaml sets no ``search:``: each run adds its own."""
    site = CORPUS / f"network-{shows}x{episodes}-v{VERSION}"
    done = site / ".complete"
    if done.exists():
        return site
    shutil.rmtree(site, ignore_errors=True)
    (site / "content" / "shows").mkdir(parents=True)
    (site / "site.yaml").write_text(
        "title: The Long Network\nbase_url: https://example.github.io/network/\n"
        "description: A synthetic network of shows for benchmarks.\n"
    )
    for show in range(1, shows + 1):
        folder = site / "content" / "shows" / f"show-{show:02d}"
        (folder / "episodes").mkdir(parents=True)
        category = CATEGORIES[show % len(CATEGORIES)]
        (folder / "show.yaml").write_text(
            f"title: Show {show}, a synthetic show\ncategories: [{category}]\n"
        )
        for number in range(episodes):
            rng = random.Random(show * 1_000_003 + number)
            name = folder / "episodes" / f"ep{number + 1:04d}"
            name.with_suffix(".md").write_text(record(number, rng))
            name.with_suffix(".vtt").write_text(transcript(rng))
    done.write_text("")
    return site


def command(site: Path, *args: str) -> list[str]:
    return [PYTHON, "-m", "generator", *args, "--site", str(site)]


def run(cmd: list[str]) -> tuple[float, int, float]:
    """Wall time, peak memory of the process tree and CPU time (user + system) of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, peak = timed(cmd, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, peak, cpu


def size(folder: Path) -> tuple[int, int]:
    """Bytes (as files hold them) and files of a built site."""
    total = files = 0
    for path in folder.rglob("*"):
        if path.is_file():
            total += path.stat().st_size
            files += 1
    return total, files


def same_site(a: Path, b: Path) -> bool:
    """Whether two built sites hold the same files, byte for byte (the writer's marker, which
    names where each file was linked from, aside)."""
    names = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    if names != {p.relative_to(b) for p in b.rglob("*") if p.is_file()}:
        return False
    return all(
        filecmp.cmp(a / name, b / name, shallow=False)
        for name in names
        if name.as_posix() != ".cuepress"
    )


def edit_cue(site: Path, n: int) -> None:
    """Change the first cue of one transcript (never writing through the corpus's link)."""
    vtt = sorted((site / "content/shows/show-01/episodes").glob("*.vtt"))[:7][-1]
    lines = vtt.read_text().split("\n")
    index = next(i for i, line in enumerate(lines) if "-->" in line) + 1
    lines[index] = re.sub(r" edited\d+$", "", lines[index]) + f" edited{n}"
    vtt.unlink()
    vtt.write_text("\n".join(lines))


EDITS = 7  # rebuilds after an edit, each measured: the median is reported, with the range


def edited(site: Path) -> list[tuple[float, int, float]]:
    """Rebuilds of the built ``site``, each after a one-cue edit of one transcript, sorted by
    wall time."""
    runs = []
    for n in range(EDITS):
        edit_cue(site, n)
        runs.append(run(command(site, "build")))
    return sorted(runs)


def median_of(runs: list[tuple[float, int, float]]) -> tuple[float, int, float]:
    return runs[len(runs) // 2]


def spread(runs: list[tuple[float, int, float]]) -> str:
    return f"{runs[0][0]:.2f} to {runs[-1][0]:.2f} s"


@contextmanager
def stages() -> Iterator[dict[str, float]]:
    """The build's stages wrapped in timers, for one build in this process: the episode stage
    (records and transcripts read, pages and downloads rendered, on every core), the site's
    own pages, the search index, and publishing (linking the files into the output)."""
    from generator import build, search
    from generator.episodes import EpisodeStage
    from generator.writer import Publisher

    spent: dict[str, float] = {}
    wrapped: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timer(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

        wrapped.append((owner, name, original))
        setattr(owner, name, timer)

    wrap(EpisodeStage, "run", "episodes: read and render (2 processes)")
    wrap(build, "site_pages", "site's own pages (homes, feeds, people, tags, sitemap)")
    wrap(search, "search_files", "search page and Pagefind index")
    wrap(Publisher, "publish", "publish (link every file into output/)")
    try:
        yield spent
    finally:
        for owner, name, original in wrapped:
            setattr(owner, name, original)


def where_time_goes(site: Path, search: bool) -> list[str]:
    """One more cold build, in this process, stage by stage."""
    from generator.build import build

    cold(site)
    with stages() as spent:
        started = time.perf_counter()
        build(site)
        whole = time.perf_counter() - started
    rows = [f"| {label} | {seconds:.2f} s |" for label, seconds in spent.items()]
    rest = whole - sum(spent.values())
    what = "search on" if search else "search off"
    return [
        f"Where a cold build's time goes ({what}, one build in this process, stages timed):",
        "",
        "| stage | time |",
        "|---|---|",
        *rows,
        f"| the rest (settings, cache, copies) | {rest:.2f} s |",
        f"| **whole build** | **{whole:.2f} s** |",
    ]


def episode_profile(episodes: int) -> list[str]:
    """The functions a cold build spends its time in, from cProfile of one build in this
    process with one worker (``jobs=1``: the episode stage runs here, not in forked workers)
    of a one-show network of ``episodes`` made by the same generator."""
    import cProfile
    import pstats

    from generator.build import build

    site = linked_copy(
        make(1, episodes), Path(tempfile.mkdtemp(dir=CORPUS)) / "site", "search: false\n"
    )
    try:
        profiler = cProfile.Profile()
        profiler.runcall(build, site, jobs=1)
        stats = pstats.Stats(profiler)
        total = stats.total_tt  # type: ignore[attr-defined]
        raw = stats.stats  # type: ignore[attr-defined]
        top = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)[:12]
    finally:
        shutil.rmtree(site.parent)
    rows = [
        f"| `{Path(file).name}:{line} {name}` | {own * 1000 / episodes:.2f} ms | "
        f"{100 * own / total:.0f} % |"
        for (file, line, name), (_, _, own, _, _) in top
    ]
    return [
        f"Where an episode's time goes (cProfile, one process, {episodes} episodes, search off; "
        f"{total * 1000 / episodes:.1f} ms an episode in all, profiled):",
        "",
        "| function (own time) | per episode | share |",
        "|---|---|---|",
        *rows,
    ]


def mib(value: int) -> str:
    return f"{value / 2**20:,.0f} MiB"


def measure(shows: int, episodes: int, work: Path) -> list[str]:
    started = time.perf_counter()
    corpus = make(shows, episodes)
    made = time.perf_counter() - started
    loads = [load()]
    off = linked_copy(corpus, work / "off", "search: false\n")
    on = linked_copy(corpus, work / "on", "search: true\n")
    rows: list[tuple[str, float, int | None, float]] = []

    colds = []
    for _ in range(2):  # the target's row: the better of two, the machine being shared
        cold(off)
        colds.append(run(command(off, "build")))
    cold_off = min(colds)
    rows.append(("cold build, search off (better of 2)", *cold_off))
    bytes_off, files_off = size(off / "output")
    edits_off = edited(off)
    best = median_of(edits_off)
    rows.append((f"one-episode edit, rebuilt (median of {EDITS}), search off", *best))
    profile = where_time_goes(off, search=False)
    shutil.rmtree(off)
    loads.append(load())

    cold(on)
    cold_on = run(command(on, "build"))
    rows.append(("cold build, search on", *cold_on))
    bytes_on, files_on = size(on / "output")
    loads.append(load())

    shard_rows = []
    outputs = []
    for k in (1, 2):  # each shard in its own copy of the site, as on its own machine
        site = linked_copy(corpus, work / f"shard-{k}", "search: true\n")
        output = work / f"shard-{k}-output"
        shard_rows.append(run(command(site, "build", "--shard", f"{k}/2", "--output", str(output))))
        outputs.append(output)
        shutil.rmtree(site)
    site = linked_copy(corpus, work / "merge", "search: true\n")
    merge_row = run(command(site, "merge", *map(str, outputs)))
    identical = same_site(site / "output", on / "output")
    shutil.rmtree(site)
    for output in outputs:
        shutil.rmtree(output)
    loads.append(load())

    edits_on = edited(on)
    rows.append((f"one-episode edit, rebuilt (median of {EDITS}), search on", *median_of(edits_on)))
    for k, row in enumerate(shard_rows, 1):
        rows.append((f"shard {k}/2 build, search on", *row))
    rows.append(("merge of the 2 shards (with the search index)", *merge_row))
    total = sum(r[0] for r in shard_rows) + merge_row[0]
    on_two = max(r[0] for r in shard_rows) + merge_row[0]
    rows.append(("2 shards + merge, one after another", total, None, 0.0))
    shutil.rmtree(on)

    profile += ["", *episode_profile(min(100, shows * episodes))]
    loads.append(load())

    cues = 1080 * shows * episodes
    count, cores = shows * episodes, os.cpu_count() or 1
    lines = [
        f"# A network of {shows} shows x {episodes} episodes",
        "",
        f"{shows * episodes:,} episodes, about {cues / 1e6:.1f} million cues (WebVTT, "
        f"{sum(p.stat().st_size for p in corpus.rglob('*.vtt')) / 2**20:,.0f} MiB); "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{' / '.join(f'{x:.2f}' for x in loads)} (before and between the runs; the machine "
        f"is shared). The network was "
        + (f"generated in {made:.0f} s" if made >= 1 else "made by an earlier run")
        + " (kept in bench/corpus/).",
        "",
        "Each row is a whole `cuepress` process, true cold (output/ and .cache/ deleted first) "
        "but for the edit. Memory: the peak resident memory of the process and its workers, "
        "added up (shared pages counted once per process: an upper bound).",
        "",
        "| run | wall time | peak memory | CPU |",
        "|---|---|---|---|",
    ]
    for name, seconds, memory, cpu in rows:
        shown = mib(memory) if memory is not None else ""
        lines.append(f"| {name} | {seconds:.2f} s | {shown} | {f'{cpu:.1f} s' if cpu else ''} |")
    lines += [
        "",
        f"- Search adds {cold_on[0] - cold_off[0]:+.1f} s of wall time and "
        f"{cold_on[2] - cold_off[2]:+.1f} s of CPU to the cold build, "
        f"{(bytes_on - bytes_off) / 2**20:,.0f} MiB and {files_on - files_off:,} files to the "
        "output.",
        f"- Two shards on two machines, then the merge: {on_two:.2f} s of wall time "
        f"(the slower shard, then the merge); {total:.2f} s one after another on this one.",
        f"- The merged output is the cold build's (search on), byte for byte: "
        f"{'yes' if identical else 'NO'}.",
        f"- Output, search off: {bytes_off:,} bytes ({bytes_off / 2**30:.2f} GiB) in "
        f"{files_off:,} files; search on: {bytes_on:,} bytes ({bytes_on / 2**30:.2f} GiB) in "
        f"{files_on:,} files.",
        "- Targets (issue 19): cold with search off 15 s or less and under 1 GiB; a one-episode "
        f"edit under 1 s. Measured: {cold_off[0]:.1f} s, {mib(cold_off[1])}; {best[0]:.2f} s "
        f"(the median; {spread(edits_off)}; search on, {spread(edits_on)}).",
        f"- The cold build spends {1000 * cold_off[2] / count:.1f} ms of CPU an episode: "
        f"{cold_off[2] / cores:.0f} s at the least on {cores} idle cores. 15 s would take "
        f"{15_000 * cores / count:.1f} ms an episode.",
        "",
        *profile,
        "",
    ]
    return lines


def main() -> None:
    shows = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    episodes = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    CORPUS.mkdir(parents=True, exist_ok=True)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as bench.build: bytecode, as installed
    with tempfile.TemporaryDirectory(dir=CORPUS) as folder:
        lines = measure(shows, episodes, Path(folder))
    table = "\n".join(lines)
    print(table)
    if shows * episodes >= 1000:  # the real run, not make bench-quick
        (ROOT / "bench" / "NETWORK.md").write_text(table)


if __name__ == "__main__":
    main()
