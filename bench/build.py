"""Archive-scale build speed: ``python -m bench.build [EPISODES] [RUNS]`` (``make bench``).

Times whole ``cuepress build`` processes on the synthetic archive from :mod:`bench.archive`
(search off, as the peers have none): cold (no cache, no output), a rebuild with nothing
changed, a rebuild after one cue's text changed, a rebuild after a layout change, a cold
build of the archive four times larger, and cold builds of an archive of word-level JSON
transcripts (merged into readable segments, and kept as they are); each the median of RUNS
with min and max, and the peak memory of the whole process tree. Beside them, a plain-Python
floor on the same files: read each transcript, split its cues as fast as Python can, write one
HTML page each. Then what the pages of people and topics and the related episodes cost a cold
build, timed in-process (:func:`new_pages_cost`). Prints a table and writes it to
``bench/RESULTS.md``.
"""

from __future__ import annotations

import contextlib
import html
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from bench.archive import make
from generator import people, related
from generator.build import build, render_site
from generator.errors import Problems
from generator.records import find_records
from generator.render import Renderer

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _children(pid: int) -> list[int]:
    """The child processes of ``pid``, from the kernel's list for each of its threads (no walk
    over all of /proc, which would cost the machine the benchmark measures)."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
    except OSError:
        pass
    return found


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except OSError:
            continue
        todo.extend(_children(current))
    return total


PAGE = os.sysconf("SC_PAGE_SIZE")


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Run ``command``; its wall time and the peak memory of its process tree. Dirty pages of
    earlier runs are written out first (not timed): the kernel writing 300 MB back in the
    background would otherwise take CPU from the run measured."""
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{err.decode()}")
    return elapsed, peak


def build_command(site: Path, output: Path) -> list[str]:
    return [PYTHON, "-m", "generator", "build", "--site", str(site), "--output", str(output)]


def without_speedups(command: list[str]) -> list[str]:
    """The same command with the C speedups turned off: what a machine without a C compiler
    at install time gets."""
    return ["env", "CUEPRESS_NO_SPEEDUPS=1", *command]


class Row:
    def __init__(self, name: str) -> None:
        self.name = name
        self.times: list[float] = []
        self.peaks: list[int] = []

    def add(self, seconds: float, peak: int) -> None:
        self.times.append(seconds)
        self.peaks.append(peak)

    def line(self) -> str:
        t = self.times
        return (
            f"| {self.name} | {statistics.median(t):.2f} | {min(t):.2f} | {max(t):.2f} | "
            f"{max(self.peaks) / 2**20:.0f} |"
        )


def floor(site: Path, output: Path) -> None:
    """The least any Python generator can do: read, split cues, write one page each."""
    cue = re.compile(r"(\d\d:\d\d:\d\d\.\d\d\d) --> \S+[^\n]*\n(.*)")
    output.mkdir(parents=True, exist_ok=True)
    for vtt in sorted((site / "content" / "episodes").glob("*.vtt")):
        text = vtt.read_text(encoding="utf-8")
        body = "".join(
            f'<p id="t={t}">{html.escape(words)}</p>\n' for t, words in cue.findall(text)
        )
        (output / f"{vtt.stem}.html").write_text(f"<!doctype html><title>{vtt.stem}</title>{body}")


_FIVE_CUE = re.compile(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\S+)[^\n]*\n(.*)")


def five_files(vtt: Path, output: Path) -> None:
    """One episode of the five-file floor: the page's transcript, WebVTT, SRT, text and JSON,
    each one f-string per cue, no checks."""
    rows, vtts, srts, txts, jsons = [], [], [], [], []
    for n, (h, m, sec, ms, end, words) in enumerate(_FIVE_CUE.findall(vtt.read_text()), 1):
        second = int(h) * 3600 + int(m) * 60 + int(sec)
        safe = html.escape(words, quote=False)
        rows.append(
            f'<p id="t={second}" data-t="{second}.{ms}"><a href="#t={second}">{m}:{sec}</a> '
            f"{safe}</p>\n"
        )
        vtts.append(f"\nt={second}\n{h}:{m}:{sec}.{ms} --> {end}\n{safe}\n")
        srts.append(f"{n}\n{h}:{m}:{sec},{ms} --> {end.replace('.', ',')}\n{words}\n\n")
        txts.append(f"{m}:{sec} {words}\n")
        jsons.append(f'{{"startTime":{second}.{ms},"body":"{words}"}}')
    folder = output / vtt.stem
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(f"<!doctype html><title>{vtt.stem}</title>{''.join(rows)}")
    (folder / "transcript.vtt").write_text("WEBVTT\n" + "".join(vtts))
    (folder / "transcript.srt").write_text("".join(srts))
    (folder / "transcript.txt").write_text("".join(txts))
    (folder / "transcript.json").write_text('{"segments":[' + ",".join(jsons) + "]}")


