"""What every transcript reader shares: raw cues in, one normalised :class:`Transcript` out.

Readers are pure functions from text to a list of :class:`Cue`. Everything that real archives get
wrong about timing (ends before starts, overlaps, duplicate or out-of-order starts) is handled
here once, for every format, with warnings that name the file and line.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import NamedTuple

from generator.errors import Problems, TranscriptError
from generator.models import Segment, Transcript
from generator.timecodes import make_anchors


class Cue(NamedTuple):
    """A segment as a reader found it, before normalisation."""

    start_ms: int
    end_ms: int | None
    text: str
    speaker: str | None  # given explicitly by the format (voice tag, JSON field)
    line: int


def decode(data: bytes, path: str, problems: Problems) -> str:
    """Bytes of a transcript file as text: UTF-8 (with or without BOM), UTF-16 with a BOM.

    Line ends become ``\\n`` whatever they were (CRLF, lone CR); NUL becomes U+FFFD as the
    WebVTT spec asks.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise TranscriptError(path, 1, "not valid UTF-16 (save the file as UTF-8)") from None
        problems.warn(path, 1, "the file is UTF-16; it was read, but UTF-8 is what tools expect")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise TranscriptError(
                path,
                line,
                f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    return text


# "[SPEAKER_00]: text" (WhisperX) and "Ana Ruiz: text" (SRT and plain text habits).
_WHISPERX_LABEL = re.compile(r"\[(SPEAKER_\d+)\]:?\s*")
_NAME_LABEL = re.compile(r"([^\W\d_][\w'’.-]*(?: [^\W\d_][\w'’.-]*){0,3}):\s+(?=\S)")


def split_label(text: str) -> tuple[str | None, str]:
    """Split a leading speaker label off ``text``: ``"Ana: hi"`` -> ``("Ana", "hi")``."""
    match = _WHISPERX_LABEL.match(text)
    if match:
        return match.group(1), text[match.end() :]
    match = _NAME_LABEL.match(text)
    if match and match.group(1)[0].isupper():
        return match.group(1), text[match.end() :]
    return None, text


def normalise(
    cues: list[Cue],
    path: str,
    problems: Problems,
    speaker_names: Mapping[str, str] | None = None,
) -> Transcript:
    """Turn raw cues into a transcript: speakers, sane times, sorted, with unique anchors."""
    cues = _assign_speakers(cues, speaker_names or {})
    cues = [c for c in cues if c.text]
    _warn_timing(cues, path, problems)
    cues.sort(key=lambda c: c.start_ms)  # stable: equal starts keep file order
    anchors = make_anchors([c.start_ms for c in cues])
    segments = tuple(
        Segment(
            start_ms=c.start_ms,
            end_ms=c.end_ms if c.end_ms is not None and c.end_ms > c.start_ms else None,
            text=c.text,
            speaker=c.speaker,
            anchor=anchor,
            line=c.line,
        )
        for c, anchor in zip(cues, anchors, strict=True)
    )
    return Transcript(source=path, segments=segments)


def _assign_speakers(cues: list[Cue], names: Mapping[str, str]) -> list[Cue]:
    """Explicit speakers win; a text label names the speaker until the next label."""
    result = []
    current: str | None = None
    for cue in cues:
        label, text = split_label(cue.text)
        if label:
            current = label
        speaker = cue.speaker or label or current
        if speaker:
            speaker = names.get(speaker, speaker)
        result.append(cue._replace(text=text.strip(), speaker=speaker))
    return result


def _warn_timing(cues: list[Cue], path: str, problems: Problems) -> None:
    """One warning per kind of timing defect, at its first line, with how often it occurs."""
    found: dict[str, list[int]] = {}
    previous: Cue | None = None
    for cue in cues:
        if cue.end_ms is not None and cue.end_ms < cue.start_ms:
            found.setdefault("ends before it starts", []).append(cue.line)
        if previous is not None:
            if cue.start_ms < previous.start_ms:
                found.setdefault("starts before the cue above it", []).append(cue.line)
            elif cue.start_ms == previous.start_ms:
                found.setdefault("starts at the same time as the cue above it", []).append(cue.line)
            elif previous.end_ms is not None and cue.start_ms < previous.end_ms:
                found.setdefault("overlaps the cue above it", []).append(cue.line)
        previous = cue
    for what, lines in found.items():
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        problems.warn(path, lines[0], f"a cue {what}{more}; it was imported, check its timing")
