"""Readable segments: word-level and caption-length transcripts merged into what a person reads.

Transcribers emit three shapes. Sentence- or paragraph-length segments (hand-made transcripts,
Whisper, most Podcast Index JSON) read well as they are. Word-level JSON (Buzzsprout, Podnews)
has one word per segment, and captions (SRT and WebVTT made for a video player) have two
seconds of speech per cue, most of them half a sentence. Those two are merged here, after
:func:`~generator.transcripts.cues.normalise`, in one linear pass over the segments:

- consecutive segments of one speaker are merged while the text stays within ``MAX_CHARS``
  characters and ``MAX_MS`` of time; when the next piece would pass either, the segment ends
  after the last piece that ends a sentence (or here, if none does);
- never across a change of speaker, a pause of more than ``PAUSE_MS`` between one piece's end
  and the next one's start, or the start of a chapter;
- a merged segment starts where its first piece starts (time anchors still come from time)
  and ends where its last piece ends.

Which transcripts are fragments is measured, not guessed from the format (see
:func:`fragmentary`), so that a readable transcript costs one look at a sample of its
segments and is never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, repeat
from operator import itemgetter

from generator.models import Chapter, Segment, Transcript
from generator.timecodes import make_anchors

MODES = ("readable", "as-is")  # site.yaml's and a record's ``segments:``; the first is default

MAX_CHARS = 250  # about three lines on a phone, or two sentences
MAX_MS = 30_000
PAUSE_MS = 2_000  # a longer silence starts a new segment
MIN_SEGMENTS = 10  # fewer are too few to judge: left as they are
SAMPLE = 64  # segments measured, evenly spread over the transcript
WORD_CHARS = 16  # a median segment shorter than this is one to three words
CAPTION_CHARS = 80  # ... shorter than this is at most a caption's two lines

ENDS = (".", "?", "!", "…", "。", "？", "！")  # a sentence ends with one of these,
CLOSERS = "\"')]»”’"  # perhaps followed by closing quotes or brackets
_ATTACHED = frozenset(",.;:?!…)]}%”’»")  # a piece starting with one joins without a space
_TEXT = itemgetter(2)  # a Segment's text
_FIRST = itemgetter(slice(1))  # a text's first character


def ends_sentence(text: str) -> bool:
    return text.rstrip(CLOSERS).endswith(ENDS)


def fragmentary(segments: Sequence[Segment]) -> bool:
    """Whether the segments are fragments to merge, measured on an even sample of them:

    - the median segment is shorter than ``WORD_CHARS`` characters (word-level timing,
      whatever its punctuation), or
    - it is shorter than ``CAPTION_CHARS`` (a caption's two lines) and fewer than half the
      segments end a sentence (caption fragments, collapsed rolling captions).

    Transcripts of fewer than ``MIN_SEGMENTS`` segments are never fragmentary.
    """
    count = len(segments)
    if count < MIN_SEGMENTS:
        return False
    texts = list(map(_TEXT, segments[:: max(1, count // SAMPLE)]))
    lengths = sorted(map(len, texts))
    median = lengths[len(lengths) // 2]
    if median < WORD_CHARS:
        return True
    if median >= CAPTION_CHARS:
        return False
    endings = sum(map(str.endswith, map(str.rstrip, texts, repeat(CLOSERS)), repeat(ENDS)))
    return endings * 2 < len(texts)


def arrange(transcript: Transcript, chapters: Sequence[Chapter] = ()) -> Transcript:
    """``transcript`` with fragments merged into readable segments (see the module's notes);
    the same object when it is readable already, or nothing could be merged."""
    segments = transcript.segments
    if not transcript.timed or not fragmentary(segments):
        return transcript
    firsts: list[int] = []
    merged = merge(segments, sorted(c.start_ms for c in chapters), firsts)
    if len(merged) == len(segments):
        return transcript
    words: tuple[tuple[int, ...], ...] = ()
    bounds = [*firsts, len(segments)]
    pieces = list(zip(bounds, bounds[1:], strict=False))
    if transcript.words:  # the pieces' own word times (YouTube's inline ones), joined
        timed = transcript.words
        words = tuple(tuple(chain.from_iterable(timed[a:b])) for a, b in pieces)
    elif word_level(segments):  # each piece a word: keep when each was said, for highlighting
        starts = [s.start_ms for s in segments]
        words = tuple(tuple(starts[a:b]) for a, b in pieces)
    anchors = make_anchors([start for start, *_ in merged])
    new = tuple.__new__
    return Transcript(
        source=transcript.source,
        segments=tuple(
            new(Segment, (start, end, text, speaker, anchor, line))
            for (start, end, text, speaker, line), anchor in zip(merged, anchors, strict=True)
        ),
        words=words,
    )


def word_level(segments: Sequence[Segment]) -> bool:
    """True when the pieces are single words (the typical one under ``WORD_CHARS``)."""
    count = len(segments)
    texts = list(map(_TEXT, segments[:: max(1, count // SAMPLE)]))
    lengths = sorted(map(len, texts))
    return bool(lengths) and lengths[len(lengths) // 2] < WORD_CHARS


Merged = tuple[int, int | None, str, str | None, int]  # start, end, text, speaker, line


def merge(
    segments: Sequence[Segment], chapter_starts: Sequence[int], firsts: list[int] | None = None
) -> list[Merged]:
    """The segments merged (without anchors), in one pass. The pieces of the segment being
    made are ``segments[first:i]``; each piece either joins them or ends them first. Ended at
    the limit, they end after their last sentence end, and the pieces after it begin the next
    segment, so no piece is looked at more than three times. The columns are taken out first
    (by C loops), so the pass is plain index arithmetic. ``firsts``, if given, gets the index
    of each merged segment's first piece."""
    if not segments:
        return []
    starts, ends, texts, speakers, _, lines = (
        list(column) for column in zip(*segments, strict=True)
    )
    lengths = list(map(len, texts))
    stops = list(map(str.endswith, map(str.rstrip, texts, repeat(CLOSERS)), repeat(ENDS)))
    glued = list(map(_ATTACHED.__contains__, map(_FIRST, texts)))
    spaced = not any(glued)
    merged: list[Merged] = []
    append = merged.append
    first = 0  # the first piece of the segment being made
    stop = 0  # the piece after its last sentence end (none while stop <= first)
    size = 0  # its characters, joined
    upcoming = iter(chapter_starts)
    chapter = next(upcoming, None)  # the first chapter start after the segment's start

    def emit(until: int) -> None:
        text = (
            " ".join(texts[first:until]) if spaced else join(texts[first:until], glued[first:until])
        )
        append((starts[first], ends[until - 1], text, speakers[first], lines[first]))
        if firsts is not None:
            firsts.append(first)

    for i, start in enumerate(starts):
        if i > first:
            end = ends[i - 1]
            if (
                speakers[i] != speakers[i - 1]
                or (end is not None and start - end > PAUSE_MS)
                or (chapter is not None and start >= chapter)
            ):
                emit(i)
                first = i
            elif size + 1 + lengths[i] > MAX_CHARS or (ends[i] or start) - starts[first] > MAX_MS:
                until = stop if stop > first else i
                emit(until)
                first = until
                if first < i:  # the pieces after the sentence end: still too long with i?
                    size = sum(lengths[first:i]) + i - first - 1
                    if (
                        size + 1 + lengths[i] > MAX_CHARS
                        or (ends[i] or start) - starts[first] > MAX_MS
                    ):
                        emit(i)
                        first = i
        if first == i:
            size = -1
            while chapter is not None and chapter <= start:
                chapter = next(upcoming, None)
        size += 1 + lengths[i]
        if stops[i]:
            stop = i + 1
    emit(len(starts))
    return merged


def join(texts: Sequence[str], glued: Sequence[bool]) -> str:
    """The texts as one, a space between them except before punctuation that belongs to the
    word before (``glued``: word-level JSON may time a comma on its own)."""
    return "".join(
        text if attached or not n else " " + text
        for n, (text, attached) in enumerate(zip(texts, glued, strict=True))
    )
