"""Plain-text transcripts with a leading timestamp on each line.

Accepted: ``00:00:04 text``, ``0:04.6 text``, ``[00:04] text``, ``(1:02:03) text``, each optionally
followed by ``Name:``. A line without a timestamp continues the segment above it; text before the
first timestamp is reported and skipped. There is no library for this loose format.
"""

from __future__ import annotations

import re

from generator.errors import Problems, TranscriptError
from generator.timecodes import parse_time
from generator.transcripts.cues import Cue

_LINE = re.compile(r"\s*[\[(]?((?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d+)?)[\])]?(?:\s+|$)(.*)")


def parse(text: str, path: str, problems: Problems) -> list[Cue]:
    """Read the segments of a timestamped text file."""
    cues: list[Cue] = []
    skipped: int | None = None
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match:
            try:
                start = parse_time(match.group(1))
            except ValueError as exc:
                raise TranscriptError(path, number, f"bad timestamp: {exc}") from None
            cues.append(Cue(start, None, match.group(2).strip(), None, number))
        elif cues:
            last = cues[-1]
            cues[-1] = last._replace(text=f"{last.text} {line.strip()}".strip())
        elif skipped is None:
            skipped = number
    if skipped is not None:
        problems.warn(
            path,
            skipped,
            "ignored text before the first timestamp (start each line with a time, e.g. 0:04 text)",
        )
    if not cues:
        raise TranscriptError(
            path, 1, "no timestamped lines found (expected lines like '00:00:04 text')"
        )
    return cues
