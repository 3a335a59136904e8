"""Archive-scale build speed: ``python -m bench.build [EPISODES] [RUNS] [BIG]`` (``make bench``).

Every cold build here is a **true cold start**: before each run the site's ``output/`` and
``.cache/`` are deleted (``rm -rf output .cache``, as a fresh CI checkout leaves them), and
Pelican's output too. Timings on a shared machine swing with its load and its disk, so the
contenders run **paired, in one series**: after a warm-up round (not counted), each of RUNS
rounds runs every contender once, in an order that rotates from round to round, and the
figures are medians with min and max. A ratio is the median of the rounds' own ratios (with
their min and max): only those stay steady when the machine is busy.

The cold series: Cuepress on the synthetic archive of :mod:`bench.archive` (search off),
Pelican on the same archive (:mod:`bench.pelican`: one Markdown article per episode with its
transcript), a plain-Python floor writing the same three files
per episode as Cuepress, and Cuepress on the archive BIG episodes long (four times by
default). Then rebuilds of one site: nothing changed, one cue edited, a layout changed, with
two checks: the no-change rebuild touched no file of the output (names, inodes, times), and
the incrementally built output equals a cold build of the same input byte for byte. Last, a
cold series of the archive as word-level JSON (merged into readable segments, and as-is).

Last, what the pages of people and topics and the related episodes cost a cold build, timed
in-process (:func:`new_pages_cost`).

Each time is a whole process (``python -m generator build``, ``python -m pelican``), with the
peak memory of its process tree. Prints the tables, and writes them to ``bench/RESULTS.md``
when EPISODES is 500 or more (not for ``make bench-quick``).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import importlib.util
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
from dataclasses import dataclass, field
from pathlib import Path

from bench import pelican
from bench.archive import make
from generator import people, related
from generator.build import build, render_site
from generator.errors import Problems
from generator.records import find_records
from generator.render import Renderer

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PAGE = os.sysconf("SC_PAGE_SIZE")


# Measuring one process -----------------------------------------------------------------------


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


# The contenders ------------------------------------------------------------------------------


def build_command(site: Path) -> list[str]:
    return [PYTHON, "-m", "generator", "build", "--site", str(site)]


def cold(site: Path) -> None:
    """What a fresh checkout of the site holds: no output, no cache."""
    shutil.rmtree(site / "output", ignore_errors=True)
    shutil.rmtree(site / ".cache", ignore_errors=True)


@dataclass
class Contender:
    """One command timed from a true cold start: ``reset`` runs (untimed) before each run."""

    name: str
    command: list[str]
    reset: Callable[[], None]
    times: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)

    def run(self) -> tuple[float, int]:
        self.reset()
        return timed(self.command)

    def line(self) -> str:
        t = self.times
        peak = f"{max(self.peaks) / 2**20:.0f}" if any(self.peaks) else "-"
        return (
            f"| {self.name} | {statistics.median(t):.2f} | {min(t):.2f} | {max(t):.2f} | {peak} |"
        )


def series(contenders: list[Contender], runs: int) -> None:
    """A warm-up round, then ``runs`` rounds of every contender once, the order rotating."""
    for round_ in range(runs + 1):
        shift = round_ % len(contenders)
        for contender in contenders[shift:] + contenders[:shift]:
            seconds, peak = contender.run()
            if round_:  # the first round only warms the caches of the disk and the libraries
                contender.times.append(seconds)
                contender.peaks.append(peak)


def ratio(name: str, a: Contender, b: Contender, target: str = "") -> str:
    """The paired ratio a/b: the median of the rounds' ratios, their min and max."""
    ratios = [x / y for x, y in zip(a.times, b.times, strict=True)]
    medians = statistics.median(a.times) / statistics.median(b.times)
    return (
        f"| {name} | {statistics.median(ratios):.2f}x | {min(ratios):.2f}x | "
        f"{max(ratios):.2f}x | {medians:.2f}x | {target} |"
    )


