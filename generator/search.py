"""The only Pagefind room: the search page and its index, made from the episodes the build has.

Pagefind indexes one small page per episode, written by Cuepress and given to the ``pagefind``
program (its command line, a public interface): the episode's *distinct* words, each once, in
the order they are first said (title and summary first). That is the whole cost lever: Pagefind's
time and a query's download grow with the word positions it stores, and an hour of talk holds
about 11,000 words but only a few hundred to a few thousand distinct ones. A word said in every
episode costs one entry per episode, not one per time it was said, so no word has to be left
out of queries.

Where each word was said lives beside the index, in Cuepress's own small files
(``pagefind/lines/DIGEST-N.gz``, gzip JSON, named by the episode's digest): the first holds the
*word map* (for each word position of the page, the first ``FIRST`` lines that say the word) of
the first ``MAPPED`` positions, the summary and the first ``HEAD`` lines; the second the rest of
the word map; each further one ``BLOCK`` lines, as ``[seconds, text]``. The search page asks
Pagefind which episodes hold the words and at which positions, maps those to lines through the
word map, and fetches only the line files holding them (for a common word, said early, the first
alone): every hit links to its line's exact second. Title, date, tags, speakers, year and the
digest ride along as Pagefind filters (stored, not searched; Pagefind 1.5 searches meta).

Each episode's page and line files are kept in the build cache under its digest, so a build
prepares only new or changed episodes. Episodes are indexed oldest first in tiers
(:func:`tiers`, a function of the number of episodes alone, so a build from the cache makes
what a cold build makes): sealed indexes of ``TIERS[0]``, then one index for each smaller tier,
then the newest few; the search page merges them. Pagefind cannot update an index, so an index
is made again whole when one of its episodes changes; the files it shares with the index made
last in its place are linked, not written. The live preview indexes in its own smaller parts
(:func:`preview_tiers`), so that a save re-indexes a few episodes wherever it was made.
Pagefind numbers the pages in the order it lists the folder they are written to, so its bundle
is byte for byte the same from build to build on one machine.

What the tiers trade (measured with pages of about 1,800 distinct words, a real hour of talk;
README, Search): Pagefind's time grows with the word positions it indexes, about 7.5 ms an
episode, half of it compressing its output (a profile of the program), so an index of 2,000
takes about 15 s and one of 20 a quarter of a second; but every index a query merges costs it
Pagefind's metadata and one index chunk (about 25 kB, whatever the index's size). A new
episode or an edit of one of the newest re-indexes a small index; an edit of an older one
re-indexes the large index holding it. A small index of edited episodes on top, whose
episodes the search page would leave out of the older indexes, would make every edit cheap,
but a build after an edit would then differ from a cold build of the same episodes (which
cannot know which were edited), and each such index costs every query another chunk.

Pagefind is pinned (``PAGEFIND_VERSION``): its filter files are rewritten in sorted order for
reproducible bytes (:func:`reproducible`), which reads its private CBOR format; a test fails
when another version is installed.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import io
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Generator, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from json.encoder import encode_basestring as _string  # json.dumps's, for one string
from pathlib import Path
from typing import Any

from generator.cache import DROPPED, drop, room_of, root_of, write_entry
from generator.errors import CuepressError, Problems
from generator.models import Episode, Site
from generator.paths import files_under
from generator.render import Renderer
from generator.transcripts import exports

PAGEFIND_VERSION = "1.5.2"  # the exact release this module is tested against (see reproducible)
# Episodes per index, oldest first (see tiers): sealed indexes of the first, then at most one
# index of a multiple of each next one, then the newest few. Pagefind's time grows with an
# index's episodes, a query's download with the number of indexes.
TIERS = (2000, 200, 20)
# The live preview's indexes (its own output, never published): parts of PREVIEW_PART episodes,
# so that a save re-indexes at most 25 (about a third of a second) whichever episode it changed;
# a query there merges one index a part (20 for 500 episodes: 0.8 s), so an archive of more than
# PREVIEW_PARTS parts has parts twice as large, and so on (6,000 episodes: 30 parts of 200; 240
# of 25 took 3.5 s a query). See preview_tiers.
PREVIEW_PART = 25
PREVIEW_PARTS = 40
FIRST = 5  # lines kept per word and episode in the word map: what a result shows
# What the first line file holds beside the summary, so that a query for a common word fetches
# it alone per episode: the word map of the first MAPPED word positions (the words said first,
# common words among them; the rest of the map is the second file) and the first HEAD lines
# (where a common word's first lines are; a real hour's lines compress poorly).
MAPPED = 256
HEAD = 150
BLOCK = 300  # lines per further line file (fewer files: each costs more to write and link)
FOLDER = "pagefind/"
LINES = "lines/"  # Cuepress's line files, inside FOLDER
PARALLEL_FROM = 16  # episodes to prepare; below this a second process costs more
FORMAT = 5  # of the pages and line files: bump when what prepare() makes changes
PAGE = "search/index.html"
# What the JavaScript API needs from a bundle; Pagefind's UI kits and playground stay out.
_KEEP = re.compile(
    r"pagefind\.js|pagefind-entry\.json|wasm\.[\w-]+\.pagefind|[^/]+\.pf_meta"
    r"|(index|fragment|filter)/[^/]+"
)
# Whitespace to Python, JavaScript (\s) and Rust alike, and the zero-width space that Pagefind
# treats as a word boundary: all become one plain space, so words agree everywhere.
_SPACE = re.compile(r"[\s\ufeff\u200b]+")
_TAG = re.compile(r"<[^>]*>")
# A word as the search page marks it: a run of non-space characters, without the punctuation
# around it (letters or digits at both ends), lower case. search.js's key() is the same.
_WORD = re.compile(r"[^\W_](?:\S*[^\W_])?")


@dataclass(frozen=True, slots=True)
class Prepared:
    """What search keeps of one episode: its page for Pagefind and its line files."""

    digest: str
    url_path: str  # episodes/SLUG/
    page: bytes | None  # the HTML page Pagefind indexes (None: in the cache, read when needed)
    files: dict[str, bytes]  # line files by name (DIGEST-N.gz); empty bytes when in the cache


# The page and the bundle ---------------------------------------------------------------------


def search_files(
    site: Site,
    episodes: Sequence[Episode],
    renderer: Renderer,
    files: Mapping[str, Path],
    problems: Problems,
    *,
    preview: bool = False,
) -> dict[str, Path]:
    """The search page and the search index of ``episodes``, as site paths -> files kept in
    the build cache. For the live ``preview``, the page alone, listing the preview's index
    parts (:func:`preview_tiers`), which :func:`write_bundle` makes after the reload.

    ``files`` maps the site's files to where they are now: each episode's ``transcript.json``
    (its ``transcript.vtt`` where the site builds no JSON) is read from there. Problems go to
    ``problems``.
    """
    result: dict[str, Path] = {}
    store = store_for(renderer.site_dir)
    try:
        page = renderer.render(
            "search.html",
            search=SearchPage.of(episodes),
            indexes=index_folders(episodes, preview=preview),
        ).encode("utf-8")
    except CuepressError as exc:
        if exc.problem not in problems.errors:
            problems.add(exc)
        return result
    folder = store / f"page-{_digest(page)}"
    write_entry(folder, {"index.html": page})
    result[PAGE] = folder / "index.html"
    if not preview:
        try:
            result.update(bundle(site, episodes, files, store))
        except (OSError, RuntimeError, EOFError, subprocess.SubprocessError) as exc:
            problems.error("site.yaml", None, _failure(exc, root_of(renderer.site_dir)))
        else:
            cut = len(str(store)) + 1  # the entry each file is in: its first folder in store
            _prune(store, {str(p)[cut:].split(os.sep, 1)[0] for p in result.values()})
    return result


@dataclass(frozen=True)
class SearchPage:
    """What the search page offers to filter by."""

    tags: list[str]
    speakers: list[str]
    years: list[str]

    @classmethod
    def of(cls, episodes: Sequence[Episode]) -> SearchPage:
        tags: set[str] = set()
        speakers: set[str] = set()
        for episode in episodes:
            tags.update(episode.tags)
            speakers.update(
                _people(episode, episode.transcript.speakers if episode.transcript else ())
            )
        years = sorted({str(e.date.year) for e in episodes}, reverse=True)
        return cls(sorted(tags, key=str.casefold), sorted(speakers, key=str.casefold), years)


def tiers(count: int, sizes: Sequence[int] | None = None) -> list[int]:
    """How many episodes each index holds, oldest first, for an archive of ``count``: as many
    sealed indexes of ``sizes[0]`` (default :data:`TIERS`) as fit, then for each smaller tier
    one index of the largest multiple of it that fits in what is left, then the rest (fewer
    than the last tier).

    A function of the count alone, so a build from the cache makes what a cold build does. A
    new episode changes only the newest index, which holds fewer than ``TIERS[-1]`` unless the
    episode completes a tier (then the index above it grows: every ``TIERS[-1]`` episodes the
    next, and so on); an edited episode re-indexes the index holding it. There are at most
    ``len(TIERS)`` indexes besides the sealed ones (2000, 200, 20: 500 episodes are indexes of
    400 and 100; 6,000 are three of 2,000)."""
    sizes = sizes or TIERS
    made = [sizes[0]] * (count // sizes[0])
    left = count - sum(made)
    for tier in (*sizes[1:], 1):
        if left >= tier:
            made.append(left // tier * tier)
            left -= made[-1]
    return made or [0]


def preview_tiers(count: int) -> tuple[int]:
    """The live preview's tiers for an archive of ``count``: parts of :data:`PREVIEW_PART`
    episodes, doubled until there are at most :data:`PREVIEW_PARTS` (the size changes only
    when the archive doubles, and then every part is made again, once)."""
    size = PREVIEW_PART
    while count > size * PREVIEW_PARTS:
        size *= 2
    return (size,)


def _tiers_for(count: int, preview: bool) -> Sequence[int] | None:
    return preview_tiers(count) if preview else None


def index_folders(episodes: Sequence[Episode], *, preview: bool = False) -> list[str]:
    """The bundle folders, relative to the site root, one per index (see tiers): the first
    holds Pagefind's script."""
    count = len(tiers(len(episodes), _tiers_for(len(episodes), preview)))
    return [FOLDER] + [f"{FOLDER}part-{n}/" for n in range(2, count + 1)]