def floor_five(site: Path, output: Path) -> None:
    """What a bare script writing Cuepress's five files per episode takes, on every core."""
    import multiprocessing

    vtts = sorted((site / "content" / "episodes").glob("*.vtt"))
    with multiprocessing.get_context("fork").Pool() as pool:
        pool.starmap(five_files, [(vtt, output) for vtt in vtts], chunksize=8)


def edit_one_cue(site: Path, n: int) -> None:
    vtt = site / "content" / "episodes" / "ep0007.vtt"
    text = vtt.read_text()
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if "-->" in line) + 1
    lines[index] = re.sub(r" edited\d+$", "", lines[index]) + f" edited{n}"
    vtt.write_text("\n".join(lines))


def edit_layout(site: Path, n: int) -> None:
    layouts = site / "layouts"
    layouts.mkdir(exist_ok=True)
    source = ROOT / "layouts" / "404.html"
    (layouts / "404.html").write_text(source.read_text() + f"\n<!-- edit {n} -->\n")


def linked_copy(corpus: Path, folder: Path, settings: str = "") -> Path:
    """A fresh copy of a corpus site for one cold build: its files are hard links (a build only
    reads them) or, on another disk, copies; it has no cache and no output. ``settings`` are
    added to its site.yaml."""
    folder.mkdir(parents=True)
    same_disk = folder.stat().st_dev == corpus.stat().st_dev
    copy = os.link if same_disk else shutil.copyfile
    shutil.copytree(corpus / "content", folder / "content", copy_function=copy)
    (folder / "site.yaml").write_text((corpus / "site.yaml").read_text() + settings)
    return folder


def cold_runs(
    name: str, corpus: Path, work: Path, runs: int, *, speedups: bool = True, settings: str = ""
) -> Row:
    """Cold builds, each into folders no build has used. Nothing is deleted until every run is
    timed: on a file system whose inode allocator skips recently freed inodes (ext4 without a
    journal, as on the benchmark machine), creating files just after deleting thousands is
    several times slower, which would time the deletion rather than the build."""
    row = Row(name)
    for n in range(runs):
        folder = f"{corpus.name}-cold-{n}-{int(speedups)}-{len(settings)}"
        site = linked_copy(corpus, work / folder, settings)
        command = build_command(site, site / "output")
        row.add(*timed(command if speedups else without_speedups(command)))
    return row


def in_memory(corpus: Path, episodes: int, runs: int) -> Row | None:
    """Cold builds of a copy of the archive in a memory file system (/dev/shm), where creating
    a file takes microseconds, the output and cache deleted between runs so that each run
    reuses the memory the last one freed: the build's own cost, without the disk's or the
    virtual machine's (whose memory costs a fault at the host the first time it is touched).
    None where there is no such file system."""
    memory = Path("/dev/shm")
    if not memory.is_dir() or shutil.disk_usage(memory).free < 4 * 2**30:
        return None
    with tempfile.TemporaryDirectory(dir=memory, prefix="cuepress-bench-") as folder:
        site = linked_copy(corpus, Path(folder) / "site")
        row = Row(f"cold build, {episodes} episodes, in a memory file system, memory reused")
        for _ in range(runs + 1):  # the first run only touches the memory
            shutil.rmtree(site / "output", ignore_errors=True)
            shutil.rmtree(site / ".cache", ignore_errors=True)
            row.add(*timed(build_command(site, site / "output")))
        row.times, row.peaks = row.times[1:], row.peaks[1:]
        return row


