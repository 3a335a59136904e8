"""feed.xml: RSS 2.0 that podcast apps accept, with the itunes, content and podcast namespaces."""

from __future__ import annotations

import datetime as dt
import email.utils
import io
import json
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import podcastparser
import pytest
from lxml import etree

from generator.build import build
from generator.errors import BuildFailed, Problems
from generator.feed import (
    NAMESPACES,
    PODCAST_GUID_NAMESPACE,
    episode_guid,
    feed_xml,
    rfc2822,
    show_guid,
)
from generator.models import Audio, Episode, Site
from tests.conftest import MakeSite, record
from tests.golden import ROOT, build_demo

DEMO_FEED_URL = "https://example.github.io/borrowed-hammer/feed.xml"
PODCAST = "{" + NAMESPACES["podcast"] + "}"
ITUNES = "{" + NAMESPACES["itunes"] + "}"
CONTENT = "{" + NAMESPACES["content"] + "}"
URL_ATTRIBUTES = ("url", "href")
LOCAL_AUDIO = "audio: audio/a.mp3\n"
MP3 = b"ID3" + b"\0" * 97


def parse(path: Path) -> etree._Element:
    return etree.fromstring(path.read_bytes())


def text(element: etree._Element) -> str | None:
    """An element's own text, or None when it only holds children (and indentation)."""
    return (element.text or "").strip() or None


def build_feed(site: Path, **options: object) -> etree._Element:
    """Build ``site`` and return its parsed feed.xml."""
    build(site, **options)  # type: ignore[arg-type]
    return parse(site / "output" / "feed.xml")


def urls_in(root: etree._Element) -> list[str]:
    """Every URL in a feed: link elements' text and url/href attributes."""
    found = [el.text for el in root.iter("link", "url", "loc") if el.text]
    for element in root.iter():
        found += [element.get(name) or "" for name in URL_ATTRIBUTES if element.get(name)]
    return found


