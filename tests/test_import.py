"""`cuepress import`: a show's existing feed, served by a real HTTP server on 127.0.0.1, becomes
a site that builds at once and republishes every episode under the guid apps already know."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import podcastparser
import pytest

from generator.build import build
from generator.cli import main
from generator.errors import Problems
from generator.feedread import parse, parse_date
from generator.importer import STATE_FILE, ImportError_, import_feed, slugify
from tests.feedserver import FeedServer, serve

PODCAST_NS = 'xmlns:podcast="https://podcastindex.org/namespace/1.0"'
ITUNES_NS = 'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
CONTENT_NS = 'xmlns:content="http://purl.org/rss/1.0/modules/content/"'

VTT = b"""WEBVTT

00:00:00.500 --> 00:00:04.000
<v Juno Abara>Welcome back to the allotment hour.

00:00:04.200 --> 00:00:09.000
<v Sol Pereira>Today we talk about slugs, the garden kind.
"""
PODCAST_JSON = json.dumps(
    {
        "version": "1.0.0",
        "segments": [
            {"speaker": "Juno Abara", "startTime": 0.4, "endTime": 3.1, "body": "Frost again."},
            {"speaker": "Sol Pereira", "startTime": 3.3, "endTime": 6.0, "body": "Fleece it."},
        ],
    }
).encode()
CHAPTERS = json.dumps(
    {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0, "title": "Hello"},
            {"startTime": 12.5, "title": "Cover art only", "toc": False},
            {"startTime": 61.25, "title": "Slugs", "url": "https://example.org/slugs"},
        ],
    }
).encode()


def item(
    n: int,
    *,
    title: str | None = None,
    guid: str | None = None,
    date: str = "Mon, 05 Jan 2026 10:00:00 +0000",
    extra: str = "",
    enclosure: bool = True,
) -> str:
    title = title if title is not None else f"Episode {n}: Soil and Patience"
    guid_xml = f'<guid isPermaLink="false">{guid or f"allotment-{n:04d}"}</guid>'
    audio = (
        f'<enclosure url="https://media.example.net/allotment/ep{n}.mp3" length="{1000 + n}" '
        'type="audio/mpeg"/>'
        if enclosure
        else ""
    )
    return f"""
    <item>
      <title>{title}</title>
      {guid_xml}
      <pubDate>{date}</pubDate>
      <itunes:duration>{n}:02:03</itunes:duration>
      <itunes:episode>{n}</itunes:episode>
      {audio}
      <content:encoded><![CDATA[<p>Notes for episode {n} with
      <a href="https://example.org/{n}">a link</a>.</p>]]></content:encoded>
      {extra}
    </item>"""


def feed(*items: str, channel_extra: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" {ITUNES_NS} {PODCAST_NS} {CONTENT_NS}>
  <channel>
    <title>The Allotment Hour</title>
    <link>https://allotment.example.net/</link>
    <description>Two neighbours, one vegetable plot.</description>
    <language>en-gb</language>
    <itunes:author>Juno Abara</itunes:author>
    <itunes:owner>
      <itunes:name>Juno Abara</itunes:name><itunes:email>juno@example.net</itunes:email>
    </itunes:owner>
    <itunes:image href="https://media.example.net/allotment/cover.jpg"/>
    <itunes:category text="Leisure"><itunes:category text="Home &amp; Garden"/></itunes:category>
    <itunes:explicit>No</itunes:explicit>
    <podcast:guid>3c2f4e7a-9a51-5c43-8d0e-0b7f6a1e2d11</podcast:guid>
    {channel_extra}
    {"".join(items)}
  </channel>
</rss>
""".encode()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serve() as running:
        running.files["t/ep1.vtt"] = VTT
        running.files["t/ep2.json"] = PODCAST_JSON
        running.files["c/ep1.json"] = CHAPTERS
        yield running


