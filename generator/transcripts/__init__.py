"""Transcript readers, one pure parser per format, chosen by file suffix.

``read_file`` and ``read_inline`` return a normalised :class:`~generator.models.Transcript`;
``exports`` writes one back out in the download formats.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import itemgetter
from pathlib import Path

from generator.errors import Problems, TranscriptError
from generator.models import Transcript
from generator.transcripts import inline, jsonfile, rolling, srt, txt, vtt
from generator.transcripts.cues import Cue, decode, normalise
from generator.yamlfile import Sequence

Parser = Callable[[str, str, Problems], list[Cue]]
MAX_FILE_BYTES = 50_000_000  # a ten-hour episode's transcript is about 1 MB
MAX_SEGMENT_CHARS = 100_000  # an hour of speech; longer means the line breaks were lost

_TEXT = itemgetter(2)  # a Cue's text

READERS: dict[str, Parser] = {
    ".vtt": vtt.parse,
    ".srt": srt.parse,
    ".json": jsonfile.parse,
    ".txt": txt.parse,
}


def read_file(
    path: Path,
    shown: str,
    problems: Problems,
    speaker_names: Mapping[str, str] | None = None,
) -> Transcript:
    """Read the transcript file at ``path`` (``shown`` is the name used in messages)."""
    parser = READERS.get(path.suffix.lower())
    if parser is None:
        known = ", ".join(READERS)
        raise TranscriptError(
            shown, None, f"unknown transcript format {path.suffix!r} (use {known})"
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
    cues = rolling.collapse(parser(text, shown, problems))  # YouTube's captions, read once
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
    return normalise(cues, shown, problems, speaker_names)


def read_inline(
    items: Sequence,
    shown: str,
    problems: Problems,
    speaker_names: Mapping[str, str] | None = None,
) -> Transcript:
    """Read a transcript written as a list inside the record ``shown``."""
    return normalise(inline.parse(items, shown), shown, problems, speaker_names)
