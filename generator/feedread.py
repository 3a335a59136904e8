"""A show's existing podcast feed (RSS 2.0 with the itunes, content, podcast and psc tags) as data.

This is the reading side of lxml (``feed.py`` is the writing side). Feeds come from anywhere, so
the parser is hardened: it never touches the network, never loads a DTD, never expands an
entity, and a feed that declares entities at all (the "billion laughs" and external-entity
attacks need them; no podcast feed does) is refused before parsing. A feed that is not
well-formed XML, as some self-hosted feeds are, is read leniently with a warning.

Everything a feed states is kept as it states it, above all each item's ``<guid>``: podcast
apps know an episode by it forever. Where real feeds vary (dates in every RFC 822 dialect,
durations as ``1:02:03``, ``62:03`` or ``3723``, ``explicit`` as ``yes``, ``No``, ``clean``,
relative and protocol-relative URLs) the value is read as apps read it, and anything that cannot
be read is a warning naming the feed's line, never a reason to stop.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from lxml import etree

from generator import markup
from generator.errors import ContentError, Problems
from generator.models import URL_SAFE

# Namespace URIs as feeds write them (some with other capitals or a trailing slash), by prefix.
_NAMESPACES = {
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "https://podcastindex.org/namespace/1.0": "podcast",
    "https://github.com/podcastindex-org/podcast-namespace/blob/main/docs/1.0.md": "podcast",
    "http://podlove.org/simple-chapters": "psc",
    "http://podlove.org/simple-chapters/": "psc",
    "http://www.w3.org/2005/atom": "atom",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://search.yahoo.com/mrss/": "media",
    "http://search.yahoo.com/mrss": "media",
    "http://www.google.com/schemas/play-podcasts/1.0": "googleplay",
}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_TAG = re.compile(r"<[A-Za-z/!][^>]*>")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.I)
_ROOT_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|channel|html)\b", re.I)
_DURATION = re.compile(r"(\d+)(?::(\d{1,2}))?(?::(\d{1,2}))?(?:[.,](\d+))?")
_WEEKDAY = re.compile(
    r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s*", re.IGNORECASE
)
_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH_WORD = re.compile(r"\b(" + "|".join(m[:3] for m in _MONTHS) + r")[a-z]*\.?", re.IGNORECASE)
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
_MONTH_FIRST = re.compile(r"^([A-Za-z]{3})\s+(\d{1,2}),?\s+(\d{4})(.*)$")
EXPLICIT_WORDS = {"yes": True, "true": True, "explicit": True, "no": False, "false": False}
EXPLICIT_WORDS["clean"] = False
EXPECTED_EXPLICIT = "yes, no, true, false, explicit or clean"


class FeedError(ContentError):
    """The feed cannot be imported at all: not XML, not a podcast feed, or hostile."""


@dataclass(frozen=True, slots=True)
class FeedAudio:
    url: str  # absolute http(s)
    length: int | None
    type: str | None


@dataclass(frozen=True, slots=True)
class FeedTranscript:
    url: str  # absolute http(s)
    type: str
    language: str | None = None


@dataclass(frozen=True, slots=True)
class FeedChapter:
    start_ms: int
    title: str
    url: str | None = None
    img: str | None = None


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One ``<item>`` as the feed states it; ``line`` is where it starts, for messages."""

    line: int
    title: str
    guid: str | None
    date: dt.date | None
    date_text: str
    number: int | None = None
    season: int | None = None
    duration_ms: int | None = None
    audio: FeedAudio | None = None
    image: str | None = None
    explicit: bool | None = None
    hosts: tuple[str, ...] = ()
    guests: tuple[str, ...] = ()
    notes: str = ""  # Markdown
    transcripts: tuple[FeedTranscript, ...] = ()
    chapters_url: str | None = None
    chapters: tuple[FeedChapter, ...] = ()  # Podlove Simple Chapters in the item


@dataclass(frozen=True, slots=True)
class Channel:
    title: str
    description: str = ""
    language: str | None = None
    author: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    image: str | None = None
    categories: tuple[str, ...] = ()
    explicit: bool | None = None
    copyright: str | None = None
    podcast_guid: str | None = None
    locked: bool | None = None
    self_url: str | None = None  # the feed's own address, as it says (atom:link rel="self")
    new_feed_url: str | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    channel: Channel
    items: tuple[FeedItem, ...]


