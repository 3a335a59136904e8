"""A network of shows: one site, many podcasts.

A site with ``content/shows/`` is a network. Each ``content/shows/NAME/`` is a show: its
``show.yaml`` (the show's settings, read by the rules of ``site.yaml``: see
:func:`generator.config.load_show`) and its ``episodes/`` (records and transcripts, as a one-show
site's ``content/episodes/``). ``site.yaml`` holds the network's settings; ``content/people/`` is
shared. A site with ``content/episodes/`` alone is a one-show site, exactly as before.

Each show's pages live under its address, ``SHOW/``; the network's own pages (its home, the
categories, people, tags, search, the sitemap) at the root. Shows are listed in the order of
their folders' names, so that any share of them can be built on its own (see
:func:`show_folders`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator import slugs
from generator.config import SHOW_FILE, load_show
from generator.errors import Problems
from generator.models import Episode, Site
from generator.records import find_records

SHOWS_DIR = "content/shows"
EPISODES_DIR = "content/episodes"


def is_network(site_dir: Path) -> bool:
    """Whether the site is a network of shows: it has ``content/shows/``."""
    return (site_dir / SHOWS_DIR).is_dir()


def show_folders(site_dir: Path) -> list[Path]:
    """Every show's folder, in the order of their names (``_name`` and ``.name`` skipped; a
    folder that links out of the site is never read). The one order every build of the
    network lists its shows in."""
    shows = site_dir / SHOWS_DIR
    if not shows.is_dir() or not shows.resolve().is_relative_to(site_dir.resolve()):
        return []
    return sorted(
        folder
        for folder in shows.iterdir()
        if folder.is_dir() and not folder.name.startswith((".", "_"))
    )


def records_folder(show: Site) -> str:
    """Where the show's episode records are, relative to the site."""
    if not show.show:
        return EPISODES_DIR
    return (PurePosixPath(show.source).parent / "episodes").as_posix()


def records_folder_of(record: str) -> str:
    """The records folder (as :func:`records_folder` gives it) a record, relative to the site,
    is in: ``content/episodes``, or ``content/shows/NAME/episodes``."""
    parts = record.split("/", 4)
    return "/".join(parts[:4]) if parts[1] == "shows" else "/".join(parts[:2])


def load_shows(site_dir: Path, network: Site, problems: Problems) -> tuple[Site, ...]:
    """The network's shows, in :func:`show_folders` order. Two shows with one address (an
    explicit ``slug:``, or folders whose names differ only in case, which are one folder on
    macOS and Windows) are an error naming both; so is ``content/episodes/`` beside
    ``content/shows/``."""
    stray = find_records(site_dir / EPISODES_DIR)
    if stray:
        problems.error(
            EPISODES_DIR,
            None,
            f"a site with {SHOWS_DIR}/ is a network of shows, whose episodes are in "
            f"{SHOWS_DIR}/NAME/episodes/; move these {len(stray)} records into a show's folder "
            "(see A network of shows in the README)",
        )
    folders = show_folders(site_dir)
    if not folders:
        problems.warn(SHOWS_DIR, None, f"no shows found (add {SHOWS_DIR}/NAME/{SHOW_FILE})")
    shows: list[Site] = []
    taken: dict[str, Site] = {}
    moved: Site | None = None
    for folder in folders:
        show = load_show(site_dir, folder, network, problems)
        if show is None:
            continue
        other = taken.get(show.show.lower())
        if other is not None:
            problems.error(
                show.source,
                None,
                f"the show's address {show.show}/ is already {other.source}'s ({other.title}); "
                "addresses that differ only in case are one on many systems (rename one folder "
                "or set a different slug:)",
            )
            continue
        taken[show.show.lower()] = show
        if show.moved_from is not None:
            if moved is not None:
                problems.error(
                    show.source,
                    None,
                    f"moved_from: / is already {moved.source}'s; only the site's one show can "
                    "have moved from its root",
                )
                continue
            if show.podcast_guid is None:
                problems.error(
                    show.source,
                    None,
                    "a show moved from the site's root must pin its podcast_guid (copy it from "
                    "the old feed.xml's <podcast:guid>), or its guid and every episode's would "
                    "change",
                )
                continue
            moved = show
        shows.append(show)
    return tuple(shows)


@dataclass(frozen=True)
class ShowCard:
    """One show as the network's home lists it."""

    show: Site
    latest: Episode | None  # its newest published episode
    episodes: int  # how many it has


@dataclass(frozen=True)
class CategoryPage:
    """A category, with the shows in it."""

    name: str
    path: str  # categories/SLUG/
    shows: list[ShowCard]


def show_cards(shows: Sequence[Site], episodes: Sequence[Episode]) -> list[ShowCard]:
    """Each show with its newest episode (``episodes`` come newest first, drafts out)."""
    latest: dict[str, Episode] = {}
    counts: dict[str, int] = {}
    for episode in episodes:
        latest.setdefault(episode.show, episode)
        counts[episode.show] = counts.get(episode.show, 0) + 1
    return [ShowCard(show, latest.get(show.show), counts.get(show.show, 0)) for show in shows]


def category_path(name: str) -> str:
    return f"categories/{slugs.segment(name) or slugs.fallback(name, 'category')}/"


def category_pages(cards: Sequence[ShowCard]) -> list[CategoryPage]:
    """A page for every category a show is in (categories whose addresses coincide share one),
    listing its shows in the network's order, sorted by name."""
    pages: dict[str, CategoryPage] = {}
    for card in cards:
        for name in dict.fromkeys(card.show.categories):
            path = category_path(name)
            page = pages.setdefault(path, CategoryPage(name, path, []))
            if not page.shows or page.shows[-1] is not card:
                page.shows.append(card)
    return sorted(pages.values(), key=lambda p: (p.name.casefold(), p.name))
