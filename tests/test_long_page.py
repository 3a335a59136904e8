"""A real-length episode (1,000 segments, about 60,000 px) in headless Chromium: a page opened
on a moment shows it at once, in one place, with JavaScript on or off, on a desktop and a phone;
Find and follow-along jump across the page without animating tens of thousands of pixels.

Every test asserts where the segment is once the page has stopped moving, and how long the move
took (``tests.browser.settle``), never which functions ran.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from generator.build import build
from tests.browser import WATCH_SCROLLS, Rest, mark, serve, settle
from tests.conftest import write_files
from tests.test_episode_page import silent_wav

PREFIX = "/show/"
SEGMENTS = 1000
STEP_S = 4  # a segment every 4 s: 4,000 s of audio
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LANDED_AFTER_LOAD_MS = 300  # a page opened on a moment shows it this soon after loading
JUMP_MS = 100  # a long move is one jump: its scroll events span at most this
# The segment's top lies this far below the sticky player's bottom: 12 px, or 40 px where the
# speaker's name stands above it (it is shown too).
GAP_PX = (0, 48)
SPEAKERS = ("Ana", "Bo")
WORDS = "ladder shelf clamp drill sander borrow tape catalogue evening volunteer".split()


def segment_text(index: int) -> str:
    """Text of varied length (one to five lines), with a unique word in segment 900."""
    words = [WORDS[(index * 7 + k) % len(WORDS)] for k in range(4 + (index * 37) % 30)]
    if index == 900:
        words.insert(3, "zephyr")
    return f"Line {index}: " + " ".join(words) + "."


def record() -> str:
    chapters = "".join(
        f"  - {{start: {n * 100 * STEP_S}, title: Part {n + 1}}}\n" for n in range(10)
    )
    lines = "".join(
        f'  - {{start: {i * STEP_S}, text: "{segment_text(i)}", speaker: {SPEAKERS[i // 5 % 2]}}}\n'
        for i in range(SEGMENTS)
    )
    return (
        "---\ntitle: A real-length episode\ndate: 2026-03-01\naudio: audio/long.wav\n"
        f"chapters:\n{chapters}transcript:\n{lines}---\nA summary.\n"
    )


@pytest.fixture(scope="module")
def long_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("long-site")
    write_files(
        root,
        {
            "site.yaml": "title: Test Show\nbase_url: https://example.test/show/\n",
            "content/episodes/long.md": record(),
        },
    )
    (root / "static/audio").mkdir(parents=True)
    silent_wav(root / "static/audio/long.wav", SEGMENTS * STEP_S + 10)
    build(root)
    with serve(root / "output", PREFIX) as url:
        yield url + "episodes/long/"


def open_page(browser: Browser, viewport: dict[str, int], **options: Any) -> Page:
    context = browser.new_context(viewport=viewport, **options)  # type: ignore[arg-type]
    context.add_init_script(WATCH_SCROLLS)
    return context.new_page()


PLACE = """(id) => {
  const seg = document.getElementById(id), player = document.querySelector('.player');
  const r = seg.getBoundingClientRect(), p = player.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, playerTop: p.top, playerBottom: p.bottom,
          height: innerHeight};
}"""


def place(page: Page, element_id: str) -> dict[str, float]:
    return dict(page.evaluate(PLACE, element_id))


def assert_in_band(page: Page, element_id: str) -> dict[str, float]:
    """The element sits just below the sticky player: visible, not under it, in one place."""
    where = place(page, element_id)
    gap = where["top"] - where["playerBottom"]
    assert where["playerTop"] == 0, f"the player is not stuck at the top: {where}"
    assert GAP_PX[0] <= gap <= GAP_PX[1], f"{element_id} is {gap:.0f} px below the player: {where}"
    return where


def assert_quick_landing(rest: Rest) -> None:
    assert rest.after_load_ms() <= LANDED_AFTER_LOAD_MS, (
        f"still moving {rest.after_load_ms():.0f} ms after load ({rest})"
    )
    assert rest.took_ms <= JUMP_MS, f"the landing took {rest.took_ms:.0f} ms ({rest})"


VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]


class TestOpenedOnAMoment:
    @pytest.mark.parametrize("viewport", VIEWPORTS)
    @pytest.mark.parametrize("script", [True, False], ids=["js", "no-js"])
    def test_exact_anchor_lands_at_once(
        self, browser: Browser, long_url: str, viewport: dict[str, int], script: bool
    ) -> None:
        """#t=2400 (segment 600's id) shows that segment within 300 ms of load, just below the
        player, with the script or without it."""
        page = open_page(browser, viewport, java_script_enabled=script)
        page.goto(long_url + "#t=2400")
        rest = settle(page)
        assert rest.y > 20_000
        assert_quick_landing(rest)
        assert_in_band(page, "t=2400")
        page.context.close()

    @pytest.mark.parametrize("viewport", VIEWPORTS)
    @pytest.mark.parametrize(
        ("fragment", "segment"),
        [("#t=2401.5", "t=2400"), ("#t=40:01", "t=2400"), ("#t=2400,2412", "t=2400")],
        ids=["inside", "clock", "range"],
    )
    def test_any_time_lands_on_its_segment(
        self, browser: Browser, long_url: str, viewport: dict[str, int], fragment: str, segment: str
    ) -> None:
        """A time inside a segment, a clock time and a range land like the exact anchor."""
        page = open_page(browser, viewport)
        page.goto(long_url + fragment)
        rest = settle(page)
        assert_quick_landing(rest)
        assert_in_band(page, segment)
        expect(page.locator(".seg.is-target").first).to_have_id(segment)
        page.context.close()

    def test_same_place_with_and_without_script(self, browser: Browser, long_url: str) -> None:
        """The segment sits the same distance below the player either way."""
        gaps = []
        for script in (True, False):
            page = open_page(browser, DESKTOP, java_script_enabled=script)
            page.goto(long_url + "#t=3200")
            settle(page)
            where = place(page, "t=3200")
            gaps.append(where["top"] - where["playerBottom"])
            page.context.close()
        assert abs(gaps[0] - gaps[1]) <= 2, gaps

    def test_link_within_the_page(self, browser: Browser, long_url: str) -> None:
        """Following a #t= link on the open page jumps there too."""
        page = open_page(browser, DESKTOP)
        page.goto(long_url)
        settle(page)
        since = mark(page)
        page.evaluate("location.hash = 't=3000'")
        rest = settle(page, since)
        assert rest.took_ms <= JUMP_MS
        assert_in_band(page, "t=3000")
        page.context.close()


