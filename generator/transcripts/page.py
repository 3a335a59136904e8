"""The episode page's transcript: one ``layouts/_segment.html`` per segment, so a theme owns
the markup of a transcript line (``<li>`` instead of ``<p>``, an extra attribute ...).

Rendering that template once per segment would cost a Jinja call for each of an archive's
600,000 segments. So :class:`SegmentMarkup` renders it once for each *shape* a segment can take
(with or without a speaker named, a link to the speaker's page, word times) with sentinel
values, which cuts it into literal pieces and slots: its *skeleton*. A segment then costs one
``str.join`` of its pieces and values. That is sound for a template that uses each value
only as ``{{ value }}`` or ``{% if value %}`` (``{% if not value %}``), includes no other
template and sets none of them, which its syntax tree shows; and the skeleton is trusted only
after it also reproduces Jinja's own rendering of every shape with sample values.
Any other template (a filter on a value, a test of what a name says, an include) is rendered
once per segment: slower, the same page.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from html import escape
from itertools import compress, product, repeat
from operator import add, and_, floordiv, itemgetter, mod, ne

from jinja2 import nodes
from markupsafe import Markup

from generator.models import Chapter, Transcript
from generator.transcripts.exports import FRACTIONS, LABELS, SECONDS, escaped

TEMPLATE = "_segment.html"
HEADING = "_chapter_heading.html"  # a chapter's heading, rendered once per chapter
PARAGRAPH = "_paragraph.html"  # a paragraph of an untimed transcript, rendered once each
# What the template is given, each already escaped (as Markup), or "" where a segment has none.
FIELDS = ("anchor", "start", "label", "text", "speaker", "speaker_url", "words")
# The optional ones: a segment's shape is which of them it has.
SHAPES = [
    shape
    for shape in product((False, True), repeat=3)
    if shape[0] or not shape[1]  # a link to the speaker's page only with a speaker named
]
_SENTINEL = re.compile("\ue000([0-9])\ue001")
_SAMPLES = (
    {
        "anchor": "t=83",
        "start": "83.5",
        "label": "1:23",
        "text": 'Hi &amp; &lt;b&gt; "it\'s" % %s ça 😀',
        "speaker": "Zoë O&#x27;Hara &amp; Co",
        "speaker_url": "/show/people/zoe-ohara/",
        "words": "0 a 8 12",
    },
    {
        "anchor": "t=3725.25",
        "start": "3725.25",
        "label": "1:02:05",
        "text": "x",
        "speaker": "B",
        "speaker_url": "/p/",
        "words": "1",
    },
)

Render = Callable[..., str]  # the site's Renderer.render, bound to the template's name


class SegmentMarkup:
    """The transcript markup of a site's ``_segment.html`` (see the module's docstring)."""

    def __init__(
        self, render: Render, tree: nodes.Template | None, heading: Render, paragraph: Render
    ) -> None:
        """``render(**values)``: the template rendered by Jinja (and its errors reported by the
        site's renderer, at the template's line); ``tree``: its syntax tree (None if it has
        none: it is then rendered per segment, which reports what is wrong); ``heading`` and
        ``paragraph``: the chapter heading's and the untimed paragraph's templates, which are
        rendered by Jinja each time (a page has few chapters, and untimed transcripts are
        short)."""
        self.render = render
        self.heading = heading
        self.paragraph = paragraph
        self.skeletons = _skeletons(render) if tree is not None and _keeps_to_values(tree) else None

    @property
    def fast(self) -> bool:
        """Whether the template is filled from its skeleton rather than rendered per segment."""
        return self.skeletons is not None

    def transcript(
        self,
        transcript: Transcript,
        chapters: Sequence[Chapter] = (),
        speaker_urls: Mapping[str, str] | None = None,
    ) -> str:
        """The page's transcript: each chapter's heading before the first segment at or after its
        start, and each segment as the template marks it up, its speaker named where the speaker
        changes (and again after a heading)."""
        urls = {name: Markup(escape(url)) for name, url in (speaker_urls or {}).items()}
        if self.skeletons is not None:
            return self._filled(self.skeletons, transcript, chapters, urls)
        codes = word_codes(transcript)
        labels, seconds, frac = LABELS, SECONDS, FRACTIONS
        out: list[str] = []
        put = out.append
        shown: str | None = None  # the speaker last named on the page (again after a chapter)
        pending = list(chapters)
        for index, (start, _, text, speaker, anchor, _) in enumerate(transcript.segments):
            while pending and pending[0].start_ms <= start:
                put(self._heading(pending.pop(0)))
                shown = None
            whole, millis = divmod(start, 1000)
            named = bool(speaker) and speaker != shown
            shown = speaker
            put(
                self.render(
                    anchor=Markup(anchor),
                    start=Markup(seconds[whole] + frac[millis]),
                    label=Markup(labels[whole]),
                    text=Markup(escape(text, quote=False)),
                    speaker=Markup(escape(speaker) if named else ""),  # type: ignore[arg-type]
                    speaker_url=urls.get(speaker, Markup("")) if named else Markup(""),  # type: ignore[arg-type]
                    words=Markup(codes.get(index, "")),
                )
            )
        return "".join(out)

    def _heading(self, chapter: Chapter) -> str:
        whole, millis = divmod(chapter.start_ms, 1000)
        return self.heading(title=chapter.title, start=SECONDS[whole] + FRACTIONS[millis])

    def paragraphs(self, transcript: Transcript, speaker_urls: Mapping[str, str]) -> str:
        """An untimed transcript's paragraphs, each as the paragraph template marks it up, its
        speaker named where the speaker changes. (Its values are plain text, escaped by Jinja,
        so filters see the words; so are a chapter heading's.)"""
        out: list[str] = []
        shown: str | None = None
        for segment in transcript.segments:
            speaker = segment.speaker
            named = speaker is not None and speaker != shown
            out.append(
                self.paragraph(
                    anchor=segment.anchor,
                    text=segment.text,
                    speaker=speaker if named else "",
                    speaker_url=speaker_urls.get(speaker, "") if named else "",  # type: ignore[arg-type]
                )
            )
            shown = speaker if speaker is not None else shown
        return "".join(out)

    def _filled(
        self,
        skeletons: Skeletons,
        transcript: Transcript,
        chapters: Sequence[Chapter],
        urls: Mapping[str, str],
    ) -> str:
        """:meth:`transcript` from the skeletons, column by column: each step a ``map`` over
        C functions, then one ``str.join`` per segment (:func:`_rows`), first all in the plainest
        shape, then those of another shape (a speaker named, word times) again, a shape at a
        time; a heading goes before its segment."""
        segments = transcript.segments
        count = len(segments)
        thousand = repeat(1000)
        starts = list(map(_START, segments))
        anchors = list(map(_ANCHOR, segments))
        speakers = list(map(_SPEAKER, segments))
        wholes = list(map(floordiv, starts, thousand))
        begins = list(
            map(
                add,
                map(SECONDS.__getitem__, wholes),
                map(FRACTIONS.__getitem__, map(mod, starts, thousand)),
            )
        )
        clocks = list(map(LABELS.__getitem__, wholes))
        texts = escaped(list(map(_TEXT, segments)))
        columns = (anchors, begins, clocks, texts)
        pieces, slots = skeletons[False, False, False]
        rows = list(_rows(pieces, [columns[slot] for slot in slots], count))
        heads = _headings(starts, chapters, self._heading)
        # A speaker is named where the speaker changes, and again after a heading.
        changed = map(ne, speakers, [None, *speakers[:-1]])
        named = set(compress(range(count), map(and_, map(bool, speakers), changed)))
        named.update(index for index in heads if speakers[index])
        codes = word_codes(transcript)
        names = {index: escape(speakers[index]) for index in named}
        links = {index: urls.get(speakers[index], "") for index in named}
        links = {index: url for index, url in links.items() if url}
        shapes: dict[tuple[bool, ...], list[int]] = {}  # the other rows, by shape
        for index in named.union(codes):
            shapes.setdefault((index in named, index in links, index in codes), []).append(index)
        fields = (anchors, begins, clocks, texts, names, links, codes)  # as FIELDS
        for shape, indices in shapes.items():
            pieces, slots = skeletons[shape]
            filled = [list(map(fields[slot].__getitem__, indices)) for slot in slots]
            for index, row in zip(indices, _rows(pieces, filled, len(indices)), strict=True):
                rows[index] = row
        for index, head in heads.items():
            rows[index] = head + rows[index]
        return "".join(rows)


Skeletons = dict[tuple[bool, ...], tuple[tuple[str, ...], tuple[int, ...]]]
_START, _TEXT, _SPEAKER, _ANCHOR = (itemgetter(n) for n in (0, 2, 3, 4))  # of a Segment


def _headings(
    starts: list[int], chapters: Sequence[Chapter], heading: Callable[[Chapter], str]
) -> dict[int, str]:
    """Each chapter's heading, by the index of the segment it goes before: the first segment
    starting at or after the chapter (in the chapters' order, so a chapter listed after a
    later one waits for it); chapters after the last segment have none."""
    heads: dict[int, str] = {}
    index = 0
    for chapter in chapters:
        index = max(index, bisect_left(starts, chapter.start_ms))
        if index == len(starts):
            break
        heads[index] = heads.get(index, "") + heading(chapter)
    return heads


def _keeps_to_values(tree: nodes.Template) -> bool:
    """Whether a template uses each of :data:`FIELDS` only as ``{{ value }}`` or as the whole
    test of an ``if`` (or ``elif``), possibly negated, and includes or imports nothing."""
    if any(tree.find_all((nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport))):
        return False
    allowed: set[int] = set()
    for output in tree.find_all(nodes.Output):
        allowed.update(id(node) for node in output.nodes if isinstance(node, nodes.Name))
    for branch in tree.find_all(nodes.If):
        test = branch.test.node if isinstance(branch.test, nodes.Not) else branch.test
        allowed.add(id(test))
    return all(id(name) in allowed for name in tree.find_all(nodes.Name) if name.name in FIELDS)


def _rows(pieces: Sequence[str], columns: Sequence[Sequence[str]], count: int) -> Iterator[str]:
    """``count`` rows of a skeleton: its literal ``pieces`` with each column's value between two
    of them (one column fewer than pieces)."""
    parts: list[Iterable[str]] = [repeat(pieces[0], count)]
    for column, piece in zip(columns, pieces[1:], strict=True):
        parts += (column, repeat(piece, count))
    return map("".join, zip(*parts, strict=True))


def _skeletons(render: Render) -> Skeletons | None:
    """Each shape's literal pieces and the field (by index in :data:`FIELDS`) for each slot
    between them (see :func:`_rows`), or None if the template's output is not its skeleton
    filled in for some shape."""
    skeletons = {}
    for shape in SHAPES:
        present = dict(zip(("speaker", "speaker_url", "words"), shape, strict=True))
        values = {
            name: Markup(f"\ue000{i}\ue001" if present.get(name, True) else "")
            for i, name in enumerate(FIELDS)
        }
        made = render(**values)
        slots = tuple(int(i) for i in _SENTINEL.findall(made))
        pieces = tuple(_SENTINEL.split(made)[::2])
        if any("\ue000" in piece or "\ue001" in piece for piece in pieces):
            return None  # a sentinel was cut or changed by the template
        for sample in _SAMPLES:
            given = {
                name: Markup(sample[name] if present.get(name, True) else "") for name in FIELDS
            }
            expected = render(**given)
            filled = [[given[FIELDS[slot]]] for slot in slots]
            if next(_rows(pieces, filled, 1)) != expected:
                return None
        skeletons[shape] = (pieces, slots)
    return skeletons


def word_codes(transcript: Transcript) -> dict[int, str]:
    """Each segment's word times (by index), where the source timed its words: each word's start
    after the one before it (the first after the segment's start) in hundredths of a second,
    base 36 (``0 a 8 12``): about 2.5 characters a word, for the page's script to mark the word
    being said (``data-w`` in the default theme)."""
    codes: dict[int, str] = {}
    if not transcript.words:
        return codes
    for index, (segment, starts) in enumerate(
        zip(transcript.segments, transcript.words, strict=True)
    ):
        if len(starts) > 1:
            steps, before = [], segment.start_ms
            for start in starts:
                steps.append(_base36(max(0, start - before) // 10))
                before = max(before, start)
            codes[index] = " ".join(steps)
    return codes


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
        if not number:
            return digits
