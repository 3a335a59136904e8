"""Reference implementations: the straightforward one-loop versions of Cuepress's speed-tuned
exporter (the downloads), WebVTT fast path and merging of readable segments, kept as oracles,
and the W3C WebVTT parser written out step by step (:func:`parse_spec`), which the line-by-line
WebVTT reader is held to. The tests check that the tuned code gives exactly what these give, on
the test transcripts and on random ones (hypothesis); nothing in the package imports this
module. (``normalise`` keeps its loop in the package, as ``_normalise_loop``, for the cues its
fast path declines; the tests compare the two there.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from json.encoder import encode_basestring as encode

from generator.models import Chapter, Segment, Transcript
from generator.transcripts.cues import Cue
from generator.transcripts.exports import Forms, ends
from generator.transcripts.readable import MAX_CHARS, MAX_MS, PAUSE_MS, Merged, ends_sentence
from generator.transcripts.vtt import _cue_text

_TWO = [f"{n:02d}" for n in range(100)]
_THREE = [f"{n:03d}" for n in range(1000)]
_FRAC = [f".{n:03d}".rstrip("0") if n else "" for n in range(1000)]  # 500 -> ".5"
_HOURS = {f"{h:02d}": h * 3_600_000 for h in range(100)}
_MINSEC = {f"{m:02d}:{s:02d}": (m * 60 + s) * 1000 for m in range(60) for s in range(60)}
_MILLIS = {f"{ms:03d}": ms for ms in range(1000)}


def render_all(
    transcript: Transcript, duration_ms: int | None, chapters: Sequence[Chapter] = ()
) -> Forms:
    """Every download of a transcript in one pass: ``vtt``, ``srt``, ``txt`` and ``json``.
    (The page's markup has no copy here: its oracle is Jinja rendering the theme's
    ``_segment.html`` for each segment.)"""
    vtt: list[str] = ["WEBVTT\n"]
    srt: list[str] = []
    txt: list[str] = []
    js: list[str] = []
    add_vtt, add_srt, add_txt, add_js = (
        vtt.append,
        srt.append,
        txt.append,
        js.append,
    )
    two, frac = _TWO, _FRAC
    previous: str | None = None  # the speaker of the segment before (SRT, text)
    number = 0
    for segment, end in zip(transcript.segments, ends(transcript, duration_ms), strict=True):
        start, _, text, speaker, anchor, _ = segment
        seconds, millis = divmod(start, 1000)
        minutes, sec = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        label = f"{hours}:{two[minutes]}:{two[sec]}" if hours else f"{minutes}:{two[sec]}"
        first = f"{hours:02d}:{two[minutes]}:{two[sec]}"  # then . or , and milliseconds
        end_s, end_ms = divmod(end, 1000)
        end_m, end_sec = divmod(end_s, 60)
        end_h, end_m = divmod(end_m, 60)
        last = f"{end_h:02d}:{two[end_m]}:{two[end_sec]}"
        begins, finish = f"{seconds}{frac[millis]}", f"{end_s}{frac[end_ms]}"
        start_ms, end_ms3 = _THREE[millis], _THREE[end_ms]
        if "&" in text or "<" in text or ">" in text:
            safe = escape(text, quote=False)
        else:
            safe = text
        named = f"{speaker}: {text}" if speaker is not None and speaker != previous else text
        voice = f"<v {escape(speaker, quote=False)}>" if speaker else ""
        add_vtt(f"\n{anchor}\n{first}.{start_ms} --> {last}.{end_ms3}\n{voice}{safe}\n")
        number += 1
        add_srt(f"{number}\n{first},{start_ms} --> {last},{end_ms3}\n{named}\n\n")
        add_txt(f"{label}{frac[millis]} {named}\n")
        who = f'"speaker":{encode(speaker)},' if speaker else ""
        add_js(f'{{{who}"startTime":{begins},"endTime":{finish},"body":{encode(text)}}}')
        previous = speaker
    return Forms(
        "".join(vtt).encode(),
        "".join(srt).encode(),
        "".join(txt).encode(),
        ('{"version":"1.0.0","segments":[' + ",".join(js) + "]}\n").encode(),
    )


# A cue in the common form: timing line (settings allowed), then text lines up to a blank line.
_PLAIN_CUE = re.compile(
    r"^(\d\d):(\d\d:\d\d)\.(\d\d\d) --> (\d\d):(\d\d:\d\d)\.(\d\d\d)(?:[ \t][^\n]*)?\n"
    r"((?:[^\n]+\n?)*)",
    re.M,
)
# Between two cues: blank lines (and NOTE, STYLE or REGION blocks, each followed by a blank
# line), then at most one cue identifier line.
_GAP = re.compile(r"\n+(?:(?:NOTE|STYLE|REGION)(?:[ \t][^\n]*)?(?:\n[^\n]+)*\n\n+)*(?:[^\n]+\n)?")


def parse_plain(text: str) -> list[Cue] | None:
    """The cues of a file made only of a header and cues in the common form, else None."""
    head_end = text.find("\n\n")
    if head_end < 0 or "-->" in text[:head_end]:
        return None
    cues: list[Cue] = []
    append, gap_ok, cue_text, new = cues.append, _GAP.fullmatch, _cue_text, tuple.__new__
    hours, minsec, millis = _HOURS, _MINSEC, _MILLIS
    position = counted = head_end + 1
    line = text.count("\n", 0, counted) + 1
    for match in _PLAIN_CUE.finditer(text, head_end + 1):
        start = match.start()
        gap = text[position:start]
        if gap != "\n" and (not gap_ok(gap) or "-->" in gap):
            return None
        line += text.count("\n", counted, start)
        counted = start
        h1, ms1, f1, h2, ms2, f2, body = match.groups()
        if "-->" in body:
            return None
        try:
            begin = hours[h1] + minsec[ms1] + millis[f1]
            end = hours[h2] + minsec[ms2] + millis[f2]
        except KeyError:  # minutes or seconds above 59: let the full reader report it
            return None
        body = body.rstrip("\n")
        if "<" in body or "&" in body or "  " in body or not body.isprintable():
            speaker, words = cue_text(body)
            append(new(Cue, (begin, end, words, speaker, line)))
        else:
            append(new(Cue, (begin, end, body.strip(), None, line)))
        position = match.end()
    if text[position:].strip("\n"):
        return None
    return cues


# The W3C WebVTT parser (https://www.w3.org/TR/webvtt1/#file-parsing), step by step, for what
# a transcript needs: the oracle the line-by-line reader (vtt._parse_lines) is held to on random
# files, and that tests/test_vtt_chromium.py holds to Chromium. Regions, stylesheets, cue ids
# and settings are read past, not kept.

SpecCue = tuple[int, int, str, int]  # start ms, end ms, the cue's raw text, its timing's line
_ASCII_WHITESPACE = "\t\n\f\r "
_DIGITS = "0123456789"


def parse_spec(text: str) -> tuple[list[SpecCue], list[int]] | None:
    """The cues of a WebVTT file (decoded, ``\\n`` line ends) and the lines of the cue timings
    that failed (whose cues the spec drops); None if the file has no WebVTT signature."""
    # Steps 4 to 6: the signature.
    if len(text) < 6 or (len(text) == 6 and text != "WEBVTT"):
        return None
    if len(text) > 6 and (text[:6] != "WEBVTT" or text[6] not in " \t\n"):
        return None
    cues: list[SpecCue] = []
    failed: list[int] = []
    # Steps 8 to 11: the rest of the signature line.
    position = text.find("\n")
    if position < 0:
        return cues, failed
    position += 1
    if position >= len(text):
        return cues, failed
    # Step 12: the header.
    if text[position] != "\n":
        position = _collect_block(text, position, True, cues, failed)
    else:
        position += 1
    # Steps 13 and 15: blocks, with the line feeds between them.
    while position < len(text) and text[position] == "\n":
        position += 1
    while position < len(text):
        position = _collect_block(text, position, False, cues, failed)
        while position < len(text) and text[position] == "\n":
            position += 1
    return cues, failed


def _collect_block(
    text: str, position: int, in_header: bool, cues: list[SpecCue], failed: list[int]
) -> int:
    """ "Collect a WebVTT block" from ``position``: adds its cue, if it is one, to ``cues`` (or
    its failed timing's line to ``failed``); returns the position after it."""
    line_count = 0
    previous_position = position
    buffer: list[str] = []
    seen_arrow = False
    cue: tuple[int, int, int] | None = None
    while True:
        end = text.find("\n", position)
        seen_eof = end < 0
        line = text[position:] if seen_eof else text[position:end]
        line_start = position
        position = len(text) if seen_eof else end + 1
        line_count += 1
        if "-->" in line:
            if not in_header and (line_count == 1 or (line_count == 2 and not seen_arrow)):
                seen_arrow = True
                previous_position = position
                times = _collect_timings(line)
                number = text.count("\n", 0, line_start) + 1
                if times is None:
                    cue = None
                    failed.append(number)
                else:
                    cue = (times[0], times[1], number)
                    buffer = []
            else:
                position = previous_position
                break
        elif not line:
            break
        else:
            buffer.append(line)
            previous_position = position
        if seen_eof:
            break
    if cue is not None:
        cues.append((cue[0], cue[1], "\n".join(buffer), cue[2]))
    return position


def _collect_timings(line: str) -> tuple[int, int] | None:
    """ "Collect WebVTT cue timings and settings": the start and end, or None (failure)."""
    position = _skip_whitespace(line, 0)
    start = _collect_timestamp(line, position)
    if start is None:
        return None
    position = _skip_whitespace(line, start[1])
    for character in "-->":
        if position >= len(line) or line[position] != character:
            return None
        position += 1
    position = _skip_whitespace(line, position)
    end = _collect_timestamp(line, position)
    if end is None:
        return None
    return start[0], end[0]  # the rest of the line is the settings


def _skip_whitespace(line: str, position: int) -> int:
    while position < len(line) and line[position] in _ASCII_WHITESPACE:
        position += 1
    return position


def _collect_digits(line: str, position: int) -> tuple[str, int]:
    start = position
    while position < len(line) and line[position] in _DIGITS:
        position += 1
    return line[start:position], position


def _collect_timestamp(line: str, position: int) -> tuple[int, int] | None:
    """ "Collect a WebVTT timestamp" at ``position``: its milliseconds and the position after it,
    or None (an error)."""
    units = "minutes"
    if position >= len(line) or line[position] not in _DIGITS:
        return None
    string, position = _collect_digits(line, position)
    value1 = int(string)
    if len(string) != 2 or value1 > 59:
        units = "hours"
    if position >= len(line) or line[position] != ":":
        return None
    position += 1
    string, position = _collect_digits(line, position)
    if len(string) != 2:
        return None
    value2 = int(string)
    if units == "hours" or (position < len(line) and line[position] == ":"):
        if position >= len(line) or line[position] != ":":
            return None
        position += 1
        string, position = _collect_digits(line, position)
        if len(string) != 2:
            return None
        value3 = int(string)
    else:
        value3, value2, value1 = value2, value1, 0
    if position >= len(line) or line[position] != ".":
        return None
    position += 1
    string, position = _collect_digits(line, position)
    if len(string) != 3:
        return None
    value4 = int(string)
    if value2 > 59 or value3 > 59:
        return None
    return ((value1 * 60 + value2) * 60 + value3) * 1000 + value4, position


def merge(segments: Sequence[Segment], chapter_starts: Sequence[int]) -> list[Merged]:
    """``readable.merge``: a list of pieces grows while the next piece may join it."""
    merged: list[Merged] = []
    group: list[Segment] = []

    def close(pieces: list[Segment]) -> None:
        text = pieces[0].text
        for piece in pieces[1:]:
            text += piece.text if piece.text[0] in ",.;:?!…)]}%”’»" else " " + piece.text
        first = pieces[0]
        merged.append((first.start_ms, pieces[-1].end_ms, text, first.speaker, first.line))

    def too_long(pieces: list[Segment]) -> bool:  # a space counted between any two pieces
        size = sum(len(p.text) for p in pieces) + len(pieces) - 1
        last = pieces[-1]
        return size > MAX_CHARS or (last.end_ms or last.start_ms) - pieces[0].start_ms > MAX_MS

    for piece in segments:
        if group:
            last = group[-1]
            if (
                piece.speaker != last.speaker
                or (last.end_ms is not None and piece.start_ms - last.end_ms > PAUSE_MS)
                or any(group[0].start_ms < c <= piece.start_ms for c in chapter_starts)
            ):
                close(group)
                group = []
            elif too_long([*group, piece]):
                sentence_ends = [n for n, p in enumerate(group) if ends_sentence(p.text)]
                cut = sentence_ends[-1] + 1 if sentence_ends else len(group)
                close(group[:cut])
                group = group[cut:]
                if group and too_long([*group, piece]):
                    close(group)
                    group = []
        group.append(piece)
    if group:
        close(group)
    return merged
