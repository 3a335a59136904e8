"""The episode stage: each record read, its transcript normalised, its page and downloads
rendered. Records are independent, so this runs on every core, and an episode whose inputs are
unchanged since the last build is taken from the cache instead.

Only small results travel back to the main process: the episode's metadata, its problems and
the names of the files it rendered, which stay in the cache entry folder until the writer links
them into the new site.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from markupsafe import Markup

from generator import people
from generator.cache import Cache, Entry, write_entry
from generator.errors import CuepressError, Problem, Problems
from generator.models import Episode, Transcript
from generator.records import find_records, read_record
from generator.render import Renderer
from generator.transcripts import READERS, exports

PARALLEL_FROM = 16  # records; below this a second process costs more than it saves


@dataclass(frozen=True)
class Rendered:
    """What one record produced."""

    source: str  # the record, relative to the site
    episode: Episode | None  # None when the record has errors
    files: tuple[str, ...]  # names of the rendered files, relative to the episode's folder
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    deps: tuple[tuple[str, tuple[int, int, str] | None], ...] = ()  # inputs and their states


class EpisodeStage:
    """Reads and renders the records of one site, using and filling the cache."""

    def __init__(self, site_dir: Path, renderer: Renderer, cache: Cache, drafts: bool) -> None:
        self.site_dir = site_dir
        self.renderer = renderer
        self.cache = cache
        self.drafts = drafts
        self.aliases = people.aliases(renderer.site)

    def run(self, jobs: int | None = None) -> list[tuple[Rendered, Path | None]]:
        """Every record's result, in record order, with the folder holding its files."""
        records = [
            p.relative_to(self.site_dir).as_posix()
            for p in find_records(self.site_dir / "content" / "episodes")
        ]
        results: dict[str, tuple[Rendered, Path | None]] = {}
        todo = []
        for record in records:
            entry = self.cache.lookup(record)
            if entry is None:
                todo.append(record)
            else:
                results[record] = (entry.result, self.cache.entry_dir(entry.key))
        with _fewer_collections():
            for rendered in self._process(todo, jobs):
                folder = None
                if rendered.episode is not None:
                    deps = dict(rendered.deps)
                    for path, state in deps.items():
                        if state is not None:
                            self.cache.new.stats[path] = state
                    key = self.cache.key_for({p: s[2] if s else None for p, s in deps.items()})
                    folder = self.cache.entry_dir(key)
                    stored = Rendered(
                        rendered.source,
                        rendered.episode,
                        rendered.files,
                        rendered.errors,
                        rendered.warnings,
                    )
                    self.cache.store(
                        rendered.source,
                        Entry({p: s[2] if s else None for p, s in deps.items()}, key, stored),
                    )
                results[rendered.source] = (rendered, folder)
        return [results[record] for record in records]

    def _process(self, records: list[str], jobs: int | None) -> Iterator[Rendered]:
        workers = jobs if jobs is not None else (os.cpu_count() or 1)
        if workers < 2 or len(records) < PARALLEL_FROM or not _can_fork():
            yield from map(self.process, records)
            return
        self.renderer.preload("episode.html")  # compiled once, not once per process
        try:
            self.renderer.segments  # noqa: B018 - its skeleton made once, not once per process
        except CuepressError:  # a broken _segment.html: each episode reports it
            pass
        global _STAGE
        _STAGE = self
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            # Small chunks, so that neither process idles long while the other ends the stage.
            chunk = max(1, len(records) // (workers * 32))
            yield from pool.imap(_process_in_worker, records, chunksize=chunk)
        _STAGE = None

    def process(self, record: str) -> Rendered:
        """Read one record and render its page and downloads into a cache entry folder."""
        problems = Problems()
        path = self.site_dir / record
        try:
            read = read_record(
                path, record, self.site_dir, problems, self.renderer.site.segments, self.aliases
            )
        except CuepressError as exc:
            problems.add(exc)
            read = None
        if read is None or problems.errors:
            return Rendered(record, None, (), tuple(problems.errors), tuple(problems.warnings))
        episode, transcript = read
        files: dict[str, str | bytes] = {}
        if self.drafts or not episode.draft:
            files = self.render(episode, transcript, problems)
        if problems.errors:
            return Rendered(record, None, (), tuple(problems.errors), tuple(problems.warnings))
        deps = tuple((p, self._state(p)) for p in self.inputs(path, episode))
        key = self.cache.key_for({p: s[2] if s else None for p, s in deps})
        write_entry(self.cache.entry_dir(key), files, previous=self.cache.previous_entry(record))
        return Rendered(
            record,
            episode,
            tuple(sorted(files)),
            tuple(problems.errors),
            tuple(problems.warnings),
            deps,
        )

    def render(
        self, episode: Episode, transcript: Transcript | None, problems: Problems
    ) -> dict[str, str | bytes]:
        """The episode page and its transcript downloads, by file name."""
        files: dict[str, str | bytes] = {}
        html = ""
        if transcript is not None:
            site = self.renderer.site
            pages = {
                name: self.renderer.url(people.person_path(site, name))
                for name in transcript.speakers
                if people.is_named(name)
            }
            if transcript.timed:
                forms = exports.render_all(transcript, episode.duration_ms, episode.chapters)
                files.update(
                    (f"transcript.{kind}", getattr(forms, kind)) for kind in exports.DOWNLOADS
                )
            else:  # paragraphs without times: no captions, nothing to play from
                html, text = exports.render_untimed(transcript)
                html = exports.link_speakers(html, pages)
                files["transcript.txt"] = text
        try:
            if transcript is not None and transcript.timed:  # layouts/_segment.html each
                html = self.renderer.segments.transcript(transcript, episode.chapters, pages)
            files["index.html"] = self.renderer.render(
                "episode.html",
                episode=episode,
                transcript=transcript,
                transcript_html=Markup(html),
            )
            if episode.audio is not None or transcript is not None:  # for other sites' iframes
                files["embed/index.html"] = self.renderer.render(
                    "embed.html",
                    episode=episode,
                    transcript=transcript,
                    transcript_html=Markup(html),
                )
        except CuepressError as exc:
            problems.add(exc)
        return files

    def inputs(self, record: Path, episode: Episode) -> list[str]:
        """Every site file the record's pages depend on, relative to the site (some may not
        exist: a sidecar created later must invalidate the cache too)."""
        paths = {record} | {record.with_suffix(suffix) for suffix in READERS}
        if episode.transcript is not None:
            paths.add(self.site_dir / episode.transcript.source)
        if episode.audio is not None and "://" not in episode.audio.url:
            paths.add(self.site_dir / "static" / PurePosixPath(episode.audio.url))
        return sorted(p.relative_to(self.site_dir).as_posix() for p in paths)

    def _state(self, relative: str) -> tuple[int, int, str] | None:
        value = self.cache.digest(relative)
        return self.cache.new.stats[relative] if value is not None else None


_STAGE: EpisodeStage | None = None


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run Python's cycle collector less often while records are read: by default it runs every
    700 new objects and walks all the young ones, and a transcript makes a tuple per cue (about 6 %
    of the stage). Nearly all of it is freed by reference counting anyway."""
    old = gc.get_threshold()
    gc.set_threshold(50_000, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _process_in_worker(record: str) -> Rendered:
    assert _STAGE is not None
    return _STAGE.process(record)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
