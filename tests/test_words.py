"""Word timings: a word-level transcript (Buzzsprout's JSON, one word per segment) is merged
into sentences that keep when each word was said, and the page marks the word being said."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from bench.words import word_level
from generator.build import build
from tests.browser import serve
from tests.conftest import write_files
from tests.test_accessibility import SCRIPT_BUDGET, script_weight
from tests.test_episode_page import silent_wav

FIXTURE = Path(__file__).parent / "fixtures" / "segments" / "buzzsprout-words.json"
WORDS = json.loads(FIXTURE.read_text())["segments"]
RECORD = "---\ntitle: Words\ndate: 2026-03-01\naudio: audio/a.wav\n---\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("words-site")
    write_files(
        root,
        {
            "site.yaml": "title: Test Show\nbase_url: https://example.test/show/\n",
            "content/episodes/a.md": RECORD,
        },
    )
    shutil.copy(FIXTURE, root / "content/episodes/a.json")
    (root / "static/audio").mkdir(parents=True)
    silent_wav(root / "static/audio/a.wav", 60)
    build(root)
    return root


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    with serve(site / "output", "/show/") as url:
        yield url


def test_sentences_keep_their_word_times(site: Path) -> None:
    html = (site / "output/episodes/a/index.html").read_text()
    first = re.search(r'<p class="seg" id="t=0" data-w="([^"]+)" data-t="0.6"', html)
    assert first is not None
    # Welcome 0.6, to 0.876, Repair 1.192, Hour. 1.6: steps of 0, 27, 31 and 40 hundredths.
    assert first.group(1).split()[:4] == ["0", "r", "v", "14"]
    assert '<script src="/show/assets/words.js" defer></script>' in html


def test_page_grows_by_less_than_a_third(tmp_path: Path) -> None:
    """A word-level episode of 2,000 sentences (30,000 words, 1,000 segments once merged): the
    word times add less than a third to its page."""
    segments = word_level()
    write_files(
        tmp_path,
        {
            "site.yaml": "title: T\nbase_url: https://example.test/show/\n",
            "content/episodes/a.md": RECORD.replace("audio/a.wav", "https://cdn.test/a.mp3"),
            "content/episodes/a.json": json.dumps({"version": "1.0.0", "segments": segments}),
        },
    )
    build(tmp_path)
    page = (tmp_path / "output/episodes/a/index.html").read_text()
    without = re.sub(r' data-w="[^"]*"', "", page)
    assert page.count('class="seg"') >= 1000
    growth = (len(page) - len(without)) / len(without)
    assert 0.1 < growth < 1 / 3, growth


def said_at(seconds: float) -> str:
    """The word being said at ``seconds``: the last one started by then ("" before the first)."""
    started = [w["body"] for w in WORDS if w["startTime"] <= seconds]
    return started[-1] if started else ""


def test_the_word_being_said_is_marked(page: Page, site_url: str) -> None:
    page.goto(site_url + "episodes/a/")
    page.evaluate("document.querySelector('audio').playbackRate = 0.25")
    page.click("a.ts[href='#t=0']")  # plays from there
    page.wait_for_function("document.querySelector('.w.is-said') !== null", timeout=20_000)
    for _ in range(3):
        page.wait_for_timeout(400)
        seen = page.evaluate(
            "() => { const a = document.querySelector('audio');"
            " const before = a.currentTime;"
            " const word = document.querySelector('.w.is-said').textContent;"
            " return [before, word, a.currentTime]; }"
        )
        before, word, after = seen
        # Word times are kept to the hundredth of a second, so a word may light up to 10 ms
        # before its exact start; the frame that marked it may be up to 50 ms old.
        assert word in {said_at(t) for t in (before - 0.05, before, after, after + 0.011)}, seen
    # The other segments are left as they were: no word spans outside the current one.
    assert page.locator(".seg:not(.is-current) .w").count() == 0


def test_a_word_timed_page_keeps_the_script_budget(page: Page, site_url: str) -> None:
    """A word-timed page loads words.js too: all its scripts still come to at most 10 kB
    under gzip -9, the budget of every episode page."""
    page.goto(site_url + "episodes/a/")
    page.wait_for_load_state("load")
    scripts, total = script_weight(page, site_url)
    assert any(url.endswith("/words.js") for url in scripts), scripts
    assert total <= SCRIPT_BUDGET, f"{total} bytes gzipped in {scripts} and inline"


def test_whisperx_words_are_kept(tmp_path: Path) -> None:
    """WhisperX's JSON (one line, as it writes it) gives each sentence its words' times; a
    number the aligner could not place ("11") takes the start of the word before it."""
    from generator.errors import Problems
    from generator.transcripts import read_file

    path = Path(__file__).parent / "fixtures" / "words" / "whisperx.json"
    transcript = read_file(path, "whisperx.json", Problems())
    assert [s.text for s in transcript.segments] == [
        "Good evening from the harbour office.",
        "Tonight the tide turns at 11 and the ferry waits.",
    ]
    assert transcript.words == (
        (520, 860, 1400, 1660, 1830, 2460),
        (4300, 4760, 4920, 5300, 5710, 5710, 6450, 6640, 6800, 7260),
    )


def test_apple_ttml_word_spans_are_kept() -> None:
    """Apple's TTML times every word in a span of its own: each paragraph keeps them."""
    from generator.errors import Problems
    from generator.transcripts import read_file

    path = Path(__file__).parent / "transcripts" / "apple.ttml"
    transcript = read_file(path, "apple.ttml", Problems())
    assert transcript.words[1:] == (
        (108737, 109100, 109500, 109900, 110300, 110900),
        (3723456, 3724100, 3724500),
    )
    assert transcript.words[0][:3] == (860, 1200, 1640)


def test_youtube_inline_word_times_survive_collapse_and_merge() -> None:
    """YouTube's rolling captions time each new word inline: after the repeats are collapsed
    and the phrases merged into sentences, every sentence keeps one time per word."""
    from generator.errors import Problems
    from generator.transcripts import read_file
    from generator.transcripts.readable import arrange

    path = Path(__file__).parent / "fixtures" / "segments" / "youtube-auto.en.vtt"
    read = read_file(path, "youtube-auto.en.vtt", Problems())
    assert read.words[0] == (400, 710, 980, 1380, 1620, 1970, 2260)
    merged = arrange(read)
    assert len(merged.segments) < len(read.segments)
    for segment, starts in zip(merged.segments, merged.words, strict=True):
        assert len(starts) == len(segment.text.split()), segment.text
        assert starts[0] == segment.start_ms and list(starts) == sorted(starts)
