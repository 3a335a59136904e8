"""HTML transcripts in the Podcasting 2.0 form (``text/html``), as hosts such as Buzzsprout serve
them: the speaker in ``<cite>``, the start in ``<time>``, the words in ``<p>``, repeated::

    <cite>Ana Ruiz:</cite>
    <time>0:00</time>
    <p>Welcome back to the workshop.</p>

Only text is kept, character references decoded; no markup reaches a segment. The speaker is
the ``<cite>`` text without its colon and names every paragraph until the next ``<cite>``. Times
are ``0:00``, ``00:00:00`` or ``1:02:03.5``. A ``<p>`` with no ``<time>`` of its own continues
the segment above it (a host that split a long answer in two); one before the first ``<time>``
is reported and skipped. A file without any ``<time>`` is refused: its paragraphs have no moment
to link to. A whole page (``<html>``, ``<head>``, ``<body>``) reads the same; ``<head>``,
``<script>`` and ``<style>`` are skipped, and a ``<cite>`` or ``<time>`` after words of a ``<p>``
left open ends that paragraph.

Why lxml's HTML parser (libxml2, loaded only when an HTML transcript is read) and not the
standard library's ``html.parser``: on Python 3.11.7 the latter takes quadratic time on
unterminated constructs (``<!--``, ``</``, ``<?``, an open quoted attribute) repeated, 100 kB of
``<a b='`` taking 23 s and 1 MB of ``<!--`` 440 s (the fix, for CVE-2025-6069, came in later
patch releases); libxml2 reads 4 MB of each in under 0.1 s.
"""

from __future__ import annotations

from generator.errors import Problems, TranscriptError
from generator.timecodes import parse_time
from generator.transcripts.cues import Cue

EXPECTED = "expected <cite>Ana:</cite> <time>0:00</time> <p>text</p> for each paragraph"
_SKIPPED = frozenset({"head", "script", "style", "template", "title", "noscript"})
_SPACED = frozenset({"br", "div", "li", "tr", "td", "h1", "h2", "h3", "h4", "h5", "h6"})


class _Reader:
    """The segments of a stream of start tags, end tags and text, in document order."""

    def __init__(self, path: str) -> None:
        self.path = path
        # (start, line, speaker, words): a segment's paragraphs are joined once, at the end (a
        # hostile file may hold one time and then millions of paragraphs)
        self.segments: list[tuple[int, int, str | None, list[str]]] = []
        self.skipping = 0  # depth inside <head>, <script>, ...
        self.into: list[str] | None = None  # where text goes now: a cite, a time, a p, or nowhere
        self.cite: list[str] | None = None
        self.time: list[str] | None = None
        self.paragraph: list[str] | None = None
        self.time_line = self.paragraph_line = 0
        self.start: tuple[int, int] | None = None  # the last <time> not yet given to a <p>
        self.speaker: str | None = None
        self.times = 0
        self.before: int | None = None  # the line of a <p> before the first <time>
        self.stray: int | None = None  # the line of text outside <cite>, <time> and <p>

    def open(self, tag: str, line: int) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag in ("cite", "time"):
            if self.paragraph is not None and "".join(self.paragraph).strip():
                self.end_paragraph()  # the <p> above was left open
            if tag == "cite":
                self.cite = self.into = []
            else:
                self.time = self.into = []
                self.time_line = line
        elif tag == "p":
            self.end_paragraph()
            self.paragraph = self.into = []
            self.paragraph_line = line
        elif tag in _SPACED and self.into is not None:
            self.into.append(" ")

    def close(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif self.skipping:
            return
        elif tag == "cite" and self.cite is not None:
            name = " ".join("".join(self.cite).split()).rstrip(":：").rstrip()
            self.speaker = name or None
            self.cite = None
            self.into = self.paragraph
        elif tag == "time" and self.time is not None:
            self.end_time()
        elif tag == "p":
            self.end_paragraph()
        elif tag in _SPACED and self.into is not None:
            self.into.append(" ")

    def data(self, text: str | None, line: int) -> None:
        if not text or self.skipping:
            return
        if self.into is not None:
            self.into.append(text)
        elif self.stray is None and not text.isspace():
            self.stray = line

    def end_time(self) -> None:
        assert self.time is not None
        value = " ".join("".join(self.time).split())
        self.time = None
        self.into = self.paragraph
        self.times += 1
        try:
            self.start = (parse_time(value), self.time_line)
        except ValueError as exc:
            raise TranscriptError(
                self.path, self.time_line, f"bad time in <time>{value[:30]}</time>: {exc}"
            ) from None

    def end_paragraph(self) -> None:
        if self.paragraph is None:
            return
        words = " ".join("".join(self.paragraph).split())
        self.paragraph = self.into = None
        if not words:
            return
        if self.start is not None:
            start, line = self.start
            self.segments.append((start, line, self.speaker, [words]))
            self.start = None
        elif self.segments:
            self.segments[-1][3].append(words)
        elif self.before is None:
            self.before = self.paragraph_line


def parse(text: str, path: str, problems: Problems) -> list[Cue]:
    """Read the segments of an HTML transcript."""
    from lxml import etree  # loaded only when an HTML transcript is read

    parser = etree.HTMLParser(
        encoding="utf-8",  # the text is decoded already; a <meta charset> does not count
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        default_doctype=False,
    )
    root = etree.fromstring(text.encode("utf-8"), parser)
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT":  # the rest of the file would be dropped
            raise TranscriptError(
                path,
                entry.line,
                "elements nested more than 256 deep (is a tag left open again and again? "
                f"{EXPECTED})",
            )
    reader = _Reader(path)
    if root is not None:
        for event, element in etree.iterwalk(root, events=("start", "end")):
            tag = element.tag if isinstance(element.tag, str) else ""
            line = element.sourceline or 1
            if event == "start":
                reader.open(tag, line)
                reader.data(element.text, line)
            else:
                reader.close(tag)
                reader.data(element.tail, line)
    if reader.time is not None:  # a <time> never closed
        reader.end_time()
    reader.end_paragraph()
    if not reader.times:
        raise TranscriptError(
            path,
            1,
            "no <time> found: each paragraph needs its start, as in <time>0:00</time> "
            f"({EXPECTED}; a transcript without times cannot be read)",
        )
    ignored = [
        (line, message)
        for line, message in (
            (
                reader.before,
                f"ignored a paragraph before the first <time> (give it a start: {EXPECTED})",
            ),
            (reader.stray, f"ignored text outside <cite>, <time> and <p> ({EXPECTED})"),
        )
        if line is not None
    ]
    for line, message in sorted(ignored):
        problems.warn(path, line, message)
    return [
        Cue(start, None, " ".join(words), speaker, line)
        for start, line, speaker, words in reader.segments
    ]