def apple_problems(data: bytes) -> list[str]:
    """What Apple's published feed requirements say that can be checked offline."""
    problems = []
    root = etree.fromstring(data)
    if root.tag != "rss" or root.get("version") != "2.0":
        problems.append("not RSS 2.0")
    for prefix in ("itunes", "content"):
        if root.nsmap.get(prefix) != NAMESPACES[prefix]:
            problems.append(f"namespace {prefix} not declared")
    channel = root.find("channel")
    assert channel is not None
    for tag in ("title", "link", "description", "language", f"{ITUNES}explicit"):
        if not channel.findtext(tag):
            problems.append(f"channel has no {tag}")
    if channel.findtext(f"{ITUNES}explicit") not in ("true", "false"):
        problems.append("itunes:explicit is not true or false")
    image = channel.find(f"{ITUNES}image")
    if image is None or not image.get("href"):
        problems.append("channel has no itunes:image")
    if channel.find(f"{ITUNES}category") is None:
        problems.append("channel has no itunes:category")
    for url in urls_in(root):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or not url.isascii():
            problems.append(f"URL is not absolute and ASCII: {url!r}")
    guids: set[str] = set()
    for item in channel.iter("item"):
        title = item.findtext("title")
        enclosure = item.find("enclosure")
        if enclosure is None:
            problems.append(f"{title}: no enclosure")
        else:
            if not (enclosure.get("length") or "").isdigit() or enclosure.get("length") == "0":
                problems.append(f"{title}: enclosure length {enclosure.get('length')!r}")
            if not (enclosure.get("type") or "").startswith(("audio/", "video/")):
                problems.append(f"{title}: enclosure type {enclosure.get('type')!r}")
        guid = item.findtext("guid")
        if not guid or guid in guids:
            problems.append(f"{title}: guid {guid!r} missing or not unique")
        guids.add(guid or "")
        try:
            published = email.utils.parsedate_to_datetime(item.findtext("pubDate") or "")
        except (TypeError, ValueError):
            problems.append(f"{title}: pubDate is not an RFC 2822 date")
        else:
            if published.tzinfo is None:
                problems.append(f"{title}: pubDate has no time zone")
    return problems


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site, built once for this module."""
    output = tmp_path_factory.mktemp("demo") / "out"
    build_demo(output)
    return output


class TestDemoFeedInFeedReaders:
    def test_feedparser_reads_it_without_complaint(self, demo: Path) -> None:
        """feedparser reads the demo feed as well-formed RSS 2.0 with all six episodes."""
        parsed = feedparser.parse((demo / "feed.xml").read_bytes())
        assert parsed.bozo is False
        assert parsed.version == "rss20"
        assert parsed.feed.title == "The Borrowed Hammer"
        assert parsed.feed.podcast_guid == "64c9694b-067b-50f9-865f-2fcc70b73742"
        assert [e.itunes_episode for e in parsed.entries] == ["6", "5", "4", "3", "2", "1"]
        first = parsed.entries[0]
        assert first.title == "The Long Loan"
        assert first.published_parsed[:3] == (2026, 8, 19)
        assert first.enclosures == [
            {
                "href": "https://example.github.io/borrowed-hammer/audio/06-the-long-loan.mp3",
                "length": "323781",
                "type": "audio/mpeg",
            }
        ]

    def test_podcastparser_reads_every_episode(self, demo: Path) -> None:
        """gPodder's parser finds each episode with its enclosure (real file size), duration,
        number, season and HTML summary."""
        with (demo / "feed.xml").open("rb") as stream:
            parsed = podcastparser.parse(DEMO_FEED_URL, stream)
        assert parsed["title"] == "The Borrowed Hammer"
        assert parsed["cover_url"] == "https://example.github.io/borrowed-hammer/images/cover.png"
        assert parsed["itunes_categories"] == [["Society & Culture"], ["Leisure"]]
        assert parsed["itunes_owner"] == {
            "name": "Maren Okafor",
            "email": "maren.okafor@example.com",
        }
        episodes = parsed["episodes"]
        assert [e["number"] for e in episodes] == [6, 5, 4, 3, 2, 1]
        assert [e["total_time"] for e in episodes] == [108, 99, 104, 102, 109, 119]
        for episode in episodes:
            [enclosure] = episode["enclosures"]
            name = enclosure["url"].rsplit("/", 1)[1]
            assert enclosure["file_size"] == (ROOT / "static/audio" / name).stat().st_size
            assert enclosure["mime_type"] == "audio/mpeg"
            assert episode["season"] == 1
            assert episode["description_html"].startswith("<p>")

    def test_podcastparser_sees_podcast_tags_under_the_older_namespace_url(
        self, demo: Path
    ) -> None:
        """podcastparser 0.6 maps the podcast namespace only by its older URL; under it, our
        transcript, chapters and person tags are read where gPodder expects them."""
        data = (
            (demo / "feed.xml")
            .read_bytes()
            .replace(
                NAMESPACES["podcast"].encode(),
                b"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
            )
        )
        episode = podcastparser.parse(DEMO_FEED_URL, io.BytesIO(data))["episodes"][-1]
        page = "https://example.github.io/borrowed-hammer/episodes/01-opening-the-shed-doors/"
        assert episode["transcript_url"] == page + "transcript.json"  # the last of the two
        assert episode["chapters_json_url"] == page + "chapters.json"
        assert [(p["name"], p["role"], p["group"]) for p in episode["persons"]] == [
            ("Maren Okafor", "host", "cast"),
            ("Teodor Vask", "host", "cast"),
            ("Hollis Brandt", "guest", "cast"),
        ]


class TestDemoFeedMeetsAppleRequirements:
    def test_no_problems(self, demo: Path) -> None:
        """Absolute ASCII URLs, enclosure type and length, unique guids, RFC 2822 dates, artwork,
        category, explicit flag and language: all present in the demo feed."""
        assert apple_problems((demo / "feed.xml").read_bytes()) == []

    def test_the_check_finds_what_apple_rejects(self) -> None:
        """The offline check itself catches each kind of mistake it looks for."""
        broken = b"""<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
            xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
            <title>T</title><link>/show/</link><description>D</description>
            <language>en</language><itunes:explicit>no</itunes:explicit>
            <item><title>A</title><guid>g</guid><pubDate>yesterday</pubDate>
              <enclosure url="https://x.test/\xc3\xa9.mp3" length="0" type="text/html"/></item>
            <item><title>B</title><guid>g</guid><pubDate>Fri, 02 Jan 2026 00:00:00</pubDate></item>
            </channel></rss>"""
        assert apple_problems(broken) == [
            "itunes:explicit is not true or false",
            "channel has no itunes:image",
            "channel has no itunes:category",
            "URL is not absolute and ASCII: '/show/'",
            "URL is not absolute and ASCII: 'https://x.test/é.mp3'",
            "A: enclosure length '0'",
            "A: enclosure type 'text/html'",
            "A: pubDate is not an RFC 2822 date",
            "B: no enclosure",
            "B: guid 'g' missing or not unique",
            "B: pubDate has no time zone",
        ]


class TestDemoOutputIsWellFormed:
    def test_lxml_parses_every_xml_file(self, demo: Path) -> None:
        """feed.xml and sitemap.xml are well-formed XML, declared UTF-8."""
        names = sorted(p.relative_to(demo).as_posix() for p in demo.rglob("*.xml"))
        assert names == ["feed.xml", "sitemap.xml"]
        for name in names:
            data = (demo / name).read_bytes()
            assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
            etree.fromstring(data)

    def test_every_url_on_the_site_is_a_built_file(self, demo: Path) -> None:
        """Each feed URL under base_url (pages, audio, artwork, transcripts, chapters) points at
        a file the build wrote."""
        base = "https://example.github.io/borrowed-hammer/"
        urls = [u for u in urls_in(parse(demo / "feed.xml")) if u.startswith(base)]
        assert len(urls) == 36  # 5 for the show; 5 an episode (2 transcripts); 1 episode image
        for url in urls:
            path = url.removeprefix(base)
            assert (demo / path).is_file() or (demo / path / "index.html").is_file(), url


class TestChannel:
    def test_show_fields(self, make_site: MakeSite) -> None:
        """site.yaml's show fields land in the channel, artwork as an absolute URL."""
        site = make_site(
            {"content/episodes/a.md": record(extra=LOCAL_AUDIO), "static/audio/a.mp3": MP3},
            site_yaml="title: Show\nbase_url: https://example.test/show/\ndescription: About\n"
            "language: de\nauthor: Ana\nowner: {name: Ana R, email: ana@example.test}\n"
            "image: images/c.png\ncategories: [Arts, Leisure]\nexplicit: true\ncopyright: © Ana\n",
        )
        channel = build_feed(site).find("channel")
        assert channel is not None
        assert [(el.tag, text(el), dict(el.attrib)) for el in channel if el.tag != "item"] == [
            ("title", "Show", {}),
            ("link", "https://example.test/show/", {}),
            ("description", "About", {}),
            ("language", "de", {}),
            ("copyright", "© Ana", {}),
            ("generator", "Cuepress", {}),
            (
                "{http://www.w3.org/2005/Atom}link",
                None,
                {
                    "href": "https://example.test/show/feed.xml",
                    "rel": "self",
                    "type": "application/rss+xml",
                },
            ),
            (f"{ITUNES}author", "Ana", {}),
            (f"{ITUNES}owner", None, {}),
            ("image", None, {}),
            (f"{ITUNES}image", None, {"href": "https://example.test/show/images/c.png"}),
            (f"{ITUNES}category", None, {"text": "Arts"}),
            (f"{ITUNES}category", None, {"text": "Leisure"}),
            (f"{ITUNES}explicit", "true", {}),
            (f"{PODCAST}guid", show_guid(Site("Show", "https://example.test/show/")), {}),
        ]
        assert channel.findtext(f"{ITUNES}owner/{ITUNES}email") == "ana@example.test"
        assert channel.findtext("image/url") == "https://example.test/show/images/c.png"

    def test_minimal_show(self, make_site: MakeSite) -> None:
        """With only title and base_url, the description falls back to the title and the
        optional elements are left out rather than written empty."""
        channel = build_feed(make_site()).find("channel")
        assert channel is not None
        assert channel.findtext("description") == "Test Show"
        assert [el.tag for el in channel] == [
            "title",
            "link",
            "description",
            "language",
            "generator",
            "{http://www.w3.org/2005/Atom}link",
            f"{ITUNES}explicit",
            f"{PODCAST}guid",
        ]

    @pytest.mark.parametrize(
        ("config", "expected"),
        [
            ("locked: true\nowner: {name: A, email: a@example.test}\n", ("yes", "a@example.test")),
            ("locked: false\n", ("no", None)),
            ("", None),
        ],
    )
    def test_podcast_locked(
        self, make_site: MakeSite, config: str, expected: tuple[str, str | None] | None
    ) -> None:
        """locked: writes podcast:locked yes/no with the owner's email; absent, no tag."""
        site = make_site(site_yaml="title: S\nbase_url: https://example.test/\n" + config)
        locked = build_feed(site).find(f"channel/{PODCAST}locked")
        assert (None if locked is None else (locked.text, locked.get("owner"))) == expected