def shards(episodes: Sequence[Episode], *, preview: bool = False) -> list[list[Episode]]:
    """The episodes of each index: oldest first, in runs of :func:`tiers`."""
    ordered = sorted(episodes, key=lambda e: (e.date, e.number or 0, e.slug))
    parts, start = [], 0
    for size in tiers(len(ordered), _tiers_for(len(ordered), preview)):
        parts.append(ordered[start : start + size])
        start += size
    return parts


def bundle(
    site: Site,
    episodes: Sequence[Episode],
    files: Mapping[str, Path],
    store: Path,
    interrupt: threading.Event | None = None,
    *,
    preview: bool = False,
) -> dict[str, Path]:
    """Every shard's index in its folder and every episode's line files, as site paths ->
    files in ``store``. Episodes and shards unchanged since an earlier build are reused; the
    others are prepared and indexed, one Pagefind per core at a time.

    A shard's Pagefind starts as soon as its episodes are prepared, while the newer shards'
    are still being prepared (a cold build: the oldest shard, the largest, is indexed while
    the rest is prepared)."""
    language = site.language.lower()
    stop = interrupt or threading.Event()
    parts = shards(episodes, preview=preview)
    pointer = ".preview-" if preview else ".shard-"  # the index last made in each place
    stream = _prepared([e for part in parts for e in part], files, store, language, stop)
    version = f"{FORMAT} {_pagefind_version()} {language}".encode()
    prepared: list[list[Prepared]] = []
    keys: list[str] = []
    running: dict[int, Future[dict[str, bytes]]] = {}
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        try:
            for number, part in enumerate(parts):
                prepared.append([next(stream) for _ in part])
                keys.append("index-" + _digest(version, *(p.digest.encode() for p in prepared[-1])))
                if not (store / keys[-1]).is_dir():
                    pages = [_with_page(p, store) for p in prepared[-1]]
                    running[number] = pool.submit(index, pages, language, stop)
            for _ in stream:  # none left: this ends the preparing (and keeps its memo)
                raise AssertionError("more episodes prepared than shards hold")
        except BaseException:
            stream.close()  # the worker processes end
            pool.shutdown(cancel_futures=True)
            raise
        for number, future in running.items():
            # The shard's last index shares most files (fragments are named by their content):
            # those are linked from it, not written again.
            previous = _last_index(store / f"{pointer}{number}")
            write_entry(store / keys[number], future.result(), previous=previous)
            (store / f"{pointer}{number}").write_text(keys[number])
    result: dict[str, Path] = {}
    folders = index_folders(episodes, preview=preview)
    for number, (folder, key) in enumerate(zip(folders, keys, strict=True)):
        for name, path in files_under(store / key):
            if number and name.startswith(("pagefind.js", "wasm.")):
                continue  # the script is loaded from the first only
            result[folder + name] = path
    for ready in prepared:
        for made in ready:
            entry = store / f"lines-{made.digest}"
            for name in made.files:
                result[FOLDER + LINES + name] = entry / name
    return result