def transcripts_of(n: int, base: str) -> str:
    forms = {
        1: f'<podcast:transcript url="{base}t/ep1.html" type="text/html"/>'
        f'<podcast:transcript url="{base}t/ep1.vtt" type="text/vtt"/>'
        f'<podcast:chapters url="{base}c/ep1.json" type="application/json+chapters"/>'
        '<podcast:person role="guest">Sol Pereira</podcast:person>',
        2: f'<podcast:transcript url="{base}t/ep2.json" type="application/json"/>',
        3: f'<podcast:transcript url="{base}missing/ep3.vtt" type="text/vtt"/>',
    }
    return forms.get(n, "")


def show_feed(base: str, count: int = 3, **changes: str) -> bytes:
    return feed(
        *(
            item(
                n,
                title=changes.get(f"title{n}"),
                date=f"Mon, 0{n} Feb 2026 10:00:00 +0000",
                extra=transcripts_of(n, base),
            )
            for n in range(1, count + 1)
        ),
        item(9, title="A note between seasons", enclosure=False),
    )


def records(site: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((site / "content" / "episodes").iterdir())}


class TestImportFromAHost:
    def test_import_builds_and_keeps_every_guid(self, server: FeedServer, tmp_path: Path) -> None:
        """The imported site builds at once; its feed has the old feed's episodes with the
        same guids and enclosures, and the show keeps its podcast:guid (feedparser and
        podcastparser both read it so)."""
        server.files["show/feed.xml"] = show_feed(server.base)
        site = tmp_path / "site"
        result = import_feed(server.base + "show/feed.xml", site, timeout=5)
        assert sorted(result.added) == [
            "content/episodes/a-note-between-seasons.md",
            "content/episodes/episode-1-soil-and-patience.md",
            "content/episodes/episode-2-soil-and-patience.md",
            "content/episodes/episode-3-soil-and-patience.md",
        ]
        assert result.transcripts == 2
        assert result.site_files == [
            ".github/workflows/pages.yml",
            ".gitignore",
            "README.md",
            "requirements.txt",
        ]
        assert (site / "README.md").read_text().startswith("# The Allotment Hour\n")
        warnings = [p.message for p in result.problems.warnings]
        assert any("Home & Garden" in w for w in warnings)
        assert any(
            "'Episode 3: Soil and Patience': no transcript could be imported" in w
            and "missing/ep3.vtt: the server answered 404 Not Found" in w
            for w in warnings
        ), warnings

        built = build(site)
        assert not [str(p) for p in built.warnings]
        old = feedparser.parse(server.files["show/feed.xml"])
        new = feedparser.parse((site / "output" / "feed.xml").read_bytes())
        assert not new.bozo
        pairs = lambda parsed: sorted(  # noqa: E731
            (e.id, e.enclosures[0].href) for e in parsed.entries if e.get("enclosures")
        )
        assert pairs(new) == pairs(old) and len(pairs(new)) == 3
        assert new.feed.podcast_guid == "3c2f4e7a-9a51-5c43-8d0e-0b7f6a1e2d11"
        gpodder = podcastparser.parse("feed.xml", (site / "output" / "feed.xml").open("rb"))
        assert sorted(e["guid"] for e in gpodder["episodes"]) == [
            "allotment-0001",
            "allotment-0002",
            "allotment-0003",
        ]
        # The episode without audio has a page, and no feed item.
        assert (site / "output/episodes/a-note-between-seasons/index.html").is_file()

    def test_record_holds_what_the_feed_says(self, server: FeedServer, tmp_path: Path) -> None:
        server.files["show/feed.xml"] = show_feed(server.base)
        site = tmp_path / "site"
        import_feed(server.base + "show/feed.xml", site, timeout=5)
        files = records(site)
        assert files["episode-1-soil-and-patience.md"] == (
            "---\n"
            "title: 'Episode 1: Soil and Patience'\n"
            "date: '2026-02-01'\n"
            "number: 1\n"
            "duration: '1:02:03'\n"
            "audio: {url: 'https://media.example.net/allotment/ep1.mp3', length: 1001, type: "
            "audio/mpeg}\n"
            "guid: allotment-0001\n"
            "guests: [Sol Pereira]\n"
            "chapters:\n"
            "- {start: '0:00', title: Hello}\n"
            "- {start: '1:01.25', title: Slugs, url: 'https://example.org/slugs'}\n"
            "---\n\n"
            "Notes for episode 1 with\n[a link](https://example.org/1).\n"
        )
        # The best form on offer (WebVTT before HTML) is the sidecar, byte for byte.
        assert (site / "content/episodes/episode-1-soil-and-patience.vtt").read_bytes() == VTT
        assert (site / "content/episodes/episode-2-soil-and-patience.json").read_bytes() == (
            PODCAST_JSON
        )
        site_yaml = (site / "site.yaml").read_text()
        assert f"#   {server.base}show/feed.xml\n" in site_yaml
        assert site_yaml.split("\n", 4)[4] == (
            "title: The Allotment Hour\n"
            "base_url: https://example.github.io/site/\n"
            "description: Two neighbours, one vegetable plot.\n"
            "language: en-gb\n"
            "author: Juno Abara\n"
            "owner: {name: Juno Abara, email: juno@example.net}\n"
            "image: https://media.example.net/allotment/cover.jpg\n"
            "categories: [Leisure]\n"
            "explicit: false\n"
            "podcast_guid: 3c2f4e7a-9a51-5c43-8d0e-0b7f6a1e2d11\n"
        )

    def test_reimport_keeps_edits_and_adds_new(self, server: FeedServer, tmp_path: Path) -> None:
        """Importing again adds the new item, brings an untouched record up to date, retries
        the transcript that failed, and leaves an edited record exactly as the user left it."""
        url = server.base + "show/feed.xml"
        server.files["show/feed.xml"] = show_feed(server.base)
        site = tmp_path / "site"
        import_feed(url, site, timeout=5)
        edited = site / "content/episodes/episode-2-soil-and-patience.md"
        edited.write_text(edited.read_text().replace("Notes for", "My own notes for"))
        before = records(site)

        server.files["missing/ep3.vtt"] = VTT  # the host fixed its transcript
        server.files["show/feed.xml"] = show_feed(
            server.base, 4, title1="Episode 1: Soil, Patience and Frost", title2="Renamed"
        )
        result = import_feed(url, site, timeout=5)
        after = records(site)
        assert result.added == ["content/episodes/episode-4-soil-and-patience.md"]
        assert result.updated == ["content/episodes/episode-1-soil-and-patience.md"]
        assert result.kept == ["content/episodes/episode-2-soil-and-patience.md"]
        assert after["episode-2-soil-and-patience.md"] == before["episode-2-soil-and-patience.md"]
        assert (
            "title: 'Episode 1: Soil, Patience and Frost'"
            in after["episode-1-soil-and-patience.md"]
        )
        assert after["episode-3-soil-and-patience.vtt"] == VTT.decode()
        assert set(after) - set(before) == {
            "episode-3-soil-and-patience.vtt",
            "episode-4-soil-and-patience.md",
        }
        # A third import with nothing new changes nothing.
        again = import_feed(url, site, timeout=5)
        assert (again.added, again.updated) == ([], [])
        assert records(site) == after
        build(site)

    def test_deleted_record_stays_deleted(self, server: FeedServer, tmp_path: Path) -> None:
        url = server.base + "show/feed.xml"
        server.files["show/feed.xml"] = show_feed(server.base)
        site = tmp_path / "site"
        import_feed(url, site, timeout=5)
        (site / "content/episodes/episode-2-soil-and-patience.md").unlink()
        result = import_feed(url, site, timeout=5)
        assert result.added == []
        assert not (site / "content/episodes/episode-2-soil-and-patience.md").exists()

    def test_site_yaml_keys_the_user_set_are_kept(self, server: FeedServer, tmp_path: Path) -> None:
        site = tmp_path / "site"
        site.mkdir()
        mine = (
            "# my show\ntitle: My Own Title\nbase_url: https://me.example/show/\nexplicit: true\n"
        )
        (site / "site.yaml").write_text(mine)
        server.files["show/feed.xml"] = show_feed(server.base, 1)
        result = import_feed(server.base + "show/feed.xml", site, timeout=5)
        text = (site / "site.yaml").read_text()
        assert text.startswith(mine)
        assert "title: The Allotment" not in text and "explicit: false" not in text
        assert "description: Two neighbours, one vegetable plot.\n" in text
        assert result.site_keys == [
            "description",
            "language",
            "author",
            "owner",
            "image",
            "categories",
            "podcast_guid",
        ]
        build(site)

    def test_command_line(self, server: FeedServer, tmp_path: Path) -> None:
        server.files["show/feed.xml"] = show_feed(server.base)
        site = tmp_path / "site"
        process = subprocess.run(
            [sys.executable, "-m", "generator", "import", server.base + "show/feed.xml"]
            + ["--site", str(site), "--timeout", "5"],
            capture_output=True,
            text=True,
            env=os.environ | {"CI": "true"},
        )
        assert process.returncode == 0, process.stderr
        assert process.stdout == ""
        assert "Imported 4 new episodes, 2 transcripts from " in process.stderr
        assert "missing/ep3.vtt: the server answered 404 Not Found" in process.stderr
        assert main(["build", "--site", str(site)]) == 0


