"""The downloadable transcript formats: WebVTT, SRT, plain text and Podcast Index JSON.

Every format but plain text needs an end time for each cue; where the source gave none, a cue
ends where the next one starts, and the last one at the episode's end (or 5 s after its start).
"""

from __future__ import annotations

import json

from generator.models import Segment, Transcript
from generator.timecodes import clock

LAST_CUE_MS = 5000


def ends(transcript: Transcript, duration_ms: int | None) -> list[int]:
    """The end of each segment, filled in where the source had none."""
    segments = transcript.segments
    result = []
    for index, segment in enumerate(segments):
        if segment.end_ms is not None:
            result.append(segment.end_ms)
            continue
        following = segments[index + 1].start_ms if index + 1 < len(segments) else None
        if following is not None and following > segment.start_ms:
            result.append(following)
        elif duration_ms is not None and duration_ms > segment.start_ms and following is None:
            result.append(duration_ms)
        else:
            result.append(segment.start_ms + LAST_CUE_MS)
    return result


def _stamp(ms: int, sep: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{millis:03d}"


def _escape_vtt(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(transcript: Transcript, duration_ms: int | None) -> str:
    parts = ["WEBVTT\n"]
    for segment, end in zip(transcript.segments, ends(transcript, duration_ms), strict=True):
        text = _escape_vtt(segment.text)
        if segment.speaker:
            text = f"<v {_escape_vtt(segment.speaker)}>{text}"
        parts.append(
            f"\n{segment.anchor}\n{_stamp(segment.start_ms, '.')} --> {_stamp(end, '.')}\n{text}\n"
        )
    return "".join(parts)


def to_srt(transcript: Transcript, duration_ms: int | None) -> str:
    parts = []
    previous: str | None = None
    pairs = zip(transcript.segments, ends(transcript, duration_ms), strict=True)
    for number, (segment, end) in enumerate(pairs, 1):
        text = _with_label(segment, previous)
        previous = segment.speaker
        parts.append(
            f"{number}\n{_stamp(segment.start_ms, ',')} --> {_stamp(end, ',')}\n{text}\n\n"
        )
    return "".join(parts)


def to_txt(transcript: Transcript) -> str:
    previous: str | None = None
    lines = []
    for segment in transcript.segments:
        lines.append(f"{clock(segment.start_ms, exact=True)} {_with_label(segment, previous)}\n")
        previous = segment.speaker
    return "".join(lines)


def to_json(transcript: Transcript, duration_ms: int | None) -> str:
    segments = []
    for segment, end in zip(transcript.segments, ends(transcript, duration_ms), strict=True):
        item: dict[str, object] = {}
        if segment.speaker:
            item["speaker"] = segment.speaker
        item["startTime"] = segment.start_ms / 1000
        item["endTime"] = end / 1000
        item["body"] = segment.text
        segments.append(item)
    return (
        json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False, indent=1) + "\n"
    )


def _with_label(segment: Segment, previous: str | None) -> str:
    """Text with a ``Name:`` label where the speaker changes (the SRT and text habit)."""
    if segment.speaker and segment.speaker != previous:
        return f"{segment.speaker}: {segment.text}"
    return segment.text