def parse(data: bytes, shown: str, url: str | None, problems: Problems) -> Feed:
    """Read feed ``data`` fetched from ``url`` (None for a local file); ``shown`` names it in
    messages. Raises :class:`FeedError` for a feed that cannot be imported."""
    root = _parse_xml(data, shown, url, problems)
    if _name(root) != "rss":
        what = _name(root) or "?"
        hint = (
            " (is the address a web page rather than the feed? look for the RSS link)"
            if what == "html"
            else " (Cuepress imports RSS 2.0 podcast feeds)"
        )
        raise FeedError(
            shown, root.sourceline, f"not a podcast feed: it starts with <{what}>{hint}"
        )
    channel_element = _child(root, "channel")
    if channel_element is None:
        raise FeedError(shown, root.sourceline, "the feed has no <channel> (not an RSS feed)")
    reader = _Reader(shown, problems, url)
    channel = reader.channel(channel_element)
    if url is None:  # a feed file: its links are relative to where the feed says it lives
        reader.base = channel.self_url or channel.new_feed_url
    host_default = tuple(name for name, role in reader.people(channel_element) if role == "host")
    items = tuple(
        reader.item(element, host_default) for element in _children(channel_element, "item")
    )
    return Feed(channel, items)


def _parse_xml(data: bytes, shown: str, url: str | None, problems: Problems) -> etree._Element:
    prologue = data[: m.start()] if (m := _ROOT_START.search(data)) else data
    declared = _ENTITY_DECLARATION.search(prologue)
    if declared:
        line = prologue.count(b"\n", 0, declared.start()) + 1
        raise FeedError(
            shown,
            line,
            "the feed declares an XML entity (<!ENTITY ...>); no podcast feed needs one, and "
            "entities can expand a small file into gigabytes or read files on this computer, so "
            "the feed is refused (ask the host for a plain RSS feed)",
        )
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or data[:2] in (
        b"<\x00",
        b"\x00<",
    )
    if not utf16 and b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise FeedError(
            shown,
            line,
            "the feed holds a NUL byte, which no XML may hold: the file is damaged or not a "
            "feed (download it again, or ask the host)",
        )
    try:
        return _fromstring(data, url, recover=False)
    except etree.XMLSyntaxError as exc:
        where: int | None = exc.lineno
        message = exc.msg
    try:
        root: etree._Element | None = _fromstring(data, url, recover=True)
    except etree.XMLSyntaxError:
        root = None
    if root is None or _name(root) != "rss":
        raise FeedError(shown, where, f"not a podcast feed: the XML is broken here ({message})")
    problems.warn(
        shown,
        where,
        f"the feed is not well-formed XML ({message}); it was read leniently, so check the "
        "episodes imported after this line",
    )
    return root


def _fromstring(data: bytes, url: str | None, *, recover: bool) -> etree._Element:
    """The document's root, parsed with no network, no DTD and no entity expansion."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )
    root: etree._Element = etree.fromstring(data, parser, base_url=url)
    return root


def _name(element: etree._Element) -> str:
    """``prefix:local`` for a known namespace, the local name for none, '' for others."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # an entity reference or other node
    if tag.startswith("{"):
        namespace, local = tag[1:].split("}", 1)
        prefix = _NAMESPACES.get(namespace.lower())
        return f"{prefix}:{local}" if prefix else ""
    return tag


def _children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    return (child for child in element if _name(child) == name)


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next(_children(element, name), None)


def _text(element: etree._Element | None) -> str:
    """The element's text (CDATA included) with surrounding space and control characters gone."""
    if element is None:
        return ""
    return _CONTROL.sub("", "".join(element.itertext())).strip()


def _line(text: str) -> str:
    return " ".join(text.split())