class TestShowGuid:
    def test_namespace_matches_the_spec_example(self) -> None:
        """The spec's example: feed mp3s.nashownotes.com/pc20rss.xml has guid 917393e3-..."""
        guid = uuid.uuid5(PODCAST_GUID_NAMESPACE, "mp3s.nashownotes.com/pc20rss.xml")
        assert str(guid) == "917393e3-1b1e-5cef-ace4-edaa54e1f810"

    def test_derived_from_feed_url_without_scheme(self) -> None:
        """podcast:guid is the UUIDv5 of the feed URL with its scheme stripped."""
        site = Site("S", "https://example.test/show/")
        expected = uuid.uuid5(PODCAST_GUID_NAMESPACE, "example.test/show/feed.xml")
        assert show_guid(site) == str(expected)
        assert show_guid(Site("S", "http://example.test/show/")) == str(expected)

    def test_pinned_in_site_yaml(self, make_site: MakeSite) -> None:
        """podcast_guid: in site.yaml keeps the show's identity after base_url changes."""
        pinned = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
        site = make_site(
            site_yaml=f"title: S\nbase_url: https://example.test/\npodcast_guid: {pinned}\n"
        )
        assert build_feed(site).findtext(f"channel/{PODCAST}guid") == pinned
        moved = build_feed(site, base_url="https://elsewhere.test/")
        assert moved.findtext(f"channel/{PODCAST}guid") == pinned


