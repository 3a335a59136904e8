"""WebVTT reader, following the W3C WebVTT parsing rules for what a transcript needs.

Why not webvtt-py: it takes about 15 ms for a 1,000-cue file here, this takes about 1 ms, and an
archive has hundreds of such files (see ``make bench``). The test suite checks this reader against
webvtt-py on the spec's edge cases.

Kept from the spec: the ``WEBVTT`` signature (after an optional BOM), header lines, blocks split
by blank lines, optional cue ids, ``NOTE``/``STYLE``/``REGION`` blocks, timestamps
``[HH:]MM:SS.mmm`` with settings after the end time, a ``-->`` line ending a cue's text, voice tags
``<v Name>`` (and ``<v.class Name>``) for the speaker, other tags removed, character references
decoded. Where the spec silently drops a cue with a malformed timing line, this reader reports an
error, so no words vanish unnoticed.
"""

from __future__ import annotations

import html
import re

from generator.errors import Problems, TranscriptError
from generator.speedups import native
from generator.transcripts.cues import Cue

_SIGNATURE = re.compile(r"WEBVTT(?:[ \t\n]|$)")
_TIMING = re.compile(
    r"[ \t]*(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})[ \t]*-->[ \t]*"
    r"(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})(?:[ \t].*)?$"
)
_VOICE = re.compile(r"<v(?:\.[^ \t>]*)?[ \t]+([^>]*)>")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_KEYWORD = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)")

# Lookup tables for the common timing form; anything else goes through _TIMING and _times.
_HOURS = {f"{h:02d}": h * 3_600_000 for h in range(100)}
_MINSEC = {f"{m:02d}:{s:02d}": (m * 60 + s) * 1000 for m in range(60) for s in range(60)}
_MILLIS = {f"{ms:03d}": ms for ms in range(1000)}

EXPECTED_TIMING = "expected a cue timing like 00:01:02.500 --> 00:01:05.000"


def parse(text: str, path: str, problems: Problems) -> list[Cue]:
    """Read the cues of a WebVTT file (already decoded, ``\\n`` line ends).

    Most files are plain runs of cues in the common timing form, which the C speedups read
    where they are built, and one regular expression where not (:func:`_parse_plain`, which
    the tests hold the C reader to); any file they do not cover exactly (NOTE or STYLE blocks
    between cues, other timing forms, stray text, a ``-->`` line inside cue text) is read line
    by line, by the spec's rules.
    """
    if not _SIGNATURE.match(text):
        raise TranscriptError(
            path, 1, "a WebVTT file must start with the line 'WEBVTT' (is it SRT? name it .srt)"
        )
    if native is not None:
        cues = native.parse_vtt(text, Cue, _cue_text)
    else:
        cues = _parse_plain(text)
    return cues if cues is not None else _parse_lines(text, path, problems)


# A cue in the common form: blank lines and at most one identifier line, the timing line
# (settings allowed), then text lines up to a blank line.
_PLAIN_CUE = re.compile(
    r"((\n+(?:[^\n]+\n)?)(\d\d):(\d\d:\d\d)\.(\d\d\d) --> (\d\d):(\d\d:\d\d)\.(\d\d\d)"
    r"(?:[ \t][^\n]*)?\n((?:[^\n]+\n?)*))"
)


def _parse_plain(text: str) -> list[Cue] | None:
    """The cues of a file made only of a header and cues in the common form, else None.

    ``findall`` hands over every cue's fields at C speed, but skips silently over text no cue
    matches; so the cues found, put end to end, must be exactly the file after its header
    (blank lines at the end aside), and every ``-->`` in it must be a cue's own.
    """
    head_end = text.find("\n\n")
    if head_end < 0 or "-->" in text[:head_end]:
        return None
    cues: list[Cue] = []
    found: list[str] = []
    append, keep, cue_text, new = cues.append, found.append, _cue_text, tuple.__new__
    hours, minsec, millis = _HOURS, _MINSEC, _MILLIS
    line = text.count("\n", 0, head_end + 1) + 1  # the line the next cue's gap starts on
    try:
        for whole, gap, h1, ms1, f1, h2, ms2, f2, body in _PLAIN_CUE.findall(text, head_end + 1):
            keep(whole)
            line += 1 if gap == "\n" else gap.count("\n")  # now the timing line's
            begin = hours[h1] + minsec[ms1] + millis[f1]
            end = hours[h2] + minsec[ms2] + millis[f2]
            after = 1  # lines from this timing line to the next gap
            if body[-1:] == "\n":
                body = body[:-1]
                after = 2
            if "<" in body or "&" in body or "  " in body or not body.isprintable():
                speaker, words = cue_text(body)
                append(new(Cue, (begin, end, words, speaker, line)))
                line += after + body.count("\n")
            else:
                append(new(Cue, (begin, end, body.strip(), None, line)))
                line += after
    except KeyError:  # minutes or seconds above 59: let the full reader report it
        return None
    covered = "".join(found)
    rest = text[head_end + 1 :]
    if (
        not rest.startswith(covered)
        or rest[len(covered) :].strip("\n")
        or rest.count("-->") != len(cues)
    ):
        return None
    return cues


def _bad_timing(line: str, path: str, at: int) -> TranscriptError:
    hint = " (WebVTT uses a dot before milliseconds, not a comma)" if "," in line else ""
    return TranscriptError(
        path, at, f"bad cue timing {line.strip()[:60]!r}{hint} ({EXPECTED_TIMING})"
    )


def _parse_lines(text: str, path: str, problems: Problems) -> list[Cue]:
    """The spec's line-by-line reading, for files the block reader does not cover."""
    lines = text.split("\n")
    cues: list[Cue] = []
    count = len(lines)
    i = 1
    # Header: lines up to the first blank line, unless a cue timing starts right away.
    while i < count and lines[i] and "-->" not in lines[i]:
        i += 1
    while i < count:
        line = lines[i]
        if not line:
            i += 1
            continue
        if "-->" in line:
            timing_at = i
        elif i + 1 < count and "-->" in lines[i + 1]:
            timing_at = i + 1  # line i is the cue identifier
        else:
            if not _BLOCK_KEYWORD.match(line):  # the spec ignores it; say so
                problems.warn(
                    path, i + 1, f"ignored text outside a cue: {line[:60]!r} ({EXPECTED_TIMING})"
                )
            while i < count and lines[i]:  # skip the whole block
                i += 1
            continue
        timing = _TIMING.match(lines[timing_at])
        if not timing:
            raise _bad_timing(lines[timing_at], path, timing_at + 1)
        start, end = _times(timing, path, timing_at + 1)
        i = timing_at + 1
        body_start = i
        while i < count and lines[i] and "-->" not in lines[i]:
            i += 1
        speaker, words = _cue_text("\n".join(lines[body_start:i]))
        cues.append(Cue(start, end, words, speaker, timing_at + 1))
    return cues


def _times(match: re.Match[str], path: str, line: int) -> tuple[int, int]:
    h1, m1, s1, f1, h2, m2, s2, f2 = match.groups()
    if int(m1) > 59 or int(s1) > 59 or int(m2) > 59 or int(s2) > 59:
        raise TranscriptError(
            path, line, f"minutes and seconds must be 0-59 in a cue timing ({EXPECTED_TIMING})"
        )
    start = ((int(h1 or 0) * 60 + int(m1)) * 60 + int(s1)) * 1000 + int(f1)
    end = ((int(h2 or 0) * 60 + int(m2)) * 60 + int(s2)) * 1000 + int(f2)
    return start, end


def _cue_text(raw: str) -> tuple[str | None, str]:
    """Plain text and speaker of a cue's text (its lines joined by newlines)."""
    speaker = None
    if "<" in raw:
        voice = _VOICE.search(raw)
        if voice:
            speaker = html.unescape(voice.group(1)).strip() or None
        raw = _TAG.sub("", raw)
    if "&" in raw:
        raw = html.unescape(raw)
    return speaker, " ".join(raw.split())
