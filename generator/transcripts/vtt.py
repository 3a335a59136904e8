"""WebVTT reader, following the W3C WebVTT parser algorithm for what a transcript needs.

Why not webvtt-py: it takes about 15 ms for a 1,000-cue file here, this takes about 1 ms, and an
archive has hundreds of such files (see ``make bench``). The test suite checks this reader against
webvtt-py on the spec's edge cases, against the spec's parser written out step by step
(``tests/reference.py``), and against headless Chromium (``tests/test_vtt_chromium.py``).

What Chromium shows, this reads; what Chromium drops, this leaves out, with a warning at its line
saying what is wrong and what would be right. Kept from the spec: the ``WEBVTT`` signature (after
an optional BOM; then a space, a tab or the line's end), header lines, blocks split by blank
lines, optional cue ids, ``NOTE``/``STYLE``/``REGION`` blocks, cue timings ("collect a WebVTT
timestamp": hours of any number of digits, optional; minutes and seconds of two digits, 00 to 59;
a dot and three digits of milliseconds) with anything after the end time (settings), cues that
end before they start, a ``-->`` line ending a cue's text, voice tags ``<v Name>`` (and
``<v.class Name>``) for the speaker, other tags removed, character references decoded. A cue
whose timing line is not one is left out, with the lines under it, as browsers leave it out.

Deliberately more lenient than browsers, with a warning (they drop these cues): timings in bare
seconds (``0.860 --> 7.380``, as some hosts write them; any number of digits, a dot or comma, three
digits) and a comma before the milliseconds (``00:00:01,000``, SRT's habit). Deliberately
stricter: a file without the signature is an error (is it SRT?), as is one without a single cue,
and a time past what browsers can hold (2^63 microseconds, about 2.5 billion hours, which they
read as infinite) leaves its cue out. Cue text keeps the words after a ``<`` that no ``>`` closes
(``I <3 my shed``), which browsers drop as an unfinished tag.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from itertools import accumulate, compress
from operator import not_
from typing import NamedTuple

from generator.errors import Problems, TranscriptError
from generator.transcripts.cues import Cue, TimedWords

_SIGNATURE = re.compile(r"WEBVTT(?:[ \t\n]|$)")
_VOICE = re.compile(r"<v(?:\.[^ \t>]*)?[ \t]+([^>]*)>")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_KEYWORD = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)")

# Lookup tables for the common timing form; anything else goes through _TIMING (_parse_lines).
_HOURS = {f"{h:02d}": h * 3_600_000 for h in range(100)}
_MINSEC = {f"{m:02d}:{s:02d}": (m * 60 + s) * 1000 for m in range(60) for s in range(60)}
_MILLIS = {f"{ms:03d}": ms for ms in range(1000)}


class _Clocks(dict[str, int]):
    """The milliseconds of each ``HH:MM:SS`` the fast path meets, worked out on first use from
    the tables above (a KeyError for minutes or seconds above 59) and kept, up to ``KEEP``."""

    KEEP = 50_000  # about 14 hours

    def __missing__(self, clock: str) -> int:
        ms = _HOURS[clock[:2]] + _MINSEC[clock[3:]]
        if len(self) < self.KEEP:
            self[clock] = ms
        return ms


_CLOCKS = _Clocks()

EXPECTED_TIMING = "expected a cue timing like 00:01:02.500 --> 00:01:05.000"


def parse(text: str, path: str, problems: Problems) -> list[Cue]:
    """Read the cues of a WebVTT file (already decoded, ``\\n`` line ends).

    Most files are plain runs of cues in the common timing form, perhaps with NOTE, STYLE or
    REGION blocks between them, which one regular expression reads (:func:`_parse_plain`, which
    the tests hold to the plain loop of ``tests/reference.py``); any file it does not cover
    exactly (other timing forms, stray text, a ``-->`` line inside cue text) is read line by
    line, by the spec's rules.
    """
    if not _SIGNATURE.match(text):
        raise TranscriptError(
            path, 1, "a WebVTT file must start with the line 'WEBVTT' (is it SRT? name it .srt)"
        )
    cues = _parse_plain(text)
    if cues is None:
        cues = _parse_lines(text, path, problems)
    if "<c>" in text or "><c" in text:  # YouTube's word times, inline
        return _inline_word_times(text, cues)
    return cues


_INLINE = re.compile(r"<(?:(\d+):)?(\d\d:\d\d)\.(\d\d\d)>")
_INLINE_HOURS = {"": 0, **_HOURS}  # no hours written: findall gives ""


def _inline_ms(hours: str, minsec: str, millis: str) -> int:
    """The milliseconds of an inline timestamp (its hours, ``MM:SS`` and milliseconds)."""
    minutes, seconds = minsec.split(":")
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def _inline_word_times(text: str, cues: list[Cue]) -> list[Cue]:
    """``cues``, with when each word was said where a cue's line times its words inline, as
    YouTube's automatic captions do (``word<00:00:01.234><c> word</c>``): the line's first word
    at the cue's start, each next one at its tag.

    A cue's text lines are the lines after its timing line up to a blank line; the last of them
    holding a tag times its words. Which lines hold a tag and which are blank is found for the
    whole file at once, and each cue's by bisection."""
    lines = text.split("\n")
    count = len(lines)
    tagged = list(compress(range(count), map(_INLINE.search, lines)))
    if not tagged:
        return cues
    blank = list(compress(range(count), map(not_, lines)))
    blank.append(count)
    timed: dict[tuple[int, int], tuple[int, ...]] = {}
    hours, minsec, millis = _INLINE_HOURS, _MINSEC, _MILLIS
    for cue in cues:
        first = cue.line  # the cue's text lines follow its timing line
        last = blank[bisect_left(blank, first)]  # the blank line (or the end) after them
        at = bisect_left(tagged, last) - 1
        if at >= 0 and tagged[at] >= first:
            found = _INLINE.findall(lines[tagged[at]])
            try:  # the common form, by the tables
                times = [hours[h] + minsec[m] + millis[f] for h, m, f in found]
            except KeyError:
                times = [_inline_ms(*stamp) for stamp in found]
            timed[first, cue.start_ms] = tuple(accumulate(times, max, initial=cue.start_ms))
    if not timed:
        return cues
    result = TimedWords(cues)
    result.words = timed
    return result