class TestEpisodeGuid:
    def episode(self, **fields: object) -> Episode:
        values: dict[str, object] = {
            "slug": "a",
            "source": "content/episodes/a.md",
            "title": "A",
            "date": dt.date(2026, 1, 2),
            "audio": Audio("audio/a.mp3"),
        }
        return Episode(**{**values, **fields})  # type: ignore[arg-type]

    def test_record_guid_wins(self) -> None:
        """A record's guid: is used exactly as written."""
        site = Site("S", "https://example.test/")
        assert episode_guid(site, self.episode(guid="tag:example.test,2026:1")) == (
            "tag:example.test,2026:1"
        )

    def test_default_comes_from_the_audio_not_the_slug(self) -> None:
        """Without guid:, the guid is a UUIDv5 of the audio as written, in the show's
        podcast:guid namespace: the slug and source play no part, the audio does."""
        site = Site("S", "https://example.test/")
        guid = episode_guid(site, self.episode())
        assert guid == str(uuid.uuid5(uuid.UUID(show_guid(site)), "audio/a.mp3"))
        renamed = self.episode(slug="b", source="content/episodes/b.md", title="B")
        assert episode_guid(site, renamed) == guid
        assert episode_guid(site, self.episode(audio=Audio("audio/b.mp3"))) != guid

    def test_stable_across_rebuilds_and_renames(self, make_site: MakeSite) -> None:
        """Renaming the record file (so its slug and page URL change) keeps the guid."""
        site = make_site(
            {"content/episodes/a.md": record(extra=LOCAL_AUDIO), "static/audio/a.mp3": MP3}
        )
        first = build_feed(site).findtext("channel/item/guid")
        assert build_feed(site).findtext("channel/item/guid") == first
        (site / "content/episodes/a.md").rename(site / "content/episodes/renamed.md")
        renamed = build_feed(site)
        assert (
            renamed.findtext("channel/item/link") == "https://example.test/show/episodes/renamed/"
        )
        assert renamed.findtext("channel/item/guid") == first
        assert renamed.find("channel/item/guid").get("isPermaLink") == "false"  # type: ignore[union-attr]

    def test_duplicate_guids_fail_the_build(self, make_site: MakeSite) -> None:
        """Two episodes with one guid (here: the same audio) is an error naming both files."""
        site = make_site(
            {
                "content/episodes/a.md": record("A", "2026-01-01", LOCAL_AUDIO),
                "content/episodes/b.md": record("B", "2026-01-02", LOCAL_AUDIO),
                "static/audio/a.mp3": MP3,
            }
        )
        with pytest.raises(BuildFailed) as info:
            build(site)
        guid = episode_guid(
            Site("Test Show", "https://example.test/show/"), self.episode(guid=None)
        )
        assert [str(p) for p in info.value.errors] == [
            f"content/episodes/a.md:4: the feed guid {guid!r} is already used by "
            "content/episodes/b.md; apps would show only one of them (give this record its "
            "own guid:)"
        ]