class TestMessyFeeds:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Mon, 05 Jan 2026 10:00:00 +0000", "2026-01-05"),
            ("Mon, 5 Jan 2026 10:00 PST", "2026-01-05"),
            ("5 Jan 2026 23:30:00 -0800", "2026-01-05"),  # the day the show says
            ("Monday, January 5, 2026 10:00:00 +0000", "2026-01-05"),
            ("Tue, 6 Jan 26 09:00:00 GMT", "2026-01-06"),
            ("Sept 5th, 2026", "2026-09-05"),
            ("2026-01-05T10:00:00Z", "2026-01-05"),
            ("2026-01-05", "2026-01-05"),
            ("Wed, 31 Feb 2026 10:00:00 GMT", None),
            ("last Tuesday", None),
        ],
    )
    def test_dates(self, text: str, expected: str | None) -> None:
        parsed = parse_date(text)
        assert (parsed.isoformat() if parsed else None) == expected

    def test_durations_explicit_urls(self) -> None:
        items = "".join(
            f"""<item><title>T{n}</title><guid>g{n}</guid><pubDate>Mon, 05 Jan 2026 10:00 GMT
            </pubDate><itunes:duration>{duration}</itunes:duration><itunes:explicit>{explicit}
            </itunes:explicit><enclosure url="{url}" length="" type="audio/mpeg"/></item>"""
            for n, (duration, explicit, url) in enumerate(
                [
                    ("1:02:03", "yes", "//cdn.example.net/a.mp3"),
                    ("62:03", "No", "/media/b.mp3"),
                    ("3723", "clean", "c.mp3"),
                    ("3723.5", "true", "https://cdn.example.net/d.mp3"),
                    ("about an hour", "maybe", "javascript:alert(1)"),
                ]
            )
        )
        problems = Problems()
        parsed = parse(
            f"<rss {ITUNES_NS}><channel><title>S</title>{items}</channel></rss>".encode(),
            "feed.xml",
            "https://host.example.org/shows/feed.xml",
            problems,
        )
        got = [(i.duration_ms, i.explicit, i.audio.url if i.audio else None) for i in parsed.items]
        assert got == [
            (3_723_000, True, "https://cdn.example.net/a.mp3"),
            (3_723_000, False, "https://host.example.org/media/b.mp3"),
            (3_723_000, False, "https://host.example.org/shows/c.mp3"),
            (3_723_500, True, "https://cdn.example.net/d.mp3"),
            (None, None, None),
        ]
        assert [str(p) for p in problems.warnings] == [
            "feed.xml:10: the duration 'about an hour' could not be read (left out)",
            "feed.xml:11: the enclosure 'javascript:alert(1)' was left out: a javascript: URL; "
            "only http and https are fetched",
            "feed.xml:10: <itunes:explicit> is 'maybe'; expected yes, no, true, false, explicit "
            "or clean (left out)",
        ]

    def test_not_well_formed_is_read_with_a_warning(self, tmp_path: Path) -> None:
        bad = feed(item(1, title="Tools & Tea")).replace(b"Tools &amp; Tea", b"Tools & Tea")
        bad = bad.replace(b"Tools & Tea", b"Tools & Tea &nbsp;")
        problems = Problems()
        parsed = parse(bad, "feed.xml", None, problems)
        assert [i.guid for i in parsed.items] == ["allotment-0001"]
        assert "the feed is not well-formed XML" in problems.warnings[0].message

    def test_duplicate_guids_and_items_without_guid(
        self, server: FeedServer, tmp_path: Path
    ) -> None:
        server.files["dup/feed.xml"] = feed(
            item(1),
            item(2, guid="allotment-0001", title="The same, listed twice"),
            item(3).replace('<guid isPermaLink="false">allotment-0003</guid>', ""),
        )
        site = tmp_path / "site"
        result = import_feed(server.base + "dup/feed.xml", site, timeout=5)
        assert len(result.added) == 2
        assert [p.message for p in result.problems.warnings] == [
            "the subcategory 'Home & Garden' of 'Leisure' is not kept (site.yaml lists "
            "top-level categories; add it by hand if your layouts need it)",
            "'The same, listed twice' has the same guid as 'Episode 1: Soil and Patience' "
            "(line 18); apps show only one of them, so this one was left out",
        ]
        # Without a guid, apps know the episode by its audio URL: so does the record.
        record = (site / "content/episodes/episode-3-soil-and-patience.md").read_text()
        assert "guid: https://media.example.net/allotment/ep3.mp3\n" in record

    def test_slugs_are_safe(self) -> None:
        assert slugify("Épisode 12 — Crème brûlée & Co.") == "episode-12-creme-brulee-co"
        assert slugify("../../../etc/passwd") == "etc-passwd"
        assert slugify("CON") == "con-episode"
        assert slugify("🎙️🎙️") == ""
        assert len(slugify("word " * 1000)) <= 60


