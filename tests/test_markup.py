"""Summaries: Markdown to sanitised HTML, safe formatting kept, script gone, hostile text
refused."""

from __future__ import annotations

import time

import pytest

from generator.markup import MarkdownError, markdown_to_html


class TestSafeFormatting:
    def test_ordinary_formatting_is_kept(self) -> None:
        """Emphasis, links, lists and quotes come through as HTML."""
        text = "**bold** *em* [link](https://example.test/)\n\n- one\n- two\n\n> quoted\n"
        assert markdown_to_html(text) == (
            "<p><strong>bold</strong> <em>em</em> "
            '<a href="https://example.test/" rel="noopener">link</a></p>\n'
            "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<blockquote>\n<p>quoted</p>\n</blockquote>"
        )

    @pytest.mark.parametrize(
        "text",
        [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[x](javascript:alert(1))",
            '<a href="javascript:alert(1)">x</a>',
            '<a href="https://ok.test" onclick="alert(1)">x</a>',
            "<iframe src=https://x.test></iframe>",
            "<svg onload=alert(1)></svg>",
            "<style>*{display:none}</style>",
        ],
    )
    def test_script_and_handlers_are_removed(self, text: str) -> None:
        """Nothing that could run script or restyle the page survives."""
        html = markdown_to_html(f"before {text} after")
        for bad in ("<script", "<img", "onerror=", "onclick=", "onload=", 'href="javascript:'):
            assert bad not in html
        assert "<iframe" not in html and "<svg" not in html and "<style" not in html


class TestHostileSummaries:
    @pytest.mark.parametrize(
        "text",
        ["*_" * 20_000, "`" * 40_000, "&" * 40_000, "_a" * 20_000, "[" * 2_000, "<a " * 2_000],
        ids=["emphasis", "ticks", "ampersands", "underscores", "brackets", "tags"],
    )
    def test_long_odd_summaries_render_quickly(self, text: str) -> None:
        """Summaries full of Markdown punctuation, up to the bracket limit, render in well under
        three seconds."""
        started = time.perf_counter()
        markdown_to_html(text)
        assert time.perf_counter() - started < 3

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                "[" * 40_000,
                "the summary holds 40,000 brackets ([); at most 2,000, as Markdown slows down "
                "on more (link to a page of show notes instead)",
            ),
            (
                "<a " * 13_000,
                "the summary holds 13,000 angle brackets (<); at most 2,000, as Markdown slows "
                "down on more (link to a page of show notes instead)",
            ),
        ],
    )
    def test_quadratic_inputs_are_refused_with_a_reason(self, text: str, message: str) -> None:
        """What would take Python-Markdown minutes is refused at once, saying why."""
        started = time.perf_counter()
        with pytest.raises(MarkdownError) as info:
            markdown_to_html(text)
        assert str(info.value) == message
        assert time.perf_counter() - started < 1

    @pytest.mark.parametrize(
        "text",
        ["".join("  " * depth + "- x\n" for depth in range(3000)), ">" * 5000 + " deep"],
        ids=["lists", "quotes"],
    )
    def test_deep_nesting_is_refused_at_once(self, text: str) -> None:
        """Lists or quotes nested thousands deep (minutes of Markdown) are refused at once."""
        started = time.perf_counter()
        with pytest.raises(MarkdownError) as info:
            markdown_to_html(text)
        assert str(info.value) == (
            "the summary is nested too deeply for Markdown (flatten its lists and quotes)"
        )
        assert time.perf_counter() - started < 1

    def test_ordinary_nesting_is_fine(self) -> None:
        """Three levels of list inside a quote render as usual."""
        html = markdown_to_html("> - a\n>     - b\n>         - c\n")
        assert html.count("<ul>") == 3
