"""The site as data: frozen, always-valid models built by the readers and read by the renderer.

Times are whole milliseconds; ``*_ms`` names say so. Nothing here reads files or renders.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter
from typing import NamedTuple
from urllib.parse import quote, urlsplit, urlunsplit

from generator.pickling import by_fields
from generator.timecodes import clock, seconds_text

URL_SAFE = "/:?#[]@!$&'()*+,;=%~"  # reserved and already-escaped characters stay as written


@by_fields
@dataclass(frozen=True, slots=True)
class Owner:
    name: str
    email: str


@by_fields
@dataclass(frozen=True, slots=True)
class Funding:
    """``podcast:funding``: where listeners can support the show."""

    url: str  # absolute http(s)
    text: str


@by_fields
@dataclass(frozen=True, slots=True)
class RemoteItem:
    """A show recommended in ``podcast:podroll``, by its ``podcast:guid``."""

    feed_guid: str
    feed_url: str | None = None
    title: str | None = None


@by_fields
@dataclass(frozen=True, slots=True)
class Location:
    """``podcast:location``: what the show or episode is about, or where it was made."""

    name: str
    geo: str | None = None  # a geo: URI (RFC 5870), geo:51.5,-0.12
    osm: str | None = None  # an OpenStreetMap object: R113314, N123, W456


@by_fields
@dataclass(frozen=True, slots=True)
class Txt:
    """``podcast:txt``: free text for other services (a verification code, say)."""

    text: str
    purpose: str | None = None


@by_fields
@dataclass(frozen=True, slots=True)
class Social:
    """``podcast:socialInteract``: where the episode's comments live."""

    protocol: str  # activitypub, atproto, twitter, lightning, disabled ...
    uri: str | None = None
    account_id: str | None = None
    account_url: str | None = None
    priority: int | None = None


@by_fields
@dataclass(frozen=True, slots=True)
class Person:
    """Someone who hosts, guests or speaks, from ``site.yaml`` ``people:`` or a record in
    ``content/people/``; every name in ``aliases`` means this person."""

    name: str
    slug: str  # the page: people/SLUG/
    source: str  # where the person is described, for messages
    line: int | None = None
    aliases: tuple[str, ...] = ()
    image: str | None = None  # a URL, or a path relative to the site root
    links: tuple[str, ...] = ()  # their own pages; the first is podcast:person href
    role: str = ""  # a few words: "Tool librarian"
    group: str | None = None  # podcast:person group (cast, writing, audio post-production ...)
    bio_html: str = ""


@by_fields
@dataclass(frozen=True, slots=True)
class Site:
    """What ``site.yaml`` says, validated."""

    title: str
    base_url: str  # absolute http(s) URL ending in "/"
    description: str = ""
    language: str = "en"
    author: str = ""
    owner: Owner | None = None
    image: str | None = None
    categories: tuple[str, ...] = ()
    explicit: bool = False
    copyright: str = ""
    episodes_per_page: int = 20
    locked: bool | None = None  # podcast:locked; None leaves the tag out
    podcast_guid: str | None = None  # pins podcast:guid (else derived from the feed URL)
    cname: str | None = None  # custom domain for GitHub Pages, written to CNAME
    search: bool = True  # the search page and its Pagefind index (generator/search.py)
    funding: tuple[Funding, ...] = ()
    podroll: tuple[RemoteItem, ...] = ()
    medium: str | None = None  # podcast:medium; None leaves the tag out (apps assume podcast)
    location: Location | None = None
    txt: tuple[Txt, ...] = ()
    seasons: tuple[tuple[int, str], ...] = ()  # season number -> name, for podcast:season
    people: tuple[Person, ...] = ()  # described people (site.yaml and content/people/)
    segments: str = "readable"  # or "as-is": transcripts/readable.py merges fragments or not
    edit_url: str | None = None  # where a transcript can be corrected: edit_url + its source path
    # The transcript downloads written as files (generator/transcripts/exports.py DOWNLOADS);
    # the page makes the others in the browser. Always one of vtt and json.
    transcript_files: tuple[str, ...] = ("vtt", "json")
    # In a network of shows (content/shows/NAME/): the show's address, its pages under SHOW/;
    # "" on a one-show site and for the network itself.
    show: str = ""
    network: bool = False  # the network's own settings: its pages list the shows; no feed
    source: str = "site.yaml"  # where these settings are written, for messages
    # A show that moved out of the site's root into a network (show.yaml moved_from: /): its
    # old addresses are kept as redirects, and the old feed.xml as its feed with the new URL.
    moved_from: str | None = None

    @property
    def home(self) -> str:
        """The show's home page, relative to the site root: ``""``, or ``SHOW/`` in a network."""
        return f"{self.show}/" if self.show else ""

    @property
    def feed_path(self) -> str:
        """The show's feed, relative to the site root: ``feed.xml``, or ``SHOW/feed.xml``."""
        return self.home + "feed.xml"

    @property
    def path(self) -> str:
        """The URL path the site lives under: ``/`` or ``/show/``."""
        return urlsplit(self.base_url).path

    def absolute(self, url: str) -> str:
        """``url`` (absolute, or a path relative to the site root) as an absolute URL, with
        anything outside ASCII percent-encoded, as feeds and social cards need."""
        return _absolute(url if "://" in url else self.base_url + url)