class TestItems:
    def test_episode_fields(self, make_site: MakeSite) -> None:
        """An item carries title, page link, guid, date, summary, enclosure, duration, number,
        season, explicit flag, artwork, transcripts, chapters and people, in that order."""
        site = make_site(
            {
                "content/episodes/a.md": record(
                    extra=LOCAL_AUDIO
                    + "duration: '1:01:01.6'\nnumber: 7\nseason: 2\nexplicit: true\n"
                    "image: images/a.png\nhosts: [Ana]\nguests: [Bo, Cy]\n"
                    "chapters: [{start: 0, title: Intro}]\ntranscript: ['0:00 Hi']\n",
                    body="Some *words*.",
                ),
                "static/audio/a.mp3": MP3,
            }
        )
        item = build_feed(site).find("channel/item")
        assert item is not None
        page = "https://example.test/show/episodes/a/"
        assert [(el.tag, el.text, dict(el.attrib)) for el in item if el.tag != "guid"] == [
            ("title", "Hello", {}),
            ("link", page, {}),
            ("pubDate", "Fri, 02 Jan 2026 00:00:00 +0000", {}),
            ("description", "<p>Some <em>words</em>.</p>", {}),
            (f"{CONTENT}encoded", "<p>Some <em>words</em>.</p>", {}),
            (
                "enclosure",
                None,
                {
                    "url": "https://example.test/show/audio/a.mp3",
                    "length": "100",
                    "type": "audio/mpeg",
                },
            ),
            (f"{ITUNES}duration", "3662", {}),
            (f"{ITUNES}episode", "7", {}),
            (f"{ITUNES}season", "2", {}),
            (f"{PODCAST}season", "2", {}),
            (f"{ITUNES}explicit", "true", {}),
            (f"{ITUNES}image", None, {"href": "https://example.test/show/images/a.png"}),
            (
                f"{PODCAST}transcript",
                None,
                {"url": page + "transcript.vtt", "type": "text/vtt", "rel": "captions"},
            ),
            (  # the forms written as files: by default WebVTT and JSON
                f"{PODCAST}transcript",
                None,
                {"url": page + "transcript.json", "type": "application/json"},
            ),
            (
                f"{PODCAST}chapters",
                None,
                {"url": page + "chapters.json", "type": "application/json+chapters"},
            ),
            (f"{PODCAST}person", "Ana", {"role": "host"}),
            (f"{PODCAST}person", "Bo", {"role": "guest"}),
            (f"{PODCAST}person", "Cy", {"role": "guest"}),
        ]

    def test_rfc2822_dates(self) -> None:
        """Publication dates are RFC 2822 timestamps at midnight UTC."""
        assert rfc2822(dt.date(2026, 1, 14)) == "Wed, 14 Jan 2026 00:00:00 +0000"
        parsed = email.utils.parsedate_to_datetime(rfc2822(dt.date(2024, 2, 29)))
        assert parsed == dt.datetime(2024, 2, 29, tzinfo=dt.UTC)

    def test_newest_first(self, make_site: MakeSite) -> None:
        """Items are in the index's order: newest first."""
        site = make_site(
            {
                f"content/episodes/e{n}.md": record(
                    f"Ep {n}", f"2026-01-0{n}", f"audio: https://cdn.test/{n}.mp3\n"
                )
                for n in (1, 3, 2)
            }
        )
        assert [t.text for t in build_feed(site).iter("title")][1:] == ["Ep 3", "Ep 2", "Ep 1"]


class TestWhatIsLeftOut:
    def test_drafts_never_appear(self, make_site: MakeSite) -> None:
        """A draft stays out of the feed even in a --drafts build that renders its page."""
        site = make_site(
            {
                "content/episodes/a.md": record("Out", extra="draft: true\n" + LOCAL_AUDIO),
                "content/episodes/b.md": record("In", extra="audio: https://cdn.test/b.mp3\n"),
                "static/audio/a.mp3": MP3,
            }
        )
        root = build_feed(site, drafts=True)
        assert (site / "output/episodes/a/index.html").is_file()
        assert [t.text for t in root.iter("title")] == ["Test Show", "In"]
        assert b"Out" not in (site / "output/feed.xml").read_bytes()

    def test_episodes_without_audio_have_no_item(self, make_site: MakeSite) -> None:
        """An item needs an enclosure, so an episode without audio: has a page but no item,
        and no warning (a page-only episode is a choice, not a mistake)."""
        site = make_site({"content/episodes/a.md": record()})
        result = build(site)
        assert parse(site / "output/feed.xml").find("channel/item") is None
        assert result.warnings == ()


class TestEnclosureWarnings:
    @pytest.mark.parametrize(
        ("audio", "missing", "enclosure"),
        [
            (
                "{url: 'https://cdn.test/a'}",
                "length and type are unknown; podcast apps need them",
                ("0", "application/octet-stream"),
            ),
            (
                "https://cdn.test/a.mp3",
                "length is unknown; podcast apps need it",
                ("0", "audio/mpeg"),
            ),
            (
                "{url: 'https://cdn.test/a', length: 5}",
                "type is unknown; podcast apps need it",
                ("5", "application/octet-stream"),
            ),
        ],
    )
    def test_missing_length_or_type_is_named(
        self, make_site: MakeSite, audio: str, missing: str, enclosure: tuple[str, str]
    ) -> None:
        """Audio without a known length or type is warned about at the record's audio: line;
        the item keeps the RSS fallbacks (length 0, application/octet-stream)."""
        site = make_site({"content/episodes/a.md": record(extra=f"audio: {audio}\n")})
        result = build(site)
        assert [str(p) for p in result.warnings] == [
            f"content/episodes/a.md:4: the audio's {missing} in feed.xml "
            "(write audio: {url: ..., length: SIZE_IN_BYTES, type: audio/mpeg})"
        ]
        element = parse(site / "output/feed.xml").find("channel/item/enclosure")
        assert element is not None
        assert (element.get("length"), element.get("type")) == enclosure

    def test_complete_audio_gives_no_warning(self, make_site: MakeSite) -> None:
        """Local audio found in static/ has its size and type filled in: no warning."""
        site = make_site(
            {"content/episodes/a.md": record(extra=LOCAL_AUDIO), "static/audio/a.mp3": MP3}
        )
        assert build(site).warnings == ()