class TestHostileFeeds:
    def run(self, server: FeedServer, tmp_path: Path, body: bytes) -> tuple[int, str, Path]:
        server.files["bad/feed.xml"] = body
        site = tmp_path / "site"
        before = sorted(p.name for p in tmp_path.iterdir())
        process = subprocess.run(
            [sys.executable, "-m", "generator", "import", server.base + "bad/feed.xml"]
            + ["--site", str(site), "--timeout", "1"],
            capture_output=True,
            text=True,
            env=os.environ | {"CI": "true"},
            timeout=60,
        )
        after = sorted(p.name for p in tmp_path.iterdir())
        assert set(after) - set(before) <= {"site"}, "wrote outside the site"
        return process.returncode, process.stderr, site

    def test_entity_expansion_is_refused(self, server: FeedServer, tmp_path: Path) -> None:
        bomb = (
            b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY a "aaaaaaaaaa">\n'
            + b"".join(
                f' <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n'.encode()
                for i in range(9)
            )
            + b"]>\n<rss><channel><title>&j;</title></channel></rss>\n"
        )
        code, err, site = self.run(server, tmp_path, bomb)
        assert code == 1
        assert err == (
            f"{server.base}bad/feed.xml:3: the feed declares an XML entity (<!ENTITY ...>); no "
            "podcast feed needs one, and entities can expand a small file into gigabytes or read "
            "files on this computer, so the feed is refused (ask the host for a plain RSS feed)\n"
            "Import failed; nothing was written.\n"
        )
        assert not site.exists()

    def test_external_entity_is_refused(self, server: FeedServer, tmp_path: Path) -> None:
        xxe = (
            b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            b"<rss><channel><title>&x;</title></channel></rss>\n"
        )
        code, err, site = self.run(server, tmp_path, xxe)
        assert code == 1 and "declares an XML entity" in err and not site.exists()

    def test_not_a_feed(self, server: FeedServer, tmp_path: Path) -> None:
        code, err, site = self.run(server, tmp_path, b"<!DOCTYPE html><html><body>Hi</body></html>")
        assert code == 1
        assert "not a podcast feed" in err and not site.exists()

    def test_paths_and_schemes_cannot_escape(self, server: FeedServer, tmp_path: Path) -> None:
        base = server.base
        items = [
            item(1, title="../../../etc/passwd", guid="../../outside"),
            item(2, title="/etc/passwd", guid="/etc/passwd"),
            item(3, title="..\\..\\win.ini", guid="..\\..\\win.ini"),
            item(4, title=".git/config", guid=".git"),
            item(5, title="CON", guid="CON"),
            item(6, title="🎙️", guid="emoji"),
            item(7, title="x" * 5000, guid="long"),
            item(
                8,
                title="Bad links",
                extra='<podcast:transcript url="javascript:alert(1)" type="text/vtt"/>'
                '<podcast:transcript url="file:///etc/passwd" type="text/vtt"/>'
                '<podcast:chapters url="data:application/json,{}" type="application/json"/>',
            ).replace("https://media.example.net/allotment/ep8.mp3", "file:///etc/passwd"),
            item(
                9,
                title="Huge",
                extra=f'<podcast:transcript url="{base}dynamic/huge.vtt" type="text/vtt"/>',
            ),
            item(
                10,
                title="Endless",
                extra=f'<podcast:transcript url="{base}dynamic/endless.vtt" type="text/vtt"/>',
            ),
            item(
                11,
                title="Loop",
                extra=f'<podcast:transcript url="{base}dynamic/loop" type="text/vtt"/>',
            ),
            item(
                12,
                title="Slow",
                extra=f'<podcast:transcript url="{base}dynamic/slow.vtt" type="text/vtt"/>',
            ),
            item(
                13,
                title="To file",
                extra=f'<podcast:transcript url="{base}dynamic/file-redirect" type="text/vtt"/>',
            ),
        ]
        started = time.monotonic()
        code, err, site = self.run(server, tmp_path, feed(*items))
        assert code == 0, err
        assert time.monotonic() - started < 30
        names = sorted(p.name for p in (site / "content/episodes").iterdir())
        assert names == [
            "bad-links.md",
            "con-episode.md",
            "endless.md",
            f"episode-6-{hashlib.sha256(b'emoji').hexdigest()[:6]}.md",
            "etc-passwd-2.md",
            "etc-passwd.md",
            "git-config.md",
            "huge.md",
            "loop.md",
            "slow.md",
            "to-file.md",
            "win-ini.md",
            "x" * 60 + ".md",
        ]
        assert sorted(p.name for p in site.iterdir()) == [
            STATE_FILE,
            ".github",
            ".gitignore",
            "README.md",
            "content",
            "requirements.txt",
            "site.yaml",
        ]
        assert "the enclosure 'file:///etc/passwd' was left out: a file: URL" in err
        assert "the transcript 'javascript:alert(1)' was left out" in err
        assert "the chapters 'data:application/json,{}' was left out" in err
        assert "dynamic/huge.vtt: the file is larger than 50 MB (2,147 MB)" in err
        assert "dynamic/endless.vtt: the file is larger than 50 MB; it was not downloaded" in err
        assert "dynamic/loop: more than 8 redirects (a redirect loop?)" in err
        assert "dynamic/slow.vtt: no answer within 1 s" in err
        assert "dynamic/file-redirect: redirected to an address that is not http(s)" in err
        assert "file:///etc/passwd" not in server.requests
        assert main(["build", "--site", str(site)]) == 0