# A cue in the common form: blank lines (and NOTE, STYLE or REGION blocks, each followed by a
# blank line) and at most one identifier line, the timing line (settings allowed), then text
# lines up to a blank line.
_PLAIN_CUE = re.compile(
    r"((\n+(?:(?:NOTE|STYLE|REGION)(?:[ \t][^\n]*)?(?:\n[^\n]+)*\n\n+)*(?:[^\n]+\n)?)"
    r"(\d\d:\d\d:\d\d)\.(\d\d\d) --> (\d\d:\d\d:\d\d)\.(\d\d\d)"
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
    clocks, millis = _CLOCKS, _MILLIS
    line = text.count("\n", 0, head_end + 1) + 1  # the line the next cue's gap starts on
    try:
        for whole, gap, hms1, f1, hms2, f2, body in _PLAIN_CUE.findall(text, head_end + 1):
            keep(whole)
            line += 1 if gap == "\n" else gap.count("\n")  # now the timing line's
            begin = clocks[hms1] + millis[f1]
            end = clocks[hms2] + millis[f2]
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


def _parse_lines(text: str, path: str, problems: Problems) -> list[Cue]:
    """The spec's line-by-line reading, for files the fast paths do not cover.

    It follows the W3C parser algorithm's blocks ("collect a WebVTT block"): after the header,
    a block's first line, or its second after an identifier, holding ``-->`` is its timing line;
    its text runs to a blank line or to the next line holding ``-->``, which starts a new block.
    A block with a timing browsers refuse is left out, with a warning; bare seconds and a comma
    before the milliseconds are read, with a warning (see the module's docstring).
    """
    lines = text.split("\n")
    cues: list[Cue] = []
    append, timing, cue_text, report = cues.append, _TIMING.match, _cue_text, _Report()
    count = len(lines)
    ended = False  # whether the line at i ended the cue above (it holds an arrow)
    i = 1
    # The header: the signature's block, up to a blank line or a line holding an arrow.
    while i < count and lines[i] and "-->" not in lines[i]:
        i += 1
    while i < count:
        line = lines[i]
        if not line:
            i += 1
            continue
        if "-->" in line:
            at = i
        elif i + 1 < count and "-->" in lines[i + 1]:
            at = i + 1  # line i is the cue identifier
            ended = False
        else:  # no cue: a NOTE, STYLE or REGION block, or stray text, which the spec ignores
            if not _BLOCK_KEYWORD.match(line):
                problems.warn(
                    path, i + 1, f"ignored text outside a cue: {line[:60]!r} ({EXPECTED_TIMING})"
                )
            i += 1
            while i < count and lines[i] and "-->" not in lines[i]:
                i += 1
            continue
        i = body = at + 1
        while i < count and lines[i] and "-->" not in lines[i]:
            i += 1
        text_ended, ended = ended, i < count and bool(lines[i])
        match = timing(lines[at])
        if match is not None and _in_range(match):
            h1, m1, s1, f1, h2, m2, s2, f2 = match.groups()
            start = ((int(h1 or 0) * 60 + int(m1)) * 60 + int(s1)) * 1000 + int(f1)
            end = ((int(h2 or 0) * 60 + int(m2)) * 60 + int(s2)) * 1000 + int(f2)
        else:
            times = _odd_timing(lines[at], at + 1, report, text_ended)
            if times is None:
                continue  # left out, as browsers leave it out (reported)
            start, end = times
        speaker, words = cue_text("\n".join(lines[body:i]))
        append(Cue(start, end, words, speaker, at + 1))
    report.warn(path, problems)
    return cues


# The spec's cue timing line ("collect WebVTT cue timings and settings"): whitespace (a line's
# ASCII whitespace: space, tab, form feed), a timestamp, "-->", a timestamp, and then anything
# (settings, which a transcript does not need). A timestamp ("collect a WebVTT timestamp"):
# hours of one or more digits and a colon, optional; minutes and seconds of exactly two digits,
# 00 to 59; a dot and exactly three digits. Every run of digits is read whole, so 000:00.000 or
# 00:00.0000 is no timestamp, and neither is 1:00.000.
_WS = "[ \t\f]*"
_STAMP = "(?:([0-9]+):)?([0-9]{2}):([0-9]{2})[.]([0-9]{3})(?![0-9])"
_TIMING = re.compile(f"{_WS}{_STAMP}{_WS}-->{_WS}{_STAMP}")
# Whatever could be meant for a timestamp: digits, colons, a dot or comma, digits.
_LOOSE_STAMP = re.compile("([0-9]+(?::[0-9]+)*)(?:([.,])([0-9]*))?")
# The latest time browsers hold: Chromium keeps times in microseconds in a signed 64-bit
# integer, and reads any later timestamp as infinite (about 2.5 billion hours).
MAX_MS = (2**63 - 1) // 1000
EXAMPLE = "00:01:02.500 --> 00:01:05.000"


def _in_range(match: re.Match[str]) -> bool:
    """Whether a timing the pattern matched is one: minutes and seconds at most 59, and hours
    few enough digits to be sure the time is below :data:`MAX_MS` (else the long way decides)."""
    h1, m1, s1, _, h2, m2, s2, _ = match.groups()
    return (
        m1 < "60"
        and s1 < "60"
        and m2 < "60"
        and s2 < "60"
        and (h1 is None or len(h1) < 10)
        and (h2 is None or len(h2) < 10)
    )


class _Report:
    """The timing warnings of one file: one per kind, at its first line, with a count."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[int, str, str]] = {}
        self.count: dict[str, int] = {}

    def add(self, kind: str, line: int, what: str, right: str) -> None:
        if kind not in self.first:
            self.first[kind] = (line, what, right)
        self.count[kind] = self.count.get(kind, 0) + 1

    def warn(self, path: str, problems: Problems) -> None:
        for kind, (line, what, right) in self.first.items():
            more = self.count[kind] - 1
            also = f", and {more} more like it" if more else ""
            problems.warn(path, line, f"{what}{also} ({right})")


class _Stamp(NamedTuple):
    """A timestamp as written, read leniently: its milliseconds, or what is wrong with it."""

    ms: int | None  # None: not a time browsers or Cuepress read
    end: int  # the position after it in its line
    lenient: str | None  # "seconds" or "comma": read, though browsers refuse it
    kind: str  # what is wrong (for ms None)
    what: str
    right: str


def _odd_timing(
    line: str, number: int, report: _Report, text_ended: bool
) -> tuple[int, int] | None:
    """A timing line that is not the spec's (or is, with a time too large to check at a glance):
    its times, if it is one after all or one of the lenient forms (bare seconds, a comma before
    the milliseconds), with a warning for those; else None, with a warning for the cue.
    ``text_ended``: the line ended the text of the cue above it."""
    shown = repr(line.strip(" \t\f")[:60])
    start = _stamp(line, _skip(line, 0), "start")
    problem: _Stamp | None = None
    if start.ms is None:
        problem = start
    else:
        position = _skip(line, start.end)
        if not line.startswith("-->", position):
            report.add(
                "arrow",
                number,
                f"bad cue timing {shown}: no '-->' right after the start time; {_LEFT_OUT}",
                f"write a timing like {EXAMPLE}",
            )
            return None
        end = _stamp(line, _skip(line, position + 3), "end")
        if end.ms is None:
            problem = end
    if problem is not None and text_ended:
        report.add(
            "arrow-in-text",
            number,
            f"bad cue timing {shown}: a line holding '-->' ends the cue above, and this one is "
            "no timing; it was left out with the lines under it, as browsers leave them out",
            "write an arrow in cue text as --&gt;",
        )
        return None
    if problem is not None:
        left_out = "the cue was left out" if problem.kind == "too-late" else _LEFT_OUT
        report.add(
            problem.kind,
            number,
            f"bad cue timing {shown}: {problem.what}; {left_out}",
            problem.right,
        )
        return None
    assert start.ms is not None and end.ms is not None
    lenient = start.lenient or end.lenient
    if lenient is not None:
        stamps = line[: end.end]
        right = f"{_clock(start.ms, stamps)} --> {_clock(end.ms, stamps)}{line[end.end :].rstrip()}"
        what = _LENIENT[lenient]
        report.add(
            lenient,
            number,
            f"cue timing {shown} {what}; it was imported, though browsers leave such cues out",
            f"write {right.strip()}",
        )
    return start.ms, end.ms


_LEFT_OUT = "the cue was left out, as browsers leave it out"
_LENIENT = {
    "seconds": "is in bare seconds (WebVTT takes minutes and seconds)",
    "comma": "has a comma before the milliseconds (WebVTT takes a dot)",
}


def _stamp(line: str, position: int, role: str) -> _Stamp:
    """The timestamp at ``position``, read as the spec reads it, and leniently where a timing
    in bare seconds (``7.380``) or with a comma (``00:00:07,380``) is clearly meant."""
    match = _LOOSE_STAMP.match(line, position)
    if match is None:
        if role == "start":
            what = "it does not start with a time"
        else:
            what = "no end time after '-->'"
        return _Stamp(None, position, None, f"no-{role}", what, f"write a timing like {EXAMPLE}")
    clock, separator, fraction = match.groups()
    written = match.group()[:30]
    fields = clock.split(":")

    def bad(kind: str, why: str) -> _Stamp:
        meant = _meant(fields, fraction)
        right = (
            f"write the {role} time as {_clock(meant, clock)}"
            if meant is not None
            else f"write a timing like {EXAMPLE}"
        )
        return _Stamp(None, match.end(), None, kind, f"the {role} time {written!r} {why}", right)

    if len(fields) > 3:
        return bad("not-a-time", "is not a time")
    if separator is None:
        return bad("no-millis", "has no milliseconds")
    if len(fraction) != 3:
        return bad("millis", "needs exactly three digits of milliseconds")
    lenient = "comma" if separator == "," else None
    if len(fields) == 1:
        lenient = "seconds"
    elif len(fields[-2]) != 2 or len(fields[-1]) != 2:
        return bad("digits", "needs two digits of minutes and two of seconds")
    elif fields[-2] > "59" or fields[-1] > "59":
        return bad("range", "has minutes or seconds above 59")
    ms = _meant(fields, fraction)
    if ms is None or ms > MAX_MS:
        return _Stamp(
            None,
            match.end(),
            None,
            "too-late",
            f"the {role} time {written!r} is later than browsers can hold "
            "(they read it as infinite)",
            f"a time must be below {MAX_MS // 3_600_000:,} hours",
        )
    return _Stamp(ms, match.end(), lenient, "", "", "")


def _skip(line: str, position: int) -> int:
    """The position after the whitespace (space, tab, form feed) at ``position``."""
    while position < len(line) and line[position] in " \t\f":
        position += 1
    return position


def _meant(fields: list[str], fraction: str | None) -> int | None:
    """The milliseconds a written time stands for, read as loosely as can be (None if its
    numbers are beyond any time)."""
    if len(fields) > 3:
        return None
    numbers = [field.lstrip("0") or "0" for field in fields]
    if any(len(number) > 16 for number in numbers):
        return None
    seconds = 0
    for number in numbers:
        seconds = seconds * 60 + int(number)
    millis = int((fraction or "")[:3].ljust(3, "0"))
    return seconds * 1000 + millis


def _clock(ms: int, written: str) -> str:
    """A WebVTT timestamp for ``ms``: with hours if it has any or ``written`` had them."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours or written.count(":") >= 2:
        return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"
    return f"{minutes:02d}:{seconds:02d}.{millis:03d}"


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
