"""lxml's room for writing (it also reads HTML transcripts, in
:mod:`generator.transcripts.htmlfile`): ``feed.xml`` (RSS 2.0 that podcast apps accept) and
``sitemap.xml``.

The feed is built as an element tree and serialised by lxml, so no title, summary or URL can
break the XML. It carries the ``itunes``, ``content``, ``atom`` and Podcasting 2.0 ``podcast``
namespaces; every URL in it is absolute (built from ``base_url``) and ASCII-safe. Only episodes
with ``audio:`` become items: an item without an enclosure is no episode to a podcast app.

Episode guids. Apps identify an episode by its ``<guid>`` forever: a changed guid makes every
subscriber download the episode again, as if it were new. So the guid must come from something
that survives rebuilds and renames. The record's own ``guid:`` wins when given. Without it the
guid is a UUIDv5 of the audio as the record writes it (``audio/ep1.mp3``, or a full URL) in the
namespace of the show's ``podcast:guid``. Renaming the record file or its slug keeps it (the
episode page URL, the obvious alternative, does not), re-encoding the audio under the same name
keeps it, and so does moving the site to another ``base_url`` once ``podcast_guid:`` pins the
show's identity (the Podcasting 2.0 spec asks for exactly that pin after a move). Renaming the
audio file changes it: to rename audio after publishing, first copy the episode's current guid
from ``feed.xml`` into the record's ``guid:``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import uuid
from collections.abc import Iterable

from lxml import etree

from generator import people
from generator.errors import Problems
from generator.models import Episode, Location, Site, Txt

FEED_FILE = "feed.xml"
SITEMAP_FILE = "sitemap.xml"
CHAPTERS_FILE = "chapters.json"
CHAPTERS_TYPE = "application/json+chapters"
NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}
SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The "podcast" namespace UUID that podcast:guid values are derived in.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# The transcript downloads beside each episode page, with their MIME types; WebVTT is the
# captions file (Apple ingests it, speaker names included). An item lists those the site writes
# as files (site.yaml's transcript_files): apps fetch them, and cannot run the page's script.
TRANSCRIPTS = (
    ("transcript.vtt", "text/vtt", "captions"),
    ("transcript.srt", "application/x-subrip", None),
    ("transcript.json", "application/json", None),
    ("transcript.txt", "text/plain", None),
)
TEXT_ONLY = (TRANSCRIPTS[3],)  # the one download of a transcript without times
UNKNOWN_TYPE = "application/octet-stream"
# Characters XML 1.0 cannot hold at all (control characters, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def show_guid(site: Site) -> str:
    """The show's ``podcast:guid``: pinned in ``site.yaml`` (a network's show: its
    ``show.yaml``), else a UUIDv5 of its feed's URL without its scheme and trailing slashes, as
    the Podcasting 2.0 spec defines it."""
    if site.podcast_guid:
        return site.podcast_guid
    return guid_of_feed(site.absolute(site.feed_path))


def guid_of_feed(url: str) -> str:
    """The ``podcast:guid`` apps derive for the feed at ``url``: a UUIDv5 of it without its
    scheme and trailing slashes, as the Podcasting 2.0 spec defines it."""
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, url.split("://", 1)[-1].rstrip("/")))


def episode_guid(site: Site, episode: Episode) -> str:
    """The episode's ``<guid>``: the record's ``guid:``, else derived from its audio (see above)."""
    if episode.guid:
        return episode.guid
    assert episode.audio is not None, "only episodes with audio are in the feed"
    return str(uuid.uuid5(uuid.UUID(show_guid(site)), episode.audio.url))


def rfc2822(date: dt.date) -> str:
    """A date as an RFC 2822 timestamp at midnight UTC: ``Wed, 14 Jan 2026 00:00:00 +0000``."""
    return email.utils.format_datetime(dt.datetime.combine(date, dt.time(), dt.UTC))


def feed_xml(
    site: Site, episodes: Iterable[Episode], problems: Problems, *, moved: bool = False
) -> str:
    """The RSS feed of ``episodes`` (newest first, no drafts); enclosure gaps become warnings.
    ``moved``: the copy kept at the show's old address, which tells apps its new one."""
    rss = etree.Element("rss", version="2.0", nsmap=NAMESPACES)
    channel = _add(rss, "channel")
    _channel(channel, site)
    if moved:  # Apple's way to move subscribers to the new address (as a host's 301 does)
        _add(channel, _ns("itunes", "new-feed-url"), site.absolute(site.feed_path))
    guids: dict[str, str] = {}
    for episode in episodes:
        if episode.audio is None or episode.draft:
            continue
        guid = episode_guid(site, episode)
        if guid in guids:
            problems.error(
                episode.source,
                None if episode.guid else episode.audio.line,
                f"the feed guid {guid!r} is already used by {guids[guid]}; apps would show only "
                "one of them (give this record its own guid:)",
            )
        guids.setdefault(guid, episode.source)
        _item(_add(channel, "item"), site, episode, guid, problems)
    return _serialise(rss)