def linked_copy(corpus: Path, folder: Path, settings: str = "") -> Path:
    """A copy of a corpus site: its files are hard links (a build only reads them) or, on
    another disk, copies; no cache and no output. ``settings`` are added to its site.yaml."""
    folder.mkdir(parents=True)
    same_disk = folder.stat().st_dev == corpus.stat().st_dev
    copy = os.link if same_disk else shutil.copyfile
    shutil.copytree(corpus / "content", folder / "content", copy_function=copy)
    (folder / "site.yaml").write_text((corpus / "site.yaml").read_text() + settings)
    return folder


def cuepress(name: str, corpus: Path, work: Path, *, settings: str = "") -> Contender:
    site = linked_copy(corpus, Path(tempfile.mkdtemp(dir=work)) / "site", settings)
    return Contender(name, build_command(site), lambda: cold(site))


def pelican_contender(name: str, corpus: Path, work: Path) -> Contender:
    project = pelican.make(corpus)
    output = work / "pelican-output"
    command = [PYTHON, "-m", "pelican", str(project / "content"), "-o", str(output)]
    command += ["-s", str(project / "pelicanconf.py"), "-q"]
    return Contender(name, command, lambda: shutil.rmtree(output, ignore_errors=True))


def floor_contender(name: str, corpus: Path, work: Path) -> Contender:
    output = work / "floor-output"
    command = [PYTHON, "-m", "bench.build", "floor", str(corpus), str(output)]
    return Contender(name, command, lambda: shutil.rmtree(output, ignore_errors=True))


# The plain-Python floor ----------------------------------------------------------------------

_CUE = re.compile(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\S+)[^\n]*\n(.*)")


def default_files(vtt: Path, output: Path) -> None:
    """One episode of the floor: the files Cuepress writes by default (``transcript_files:
    [vtt, json]``), the page's transcript, WebVTT and JSON, each one f-string per cue, no
    checks."""
    rows, vtts, jsons = [], [], []
    for h, m, sec, ms, end, words in _CUE.findall(vtt.read_text()):
        second = int(h) * 3600 + int(m) * 60 + int(sec)
        safe = html.escape(words, quote=False)
        rows.append(
            f'<p id="t={second}" data-t="{second}.{ms}"><a href="#t={second}">{m}:{sec}</a> '
            f"{safe}</p>\n"
        )
        vtts.append(f"\nt={second}\n{h}:{m}:{sec}.{ms} --> {end}\n{safe}\n")
        jsons.append(f'{{"startTime":{second}.{ms},"body":"{words}"}}')
    folder = output / vtt.stem
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(f"<!doctype html><title>{vtt.stem}</title>{''.join(rows)}")
    (folder / "transcript.vtt").write_text("WEBVTT\n" + "".join(vtts))
    (folder / "transcript.json").write_text('{"segments":[' + ",".join(jsons) + "]}")


def floor(site: Path, output: Path) -> None:
    """What a bare script writing Cuepress's default files per episode takes, on every core."""
    import multiprocessing

    vtts = sorted((site / "content" / "episodes").glob("*.vtt"))
    with multiprocessing.get_context("fork").Pool() as pool:
        pool.starmap(default_files, [(vtt, output) for vtt in vtts], chunksize=8)


# Rebuilds ------------------------------------------------------------------------------------


def edit_one_cue(site: Path, n: int) -> None:
    vtt = site / "content" / "episodes" / "ep0007.vtt"
    text = vtt.read_text()
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if "-->" in line) + 1
    lines[index] = re.sub(r" edited\d+$", "", lines[index]) + f" edited{n}"
    vtt.unlink()  # the corpus's file is linked, not copied: never write through the link
    vtt.write_text("\n".join(lines))


def edit_layout(site: Path, n: int) -> None:
    layouts = site / "layouts"
    layouts.mkdir(exist_ok=True)
    source = ROOT / "layouts" / "404.html"
    (layouts / "404.html").write_text(source.read_text() + f"\n<!-- edit {n} -->\n")