class _Reader:
    """Reads one feed's elements, reporting at ``shown``'s lines."""

    def __init__(self, shown: str, problems: Problems, base: str | None) -> None:
        self.shown = shown
        self.problems = problems
        self.base = base

    def warn(self, element: etree._Element, message: str) -> None:
        self.problems.warn(self.shown, element.sourceline, message)

    def first_text(self, element: etree._Element, *names: str) -> tuple[str, etree._Element]:
        for name in names:
            child = _child(element, name)
            if child is not None and _text(child):
                return _text(child), child
        return "", element

    def url(self, element: etree._Element, value: str | None, what: str) -> str | None:
        """``value`` as an absolute http(s) URL (relative ones resolved against the feed's
        address or ``xml:base``), or None with a warning."""
        value = _CONTROL.sub("", (value or "")).strip()
        if not value:
            return None
        if value.startswith("//"):  # protocol-relative: podcast apps fetch these over https
            value = "https:" + value
        base = element.base if element.base and "://" in element.base else self.base
        scheme = urlsplit(value).scheme.lower()
        if not scheme and base:
            value = urljoin(base, value)
        parts = urlsplit(value)
        if parts.scheme.lower() in ("http", "https") and parts.hostname:
            return quote(value, safe=URL_SAFE)  # spaces and the like, as browsers send them
        if not parts.scheme:
            reason = "a relative URL, and the feed does not say where it lives"
        else:
            reason = f"a {parts.scheme}: URL; only http and https are fetched"
        self.warn(element, f"{what} {value[:80]!r} was left out: {reason}")
        return None

    def channel(self, element: etree._Element) -> Channel:
        title = _line(_text(_child(element, "title")))
        if not title:
            self.warn(element, "the feed has no <title>; the site is called 'My Podcast'")
            title = "My Podcast"
        description, _ = self.first_text(element, "description", "itunes:summary")
        owner = _child(element, "itunes:owner")
        author, _ = self.first_text(element, "itunes:author", "managingEditor", "dc:creator")
        image = None
        itunes_image = _child(element, "itunes:image")
        if itunes_image is not None:
            image = self.url(itunes_image, itunes_image.get("href"), "the show's image")
        rss_image = _child(element, "image")
        if image is None and rss_image is not None:
            url_element = _child(rss_image, "url")
            if url_element is not None:
                image = self.url(url_element, _text(url_element), "the show's image")
        self_url = None
        for link in _children(element, "atom:link"):
            if link.get("rel") == "self" and link.get("href"):
                self_url = self.url(link, link.get("href"), "the feed's own address")
        locked_element = _child(element, "podcast:locked")
        return Channel(
            title=title,
            description=_plain(description),
            language=_line(_text(_child(element, "language"))) or None,
            author=_line(author) or None,
            owner_name=_line(_text(_child(owner, "itunes:name")) or author) or None
            if owner is not None
            else None,
            owner_email=_line(_text(_child(owner, "itunes:email"))) or None
            if owner is not None
            else None,
            image=image,
            categories=self.categories(element),
            explicit=self.explicit(_child(element, "itunes:explicit")),
            copyright=_line(_text(_child(element, "copyright"))) or None,
            podcast_guid=_line(_text(_child(element, "podcast:guid"))) or None,
            locked=self.explicit(locked_element) if locked_element is not None else None,
            self_url=self_url,
            new_feed_url=self.url(
                element, _text(_child(element, "itunes:new-feed-url")), "itunes:new-feed-url"
            )
            if _child(element, "itunes:new-feed-url") is not None
            else None,
        )

    def categories(self, element: etree._Element) -> tuple[str, ...]:
        found = []
        for category in _children(element, "itunes:category"):
            text = _line(category.get("text") or "")
            if text and text not in found:
                found.append(text)
            for sub in _children(category, "itunes:category"):
                self.warn(
                    sub,
                    f"the subcategory {sub.get('text')!r} of {text!r} is not kept (site.yaml "
                    "lists top-level categories; add it by hand if your layouts need it)",
                )
        return tuple(found)

    def explicit(self, element: etree._Element | None) -> bool | None:
        if element is None:
            return None
        value = _text(element).lower()
        if not value:
            return None
        if value in EXPLICIT_WORDS:
            return EXPLICIT_WORDS[value]
        self.warn(
            element,
            f"<{_name(element)}> is {value[:40]!r}; expected {EXPECTED_EXPLICIT} (left out)",
        )
        return None

    def people(self, element: etree._Element) -> Iterator[tuple[str, str]]:
        for person in _children(element, "podcast:person"):
            name = _line(_text(person))
            role = (person.get("role") or "host").strip().lower()
            if not name:
                continue
            if role not in ("host", "guest"):
                self.warn(
                    person,
                    f"{name!r} is credited as {role!r}; only hosts and guests are kept",
                )
                continue
            yield name, role

    def item(self, element: etree._Element, default_hosts: tuple[str, ...]) -> FeedItem:
        title = _line(_text(_child(element, "title")))
        guid = _text(_child(element, "guid")) or None
        date_text, date_element = self.first_text(element, "pubDate", "dc:date")
        date = parse_date(date_text) if date_text else None
        if date_text and date is None:
            self.warn(date_element, f"the date {date_text[:60]!r} could not be read")
        people = list(self.people(element))
        hosts = tuple(dict.fromkeys(n for n, r in people if r == "host")) or default_hosts
        guests = tuple(dict.fromkeys(n for n, r in people if r == "guest"))
        notes_html, _ = self.first_text(element, "content:encoded", "description", "itunes:summary")
        image_element = _child(element, "itunes:image")
        return FeedItem(
            line=element.sourceline or 0,
            title=title,
            guid=guid,
            date=date,
            date_text=date_text,
            number=self.whole(element, "itunes:episode", "podcast:episode"),
            season=self.whole(element, "itunes:season", "podcast:season"),
            duration_ms=self.duration(_child(element, "itunes:duration")),
            audio=self.audio(element),
            image=self.url(image_element, image_element.get("href"), "the episode's image")
            if image_element is not None
            else None,
            explicit=self.explicit(_child(element, "itunes:explicit")),
            hosts=hosts,
            guests=guests,
            notes=markup.html_to_markdown(notes_html, self.base) if notes_html else "",
            transcripts=tuple(self.transcripts(element)),
            chapters_url=self.chapters_url(element),
            chapters=tuple(self.simple_chapters(element)),
        )

    def whole(self, element: etree._Element, *names: str) -> int | None:
        text, found = self.first_text(element, *names)
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            number = -1
        if number != int(number) or number < 0 or number > 1_000_000:
            self.warn(found, f"<{_name(found)}> {text[:20]!r} is not a whole number (left out)")
            return None
        return int(number)

    def duration(self, element: etree._Element | None) -> int | None:
        if element is None or not _text(element):
            return None
        text = _text(element)
        ms = parse_clock(text)
        if ms is None:
            self.warn(element, f"the duration {text[:40]!r} could not be read (left out)")
        return ms

    def audio(self, element: etree._Element) -> FeedAudio | None:
        for enclosure in _children(element, "enclosure"):
            url = self.url(enclosure, enclosure.get("url"), "the enclosure")
            if url is None:
                continue
            length_text = (enclosure.get("length") or "").strip()
            length = int(length_text) if length_text.isdigit() and int(length_text) > 0 else None
            kind = (enclosure.get("type") or "").strip().lower() or None
            return FeedAudio(url, length, kind)
        return None

    def transcripts(self, element: etree._Element) -> Iterator[FeedTranscript]:
        for transcript in _children(element, "podcast:transcript"):
            url = self.url(transcript, transcript.get("url"), "the transcript")
            if url is not None:
                kind = (transcript.get("type") or "").strip().lower()
                yield FeedTranscript(url, kind, transcript.get("language"))

    def chapters_url(self, element: etree._Element) -> str | None:
        chapters = _child(element, "podcast:chapters")
        if chapters is None:
            return None
        return self.url(chapters, chapters.get("url"), "the chapters")

    def simple_chapters(self, element: etree._Element) -> Iterator[FeedChapter]:
        group = _child(element, "psc:chapters")
        if group is None:
            return
        for chapter in _children(group, "psc:chapter"):
            start = parse_clock(chapter.get("start") or "")
            title = _line(chapter.get("title") or "")
            if start is None or not title:
                self.warn(chapter, "a chapter without a readable start and title was left out")
                continue
            href, image = chapter.get("href"), chapter.get("image")
            yield FeedChapter(
                start,
                title,
                self.url(chapter, href, "the chapter's link") if href else None,
                self.url(chapter, image, "the chapter's image") if image else None,
            )