@functools.lru_cache(maxsize=4096)  # every page asks for the feed's and the site's URL again
def _absolute(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc if parts.netloc.isascii() else parts.netloc.encode("idna").decode()
    path, query, fragment = (quote(p, safe=URL_SAFE) for p in parts[2:])
    return urlunsplit((parts.scheme, host, path, query, fragment))


_START, _SPEAKER = itemgetter(0), itemgetter(3)  # of a Segment


class Segment(NamedTuple):
    """One timed piece of a transcript (a named tuple: archives hold hundreds of thousands)."""

    start_ms: int
    end_ms: int | None  # None when unknown; never before start_ms
    text: str  # plain text, never markup
    speaker: str | None
    anchor: str  # time-derived element id, e.g. "t=83" or "t=83.4"
    line: int  # where it was written, for messages


@by_fields
@dataclass(frozen=True, slots=True)
class Transcript:
    """A normalised transcript: segments sorted by start, with unique time anchors."""

    source: str  # the file it came from (the record itself when inline)
    segments: tuple[Segment, ...]
    timed: bool = True  # False: plain paragraphs with no times (anchors p1, p2 ...)
    # When each word of each segment was said (absolute ms), where the source timed words;
    # () when it did not.
    words: tuple[tuple[int, ...], ...] = ()

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speakers in order of first appearance."""
        return tuple(name for name in dict.fromkeys(map(_SPEAKER, self.segments)) if name)

    def renamed(self, names: Mapping[str, str]) -> Transcript:
        """The transcript with its speakers' names replaced as ``names`` says."""
        return Transcript(
            self.source,
            timed=self.timed,
            words=self.words,
            segments=tuple(
                s._replace(speaker=names[s.speaker])
                if s.speaker is not None and s.speaker in names
                else s
                for s in self.segments
            ),
        )

    def info(self) -> TranscriptInfo:
        if not self.timed:
            return TranscriptInfo(self.source, len(self.segments), self.speakers, timed=False)
        voices = self.voices()
        return TranscriptInfo(self.source, len(self.segments), tuple(v[0] for v in voices), voices)

    def voices(self) -> tuple[Voice, ...]:
        """Each named speaker's first moment and time spoken (a segment lasts until its end,
        else until the next segment starts), in order of first appearance."""
        segments = self.segments
        names = list(map(_SPEAKER, segments))
        if not any(names):
            return ()
        starts = list(map(_START, segments))
        last = len(segments) - 1
        first: dict[str, int] = {}
        spoken: dict[str, int] = {}
        for index in compress(range(len(names)), names):  # only the segments with a speaker
            name, start, end = names[index], starts[index], segments[index][1]
            if end is None:
                end = starts[index + 1] if index < last else start
            if name in spoken:
                spoken[name] += end - start if end > start else 0
            else:
                first[name] = start
                spoken[name] = end - start if end > start else 0
        return tuple(Voice(name, first[name], spoken[name]) for name in first)


class Voice(NamedTuple):
    """One speaker of a transcript: who, when first heard, and for how long in all."""

    name: str
    first_ms: int
    spoken_ms: int


@by_fields
@dataclass(frozen=True, slots=True)
class TranscriptInfo:
    """What pages other than the episode's own know of its transcript: where it came from and
    its size, not its segments (those are rendered once, with the episode, and cached)."""

    source: str
    segments: int
    speakers: tuple[str, ...]
    voices: tuple[Voice, ...] = ()
    timed: bool = True


@by_fields
@dataclass(frozen=True, slots=True)
class Chapter:
    start_ms: int
    title: str
    url: str | None = None
    img: str | None = None

    @property
    def label(self) -> str:
        return clock(self.start_ms)

    @property
    def start(self) -> str:
        return seconds_text(self.start_ms)


@by_fields
@dataclass(frozen=True, slots=True)
class Soundbite:
    """A short range worth hearing on its own (Podcasting 2.0 ``podcast:soundbite``)."""

    start_ms: int
    duration_ms: int  # more than 0
    title: str | None = None

    @property
    def label(self) -> str:
        return clock(self.start_ms)

    @property
    def start(self) -> str:
        return seconds_text(self.start_ms)

    @property
    def end(self) -> str:
        return seconds_text(self.start_ms + self.duration_ms)

    @property
    def seconds(self) -> str:
        """The duration as a listener reads it: ``45 s``, ``1:30``."""
        whole = round(self.duration_ms / 1000)
        return f"{whole} s" if whole < 60 else clock(whole * 1000)


@by_fields
@dataclass(frozen=True, slots=True)
class Audio:
    url: str  # absolute URL, or a path relative to the site root
    length: int | None = None  # bytes
    type: str | None = None  # MIME type
    line: int | None = field(default=None, compare=False)  # of audio: in the record, for messages


@by_fields
@dataclass(frozen=True, slots=True)
class Episode:
    """One episode record, validated, with its transcript read."""

    slug: str
    source: str  # the record's path, relative to the site
    title: str
    date: dt.date
    summary_html: str = ""
    number: int | None = None
    season: int | None = None
    duration_ms: int | None = None
    audio: Audio | None = None
    hosts: tuple[str, ...] = ()
    guests: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    soundbites: tuple[Soundbite, ...] = ()
    transcript: TranscriptInfo | None = None
    draft: bool = False
    image: str | None = None
    guid: str | None = None
    explicit: bool | None = None
    episode_type: str | None = None  # itunes:episodeType: full, trailer or bonus
    location: Location | None = None
    txt: tuple[Txt, ...] = ()
    social: tuple[Social, ...] = ()
    segments: str | None = None  # the record's own segments: setting (None: the site's)
    show: str = ""  # the show's address in a network of shows; "" on a one-show site

    @property
    def url_path(self) -> str:
        """The page's path relative to the site root: ``episodes/SLUG/``, or
        ``SHOW/episodes/SLUG/`` in a network."""
        return f"{self.show}/episodes/{self.slug}/" if self.show else f"episodes/{self.slug}/"

    @property
    def duration(self) -> str | None:
        return clock(self.duration_ms) if self.duration_ms is not None else None
