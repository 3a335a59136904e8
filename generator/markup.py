"""The only Markdown room: episode summaries to safe HTML.

Summaries keep ordinary formatting (emphasis, links, lists, quotes, code); nh3 (the Ammonia
sanitiser) then removes anything that could run script or break the page, so a record from a
stranger's pull request cannot inject markup.
"""

from __future__ import annotations

import markdown
import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "strong", "sub", "sup", "ul", "del",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}


def markdown_to_html(text: str) -> str:
    """Render a Markdown summary to sanitised HTML."""
    if not text.strip():
        return ""
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )
