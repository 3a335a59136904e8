"""SubRip (``.srt``) reader, through the ``srt`` library (small, stable, strict about timing)."""

from __future__ import annotations

import html
import re

import srt

from generator.errors import Problems, TranscriptError
from generator.transcripts.cues import Cue

_TIMING = re.compile(r"\s*\d+:\d{1,2}:\d{1,2}[,.]\d{1,3}\s*-->\s*\d+:\d{1,2}:\d{1,2}[,.]\d{1,3}")
EXPECTED = "(expected a number, then a timing like 00:01:02,500 --> 00:01:05,000, then text)"
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")  # <i>, <font ...>, and {\an8}-style overrides


def parse(text: str, path: str, problems: Problems) -> list[Cue]:
    """Read the cues of an SRT file (already decoded, ``\\n`` line ends)."""
    # srt folds a cue with a malformed timing into the text of the cue before it, and gives no
    # positions: check every "-->" line where a timing belongs (first in its block, or after
    # the cue number) first, and map the n-th cue to the n-th timing line. A "-->" further
    # down a cue is part of its text.
    timing_lines = []
    previous = ""
    for number, text_line in enumerate(text.split("\n"), 1):
        at_timing, previous = not previous or previous.isdigit(), text_line.strip()
        if "-->" in text_line and at_timing:
            if not _TIMING.match(text_line):
                raise TranscriptError(
                    path, number, f"not a valid SRT cue: {text_line.strip()[:60]!r} {EXPECTED}"
                )
            timing_lines.append(number)
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as exc:
        line = text.count("\n", 0, exc.expected_start) + 1
        bad = exc.unmatched_content.strip().split("\n")
        raise TranscriptError(
            path, line, f"not a valid SRT cue: {bad[0][:60]!r} {EXPECTED}"
        ) from None
    if not subtitles:
        raise TranscriptError(path, 1, f"no SRT cues found {EXPECTED}")
    cues = []
    for number, sub in enumerate(subtitles):
        words = (
            _TAG.sub("", sub.content) if ("<" in sub.content or "{" in sub.content) else sub.content
        )
        line = timing_lines[number] if number < len(timing_lines) else 1
        cues.append(
            Cue(
                start_ms=_ms(sub.start.total_seconds()),
                end_ms=_ms(sub.end.total_seconds()),
                text=" ".join(html.unescape(words).split()),
                speaker=None,
                line=line,
            )
        )
    return cues


def _ms(seconds: float) -> int:
    return round(seconds * 1000)
