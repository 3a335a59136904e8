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
from itertools import islice, repeat
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
    if not fragmentary(segments):
        return transcript
    merged = merge(segments, sorted(c.start_ms for c in chapters))
    if len(merged) == len(segments):
        return transcript
    anchors = make_anchors([start for start, *_ in merged])
    new = tuple.__new__
    return Transcript(
        source=transcript.source,
        segments=tuple(
            new(Segment, (start, end, text, speaker, anchor, line))
            for (start, end, text, speaker, line), anchor in zip(merged, anchors, strict=True)
        ),
    )


Merged = tuple[int, int | None, str, str | None, int]  # start, end, text, speaker, line


def merge(segments: Sequence[Segment], chapter_starts: Sequence[int]) -> list[Merged]:
    """The segments merged (without anchors), in one pass: each piece is added to the group
    being made, or ends it first; a group ended at an earlier sentence end hands the pieces
    after it to the next group, so no piece is looked at more than three times."""
    merged: list[Merged] = []
    group: list[Segment] = []
    size = 0  # characters of the group's text, joined
    stop = 0  # pieces of the group up to its last sentence end (0: none ends one)
    upcoming = iter(chapter_starts)
    chapter = next(upcoming, None)  # the first chapter start after the group's start

    def emit(count: int) -> None:
        pieces = group[:count]
        del group[:count]
        first, last = pieces[0], pieces[-1]
        merged.append((first[0], last[1], join(pieces), first[3], first[5]))

    for piece in segments:
        start, end, text, speaker = piece[0], piece[1], piece[2], piece[3]
        if group:
            last = group[-1]
            if (
                speaker != last[3]
                or (last[1] is not None and start - last[1] > PAUSE_MS)
                or (chapter is not None and start >= chapter)
            ):
                emit(len(group))
            elif size + 1 + len(text) > MAX_CHARS or (end or start) - group[0][0] > MAX_MS:
                emit(stop if 0 < stop < len(group) else len(group))
                size = sum(len(p[2]) + 1 for p in group) - 1 if group else 0
                stop = 0
                if group and (
                    size + 1 + len(text) > MAX_CHARS or (end or start) - group[0][0] > MAX_MS
                ):
                    emit(len(group))
        if not group:
            size, stop = -1, 0
            while chapter is not None and chapter <= start:
                chapter = next(upcoming, None)
        group.append(piece)
        size += 1 + len(text)
        if ends_sentence(text):
            stop = len(group)
    if group:
        emit(len(group))
    return merged


def join(pieces: Sequence[Segment]) -> str:
    """The pieces' texts as one, a space between them except before punctuation that belongs
    to the word before (word-level JSON may time a comma on its own)."""
    texts = list(map(_TEXT, pieces))
    if not any(text[0] in _ATTACHED for text in islice(texts, 1, None)):
        return " ".join(texts)
    parts = [texts[0]]
    for text in islice(texts, 1, None):
        parts.append(text if text[0] in _ATTACHED else " " + text)
    return "".join(parts)