def measure(episodes: int, runs: int, work: Path) -> tuple[list[str], Row]:
    rows: list[str] = []
    corpus = make(episodes)
    cold = cold_runs(f"cold build, {episodes} episodes", corpus, work, runs)
    rows.append(cold.line())
    name = f"cold build, {episodes} episodes, without the C speedups"
    rows.append(cold_runs(name, corpus, work, runs, speedups=False).line())
    memory = in_memory(corpus, episodes, runs)
    if memory is not None:
        rows.append(memory.line())
    words = make(episodes, word_level=True)  # as much speech, one JSON segment per word
    name = f"cold build, {episodes} episodes of word-level JSON, merged into readable segments"
    rows.append(cold_runs(name, words, work, runs).line())
    name = f"cold build, {episodes} episodes of word-level JSON, segments: as-is"
    rows.append(cold_runs(name, words, work, runs, settings="segments: as-is\n").line())
    row = Row(f"plain-Python floor, {episodes} episodes")
    for n in range(runs):
        os.sync()
        started = time.perf_counter()
        floor(corpus, work / f"floor-{n}")
        row.add(time.perf_counter() - started, 0)
    rows.append(row.line().rsplit("|", 2)[0] + "| (one process) |")
    row = Row(f"plain-Python floor, the same five files per episode, {episodes} episodes")
    for n in range(runs):
        os.sync()
        started = time.perf_counter()
        floor_five(corpus, work / f"floor-five-{n}")
        row.add(time.perf_counter() - started, 0)
    rows.append(row.line().rsplit("|", 2)[0] + f"| ({os.cpu_count()} processes) |")
    site = work / "site"
    shutil.copytree(corpus, site, ignore=shutil.ignore_patterns(".cache", "output"))
    output = site / "output"

    def repeat(name: str, prepare: Callable[[int], None]) -> None:
        row = Row(name)
        for n in range(runs):
            prepare(n)
            row.add(*timed(build_command(site, output)))
        rows.append(row.line())

    timed(build_command(site, output))
    repeat("rebuild, nothing changed", lambda n: None)
    before = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    timed(build_command(site, output))
    untouched = before == {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    repeat("rebuild, one cue edited", lambda n: edit_one_cue(site, n))
    page = (output / "episodes" / "ep0007" / "index.html").read_text()
    shows_edit = f"edited{runs - 1}" in page
    repeat("rebuild, a layout changed", lambda n: edit_layout(site, n))

    def after_delete(_: int) -> None:
        shutil.rmtree(site / ".cache", ignore_errors=True)
        shutil.rmtree(output, ignore_errors=True)

    repeat("cold build right after deleting the last build's output and cache", after_delete)
    rows.append(f"<!-- no-change rebuild left every file untouched: {untouched}; "
                f"the edit showed on the page: {shows_edit} -->")  # fmt: skip
    return rows, cold


REPEATS = 31  # in-process timings of a part of the build, alternating with and without it


@contextlib.contextmanager
def without_people_pages() -> Iterator[None]:
    """The site's own pages as before people and tag pages: none of either."""
    person_pages, tag_pages = people.person_pages, people.tag_pages
    people.person_pages = lambda site, episodes: []
    people.tag_pages = lambda episodes: []
    try:
        yield
    finally:
        people.person_pages, people.tag_pages = person_pages, tag_pages


def tree_cpu() -> float:
    """CPU seconds of this process and of its children that have ended."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cpu_ms(step: Callable[[], object]) -> float:
    started = time.process_time()
    step()
    return (time.process_time() - started) * 1000


def new_pages_cost(corpus: Path, work: Path, cold: Row) -> list[str]:
    """What the pages of people, topics and related episodes cost a cold build of ``corpus``,
    timed in this process: the CPU time of the site's own pages made with and without the
    people and tag pages (alternating, medians of :data:`REPEATS`), and of choosing every
    episode page's related episodes (reading each record's front matter, then choosing)."""
    cold_cpu = []
    for n in range(3):
        site = linked_copy(corpus, work / f"in-process-{n}")
        before = tree_cpu()
        built = build(site, work / f"in-process-output-{n}")
        cold_cpu.append((tree_cpu() - before) * 1000)
    episodes = list(built.episodes)
    renderer = Renderer(built.site, site)
    pages = sorted(p for p in built.output.rglob("index.html") if "episodes" in p.parts)
    names = [p.relative_to(built.output).as_posix() for p in pages]

    def site_pages() -> object:
        return render_site(built.site, episodes, renderer, site, names, Problems())

    with_them: list[float] = []
    without: list[float] = []
    for n in range(REPEATS):
        for alone in (False, True) if n % 2 else (True, False):
            if alone:
                with without_people_pages():
                    without.append(cpu_ms(site_pages))
            else:
                with_them.append(cpu_ms(site_pages))
    records = find_records(site / "content" / "episodes")
    aliases = people.aliases(built.site)
    guesses = [
        cpu_ms(
            lambda: [
                related.read_listing(r, r.relative_to(site).as_posix(), site, aliases)
                for r in records
            ]  # fmt: skip
        )
        for _ in range(REPEATS // 3)
    ]
    choosing = [cpu_ms(lambda: related.choose(episodes)) for _ in range(REPEATS)]
    base = min(cold.times) * 1000  # the run the machine's load held back least
    cpu = statistics.median(cold_cpu)
    pages_ms = statistics.median(with_them) - statistics.median(without)
    guess_ms, choose_ms = statistics.median(guesses), statistics.median(choosing)
    count = len(episodes)

    def share(ms: float) -> str:
        return f"{ms:.1f} | {100 * ms / base:.1f} % | {100 * ms / cpu:.1f} %"

    return [
        f"What the pages of people and topics and the related episodes cost the cold build of "
        f"{count} episodes, timed in one process: CPU time, medians of {REPEATS} runs, as a share "
        f"of the fastest cold build above ({base / 1000:.2f} s) and of a cold build's CPU time "
        f"(its processes', in this process: {cpu / 1000:.2f} s, the median of 3), which the "
        "machine's load moves far less than whole builds. The site's own pages and the choosing "
        "run in one process, so their share of the time is up to twice their share of the CPU "
        "on two cores.",
        "",
        "| part | ms | of the cold build | of its CPU time |",
        "| --- | --- | --- | --- |",
        f"| people and tag pages: the site's own pages with them "
        f"({statistics.median(with_them):.0f} ms) less without ({statistics.median(without):.0f}"
        f" ms), runs alternating | {share(pages_ms)} |",
        f"| related episodes: every record's front matter read for them (on one core; the "
        f"build reads them on every core) | {share(guess_ms)} |",
        f"| related episodes: choosing them for {count} pages | {share(choose_ms)} |",
    ]


READING = [
    "",
    "How to read this: each time is a whole `python -m generator build` process, the median",
    "of the runs with the fastest and slowest. A cold build builds a copy of the archive that",
    "no build has used, and nothing is deleted until every run is timed: on a file system",
    "whose inode allocator skips recently freed inodes (ext4 without a journal, as on the",
    "benchmark machine), creating the site's 5,600 files just after deleting the last build's",
    "takes seconds longer, which the row 'right after deleting' shows. Creating a file on",
    "that disk takes 20-80 microseconds even so. The row 'in a memory file system' builds the",
    "archive in /dev/shm (3 microseconds a file), deleting the last run's output first, so it",
    "also reuses memory the last run touched: on this virtual machine (which hands idle",
    "memory back to its host) cold runs writing their 340 MB into memory not touched before",
    "measured 1.8-2.0 s in /dev/shm. That row shows what the build itself costs. 'Without the",
    "C speedups' is what an install without a C compiler gets (CUEPRESS_NO_SPEEDUPS=1). The",
    "floors are what bare Python scripts take on the same transcripts: one page per episode",
    "in one process, and the same five files per episode as Cuepress (page, WebVTT, SRT,",
    "text, JSON) on every core. The word-level JSON archive holds about as much speech as",
    "the WebVTT one, as Buzzsprout publishes it: one JSON segment per word, 10,500 an",
    "episode (460 MB in all), which the build merges into about 450 readable segments an",
    "episode; 'segments: as-is' keeps every word as a segment, on the page and in the",
    "downloads.",
]


def main() -> None:
    episodes = int(sys.argv[1]) if len(sys.argv) > 1 else 560
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    big = int(sys.argv[3]) if len(sys.argv) > 3 else episodes * 4
    header = [
        f"Cuepress build benchmark on {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, search off (`make bench`).",
        "",
        "| run | median s | min s | max s | peak MB (process tree) |",
        "| --- | --- | --- | --- | --- |",
    ]
    (ROOT / "bench" / "corpus").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "corpus") as folder:
        work = Path(folder)
        # The big archive first, before any run has deleted files (see cold_runs).
        big_rows = [
            cold_runs(f"cold build, {big} episodes", make(big), work, max(1, runs // 2))
            for _ in range(1 if big else 0)
        ]
        rows, cold = measure(episodes, runs, work)
        costs = new_pages_cost(make(episodes), work, cold)
    notes = [r for r in rows if r.startswith("<!--")]
    rows = [r for r in rows if not r.startswith("<!--")]
    rows[1:1] = [row.line() for row in big_rows]
    notes = [n.strip("<!- >") for n in notes]
    table = "\n".join(header + rows + [""] + notes + READING + [""] + costs) + "\n"
    print(table)
    if episodes >= 500:  # the real run, not make bench-quick
        (ROOT / "bench" / "RESULTS.md").write_text(table)


if __name__ == "__main__":
    main()