def _last_index(pointer: Path) -> Path | None:
    try:
        folder = pointer.parent / pointer.read_text()
    except OSError:
        return None
    return folder if folder.is_dir() else None


def _with_page(prepared: Prepared, store: Path) -> Prepared:
    if prepared.page is not None:
        return prepared
    page = (store / f"lines-{prepared.digest}" / "page.html").read_bytes()
    return Prepared(prepared.digest, prepared.url_path, page, prepared.files)


def write_bundle(
    output: Path,
    site: Site,
    episodes: Sequence[Episode],
    site_dir: Path,
    interrupt: threading.Event | None = None,
) -> None:
    """Index the site built in ``output`` for the live preview and put its bundle in place,
    in the preview's parts (:func:`preview_tiers`, which its search page lists). The preview
    does this after it has shown the site, and sets ``interrupt`` (which raises
    :class:`Interrupted`) when a newer build is wanted, so indexing never delays a reload."""
    files = {
        f"{e.url_path}{name}": output / e.url_path / name
        for e in episodes
        if e.transcript is not None
        for name in SOURCES
        if (output / e.url_path / name).is_file()
    }
    made = bundle(site, episodes, files, store_for(site_dir), interrupt, preview=True)
    fresh, old = output / ".pagefind-new", output / ".pagefind-old"
    for folder in (fresh, old):
        shutil.rmtree(folder, ignore_errors=True)
    for path, source in made.items():
        target = fresh / path.removeprefix(FOLDER)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    current = output / FOLDER
    if current.exists():
        current.rename(old)
    fresh.rename(current)
    shutil.rmtree(old, ignore_errors=True)


