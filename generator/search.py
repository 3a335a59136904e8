"""The only Pagefind room: the search page and its index, made from the episodes the build has.

Pagefind is fed custom records, not the built HTML. Each episode gives one record for its
summary (with the title as the record's title) and one per *window* of its transcript: up to
``WINDOW_LINES`` lines of one chapter, starting within ``WINDOW_MS`` of the first. A window's
text is its lines' words only, each line led by an anchor token, so Pagefind keeps every line's
start (``t=83.4``) with the word position where the line begins; the search page maps each
matching word to its line and links to that second. Fragments stay small (one window, not a
whole transcript). The episode's title and date ride along as filters, stored but not searched.

An archive of more than ``SHARD_EPISODES`` episodes is split (oldest first) into several
Pagefind indexes, built in parallel and merged by the search page. Pagefind cannot change an
index in place, so an index is the unit of rebuilding: each is kept in the build cache under a
digest of its episodes and reused while they are unchanged. Editing one episode re-indexes its
part of the archive; a new episode, only the newest part.

Words so common that one query for them would download a large part of the index (``the`` in a
long English archive) are listed beside the index, and the search page leaves them out.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import html
import io
import json
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NamedTuple, cast

from pagefind.index import IndexConfig
from pagefind.service import PagefindService

from generator.cache import discard, root_of, write_entry
from generator.errors import CuepressError, Problems
from generator.models import Chapter, Episode, Site
from generator.render import Renderer
from generator.timecodes import seconds_text

WINDOW_LINES = 100  # a record holds at most this many transcript lines ...
WINDOW_MS = 300_000  # ... starting within five minutes of its first (and never two chapters)
SHARD_EPISODES = 250  # episodes per index; a bigger archive is indexed in parallel parts
FOLDER = "pagefind/"
COMMON_FILE = "cuepress-common.json"  # words left out of queries: see common_words()
COMMON_AT = 100_000  # occurrences: about 70 kB of Pagefind index for the word alone
WORDS = "words.json"  # an index's word counts, kept beside it in the cache
COUNT_EVERY = 4  # words are counted in every 4th record
FORMAT = 3  # of the records: bump when what episode_records makes changes
PAGE = "search/index.html"
# Pagefind turns this token into an anchor (element, id, word position), as it does for an HTML
# element with an id; it is not indexed and not shown. See tests/test_search.py, which checks it.
ANCHOR = "___PAGEFIND_ANCHOR___"
# What the JavaScript API needs from a bundle; Pagefind's UI kits and playground stay out.
_KEEP = re.compile(
    r"pagefind\.js|pagefind-entry\.json|wasm\.[\w-]+\.pagefind|[^/]+\.pf_meta"
    r"|(index|fragment|filter)/[^/]+"
)
# Whitespace to Python, JavaScript (\s) and Rust alike, and the zero-width space that Pagefind
# treats as a word boundary: all become one plain space, so word positions agree everywhere.
_SPACE = re.compile(r"[\s\ufeff\u200b]+")
_TAG = re.compile(r"<[^>]*>")
_PUNCTUATION = "".join(chr(c) for c in range(0x20, 0x7F) if not chr(c).isalnum()) + "“”‘’«»…—–"


class Line(NamedTuple):
    """A transcript segment, as search needs it."""

    start_ms: int
    text: str
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One Pagefind record: the text searched, where a hit links, and what a result shows."""

    url: str  # relative to the site root: episodes/SLUG/#t=83
    content: str
    meta: dict[str, str] = field(default_factory=dict)  # searched too: only the title
    filters: dict[str, list[str]] = field(default_factory=dict)


# The page and the bundle ---------------------------------------------------------------------


def search_files(
    site: Site,
    episodes: Sequence[Episode],
    renderer: Renderer,
    files: Mapping[str, Path],
    problems: Problems,
    *,
    index: bool = True,
) -> dict[str, Path]:
    """The search page and, when ``index`` is true, the search index of ``episodes``, as site
    paths -> files kept in the build cache.

    ``files`` maps the site's files to where they are now: each episode's ``transcript.json``
    is read from there. Problems go to ``problems``.
    """
    result: dict[str, Path] = {}
    store = store_for(renderer.site_dir)
    try:
        page = renderer.render(
            "search.html", search=SearchPage.of(episodes), indexes=index_folders(episodes)
        ).encode("utf-8")
    except CuepressError as exc:
        if exc.problem not in problems.errors:
            problems.add(exc)
        return result
    folder = store / f"page-{_digest(page)}"
    write_entry(folder, {"index.html": page})
    result[PAGE] = folder / "index.html"
    if index:
        try:
            result.update(bundle(site, episodes, files, store))
        except (OSError, RuntimeError, EOFError) as exc:
            problems.error("site.yaml", None, _failure(exc, store.parent))
        else:
            _prune(store, {p.relative_to(store).parts[0] for p in result.values()})
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


