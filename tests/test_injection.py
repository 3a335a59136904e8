"""Nothing injected: every field a user writes carries script, markup, template and feed
payloads. The built site shows them as text in real Chromium (no dialog, no injected element),
never evaluates them as a template, and its feed and JSON files keep them exactly.

A control site of the same shape, with plain words in every field, tells which elements and
scripts are the theme's own.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import feedparser
import podcastparser
import pytest
import srt
import webvtt
from lxml import etree
from lxml import html as lxml_html
from playwright.sync_api import Browser

from generator.build import build
from generator.errors import Problems
from generator.markup import _TAGS as SUMMARY_TAGS
from generator.transcripts import read_file
from tests.browser import serve

# Each piece tries another way out of the text it is put in.
PIECES = (
    "<script>alert('script')</script>",
    "<img src=x onerror=alert('img') data-pwned>",
    '"><svg onload=alert("svg") data-pwned>',
    "' onmouseover='alert(1)' data-pwned='",
    "</script><script>alert('end of json-ld')</script>",
    "</title></textarea></style><script>alert('end of element')</script>",
    "]]><pwned/><![CDATA[",
    "<!-- --><script>alert('comment')</script>",
    "{{ 7*7 }}{% if true %}JINJA{% endif %}{{ site.__class__ }}{# #}",
    "javascript:alert('url')",
    "&lt;b data-pwned&gt; &amp;",
    "\u2028\u2029",
    "-->",
)
PAYLOAD = " ".join(PIECES)
TEMPLATE_TEXT = "{{ 7*7 }}{% if true %}JINJA{% endif %}"
# No whitespace: these pass as relative paths or absolute URLs, and land in attributes.
URL_PAYLOAD = "a\"onmouseover=alert('url')//<script>alert(1)</script>"
AUDIO_PAYLOAD = "https://example.test/a.mp3?x=\"><script>alert('audio')</script>"
SUMMARY = """**bold** and *emphasis* and [a link](https://example.test/ok) and <b>raw bold</b>.
{text}

<script>alert('summary')</script>

<img src=x onerror=alert('summary') data-pwned> <iframe src="javascript:alert(1)"></iframe>

[js](javascript:alert('md')) [js2](JaVaScRiPt:alert(1)) [data](data:text/html,<b>x</b>)
<a href="javascript:alert(1)" data-pwned>x</a> <a href="https://ok.test" onclick="alert(1)">ok</a>

<style>body {{ display: none }}</style> <form action="javascript:alert(1)"><button>x</button></form>

<svg><script>alert(1)</script></svg> <math><mi xlink:href="javascript:alert(1)">x</mi></math>
"""
CONTENT = "http://purl.org/rss/1.0/modules/content/"
LINK_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster")

Text = Callable[[str], str]


def payload(field: str) -> str:
    return f"{field}: {PAYLOAD}"


def plain(field: str) -> str:
    return f"{field}: plain words"


def front_matter(data: dict[str, Any], body: str) -> str:
    """A ``.md`` record whose front matter is JSON (which is YAML), so any text fits."""
    return f"---\n{json.dumps(data)}\n---\n{body}"


def site_files(text: Text, url: str, audio: str) -> dict[str, str | bytes]:
    """A site where every field a user writes is ``text(field name)``."""
    site = {
        "title": text("site title"),
        "base_url": "https://example.test/show/",
        "transcript_files": ["vtt", "srt", "txt", "json"],  # every download, to read each back
        "description": text("site description"),
        "language": "en",  # a tag, checked (it names search index files): see tests/broken
        "author": text("author"),
        "copyright": text("copyright"),
        "owner": {"name": text("owner name"), "email": text("owner email")},
        "categories": [text("category")],
        "image": url,
    }
    a = {
        "title": text("title a"),
        "date": "2026-01-04",
        "number": 1,
        "season": 1,
        "duration": "1:00",
        "audio": {"url": audio, "length": 100, "type": "audio/mpeg"},
        "image": url,
        "guid": text("guid"),
        "hosts": [text("host")],
        "guests": [text("guest")],
        "tags": [text("tag")],
        "chapters": [
            {"start": 0, "title": text("chapter one")},
            {"start": 3, "title": text("chapter two"), "url": url},
        ],
        "transcript": [
            {"start": 0, "end": 2, "text": text("segment"), "speaker": text("speaker")},
            "0:03 " + text("short segment"),
        ],
    }
    b = {
        "title": text("title b"),
        "date": "2026-01-03",
        "audio": "https://example.test/b.mp3",
        "speakers": {"SPEAKER_00": text("mapped speaker")},
        "summary": SUMMARY.format(text=text("yaml summary")),
    }
    whisper = {
        "segments": [
            {"start": 0, "end": 1, "text": "[SPEAKER_00]: " + text("whisper segment")},
            {"start": 1, "end": 2, "text": text("whisper plain"), "speaker": text("json speaker")},
        ]
    }
    vtt_speaker = html.escape(text("voice"), quote=False)
    return {
        "site.yaml": json.dumps(site),
        "content/episodes/a.md": front_matter(a, SUMMARY.format(text=text("summary"))),
        "content/episodes/b.yaml": json.dumps(b),
        "content/episodes/b.json": json.dumps(whisper),
        "content/episodes/c.md": front_matter({"title": text("title c"), "date": "2026-01-02"}, ""),
        "content/episodes/c.srt": f"1\n00:00:01,000 --> 00:00:02,000\n{text('srt segment')}\n",
        "content/episodes/d.md": front_matter({"title": text("title d"), "date": "2026-01-01"}, ""),
        "content/episodes/d.vtt": (
            "WEBVTT\n\n00:01.000 --> 00:02.000\n"
            f"<v {vtt_speaker}>{html.escape(text('vtt segment'), quote=False)}\n"
        ),
    }


def make(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir()
    for name, content in files.items():  # written as they are: write_files would dedent them
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        (root / name).write_bytes(data)
    build(root)
    return root / "output"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The payload site's output and the control site's output."""
    base = tmp_path_factory.mktemp("injection")
    hostile = make(base / "hostile", site_files(payload, URL_PAYLOAD, AUDIO_PAYLOAD))
    control = make(
        base / "control", site_files(plain, "images/a.png", "https://example.test/a.mp3")
    )
    return hostile, control


PAGES = ("", "episodes/a/", "episodes/b/", "episodes/c/", "episodes/d/", "404.html")

INSPECT = """() => {
  const tags = {}, handlers = [], links = [];
  for (const el of document.querySelectorAll("*")) {
    tags[el.localName] = (tags[el.localName] || 0) + 1;
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith("on")) handlers.push(el.localName + " " + a.name);
      const value = a.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      const link = LINK_ATTRIBUTES.includes(a.name.toLowerCase());
      if (link && /^(javascript|data|vbscript):/.test(value))
        links.push(el.localName + " " + a.name + "=" + a.value);
    }
  }
  return {
    tags, handlers, links,
    pwned: document.querySelectorAll("[data-pwned], pwned").length,
    scripts: [...document.scripts].map(s => (s.type || "js") + " " + s.getAttribute("src")),
    h1: document.querySelector("h1") ? document.querySelector("h1").textContent : null,
    text: document.body.innerText,
  };
}""".replace("LINK_ATTRIBUTES", json.dumps(LINK_ATTRIBUTES))


class Visit:
    """One page in Chromium: what it holds, and every dialog and script error it raised."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.page = browser.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def inspect(self) -> dict[str, Any]:
        self.page.wait_for_timeout(100)  # deferred scripts and anything they start
        result: dict[str, Any] = self.page.evaluate(INSPECT)
        return result


@pytest.fixture(scope="module")
def served(sites: tuple[Path, Path]) -> Iterator[tuple[str, str]]:
    hostile, control = sites
    with serve(hostile, "/show/") as hostile_url, serve(control, "/show/") as control_url:
        yield hostile_url, control_url


def episodes_of(output: Path) -> list[str]:
    return sorted(p.name for p in (output / "episodes").iterdir())


class TestPagesInChromium:
    @pytest.mark.parametrize("path", PAGES)
    def test_no_script_runs_and_no_element_is_injected(
        self, path: str, served: tuple[str, str], browser: Browser
    ) -> None:
        """No dialog fires, no script error; only the theme's own scripts and element kinds
        appear; no event handler attribute and no javascript:/data: link exists."""
        hostile_url, control_url = served
        hostile = Visit(browser, hostile_url + path)
        control = Visit(browser, control_url + path)
        seen, expected = hostile.inspect(), control.inspect()
        assert hostile.dialogs == []
        assert hostile.errors == []
        assert seen["handlers"] == [] and seen["links"] == [] and seen["pwned"] == 0
        assert seen["scripts"] == expected["scripts"]
        assert set(seen["tags"]) <= set(expected["tags"]) | SUMMARY_TAGS
        assert seen["tags"].get("script", 0) == expected["tags"].get("script", 0)
        hostile.page.close()
        control.page.close()

    @pytest.mark.parametrize("path", ["", "episodes/a/", "episodes/b/"])
    def test_payloads_show_as_text(
        self, path: str, served: tuple[str, str], browser: Browser
    ) -> None:
        """Titles read back exactly as written; template syntax is shown, never evaluated."""
        visit = Visit(browser, served[0] + path)
        seen = visit.inspect()
        title = payload(
            {"": "site title", "episodes/a/": "title a", "episodes/b/": "title b"}[path]
        )
        assert seen["h1"] == title
        assert TEMPLATE_TEXT in seen["text"]
        assert "49" not in seen["text"] and "<class" not in seen["text"]
        visit.page.close()

    def test_page_script_features_insert_no_markup(
        self, served: tuple[str, str], browser: Browser
    ) -> None:
        """Deep links, find in transcript and chapter links work on hostile text without
        running it."""
        visit = Visit(browser, served[0] + "episodes/a/#t=3")
        visit.page.keyboard.press("/")
        visit.page.keyboard.type("<img src=x onerror=alert('find')>")
        visit.page.keyboard.press("Enter")
        visit.page.keyboard.type("script")
        visit.page.keyboard.press("Enter")
        visit.page.locator(".chapters a.chapter-jump").first.click()
        seen = visit.inspect()
        assert visit.dialogs == [] and visit.errors == []
        assert seen["handlers"] == [] and seen["links"] == [] and seen["pwned"] == 0
        visit.page.close()

    def test_search_page(
        self, sites: tuple[Path, Path], served: tuple[str, str], browser: Browser
    ) -> None:
        """The search page runs no payload, also while searching for one."""
        assert (sites[0] / "search" / "index.html").is_file()
        visit = Visit(browser, served[0] + "search/")
        search = visit.page.locator("input").first
        search.fill("script")
        search.press("Enter")
        visit.page.wait_for_timeout(500)
        seen = visit.inspect()
        assert visit.dialogs == [] and visit.errors == []
        assert seen["handlers"] == [] and seen["links"] == [] and seen["pwned"] == 0
        visit.page.close()


def item(feed: etree._Element, title: str) -> etree._Element:
    for element in feed.iter("item"):
        if element.findtext("title") == title:
            return element
    raise AssertionError(f"no item titled {title!r}")


class TestFeed:
    def test_feed_parses_and_keeps_every_text_exactly(self, sites: tuple[Path, Path]) -> None:
        """feed.xml is well-formed XML (no CDATA end or markup breaks it) and every text in it
        reads back exactly as written."""
        data = (sites[0] / "feed.xml").read_bytes()
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        feed = etree.fromstring(data, parser)
        ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
        channel = feed.find("channel")
        assert channel is not None
        assert channel.findtext("title") == payload("site title")
        assert channel.findtext("description") == payload("site description")
        assert channel.findtext("copyright") == payload("copyright")
        assert channel.findtext("itunes:author", namespaces=ns) == payload("author")
        a = item(feed, payload("title a"))
        assert a.findtext("guid") == payload("guid")
        people = [p.text for p in a.iter("{https://podcastindex.org/namespace/1.0}person")]
        assert people == [payload("host"), payload("guest")]
        assert item(feed, payload("title b")) is not None

    def test_feed_summaries_are_sanitised_html(self, sites: tuple[Path, Path]) -> None:
        """The summary in the feed keeps safe formatting and no script, handler or js link."""
        feed = etree.fromstring((sites[0] / "feed.xml").read_bytes())
        summaries = [
            element
            for item in feed.iter("item")
            for element in item.iter("description", f"{{{CONTENT}}}encoded")
        ]
        assert len(summaries) == 4
        for element in summaries:
            assert "<strong>bold</strong>" in (element.text or "")
            fragment = lxml_html.fragment_fromstring(element.text, create_parent="div")
            for node in fragment.iter():
                assert node.tag in SUMMARY_TAGS | {"div"}, node.tag
                for name, value in node.attrib.items():
                    assert not name.startswith("on")
                    assert not value.strip().lower().startswith(("javascript:", "data:"))

    def test_feed_readers_accept_it(self, sites: tuple[Path, Path]) -> None:
        """feedparser and podcastparser read the hostile feed without complaint."""
        data = (sites[0] / "feed.xml").read_bytes()
        parsed = feedparser.parse(data)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert len(parsed.entries) == 2
        podcast = podcastparser.parse("https://example.test/show/feed.xml", io.BytesIO(data))
        assert len(podcast["episodes"]) == 2

    def test_sitemap_is_well_formed(self, sites: tuple[Path, Path]) -> None:
        """sitemap.xml parses."""
        etree.fromstring((sites[0] / "sitemap.xml").read_bytes())


def json_ld(page: Path) -> list[Any]:
    tree = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    return [json.loads(s.text) for s in tree.xpath('//script[@type="application/ld+json"]')]


def normalised(text: str) -> str:
    """Segment text as readers keep it: runs of whitespace made one space."""
    return " ".join(text.split())


class TestJsonFiles:
    def test_json_ld_keeps_payloads_exactly(self, sites: tuple[Path, Path]) -> None:
        """The JSON-LD block parses and holds the title exactly: ``</script>`` cannot end it."""
        output = sites[0]
        (episode,) = json_ld(output / "episodes/a/index.html")
        assert episode["name"] == payload("title a")
        assert episode["partOfSeries"]["name"] == payload("site title")
        (series,) = json_ld(output / "index.html")
        assert series["name"] == payload("site title")
        assert series["description"] == payload("site description")

    def test_transcript_json_keeps_payloads_exactly(self, sites: tuple[Path, Path]) -> None:
        """transcript.json holds every segment's text and speaker as written."""
        output = sites[0]
        a = json.loads((output / "episodes/a/transcript.json").read_text())
        assert [(s.get("speaker"), s["body"]) for s in a["segments"]] == [
            (payload("speaker"), normalised(payload("segment"))),
            (None, normalised(payload("short segment"))),
        ]
        b = json.loads((output / "episodes/b/transcript.json").read_text())
        assert [(s.get("speaker"), s["body"]) for s in b["segments"]] == [
            (payload("mapped speaker"), normalised(payload("whisper segment"))),
            (payload("json speaker"), normalised(payload("whisper plain"))),
        ]

    def test_chapters_json_keeps_payloads_exactly(self, sites: tuple[Path, Path]) -> None:
        """chapters.json holds titles as written and chapter links as safe absolute URLs."""
        data = json.loads((sites[0] / "episodes/a/chapters.json").read_text())
        assert data["title"] == payload("title a")
        assert data["podcastName"] == payload("site title")
        assert [c["title"] for c in data["chapters"]] == [
            payload("chapter one"),
            payload("chapter two"),
        ]
        link = data["chapters"][1]["url"]
        assert link.startswith("https://example.test/show/") and '"' not in link and "<" not in link


class TestTranscriptDownloads:
    def test_webvtt_reads_back_exactly(self, sites: tuple[Path, Path]) -> None:
        """transcript.vtt escapes markup: it parses (ours and webvtt-py) to the same text."""
        path = sites[0] / "episodes/a/transcript.vtt"
        transcript = read_file(path, "a.vtt", Problems())
        assert [(s.speaker, s.text) for s in transcript.segments] == [
            (payload("speaker"), normalised(payload("segment"))),
            (None, normalised(payload("short segment"))),
        ]
        assert len(webvtt.read(str(path)).captions) == 2

    def test_srt_and_text_keep_one_cue_per_segment(self, sites: tuple[Path, Path]) -> None:
        """transcript.srt parses to one cue per segment holding the text ('-->' included)."""
        output = sites[0]
        cues = list(srt.parse((output / "episodes/a/transcript.srt").read_text()))
        assert [c.content for c in cues] == [
            f"{payload('speaker')}: {normalised(payload('segment'))}",
            normalised(payload("short segment")),
        ]
        lines = (output / "episodes/a/transcript.txt").read_text().split("\n")
        assert len(lines) == 3 and lines[2] == ""


class TestNoTemplateEvaluation:
    def test_content_is_never_compiled_as_a_template(self, sites: tuple[Path, Path]) -> None:
        """Template syntax in every field is in the output as text, escaped where needed."""
        output = sites[0]
        for name in ("index.html", "episodes/a/index.html", "episodes/b/index.html"):
            page = (output / name).read_text()
            assert "{{ 7*7 }}{% if true %}JINJA{% endif %}" in page
            assert "&lt;script&gt;alert(&#39;script&#39;)&lt;/script&gt;" in page