def store_for(site_dir: Path) -> Path:
    """Where a site's search pages and indexes are kept between builds: a room of the build
    cache (generator/cache.py), which leaves it to this module."""
    return room_of(site_dir, "search")


def _failure(exc: BaseException, cache: Path) -> str:
    """The message for Pagefind failing with ``exc``: what went wrong and what to do.
    ``cache`` is the build cache's folder, which the episodes' transcripts are read from."""
    name = str(getattr(exc, "filename", None) or "")
    if isinstance(exc, FileNotFoundError) and name and Path(name).is_relative_to(cache):
        return (  # one of the build cache's files, not the program
            f"search: Pagefind could not build the index ({exc.filename} is missing); build "
            "again, and delete .cache/cuepress if it happens again"
        )
    if isinstance(exc, FileNotFoundError):
        reason = f"no Pagefind program at {exc.filename}" if name else "no Pagefind program"
    else:
        reason = str(exc) or type(exc).__name__
    return (
        f"search: Pagefind could not build the index ({reason}); reinstall Cuepress, whose "
        "pagefind[bin] dependency brings the program, or set search: false"
    )


SOURCES = ("transcript.json", "transcript.vtt")  # what the index reads, the first there is


def _source(episode: Episode, files: Mapping[str, Path]) -> Path | None:
    """The episode's transcript file the index reads: its JSON, else its WebVTT (site.yaml's
    ``transcript_files`` always builds one of them)."""
    for name in SOURCES:
        path = files.get(episode.url_path + name)
        if path is not None:
            return path
    return None


def _digest(*parts: bytes) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()


def _prune(store: Path, keep: set[str]) -> None:
    """Remove the pages, indexes and line files no longer used (a build in progress elsewhere
    may make its own again)."""
    for folder in store.glob("*"):
        if folder.name not in keep and not folder.name.startswith("."):
            drop(folder)
        elif folder.name.startswith(DROPPED):  # left by a build killed while deleting
            shutil.rmtree(folder, ignore_errors=True)


# Episodes ------------------------------------------------------------------------------------


def prepare_all(
    episodes: Sequence[Episode],
    files: Mapping[str, Path],
    store: Path,
    language: str,
    interrupt: threading.Event | None = None,
) -> list[Prepared]:
    """Each episode's page and line files, from the cache where its digest is there already;
    the others are made and kept (in worker processes when there are many: a cold build).

    An episode's digest covers its details and its transcript's bytes. The transcripts are
    files of the build cache, written once and never changed, so a digest is remembered by the
    file's identity (device, inode, size, time) in ``.digests.json``: a build reads only the
    transcripts it has not seen."""
    return list(_prepared(episodes, files, store, language, interrupt or threading.Event()))


