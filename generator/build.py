"""``build()``: the whole pipeline, top to bottom.

load config -> read and render every episode (in parallel, cached) -> render the site's own
pages (index, feed, people, tags ...) -> search -> publish.
Nothing is published until everything has been read and rendered; every problem is reported
together. The build cache (generator/cache.py) keeps what was rendered, the writer
(generator/writer.py) publishes it: this module only says what goes where.
"""

from __future__ import annotations

import gc
import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from generator import __version__, network, paths, people, related
from generator.cache import Cache, digest_bytes
from generator.config import load_site
from generator.episodes import EpisodeStage, Rendered
from generator.errors import BuildFailed, CuepressError, Problem, Problems, in_order
from generator.models import Episode, Site
from generator.paths import link_problem
from generator.records import find_records, read_record, warn_unreadable_sidecars
from generator.render import Renderer, default_layouts
from generator.writer import Publisher, check_output, locked

if TYPE_CHECKING:
    from generator.shards import Shard

T = TypeVar("T")


@dataclass(frozen=True)
class BuildResult:
    site: Site
    episodes: tuple[Episode, ...]  # the published episodes, newest first
    files: int  # files in the site
    output: Path
    warnings: tuple[Problem, ...]
    changed: bool = True  # False when the output was already up to date and left untouched


def build(
    site_dir: Path,
    output: Path | None = None,
    *,
    strict: bool = False,
    drafts: bool = False,
    base_url: str | None = None,
    jobs: int | None = None,
    preview: bool = False,
    shard: Shard | None = None,
) -> BuildResult:
    """Build the site in ``site_dir`` into ``output`` (default ``site_dir/output``).

    ``jobs`` is the number of processes for the episode stage (default: one per core).
    ``preview``: for the live preview, which makes the search index itself after the reload
    (:func:`generator.search.write_bundle`): the search page lists the preview's index parts.
    ``shard``: build only that share of a network's shows, for ``cuepress merge`` (see
    :mod:`generator.shards`).
    Raises :class:`BuildFailed` with every error found; the old output is then untouched.
    """
    output = output if output is not None else site_dir / "output"
    paths.forget()  # links may have changed since the last build in this process (the preview)
    problems = Problems()
    site = load_config(site_dir, output, base_url, problems, strict)
    shows = load_shows(site_dir, site, problems, strict)
    with locked(site_dir, output.resolve().parent), open_cache(site_dir, problems, strict) as cache:
        renderer, show_renderers = renderers(site, shows, site_dir, cache)
        key = build_key(site, renderer, drafts)
        cache.depends_on(key)
        if shard is not None:  # its shows' pages; the merge makes the rest (generator/shards.py)
            show_renderers = shard.share(site_dir, site, show_renderers, problems)
        built = tuple(r.site for r in show_renderers)  # the shows this build makes
        stage = EpisodeStage(site_dir, show_renderers, cache, drafts) if built else None
        rendered = stage.run(jobs) if stage is not None else []
        # The episodes are kept to the end: Python's cycle collector need not walk them again
        # while the rest of the build makes its files (the cache gives them back when it
        # closes, as it does the episodes it unpickled; see Cache).
        gc.freeze()
        episodes, episode_files = collect(rendered, drafts, problems, built)
        episode_files |= moved_downloads(built, episode_files)
        warn_unreadable_sidecars(site_dir, transcript_sources(rendered), problems)
        copies = gather_copies(site_dir, cache, problems) if shard is None else {}
        overwrites(episode_files, copies, problems)
        problems.raise_if_failed(strict=strict)
        with Publisher(output, cache.room("back")) as publisher:
            publisher.start({**copies, **episode_files})  # a first build links these meanwhile
            cache.drop_unused()  # in the background too: what no record uses now
            whole = shard is None
            pages = site_pages(
                site, show_renderers, episodes, renderer, site_dir, episode_files, cache, problems,
                whole, described(rendered, episodes),
            )  # fmt: skip
            if site.search and whole:  # the search page and its Pagefind index
                from generator import search  # asyncio and friends load only with search on

                pages |= search.search_files(
                    site, episodes, renderer, episode_files, problems, preview=preview
                )
            overwrites(pages, copies, problems)
            problems.raise_if_failed(strict=strict)
            files: dict[str, bytes | Path] = {**copies, **episode_files, **pages}
            if shard is not None:
                from generator.shards import MANIFEST, manifest

                files[MANIFEST] = manifest(shard, key, drafts, shows, built, episodes, files)
            changed = publisher.publish(files)
        result = BuildResult(
            site=site,
            episodes=tuple(episodes),
            files=len(files),
            output=output,
            warnings=tuple(in_order(problems.warnings)),
            changed=changed,
        )
    return result


