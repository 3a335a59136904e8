"""The episode stage: each record read, its transcript normalised, its page and downloads
rendered. Records are independent, so this runs on every core, and an episode whose inputs are
unchanged since the last build is taken from the cache instead.

Only small results travel back to the main process: the episode's metadata, its problems and
the names of the files it rendered, which stay in the cache entry folder until the writer links
them into the new site.
"""

from __future__ import annotations

import dataclasses
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypeVar

from markupsafe import Markup

from generator import markup, network, people, related
from generator.cache import Cache, digest_bytes
from generator.errors import CuepressError, Problem, Problems
from generator.models import Episode, Site, Transcript
from generator.records import read_record, record_names
from generator.related import Related
from generator.render import Renderer
from generator.transcripts import READERS, exports

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

PARALLEL_FROM = 16  # records; below this a second process costs more than it saves
A = TypeVar("A")
B = TypeVar("B")


@dataclass(frozen=True)
class Rendered:
    """What one record produced."""

    source: str  # the record, relative to the site
    episode: Episode | None  # None when the record has errors
    files: tuple[str, ...]  # names of the rendered files, relative to the episode's folder
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    deps: tuple[tuple[str, tuple[int, int, str] | None], ...] = ()  # inputs and their states
    related: tuple[Related, ...] = ()  # what its page lists as related episodes
    about: str = ""  # a digest of the episode's repr (its values), made once, when rendered


