"""Transcript readers, one pure parser per format, chosen by file suffix.

``read_file`` and ``read_inline`` return a normalised :class:`~generator.models.Transcript`;
``exports`` writes one back out in the download formats.

A Markdown transcript is named ``NAME.transcript.md``: a plain ``.md`` file among the episodes
is an episode record, so the longer suffix tells the two apart (see :func:`suffix_of`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from operator import itemgetter
from pathlib import Path, PurePath

from generator.errors import Problems, TranscriptError
from generator.models import Segment, Transcript
from generator.transcripts import htmlfile, inline, jsonfile, rolling, srt, ttml, txt, vtt
from generator.transcripts.cues import Cue, TimedWords, decode, normalise
from generator.transcripts.cues import name_speakers as name_speakers  # for records.py
from generator.yamlfile import Sequence

Parser = Callable[[str, str, Problems], list[Cue]]
MAX_FILE_BYTES = 50_000_000  # a ten-hour episode's transcript is about 1 MB
MAX_SEGMENT_CHARS = 100_000  # an hour of speech; longer means the line breaks were lost

_TEXT = itemgetter(2)  # a Cue's text

MARKDOWN = ".transcript.md"
READERS: dict[str, Parser] = {
    ".vtt": vtt.parse,
    ".srt": srt.parse,
    ".json": jsonfile.parse,
    ".txt": txt.parse,
    ".html": htmlfile.parse,
    ".htm": htmlfile.parse,
    ".ttml": ttml.parse,
    ".dfxp": ttml.parse,
    MARKDOWN: txt.parse_markdown,  # the shapes of .txt, with **bold** labels and emphasis
}
KNOWN = ", ".join(READERS)  # for messages: the suffixes read


def suffix_of(path: PurePath) -> str:
    """The suffix that chooses a reader: ``.vtt``; ``.transcript.md`` for a Markdown transcript
    (a plain ``.md`` is a record, which no reader takes)."""
    name = path.name.lower()
    return MARKDOWN if name.endswith(MARKDOWN) else path.suffix.lower()


def read_file(
    path: Path,
    shown: str,
    problems: Problems,
    speaker_names: Mapping[str, str] | None = None,
) -> Transcript:
    """Read the transcript file at ``path`` (``shown`` is the name used in messages); with
    ``speaker_names``, labels are replaced by names (see :func:`name_speakers`)."""
    parser = READERS.get(suffix_of(path))
    if parser is None:
        raise TranscriptError(
            shown, None, f"unknown transcript format {path.suffix!r} (use {KNOWN})"
        )
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise TranscriptError(
            shown,
            None,
            f"the file is {size / 1e6:,.0f} MB; a transcript is at most {MAX_FILE_BYTES // 10**6} "
            "MB (is it really a transcript?)",
        )
    return read_data(path.read_bytes(), parser, shown, problems, speaker_names)


def read_data(
    data: bytes,
    parser: Parser,
    shown: str,
    problems: Problems,
    speaker_names: Mapping[str, str] | None = None,
) -> Transcript:
    """Read a transcript file's bytes with ``parser`` (one of :data:`READERS`)."""
    text = decode(data, shown, problems)
    if not text or text.isspace():
        raise TranscriptError(shown, 1, "the transcript file is empty")
    try:
        read = parser(text, shown, problems)
    except txt.Untimed:
        return _named(untimed(text, shown), speaker_names)
    words = read.words if isinstance(read, TimedWords) else None
    cues = rolling.collapse(list(read) if words else read)  # YouTube's captions, read once
    if not cues:
        raise TranscriptError(shown, 1, "no segments found in the transcript (add some)")
    lengths = list(map(len, map(_TEXT, cues)))
    most = max(lengths)
    if most > MAX_SEGMENT_CHARS:
        longest = cues[lengths.index(most)]
        raise TranscriptError(
            shown,
            longest.line,
            f"a segment of {len(longest.text):,} characters is too long for one moment (at most "
            f"{MAX_SEGMENT_CHARS:,}; did the file lose its line breaks? give each segment its "
            "own line)",
        )
    transcript = normalise(cues, shown, problems)
    if words:  # when each word was said, by its segment's line and start
        transcript = dataclasses.replace(
            transcript,
            words=tuple(words.get((s.line, s.start_ms), ()) for s in transcript.segments),
        )
    return _named(transcript, speaker_names)


def untimed(text: str, shown: str) -> Transcript:
    """A text transcript without times: its paragraphs, anchored ``p1``, ``p2`` ... (a page
    shows them without time links; there is nothing to play from)."""
    found = txt.paragraphs(text)
    if not found:
        raise TranscriptError(shown, 1, "no segments found in the transcript (add some)")
    longest = max(found, key=lambda p: len(p[2]))
    if len(longest[2]) > MAX_SEGMENT_CHARS:
        raise TranscriptError(
            shown,
            longest[0],
            f"a paragraph of {len(longest[2]):,} characters is too long (at most "
            f"{MAX_SEGMENT_CHARS:,}; give each paragraph its own line)",
        )
    segments = tuple(
        Segment(0, None, body, speaker, f"p{index}", line)
        for index, (line, speaker, body) in enumerate(found, 1)
    )
    return Transcript(shown, segments, timed=False)


def read_inline(
    items: Sequence,
    shown: str,
    problems: Problems,
    speaker_names: Mapping[str, str] | None = None,
) -> Transcript:
    """Read a transcript written as a list inside the record ``shown``."""
    return _named(normalise(inline.parse(items, shown), shown, problems), speaker_names)


def _named(transcript: Transcript, names: Mapping[str, str] | None) -> Transcript:
    return name_speakers(transcript, names)[0] if names else transcript
