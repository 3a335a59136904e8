"""JSON transcripts: Podcast Index (``startTime``/``endTime``/``body``) and Whisper/WhisperX
(``start``/``end``/``text``, optional ``speaker``), told apart per segment by their keys.

Parsed with the standard library's pure-Python scanner hooked to remember where each object
starts, so that a bad segment is reported at its line.
"""

from __future__ import annotations

import bisect
import json
import json.scanner
import re
from itertools import accumulate, islice, repeat
from math import isfinite
from operator import attrgetter, mul
from typing import Any

from generator.errors import Problems, TranscriptError
from generator.timecodes import parse_time
from generator.transcripts.cues import Cue, TimedWords

EXPECTED = (
    'expected {"segments": [{"startTime": 1.5, "endTime": 3.0, "body": "...", "speaker": "..."}]}'
    ' (Podcast Index) or {"segments": [{"start": 1.5, "end": 3.0, "text": "..."}]} (Whisper)'
)


_NEWLINE = re.compile("\n")
_SURROGATE = re.compile("[\ud800-\udfff]")  # what UTF-8 cannot write: a lone half of a pair
MAX_DEPTH = 50  # levels of nesting; a transcript needs three (the scanner recurses per level)
MAX_DIGITS = 30  # in a whole number; times are seconds


class _Object(dict[str, Any]):
    line: int


