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
import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator import people, yamlfile
from generator.errors import CuepressError, Problems
from generator.fields import Fields
from generator.models import Episode
from generator.records import _named, _read_text, _slug, split_front_matter

LIMIT = 4  # related episodes on a page at most
GUEST_WEIGHT = 3  # a shared guest counts as much as three shared topics
TAG_WEIGHT = 1


@dataclass(frozen=True, slots=True)
class Related:
    """One related episode as its link shows it: everything here is part of the linking page's
    cache key, so a change to any of it re-renders exactly the pages that show it."""

    slug: str
    title: str
    date: dt.date
    guests: tuple[str, ...]  # the guests both episodes have, as the linking episode names them
    tags: tuple[str, ...]  # the topics both have, as the linking episode spells them

    @property
    def url_path(self) -> str:
        return f"episodes/{self.slug}/"


def recency(episode: Episode) -> tuple[dt.date, int, str]:
    """The sort key of "newest first" (descending): date, then number, then slug."""
    return (episode.date, episode.number or 0, episode.slug)


def choose(episodes: Iterable[Episode], limit: int = LIMIT) -> dict[str, tuple[Related, ...]]:
    """Each episode's related episodes, by slug (drafts included, as ``--drafts`` renders
    them; only published episodes are ever chosen)."""
    everyone = list(episodes)
    published = sorted((e for e in everyone if not e.draft), key=recency)  # oldest first
    rank = {id(e): n for n, e in enumerate(published)}  # higher: newer
    by_guest: dict[str, list[int]] = {}
    by_tag: dict[str, list[int]] = {}
    for n, episode in enumerate(published):
        for guest in dict.fromkeys(episode.guests):
            by_guest.setdefault(guest, []).append(n)
        for topic in _topics(episode):
            by_tag.setdefault(topic, []).append(n)
    chosen: dict[str, tuple[Related, ...]] = {}
    for episode in everyone:
        scores: Counter[int] = Counter()
        guests = [g for g in dict.fromkeys(episode.guests) if g in by_guest]
        topics = {t: tag for t, tag in _topics(episode).items() if t in by_tag}
        for guest in guests:
            for other in by_guest[guest]:
                scores[other] += GUEST_WEIGHT
        for topic in topics:
            scores.update(by_tag[topic])  # TAG_WEIGHT, counted in C
        scores.pop(rank.get(id(episode), -1), None)
        if not scores:
            chosen[episode.slug] = ()
            continue
        best = heapq.nlargest(limit, scores.items(), key=lambda item: (item[1], item[0]))
        chosen[episode.slug] = tuple(_shown(published[other], guests, topics) for other, _ in best)
    return chosen


assert TAG_WEIGHT == 1, "choose() counts a shared topic once (Counter.update)"


def _topics(episode: Episode) -> dict[str, str]:
    """The episode's topics: each tag page's path, and the tag as this episode spells it."""
    found: dict[str, str] = {}
    for tag in episode.tags:
        found.setdefault(people.tag_path(tag), tag)
    return found


def _shown(other: Episode, guests: list[str], topics: dict[str, str]) -> Related:
    return Related(
        slug=other.slug,
        title=other.title,
        date=other.date,
        guests=tuple(g for g in guests if g in other.guests),
        tags=tuple(tag for topic, tag in topics.items() if topic in _topics(other)),
    )


def listing(episode: Episode) -> tuple[object, ...]:
    """What :func:`choose` reads of an episode: two episodes alike here are chosen alike."""
    return (episode.slug, episode.title, episode.date, episode.number, episode.draft,
            episode.guests, episode.tags)  # fmt: skip


def read_listing(
    path: Path, shown: str, site_dir: Path, aliases: Mapping[str, str]
) -> Episode | None:
    """What :func:`listing` needs of a record, from its front matter alone (the transcript is
    not read): None when it cannot be read. Problems are left for the full read to report."""
    problems = Problems()
    try:
        text = _read_text(path, shown, site_dir)
        if path.suffix.lower() == ".md":
            text = split_front_matter(text, shown)[0]
        data = yamlfile.load(text, shown)
    except CuepressError:
        return None
    if not isinstance(data, yamlfile.Mapping):
        return None
    fields = Fields(data, shown, problems)
    title, date = fields.text("title"), fields.date("date")
    if title is None or date is None:
        return None
    return Episode(
        slug=_slug(fields, path),
        source=shown,
        title=title,
        date=date,
        number=fields.integer("number"),
        draft=bool(fields.boolean("draft")),
        guests=_named(fields.texts("guests"), aliases),
        tags=fields.texts("tags"),
    )


def same_listing(guessed: Episode | None, read: Episode | None) -> bool:
    if guessed is None or read is None:
        return guessed is read
    return listing(guessed) == listing(read)


__all__ = ["LIMIT", "Related", "choose", "read_listing", "recency", "same_listing"]