class EpisodeStage:
    """Reads and renders the records of one site's shows (one, or a network's), using and
    filling the cache."""

    def __init__(
        self, site_dir: Path, renderers: Sequence[Renderer], cache: Cache, drafts: bool
    ) -> None:
        """``renderers``: one per show, each rendering with that show's settings."""
        self.site_dir = site_dir
        self.renderer = renderers[0]  # the layouts, compiled before the processes fork
        self.cache = cache
        self.drafts = drafts
        self.aliases = people.aliases(self.renderer.site)  # the people are the whole site's
        self.shows = {network.records_folder(r.site): r for r in renderers}

    def renderer_of(self, record: str) -> Renderer:
        """The renderer of the show ``record`` (relative to the site) is in."""
        return self.shows[network.records_folder_of(record)]

    def run(self, jobs: int | None = None) -> list[tuple[Rendered, Path | None]]:
        """Every record's result, in record order, with the folder holding its files.

        Each page lists its related episodes, chosen before any page is rendered: from the
        cached episodes and the other records' front matter (see :mod:`generator.related`).
        A cached page whose list has changed is rendered again; so is one whose list, once
        every record has been read, turns out to differ from the one chosen beforehand (a
        record the front matter alone mistook)."""
        shows = {folder: record_names(self.site_dir, folder) for folder in self.shows}
        records = [record for names in shows.values() for record in names]
        # The records' folders and the shows' (show.yaml), before a file in them is read: a
        # first build leaves their fingerprints for the next one, too.
        self.cache.fingerprint(
            {record.rpartition("/")[0] for record in records}
            | {folder.rpartition("/")[0] for folder in self.shows}
        )
        results: dict[str, tuple[Rendered, Path | None]] = {}
        todo = []
        with _fewer_collections():  # each entry found is a dozen objects, all kept
            for record in records:
                found = self.cache.lookup(record)
                if found is None:
                    todo.append(record)
                else:
                    results[record] = found
        # Related episodes are chosen within a show, so only a show with a new, changed or
        # removed record can have new lists (a page may list the one removed).
        changed = {network.records_folder_of(record) for record in todo}
        gone = self.cache.records_before() - set(records)
        changed |= {network.records_folder_of(record) for record in gone}
        changed &= shows.keys()  # not a show's now (a one-show site made a network)
        if not changed:  # no record is new or changed
            return [results[record] for record in records]
        records_of = [record for folder in changed for record in shows[folder]]
        with _fewer_collections(), _Workers(self, jobs) as workers:
            guessed = dict(zip(todo, workers.map(_read_listing, todo), strict=True))
            known = {r: results[r][0].episode for r in records_of if r in results} | guessed
            chosen = self._related(known)
            todo = [r for r in records_of if r in guessed or results[r][0].related != chosen[r]]
            for rendered in workers.map(_process, [(r, chosen[r]) for r in todo]):
                results[rendered.source] = self._keep(rendered)
            if any(not related.same_listing(guessed[r], results[r][0].episode) for r in guessed):
                truth = self._related({r: results[r][0].episode for r in records_of})
                again = [(r, truth[r]) for r in records_of if results[r][0].related != truth[r]]
                for rendered in workers.map(_process, again):
                    results[rendered.source] = self._keep(rendered)
        return [results[record] for record in records]

    def _related(self, episodes: dict[str, Episode | None]) -> dict[str, tuple[Related, ...]]:
        """Each record's related episodes, from its own show: none for a record that has no
        page."""
        by_show: dict[str, list[Episode]] = {}
        for episode in episodes.values():
            if episode is not None:
                by_show.setdefault(episode.show, []).append(episode)
        chosen = {show: related.choose(listed) for show, listed in by_show.items()}
        return {
            record: chosen[episode.show][episode.slug]
            if episode is not None and (self.drafts or not episode.draft)
            else ()
            for record, episode in episodes.items()
        }

    def _keep(self, rendered: Rendered) -> tuple[Rendered, Path | None]:
        """A record's new result, remembered by the cache, with the folder holding its files."""
        if rendered.episode is None:
            return rendered, None
        about = digest_bytes(repr(rendered.episode).encode())
        rendered = dataclasses.replace(rendered, about=about)
        stored = dataclasses.replace(rendered, deps=())
        also = _shown_digest(rendered.related)
        return rendered, self.cache.add(rendered.source, rendered.deps, stored, also=also)

    def listing(self, record: str) -> Episode | None:
        """What choosing related episodes needs of a record, from its front matter alone."""
        found = related.read_listing(self.site_dir / record, record, self.site_dir, self.aliases)
        return self._in_show(found, record)

    def _in_show(self, episode: Episode | None, record: str) -> Episode | None:
        """``episode`` as an episode of the show its record is in."""
        show = self.renderer_of(record).site.show
        return dataclasses.replace(episode, show=show) if episode is not None and show else episode

    def process(self, record: str, shown: tuple[Related, ...] = ()) -> Rendered:
        """Read one record and render its page (listing ``shown`` as its related episodes)
        and downloads into a cache entry folder."""
        problems = Problems()
        path = self.site_dir / record
        renderer = self.renderer_of(record)
        try:
            read = read_record(
                path, record, self.site_dir, problems, renderer.site.segments, self.aliases
            )
        except CuepressError as exc:
            problems.add(exc)
            read = None
        if read is None or problems.errors:
            return Rendered(record, None, (), tuple(problems.errors), tuple(problems.warnings))
        episode, transcript = read
        episode = self._in_show(episode, record) or episode
        files: dict[str, str | bytes] = {}
        if self.drafts or not episode.draft:
            files = self.render(episode, transcript, problems, shown, renderer)
        if problems.errors:
            return Rendered(record, None, (), tuple(problems.errors), tuple(problems.warnings))
        deps = self.cache.inputs(self.inputs(path, episode, renderer.site))
        self.cache.write(record, deps, files, also=_shown_digest(shown))
        return Rendered(
            record,
            episode,
            tuple(sorted(files)),
            tuple(problems.errors),
            tuple(problems.warnings),
            deps,
            shown,
        )

    def render(
        self,
        episode: Episode,
        transcript: Transcript | None,
        problems: Problems,
        shown: tuple[Related, ...] = (),
        renderer: Renderer | None = None,
    ) -> dict[str, str | bytes]:
        """The episode page (with ``shown`` as its related episodes) and its transcript
        downloads, by file name; ``renderer``: its show's (default: the first show's)."""
        renderer = renderer or self.renderer
        files: dict[str, str | bytes] = {}
        html = ""
        if transcript is not None:
            site = renderer.site
            pages = {
                name: renderer.url(people.person_path(site, name))
                for name in transcript.speakers
                if people.is_named(name)
            }
            if transcript.timed:
                built = renderer.site.transcript_files
                forms = exports.render_all(transcript, episode.duration_ms, episode.chapters, built)
                files.update(  # the forms site.yaml builds as files; the page makes the rest
                    (f"transcript.{kind}", getattr(forms, kind)) for kind in built
                )
            else:  # paragraphs without times: no captions, nothing to play from
                files["transcript.txt"] = exports.render_untimed(transcript)
        try:
            if transcript is not None and transcript.timed:  # layouts/_segment.html each
                html = renderer.segments.transcript(transcript, episode.chapters, pages)
            elif transcript is not None:  # layouts/_paragraph.html each
                html = renderer.segments.paragraphs(transcript, pages)
            files["index.html"] = renderer.render(
                "episode.html",
                episode=episode,
                transcript=transcript,
                transcript_html=Markup(html),
                related=shown,
            )
            if episode.audio is not None or transcript is not None:  # for other sites' iframes
                files["embed/index.html"] = renderer.render(
                    "embed.html",
                    episode=episode,
                    transcript=transcript,
                    transcript_html=Markup(html),
                )
        except CuepressError as exc:
            problems.add(exc)
        return files

    def inputs(self, record: Path, episode: Episode, show: Site | None = None) -> list[str]:
        """Every site file the record's pages depend on, relative to the site (some may not
        exist: a sidecar created later must invalidate the cache too); in a network, its
        show's ``show.yaml`` (the site's own settings are the build's key)."""
        paths = {record} | {record.with_suffix(suffix) for suffix in READERS}
        if show is not None and show.show:
            paths.add(self.site_dir / show.source)
        if episode.transcript is not None:
            paths.add(self.site_dir / episode.transcript.source)
        if episode.audio is not None and "://" not in episode.audio.url:
            paths.add(self.site_dir / "static" / PurePosixPath(episode.audio.url))
        return sorted(p.relative_to(self.site_dir).as_posix() for p in paths)