def _prepared(
    episodes: Sequence[Episode],
    files: Mapping[str, Path],
    store: Path,
    language: str,
    interrupt: threading.Event,
) -> Generator[Prepared, None, None]:
    """:func:`prepare_all` one episode at a time, in order, each as soon as it is made (the
    worker processes start at the first): the memo is written once the last is taken."""
    memo_path = store / ".digests.json"
    try:
        memo: dict[str, Any] = json.loads(memo_path.read_bytes())
    except (OSError, ValueError):
        memo = {}
    seen: dict[str, Any] = {}
    found: list[Prepared | None] = []
    todo: list[tuple[str, tuple[Episode, Path | None, str, Path]]] = []
    for episode in episodes:
        path = _source(episode, files)
        identity = "none"
        if path is not None:
            state = path.stat()
            identity = f"{state.st_dev}:{state.st_ino}:{state.st_size}:{state.st_mtime_ns}"
        said = memo.get(identity)
        if isinstance(said, str):
            digest = _episode_digest(episode, said, language)
            blocks = memo.get(digest)
            if isinstance(blocks, int) and (store / f"lines-{digest}").is_dir():
                names = [f"{digest}-{n}.gz" for n in range(blocks)]
                found.append(Prepared(digest, episode.url_path, None, dict.fromkeys(names, b"")))
                seen[identity], seen[digest] = said, blocks
                continue
        found.append(None)  # read, and prepared unless its digest is in the cache (a worker's)
        todo.append((identity, (episode, path, language, store)))
    with _mapping(_prepare_job, [job for _, job in todo], interrupt) as results:
        identities = iter(todo)
        for known in found:
            if known is not None:
                yield known
                continue
            identity, _ = next(identities)
            said, made = next(results)
            seen[identity], seen[made.digest] = said, len(made.files)
            yield made
    if seen != memo:
        store.mkdir(parents=True, exist_ok=True)
        temporary = memo_path.with_name(f".digests.{os.getpid()}.json")
        temporary.write_text(json.dumps(seen))
        os.replace(temporary, memo_path)