def _channel(channel: etree._Element, site: Site) -> None:
    """The show's own elements."""
    _add(channel, "title", site.title)
    _add(channel, "link", site.absolute(site.home))
    _add(channel, "description", site.description or site.title)
    _add(channel, "language", site.language)
    if site.copyright:
        _add(channel, "copyright", site.copyright)
    _add(channel, "generator", "Cuepress")
    _add(
        channel,
        _ns("atom", "link"),
        href=site.absolute(site.feed_path),
        rel="self",
        type="application/rss+xml",
    )
    author = site.author or (site.owner.name if site.owner else "")
    if author:
        _add(channel, _ns("itunes", "author"), author)
    if site.owner:
        owner = _add(channel, _ns("itunes", "owner"))
        _add(owner, _ns("itunes", "name"), site.owner.name)
        _add(owner, _ns("itunes", "email"), site.owner.email)
    if site.image:
        image = _add(channel, "image")
        _add(image, "url", site.absolute(site.image))
        _add(image, "title", site.title)
        _add(image, "link", site.absolute(site.home))
        _add(channel, _ns("itunes", "image"), href=site.absolute(site.image))
    for category in site.categories:
        _add(channel, _ns("itunes", "category"), text=category)
    _add(channel, _ns("itunes", "explicit"), "true" if site.explicit else "false")
    _add(channel, _ns("podcast", "guid"), show_guid(site))
    if site.locked is not None:
        locked = _add(channel, _ns("podcast", "locked"), "yes" if site.locked else "no")
        if site.owner:
            locked.set("owner", site.owner.email)
    if site.medium:
        _add(channel, _ns("podcast", "medium"), site.medium)
    for funding in site.funding:
        _add(channel, _ns("podcast", "funding"), funding.text, url=funding.url)
    _location(channel, site.location)
    _txt(channel, site.txt)
    if site.podroll:
        podroll = _add(channel, _ns("podcast", "podroll"))
        for remote in site.podroll:
            item = _add(podroll, _ns("podcast", "remoteItem"), feedGuid=remote.feed_guid)
            if remote.feed_url:
                item.set("feedUrl", remote.feed_url)
            if remote.title:
                item.set("title", remote.title)


def _location(parent: etree._Element, location: Location | None) -> None:
    if location is not None:
        element = _add(parent, _ns("podcast", "location"), location.name)
        for name in ("geo", "osm"):
            if getattr(location, name):
                element.set(name, getattr(location, name))


def _txt(parent: etree._Element, entries: Iterable[Txt]) -> None:
    for entry in entries:
        element = _add(parent, _ns("podcast", "txt"), entry.text)
        if entry.purpose:
            element.set("purpose", entry.purpose)