def states(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder below ``folder`` with its inode and modification time."""
    found = {}
    for path in [folder, *folder.rglob("*")]:
        st = path.lstat()
        found[path.relative_to(folder).as_posix()] = (st.st_ino, st.st_mtime_ns)
    return found


def contents(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (its marker aside) with a digest of its bytes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.blake2b(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != ".cuepress"
    }


def rebuilds(corpus: Path, work: Path, runs: int) -> tuple[list[str], list[str]]:
    """Rows for the rebuilds of one site, and the lines of the two checks."""
    site = linked_copy(corpus, work / "rebuilt-site")
    rows: list[str] = []

    def repeat(name: str, prepare: Callable[[int], None]) -> None:
        row = Contender(name, build_command(site), lambda: None)
        for n in range(runs):
            prepare(n)
            seconds, peak = row.run()
            row.times.append(seconds)
            row.peaks.append(peak)
        rows.append(row.line())

    timed(build_command(site))
    timed(build_command(site))  # the first rebuild after a cold build fills the back copy
    before = states(site / "output")
    repeat("rebuild, nothing changed", lambda n: None)
    untouched = states(site / "output") == before
    repeat("rebuild, one cue edited", lambda n: edit_one_cue(site, n))
    shows_edit = f"edited{runs - 1}" in (site / "output/episodes/ep0007/index.html").read_text()
    repeat("rebuild, a layout changed", lambda n: edit_layout(site, n))
    again = work / "rebuilt-site-cold"  # the same input, built from a true cold start
    shutil.copytree(site, again, ignore=shutil.ignore_patterns("output", ".cache"))
    timed(build_command(again))
    same = contents(site / "output") == contents(again / "output")
    checks = [
        f"- A rebuild with nothing changed touched no file of the output: {untouched}.",
        f"- The one-cue edit showed on its page: {shows_edit}.",
        "- The output built incrementally (a cue edited, a layout changed, each several times)"
        f" equals a cold build of the same input byte for byte: {same}.",
    ]
    return rows, checks


# The report ----------------------------------------------------------------------------------

READING = """\
How to read this: every time is a whole process (`python -m generator build`, `python -m
pelican`), the median of the runs with the fastest and slowest, and the peak memory of its
process tree. A cold build is a true cold start: the output folder and the site's `.cache/`
are deleted before each run (`rm -rf output .cache`, what a fresh CI checkout has), and the
deletion is not timed. Creating thousands of files just after deleting thousands is slower
on some file systems (ext4's inode allocator skips recently freed inodes), and that is part
of the figure, as it is for a user who cleans and builds. The cold builds run paired, in one
series: a warm-up round, then every contender once per round, the order rotating; the
ratios are the median of the rounds' own ratios (with their min and max) and, beside it,
the ratio of the medians. On a machine other work shares, a single run moves by up to 2x or
more; the paired ratios move much less, and are what to compare.

Pelican gets the same archive as one Markdown article per episode with its title, date,
tags, summary and transcript text (`bench/pelican.py`: a paragraph per speaker turn, no
times), its default theme and settings, pages of 20 articles, no cache. The floor is what a
bare Python script writing the same three files per episode as Cuepress's default (page,
WebVTT, JSON) takes on every core. The word-level JSON archive holds about as much
speech as the WebVTT one, as Buzzsprout publishes it: one JSON segment per word, 10,500 an
episode, which the build merges into about 450 readable segments an episode; 'segments:
as-is' keeps every word as a segment."""


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


def new_pages_cost(corpus: Path, work: Path, fastest: float) -> list[str]:
    """What the pages of people, topics and related episodes cost a cold build of ``corpus``,
    timed in this process: the CPU time of the site's own pages made with and without the
    people and tag pages (alternating, medians of :data:`REPEATS`), and of choosing every
    episode page's related episodes (reading each record's front matter, then choosing)."""
    cold_cpu: list[float] = []
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
        return render_site(built.site, [renderer], episodes, renderer, site, names, Problems())

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
    base = fastest * 1000  # the cold run the machine's load held back least
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


def load() -> float:
    return os.getloadavg()[0]


def measure(episodes: int, runs: int, big: int, work: Path) -> list[str]:
    corpus = make(episodes)
    loads = [load()]
    main = cuepress(f"Cuepress, cold, {episodes} episodes", corpus, work)
    contenders = [main]
    peer: Contender | None = None
    if importlib.util.find_spec("pelican") is not None:
        import pelican as pelican_package  # the peer's version, for the table

        name = f"Pelican {pelican_package.__version__}, cold, the same {episodes} episodes"
        peer = pelican_contender(name, corpus, work)
        contenders.append(peer)
    name = f"plain-Python floor, the same three files per episode ({os.cpu_count()} processes)"
    floor_row = floor_contender(name, corpus, work)
    contenders.append(floor_row)
    large: Contender | None = None
    if big:
        large = cuepress(f"Cuepress, cold, {big} episodes", make(big), work)
        contenders.append(large)
    series(contenders, runs)
    loads.append(load())
    rebuilt, checks = rebuilds(corpus, work, runs)
    words = make(episodes, word_level=True)  # as much speech, one JSON segment per word
    name = f"Cuepress, cold, {episodes} episodes of word-level JSON, merged into segments"
    merged = cuepress(name, words, work)
    name = f"Cuepress, cold, {episodes} episodes of word-level JSON, segments: as-is"
    as_is = cuepress(name, words, work, settings="segments: as-is\n")
    series([merged, as_is], max(1, runs // 2))
    loads.append(load())

    lines = [
        f"Cuepress build benchmark on {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, search off (`make bench`): true cold builds, paired "
        f"in one series of {runs} rounds after a warm-up. Every process reads its modules' "
        "bytecode as an installed program does (`PYTHONDONTWRITEBYTECODE` is unset for them).",
        "",
        f"**Load:** the 1-minute load average was {loads[0]:.1f} at the start, {loads[1]:.1f} "
        f"after the cold series and {loads[2]:.1f} at the end, on {os.cpu_count()} cores."
        + (
            " The machine was busy with other work: single times are not this build's own;"
            " compare the paired ratios."
            if max(loads) > 0.5 * (os.cpu_count() or 1)
            else ""
        ),
        "",
        "| run | median s | min s | max s | peak MB (process tree) |",
        "| --- | --- | --- | --- | --- |",
        *(c.line() for c in contenders),
        *rebuilt,
        merged.line(),
        as_is.line(),
        "",
        "| paired ratio | median | min | max | ratio of medians | target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    if peer is not None:
        lines.append(ratio("Cuepress / Pelican, cold", main, peer, "at most 0.5x"))
    lines.append(ratio("Cuepress / the floor, cold", main, floor_row))
    if large is not None:
        lines.append(ratio(f"{big} / {episodes} episodes, cold", large, main, "at most 4.2x"))
    if peer is None:
        lines += ["", "Pelican is not installed (`make bench` installs it): no Pelican row."]
    lines += ["", *checks, "", READING, "", *new_pages_cost(corpus, work, min(main.times))]
    return lines


def main() -> None:
    if sys.argv[1:2] == ["floor"]:  # one run of the floor, timed by the series as a process
        floor(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    # Each contender runs as an installed program does, with its bytecode (.pyc) written once
    # and read after: with PYTHONDONTWRITEBYTECODE set (as on some CI machines) every process
    # compiles every module again, 65 ms of each Cuepress run and likewise for Pelican.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    episodes = int(sys.argv[1]) if len(sys.argv) > 1 else 560
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    big = int(sys.argv[3]) if len(sys.argv) > 3 else episodes * 4
    (ROOT / "bench" / "corpus").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "corpus") as folder:
        lines = measure(episodes, runs, big, Path(folder))
    table = "\n".join(lines) + "\n"
    print(table)
    if episodes >= 500:  # the real run, not make bench-quick
        (ROOT / "bench" / "RESULTS.md").write_text(table)


if __name__ == "__main__":
    main()
