"""Related episodes: for each episode page, the few published episodes that share the most
guests and tags with it.

The rule (one place): each guest both episodes have counts :data:`GUEST_WEIGHT`, each topic both
have (tags whose pages coincide, like Garden and garden, are one topic) :data:`TAG_WEIGHT`; the
:data:`LIMIT` highest scores are shown, ties newest first (the episode index's order); the
episode itself, drafts and episodes that share nothing are never listed. Hosts do not count:
they are in nearly every episode.

Episode pages are rendered before every episode is read, so the episode stage chooses the
related episodes first from the records' front matter (:func:`read_listing`, no transcript read)
and the cached episodes' metadata, and checks the choice against the episodes as read.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Mapping
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from generator import people, yamlfile
from generator.errors import CuepressError, Problems
from generator.fields import Fields
from generator.models import Episode
from generator.records import (
    MAX_RECORD_BYTES,
    canonical_names,
    read_text,
    record_slug,
    split_front_matter,
)

LIMIT = 4  # related episodes on a page at most
GUEST_WEIGHT = 3  # a shared guest counts as much as three shared topics
TAG_WEIGHT = 1


class Related(NamedTuple):
    """One related episode as its link shows it: everything here is part of the linking page's
    cache key, so a change to any of it re-renders exactly the pages that show it."""

    slug: str
    title: str
    date: dt.date
    guests: tuple[str, ...]  # the guests both episodes have, as the linking episode names them
    tags: tuple[str, ...]  # the topics both have, as the linking episode spells them
    show: str = ""  # in a network, the show both are in

    @property
    def url_path(self) -> str:
        return f"{self.show}/episodes/{self.slug}/" if self.show else f"episodes/{self.slug}/"


def recency(episode: Episode) -> tuple[dt.date, int, str]:
    """The sort key of "newest first" (descending): date, then number, then slug."""
    return (episode.date, episode.number or 0, episode.slug)


def choose(episodes: Iterable[Episode], limit: int = LIMIT) -> dict[str, tuple[Related, ...]]:
    """Each episode's related episodes, by slug (drafts included, as ``--drafts`` renders
    them; only published episodes are ever chosen)."""
    everyone = list(episodes)
    published = sorted((e for e in everyone if not e.draft), key=recency, reverse=True)
    rank = {id(e): n for n, e in enumerate(published)}  # 0: the newest
    paths: dict[str, str] = {}  # tag -> its page (a tag is slugged once, not once per use)
    topics = {id(e): _topics(e, paths) for e in everyone}
    by_guest: dict[str, list[int]] = {}
    by_topic: dict[str, list[int]] = {}
    for n, episode in enumerate(published):
        for guest in dict.fromkeys(episode.guests):
            by_guest.setdefault(guest, []).append(n)
        for topic in topics[id(episode)]:
            by_topic.setdefault(topic, []).append(n)
    chosen: dict[str, tuple[Related, ...]] = {}
    for episode in everyone:
        guests = [g for g in dict.fromkeys(episode.guests) if g in by_guest]
        own = topics[id(episode)]
        hits: list[int] = []  # each other episode once per point it scores (counted in C)
        for guest in guests:
            hits += by_guest[guest] * GUEST_WEIGHT
        for topic in own:  # a draft's tag may be on no published episode
            hits += by_topic.get(topic, []) * TAG_WEIGHT
        hits.sort()  # newest first, which the stable sort below keeps among equal scores
        scores = Counter(hits)
        scores.pop(rank.get(id(episode), -1), None)
        best = sorted(scores.items(), key=itemgetter(1), reverse=True)[:limit]
        chosen[episode.slug] = tuple(
            Related(
                slug=other.slug,
                title=other.title,
                date=other.date,
                guests=tuple(g for g in guests if g in other.guests),
                tags=tuple(tag for topic, tag in own.items() if topic in topics[id(other)]),
                show=other.show,
            )
            for other in (published[n] for n, _ in best)
        )
    return chosen


def _topics(episode: Episode, paths: dict[str, str]) -> dict[str, str]:
    """The episode's topics: each tag page's path, and the tag as this episode spells it."""
    found: dict[str, str] = {}
    for tag in episode.tags:
        path = paths.get(tag)
        if path is None:
            path = paths[tag] = people.tag_path(tag)
        found.setdefault(path, tag)
    return found


def listing(episode: Episode) -> tuple[object, ...]:
    """What :func:`choose` reads of an episode: two episodes alike here are chosen alike."""
    return (episode.slug, episode.title, episode.date, episode.number, episode.draft,
            episode.guests, episode.tags)  # fmt: skip


LISTED = ("title", "date", "number", "draft", "slug", "guests", "tags")  # what listing() reads
_KEY = re.compile(r"""(["']?)([A-Za-z_][\w-]*)\1[ \t]*:(?:[ \t]|$)""")


def read_listing(
    path: Path, shown: str, site_dir: Path, aliases: Mapping[str, str]
) -> Episode | None:
    """What :func:`listing` needs of a record, from its front matter alone: only its
    :data:`LISTED` keys are parsed (not an inline transcript or the chapters). None when it
    cannot be read so; the full read reports the problems."""
    problems = Problems()
    try:
        text = _plain_text(path)
        if text is None:  # a link, or no plain file: the full read's checks decide
            text = read_text(path, shown, site_dir)
        if path.suffix.lower() == ".md":
            text = split_front_matter(text, shown)[0]
        data = yamlfile.load(_listed_part(text), shown)
    except CuepressError:
        return None
    if not isinstance(data, yamlfile.Mapping):
        return None
    fields = Fields(data, shown, problems)
    title, date = fields.text("title"), fields.date("date")
    if title is None or date is None:
        return None
    return Episode(
        slug=record_slug(fields, path),
        source=shown,
        title=title,
        date=date,
        number=fields.integer("number"),
        draft=bool(fields.boolean("draft")),
        guests=canonical_names(fields.texts("guests"), aliases),
        tags=fields.texts("tags"),
    )


def _plain_text(path: Path) -> str | None:
    """The text of a record that is a plain file (no link; records are only found in folders
    of the site, never through a link), or None. Cheaper than the full read's checks, which
    resolve the path."""
    try:
        if not NO_FOLLOW or stat.S_ISLNK(os.lstat(path).st_mode):  # never opened here
            return None
        descriptor = os.open(path, os.O_RDONLY | NO_FOLLOW)  # unless replaced meanwhile
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(MAX_RECORD_BYTES + 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)  # 0 where there is none (Windows)


def _listed_part(text: str) -> str:
    """The top-level entries of a record's YAML whose keys are :data:`LISTED`: each from its
    key's line (at the start of a line) to the next top-level key. Anything unusual (an anchor
    defined elsewhere, a key YAML would read differently) only makes the guess wrong, which the
    episode stage finds out and mends."""
    kept: list[str] = []
    keep = False
    for line in text.split("\n"):
        if line[:1] not in ("", " ", "\t", "-", "#"):  # a new top-level entry, or the end
            match = _KEY.match(line)
            keep = match is not None and match.group(2) in LISTED
        if keep:
            kept.append(line)
    return "\n".join(kept)


def same_listing(guessed: Episode | None, read: Episode | None) -> bool:
    if guessed is None or read is None:
        return guessed is read
    return listing(guessed) == listing(read)


__all__ = ["LIMIT", "Related", "choose", "read_listing", "recency", "same_listing"]