def _item(
    item: etree._Element, site: Site, episode: Episode, guid: str, problems: Problems
) -> None:
    """One episode: what apps list, play, and show beside it."""
    audio = episode.audio
    assert audio is not None
    page = site.absolute(episode.url_path)
    _add(item, "title", episode.title)
    _add(item, "link", page)
    _add(item, "guid", guid, isPermaLink="false")
    _add(item, "pubDate", rfc2822(episode.date))
    if episode.summary_html:
        _add(item, "description", episode.summary_html)
        _add(item, _ns("content", "encoded"), episode.summary_html)
    missing = [
        name for name, value in (("length", audio.length), ("type", audio.type)) if not value
    ]
    if missing:
        are, them = ("are", "them") if len(missing) > 1 else ("is", "it")
        problems.warn(
            episode.source,
            audio.line,
            f"the audio's {' and '.join(missing)} {are} unknown; podcast apps need {them} in "
            "feed.xml (write audio: {url: ..., length: SIZE_IN_BYTES, type: audio/mpeg})",
        )
    _add(
        item,
        "enclosure",
        url=site.absolute(audio.url),
        length=str(audio.length or 0),
        type=audio.type or UNKNOWN_TYPE,
    )
    if episode.duration_ms is not None:
        _add(item, _ns("itunes", "duration"), str(round(episode.duration_ms / 1000)))
    if episode.number is not None:
        _add(item, _ns("itunes", "episode"), str(episode.number))
    if episode.season is not None:
        _add(item, _ns("itunes", "season"), str(episode.season))
        season = _add(item, _ns("podcast", "season"), str(episode.season))
        name = dict(site.seasons).get(episode.season)
        if name:
            season.set("name", name)
    if episode.episode_type:
        _add(item, _ns("itunes", "episodeType"), episode.episode_type)
    if episode.explicit is not None:
        _add(item, _ns("itunes", "explicit"), "true" if episode.explicit else "false")
    if episode.image:
        _add(item, _ns("itunes", "image"), href=site.absolute(episode.image))
    if episode.transcript is not None:
        for name, kind, rel in (
            [t for t in TRANSCRIPTS if t[0].rsplit(".", 1)[1] in site.transcript_files]
            if episode.transcript.timed
            else TEXT_ONLY
        ):
            transcript = _add(item, _ns("podcast", "transcript"), url=page + name, type=kind)
            if rel:
                transcript.set("rel", rel)
    if episode.chapters:
        _add(item, _ns("podcast", "chapters"), url=page + CHAPTERS_FILE, type=CHAPTERS_TYPE)
    for bite in episode.soundbites:
        _add(
            item,
            _ns("podcast", "soundbite"),
            bite.title,
            startTime=_decimal_seconds(bite.start_ms),
            duration=_decimal_seconds(bite.duration_ms),
        )
    for role, names in (("host", episode.hosts), ("guest", episode.guests)):
        for name in names:
            person = _add(item, _ns("podcast", "person"), name, role=role)
            described = people.describe_person(site, name)
            if described is not None:
                if described.group:
                    person.set("group", described.group)
                if described.image:
                    person.set("img", site.absolute(described.image))
                if described.links:
                    person.set("href", described.links[0])
    _location(item, episode.location)
    _txt(item, episode.txt)
    for social in episode.social:
        element = _add(item, _ns("podcast", "socialInteract"), protocol=social.protocol)
        for attribute, value in (
            ("uri", social.uri),
            ("accountId", social.account_id),
            ("accountUrl", social.account_url),
            ("priority", str(social.priority) if social.priority is not None else None),
        ):
            if value is not None:
                element.set(attribute, value)


def _decimal_seconds(ms: int) -> str:
    """Milliseconds as the decimal seconds Podcasting 2.0 writes: ``73.0``, ``73.25``."""
    text = f"{ms // 1000}.{ms % 1000:03d}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def sitemap_xml(site: Site, paths: Iterable[str]) -> str:
    """``sitemap.xml`` listing the pages at ``paths`` (relative to the site root)."""
    urlset = etree.Element(_tag(SITEMAP_NAMESPACE, "urlset"), nsmap={None: SITEMAP_NAMESPACE})
    for path in paths:
        url = _add(urlset, _tag(SITEMAP_NAMESPACE, "url"))
        _add(url, _tag(SITEMAP_NAMESPACE, "loc"), site.absolute(path))
    return _serialise(urlset)


def _ns(prefix: str, name: str) -> str:
    return _tag(NAMESPACES[prefix], name)


def _tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _add(
    parent: etree._Element, tag: str, text: str | None = None, /, **attrs: str
) -> etree._Element:
    """A child element with ``text`` and attributes ``attrs`` (``text=`` too, for
    ``itunes:category``); characters XML cannot hold are dropped (they can only be accidents)."""
    element = etree.SubElement(parent, tag, {k: _NOT_XML.sub("", v) for k, v in attrs.items()})
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _serialise(root: etree._Element) -> str:
    return _DECLARATION + etree.tostring(root, encoding="unicode", pretty_print=True)
