"""Files that let apps and search engines find the show: the feed, JSON chapters, the sitemap
and ``robots.txt``. The XML ones are made in :mod:`generator.feed`, the only room that writes
with lxml.

The page-level tags (canonical URL, social cards, JSON-LD) live in ``layouts/_head.html``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from generator import feed
from generator.errors import Problems
from generator.models import Episode, Site

CHAPTERS_VERSION = "1.2.0"  # of the Podcasting 2.0 JSON chapters format
ROBOTS_FILE = "robots.txt"
EMBED_PAGE = "/embed/index.html"  # episodes/SLUG/embed/index.html (generator/episodes.py)


def show_files(site: Site, episodes: list[Episode], problems: Problems) -> dict[str, str]:
    """A show's feed and its episodes' JSON chapters, by path relative to the site root.
    Drafts (built only with ``--drafts``) stay out of the feed."""
    published = [e for e in episodes if not e.draft]
    files = {site.feed_path: feed.feed_xml(site, published, problems)}
    for episode in episodes:
        if episode.chapters:
            files[episode.url_path + feed.CHAPTERS_FILE] = chapters_json(site, episode)
    return files


def site_files(
    site: Site,
    pages: Iterable[str],
    unlisted: Collection[str],
    site_dir: Path,
) -> dict[str, str]:
    """The sitemap of a site whose rendered files are at ``pages``, leaving out the pages at
    ``unlisted`` (drafts, built only with ``--drafts``, and redirects), and ``robots.txt``."""
    listed = sorted(
        page.removesuffix("index.html")
        for page in pages
        if page.endswith("index.html")
        and page.removesuffix("index.html") not in unlisted
        and not page.endswith(EMBED_PAGE)  # noindex: a player for other sites' iframes
    )
    files = {feed.SITEMAP_FILE: feed.sitemap_xml(site, listed)}
    if not (site_dir / "static" / ROBOTS_FILE).exists():  # the site's own robots.txt wins
        files[ROBOTS_FILE] = robots_txt(site)
    return files


def chapters_json(site: Site, episode: Episode) -> str:
    """The episode's chapters in the Podcasting 2.0 JSON chapters format, URLs made absolute."""
    chapters = []
    for chapter in episode.chapters:
        item: dict[str, Any] = {"startTime": _seconds(chapter.start_ms), "title": chapter.title}
        if chapter.url:
            item["url"] = site.absolute(chapter.url)
        if chapter.img:
            item["img"] = site.absolute(chapter.img)
        chapters.append(item)
    data: dict[str, Any] = {
        "version": CHAPTERS_VERSION,
        "title": episode.title,
        "podcastName": site.title,
    }
    if site.author:
        data["author"] = site.author
    data["chapters"] = chapters
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def robots_txt(site: Site) -> str:
    """Allow everything and name the sitemap. (Crawlers read ``robots.txt`` only at a host's
    root, so it takes effect when ``base_url`` has no sub-path.)"""
    return f"User-agent: *\nDisallow:\n\nSitemap: {site.absolute(feed.SITEMAP_FILE)}\n"


def _seconds(ms: int) -> int | float:
    """Milliseconds as JSON seconds: ``21`` for a whole second, ``21.5`` otherwise."""
    return ms // 1000 if ms % 1000 == 0 else ms / 1000