def load_config(
    site_dir: Path, output: Path, base_url: str | None, problems: Problems, strict: bool
) -> Site:
    """The site's settings and people, with the output folder and the sources checked; when
    ``site.yaml`` cannot be read, every record is still read for its errors, and the build
    fails."""
    try:
        check_output(output, site_dir)
    except CuepressError as exc:
        problems.add(exc)
    check_sources(site_dir, problems)
    site = load_site(site_dir, problems, base_url, network=network.is_network(site_dir))
    if site is None:
        check_records(site_dir, problems, network.EPISODES_DIR)
        for folder in network.show_folders(site_dir):
            check_records(
                site_dir, problems, (folder / "episodes").relative_to(site_dir).as_posix()
            )
        problems.raise_if_failed(strict=strict)
        raise AssertionError("load_site returned None without an error")  # pragma: no cover
    return people.load(site_dir, site, problems)  # content/people/, and who is called what


def load_shows(site_dir: Path, site: Site, problems: Problems, strict: bool) -> tuple[Site, ...]:
    """The site's shows: the one show of a one-show site (its settings are the site's), or a
    network's shows in :func:`generator.network.show_folders` order. When a show.yaml cannot
    be read, its records are still read for their errors, and the build fails."""
    if not site.network:
        return (site,)
    shows = network.load_shows(site_dir, site, problems)
    if problems.errors:
        loaded = {network.records_folder(show) for show in shows}
        for folder in network.show_folders(site_dir):
            records = (folder / "episodes").relative_to(site_dir).as_posix()
            if records not in loaded:
                check_records(site_dir, problems, records)
        problems.raise_if_failed(strict=strict)
    return shows


def renderers(
    site: Site, shows: tuple[Site, ...], site_dir: Path, cache: Cache
) -> tuple[Renderer, list[Renderer]]:
    """The renderer of the site's own pages, and one per show with that show's settings (on a
    one-show site, the same one)."""
    compiled = cache.room("templates")
    if not site.network:
        renderer = Renderer(site, site_dir, compiled)
        return renderer, [renderer]
    # A show's pages are cached by its own inputs (see EpisodeStage.inputs), so they are not
    # shown the other shows: only the network's own pages list them.
    every = [Renderer(show, site_dir, compiled, site) for show in shows]
    return Renderer(site, site_dir, compiled, site, shows), every


def open_cache(site_dir: Path, problems: Problems, strict: bool) -> Cache:
    """The site's build cache; a cache this user's builds did not make fails the build, with
    the problems found so far."""
    try:
        return Cache(site_dir)
    except CuepressError as exc:
        problems.add(exc)
        problems.raise_if_failed(strict=strict)
        raise


def check_sources(site_dir: Path, problems: Problems) -> None:
    """Refuse source folders that are links out of the site: nothing there is read, or listed."""
    root = site_dir.resolve()
    for name in ("content", "content/episodes", "content/shows", "layouts", "static"):
        if name.startswith("content/") and not (site_dir / "content").resolve().is_relative_to(
            root
        ):
            continue  # reported as content
        folder = site_dir / name
        if folder.is_dir() and not folder.resolve().is_relative_to(root):
            message = "is a link to a folder outside the site (copy the folder in)"
            problems.error(name, None, message)


def transcript_sources(rendered: list[tuple[Rendered, Path | None]]) -> dict[str, str | None]:
    """Each record (relative to the site) and where its transcript came from, or None."""
    return {
        result.source: (
            result.episode.transcript.source
            if result.episode is not None and result.episode.transcript is not None
            else None
        )
        for result, _ in rendered
    }


def check_records(site_dir: Path, problems: Problems, folder: str) -> None:
    """Read every record in ``folder`` for its errors alone: with site.yaml (or a show.yaml)
    broken nothing can be rendered, but the report still lists every problem of the build."""
    for path in find_records(site_dir / folder, site_dir):
        try:
            read_record(path, path.relative_to(site_dir).as_posix(), site_dir, problems)
        except CuepressError as exc:
            problems.add(exc)


