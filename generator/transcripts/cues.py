"""What every transcript reader shares: raw cues in, one normalised :class:`Transcript` out.

Readers are pure functions from text to a list of :class:`Cue`. Everything that real archives get
wrong about timing (ends before starts, overlaps, duplicate or out-of-order starts) is handled
here once, for every format, with warnings that name the file and line.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from itertools import compress, islice, repeat
from operator import eq, floordiv, gt, itemgetter, lt
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


class TimedWords(list[Cue]):
    """Cues whose source also timed each word (WhisperX's ``words``, TTML's word spans):
    ``words`` maps a segment's (line, start in ms) to its words' starts in ms, for
    :mod:`generator.transcripts` to keep."""

    words: dict[tuple[int, int], tuple[int, ...]]


def decode(data: bytes, path: str, problems: Problems) -> str:
    """Bytes of a transcript file as text: UTF-8 (with or without BOM), UTF-16 with a BOM.

    Line ends become ``\\n`` whatever they were (CRLF, lone CR); NUL becomes U+FFFD as the
    WebVTT spec asks, with a warning. UTF-16 without a BOM is refused: it would decode as UTF-8
    with a NUL after every letter.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise TranscriptError(path, 1, "not valid UTF-16 (save the file as UTF-8)") from None
        problems.warn(path, 1, "the file is UTF-16; it was read, but UTF-8 is what tools expect")
    else:
        head = data[:4096]
        if head.count(0) * 3 > len(head):
            raise TranscriptError(
                path,
                1,
                "the file looks like UTF-16 without a byte-order mark, or is not text at all "
                "(save it as UTF-8)",
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise TranscriptError(
                path,
                line,
                f"not UTF-8 (byte 0x{data[exc.start]:02x}; Latin-1 or Windows-1252?); "
                "save the file as UTF-8",
            ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        count, line = text.count("\0"), text.count("\n", 0, text.index("\0")) + 1
        what = (
            "a NUL character; it was read as U+FFFD (remove it)"
            if count == 1
            else f"{count} NUL characters; they were read as U+FFFD (remove them)"
        )
        problems.warn(path, line, f"the file holds {what}")
        text = text.replace("\0", "\ufffd")
    return text


# "[SPEAKER_00]: text" (WhisperX) and "Ana Ruiz: text" (SRT and plain text habits).
_WHISPERX_LABEL = re.compile(r"\[(SPEAKER_\d+)\]:?\s*")
_NAME_LABEL = re.compile(r"([^\W\d_][\w'’.-]*(?: [^\W\d_][\w'’.-]*){0,3}):\s+(?=\S)")


# Lower-case words that names hold ("Ana de la Cruz", "Ludwig van Dam"); any other word of a
# label starts with a capital, so "That's where we stop: thank you" is no label but speech.
_PARTICLES = frozenset(
    "al bin da das de del della der di do dos du e ibn la le los st ten ter van von y zu".split()
)


def split_label(text: str) -> tuple[str | None, str]:
    """Split a leading speaker label off ``text``: ``"Ana: hi"`` -> ``("Ana", "hi")``. A label
    is one to four words, each capitalised but for name particles, then a colon."""
    match = _WHISPERX_LABEL.match(text)
    if match:
        return match.group(1), text[match.end() :]
    match = _NAME_LABEL.match(text)
    if match and all(
        word[0].isupper() or (n and word in _PARTICLES)
        for n, word in enumerate(match.group(1).split(" "))
    ):
        return match.group(1), text[match.end() :]
    return None, text


def normalise(
    cues: list[Cue],
    path: str,
    problems: Problems,
    speaker_names: Mapping[str, str] | None = None,
) -> Transcript:
    """Turn raw cues into a transcript: speakers, sane times, sorted, with unique anchors.

    This runs once for every cue of an archive: a transcript with nothing to mend takes
    :func:`_normalise_plain` (column-wise, at the speed of C built-ins); anything else
    :func:`_normalise_loop`, which the tests hold the other to.
    """
    names = dict(speaker_names or {})
    plain = _normalise_plain(cues, path, problems, names)
    return plain if plain is not None else _normalise_loop(cues, path, problems, names)


def _warn_overlaps(lines: list[int], path: str, problems: Problems) -> None:
    if lines:
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        problems.warn(
            path,
            lines[0],
            f"a cue overlaps the cue above it{more}; it was imported, check its timing",
        )


def _normalise_loop(
    cues: list[Cue], path: str, problems: Problems, names: Mapping[str, str]
) -> Transcript:
    """:func:`normalise` for any cues, in one pass; the rare transcript whose cues are out of
    order is sorted and given its anchors afterwards. The tests hold the column-wise
    :func:`_normalise_plain` to this."""
    new = tuple.__new__
    segments: list[Segment] = []
    append = segments.append
    current: str | None = None  # the speaker a text label named last
    previous_start, previous_end = -1, None
    defects: dict[str, list[int]] = {}
    in_order = True
    taken: set[int] = set()
    for start, end, text, speaker, line in cues:
        if text[:1] == "[" or ":" in text[:60]:  # only then can it hold a label
            label, rest = split_label(text)
            if label and (speaker is None or label == speaker):  # a named voice says "x: y"
                current = label
                text = rest.strip()
            speaker = speaker or current
        else:
            speaker = speaker or current
        if not text:
            continue
        if speaker and names:
            speaker = names.get(speaker, speaker)
        if end is not None and end <= start:
            if end < start:
                defects.setdefault("ends before it starts", []).append(line)
            end = None
        if start <= previous_start:
            if start < previous_start:
                in_order = False
                defects.setdefault("starts before the cue above it", []).append(line)
            else:
                defects.setdefault("starts at the same time as the cue above it", []).append(line)
        elif previous_end is not None and start < previous_end:
            defects.setdefault("overlaps the cue above it", []).append(line)
        previous_start, previous_end = start, end
        whole = start - start % 1000
        if whole not in taken:
            taken.add(whole)
            anchor = f"t={whole // 1000}"
        else:  # another segment in this second: see timecodes.make_anchors
            anchor = make_anchors([start], taken)[0]
        append(new(Segment, (start, end, text, speaker, anchor, line)))
    for what, lines in defects.items():
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        problems.warn(path, lines[0], f"a cue {what}{more}; it was imported, check its timing")
    if not in_order:
        segments.sort(key=lambda s: s.start_ms)  # stable: equal starts keep file order
    if not in_order:
        anchors = make_anchors([s.start_ms for s in segments])
        segments = [s._replace(anchor=a) for s, a in zip(segments, anchors, strict=True)]
    return Transcript(source=path, segments=tuple(segments))


def _normalise_plain(
    cues: list[Cue], path: str, problems: Problems, names: Mapping[str, str]
) -> Transcript | None:
    """What :func:`normalise` makes of cues that are already in strict time order, each ending
    after it starts, none empty and none with a speaker label; else None, having warned nothing.

    Every check and field is one ``map`` over C functions (0.43 ms for 1,080 cues, against
    0.6 ms for :func:`_normalise_loop`, which the tests hold this to).
    """
    if not cues:
        return None
    starts, ends, texts, speakers, lines = zip(*cues, strict=True)
    if (
        None in ends
        or "" in texts
        or not all(map(gt, ends, starts))
        or not all(map(lt, starts, islice(starts, 1, None)))
        or any(map(str.startswith, texts, repeat("[")))
    ):
        return None
    if ":" in "\n".join(texts):  # only a text with a colon early on can hold a label
        early = map(str.__contains__, map(itemgetter(slice(60)), texts), repeat(":"))
        if any(split_label(text)[0] for text in compress(texts, early)):
            return None
    if "" in speakers:  # an empty name is no name
        speakers = tuple(s or None for s in speakers)
    if names:
        speakers = tuple(names.get(s, s) if s else s for s in speakers)
    overlaps = list(compress(islice(lines, 1, None), map(lt, islice(starts, 1, None), ends)))
    _warn_overlaps(overlaps, path, problems)
    seconds = list(map(floordiv, starts, repeat(1000)))
    anchors = list(map("t=".__add__, map(str, seconds)))
    again = list(compress(range(1, len(seconds)), map(eq, islice(seconds, 1, None), seconds)))
    if again:  # another segment in the same second: see timecodes.make_anchors
        # In strict time order an id is always found within its own second, so only the ids
        # already given in that second matter: its first segment's, then each one made here.
        taken = {seconds[index] * 1000 for index in again}
        for index in again:
            anchors[index] = make_anchors([starts[index]], taken)[0]
    new = tuple.__new__
    return Transcript(
        source=path,
        segments=tuple(
            map(
                new,
                repeat(Segment),
                zip(starts, ends, texts, speakers, anchors, lines, strict=True),
            )
        ),
    )


def name_speakers(
    transcript: Transcript, names: Mapping[str, str]
) -> tuple[Transcript, tuple[str, ...]]:
    """``transcript`` with each speaker label that ``names`` maps (a record's ``speakers:``)
    replaced by its name, and the labels it had, in order of first appearance, so that a caller
    can name the entries that match none."""
    labels = transcript.speakers
    if not names or not any(label in names for label in labels):
        return transcript, labels
    segments = []
    for segment in transcript.segments:
        label = segment.speaker
        if label is not None and label in names:
            segment = segment._replace(speaker=names[label])
        segments.append(segment)
    return Transcript(
        transcript.source, tuple(segments), transcript.timed, transcript.words
    ), labels
