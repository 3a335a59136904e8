"""Transcript readers, one pure parser per format, chosen by file suffix.

``read_file`` and ``read_inline`` return a normalised :class:`~generator.models.Transcript`;
``exports`` writes one back out in the download formats.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from generator.errors import Problems, TranscriptError
from generator.models import Transcript
from generator.transcripts import inline, jsonfile, srt, txt, vtt
from generator.transcripts.cues import Cue, decode, normalise
from generator.yamlfile import Sequence

Parser = Callable[[str, str, Problems], list[Cue]]

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
    text = decode(path.read_bytes(), shown, problems)
    if not text.strip():
        raise TranscriptError(shown, 1, "the transcript file is empty")
    return normalise(parser(text, shown, problems), shown, problems, speaker_names)


def read_inline(
    items: Sequence,
    shown: str,
    problems: Problems,
    speaker_names: Mapping[str, str] | None = None,
) -> Transcript:
    """Read a transcript written as a list inside the record ``shown``."""
    return normalise(inline.parse(items, shown), shown, problems, speaker_names)
