"""Search: records made from episodes, the Pagefind bundle, and the search page in real headless
Chromium against the built demo site under its sub-path."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from generator import search
from generator.build import build
from generator.errors import BuildFailed, Problems
from generator.models import Chapter, Episode, Site
from generator.search import ANCHOR, Line, Record
from generator.serve import Preview
from generator.transcripts import exports
from generator.transcripts.cues import Cue, normalise
from tests.browser import serve
from tests.conftest import MakeSite, record

PREFIX = "/borrowed-hammer/"
RARE = "breeding"  # said once in the demo, in one segment of one episode, in no summary
RARE_EPISODE = "The Ladder Ledger"
RARE_LINE = "I still say some of them were breeding."
RARE_START = "55.8"  # the segment's start; its id is t=55


def episode(**extra: object) -> Episode:
    values: dict[str, object] = {
        "slug": "ep",
        "source": "content/episodes/ep.md",
        "title": "The Ladder Ledger",
        "date": dt.date(2026, 2, 25),
    }
    values.update(extra)
    return Episode(**values)  # type: ignore[arg-type]


def lines(*starts: int) -> list[Line]:
    return [Line(start, f"Line at {start} ms.", None) for start in starts]


class TestWindows:
    def test_chapter_start_begins_a_window(self) -> None:
        """A chapter starting between two lines puts them in different windows."""
        found = search.windows(lines(0, 1000, 2000, 3000), [Chapter(0, "A"), Chapter(2000, "B")])
        assert [[line.start_ms for line in w] for w in found] == [[0, 1000], [2000, 3000]]

    def test_chapter_between_lines_splits_at_the_next_line(self) -> None:
        """A chapter starting mid-line begins its window at the first line after it."""
        found = search.windows(lines(0, 1000, 2000), [Chapter(1500, "B")])
        assert [[line.start_ms for line in w] for w in found] == [[0, 1000], [2000]]

    def test_at_most_window_lines(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A window holds at most WINDOW_LINES lines."""
        monkeypatch.setattr(search, "WINDOW_LINES", 3)
        found = search.windows(lines(*range(0, 7000, 1000)))
        assert [len(w) for w in found] == [3, 3, 1]

    def test_window_spans_less_than_window_ms(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A line starting WINDOW_MS or more after its window's first begins a new one."""
        monkeypatch.setattr(search, "WINDOW_MS", 10_000)
        found = search.windows(lines(0, 9_999, 10_000, 19_999, 20_000))
        assert [[line.start_ms for line in w] for w in found] == [
            [0, 9_999],
            [10_000, 19_999],
            [20_000],
        ]

    def test_defaults(self) -> None:
        """The defaults: 100 lines or five minutes a window; nothing from no lines."""
        assert (search.WINDOW_LINES, search.WINDOW_MS) == (100, 300_000)
        assert search.windows([]) == []
        assert [len(w) for w in search.windows(lines(*range(0, 250_000, 1000)))] == [100, 100, 50]


class TestRecords:
    def test_about_record(self) -> None:
        """The first record is the episode's summary as plain text, titled for search, with
        the filters and what a result shows (title and date, stored as filters)."""
        made = search.episode_records(
            episode(
                summary_html="<p>Priya &amp; the <em>shoebox</em>.</p>\n<p>Ladders.</p>",
                tags=("catalogue",),
                hosts=("Maren Okafor",),
                guests=("Priya Duvall",),
            ),
            [Line(0, "Hi.", "Teodor Vask"), Line(1000, "Hello.", "Maren Okafor")],
        )
        assert made[0] == Record(
            url="episodes/ep/",
            content="Priya & the shoebox . Ladders.",
            meta={"title": "The Ladder Ledger"},
            filters={
                "tag": ["catalogue"],
                "speaker": ["Maren Okafor", "Priya Duvall", "Teodor Vask"],
                "year": ["2026"],
                "episode": ["The Ladder Ledger"],
                "date": ["2026-02-25"],
            },
        )

    def test_about_record_without_summary_holds_the_title(self) -> None:
        """With no summary the title is the record's text (Pagefind drops empty records)."""
        assert search.episode_records(episode(), [])[0].content == "The Ladder Ledger"

    def test_window_record(self) -> None:
        """A window links to its first line's second and holds each line's text led by an
        anchor token naming its start; whitespace of every kind becomes one space; no meta
        (Pagefind searches meta), the window's own speakers as the speaker filter."""
        made = search.episode_records(
            episode(),
            [
                Line(83_000, "First\tline,\u00a0with  spaces.", "Ana"),
                Line(83_456, "Zero\u200bwidth\u2028and\ufeffBOM.\n", None),
                Line(90_000, "", "Bo"),
            ],
        )
        assert made[1] == Record(
            url="episodes/ep/#t=83",
            content=(
                f"{ANCHOR}p:0:t=83 First line, with spaces. "
                f"{ANCHOR}p:1:t=83.456 Zero width and BOM. "
                f"{ANCHOR}p:2:t=90"
            ),
            meta={},
            filters={
                "speaker": ["Ana", "Bo"],
                "year": ["2026"],
                "episode": ["The Ladder Ledger"],
                "date": ["2026-02-25"],
            },
        )
        assert len(made) == 2

    def test_one_record_per_window(self) -> None:
        """An episode gives its summary record and one record per window, in order."""
        chapters = (Chapter(0, "A"), Chapter(60_000, "B"))
        made = search.episode_records(episode(chapters=chapters), lines(0, 30_000, 60_000))
        assert [r.url for r in made] == ["episodes/ep/", "episodes/ep/#t=0", "episodes/ep/#t=60"]

    def test_read_lines_round_trips_the_json_download(self) -> None:
        """Lines come from the transcript.json Cuepress writes, start times exact to the ms."""
        cues = [Cue(83_456, None, "Hello there.", "Ana", 1), Cue(90_000, 95_000, "Bye.", None, 2)]
        transcript = normalise(cues, "x.vtt", Problems())
        data = exports.render_all(transcript, None).json
        assert search.read_lines(data) == [
            Line(83_456, "Hello there.", "Ana"),
            Line(90_000, "Bye.", None),
        ]
        assert search.read_lines(b"") == []


class TestShards:
    def make(self, count: int) -> list[Episode]:
        return [
            episode(slug=f"e{n}", date=dt.date(2020, 1, 1) + dt.timedelta(days=n))
            for n in range(count)
        ]

    def test_small_archive_is_one_index(self) -> None:
        """Up to SHARD_EPISODES episodes share one index in pagefind/."""
        assert search.index_folders(self.make(0)) == ["pagefind/"]
        assert search.index_folders(self.make(250)) == ["pagefind/"]
        assert [len(s) for s in search.shards(self.make(250))] == [250]

    def test_large_archive_is_split_oldest_first(self) -> None:
        """A larger archive is split in runs of SHARD_EPISODES, oldest first, so a new
        episode changes only the newest index."""
        episodes = self.make(501)
        assert search.index_folders(episodes) == [
            "pagefind/",
            "pagefind/part-2/",
            "pagefind/part-3/",
        ]
        parts = search.shards(list(reversed(episodes)))
        assert [len(s) for s in parts] == [250, 250, 1]
        assert parts[0][0].slug == "e0" and parts[2][0].slug == "e500"


TRANSCRIPT = """\
transcript:
  - "0:00 Ana: Welcome to the shed."
  - "0:05 Bo: The zebra clamp is back."
  - "1:23.4 Ana: Nobody has seen the pangolin wrench since March."
"""


@pytest.fixture
def small_site(make_site: MakeSite) -> Path:
    return make_site(
        {
            "content/episodes/one.md": record(
                "Shed news", "2025-03-01", "tags: [news]\n" + TRANSCRIPT, "The shed reopens."
            ),
            "content/episodes/two.md": record(
                "Winter", "2026-01-10", "tags: [winter]\n", "A zebra in the snow."
            ),
        }
    )


def fragments(output: Path) -> list[dict[str, object]]:
    return [
        json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd") :])
        for p in sorted((output / "pagefind" / "fragment").glob("*.pf_fragment"))
    ]


class TestBundle:
    def test_bundle_holds_what_the_browser_needs(self, small_site: Path) -> None:
        """pagefind/ holds the script, entry, WebAssembly, meta, index, fragments and filters,
        and none of Pagefind's UI kits or playground."""
        build(small_site)
        bundle = small_site / "output" / "pagefind"
        names = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
        assert {"pagefind.js", "pagefind-entry.json", "wasm.en.pagefind"} <= names
        assert {n.split("/")[0] for n in names if "/" in n} == {"index", "fragment", "filter"}
        assert [n for n in names if n.endswith(".pf_meta")]
        assert not [n for n in names if "ui" in n or "playground" in n or "highlight" in n]

    def test_lines_come_back_as_anchors(self, small_site: Path) -> None:
        """Pagefind keeps each line's start as an anchor at the word where the line begins,
        and leaves the anchor tokens out of the text."""
        build(small_site)
        window = next(f for f in fragments(small_site / "output") if "#" in str(f["url"]))
        assert window["url"] == "episodes/one/#t=0"
        assert window["content"] == (
            "Welcome to the shed. The zebra clamp is back. "
            "Nobody has seen the pangolin wrench since March."
        )
        anchors = [(a["id"], a["location"]) for a in window["anchors"]]  # type: ignore[attr-defined]
        assert anchors == [("t=0", 0), ("t=5", 4), ("t=83.4", 9)]
        assert window["filters"] == {
            "date": ["2025-03-01"],
            "episode": ["Shed news"],
            "speaker": ["Ana", "Bo"],
            "tag": ["news"],
            "year": ["2025"],
        }

    def test_bundle_is_reproducible(self, small_site: Path, tmp_path: Path) -> None:
        """Two runs of Pagefind on the same records give the same bytes (Pagefind 1.5 writes
        its filters in a random order; Cuepress sorts them)."""
        made = search.episode_records(episode(tags=("a", "b", "c")), lines(0, 1000, 2000))
        records = made * 3 + [
            Record(f"x/{n}/", f"word{n}", {}, {"speaker": [f"S{n}"]}) for n in range(9)
        ]
        first, second = search.build_indexes([records, records], "en")
        assert first == second

    def test_unchanged_index_is_reused(
        self, small_site: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A build whose episodes are unchanged takes the index from the cache: Pagefind does
        not run; editing one episode re-indexes only its shard."""
        monkeypatch.setattr(search, "SHARD_EPISODES", 1)
        build(small_site)
        calls: list[int] = []
        real = search.build_indexes

        def counting(parts: list[list[Record]], *args: Any) -> list[dict[str, bytes]]:
            calls.append(len(parts))
            return real(parts, *args)

        monkeypatch.setattr(search, "build_indexes", counting)
        (small_site / "layouts").mkdir()
        (small_site / "layouts" / "404.html").write_text("{% extends 'base.html' %}")
        build(small_site)
        assert calls == [0]
        path = small_site / "content/episodes/two.md"
        path.write_text(path.read_text().replace("A zebra", "Two zebras"))
        build(small_site)
        assert calls == [0, 1]

    def test_missing_pagefind_is_an_error(
        self, small_site: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without the Pagefind program the build fails and says what to do."""
        monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(small_site / "no-such-pagefind"))
        with pytest.raises(BuildFailed) as failed:
            build(small_site)
        assert [str(p) for p in failed.value.errors] == [
            "site.yaml: search: Pagefind could not build the index (no Pagefind program at "
            f"{small_site / 'no-such-pagefind'}); reinstall Cuepress, whose pagefind[bin] "
            "dependency brings the program, or set search: false"
        ]

    def test_a_missing_cache_file_is_not_blamed_on_pagefind(self) -> None:
        """A file gone from the build cache is named as such, with its own remedy; only a
        missing program is a reason to reinstall."""
        cache = Path("/site/.cache/cuepress")
        gone = "/site/.cache/cuepress/entries/k/transcript.json"
        missing = FileNotFoundError(2, "No such file or directory", gone)
        assert search._failure(missing, cache) == (
            f"search: Pagefind could not build the index ({gone} is missing); build again, "
            "and delete .cache/cuepress if it happens again"
        )
        program = FileNotFoundError(2, "No such file or directory", "/bin/pagefind_extended")
        assert "(no Pagefind program at /bin/pagefind_extended); reinstall Cuepress" in (
            search._failure(program, cache)
        )


class TestSetting:
    def test_search_false_builds_no_search(self, small_site: Path) -> None:
        """search: false builds no pagefind/, no search page, and no search box in the
        header of any page."""
        site_yaml = small_site / "site.yaml"
        site_yaml.write_text(site_yaml.read_text() + "search: false\n")
        build(small_site)
        output = small_site / "output"
        assert not (output / "pagefind").exists()
        assert not (output / "search").exists()
        for page in output.rglob("*.html"):
            assert 'role="search"' not in page.read_text(), page
            assert "search/" not in page.read_text(), page

    def test_search_on_by_default(self, small_site: Path) -> None:
        """By default every page's header has a search box that goes to the search page."""
        build(small_site)
        output = small_site / "output"
        assert (output / "search" / "index.html").is_file()
        for page in ("index.html", "episodes/one/index.html", "404.html"):
            text = (output / page).read_text()
            assert '<form class="site-search" role="search"' in text
            assert 'action="/show/search/"' in text
        assert 'class="site-search"' not in (output / "search" / "index.html").read_text()

    def test_search_must_be_true_or_false(self, small_site: Path) -> None:
        """A search: value that is not true or false is an error naming it."""
        site_yaml = small_site / "site.yaml"
        site_yaml.write_text(site_yaml.read_text() + "search: maybe\n")
        with pytest.raises(BuildFailed) as failed:
            build(small_site)
        assert [str(p) for p in failed.value.errors] == [
            "site.yaml:3: 'search' must be true or false, got 'maybe'"
        ]

    def test_site_model_default(self) -> None:
        """Site.search defaults to true."""
        assert Site(title="t", base_url="https://x.test/").search is True


class TestPreview:
    def test_preview_shows_the_site_then_indexes(self, small_site: Path) -> None:
        """cuepress serve's build leaves the index out; index() then puts it in place."""
        preview = Preview(small_site)
        try:
            assert preview.rebuild()
            assert (preview.output / "search" / "index.html").is_file()
            assert not (preview.output / "pagefind").exists()
            preview.index()
            assert (preview.output / "pagefind" / "pagefind.js").is_file()
        finally:
            preview.close()

    def test_a_change_stops_indexing(self) -> None:
        """Indexing stops at once when its interrupt is set (a newer change came in)."""
        interrupt = threading.Event()
        interrupt.set()
        started = time.perf_counter()
        with pytest.raises(search.Interrupted):
            search.build_indexes(
                [search.episode_records(episode(), lines(0, 1000))], "en", interrupt
            )
        assert time.perf_counter() - started < 2

    def test_index_can_come_after_the_build(self, small_site: Path) -> None:
        """The live preview builds without the index and puts it in place afterwards."""
        result = build(small_site, search_index=False)
        output = small_site / "output"
        assert (output / "search" / "index.html").is_file()
        assert not (output / "pagefind").exists()
        search.write_bundle(output, result.site, result.episodes, small_site)
        assert (output / "pagefind" / "pagefind.js").is_file()
        assert not list(output.glob(".pagefind-*"))
        search.write_bundle(output, result.site, result.episodes, small_site)  # again: replaced
        assert (output / "pagefind" / "pagefind-entry.json").is_file()


# The search page in a real browser ------------------------------------------------------------


def search_for(page: Page, demo_url: str, words: str) -> None:
    page.goto(demo_url + "search/")
    page.locator("#search-input").fill(words)
    page.keyboard.press("Enter")
    expect(page.locator("#search-status")).not_to_have_text("Searching…")


class TestSearchPage:
    def test_rare_word_finds_its_line_and_plays_it(self, page: Page, demo_url: str) -> None:
        """A word said once: its episode and line are listed with the time; clicking the line
        opens the episode under the sub-path with that segment highlighted and the player at
        the segment's start."""
        page.goto(demo_url + "search/")
        page.locator("#search-input").press_sequentially(RARE)
        hit = page.locator(".search-hit")
        expect(hit).to_have_count(1)
        expect(hit.locator("h2")).to_have_text(RARE_EPISODE)
        expect(hit.locator("time")).to_have_text("25 February 2026")
        line = hit.locator(".search-line")
        expect(line).to_have_count(1)
        expect(line).to_have_text(f"0:55 {RARE_LINE}")
        expect(line.locator("mark")).to_have_text(RARE)
        expect(page.locator("#search-status")).to_have_text(f"1 passage matches “{RARE}”.")
        assert page.url == demo_url + f"search/?q={RARE}"
        line.click()
        page.wait_for_url(demo_url + f"episodes/02-the-ladder-ledger/#t={RARE_START}")
        target = page.locator(".seg.is-target")
        expect(target).to_have_attribute("data-t", RARE_START)
        expect(target.locator(".text")).to_have_text(RARE_LINE)
        expect(target).to_be_in_viewport()
        page.wait_for_function(
            f"() => Math.abs(document.querySelector('audio').currentTime - {RARE_START}) < 0.001"
        )

    def test_word_in_no_transcript_says_no_results(self, page: Page, demo_url: str) -> None:
        """A word said nowhere gives a clear message and no list."""
        search_for(page, demo_url, "xylophonist")
        expect(page.locator("#search-status")).to_have_text(
            "No results for “xylophonist”. Check the spelling, or try other words."
        )
        expect(page.locator(".search-hit")).to_have_count(0)

    def test_header_box_searches_from_any_page(self, page: Page, demo_url: str) -> None:
        """The search box in the header of an episode page leads to the results."""
        page.goto(demo_url + "episodes/01-opening-the-shed-doors/")
        page.fill("#site-search-input", RARE)
        page.press("#site-search-input", "Enter")
        page.wait_for_url(demo_url + f"search/?q={RARE}")
        expect(page.locator(".search-line")).to_have_count(1)
        expect(page.locator("#search-input")).to_have_value(RARE)

    def test_filters_narrow_the_results(self, page: Page, demo_url: str) -> None:
        """A tag filter keeps only that tag's episodes, and is kept in the address."""
        search_for(page, demo_url, "tool")
        before = page.locator(".search-hit h2").all_text_contents()
        assert len(before) > 1
        page.select_option("select[name=tag]", "gardening")
        expect(page.locator(".search-hit h2")).to_have_text(["Spring Spades"])
        assert page.url.endswith("search/?q=tool&tag=gardening")
        page.reload()
        expect(page.locator("select[name=tag]")).to_have_value("gardening")
        expect(page.locator(".search-hit h2")).to_have_text(["Spring Spades"])

    def test_keyboard(self, page: Page, demo_url: str) -> None:
        """'/' focuses the box, the down arrow walks into the results, Enter follows one."""
        page.goto(demo_url + "search/")
        page.locator("h1").click()
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "search-input"
        page.keyboard.type(RARE)
        expect(page.locator(".search-line")).to_have_count(1)
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.textContent") == RARE_EPISODE
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.className") == "search-line"
        page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowUp")
        assert page.evaluate("document.activeElement.id") == "search-input"
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_url(demo_url + f"episodes/02-the-ladder-ledger/#t={RARE_START}")

    def test_without_javascript(self, browser: Browser, demo_url: str) -> None:
        """With JavaScript off the page says so plainly and links to the episode list."""
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(demo_url + "search/?q=ladder")
        notice = page.locator(".search-notice")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("needs JavaScript")
        expect(page.locator("#search-input")).to_be_hidden()
        notice.get_by_role("link", name="Browse all episodes").click()
        page.wait_for_url(demo_url)
        context.close()

    def test_one_query_downloads_little(self, page: Page, demo_url: str) -> None:
        """One search loads only Pagefind's script, WebAssembly, metadata and the chunks and
        fragments it needs, all from the site: far under 300 kB."""
        loaded: list[tuple[str, int]] = []
        page.on("requestfinished", lambda r: loaded.append((r.url, r.sizes()["responseBodySize"])))
        search_for(page, demo_url, "ladder")
        expect(page.locator(".search-hit").first).to_be_visible()
        found = [(url, size) for url, size in loaded if "/pagefind/" in url]
        assert all(url.startswith(demo_url + "pagefind/") for url, _ in found)
        assert not [url for url, _ in found if "worker" in url]
        assert 100_000 < sum(size for _, size in found) < 300_000


class TestSearchPageAccessibility:
    @pytest.mark.parametrize("scheme", ["light", "dark"])
    def test_no_violations_with_results(self, browser: Browser, demo_url: str, scheme: str) -> None:
        """axe-core finds no violations on the search page showing results, light and dark."""
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        search_for(page, demo_url, "ladder")
        expect(page.locator(".search-line").first).to_be_visible()
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        context.close()

    def test_phone_width(self, browser: Browser, demo_url: str) -> None:
        """On a phone-sized screen nothing scrolls sideways and axe finds nothing."""
        context = browser.new_context(viewport={"width": 360, "height": 800})
        page = context.new_page()
        search_for(page, demo_url, "ladder")
        expect(page.locator(".search-line").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert Axe().run(page).violations_count == 0
        context.close()


class TestMoreResults:
    def test_show_more(
        self, browser: Browser, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Five results at a time: a button loads the next five and moves the focus to the
        first of them, and goes away after the last."""
        monkeypatch.setattr(search, "WINDOW_LINES", 1)
        said = "\n".join(f'  - "0:{n:02d} Line {n} about the zebra."' for n in range(12))
        site = make_site(
            {"content/episodes/z.md": record("Stripes", "2026-01-01", f"transcript:\n{said}\n")}
        )
        build(site)
        context = browser.new_context()
        page = context.new_page()
        with serve(site / "output", "/show/") as url:
            search_for(page, url, "zebra")
            expect(page.locator("#search-status")).to_have_text("12 passages match “zebra”.")
            expect(page.locator(".search-line")).to_have_count(5)
            page.click("#search-more")
            expect(page.locator(".search-line")).to_have_count(10)
            assert page.evaluate("document.activeElement.className") == "search-line"
            page.click("#search-more")
            expect(page.locator(".search-line")).to_have_count(12)
            expect(page.locator("#search-more")).to_be_hidden()
        context.close()


class TestCommonWords:
    def test_counts_are_summed_over_indexes(self, tmp_path: Path) -> None:
        """A word is common when all indexes together hold at least COMMON_AT of it."""
        first, second = tmp_path / "1.json", tmp_path / "2.json"
        first.write_text(json.dumps({"the": 60_000, "and": 99_999, "ladder": 2_000}))
        second.write_text(json.dumps({"the": 40_000}))
        assert search.common_words([first, second, tmp_path / "missing.json"]) == ["the"]

    def test_frequent_words_are_counted_without_punctuation(self) -> None:
        """Counting strips punctuation and quotes around a word and skips anchor tokens."""
        anchor = f"{ANCHOR}p:0:t=1".lower()
        tokens = Counter({"the": 900, "the,": 150, "“the”": 120, "and": 99, anchor: 5000})
        assert search._frequent(tokens) == {"the": 1170}

    def test_common_words_are_left_out_of_queries(
        self, browser: Browser, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A query of common words alone explains itself and downloads no index; a query with
        a rarer word searches that word and says what was left out."""
        monkeypatch.setattr(search, "COMMON_AT", 10)
        monkeypatch.setattr(search, "COUNT_EVERY", 1)
        animals = ["zebra", "otter", "heron", "stoat"]
        said = "\n".join(f'  - "0:{n:02d} The {animals[n % 4]} is here."' for n in range(12))
        site = make_site(
            {"content/episodes/z.md": record("Animals", "2026-01-01", f"transcript:\n{said}\n")}
        )
        build(site)
        common = json.loads((site / "output/pagefind/cuepress-common.json").read_text())
        assert common == ["here", "is", "the"]
        context = browser.new_context()
        page = context.new_page()
        chunks: list[str] = []
        page.on("request", lambda r: chunks.append(r.url) if ".pf_index" in r.url else None)
        with serve(site / "output", "/show/") as url:
            search_for(page, url, "The")
            expect(page.locator("#search-status")).to_have_text(
                "“The” is said in nearly every episode, so cannot narrow a search: "
                "add a less common word."
            )
            assert chunks == []
            search_for(page, url, "the zebra")
            expect(page.locator("#search-status")).to_have_text(
                "1 passage matches “the zebra” (“the” left out: said in nearly every episode)."
            )
            expect(page.locator(".search-line mark")).to_have_text(["zebra"] * 3)
        context.close()