def index_folders(episodes: Sequence[Episode]) -> list[str]:
    """The bundle folders, relative to the site root: the first holds Pagefind's script."""
    count = max(1, -(-len(episodes) // SHARD_EPISODES))
    return [FOLDER] + [f"{FOLDER}part-{n}/" for n in range(2, count + 1)]


def shards(episodes: Sequence[Episode]) -> list[list[Episode]]:
    """Episodes oldest first, in runs of ``SHARD_EPISODES``: a new episode joins the last."""
    ordered = sorted(episodes, key=lambda e: (e.date, e.number or 0, e.slug))
    return [ordered[n : n + SHARD_EPISODES] for n in range(0, len(ordered), SHARD_EPISODES)] or [[]]


def bundle(
    site: Site,
    episodes: Sequence[Episode],
    files: Mapping[str, Path],
    store: Path,
    interrupt: threading.Event | None = None,
) -> dict[str, Path]:
    """Every shard's index in its folder, as site paths -> files in ``store``. A shard whose
    episodes are unchanged since an earlier build is reused; the others are indexed, one
    Pagefind per core at a time."""
    language = site.language.lower()
    parts = shards(episodes)
    transcripts = [[_transcript(e, files) for e in part] for part in parts]
    keys = [
        "index-" + _fingerprint(part, texts, language)
        for part, texts in zip(parts, transcripts, strict=True)
    ]
    missing = [n for n, key in enumerate(keys) if not (store / key).is_dir()]
    records = [  # made as Pagefind takes them, while the other core indexes
        (
            r
            for e, data in zip(parts[n], transcripts[n], strict=True)
            for r in episode_records(e, read_lines(data))
        )
        for n in missing
    ]
    for n, made in zip(missing, build_indexes(records, language, interrupt), strict=True):
        write_entry(store / keys[n], made)
    result: dict[str, Path] = {}
    for number, (folder, key) in enumerate(zip(index_folders(episodes), keys, strict=True)):
        for path in sorted((store / key).rglob("*")):
            name = path.relative_to(store / key).as_posix()
            if name == WORDS or (number and name.startswith(("pagefind.js", "wasm."))):
                continue  # kept for common_words(); the script is loaded from the first only
            if path.is_file():
                result[folder + name] = path
    common = json.dumps(common_words([store / key / WORDS for key in keys])).encode()
    saved = store / f"common-{_digest(common)}"
    write_entry(saved, {COMMON_FILE: common})
    result[FOLDER + COMMON_FILE] = saved / COMMON_FILE
    return result


def common_words(counts: Sequence[Path]) -> list[str]:
    """The words said so often that Pagefind would download over ~70 kB of index for them
    (``the``, ``and`` ... in a long English archive): the search page leaves them out of a
    query, so that one query stays small. ``counts`` are each index's word counts."""
    total: Counter[str] = Counter()
    for path in counts:
        if path.is_file():
            total.update(json.loads(path.read_bytes()))
    return sorted(word for word, count in total.items() if count >= COMMON_AT)


def write_bundle(
    output: Path,
    site: Site,
    episodes: Sequence[Episode],
    site_dir: Path,
    interrupt: threading.Event | None = None,
) -> None:
    """Index the site built in ``output`` and put its bundle in place. The live preview does
    this after it has shown the site, and sets ``interrupt`` (which raises
    :class:`Interrupted`) when a newer build is wanted, so indexing never delays a reload."""
    files = {
        f"{e.url_path}transcript.json": output / e.url_path / "transcript.json"
        for e in episodes
        if e.transcript is not None
    }
    made = bundle(site, episodes, files, store_for(site_dir), interrupt)
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
    """Where a site's search pages and indexes are kept between builds: a folder of the build
    cache (generator/cache.py), which leaves it to this module."""
    return root_of(site_dir) / "search"


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


def _transcript(episode: Episode, files: Mapping[str, Path]) -> bytes:
    path = files.get(f"{episode.url_path}transcript.json")
    return path.read_bytes() if path is not None else b""


def read_lines(data: bytes) -> list[Line]:
    """The lines of a ``transcript.json`` that Cuepress wrote (Podcast Index JSON)."""
    if not data:
        return []
    return [
        Line(round(s["startTime"] * 1000), s["body"], s.get("speaker"))
        for s in json.loads(data)["segments"]
    ]


def _fingerprint(episodes: Sequence[Episode], transcripts: Sequence[bytes], language: str) -> str:
    """What a shard's records are made from: its episodes' details and transcripts."""
    digest = hashlib.blake2b(digest_size=16)
    version = f"{FORMAT} {WINDOW_LINES} {WINDOW_MS} {_pagefind_version()} {language}"
    digest.update(version.encode() + b"\0")
    for episode, transcript in zip(episodes, transcripts, strict=True):
        about = [
            episode.slug, episode.title, episode.date.isoformat(), episode.summary_html,
            episode.tags, episode.hosts, episode.guests,
            [(c.start_ms, c.title) for c in episode.chapters],
        ]  # fmt: skip
        digest.update(json.dumps(about, ensure_ascii=False).encode())
        digest.update(len(transcript).to_bytes(8, "little") + transcript)
    return digest.hexdigest()


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _prune(store: Path, keep: set[str]) -> None:
    """Remove the pages and indexes no longer used (a build in progress elsewhere may make
    its own again)."""
    for folder in store.glob("*"):
        if folder.name not in keep and not folder.name.startswith("."):
            discard(folder)
        elif folder.name.startswith(".discarded-"):  # left by a build killed while deleting
            shutil.rmtree(folder, ignore_errors=True)


# Records -------------------------------------------------------------------------------------


def episode_records(episode: Episode, lines: Sequence[Line]) -> list[Record]:
    """One record for the episode's title and summary, then one per window of its lines."""
    shown = {"episode": [episode.title], "date": [episode.date.isoformat()]}
    tags, year = list(episode.tags), [str(episode.date.year)]
    summary = plain(html.unescape(_TAG.sub(" ", episode.summary_html)))
    about = Record(
        url=episode.url_path,
        content=summary or plain(episode.title),
        meta={"title": episode.title},
        filters=_filters(tags, _people(episode, (s.speaker for s in lines if s.speaker)), year)
        | shown,
    )
    found = [about]
    for window in windows(lines, episode.chapters):
        content = plain(
            " ".join(
                f"{ANCHOR}p:{n}:t={seconds_text(line.start_ms)} {line.text}"
                for n, line in enumerate(window)
            )
        )
        speakers = [s.speaker for s in window if s.speaker]
        found.append(
            Record(
                url=f"{episode.url_path}#t={seconds_text(window[0].start_ms)}",
                content=content,
                filters=_filters(tags, speakers, year) | shown,
            )
        )
    return found


def windows(lines: Sequence[Line], chapters: Sequence[Chapter] = ()) -> list[tuple[Line, ...]]:
    """Consecutive lines in groups: a new group where a chapter starts, after ``WINDOW_LINES``
    lines, and at the first line starting ``WINDOW_MS`` or more after the group's first."""
    starts = sorted(c.start_ms for c in chapters)
    groups: list[list[Line]] = []
    chapter = -1
    for line in lines:
        now = chapter
        while now + 1 < len(starts) and starts[now + 1] <= line.start_ms:
            now += 1
        group = groups[-1] if groups else None
        if (
            group is None
            or now != chapter
            or len(group) >= WINDOW_LINES
            or line.start_ms - group[0].start_ms >= WINDOW_MS
        ):
            groups.append([line])
        else:
            group.append(line)
        chapter = now
    return [tuple(group) for group in groups]


def plain(text: str) -> str:
    """``text`` with every run of whitespace one space, as Pagefind counts words."""
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
    parts: Sequence[Iterable[Record]], language: str, interrupt: threading.Event | None = None
) -> list[dict[str, bytes]]:
    """A Pagefind bundle for each part (paths relative to its folder), with at most one
    Pagefind running per core. Setting ``interrupt`` stops it within a moment."""
    found: dict[int, dict[str, bytes]] = {}

    async def run_all() -> None:
        gate = asyncio.Semaphore(os.cpu_count() or 1)

        async def run(number: int) -> None:
            async with gate:
                made = await _index(parts[number], language, interrupt or threading.Event())
                found[number] = reproducible(made)

        await asyncio.gather(*(run(n) for n in range(len(parts))))

    if parts:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # the usual case: no event loop in this thread
            asyncio.run(run_all())
        else:  # a caller's loop is running here (Playwright's, in tests): use a thread
            with ThreadPoolExecutor(1) as thread:
                thread.submit(lambda: asyncio.run(run_all())).result()
    return [found[n] for n in range(len(parts))]


def _pagefind_version() -> str:
    try:
        return version("pagefind_bin")
    except PackageNotFoundError:  # pragma: no cover - a pagefind program found on PATH
        return "unknown"


async def _index(
    records: Iterable[Record], language: str, interrupt: threading.Event
) -> dict[str, bytes]:
    """Pagefind's bundle for ``records``, and under ``WORDS`` the counts of their most
    frequent words (counted while Pagefind works on each record)."""
    words: Counter[str] = Counter()
    service = await _Service().launch()
    try:
        index = await service.create_index(IndexConfig(force_language=language))
        for number, record in enumerate(records):  # one at a time: pages are numbered so
            if interrupt.is_set():
                raise Interrupted
            sent = asyncio.ensure_future(
                index.add_custom_record(
                    url=record.url,
                    content=record.content,
                    language=language,
                    meta=record.meta,
                    filters=record.filters,
                )
            )
            await asyncio.sleep(0)  # let it go out before counting
            if number % COUNT_EVERY == 0:  # a sample is plenty for words this common
                words.update(record.content.lower().split())
            await sent
        getting = asyncio.ensure_future(index.get_files())
        while not (await asyncio.wait({getting}, timeout=0.05))[0]:
            if interrupt.is_set():
                getting.cancel()
                raise Interrupted
        files = getting.result()
    finally:
        await service.close()
    made = {f["path"]: f["content"] for f in files if _KEEP.fullmatch(f["path"])}
    counted = Counter({word: count * COUNT_EVERY for word, count in words.items()})
    made[WORDS] = json.dumps(_frequent(counted), sort_keys=True).encode()
    return made


def _frequent(tokens: Counter[str]) -> dict[str, int]:
    """Counts of the words that could be common, punctuation around them stripped."""
    found: Counter[str] = Counter()
    for token, count in tokens.items():
        if count >= COMMON_AT // 1000 and not token.startswith(ANCHOR.lower()):
            word = token.strip(_PUNCTUATION)
            if word:
                found[word] += count
    return {word: count for word, count in found.items() if count >= COMMON_AT // 100}


class _Service(PagefindService):
    """Pagefind's service, reading each answer as it comes: the stock reader sleeps 0.1 s
    before every answer (10,000 records would take 1,000 s) and cannot take an answer over
    2 MiB (a large bundle). If Pagefind stops, every pending request fails instead of hanging."""

    async def close(self) -> None:
        """Stop Pagefind at once: every answer awaited has come, or is no longer wanted."""
        self._poll_task.cancel()
        if self._backend.returncode is None:
            self._backend.terminate()
        await self._backend.wait()

    async def _wait_for_responses(self) -> None:
        try:
            await self._read_responses()
        except (Exception, asyncio.CancelledError) as exc:
            for future in self._responses.values():
                if not future.done():
                    future.set_exception(RuntimeError(f"Pagefind stopped ({exc!r})"))
            raise

    async def _read_responses(self) -> None:
        stdout = self._backend.stdout
        assert stdout is not None
        parts: list[bytes] = []
        while True:
            try:
                parts.append(await stdout.readuntil(b","))
            except asyncio.LimitOverrunError as exc:  # an answer of over 2 MiB
                parts.append(await stdout.readexactly(exc.consumed))
                continue
            message, parts = b"".join(parts)[:-1], []
            response = json.loads(base64.b64decode(message))
            if not response:
                continue
            payload = response["payload"]
            number = response.get("message_id")
            if number is None and payload.get("original_message"):
                number = json.loads(payload["original_message"]).get("message_id")
            future = self._responses.get(number)
            if future is None or future.done():
                continue
            if payload["type"] == "Error":
                future.set_exception(RuntimeError(payload["message"]))
            else:
                future.set_result(cast(Any, payload))


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
