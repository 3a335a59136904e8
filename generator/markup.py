"""The only Markdown room: episode summaries to safe HTML.

Summaries keep ordinary formatting (emphasis, links, lists, quotes, code); nh3 (the Ammonia
sanitiser) then removes anything that could run script or break the page, so a record from a
stranger's pull request cannot inject markup.

Python-Markdown is one of Cuepress's core libraries. Its inline parser takes time quadratic in
the number of ``[`` and ``<`` characters in a paragraph (4,000 unclosed brackets take 1.5 s,
13,000 ``<a`` over 8 s), and deep nesting takes longer still (3,000 nested list levels take
minutes); so a summary with more of either than any show notes need is refused with a message
instead of hanging the build.
"""

from __future__ import annotations

import re
import threading

import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "strong", "sub", "sup", "ul", "del",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
MAX_MARKS = 2_000  # of "[" and of "<": show notes with 300 links have 300
MAX_DEPTH = 100  # characters of indentation or of ">" quote markers before a line's text
_DEEP = re.compile(rf"^(?:[ \t>]{{{MAX_DEPTH + 1},}})", re.M)


_LOCAL = threading.local()  # one Markdown converter per thread, reset between summaries


class MarkdownError(ValueError):
    """A summary that Markdown cannot render in reasonable time or depth; says what to do."""


def load() -> None:
    """Import Python-Markdown now: before processes fork, so that they share it (a build that
    renders no summary, a rebuild of one transcript, never loads it)."""
    import markdown  # noqa: F401
    import markdown.extensions.sane_lists  # noqa: F401


def markdown_to_html(text: str) -> str:
    """Render a Markdown summary to sanitised HTML; :class:`MarkdownError` for hostile text."""
    if not text.strip():
        return ""
    for mark, what in (("[", "brackets"), ("<", "angle brackets")):
        count = text.count(mark)
        if count > MAX_MARKS:
            raise MarkdownError(
                f"the summary holds {count:,} {what} ({mark}); at most {MAX_MARKS:,}, as "
                "Markdown slows down on more (link to a page of show notes instead)"
            )
    if _DEEP.search(text.expandtabs(4)):
        raise MarkdownError(
            "the summary is nested too deeply for Markdown (flatten its lists and quotes)"
        )
    try:
        converter = getattr(_LOCAL, "converter", None)
        if converter is None:  # making one costs more than converting a summary
            import markdown  # only when a summary is rendered: a rebuild mostly has none
            from markdown.extensions.sane_lists import SaneListExtension

            # The extension itself, not its name: a name is looked up among the installed
            # packages' entry points, which took 23 ms of a 0.3 s rebuild.
            converter = _LOCAL.converter = markdown.Markdown(
                extensions=[SaneListExtension()], output_format="html"
            )
        html = converter.reset().convert(text)
    except RecursionError:
        raise MarkdownError(
            "the summary is nested too deeply for Markdown (flatten its lists and quotes)"
        ) from None
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )


# Show notes as hosts write them: the summary's tags, plus what HTML notes commonly hold.
_NOTES_TAGS = _TAGS | {"h1", "h5", "h6", "div", "span", "u", "s", "strike", "ins", "mark"}


def html_to_markdown(html: str, base_url: str | None = None) -> str:
    """Show notes written in HTML (a feed's ``content:encoded``) as Markdown for a record.

    nh3 first removes anything that could run (``script`` and ``style`` with their content,
    event handlers, ``javascript:`` links) and resolves relative links against ``base_url``;
    markdownify then writes what is left as Markdown, keeping links, lists and emphasis.
    """
    from markdownify import markdownify  # only imports need it

    clean = nh3.clean(
        html,
        tags=_NOTES_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "noscript"},
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        url_relative=("rewrite_with_base", base_url) if base_url else "pass_through",
    )
    text = markdownify(clean, heading_style="ATX", bullets="-", strip=["div", "span"])
    lines = [line if line.strip() else "" for line in text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