@contextmanager
def _mapping(function: Any, jobs: list[Any], interrupt: threading.Event) -> Iterator[Iterator[Any]]:
    """``function`` over ``jobs``, in order, each result as soon as it is there: on every core
    when there are many and this is the main thread (forking beside the preview's threads is
    unsafe; the processes are forked on entry, before the caller starts a thread); else here,
    stopping when ``interrupt`` is set."""
    workers = os.cpu_count() or 1
    if (
        len(jobs) < PARALLEL_FROM
        or workers < 2
        or threading.current_thread() is not threading.main_thread()
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield _serially(function, jobs, interrupt)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield pool.imap(function, jobs, chunksize=max(1, len(jobs) // (workers * 8)))


def _serially(function: Any, jobs: list[Any], interrupt: threading.Event) -> Iterator[Any]:
    for job in jobs:
        if interrupt.is_set():
            raise Interrupted
        yield function(job)


def _prepare_job(job: tuple[Episode, Path | None, str, Path]) -> tuple[str, Prepared]:
    """One episode's transcript digest and what it makes, kept in ``store`` unless it is
    there already (in a worker: reading and writing run in parallel too); only the page and the
    names of the files travel back."""
    episode, path, language, store = job
    transcript = path.read_bytes() if path is not None else b""
    said = _digest(transcript)
    digest = _episode_digest(episode, said, language)
    entry = store / f"lines-{digest}"
    try:
        page = (entry / "page.html").read_bytes()
    except OSError:
        segments = exports.segments_of(transcript)
        made = prepare(episode, segments, digest, language)
        assert made.page is not None
        write_entry(entry, {"page.html": made.page, **made.files})
        return said, Prepared(digest, made.url_path, made.page, dict.fromkeys(made.files, b""))
    names = sorted((p.name for p in entry.glob("*.gz")), key=lambda n: int(n[33:-3]))
    return said, Prepared(digest, episode.url_path, page, dict.fromkeys(names, b""))


def _episode_digest(episode: Episode, transcript_digest: str, language: str) -> str:
    made = f"{FORMAT} {FIRST} {MAPPED} {HEAD} {BLOCK} {language}".encode()  # prepare()'s
    return _digest(made, _about(episode), transcript_digest.encode())


def _about(episode: Episode) -> bytes:
    about = [
        episode.slug, episode.url_path, episode.title, episode.date.isoformat(),
        episode.summary_html, episode.tags, episode.hosts, episode.guests,
    ]  # fmt: skip
    return json.dumps(about, ensure_ascii=False).encode()


def words(text: str) -> list[str]:
    """The words of ``text`` as the search page keys them: lower case, without the
    punctuation around them."""
    return _WORD.findall(_SPACE.sub(" ", text).lower())


def prepare(
    episode: Episode, segments: Sequence[Mapping[str, Any]], digest: str, language: str
) -> Prepared:
    """The episode's page for Pagefind (its distinct words, its filters) and its line files,
    from the segments of its ``transcript.json`` (``startTime``, ``body``, ``speaker``).

    The cost of a cold build's search is mostly here and in Pagefind, so this is written for
    speed (README, Search: about 10 ms an episode before, in a profile): a token said again
    after its word has its ``FIRST`` lines costs one set lookup, a token is mapped to its word
    once (by a regex only when it holds more than letters and digits), and the line files'
    JSON is joined from each line's encoded once."""
    summary = plain(html.unescape(_TAG.sub(" ", episode.summary_html)))
    first: dict[str, list[int]] = {word: [] for word in words(f"{episode.title} {summary}")}
    texts = "\0".join(s["body"].replace("\0", " ") for s in segments).lower()  # \0: a new line
    if "\u200b" in texts or "\ufeff" in texts:  # the only spaces to Pagefind that \S takes
        texts = texts.replace("\u200b", " ").replace("\ufeff", " ")
    lines_of: dict[str, list[int]] = {}  # a token as said ("ladder,") -> its word's lines
    done: set[str] = set()  # tokens whose word has its FIRST lines, or none: soon most of them
    search = _WORD.search
    for number, line in enumerate(texts.split("\0")):
        for token in line.split():
            if token in done:
                continue
            seen = lines_of.get(token)
            if seen is None:
                if token.isalnum():  # the whole token is its word: [^\W_] is str.isalnum()
                    word = token
                else:
                    found = search(token)
                    if found is None:  # punctuation alone: no word
                        done.add(token)
                        continue
                    word = found.group()
                seen = first.get(word)
                if seen is None:
                    seen = first[word] = []
                lines_of[token] = seen
            if len(seen) >= FIRST:
                done.add(token)
            elif not seen or seen[-1] != number:
                seen.append(number)
    speakers = (s["speaker"] for s in segments if s.get("speaker"))
    filters = _filters(list(episode.tags), _people(episode, speakers), [str(episode.date.year)]) | {
        "episode": [episode.title],
        "date": [episode.date.isoformat()],
        "lines": [digest],
    }
    if episode.show:  # in a network, the search page filters by show (its address)
        filters["show"] = [episode.show]
    head = "".join(
        f'<meta data-pagefind-filter="{name}[content]" content="{html.escape(value)}">'
        for name, values in filters.items()
        for value in values
    )
    page = (
        f'<!doctype html><html lang="{html.escape(language)}"><head>{head}</head>'
        f"<body data-pagefind-body><p>{html.escape(' '.join(first))}</p></body></html>"
    )
    rows = _rows(segments)  # each line as JSON: [seconds, text], the seconds as JSON wrote them
    maps = list(first.values())
    texts_of = [
        f'{{"map":{_json(maps[:MAPPED])},"summary":{_string(summary)},"mapped":{MAPPED},'
        f'"head":{HEAD},"block":{BLOCK},"lines":[{",".join(rows[:HEAD])}]}}',
        f'{{"map":{_json(maps[MAPPED:])}}}',
    ]
    texts_of += [
        f'{{"lines":[{",".join(rows[n : n + BLOCK])}]}}' for n in range(HEAD, len(rows), BLOCK)
    ]
    made: dict[str, bytes] = {}
    for number, text in enumerate(texts_of):
        level = 6 if number == 0 else 1  # the file every result fetches: 8 % smaller
        made[f"{digest}-{number}.gz"] = gzip.compress(text.encode(), compresslevel=level, mtime=0)
    return Prepared(digest, episode.url_path, page.encode(), made)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _rows(segments: Sequence[Mapping[str, Any]]) -> list[str]:
    """``[startTime, body]`` of each segment as :func:`_json` writes it: the numbers written
    by one call (a number's JSON holds no comma), the texts by the encoder behind it."""
    starts = [s["startTime"] for s in segments]
    if not starts:
        return []
    if not {type(start) for start in starts} <= {int, float}:  # not from a transcript: slowly
        return [_json([s["startTime"], s["body"]]) for s in segments]
    numbers = _json(starts)[1:-1].split(",")
    return list(map("[{},{}]".format, numbers, map(_string, [s["body"] for s in segments])))


def plain(text: str) -> str:
    """``text`` with every run of whitespace one space."""
    return _SPACE.sub(" ", text).strip()


def _people(episode: Episode, speakers: Any) -> list[str]:
    return list(dict.fromkeys([*episode.hosts, *episode.guests, *speakers]))


def _filters(tags: list[str], speakers: list[str], year: list[str]) -> dict[str, list[str]]:
    found = {"tag": tags, "speaker": list(dict.fromkeys(speakers)), "year": year}
    return {key: values for key, values in found.items() if values}


# Running Pagefind ----------------------------------------------------------------------------


class Interrupted(Exception):
    """Indexing was stopped by its ``interrupt`` event (the preview has a newer build)."""


def build_indexes(
    parts: Sequence[Sequence[Prepared]], language: str, interrupt: threading.Event | None = None
) -> list[dict[str, bytes]]:
    """A Pagefind bundle for each part (paths relative to its folder), with at most one
    Pagefind running per core. Setting ``interrupt`` stops it within a moment."""
    stop = interrupt or threading.Event()
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        return list(pool.map(lambda part: index(part, language, stop), parts))


def index(part: Sequence[Prepared], language: str, interrupt: threading.Event) -> dict[str, bytes]:
    """The Pagefind bundle of one part's pages, its filters in a reproducible order."""
    return reproducible(_index(part, language, interrupt))


def _pagefind_version() -> str:
    try:
        return version("pagefind_bin")
    except PackageNotFoundError:  # pragma: no cover - a pagefind program found on PATH
        return "unknown"


def _program() -> str:
    """The Pagefind program: $PAGEFIND_BINARY_PATH, or the one pagefind[bin] installs."""
    from pagefind.service import get_executable  # Pagefind's public way to find it

    found = get_executable()
    if found is None:
        raise FileNotFoundError("no Pagefind program")
    return str(found)


def _scratch() -> str | None:
    """A folder in memory for Pagefind's input and output when the system has one (Linux):
    a thousand small files there cost nothing to write and delete. Folders left there by a
    build that was killed are removed."""
    shm = "/dev/shm"
    if not (os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK)):
        return None
    for stale in Path(shm).glob("cuepress-pagefind-*-*"):
        pid = stale.name.split("-")[2]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    return shm


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True


def _index(part: Sequence[Prepared], language: str, interrupt: threading.Event) -> dict[str, bytes]:
    """Pagefind's bundle for the pages of ``part``, by its command line."""
    program = _program()
    prefix = f"cuepress-pagefind-{os.getpid()}-"
    with tempfile.TemporaryDirectory(prefix=prefix, dir=_scratch()) as folder:
        site, output = Path(folder) / "site", Path(folder) / "bundle"
        site.mkdir()
        if not part:  # Pagefind makes no index of nothing: one page no episode (see search.js)
            (site / "index.html").write_text(
                "<!doctype html><html><body data-pagefind-body><p>cuepress-no-episodes</p>"
                "</body></html>"
            )
        for episode in part:  # Pagefind makes the page's URL from its path: episodes/SLUG/
            path = site / episode.url_path / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(episode.page or b"")
        command = [
            program, "--site", str(site), "--output-path", str(output),
            "--force-language", language, "--silent",
        ]  # fmt: skip
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=folder
        ) as process:
            while process.poll() is None:
                if interrupt.wait(0.02):
                    process.kill()
                    raise Interrupted
            said = process.stdout.read().decode(errors="replace") if process.stdout else ""
        if process.returncode:
            raise RuntimeError(f"pagefind exited with {process.returncode}: {said.strip()[:500]}")
        made = {
            name: path.read_bytes()
            for path in sorted(output.rglob("*"))
            if path.is_file() and _KEEP.fullmatch(name := path.relative_to(output).as_posix())
        }
    entry = json.loads(made["pagefind-entry.json"])
    wasm = {f"wasm.{info.get('wasm')}.pagefind" for info in entry["languages"].values()}
    return {name: data for name, data in made.items() if name in wasm or "wasm." not in name}


# Reproducible bytes --------------------------------------------------------------------------
# Pagefind 1.5 writes its filters in hash-map order, which changes from run to run. Sorting them
# (and naming the files by their new content) makes the same records give the same bytes.

_SIGNATURE = b"pagefind_dcd"


def reproducible(files: dict[str, bytes]) -> dict[str, bytes]:
    """``files`` with the filter lists in sorted order; unchanged if the format is unknown."""
    try:
        return _reorder_filters(files)
    except (ValueError, KeyError, IndexError, TypeError, OSError, EOFError):
        return files


def _reorder_filters(files: dict[str, bytes]) -> dict[str, bytes]:
    result = dict(files)
    entry = json.loads(files["pagefind-entry.json"])
    for language, info in entry["languages"].items():
        meta_path = f"pagefind.{info['hash']}.pf_meta"
        meta = _decode(files[meta_path])
        renamed: list[list[Any]] = []
        for name, old in sorted(meta[3], key=lambda pair: pair[0]):
            filter_index = _decode(files[f"filter/{old}.pf_filter"])
            filter_index[1].sort(key=lambda value: value[0])
            data = _encode(filter_index)
            new = f"{language}_{hashlib.sha256(data).hexdigest()[:7]}"
            del result[f"filter/{old}.pf_filter"]
            result[f"filter/{new}.pf_filter"] = data
            renamed.append([name, new])
        meta[3] = renamed
        data = _encode(meta)
        info["hash"] = f"{language}_{hashlib.sha256(data).hexdigest()[:10]}"
        del result[meta_path]
        result[f"pagefind.{info['hash']}.pf_meta"] = data
    result["pagefind-entry.json"] = json.dumps(
        entry, ensure_ascii=False, separators=(",", ":")
    ).encode()
    return result


def _decode(data: bytes) -> Any:
    raw = data if data.startswith(_SIGNATURE) else gzip.decompress(data)
    if not raw.startswith(_SIGNATURE):
        raise ValueError("not a Pagefind file")
    stream = io.BytesIO(raw[len(_SIGNATURE) :])
    value = _cbor_read(stream)
    if stream.read(1):
        raise ValueError("trailing bytes")
    return value


def _encode(value: Any) -> bytes:
    out = io.BytesIO()
    _cbor_write(out, value)
    return gzip.compress(_SIGNATURE + out.getvalue(), compresslevel=9, mtime=0)


def _cbor_read(stream: io.BytesIO) -> Any:
    """The CBOR subset Pagefind writes: integers, strings, arrays and maps."""
    head = stream.read(1)
    if not head:
        raise EOFError("truncated")
    major, info = head[0] >> 5, head[0] & 31
    if info < 24:
        number = info
    elif info <= 27:
        number = int.from_bytes(stream.read(1 << (info - 24)), "big")
    else:
        raise ValueError(f"unsupported CBOR head {head!r}")
    if major == 0:
        return number
    if major == 1:
        return -1 - number
    if major == 2:
        return stream.read(number)
    if major == 3:
        return stream.read(number).decode("utf-8")
    if major == 4:
        return [_cbor_read(stream) for _ in range(number)]
    if major == 5:
        return {_cbor_read(stream): _cbor_read(stream) for _ in range(number)}
    raise ValueError(f"unsupported CBOR type {major}")


def _cbor_write(out: io.BytesIO, value: Any) -> None:
    def head(major: int, number: int) -> None:
        if number < 24:
            out.write(bytes([major << 5 | number]))
            return
        for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if number < 1 << (8 * size):
                out.write(bytes([major << 5 | info]) + number.to_bytes(size, "big"))
                return
        raise ValueError("integer too large")

    if isinstance(value, bool):
        raise ValueError("booleans are not expected")
    if isinstance(value, int):
        head(0, value) if value >= 0 else head(1, -1 - value)
    elif isinstance(value, bytes):
        head(2, len(value))
        out.write(value)
    elif isinstance(value, str):
        encoded = value.encode("utf-8")
        head(3, len(encoded))
        out.write(encoded)
    elif isinstance(value, list):
        head(4, len(value))
        for item in value:
            _cbor_write(out, item)
    elif isinstance(value, dict):
        head(5, len(value))
        for key, item in value.items():
            _cbor_write(out, key)
            _cbor_write(out, item)
    else:
        raise ValueError(f"cannot encode {type(value).__name__}")
