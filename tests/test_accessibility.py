"""The default theme passes axe-core in real Chromium, in light and dark mode, and its own
script and styles stay small and local."""

from __future__ import annotations

import gzip

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.golden import ROOT

SCRIPT_BUDGET = 10_000  # bytes of gzip -9, every script of the episode page together
PAGES = [
    "",
    "page/2/",
    "episodes/02-the-ladder-ledger/",
    "episodes/01-opening-the-shed-doors/",
    "episodes/02-the-ladder-ledger/embed/",
]


def open_page(browser: Browser, url: str, scheme: str, width: int = 1280) -> Page:
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.requests = requests  # type: ignore[attr-defined]
    return page


class TestAxe:
    @pytest.mark.parametrize("scheme", ["light", "dark"])
    @pytest.mark.parametrize("path", PAGES)
    def test_no_violations(self, browser: Browser, demo_url: str, path: str, scheme: str) -> None:
        """axe-core finds no accessibility violations (contrast included) on any page kind."""
        page = open_page(browser, demo_url + path, scheme)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        page.context.close()

    @pytest.mark.parametrize("scheme", ["light", "dark"])
    def test_controls_in_use_have_no_violations(
        self, browser: Browser, demo_url: str, scheme: str
    ) -> None:
        """With a moment linked (Play from), a quote selected (Share quote), the embed code
        open and the shortcuts dialog shown, axe still finds nothing."""
        page = open_page(browser, demo_url + PAGES[2] + "#t=22,33", scheme)
        page.evaluate(
            "(() => { const r = document.createRange();"
            " r.selectNodeContents(document.querySelector('.seg .text'));"
            " getSelection().removeAllRanges(); getSelection().addRange(r); })()"
        )
        page.get_by_role("button", name="Share quote").wait_for()
        page.get_by_text("Embed this episode").click()
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        page.keyboard.press("?")
        page.get_by_role("dialog").wait_for()
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        page.context.close()

    def test_axe_really_checks(self, browser: Browser, demo_url: str) -> None:
        """The check can fail: an image without alt text on the page is reported."""
        page = open_page(browser, demo_url, "light")
        page.evaluate("document.querySelector('main').appendChild(document.createElement('img'))")
        assert Axe().run(page).violations_count == 1
        page.context.close()

    def test_phone_width_has_no_violations(self, browser: Browser, demo_url: str) -> None:
        """On a phone-sized screen the episode page still passes, and nothing scrolls sideways."""
        page = open_page(browser, demo_url + PAGES[2], "light", width=360)
        assert Axe().run(page).violations_count == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.context.close()


def script_weight(page: Page, site_url: str) -> tuple[list[str], int]:
    """The scripts ``page`` loaded (all from ``site_url``), and their bytes under gzip -9 with
    its inline script."""
    scripts = page.evaluate(
        "performance.getEntriesByType('resource')"
        ".filter(e => e.initiatorType === 'script').map(e => e.name)"
    )
    assert scripts, "the page loads no script"
    total = 0
    for url in scripts:
        assert url.startswith(site_url), url
        body = page.request.get(url).body()
        total += len(gzip.compress(body, compresslevel=9, mtime=0))
    inline = page.evaluate(
        "[...document.scripts].filter(s => !s.src && s.type !== 'application/ld+json')"
        ".map(s => s.text).join('')"
    )
    total += len(gzip.compress(inline.encode(), compresslevel=9, mtime=0))
    return scripts, total


class TestThemeWeight:
    def test_no_third_party_requests(self, browser: Browser, demo_url: str) -> None:
        """Fonts, scripts and styles all come from the site itself."""
        page = open_page(browser, demo_url + PAGES[2], "light")
        page.click("a.ts[href='#t=10']")
        page.wait_for_timeout(300)
        assert page.requests, "no requests seen"  # type: ignore[attr-defined]
        for url in page.requests:  # type: ignore[attr-defined]
            assert url.startswith(demo_url), url
        page.context.close()

    def test_script_budget(self, browser: Browser, demo_url: str) -> None:
        """Every script the episode page loads comes to at most 10 kB under gzip -9 (the budget
        for the player, shortcuts, sharing, find and all), and the stylesheet stays small."""
        page = open_page(browser, demo_url + PAGES[2], "light")
        scripts, total = script_weight(page, demo_url)
        assert total <= SCRIPT_BUDGET, f"{total} bytes gzipped in {scripts} and inline"
        css = ROOT / "layouts" / "assets" / "cuepress.css"
        assert len(gzip.compress(css.read_bytes(), compresslevel=9)) <= 5_000
        page.context.close()

    def test_keyboard_reaches_every_control(self, browser: Browser, demo_url: str) -> None:
        """Tab walks from the skip link through the player, chapters and transcript links."""
        page = open_page(browser, demo_url + PAGES[2], "light")
        seen = []
        for _ in range(40):
            page.keyboard.press("Tab")
            seen.append(page.evaluate("(e => e.className || e.tagName)(document.activeElement)"))
        assert seen[0] == "skip"
        assert "AUDIO" in seen
        assert "ts" in seen
        assert "copy" in seen
        page.context.close()