class TestAbsoluteUrls:
    def test_every_url_uses_base_url(self, make_site: MakeSite) -> None:
        """With --base-url, every URL in the feed is absolute under it (or the audio's own
        absolute URL), and paths outside ASCII are percent-encoded."""
        site = make_site(
            {
                "content/episodes/a.md": record(
                    extra=LOCAL_AUDIO + "image: images/é.png\nchapters: [{start: 0, title: A}]\n"
                    "transcript: ['0:00 Hi']\n"
                ),
                "content/episodes/b.md": record(
                    "B", extra="audio: {url: 'https://cdn.test/b.mp3', length: 9}\n"
                ),
                "static/audio/a.mp3": MP3,
            },
            site_yaml="title: S\nbase_url: https://example.test/\nimage: cover.png\n",
        )
        root = build_feed(site, base_url="https://user.github.io/other")
        urls = urls_in(root)
        assert len(urls) == 13
        outside = [u for u in urls if not u.startswith("https://user.github.io/other/")]
        assert outside == ["https://cdn.test/b.mp3"]
        assert "https://user.github.io/other/images/%C3%A9.png" in urls


class TestContentRoundTrips:
    SPECIAL = 'Tom & Jerry\'s <b>live</b> "quoted" 🎙️ שלום עולם مرحبا'

    @pytest.fixture
    def feed_bytes(self, make_site: MakeSite) -> bytes:
        """A site whose every text field holds the special characters."""
        text = self.SPECIAL.replace('"', '\\"')
        site = make_site(
            {
                "content/episodes/a.md": (
                    f'---\ntitle: "{text}"\ndate: 2026-01-02\n'
                    "audio: https://cdn.test/a.mp3\n"
                    f'hosts: ["{text}"]\n---\n'
                    'Fish & chips, `<code>`, "quotes" 🐟 — שלום مرحبا\n'
                ),
            },
            site_yaml=f'title: "{text}"\nbase_url: https://example.test/\n'
            f'description: "{text}"\nauthor: "{text}"\ncategories: ["{text}"]\n'
            f'copyright: "{text}"\n',
        )
        build(site)
        return (site / "output/feed.xml").read_bytes()

    def test_through_lxml(self, feed_bytes: bytes) -> None:
        """Every text field comes back from the XML exactly as written."""
        channel = etree.fromstring(feed_bytes).find("channel")
        assert channel is not None
        for path in ("title", "description", "copyright", f"{ITUNES}author", "item/title"):
            assert channel.findtext(path) == self.SPECIAL, path
        assert channel.find(f"{ITUNES}category").get("text") == self.SPECIAL  # type: ignore[union-attr]
        assert channel.findtext(f"item/{PODCAST}person") == self.SPECIAL
        assert channel.findtext(f"item/{CONTENT}encoded") == (
            '<p>Fish &amp; chips, <code>&lt;code&gt;</code>, "quotes" 🐟 — שלום مرحبا</p>'
        )

    def test_through_feedparser(self, feed_bytes: bytes) -> None:
        """feedparser reads the same titles and description."""
        parsed = feedparser.parse(feed_bytes)
        assert parsed.bozo is False
        assert parsed.feed.title == self.SPECIAL
        assert parsed.feed.subtitle == self.SPECIAL
        assert parsed.entries[0].title == self.SPECIAL

    def test_through_podcastparser(self, feed_bytes: bytes) -> None:
        """gPodder's parser reads the same titles, description, author and category."""
        parsed = podcastparser.parse("https://example.test/feed.xml", io.BytesIO(feed_bytes))
        assert parsed["title"] == parsed["description"] == parsed["itunes_author"] == self.SPECIAL
        assert parsed["itunes_categories"] == [[self.SPECIAL]]
        assert parsed["episodes"][0]["title"] == self.SPECIAL

    def test_characters_xml_cannot_hold_are_dropped(self, make_site: MakeSite) -> None:
        """A control character in a summary cannot break the feed: it is left out of it."""
        site = make_site(
            {
                "content/episodes/a.md": record(extra=LOCAL_AUDIO, body="a\x0cb\x01c"),
                "static/audio/a.mp3": MP3,
            }
        )
        root = build_feed(site)
        assert root.findtext("channel/item/description") == "<p>abc</p>"