def build_key(site: Site, renderer: Renderer, drafts: bool) -> str:
    """What every episode page depends on besides its own record (and, in a network, its
    show's show.yaml): Cuepress and the libraries that shape its output (an upgrade may change
    a page), the site's settings and every layout."""
    import jinja2
    import markdown
    import nh3
    import yaml

    return digest_bytes(
        __version__.encode(),
        f"{sys.version} jinja2 {jinja2.__version__} markdown {markdown.__version__} "
        f"nh3 {nh3.__version__} pyyaml {yaml.__version__}".encode(),  # type: ignore[attr-defined]
        repr(site).encode(),  # a network's shows' settings are their episodes' inputs
        b"drafts" if drafts else b"",
        renderer.layouts_digest().encode(),
    )


def collect(
    rendered: list[tuple[Rendered, Path | None]],
    drafts: bool,
    problems: Problems,
    shows: tuple[Site, ...],
) -> tuple[list[Episode], dict[str, Path]]:
    """The published episodes, newest first, and their files by output path; two records of
    one show claiming one slug are an error naming both."""
    episodes: list[Episode] = []
    files: dict[str, Path] = {}
    slugs: dict[tuple[str, str], str] = {}
    for result, folder in rendered:
        problems.errors.extend(result.errors)
        problems.warnings.extend(result.warnings)
        episode = result.episode
        if episode is None or folder is None:
            continue
        key = (episode.show, episode.slug)
        if key in slugs:
            problems.error(
                result.source,
                None,
                f"slug {episode.slug!r} is already used by {slugs[key]} "
                "(rename one file or set a different slug:)",
            )
            continue
        slugs[key] = result.source
        if episode.draft and not drafts:
            continue
        episodes.append(episode)
        base = episode.url_path
        for name in result.files:
            files[base + name] = folder / name
    if not problems.errors:  # an error may be why none were found
        found = {network.records_folder_of(result.source) for result, _ in rendered}
        for records in (network.records_folder(show) for show in shows):
            if records not in found:
                message = "no episode records found (add NAME.md with front matter)"
                problems.warn(records, None, message)
    episodes.sort(key=related.recency, reverse=True)
    return episodes, files


def described(rendered: list[tuple[Rendered, Path | None]], episodes: list[Episode]) -> str:
    """A digest of ``episodes``' values, in their order, from each episode's own (made once,
    when it was rendered, and kept with it in the cache): an archive of thousands would
    otherwise have them all written out again at every rebuild (0.1 s for 6,000). Each is a
    digest of its repr, not of its pickle: pickle's bytes depend on which values share an
    object (an episode read in this process or sent by a worker), repr only on the values."""
    abouts = {id(result.episode): result.about for result, _ in rendered}
    return digest_bytes("\n".join(abouts[id(episode)] for episode in episodes).encode())


def site_pages(
    site: Site,
    show_renderers: list[Renderer],
    episodes: list[Episode],
    renderer: Renderer,
    site_dir: Path,
    episode_files: dict[str, Path],
    cache: Cache,
    problems: Problems,
    whole: bool,
    episodes_digest: str,
) -> dict[str, Path]:
    """The site's own files, rendered by :func:`render_site` or, when the episodes' metadata
    is unchanged (an edit inside a transcript), taken from the cache with their warnings.
    ``whole=False`` (a shard's build): its shows' files only. ``episodes_digest``: the
    episodes' values, digested (:func:`described`)."""
    shown = (episodes_digest, sorted(episode_files))
    about = digest_bytes(
        (
            repr((*shown, [r.site for r in show_renderers]) if site.network else shown)
            + ("" if whole else " shard")  # a shard's build makes its shows' files alone
        ).encode()
    )
    kept = cache.site_pages(about)
    if kept is not None:
        files, warnings = kept
        problems.warnings.extend(warnings)
        return files
    errors_before, warnings_before = len(problems.errors), len(problems.warnings)
    rendered = render_site(
        site, show_renderers, episodes, renderer, site_dir, list(episode_files), problems, whole
    )
    if len(problems.errors) > errors_before:
        return {name: Path() for name in rendered}
    return cache.write_site_pages(about, rendered, problems.warnings[warnings_before:])


def render_site(
    site: Site,
    show_renderers: list[Renderer],
    episodes: list[Episode],
    renderer: Renderer,
    site_dir: Path,
    episode_pages: list[str],
    problems: Problems,
    whole: bool = True,
) -> dict[str, bytes]:
    """The site's own files (index pages, 404, feed, sitemap ...), as relative path -> bytes:
    each show's (:func:`show_pages`), then, unless a shard's build leaves them to the merge
    (``whole=False``), the whole site's (:func:`whole_site_files`)."""
    shows = [r.site for r in show_renderers]
    by_show = episodes_by_show(shows, episodes)
    files: dict[str, str] = {}
    for show_renderer in show_renderers:
        show = show_renderer.site
        files.update(show_pages(show, by_show[show.show], show_renderer, problems))
    if whole:
        every_page = [*files, *episode_pages]
        files.update(
            whole_site_files(site, shows, episodes, renderer, site_dir, every_page, problems)
        )
    return {path: text.encode("utf-8") for path, text in files.items()}


