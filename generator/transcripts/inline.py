"""Transcripts written in the record itself, as a YAML list.

Each item is a mapping ``{start, text, end?, speaker?}`` or the short form ``"1:23 text"``
(``"1:23 Ana: text"`` names the speaker).
"""

from __future__ import annotations

from typing import Any

from generator.errors import TranscriptError
from generator.timecodes import parse_time
from generator.transcripts.cues import Cue
from generator.yamlfile import Mapping, Sequence

ITEM = 'each item is {start: 1:23, text: ...} or a string like "1:23 text"'
_KEYS = {"start", "end", "text", "speaker"}


def parse(items: Sequence, path: str) -> list[Cue]:
    """Read the inline transcript list of the record at ``path``."""
    cues = []
    for index, item in enumerate(items):
        line = items.line_of(index)
        if isinstance(item, str):
            cues.append(_short(item, path, line))
        elif isinstance(item, Mapping):
            cues.append(_mapping(item, path, line))
        else:
            raise TranscriptError(path, line, f"transcript item {item!r} is not a segment ({ITEM})")
    return cues


def _short(item: str, path: str, line: int) -> Cue:
    time, _, words = item.strip().partition(" ")
    try:
        start = parse_time(time)
    except ValueError as exc:
        raise TranscriptError(
            path, line, f"transcript item {item[:40]!r}: {exc} ({ITEM})"
        ) from None
    if not words.strip():
        raise TranscriptError(path, line, f"transcript item {item[:40]!r} has no text ({ITEM})")
    return Cue(start, None, " ".join(words.split()), None, line)


def _mapping(item: Mapping, path: str, line: int) -> Cue:
    unknown = sorted(str(k) for k in item if k not in _KEYS)
    if unknown:
        raise TranscriptError(
            path, item.line_of(unknown[0]), f"unknown segment key {unknown[0]!r} ({ITEM})"
        )
    if "start" not in item:
        raise TranscriptError(path, line, f"segment has no 'start' ({ITEM})")
    start = _time(item, "start", path)
    end = _time(item, "end", path) if item.get("end") is not None else None
    words = item.get("text")
    if isinstance(words, int | float) and not isinstance(words, bool):
        words = str(words)
    if not isinstance(words, str) or not words.strip():
        raise TranscriptError(
            path, item.line_of("text"), f"segment 'text' must be non-empty text ({ITEM})"
        )
    speaker = item.get("speaker")
    if speaker is not None and not isinstance(speaker, str):
        raise TranscriptError(
            path, item.line_of("speaker"), f"segment 'speaker' must be text, got {speaker!r}"
        )
    return Cue(start, end, " ".join(words.split()), speaker or None, line)


def _time(item: Mapping, key: str, path: str) -> int:
    value: Any = item[key]
    try:
        return parse_time(value)
    except ValueError as exc:
        raise TranscriptError(path, item.line_of(key), f"segment '{key}': {exc}") from None