def test_date_fallback_is_today(tmp_path: Path) -> None:
    problems = Problems()
    parsed = parse(feed(item(1, date="sometime")), "feed.xml", None, problems)
    from generator.importer import record_text

    text = record_text(parsed.items[0], (), "feed.xml", problems)
    assert f"date: '{dt.date.today().isoformat()}'" in text
    assert (
        "has no readable date ('sometime'); it was given today's" in problems.warnings[-1].message
    )


def test_progress_bar_on_a_terminal_only(server: FeedServer, tmp_path: Path) -> None:
    """On a terminal the downloads show a progress bar; in a pipe (CI) they do not."""
    import fcntl
    import pty
    import struct
    import termios

    server.files["show/feed.xml"] = show_feed(server.base)
    command = [sys.executable, "-m", "generator", "import", server.base + "show/feed.xml"]
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    process = subprocess.Popen(
        [*command, "--site", str(tmp_path / "tty")], stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait(timeout=60) == 0
    os.close(leader)
    assert b"Fetching: 100%" in seen
    piped = subprocess.run(
        [*command, "--site", str(tmp_path / "pipe")], capture_output=True, text=True, env=env
    )
    assert piped.returncode == 0 and "Fetching" not in piped.stderr


def test_failed_chapters_are_fetched_again(server: FeedServer, tmp_path: Path) -> None:
    """Chapters the host failed to serve come in with the next import of an untouched record."""
    url = f"{server.base}dynamic/flaky/c/ep1.json"
    chapters = f'<podcast:chapters url="{url}" type="application/json+chapters"/>'
    server.files["show/feed.xml"] = feed(item(1, extra=chapters))
    site = tmp_path / "site"
    first = import_feed(server.base + "show/feed.xml", site, timeout=5, retries=0)
    assert "the server answered 503 Service Unavailable); import again to retry" in str(
        first.problems.warnings[-1]
    )
    record = site / "content/episodes/episode-1-soil-and-patience.md"
    assert "chapters:" not in record.read_text()
    second = import_feed(server.base + "show/feed.xml", site, timeout=5, retries=0)
    assert second.updated == ["content/episodes/episode-1-soil-and-patience.md"]
    assert "- {start: '1:01.25', title: Slugs, url: 'https://example.org/slugs'}\n" in (
        record.read_text()
    )


class TestImportAShowIntoANetwork:
    def test_two_feeds_become_two_shows(self, server: FeedServer, tmp_path: Path) -> None:
        """``--show NAME`` makes content/shows/NAME/: show.yaml from the channel (no
        base_url: the network's), the records in its episodes/; a second feed is a second
        show. The network builds, each show's feed with the old guids and podcast:guid."""
        server.files["show/feed.xml"] = show_feed(server.base)
        server.files["other/feed.xml"] = (
            show_feed(server.base, 1)
            .replace(b"allotment-0001", b"other-0001")
            .replace(
                b"3c2f4e7a-9a51-5c43-8d0e-0b7f6a1e2d11", b"9d1c5b3a-2e4f-5a6b-8c7d-1e2f3a4b5c6d"
            )
        )
        site = tmp_path / "net"
        result = import_feed(server.base + "show/feed.xml", site, timeout=5, show="allotment")
        assert result.settings == "content/shows/allotment/show.yaml"
        assert sorted(result.added) == [
            "content/shows/allotment/episodes/a-note-between-seasons.md",
            "content/shows/allotment/episodes/episode-1-soil-and-patience.md",
            "content/shows/allotment/episodes/episode-2-soil-and-patience.md",
            "content/shows/allotment/episodes/episode-3-soil-and-patience.md",
        ]
        assert (site / "site.yaml").read_text().split("\n", 3)[3] == (
            "title: Net\nbase_url: https://example.github.io/net/\n"
        )
        show_yaml = (site / "content/shows/allotment/show.yaml").read_text()
        assert f"#   {server.base}show/feed.xml\n" in show_yaml
        assert "# BASE_URL/allotment/feed.xml.\n" in show_yaml
        assert show_yaml.split("\n", 4)[4] == (
            "title: The Allotment Hour\n"
            "description: Two neighbours, one vegetable plot.\n"
            "language: en-gb\n"
            "author: Juno Abara\n"
            "owner: {name: Juno Abara, email: juno@example.net}\n"
            "image: https://media.example.net/allotment/cover.jpg\n"
            "categories: [Leisure]\n"
            "explicit: false\n"
            "podcast_guid: 3c2f4e7a-9a51-5c43-8d0e-0b7f6a1e2d11\n"
        )
        assert (site / "content/shows/allotment/.cuepress-import.json").is_file()
        assert not (site / ".cuepress-import.json").exists()
        second = import_feed(server.base + "other/feed.xml", site, timeout=5, show="other")
        assert [Path(a).name for a in sorted(second.added)] == [
            "a-note-between-seasons.md",
            "episode-1-soil-and-patience.md",
        ]
        built = build(site)
        assert not [str(p) for p in built.warnings]
        output = site / "output"
        old = feedparser.parse(server.files["show/feed.xml"])
        new = feedparser.parse((output / "allotment/feed.xml").read_bytes())
        assert sorted(e.id for e in new.entries) == sorted(
            e.id for e in old.entries if e.get("enclosures")
        )
        assert new.feed.podcast_guid == "3c2f4e7a-9a51-5c43-8d0e-0b7f6a1e2d11"
        other = feedparser.parse((output / "other/feed.xml").read_bytes())
        assert [e.id for e in other.entries] == ["other-0001"]
        assert other.feed.podcast_guid == "9d1c5b3a-2e4f-5a6b-8c7d-1e2f3a4b5c6d"
        assert (output / "other/episodes/a-note-between-seasons/index.html").is_file()
        assert (output / "allotment/episodes/a-note-between-seasons/index.html").is_file()

    def test_reimport_into_a_show_keeps_edits(self, server: FeedServer, tmp_path: Path) -> None:
        """The importer's rules hold for a show: an edited record is kept as it is."""
        url = server.base + "show/feed.xml"
        server.files["show/feed.xml"] = show_feed(server.base)
        site = tmp_path / "net"
        import_feed(url, site, timeout=5, show="allotment")
        edited = site / "content/shows/allotment/episodes/episode-2-soil-and-patience.md"
        edited.write_text(edited.read_text().replace("Notes for", "My own notes for"))
        mine = edited.read_text()
        server.files["show/feed.xml"] = show_feed(server.base, 4, title2="Renamed")
        result = import_feed(url, site, timeout=5, show="allotment")
        assert result.added == ["content/shows/allotment/episodes/episode-4-soil-and-patience.md"]
        assert result.kept == ["content/shows/allotment/episodes/episode-2-soil-and-patience.md"]
        assert edited.read_text() == mine

    def test_a_one_show_site_or_a_bad_name_is_refused(
        self, server: FeedServer, tmp_path: Path
    ) -> None:
        """Nothing is written for a show a network could not hold."""
        server.files["show/feed.xml"] = show_feed(server.base, 1)
        url = server.base + "show/feed.xml"
        one = tmp_path / "one"
        import_feed(url, one, timeout=5)
        with pytest.raises(ImportError_) as info:
            import_feed(url, one, timeout=5, show="second")
        assert str(info.value) == (
            "content/episodes: this is a one-show site; make it a network before adding a show "
            "(README: A network of shows), or import without --show"
        )
        with pytest.raises(ImportError_) as info:
            import_feed(url, tmp_path / "net", timeout=5, show="people")
        assert str(info.value) == (
            "--show: 'people' cannot be a show's address: use letters, digits, - and _, and "
            "none of assets, categories, episodes, page, pagefind, people, search, tags"
        )
        assert not (tmp_path / "net").exists()

    def test_command_line(self, server: FeedServer, tmp_path: Path) -> None:
        server.files["show/feed.xml"] = show_feed(server.base, 1)
        site = tmp_path / "net"
        process = subprocess.run(
            [sys.executable, "-m", "generator", "import", server.base + "show/feed.xml"]
            + ["--site", str(site), "--timeout", "5", "--show", "allotment"],
            capture_output=True,
            text=True,
            env=os.environ | {"CI": "true"},
        )
        assert process.returncode == 0, process.stderr
        assert "content/shows/allotment/show.yaml: set title, description" in process.stderr
        assert main(["build", "--site", str(site)]) == 0