class TestFeedXmlFunction:
    def test_only_published_episodes_with_audio(self) -> None:
        """feed_xml() itself skips drafts and episodes without audio, whatever it is given."""
        site = Site("S", "https://example.test/")
        base = {
            "source": "a.md",
            "date": dt.date(2026, 1, 2),
            "audio": Audio("a.mp3", 1, "audio/mpeg"),
        }
        episodes = [
            Episode(slug="draft", title="Draft", draft=True, **base),  # type: ignore[arg-type]
            Episode(slug="silent", title="Silent", source="b.md", date=dt.date(2026, 1, 1)),
            Episode(slug="ok", title="Ok", **base),  # type: ignore[arg-type]
        ]
        problems = Problems()
        root = etree.fromstring(feed_xml(site, episodes, problems).encode())
        assert [t.text for t in root.iter("title")] == ["S", "Ok"]
        assert problems.errors == problems.warnings == []


PODCASTING_SITE = """\
title: Test Show
base_url: https://example.test/show/
owner: {name: Ana, email: ana@example.test}
medium: podcast
funding:
  - {url: https://example.test/support, text: Buy us a kettle}
  - {url: https://pay.example.test/show}
podroll:
  - {feed_guid: 917393e3-1b1e-5cef-ace4-edaa54e1f810, feed_url: https://other.example/feed.xml}
  - {feed_guid: 2C2F4E7A-9A51-5C43-8D0E-0B7F6A1E2D11}
location: {name: Willowgate, geo: 'geo:51.5,-0.12', osm: R113314}
txt: [{text: verify-8Hk2Qp, purpose: verify}, Just a note]
seasons: {2: The Second Shed}
"""
PODCASTING_RECORD = record(
    extra=LOCAL_AUDIO + "season: 2\ntype: trailer\nlocation: The Shed\ntxt: episode note\n"
    "social:\n"
    "  - {protocol: activitypub, uri: 'https://social.example/@show/1',\n"
    "     account: '@show@social.example', account_url: 'https://social.example/@show',\n"
    "     priority: 1}\n"
)


