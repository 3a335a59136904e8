"""Plain-text and Markdown transcripts: a time at the start of every segment.

Two layouts, told apart by the file's shape (never by its name):

* **One line per segment**, the time first: ``00:00:04 text``, ``0:04.6 Ana: text``,
  ``[00:04] text``, ``(1:02:03) text``. A line without a time continues the segment above it.
* **Blocks**, as Otter, Rev and Descript export them: a heading line with the time and nothing
  after it, then the paragraph on the lines below. Headings: ``Ana Ruiz  0:00`` (Otter: two
  spaces), ``Ana Ruiz (00:01:02):`` (Rev), ``Ana Ruiz 00:01:02`` or ``Ana Ruiz [00:01:02]``
  (Descript), or the time alone, ``0:05`` (Otter without names) or ``(01:02):`` (Rev, the same
  speaker going on). In this layout a paragraph line that happens to start with a time
  (``5:30 is too early``) is text.

A file is read as blocks when heading lines outnumber lines with text after their time. In either
layout a name and a time in brackets with text after them start a segment (``Ana [0:05] text``,
``Ana: [00:00:05] text``); a name and a time alone on their line do so only in blocks.

Markdown transcripts use the same shapes with the label in bold: ``**Ana:** text``,
``**Ana** [0:00]``, ``[00:00:13] **Ana:** text``, ``**[00:01:02] Ana:** text``. The bold marks
at the start of a line are removed in any file, so the speaker is ``Ana``; in a Markdown file
(:func:`parse_markdown`) emphasis inside the text goes too (``*laughs*``, ``_[inaudible]_``), and
a backslash escape keeps its character (``\\*``).

Tool boilerplate that is not speech is skipped: Otter's closing ``Transcribed by https://otter.ai``
and Rev's ``PART 1 OF 4 ENDS [00:30:00]`` markers. Text before the first time is reported and
skipped. There is no library for these loose formats.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from generator.errors import Problems, TranscriptError
from generator.timecodes import parse_time
from generator.transcripts.cues import Cue, split_label

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d+)?"
# "00:00:04 text", "[00:04] text", "(01:02):" -- the time first.
_TIME_FIRST = re.compile(rf"[\[(]?({_TIME})[\])]?:?(?:\s+|$)(.*)")
# "Ana Ruiz (00:01:02):", "Ana [0:05] text", "Speaker 1  0:05" -- a name, then the time. Up to
# five words; the first starts with a letter, the others may be numbers ("Speaker 1").
_NAME = r"[^\W\d_][\w'’.-]*(?:[ \t]+[\w'’.-]+){0,4}"
_NAME_FIRST = re.compile(
    rf"({_NAME})(?:[ \t]*:?[ \t]*[\[(]({_TIME})[\])]:?(?:\s+(.*)|$)|[ \t]+({_TIME}):?$)"
)
# Markdown: a bold run at the start of a line, or right after its time.
_BOLD = re.compile(
    rf"((?:[\[(]?{_TIME}[\])]?\s+)?)"  # the time, if it comes first
    r"(?:\*\*([^*]{1,120})\*\*|__([^_]{1,120})__)"
)
# "Ana Ruiz:" alone on its line: the speaker of the segment on the next line (Descript).
_LABEL = re.compile(rf"({_NAME}):")
_BOILERPLATE = re.compile(
    rf"Transcribed by https?://otter\.ai/?|PART \d+ OF \d+ (?:STARTS|ENDS) [\[(]{_TIME}[\])]",
    re.IGNORECASE,
)


class Untimed(TranscriptError):
    """A text file without a single time: read as untimed paragraphs (:func:`paragraphs`)."""


def paragraphs(text: str) -> list[tuple[int, str | None, str]]:
    """An untimed transcript's paragraphs as (line, speaker, text): split at blank lines, or,
    in a file without any, one per line; a leading ``Name:`` names the speaker."""
    lines = text.split("\n")
    blocks: list[tuple[int, list[str]]] = []
    by_line = not any(not line.strip() for line in lines[1:-1] if lines)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            if blocks and blocks[-1][1]:
                blocks.append((number + 1, []))
            continue
        if not blocks or by_line:
            blocks.append((number, []))
        elif not blocks[-1][1]:
            blocks[-1] = (number, [])
        blocks[-1][1].append(line.strip())
    found = []
    for number, words in blocks:
        if not words:
            continue
        bold = _BOLD.match(words[0])
        first = words[0]
        if bold and not bold.group(1):  # **Ana:** text
            label = (bold.group(2) or bold.group(3) or "").strip().rstrip(":").strip()
            first = f"{label}: {words[0][bold.end() :].lstrip(' :')}"
        speaker, rest = split_label(first)
        found.append((number, speaker, " ".join([rest.strip(), *words[1:]]).strip()))
    return [p for p in found if p[2]]


# Markdown emphasis: a run of * or _ that opens a word or closes one. Intraword runs stay
# (snake_case, f***), and so do runs between spaces (2 * 3). Linear, unlike pairing them.
_EMPHASIS = re.compile(
    r"(?<![^\s(\[\"'‘“])[*_]{1,3}(?=[^\s*_])|(?<=[^\s*_])[*_]{1,3}(?![^\s.,;:!?)\]\"'’”])"
)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_ESCAPED = {"*": "\ue000", "_": "\ue001"}  # kept from _EMPHASIS, then restored

EXPECTED = (
    "expected lines like '00:00:04 text', or a heading like 'Ana Ruiz  0:04' above each "
    "paragraph; a transcript without times cannot be read"
)


class _Row(NamedTuple):
    """A line that starts a segment, as found before the layout is known."""

    number: int
    time: str
    name: str | None
    text: str
    heading: bool  # nothing after the time: the paragraph follows on the next lines
    bare: bool  # a name before a time without brackets: a heading in blocks only
    time_first: bool


def parse(text: str, path: str, problems: Problems) -> list[Cue]:
    """Read the segments of a timestamped text file."""
    return _parse(text, path, problems, markdown=False)


def parse_markdown(text: str, path: str, problems: Problems) -> list[Cue]:
    """Read the segments of a Markdown transcript: the shapes of :func:`parse`, with emphasis
    and backslash escapes removed from the text."""
    return _parse(text, path, problems, markdown=True)


def _plain(line: str) -> str:
    """A Markdown line as text: ``*laughs*`` -> ``laughs``, ``\\*`` -> ``*``."""
    if "\\" in line:
        line = _ESCAPE.sub(lambda m: _ESCAPED.get(m.group(1), m.group(1)), line)
    line = _EMPHASIS.sub("", line)
    return line.replace("\ue000", "*").replace("\ue001", "_")


def _parse(text: str, path: str, problems: Problems, *, markdown: bool) -> list[Cue]:
    lines: list[tuple[int, str, bool, _Row | None]] = []  # (number, text, bold label, row)
    headings = inline = 0
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line or _BOILERPLATE.fullmatch(line):
            continue
        bold = False
        if "**" in line or "__" in line:
            match = _BOLD.match(line)
            if match:
                label = match.group(2) or match.group(3)
                line = f"{match.group(1)}{label}{line[match.end() :]}".strip()
                bold = True
        if markdown and ("*" in line or "_" in line or "\\" in line):
            line = _plain(line)
        row = _row(number, line)
        if row is not None:
            if row.heading:
                headings += 1
            else:
                inline += 1
        lines.append((number, line, bold, row))
    blocks = headings > inline
    starts: list[_Row] = []
    texts: list[list[str]] = []  # each segment's lines, joined once at the end (a hostile file
    # may hold one time and then millions of lines)
    skipped: int | None = None
    turns: list[int] = []  # bold speaker labels inside a segment, without a time of their own
    for index, (number, line, bold, row) in enumerate(lines):
        if _starts(row, blocks):
            assert row is not None
            if row.name is None and index and _label(lines[index - 1][1]):
                row = row._replace(name=_label(lines[index - 1][1]))
            starts.append(row)
            texts.append([row.text] if row.text else [])
        elif _label(line) and index + 1 < len(lines) and _starts(lines[index + 1][3], blocks):
            continue  # "Ana Ruiz:" above "[00:00:05] text": the speaker of that segment
        elif texts:
            if bold and texts[-1] and split_label(line)[0]:
                turns.append(number)
            texts[-1].append(line)
        elif skipped is None:
            skipped = number
    if not starts:
        raise Untimed(path, 1, f"no timestamped lines found ({EXPECTED})")
    cues = []
    for row, words in zip(starts, texts, strict=True):
        try:
            start = parse_time(row.time)
        except ValueError as exc:
            raise TranscriptError(path, row.number, f"bad timestamp: {exc}") from None
        cues.append(Cue(start, None, " ".join(words), row.name, row.number))
    if skipped is not None:
        problems.warn(
            path,
            skipped,
            "ignored text before the first timestamp (start each line with a time, e.g. 0:04 text)",
        )
    if turns:
        more = f" (and {len(turns) - 1} more)" if len(turns) > 1 else ""
        problems.warn(
            path,
            turns[0],
            f"a speaker's turn without a time of its own{more} was joined to the segment above "
            "(give each turn its time: [0:12] **Ana:** text)",
        )
    return _carry_speakers(cues) if any(row.name for row in starts) else cues


def _starts(row: _Row | None, blocks: bool) -> bool:
    """Whether ``row`` starts a segment in this layout. In blocks, headings do, and so does a
    name before a bracketed time with text after it; a paragraph line starting with a time is
    text. In lines, a time first does, and so does a name and a bracketed time with text after
    them; a name and a time alone (``Intro (0:00)``, a title) stay text, as they always were."""
    if row is None:
        return False
    return (row.heading or not row.time_first) if blocks else (row.time_first or not row.heading)


def _label(line: str) -> str | None:
    """The name of a line that is only a speaker label, ``Ana Ruiz:``."""
    match = _LABEL.fullmatch(line)
    return match.group(1) if match and match.group(1)[0].isupper() else None


def _row(number: int, line: str) -> _Row | None:
    """The segment ``line`` starts, if it starts with a time or with a name and a time."""
    match = _TIME_FIRST.match(line)
    if match:
        rest = match.group(2).strip()
        return _Row(number, match.group(1), None, rest, not rest, False, True)
    match = _NAME_FIRST.match(line)
    if match is None or not match.group(1)[0].isupper():
        return None
    name = match.group(1)
    if match.group(4) is not None:  # "Ana Ruiz  0:05": a bare time ends the line
        return _Row(number, match.group(4), name, "", True, True, False)
    rest = (match.group(3) or "").strip()
    return _Row(number, match.group(2), name, rest, not rest, False, False)


def _carry_speakers(cues: list[Cue]) -> list[Cue]:
    """Headings name the speaker when it changes: a segment without a name of its own (``0:05``
    under ``Ana  0:00``, Rev's ``(01:02):``) is the last named speaker's, unless its text starts
    with a label (``Bo: text``), which names it."""
    current: str | None = None
    carried = []
    for cue in cues:
        speaker = cue.speaker
        if speaker is None and (cue.text[:1] == "[" or ":" in cue.text[:60]):
            speaker = split_label(cue.text)[0]
        current = speaker or current
        carried.append(cue if cue.speaker == current else cue._replace(speaker=current))
    return carried