def episodes_by_show(shows: list[Site], episodes: list[Episode]) -> dict[str, list[Episode]]:
    """Each show's episodes (by address), in the order of ``episodes``."""
    by_show: dict[str, list[Episode]] = {show.show: [] for show in shows}
    for episode in episodes:
        by_show[episode.show].append(episode)
    return by_show


def whole_site_files(
    site: Site,
    shows: list[Site],
    episodes: list[Episode],
    renderer: Renderer,
    site_dir: Path,
    pages: list[str],
    problems: Problems,
) -> dict[str, str]:
    """The files made from the whole site: its own pages (:func:`network_pages`), the
    sitemap and robots.txt, .nojekyll and CNAME. ``shows``: every show; ``episodes``: every
    show's, newest first; ``pages``: the paths of every other file of the site (a build's, or
    the shards' that ``cuepress merge`` joins)."""
    by_show = episodes_by_show(shows, episodes)
    unlisted = {e.url_path for e in episodes if e.draft}  # not in the sitemap
    for show in shows:
        unlisted.update(old for old, _ in moved_pages(show, by_show[show.show]))
    files = network_pages(site, shows, episodes, renderer, problems)
    from generator import discovery  # lxml loads only when the site's own pages are made

    files.update(discovery.site_files(site, [*files, *pages], unlisted, site_dir))
    files[".nojekyll"] = ""  # GitHub Pages: publish the files as they are, without Jekyll
    if site.cname:
        files["CNAME"] = site.cname + "\n"  # GitHub Pages: the custom domain
    return files


def show_pages(
    show: Site, episodes: list[Episode], renderer: Renderer, problems: Problems
) -> dict[str, str]:
    """One show's own files: its home (with paging), its feed and its episodes' chapters, and
    for a show that moved from the site's root, its old addresses. ``episodes``: the show's,
    newest first."""
    from generator import discovery  # lxml loads only when the site's own pages are made

    files: dict[str, str] = {}
    render = _renderer_into(files, renderer, problems)
    for page in paginate(episodes, show.episodes_per_page, show.home):
        render(page.output_path, "index.html", page=page, episodes=page.items)
    own = discovery.show_files(show, episodes, problems)
    files.update(own)
    if show.moved_from is not None:
        from generator import feed

        for old, new in moved_pages(show, episodes):
            render(old + "index.html", "redirect.html", target=new)
        for path, text in own.items():  # the chapters, still where the old feed said
            if path.endswith("/" + feed.CHAPTERS_FILE):
                files[path.removeprefix(show.home)] = text
        published = [e for e in episodes if not e.draft]
        files[feed.FEED_FILE] = feed.feed_xml(show, published, Problems(), moved=True)
    return files


def moved_downloads(shows: tuple[Site, ...], episode_files: dict[str, Path]) -> dict[str, Path]:
    """The downloads of a show that moved from the site's root (its transcripts), also at
    their old addresses, where the old feed and shared links point."""
    moved = [show.home for show in shows if show.moved_from is not None]
    return {
        name.removeprefix(home): file
        for home in moved
        for name, file in episode_files.items()
        if name.startswith(home) and not name.endswith("index.html")
    }


def moved_pages(show: Site, episodes: list[Episode]) -> list[tuple[str, str]]:
    """The pages a show that moved from the site's root had there, each with where it is now
    (relative to the site root): its home's later pages, its episodes and their embeds. The
    root itself is the network's home."""
    if show.moved_from is None:
        return []
    pages = paginate(episodes, show.episodes_per_page, show.home)
    moved = [(f"page/{page.number}/", page.path_of(page.number)) for page in pages[1:]]
    for episode in episodes:
        old = episode.url_path.removeprefix(show.home)
        moved += [(old, episode.url_path), (old + "embed/", episode.url_path + "embed/")]
    return moved