@pytest.fixture(scope="session")
def partytime() -> Path:
    """The Podcast Index's parser from npm, installed once into .cache/ (never skipped)."""
    done = subprocess.run(
        ["make", "-s", "partytime-install"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, f"could not install podcast-partytime: {done.stderr}"
    return ROOT / ".cache/npm/partytime-5.0.0/node_modules/podcast-partytime"


class TestPodcastingTags:
    """The Podcasting 2.0 tags set from site.yaml and records, read back by three real
    parsers: feedparser, podcastparser and the Podcast Index's own podcast-partytime."""

    @pytest.fixture
    def feed_file(self, make_site: MakeSite) -> Path:
        site = make_site(
            {"content/episodes/a.md": PODCASTING_RECORD, "static/audio/a.mp3": MP3},
            site_yaml=PODCASTING_SITE,
        )
        build(site)
        return site / "output" / "feed.xml"

    def test_partytime_reads_every_tag(self, feed_file: Path, partytime: Path) -> None:
        module = partytime
        done = subprocess.run(
            ["node", str(ROOT / "tools/partytime.cjs"), str(module), str(feed_file)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        feed = json.loads(done.stdout)
        assert feed["medium"] == "podcast"
        assert feed["podcastFunding"] == [
            {"url": "https://example.test/support", "message": "Buy us a kettle"},
            {"url": "https://pay.example.test/show", "message": "Support the show"},
        ]
        assert feed["podroll"] == [
            {
                "feedGuid": "917393e3-1b1e-5cef-ace4-edaa54e1f810",
                "feedUrl": "https://other.example/feed.xml",
            },
            {"feedGuid": "2c2f4e7a-9a51-5c43-8d0e-0b7f6a1e2d11"},
        ]
        assert feed["podcastLocation"] == {
            "name": "Willowgate",
            "geo": "geo:51.5,-0.12",
            "osm": "R113314",
        }
        assert feed["podcastTxt"] == [
            {"value": "verify-8Hk2Qp", "purpose": "verify"},
            {"value": "Just a note"},
        ]
        item = feed["items"][0]
        assert item["itunesEpisodeType"] == "trailer"
        assert item["podcastSeason"] == {"number": 2, "name": "The Second Shed"}
        assert item["podcastLocation"] == {"name": "The Shed"}
        assert item["podcastTxt"] == [{"value": "episode note"}]
        assert item["podcastSocialInteraction"] == [
            {
                "platform": "activitypub",
                "url": "https://social.example/@show/1",
                "id": "@show@social.example",
                "profileUrl": "https://social.example/@show",
                "priority": 1,
            },
        ]

    def test_feedparser_and_podcastparser_still_read_it(self, feed_file: Path) -> None:
        parsed = feedparser.parse(feed_file.read_bytes())
        assert not parsed.bozo and len(parsed.entries) == 1
        assert parsed.entries[0].itunes_episodetype == "trailer"
        with feed_file.open("rb") as stream:
            gpodder = podcastparser.parse(str(feed_file), stream)
        assert gpodder["episodes"][0]["type"] == "trailer"

    @pytest.mark.parametrize(
        ("site_lines", "record_lines", "message"),
        [
            (
                "funding: [{url: 'javascript:alert(1)'}]\n",
                "",
                "site.yaml:3: 'funding' url must be an absolute http(s) URL like https://..., "
                "got 'javascript:alert(1)'",
            ),
            (
                "podroll: [{feed_guid: not-a-uuid}]\n",
                "",
                "site.yaml:3: 'feed_guid' must be the show's podcast:guid, a UUID, got "
                "'not-a-uuid'",
            ),
            (
                "medium: radio\n",
                "",
                "site.yaml:3: 'medium' must be one of podcast, music, video, film, audiobook, "
                "newsletter, blog, publisher, course, mixed (or a list form like podcastL), got "
                "'radio'",
            ),
            (
                "",
                "type: special\n",
                "content/episodes/a.md:5: 'type' must be full, trailer or bonus, got 'special'",
            ),
            (
                "",
                "location: {name: Here, geo: '51.5,-0.12'}\n",
                "content/episodes/a.md:5: 'geo' must be a geo: URI like geo:51.5,-0.12, got "
                "'51.5,-0.12'",
            ),
        ],
    )
    def test_bad_values_name_file_and_line(
        self, make_site: MakeSite, site_lines: str, record_lines: str, message: str
    ) -> None:
        site = make_site(
            {
                "content/episodes/a.md": record(extra=LOCAL_AUDIO + record_lines),
                "static/audio/a.mp3": MP3,
            },
            site_yaml="title: Test Show\nbase_url: https://example.test/show/\n" + site_lines,
        )
        with pytest.raises(BuildFailed) as failed:
            build(site)
        assert [str(p) for p in failed.value.errors] == [message]


class TestSoundbites:
    RECORD = record(
        extra=LOCAL_AUDIO
        + "soundbites:\n"
        + "  - {start: '1:13', duration: 60, title: The best minute}\n"
        + "  - {start: 200.25, duration: '0:45'}\n"
    )

    def test_in_the_feed(self, make_site: MakeSite) -> None:
        """Each soundbite is a podcast:soundbite with startTime, duration and its title."""
        site = make_site({"content/episodes/a.md": self.RECORD, "static/audio/a.mp3": MP3})
        item = build_feed(site).find("channel/item")
        bites = item.findall(PODCAST + "soundbite")
        assert [(b.get("startTime"), b.get("duration"), b.text) for b in bites] == [
            ("73.0", "60.0", "The best minute"),
            ("200.25", "45.0", None),
        ]

    def test_feed_readers_still_parse_it(self, make_site: MakeSite) -> None:
        site = make_site({"content/episodes/a.md": self.RECORD, "static/audio/a.mp3": MP3})
        build(site)
        data = (site / "output" / "feed.xml").read_bytes()
        parsed = feedparser.parse(data)
        assert not parsed.bozo, parsed.bozo_exception
        assert [e.title for e in parsed.entries] == ["Hello"]
        episodes = podcastparser.parse("https://example.test/show/feed.xml", io.BytesIO(data))
        assert [e["title"] for e in episodes["episodes"]] == ["Hello"]

    def test_mistakes_are_named_with_file_and_line(self, make_site: MakeSite) -> None:
        site = make_site(
            {
                "content/episodes/a.md": record(
                    extra="soundbites:\n"
                    "  - {start: 5}\n"
                    "  - {start: x, duration: 10}\n"
                    "  - {start: 5, duration: 0, title: Nothing}\n"
                    "  - just text\n"
                )
            }
        )
        with pytest.raises(BuildFailed) as info:
            build(site)
        assert [str(p) for p in info.value.errors] == [
            "content/episodes/a.md:5: a soundbite needs a duration "
            "(soundbites: [{start: '1:23', duration: 45, title: ...}, ...])",
            "content/episodes/a.md:6: soundbite 'start': expected seconds (42, 7.5) or a clock "
            "time (1:23, 1:02:03, 0:07.5), got 'x'",
            "content/episodes/a.md:7: soundbite 'duration' must be more than 0 seconds",
            "content/episodes/a.md:8: a soundbite must be a mapping "
            "(soundbites: [{start: '1:23', duration: 45, title: ...}, ...])",
        ]
