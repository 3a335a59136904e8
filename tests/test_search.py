"""Search: records made from episodes, the Pagefind bundle, and the search page in real headless
Chromium against the built demo site under its sub-path."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from generator import search
from generator.build import build
from generator.errors import BuildFailed, Problems
from generator.models import Episode, Site
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


def segments(*said: tuple[float, str] | tuple[float, str, str]) -> list[dict[str, Any]]:
    """Segments as transcript.json holds them."""
    return [
        {"startTime": s[0], "body": s[1], **({"speaker": s[2]} if len(s) > 2 else {})} for s in said
    ]


def unzip(data: bytes) -> Any:
    return json.loads(gzip.decompress(data))


class TestPrepare:
    def test_page_holds_each_word_once(self) -> None:
        """Pagefind's page for an episode holds its distinct words, each once, in the order
        first said (title and summary first), without the punctuation around them; title,
        date, tags, people, year and the line files' digest are filters, not words."""
        made = search.prepare(
            episode(summary_html="<p>Priya &amp; the <em>shoebox</em>.</p>", tags=("catalogue",),
                    hosts=("Maren Okafor",)),
            segments((0, "Hi, the “ladder”!", "Ana"), (1.5, "The ladder, the LADDER.")),
            "d1",
            "en",
        )  # fmt: skip
        page = made.page.decode()
        assert "<p>the ladder ledger priya shoebox hi</p>" in page
        for name, value in [
            ("tag", "catalogue"), ("speaker", "Maren Okafor"), ("speaker", "Ana"),
            ("year", "2026"), ("episode", "The Ladder Ledger"), ("date", "2026-02-25"),
            ("lines", "d1"),
        ]:  # fmt: skip
            assert f'data-pagefind-filter="{name}[content]" content="{value}"' in page
        head = unzip(made.files["d1-0.gz"])
        # the, ladder (title: said in lines 0 and 1), ledger, priya, shoebox (summary only), hi
        assert head["map"] == [[0, 1], [0, 1], [], [], [], [0]]
        assert head["summary"] == "Priya & the shoebox ."
        assert head["lines"] == [[0, "Hi, the “ladder”!"], [1.5, "The ladder, the LADDER."]]
        assert made.url_path == "episodes/ep/"

    def test_word_map_keeps_the_first_lines(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A word's entry lists the first FIRST lines saying it; the first file holds the map
        of the first MAPPED words and the first HEAD lines, the second the rest of the map,
        the others BLOCK lines each."""
        monkeypatch.setattr(search, "FIRST", 2)
        monkeypatch.setattr(search, "MAPPED", 3)
        monkeypatch.setattr(search, "HEAD", 1)
        monkeypatch.setattr(search, "BLOCK", 3)
        made = search.prepare(
            episode(title="X"), segments(*((n, f"zebra {n}") for n in range(6))), "d", "en"
        )
        assert sorted(made.files) == ["d-0.gz", "d-1.gz", "d-2.gz", "d-3.gz"]
        head = unzip(made.files["d-0.gz"])
        assert made.page.endswith(b"<p>x zebra 0 1 2 3 4 5</p></body></html>")
        assert head["map"] == [[], [0, 1], [0]]
        assert unzip(made.files["d-1.gz"]) == {"map": [[1], [2], [3], [4], [5]]}
        assert (head["mapped"], head["head"], head["block"]) == (3, 1, 3)
        assert head["lines"] == [[0, "zebra 0"]]
        assert unzip(made.files["d-2.gz"]) == {"lines": [[n, f"zebra {n}"] for n in (1, 2, 3)]}
        assert unzip(made.files["d-3.gz"]) == {"lines": [[4, "zebra 4"], [5, "zebra 5"]]}

    def test_words_match_the_search_page(self) -> None:
        """Words are keyed as search.js keys them: lower case, punctuation around them gone,
        inside them kept; zero-width and odd spaces separate words."""
        assert search.words("“Rock'n'roll,” she said—\u200bno: 3.5 kg… _x_") == [
            "rock'n'roll", "she", "said", "no", "3.5", "kg", "x",
        ]  # fmt: skip

    def test_line_times_are_the_seconds_of_the_json_download(self) -> None:
        """A line's time is its start as transcript.json writes it (shortest decimal seconds,
        exact to the ms): the search page links to it as it is (String(83.456), String(90))."""
        cues = [Cue(83_456, None, "Hello there.", "Ana", 1), Cue(90_000, 95_000, "Bye.", None, 2)]
        transcript = normalise(cues, "x.vtt", Problems())
        data = json.loads(exports.render_all(transcript, None).json)
        made = search.prepare(episode(), data["segments"], "d", "en")
        lines = unzip(made.files["d-0.gz"])["lines"]
        assert json.dumps(lines) == '[[83.456, "Hello there."], [90, "Bye."]]'

    @pytest.mark.parametrize(
        "start", [0, 1.5, 83.456, 10**6, 2.0000001, 1e16, 12345678901234567890]
    )
    def test_line_files_are_the_json_of_their_data(self, start: float) -> None:
        """The line files' JSON, joined from each line's for speed, is byte for byte what
        json.dumps writes of the same data, whatever the text (quotes, backslashes, controls,
        zero-width spaces, tokens of punctuation alone, case that lower() lengthens)."""
        said = [
            'He said "no" \\ then\ttabs\x00nul', "— … ,, İstanbul ǅ ﬁne ½ Ⅻ",
            "\u200bzero\ufeffwidth", "“ladder”, ladder; LADDER!", "", "a_b _c_ 3.5 kg",
        ]  # fmt: skip
        data = segments(*((start + n, text) for n, text in enumerate(said)))
        made = search.prepare(episode(summary_html='<p>"Q" &amp; \\</p>'), data, "d", "en")
        head = gzip.decompress(made.files["d-0.gz"])
        expected = {
            "map": unzip(made.files["d-0.gz"])["map"], "summary": '"Q" & \\', "mapped": 256,
            "head": 150, "block": 300, "lines": [[s["startTime"], s["body"]] for s in data],
        }  # fmt: skip
        assert head == json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode()
        # the title's words first: "the" never said, "ladder" in line 3 (three tokens, once)
        assert unzip(made.files["d-0.gz"])["map"][:3] == [[], [3], []]
        words = (
            "the ladder ledger q he said no then tabs nul i\u0307stanbul \u01c6 \ufb01ne ½ ⅻ zero"
        )
        assert f"<p>{words} width a_b c 3.5 kg</p>".encode() in made.page


class TestShards:
    def make(self, count: int) -> list[Episode]:
        return [
            episode(slug=f"e{n}", date=dt.date(2020, 1, 1) + dt.timedelta(days=n))
            for n in range(count)
        ]

    def test_archive_is_split_oldest_first(self) -> None:
        """Episodes are indexed oldest first in tiers: sealed indexes of 2,000, then one of a
        multiple of 200, one of a multiple of 20, then the newest few; each index has its
        folder, the first pagefind/."""
        assert search.TIERS == (2000, 200, 20)
        assert search.index_folders(self.make(0)) == ["pagefind/"]
        assert search.index_folders(self.make(20)) == ["pagefind/"]
        episodes = self.make(541)
        assert search.index_folders(episodes) == [
            "pagefind/",
            "pagefind/part-2/",
            "pagefind/part-3/",
        ]
        parts = search.shards(list(reversed(episodes)))
        assert [len(s) for s in parts] == [400, 140, 1]
        assert parts[0][0].slug == "e0" and parts[2][0].slug == "e540"
        assert search.tiers(500) == [400, 100]
        assert search.tiers(6000) == [2000] * 3
        assert search.tiers(7999) == [2000] * 3 + [1800, 180, 19]

    def test_a_new_episode_changes_one_index(self) -> None:
        """Adding an episode changes the newest index only (the one it completes when it
        completes a tier: the indexes after it become part of it), and there are never more
        than three indexes besides the sealed ones."""
        for count in range(4500):
            before, after = search.tiers(count), search.tiers(count + 1)
            kept = len(after) - 1
            assert after[:kept] == before[:kept], count
            assert sum(after) == count + 1
            assert len(after) <= count // 2000 + 3


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
        assert {n.split("/")[0] for n in names if "/" in n} == {
            "index", "fragment", "filter", "lines",
        }  # fmt: skip
        assert [n for n in names if n.startswith("wasm.")] == ["wasm.en.pagefind"]
        assert [n for n in names if n.endswith(".pf_meta")]
        assert not [n for n in names if "ui" in n or "playground" in n or "highlight" in n]

    def test_one_page_per_episode_with_its_lines(self, small_site: Path) -> None:
        """Pagefind holds one page per episode, its distinct words once each, with the
        filters; the line files beside it hold every line's second and text."""
        build(small_site)
        output = small_site / "output"
        pages = {str(f["url"]): f for f in fragments(output)}
        assert set(pages) == {"/episodes/one/", "/episodes/two/"}
        one = pages["/episodes/one/"]
        assert one["content"] == (
            "shed news the reopens welcome to zebra clamp is back nobody has seen pangolin "
            "wrench since march."  # Pagefind ends a paragraph with a full stop
        )
        filters: Any = one["filters"]
        digest = filters.pop("lines")[0]
        assert filters == {
            "date": ["2025-03-01"],
            "episode": ["Shed news"],
            "speaker": ["Ana", "Bo"],
            "tag": ["news"],
            "year": ["2025"],
        }
        head = unzip((output / f"pagefind/lines/{digest}-0.gz").read_bytes())
        assert head["lines"] == [
            [0.0, "Welcome to the shed."],
            [5.0, "The zebra clamp is back."],
            [83.4, "Nobody has seen the pangolin wrench since March."],
        ]
        assert head["map"][one["content"].split(" ").index("pangolin")] == [2]  # type: ignore[union-attr]

    def test_bundle_is_reproducible(self, small_site: Path) -> None:
        """Two runs of Pagefind on the same pages give the same bytes (Pagefind 1.5 writes
        its filters in a random order; Cuepress sorts them)."""
        prepared = [
            search.prepare(
                episode(slug=f"e{n}", tags=("a", "b", "c")[: n % 4], hosts=(f"S{n}",)),
                segments((0, f"word{n} and more")),
                f"d{n}",
                "en",
            )
            for n in range(9)
        ]
        first, second = search.build_indexes([prepared, prepared], "en")
        assert first == second

    def test_pagefind_is_the_pinned_release(self) -> None:
        """reproducible() rewrites Pagefind's private CBOR filter files: it is tested against
        one release only. Upgrading Pagefind must fail here first (then check the format and
        bump PAGEFIND_VERSION), never corrupt an index."""
        assert search._pagefind_version() == search.PAGEFIND_VERSION
        pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text()
        assert f'"pagefind[bin]=={search.PAGEFIND_VERSION}"' in pyproject

    def test_a_killed_builds_scratch_folder_is_removed(self) -> None:
        """Pagefind runs in a folder in memory named by the build's process; one left by a
        process that is gone (a killed build) is removed by the next."""
        scratch = search._scratch()
        assert scratch is not None, "these machines have /dev/shm, where Pagefind runs"
        left = Path(scratch) / "cuepress-pagefind-4194303-x"
        (left / "site").mkdir(parents=True)
        mine = Path(scratch) / f"cuepress-pagefind-{os.getpid()}-x"
        mine.mkdir()
        try:
            search._scratch()
            assert not left.exists() and mine.exists()
        finally:
            shutil.rmtree(left, ignore_errors=True)
            mine.rmdir()

    def test_reordering_is_checked(self) -> None:
        """An unknown format is left as Pagefind wrote it, not rewritten."""
        files = {"pagefind-entry.json": b'{"languages":{"en":{"hash":"en_x"}}}'}
        assert search.reproducible(files) is files

    def test_unchanged_index_is_reused(
        self, small_site: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A build whose episodes are unchanged takes the index from the cache: Pagefind does
        not run; editing one episode re-indexes only its shard."""
        monkeypatch.setattr(search, "TIERS", (1,))
        build(small_site)
        calls: list[int] = []
        real = search.index

        def counting(part: list[search.Prepared], *args: Any) -> dict[str, bytes]:
            calls.append(len(part))
            return real(part, *args)

        monkeypatch.setattr(search, "index", counting)
        (small_site / "layouts").mkdir()
        (small_site / "layouts" / "404.html").write_text("{% extends 'base.html' %}")
        build(small_site)
        assert calls == []
        path = small_site / "content/episodes/two.md"
        path.write_text(path.read_text().replace("A zebra", "Two zebras"))
        build(small_site)
        assert calls == [1]  # one Pagefind, of the one episode's shard

    def test_an_index_starts_while_newer_episodes_are_prepared(
        self, small_site: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A shard's Pagefind starts once its own episodes are prepared, not after every
        shard's: the older episode's index is under way while the newer one is prepared."""
        monkeypatch.setattr(search, "TIERS", (1,))  # one shard per episode, the oldest first
        started = threading.Event()
        waited: list[bool] = []
        real_index, real_job = search.index, search._prepare_job

        def index(part: list[search.Prepared], *args: Any) -> dict[str, bytes]:
            if part[0].url_path == "episodes/one/":
                started.set()
            return real_index(part, *args)

        def job(work: tuple[Episode, Any, str, Path]) -> tuple[str, search.Prepared]:
            if work[0].slug == "two":
                waited.append(started.wait(30))
            return real_job(work)

        monkeypatch.setattr(search, "index", index)
        monkeypatch.setattr(search, "_prepare_job", job)
        build(small_site)
        assert waited == [True]
        part = small_site / "output/pagefind/part-2/fragment"
        two = [json.loads(gzip.decompress(p.read_bytes())[12:]) for p in part.iterdir()]
        assert [f["url"] for f in fragments(small_site / "output")] == ["/episodes/one/"]
        assert [f["url"] for f in two] == ["/episodes/two/"]

    def test_rebuilds_equal_a_cold_build(
        self, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """After episodes are added one at a time (through tiers completed and sealed) and an
        old one is edited, the search page and bundle are byte for byte what a cold build of
        the same episodes makes: the split depends on the count alone."""
        monkeypatch.setattr(search, "TIERS", (4, 2))

        def add(site: Path, n: int, said: str = "here") -> None:
            (site / f"content/episodes/e{n}.md").write_text(
                record(f"Ep {n}", f"2026-01-{n + 1:02d}", f'transcript:\n  - "0:01 W{n} {said}."\n')
            )

        site = make_site({})
        (site / "content/episodes").mkdir(parents=True, exist_ok=True)
        for n in range(7):
            add(site, n)
            build(site)
        add(site, 1, "edited")
        build(site)
        assert search.tiers(7) == [4, 2, 1]

        cold = tmp_path / "cold"
        shutil.copytree(site, cold, ignore=shutil.ignore_patterns(".cache", "output"))
        build(cold)

        def made(root: Path) -> dict[str, bytes]:
            files = [*(root / "pagefind").rglob("*"), root / "search/index.html"]
            return {p.relative_to(root).as_posix(): p.read_bytes() for p in files if p.is_file()}

        assert made(site / "output") == made(cold / "output")
        assert "pagefind/part-3/pagefind-entry.json" in made(cold / "output")

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
    def test_preview_indexes_in_parts_of_25(self) -> None:
        """The live preview indexes in parts of 25 episodes, so a save re-indexes at most 25;
        an archive of more than 40 parts has parts twice as large (a query merges one index a
        part). Its search page lists each part's folder."""
        assert (search.PREVIEW_PART, search.PREVIEW_PARTS) == (25, 40)
        assert search.tiers(70, search.preview_tiers(70)) == [25, 25, 20]
        assert search.tiers(500, search.preview_tiers(500)) == [25] * 20
        assert search.tiers(1000, search.preview_tiers(1000)) == [25] * 40
        assert search.tiers(1001, search.preview_tiers(1001)) == [50] * 20 + [1]
        assert search.tiers(6000, search.preview_tiers(6000)) == [200] * 30
        assert search.tiers(500) == [400, 100]  # the published site's tiers are untouched
        episodes = TestShards().make(70)
        assert search.index_folders(episodes, preview=True) == [
            "pagefind/",
            "pagefind/part-2/",
            "pagefind/part-3/",
        ]
        assert [len(part) for part in search.shards(episodes, preview=True)] == [25, 25, 20]

    def test_an_edit_in_the_preview_reindexes_its_part_alone(
        self, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """After an old episode is edited, the preview makes its part's index again and keeps
        the others: the edited word is found, in the part the search page lists."""
        monkeypatch.setattr(search, "PREVIEW_PART", 2)
        site = make_site({})
        folder = site / "content/episodes"
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(5):
            (folder / f"e{n}.md").write_text(
                record(f"Ep {n}", f"2026-01-{n + 1:02d}", f'transcript:\n  - "0:01 W{n} here."\n')
            )
        preview = Preview(site)
        store = search.store_for(site)
        indexed: list[list[str]] = []

        def index(part: Any, language: str, interrupt: threading.Event) -> dict[str, bytes]:
            indexed.append([episode.url_path for episode in part])
            return real_index(part, language, interrupt)

        real_index = search.index
        monkeypatch.setattr(search, "index", index)
        try:
            assert preview.rebuild()
            page = (preview.output / "search/index.html").read_text()
            assert 'data-indexes="pagefind/ pagefind/part-2/ pagefind/part-3/"' in page
            preview.index()
            assert len(indexed) == 3
            keys = [(store / f".preview-{n}").read_text() for n in range(3)]
            (folder / "e1.md").write_text(
                record("Ep 1", "2026-01-02", 'transcript:\n  - "0:01 W1 wombat."\n')
            )
            indexed.clear()
            assert preview.rebuild()
            preview.index()
            assert indexed == [["episodes/e0/", "episodes/e1/"]]
            again = [(store / f".preview-{n}").read_text() for n in range(3)]
            assert again[0] != keys[0] and again[1:] == keys[1:]
            words = [
                json.loads(gzip.decompress(p.read_bytes())[12:])["content"]
                for p in (preview.output / "pagefind/fragment").iterdir()
            ]
            assert any("wombat" in text for text in words)
        finally:
            preview.close()

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
                [[search.prepare(episode(), segments((0, "Hi.")), "d", "en")]], "en", interrupt
            )
        assert time.perf_counter() - started < 2

    def test_index_can_come_after_the_build(self, small_site: Path) -> None:
        """The live preview builds without the index and puts it in place afterwards."""
        result = build(small_site, preview=True)
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
        expect(page.locator("#search-status")).to_have_text(f"1 episode matches “{RARE}”.")
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
    def test_show_more(self, browser: Browser, make_site: MakeSite) -> None:
        """Five episodes at a time: a button loads the next five and moves the focus to the
        first of them, and goes away after the last."""
        site = make_site(
            {
                f"content/episodes/z{n:02d}.md": record(
                    f"Stripes {n}",
                    f"2026-01-{n + 1:02d}",
                    f'transcript:\n  - "0:{n:02d} The zebra {n}."\n',
                )
                for n in range(12)
            }
        )
        build(site)
        context = browser.new_context()
        page = context.new_page()
        with serve(site / "output", "/show/") as url:
            search_for(page, url, "zebra")
            expect(page.locator("#search-status")).to_have_text("12 episodes match “zebra”.")
            expect(page.locator(".search-line")).to_have_count(5)
            page.click("#search-more")
            expect(page.locator(".search-line")).to_have_count(10)
            assert page.evaluate("document.activeElement.tagName") == "A"
            page.click("#search-more")
            expect(page.locator(".search-line")).to_have_count(12)
            expect(page.locator("#search-more")).to_be_hidden()
        context.close()


class TestLanding:
    def test_rare_and_common_words_land_on_their_second(self, page: Page, demo_url: str) -> None:
        """Every line listed for a word said once (breeding) and for a word said in many
        episodes (tool) links to a segment that starts at that second and says the word (or
        a word of the same stem: tools)."""
        for word in (RARE, "tool"):
            search_for(page, demo_url, word)
            links = page.locator(".search-line")
            expect(links.first).to_be_visible()
            hrefs = [links.nth(n).get_attribute("href") or "" for n in range(links.count())]
            assert len(hrefs) >= (1 if word == RARE else 5)
            for href in hrefs:
                path, second = href.split("#t=")
                said = page.request.get(f"http://{urlsplit(demo_url).netloc}{path}transcript.json")
                segments = said.json()["segments"]
                starts = [s for s in segments if str(s["startTime"]) in (second, f"{second}.0")]
                assert starts, href
                said_there = [w for s in starts for w in search.words(s["body"])]
                assert any(w.startswith(word) for w in said_there), href  # tool, tools
            if word == RARE:
                assert hrefs == [f"{PREFIX}episodes/02-the-ladder-ledger/#t={RARE_START}"]


class TestLayout:
    def test_every_line_file_and_index_is_searched(
        self, browser: Browser, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With the word map split after MAPPED words, lines after the first HEAD in files of
        BLOCK, and the episodes in three indexes, every word is found in every episode and
        lands on its line's second, and a word of the newest episode only in it."""
        monkeypatch.setattr(search, "MAPPED", 4)  # episode, N, the, okapi | naps, tapir ...
        monkeypatch.setattr(search, "HEAD", 1)
        monkeypatch.setattr(search, "BLOCK", 2)
        monkeypatch.setattr(search, "TIERS", (2, 1))  # five episodes: indexes of 2, 2 and 1
        words = ["okapi", "tapir", "quagga", "dugong", "margay", "saola"]
        said = "".join(f'  - "0:{10 + n}.5 The {w} naps."\n' for n, w in enumerate(words))
        site = make_site(
            {
                f"content/episodes/e{n}.md": record(
                    f"Episode {n}", f"2026-01-0{n + 1}",
                    f'transcript:\n{said}  - "0:40 A {animal} sings."\n',
                )
                for n, animal in enumerate(["kudu", "gaur", "dhole", "fossa", "saiga"])
            }
        )  # fmt: skip
        build(site)
        assert (site / "output/pagefind/part-3/pagefind-entry.json").is_file()
        context = browser.new_context()
        page = context.new_page()
        with serve(site / "output", "/show/") as url:
            for n, word in enumerate(words):
                search_for(page, url, word)
                links = page.locator(".search-line")
                expect(links).to_have_count(5)
                hrefs = sorted(links.nth(k).get_attribute("href") or "" for k in range(5))
                assert hrefs == [f"/show/episodes/e{k}/#t={10 + n}.5" for k in range(5)], word
                expect(links.first.locator("mark")).to_have_text([word])
            search_for(page, url, "saiga")
            expect(page.locator(".search-line")).to_have_text(["0:40 A saiga sings."])
            assert page.locator(".search-line").get_attribute("href") == "/show/episodes/e4/#t=40"
        context.close()


class TestEdits:
    def test_edited_word_found_and_removed_word_gone(
        self, browser: Browser, make_site: MakeSite
    ) -> None:
        """After an episode is edited and the site rebuilt, its new word is found at its line
        and the word it lost is no longer found; the other episode's index is reused."""
        site = make_site(
            {
                "content/episodes/a.md": record(
                    "Alpha", "2026-01-01", 'transcript:\n  - "0:03 The okapi sleeps."\n'
                ),
                "content/episodes/b.md": record(
                    "Beta", "2026-01-02", 'transcript:\n  - "0:04 A tapir swims."\n'
                ),
            }
        )
        build(site)
        context = browser.new_context()
        page = context.new_page()
        with serve(site / "output", "/show/") as url:
            search_for(page, url, "okapi")
            expect(page.locator(".search-line")).to_have_text(["0:03 The okapi sleeps."])
            path = site / "content/episodes/a.md"
            path.write_text(path.read_text().replace("0:03 The okapi", "0:07.25 The axolotl"))
            build(site)
            search_for(page, url, "axolotl")
            line = page.locator(".search-line")
            expect(line).to_have_text(["0:07 The axolotl sleeps."])
            assert line.get_attribute("href") == "/show/episodes/a/#t=7.25"
            search_for(page, url, "okapi")
            expect(page.locator("#search-status")).to_have_text(
                "No results for “okapi”. Check the spelling, or try other words."
            )
            search_for(page, url, "tapir")
            expect(page.locator(".search-line")).to_have_text(["0:04 A tapir swims."])
        context.close()


class TestWords:
    def test_the_rarest_words_lines_are_shown(self, browser: Browser, make_site: MakeSite) -> None:
        """For several words, the lines of the rarest come first: "the zebra" shows the line
        with the zebra, not only the first five lines saying "the"."""
        said = "\n".join(f'  - "0:{n:02d} The cat naps."' for n in range(8))
        site = make_site(
            {
                "content/episodes/z.md": record(
                    "Cats", "2026-01-01", f'transcript:\n{said}\n  - "0:30 The zebra naps."\n'
                )
            }
        )
        build(site)
        context = browser.new_context()
        page = context.new_page()
        with serve(site / "output", "/show/") as url:
            search_for(page, url, "the zebra")
            lines = page.locator(".search-line")
            expect(lines).to_have_count(5)
            expect(lines.last).to_have_text("0:30 The zebra naps.")
            expect(lines.last.locator("mark")).to_have_text(["The", "zebra"])
        context.close()


class TestFilters:
    def test_tag_speaker_and_year_together(self, browser: Browser, make_site: MakeSite) -> None:
        """Tag, speaker and year filters narrow together: only episodes with all three."""
        said = 'transcript:\n  - "0:01 {who}: The lantern is lit."\n'
        episodes = {
            "a": ("2025-05-01", "garden", "Ana"),
            "b": ("2025-06-01", "garden", "Bo"),
            "c": ("2026-05-01", "garden", "Ana"),
            "d": ("2025-07-01", "river", "Ana"),
        }
        site = make_site(
            {
                f"content/episodes/{slug}.md": record(
                    f"Episode {slug}", date, f"tags: [{tag}]\n" + said.format(who=who)
                )
                for slug, (date, tag, who) in episodes.items()
            }
        )
        build(site)
        context = browser.new_context()
        page = context.new_page()
        titles = page.locator(".search-hit h2")
        with serve(site / "output", "/show/") as url:
            search_for(page, url, "lantern")
            expect(titles).to_have_count(4)
            page.select_option("select[name=tag]", "garden")
            expect(titles).to_have_count(3)
            page.select_option("select[name=speaker]", "Ana")
            expect(titles).to_have_count(2)
            page.select_option("select[name=year]", "2025")
            expect(titles).to_have_text(["Episode a"])
            assert page.url.endswith("search/?q=lantern&tag=garden&speaker=Ana&year=2025")
            page.select_option("select[name=tag]", "")
            expect(titles).to_have_count(2)  # a and d: Ana in 2025
            expect(page.locator(".search-line").first).to_have_attribute(
                "href", re.compile(r"/show/episodes/[ad]/#t=1$")
            )
        context.close()
