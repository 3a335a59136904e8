"""The whole pipeline: golden demo site, broken inputs, drafts, paths, determinism, safety."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator import records
from generator.build import build
from generator.errors import BuildFailed
from generator.writer import MARKER
from tests.conftest import MakeSite, record
from tests.golden import (
    BROKEN,
    GOLDEN,
    ROOT,
    SECRET,
    build_case,
    build_demo,
    golden_differences,
    prepare_case,
    reads_under,
)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class TestGoldenDemoSite:
    def test_demo_site_matches_golden(self, tmp_path: Path) -> None:
        """The demo site builds to exactly the golden files (run `make golden` after a
        deliberate change and review the diff)."""
        build_demo(tmp_path / "out")
        assert golden_differences(tmp_path / "out", GOLDEN, ROOT) == ""

    def test_demo_uses_every_transcript_form(self) -> None:
        """The demo content exercises each sidecar format, a transcript: path and inline lists."""
        episodes = ROOT / "content" / "episodes"
        suffixes = {p.suffix for p in episodes.rglob("*") if p.is_file()}
        assert {".md", ".yaml", ".vtt", ".srt", ".json", ".txt"} <= suffixes
        texts = [p.read_text() for p in episodes.glob("*.md")]
        assert any("transcript:\n  - {start:" in t for t in texts)
        assert any("transcript: transcripts/" in t for t in texts)

    def test_two_builds_are_byte_identical(self, tmp_path: Path) -> None:
        """Builds are reproducible: same input, same bytes."""
        build_demo(tmp_path / "a")
        build_demo(tmp_path / "b")
        assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail a block that runs longer than ``seconds`` (a hang) instead of waiting for ever."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class TestBrokenInputs:
    def test_the_corpus_is_large(self) -> None:
        """At least 40 broken inputs, each with its expected report."""
        assert len(CASES) >= 40
        assert all((BROKEN / case / "expected.txt").is_file() for case in CASES)

    @pytest.mark.parametrize("case", CASES)
    def test_exact_messages(self, case: str, tmp_path: Path) -> None:
        """Each broken input gives exactly its expected report and exit code, quickly, with no
        traceback, and nothing is read from outside the site."""
        expected = (BROKEN / case / "expected.txt").read_text()
        site = prepare_case(BROKEN / case, tmp_path)
        with deadline(30), reads_under(tmp_path / "outside") as reads:
            code, stderr = build_case(site, tmp_path)
        assert f"exit {code}\n{stderr}" == expected
        assert "Traceback" not in stderr
        assert reads == []
        assert SECRET not in stderr
        output = tmp_path / case / "output"
        if output.is_dir():  # a build with warnings only
            assert all(SECRET.encode() not in data for data in snapshot(output).values())

    @pytest.mark.parametrize("case", [c for c in CASES if not c.startswith("warnings-only")])
    def test_failed_build_leaves_output_untouched(self, case: str, tmp_path: Path) -> None:
        """A failing build leaves the previous output byte for byte."""
        site = prepare_case(BROKEN / case, tmp_path)
        output = site / "output"
        output.mkdir()
        (output / MARKER).write_text("x")
        (output / "index.html").write_text("the last good site")
        before = snapshot(output)
        with pytest.raises(BuildFailed):
            build(site)
        assert snapshot(output) == before
        assert sorted(p.name for p in site.iterdir() if p.name.startswith(".output")) == []


class TestSite:
    def test_pages_paths_and_downloads(self, make_site: MakeSite, tmp_path: Path) -> None:
        """Index, episode pages and the downloads written as files (by default WebVTT and JSON)
        land at their documented paths."""
        site = make_site(
            {
                "content/episodes/one.md": record(
                    "One", "2026-01-01", 'transcript: ["0:00 Hi", "0:05 Bye"]\n'
                ),
                "content/episodes/two.md": record("Two", "2026-02-01"),
            }
        )
        result = build(site)
        files = snapshot(site / "output")
        assert [e.slug for e in result.episodes] == ["two", "one"]
        for name in (
            "index.html",
            "404.html",
            "episodes/one/index.html",
            "episodes/two/index.html",
            "episodes/one/transcript.vtt",
            "episodes/one/transcript.json",
            "assets/cuepress.css",
            "assets/downloads.js",
            MARKER,
        ):
            assert name in files
        assert "episodes/one/transcript.srt" not in files  # made in the browser
        assert "episodes/one/transcript.txt" not in files
        assert "episodes/two/transcript.vtt" not in files
        page = files["episodes/one/index.html"].decode()
        assert '<p class="seg" id="t=5" data-t="5"><a class="ts" href="#t=5">0:05</a>' in page
        assert 'href="/show/assets/cuepress.css"' in page

    def test_pagination_newest_first(self, make_site: MakeSite) -> None:
        """episodes_per_page splits the index into page/2/ and on, newest first."""
        episodes = {
            f"content/episodes/e{n}.md": record(f"Ep {n}", f"2026-01-{n:02d}") for n in range(1, 6)
        }
        site = make_site(
            episodes, site_yaml="title: S\nbase_url: https://x.test/\nepisodes_per_page: 2\n"
        )
        build(site)
        out = site / "output"
        assert (out / "page/3/index.html").is_file()
        assert not (out / "page/4").exists()
        first = (out / "index.html").read_text()
        assert first.index("Ep 5") < first.index("Ep 4")
        assert "Ep 3" not in first
        assert 'href="/page/2/"' in first

    def test_drafts_only_with_flag(self, make_site: MakeSite) -> None:
        """A draft is left out unless --drafts."""
        site = make_site({"content/episodes/d.md": record(extra="draft: true\n")})
        assert build(site).episodes == ()
        assert not (site / "output/episodes/d").exists()
        assert [e.slug for e in build(site, drafts=True).episodes] == ["d"]

    def test_site_layout_overrides_default(self, make_site: MakeSite) -> None:
        """layouts/NAME in the site replaces the default template of that name."""
        site = make_site(
            {
                "content/episodes/a.md": record(),
                "layouts/404.html": "custom {{ site.title }}\n",
            }
        )
        build(site)
        assert (site / "output/404.html").read_text() == "custom Test Show\n"

    def test_build_elsewhere_uses_packaged_theme(self, make_site: MakeSite, tmp_path: Path) -> None:
        """A site outside the repository builds with the packaged default theme."""
        site = make_site({"content/episodes/a.md": record()})
        build(site, tmp_path / "elsewhere")
        assert (
            "<title>Hello · Test Show</title>"
            in (tmp_path / "elsewhere/episodes/a/index.html").read_text()
        )

    def test_autoescaping_everywhere(self, make_site: MakeSite) -> None:
        """Markup in titles and transcripts is shown as text, never run."""
        site = make_site(
            {
                "content/episodes/a.md": record(
                    '"<script>alert(1)</script>"',
                    extra='transcript: ["0:01 <img src=x onerror=alert(1)>"]\n',
                    body="**bold** <script>alert(2)</script>",
                )
            }
        )
        build(site)
        page = (site / "output/episodes/a/index.html").read_text()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert "<strong>bold</strong>" in page

    def test_strict_turns_warnings_into_errors(self, make_site: MakeSite) -> None:
        """--strict fails on a warning."""
        site = make_site({"content/episodes/a.md": record(extra="colour: blue\n")})
        build(site)
        with pytest.raises(BuildFailed) as info:
            build(site, strict=True)
        assert [str(p) for p in info.value.errors] == [
            "content/episodes/a.md:4: unknown key 'colour' is ignored (known keys: "
            f"{records.KNOWN})"
        ]

    def test_base_url_sub_path(self, make_site: MakeSite) -> None:
        """--base-url moves every link under its path."""
        site = make_site({"content/episodes/a.md": record()})
        build(site, base_url="https://user.github.io/other")
        page = (site / "output/index.html").read_text()
        assert 'href="/other/episodes/a/"' in page
        assert 'href="/show/' not in page

    def test_local_audio_gets_length_and_type(self, make_site: MakeSite) -> None:
        """An audio path found in static/ gets its size and MIME type."""
        site = make_site(
            {
                "content/episodes/a.md": record(extra="audio: audio/a.mp3\n"),
                "static/audio/a.mp3": b"ID3" + b"\0" * 97,
            }
        )
        episode = build(site).episodes[0]
        assert episode.audio is not None
        assert (episode.audio.length, episode.audio.type) == (100, "audio/mpeg")
        assert 'src="/show/audio/a.mp3"' in (site / "output/episodes/a/index.html").read_text()