def network_pages(
    site: Site,
    shows: list[Site],
    episodes: list[Episode],
    renderer: Renderer,
    problems: Problems,
) -> dict[str, str]:
    """The site's own pages, across its shows: a network's home and categories, the 404 page,
    people and tags. ``episodes``: every show's, newest first."""
    files: dict[str, str] = {}
    render = _renderer_into(files, renderer, problems)
    listed = [e for e in episodes if not e.draft]  # drafts (--drafts) get no people or tags
    if site.network:
        cards = network.show_cards(shows, listed)
        for page in paginate(cards, PEOPLE_PER_PAGE):
            render(page.output_path, "network.html", page=page)
        categories = network.category_pages(cards)
        for every in paginate(categories, PEOPLE_PER_PAGE, "categories/") if categories else ():
            render(every.output_path, "categories.html", page=every)
        for category in categories:
            for shown in paginate(category.shows, PEOPLE_PER_PAGE, category.path):
                render(shown.output_path, "category.html", page=shown, category=category)
    render("404.html", "404.html")
    person_pages = people.person_pages(site, listed)
    people.warn_unheard(person_pages, problems)
    for everyone in paginate(person_pages, PEOPLE_PER_PAGE, "people/") if person_pages else ():
        render(everyone.output_path, "people.html", page=everyone)
    for person in person_pages:
        for part in paginate(person.appearances, PEOPLE_PER_PAGE, person.path):
            render(part.output_path, "person.html", page=part, person=person)
    tag_pages = people.tag_pages(listed)
    for every_tag in paginate(tag_pages, PEOPLE_PER_PAGE, "tags/") if tag_pages else ():
        render(every_tag.output_path, "tags.html", page=every_tag)
    for tag in tag_pages:
        for tagged in paginate(tag.episodes, PEOPLE_PER_PAGE, tag.path):
            render(tagged.output_path, "tag.html", page=tagged, tag=tag)
    return files


def _renderer_into(
    files: dict[str, str], renderer: Renderer, problems: Problems
) -> Callable[..., None]:
    """A function rendering a template into ``files`` at a path; a broken layout is reported
    once."""

    def render(path: str, template: str, **context: object) -> None:
        try:
            files[path] = renderer.render(template, **context)
        except CuepressError as exc:
            if exc.problem not in problems.errors:  # one broken layout, reported once
                problems.add(exc)

    return render


PEOPLE_PER_PAGE = 100  # names on a page of people/ or tags/, episodes on a person's or a tag's


def paginate(items: list[T], per_page: int, base: str = "") -> list[Page[T]]:
    """``items`` in pages of ``per_page``: ``BASE`` first, then ``BASE/page/2/`` ...; one
    (empty) page when there are none."""
    count = max(1, math.ceil(len(items) / per_page))
    return [
        Page(number, count, items[(number - 1) * per_page : number * per_page], base)
        for number in range(1, count + 1)
    ]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: the episode index, people, a person's episodes, tags, a tag's."""

    number: int
    count: int
    items: list[T]
    base: str = ""  # the first page's path, relative to the site root

    @property
    def episodes(self) -> list[T]:  # the index's name for its items, kept for layouts
        return self.items

    def path_of(self, number: int) -> str:
        return self.base if number == 1 else f"{self.base}page/{number}/"

    @property
    def output_path(self) -> str:
        return self.path_of(self.number) + "index.html"

    @property
    def previous(self) -> str | None:
        return self.path_of(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.path_of(self.number + 1) if self.number < self.count else None


def overwrites(
    generated: Mapping[str, object], copies: Mapping[str, Path], problems: Problems
) -> None:
    """A static file may not take the place of a generated page."""
    for name in sorted(generated.keys() & copies.keys()):
        problems.error(
            f"static/{name}",
            None,
            f"would overwrite the generated page {name} (rename or remove the static file)",
        )


def gather_copies(site_dir: Path, cache: Cache, problems: Problems) -> dict[str, Path]:
    """Files copied as they are (the theme's ``assets/``, then the site's ``static/``, which may
    override a theme asset), each by the cache's copy of it."""
    sources: dict[str, Path] = {}
    theme_assets = default_layouts() / "assets"
    for source in sorted(theme_assets.rglob("*")):
        if source.is_file():
            sources["assets/" + source.relative_to(theme_assets).as_posix()] = source
    static = site_dir / "static"
    inside = static.is_dir() and static.resolve().is_relative_to(site_dir.resolve())
    for source in sorted(static.rglob("*")) if inside else []:
        if any(p.startswith(".") for p in source.relative_to(static).parts):
            continue
        problem = link_problem(source, site_dir, "folder" if source.is_dir() else "file")
        if problem:  # out of the site, or into .git: never published
            problems.error(source.relative_to(site_dir).as_posix(), None, problem)
            continue
        if not source.is_file():
            continue
        sources[source.relative_to(static).as_posix()] = source
    return {name: cache.copy_of(source) for name, source in sources.items()}


__all__ = ["BuildFailed", "BuildResult", "build"]