def parse_clock(text: str) -> int | None:
    """Milliseconds of a Normal Play Time (``HH:MM:SS.mmm``, ``MM:SS``, ``SS``), else None."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        return None
    seconds = 0
    for part in match.groups()[:3]:
        if part is not None:
            seconds = seconds * 60 + int(part)
    fraction = match.group(4)
    return seconds * 1000 + (round(float(f"0.{fraction}") * 1000) if fraction else 0)


def parse_date(text: str) -> dt.date | None:
    """The calendar date a feed's ``pubDate`` states, in its own time zone (the day the show
    says it published), from RFC 822 in the dialects seen in feeds, or ISO 8601."""
    text = " ".join(text.split())
    for candidate in (text, _tidy_date(text)):
        parsed = email.utils.parsedate_tz(candidate)
        if parsed is not None:
            try:
                return _valid(dt.date(*parsed[:3]))
            except ValueError:
                return None
    try:
        return _valid(dt.datetime.fromisoformat(text.replace(" ", "T", 1)).date())
    except ValueError:
        return None


def _tidy_date(text: str) -> str:
    """Dialects RFC 822's reader misses: weekday and month names in full or with a dot,
    ordinals (``5th``), month before day (``January 5, 2026``)."""
    text = _WEEKDAY.sub("", text)
    text = _MONTH_WORD.sub(lambda m: m.group(1).title(), text)
    text = _ORDINAL.sub(r"\1", text).replace(",", " ")
    text = " ".join(text.split())
    match = _MONTH_FIRST.match(text)
    if match:
        month, day, year, rest = match.groups()
        text = f"{day} {month} {year}{rest}"
    return text if ":" in text else text + " 00:00:00"  # the reader needs a time of day


def _valid(date: dt.date) -> dt.date | None:
    return date if 1900 <= date.year <= 2200 else None


def _plain(text: str) -> str:
    """A channel description as plain text (some feeds put HTML there)."""
    if _TAG.search(text):
        text = markup.html_to_markdown(text)
    return text.strip()