class _Refused(ValueError):
    """JSON that parses but is refused: too deep, or a number too long to be a time."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(message)
        self.position = position


def _loads(text: str) -> Any:
    """``json.loads`` whose objects carry the line they start on, refusing nesting deeper than
    ``MAX_DEPTH`` and whole numbers longer than ``MAX_DIGITS`` digits."""
    flat = _loads_flat(text)
    return flat if flat is not None else _loads_hooked(text)


def _loads_hooked(text: str) -> Any:
    """:func:`_loads` for any text, through the standard library's pure-Python scanner."""
    newlines = [m.start() for m in _NEWLINE.finditer(text)]
    decoder: Any = json.JSONDecoder()
    parse_object, parse_array = decoder.parse_object, decoder.parse_array
    depth = 0

    def nested(parse: Any, s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
        nonlocal depth
        if depth >= MAX_DEPTH:
            raise _Refused(
                s_and_end[1], f"nested more than {MAX_DEPTH} levels deep (a transcript needs three)"
            )
        depth += 1
        try:
            return parse(s_and_end, *args)  # type: ignore[no-any-return]
        finally:
            depth -= 1

    def parse_with_line(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
        obj, end = nested(parse_object, s_and_end, *args)
        result = _Object(obj)
        result.line = bisect.bisect_left(newlines, s_and_end[1]) + 1
        return result, end

    def parse_int(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_DIGITS:
            raise _Refused(
                text.find(digits), f"the number {digits[:20]}... is too long to be a time"
            )
        return int(digits)

    decoder.parse_object = parse_with_line
    decoder.parse_array = lambda *args: nested(parse_array, *args)
    decoder.parse_int = parse_int
    decoder.scan_once = getattr(json.scanner, "py_make_scanner")(decoder)  # noqa: B009 - untyped
    return decoder.decode(text)


def _loads_flat(text: str) -> _Object | None:
    """:func:`_loads` at the C scanner's speed, for the common shape: one object holding a list
    of flat segment objects, and no other brace or bracket in the file (word-level JSON has
    ten thousand segments; the hooked pure-Python scanner takes ten times as long). Then every
    ``{`` starts an object, in order, which gives each its line. None for anything else, or
    anything wrong: the hooked scanner reads those, with its limits and exact messages."""
    try:
        data = json.loads(text, object_hook=_Object, parse_int=_whole_number)
    except (ValueError, RecursionError):  # JSONDecodeError and _Refused are ValueErrors
        return None
    segments = data.get("segments") if type(data) is _Object else None
    if (
        type(segments) is not list
        or text.count("{") != len(segments) + 1
        or text.count("[") != 1
        or not all(type(item) is _Object for item in segments)
    ):
        return None
    if "\n" in text:  # the line of each "{": one more than the newlines before it
        before = accumulate(map(str.count, text.split("{")[:-1], repeat("\n")))
        lines = [count + 1 for count in before]
    else:
        lines = [1] * (len(segments) + 1)
    found: _Object = data
    found.line = lines[0]
    for item, line in zip(segments, islice(lines, 1, None), strict=True):
        item.line = line
    return found


def _whole_number(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _Refused(0, "too long")  # the hooked scanner says where, and how
    return int(digits)


def _word_starts(item: dict[str, Any], start: int) -> tuple[int, ...] | None:
    """A WhisperX segment's ``words`` as starts in ms (a word the aligner could not place, as
    it leaves numbers, takes the start of the word before); None where there are none."""
    words = item.get("words")
    if not isinstance(words, list) or not words:
        return None
    starts = []
    before = start
    for word in words:
        at = word.get("start") if isinstance(word, dict) else None
        if isinstance(at, int | float) and not isinstance(at, bool) and 0 <= at < 1e9:
            before = max(before, round(at * 1000))
        starts.append(before)
    return tuple(starts)


def parse(text: str, path: str, problems: Problems) -> list[Cue]:
    """Read the segments of a JSON transcript."""
    try:
        data = _loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(
            path, exc.lineno, f"invalid JSON: {exc.msg} (is the file complete?)"
        ) from None
    except _Refused as exc:
        line = text.count("\n", 0, max(0, exc.position)) + 1
        raise TranscriptError(path, line, f"invalid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        line = data.line if isinstance(data, _Object) else 1
        raise TranscriptError(path, line, f"no 'segments' list ({EXPECTED})")
    plain = _plain_cues(data["segments"])
    if plain is not None:
        return plain
    cues: list[Cue] = []
    timed: dict[tuple[int, int], tuple[int, ...]] = {}
    for item in data["segments"]:
        line = item.line if isinstance(item, _Object) else 1
        if not isinstance(item, dict):
            raise TranscriptError(path, line, f"a segment must be an object ({EXPECTED})")
        if "startTime" in item or "body" in item:
            start_key, end_key, text_key = "startTime", "endTime", "body"
        else:
            start_key, end_key, text_key = "start", "end", "text"
        start = _time(item, start_key, path, line, required=True)
        end = _time(item, end_key, path, line, required=False)
        words = item.get(text_key)
        if not isinstance(words, str):
            raise TranscriptError(
                path, line, f"segment '{text_key}' must be a string, got {words!r} ({EXPECTED})"
            )
        speaker = item.get("speaker")
        if speaker is not None and not isinstance(speaker, str):
            raise TranscriptError(
                path, line, f"segment 'speaker' must be a string, got {speaker!r}"
            )
        for key, value in ((text_key, words), ("speaker", speaker)):
            if value and _SURROGATE.search(value):
                raise TranscriptError(
                    path,
                    line,
                    f"segment '{key}' holds half a character (a \\ud800-\\udfff escape "
                    "without its pair); write the character itself, or both halves of the pair",
                )
        assert start is not None
        cues.append(Cue(start, end, " ".join(words.split()), speaker or None, line))
        starts = _word_starts(item, start)
        if starts is not None:
            timed[line, start] = starts
    if timed:
        result = TimedWords(cues)
        result.words = timed
        return result
    return cues


def _plain_cues(segments: list[Any]) -> list[Cue] | None:
    """What the loop in :func:`parse` makes of Podcast Index segments that are all as they
    should be (each an object with a number ``startTime`` and ``endTime``, a string ``body``
    and a string or no ``speaker``), a column at a time: 8 ms for 10,500 words instead of 35.
    None for anything else, having looked only: the loop then reads them, and names what is
    wrong."""
    if not segments or set(map(type, segments)) != {_Object}:
        return None
    get = dict.get
    starts = list(map(get, segments, repeat("startTime")))
    ends = list(map(get, segments, repeat("endTime")))
    bodies: list[Any] = list(map(get, segments, repeat("body")))
    speakers: list[Any] = list(map(get, segments, repeat("speaker")))
    if (
        not set(map(type, starts)) | set(map(type, ends)) <= _NUMBERS
        or set(map(type, bodies)) != {str}
        or not set(map(type, speakers)) <= {str, type(None)}
        or _SURROGATE.search("".join(bodies))
        or _SURROGATE.search("".join(filter(None, speakers)))
    ):
        return None
    start_ms = list(map(mul, starts, repeat(1000)))
    end_ms = list(map(mul, ends, repeat(1000)))
    if min(start_ms) < 0 or min(end_ms) < 0 or not all(map(isfinite, start_ms + end_ms)):
        return None  # parse_time says why
    if "" in speakers:
        speakers = [speaker or None for speaker in speakers]
    return list(
        map(
            tuple.__new__,
            repeat(Cue),
            zip(
                map(round, start_ms),
                map(round, end_ms),
                map(" ".join, map(str.split, bodies)),
                speakers,
                map(_LINE, segments),
                strict=True,
            ),
        )
    )


_NUMBERS = {int, float}
_LINE = attrgetter("line")


def _time(item: dict[str, Any], key: str, path: str, line: int, *, required: bool) -> int | None:
    value = item.get(key)
    if value is None:
        if required:
            raise TranscriptError(path, line, f"segment has no '{key}' ({EXPECTED})")
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TranscriptError(
            path, line, f"segment '{key}' must be a number of seconds, got {value!r}"
        )
    try:
        return parse_time(value)
    except ValueError as exc:
        raise TranscriptError(path, line, f"segment '{key}': {exc}") from None