def _shown_digest(shown: tuple[Related, ...]) -> str:
    """The part of a page's entry key that is no file: the related episodes it lists."""
    return digest_bytes(repr(shown).encode()) if shown else ""


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


class _Workers:
    """Runs the stage's steps over many records: on every core when there are enough of them
    (the processes are forked once, on first need, and serve every step), else here."""

    def __init__(self, stage: EpisodeStage, jobs: int | None) -> None:
        self.stage = stage
        self.count = jobs if jobs is not None else (os.cpu_count() or 1)
        self.pool: Pool | None = None

    def __enter__(self) -> _Workers:
        global _STAGE
        _STAGE = self.stage  # what the steps run on, here and in the processes forked
        return self

    def __exit__(self, *exc: object) -> None:
        global _STAGE
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
        _STAGE = None

    def map(self, step: Callable[[A], B], items: list[A]) -> Iterator[B]:
        """``step`` of each item, in order, as each is made."""
        if self.count < 2 or len(items) < PARALLEL_FROM or not _can_fork():
            return map(step, items)
        if self.pool is None:
            for renderer in self.stage.shows.values():
                renderer.preload("episode.html")  # compiled once, not once per process
                try:
                    renderer.segments  # noqa: B018 - its skeleton made once, likewise
                except CuepressError:  # a broken _segment.html: each episode reports it
                    pass
            import multiprocessing  # only when a rebuild has enough to do

            markup.load()  # imported once, not once per process

            self.pool = multiprocessing.get_context("fork").Pool(self.count)
        # Small chunks, so that neither process idles long while the other ends the step.
        chunk = max(1, len(items) // (self.count * 32))
        return self.pool.imap(step, items, chunksize=chunk)


def _read_listing(record: str) -> Episode | None:
    assert _STAGE is not None
    return _STAGE.listing(record)


def _process(task: tuple[str, tuple[Related, ...]]) -> Rendered:
    assert _STAGE is not None
    return _STAGE.process(*task)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()