def find_in_place(page: Page, text: str) -> None:
    """Type into Find, which stays at hand in the sticky player: "/" then the words."""
    page.keyboard.press("/")
    page.keyboard.type(text)
    expect(page.locator("#find-count")).to_have_text("1 match")


class TestJumpsOnTheOpenPage:
    @pytest.mark.parametrize("viewport", VIEWPORTS)
    def test_find_jumps_to_a_far_match(
        self, browser: Browser, long_url: str, viewport: dict[str, int]
    ) -> None:
        """Enter in Find shows a match 50,000 px away at once."""
        page = open_page(browser, viewport)
        page.goto(long_url)
        settle(page)
        find_in_place(page, "zephyr")
        since = mark(page)
        page.keyboard.press("Enter")
        rest = settle(page, since)
        assert rest.y > 40_000
        assert rest.took_ms <= JUMP_MS, rest
        assert rest.last is not None and rest.last - since.time < 500, rest
        assert_in_band(page, "t=3600")
        page.context.close()

    @pytest.mark.parametrize("viewport", VIEWPORTS)
    def test_follow_along_after_a_far_seek(
        self, browser: Browser, long_url: str, viewport: dict[str, int]
    ) -> None:
        """Playing, then seeking to a chapter an hour in, brings its segment into view at once."""
        page = open_page(browser, viewport)
        page.goto(long_url)
        page.click(".chapters a[href='#t=3200']")
        page.wait_for_function(
            "() => { const a = document.querySelector('audio');"
            " return !a.paused && a.currentTime > 3200.2; }",
            timeout=30_000,
        )
        rest = settle(page)
        assert rest.took_ms <= JUMP_MS, rest
        expect(page.locator(".seg.is-current")).to_have_id("t=3200")
        where = place(page, "t=3200")
        assert where["playerBottom"] <= where["top"] <= where["height"] * 0.75, where
        page.context.close()

    def test_short_moves_stay_smooth(self, browser: Browser, long_url: str) -> None:
        """A move shorter than the window may glide; it ends with the match in view."""
        page = open_page(browser, DESKTOP)
        page.goto(long_url + "#t=2000")
        settle(page)
        find_in_place(page, "Line 503:")
        since = mark(page)
        page.keyboard.press("Enter")
        rest = settle(page, since)
        assert 0 < rest.moves
        assert 0 < rest.y - since.y < 800, (since, rest)
        expect(page.locator("mark.is-match")).to_be_in_viewport()
        page.context.close()

    def test_reduced_motion_never_glides(self, browser: Browser, long_url: str) -> None:
        """With prefers-reduced-motion, even a short move is one jump."""
        page = open_page(browser, DESKTOP, reduced_motion="reduce")
        page.goto(long_url + "#t=2000")
        settle(page)
        find_in_place(page, "Line 503:")
        since = mark(page)
        page.keyboard.press("Enter")
        rest = settle(page, since)
        assert rest.moves >= 1
        assert rest.took_ms <= JUMP_MS, rest
        page.context.close()


class TestStickyPlayer:
    @pytest.mark.parametrize("viewport", VIEWPORTS)
    def test_player_stays_reachable(
        self, browser: Browser, long_url: str, viewport: dict[str, int]
    ) -> None:
        """Deep in the transcript the player is still at the top, compact, and usable."""
        page = open_page(browser, viewport)
        page.goto(long_url + "#t=3000")
        settle(page)
        box = page.locator(".player").bounding_box()
        assert box is not None and box["y"] == 0
        assert box["height"] <= viewport["height"] * 0.25, box
        assert page.locator(".player audio").is_visible()
        page.context.close()
