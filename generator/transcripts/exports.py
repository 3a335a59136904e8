"""A normalised transcript written out: the downloadable WebVTT, SRT, plain text and Podcast
Index JSON (the episode page's transcript is the theme's, :mod:`generator.transcripts.page`).

Every format but plain text needs an end time for each cue; where the source gave none, a cue
ends where the next one starts, and the last one at the episode's end (or 5 s after its start).

These run for every segment of an archive on every cold build, so they are written for speed
(see :func:`render_all`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Sequence
from html import escape
from itertools import compress, repeat
from json.encoder import encode_basestring as encode  # the C function behind json.dumps
from operator import and_, attrgetter, floordiv, is_not, itemgetter, mod, ne
from typing import NamedTuple

from generator.models import Chapter, Transcript
from generator.timecodes import clock

LAST_CUE_MS = 5000
_END = attrgetter("end_ms")


class Forms(NamedTuple):
    """A transcript written out: each download as the bytes of its file (UTF-8), ready to be
    written."""

    vtt: bytes
    srt: bytes
    txt: bytes
    json: bytes


DOWNLOADS = ("vtt", "srt", "txt", "json")  # transcript.vtt ... beside the episode's page
# The downloads a site builds as files unless site.yaml's transcript_files says otherwise: WebVTT,
# which Apple Podcasts and most Podcasting 2.0 apps read (with its speakers), and Podcast Index
# JSON, which the apps that read no WebVTT read (and the search index). The page makes the other
# forms in the browser from one of these (layouts/assets/transcript-forms.js), not from SRT or text,
# which lose who said what.
BUILT_BY_DEFAULT = ("vtt", "json")
SOURCES = ("vtt", "json")


def ends(transcript: Transcript, duration_ms: int | None) -> list[int]:
    """The end of each segment, filled in where the source had none."""
    segments = transcript.segments
    given = list(map(_END, segments))
    if None not in given:  # WebVTT, SRT and JSON give every end
        return given
    result = []
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        if segment.end_ms is not None:
            result.append(segment.end_ms)
            continue
        following = segments[index + 1].start_ms if index < last else None
        if following is not None and following > segment.start_ms:
            result.append(following)
        elif following is None and duration_ms is not None and duration_ms > segment.start_ms:
            result.append(duration_ms)
        else:
            result.append(segment.start_ms + LAST_CUE_MS)
    return result


_THREE = [f"{n:03d}" for n in range(1000)]
_DOT = [f".{n:03d}" for n in range(1000)]  # WebVTT's milliseconds
_COMMA = [f",{n:03d}" for n in range(1000)]  # SRT's
FRACTIONS = [f".{n:03d}".rstrip("0") if n else "" for n in range(1000)]  # 500 -> ".5"


class _Memo(dict[int, str]):
    """Text for each whole second, made on first use and kept (up to ``KEEP`` entries, so a
    hostile end time costs no memory)."""

    KEEP = 50_000  # about 14 hours

    def __init__(self, make: Callable[[int], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, second: int) -> str:
        text = self.make(second)
        if len(self) < self.KEEP:
            self[second] = text
        return text


def _hms(total: int) -> str:
    hours, rest = divmod(total, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


_STAMPS = _Memo(_hms)  # HH:MM:SS, as WebVTT and SRT write it
LABELS = _Memo(lambda total: clock(total * 1000))  # 1:23 or 1:02:03, as a listener reads it
SECONDS = _Memo(str)


def _stamp(ms: int) -> str:
    """``HH:MM:SS.mmm`` (WebVTT; SRT swaps the dot for a comma)."""
    return f"{_STAMPS[ms // 1000]}.{_THREE[ms % 1000]}"


def render_all(
    transcript: Transcript,
    duration_ms: int | None,
    chapters: Sequence[Chapter] = (),
    kinds: Collection[str] = DOWNLOADS,
) -> Forms:
    """The downloads of a transcript named in ``kinds`` (of :data:`DOWNLOADS`: ``vtt``,
    ``srt``, ``txt``, ``json``; those not named are left empty, as a site writes as files only
    the forms ``transcript_files`` names).

    This is one of the hottest loops of a cold build, so it runs column by column: each field
    of every segment made by a ``map`` over tables (times are looked up, not formatted; texts
    are escaped all at once), then each download's rows by one f-string per segment.
    ``tests/reference.py`` keeps the plain loop that the tests hold it to. (``chapters`` is
    accepted for the callers' sake: no download marks them.)
    """
    segments = transcript.segments
    count = len(segments)
    thousand = repeat(1000)
    starts = list(map(_START, segments))
    finishes = ends(transcript, duration_ms)
    texts = list(map(_TEXT, segments))
    speakers = list(map(_SPEAKER, segments))
    wholes = list(map(floordiv, starts, thousand))
    millis = list(map(mod, starts, thousand))
    end_wholes = list(map(floordiv, finishes, thousand))
    end_millis = list(map(mod, finishes, thousand))
    stamp, frac = _STAMPS.__getitem__, FRACTIONS.__getitem__
    fractions = list(map(frac, millis))
    # Each speaker's WebVTT voice and JSON field, and the text with the speaker named where the
    # speaker changes (SRT, text); None names nobody.
    named = texts
    if speakers.count(None) != count:
        voice = {s: f"<v {escape(s, quote=False)}>" if s else "" for s in set(speakers)}
        who = {s: f'"speaker":{encode(s)},' if s else "" for s in voice}
        voices = list(map(voice.__getitem__, speakers))
        whos = list(map(who.__getitem__, speakers))
        changed = map(
            and_, map(is_not, speakers, repeat(None)), map(ne, speakers, [None, *speakers[:-1]])
        )
        named = texts.copy()
        for index in compress(range(count), changed):
            named[index] = f"{speakers[index]}: {texts[index]}"
    else:
        voices = whos = [""] * count
    vtt = srt = txt = js = b""
    if "vtt" in kinds:
        dot = _DOT.__getitem__
        rows = [
            f"\n{anchor}\n{begin}{begin_ms} --> {end}{end_ms}\n{voice}{text}\n"
            for anchor, begin, begin_ms, end, end_ms, voice, text in zip(
                map(_ANCHOR, segments),
                map(stamp, wholes),
                map(dot, millis),
                map(stamp, end_wholes),
                map(dot, end_millis),
                voices,
                escaped(texts),
                strict=True,
            )
        ]
        vtt = ("WEBVTT\n" + "".join(rows)).encode()
    if "srt" in kinds:
        comma = _COMMA.__getitem__
        rows = [
            f"{number}\n{begin}{begin_ms} --> {end}{end_ms}\n{text}\n\n"
            for number, begin, begin_ms, end, end_ms, text in zip(
                range(1, count + 1),
                map(stamp, wholes),
                map(comma, millis),
                map(stamp, end_wholes),
                map(comma, end_millis),
                named,
                strict=True,
            )
        ]
        srt = "".join(rows).encode()
    if "txt" in kinds:
        rows = [
            f"{label}{fraction} {text}\n"
            for label, fraction, text in zip(
                map(LABELS.__getitem__, wholes), fractions, named, strict=True
            )
        ]
        txt = "".join(rows).encode()
    if "json" in kinds:
        seconds = SECONDS.__getitem__
        rows = [
            f'{{{who}"startTime":{begin}{fraction},"endTime":{end}{end_fraction},'
            f'"body":{encode(text)}}}'
            for who, begin, fraction, end, end_fraction, text in zip(
                whos,
                map(seconds, wholes),
                fractions,
                map(seconds, end_wholes),
                map(frac, end_millis),
                texts,
                strict=True,
            )
        ]
        js = ('{"version":"1.0.0","segments":[' + ",".join(rows) + "]}\n").encode()
    return Forms(vtt, srt, txt, js)


_START, _TEXT, _SPEAKER, _ANCHOR = (itemgetter(n) for n in (0, 2, 3, 4))  # of a Segment


def escaped(texts: list[str]) -> list[str]:
    """Each text with ``&``, ``<`` and ``>`` escaped: all at once, in one string."""
    joined = "\0".join(texts)
    if "&" not in joined and "<" not in joined and ">" not in joined:
        return texts
    result = escape(joined, quote=False).split("\0")
    if len(result) == len(texts):
        return result
    return [escape(text, quote=False) for text in texts]  # a text held a NUL


def render_untimed(transcript: Transcript) -> bytes:
    """A transcript without times as its text download: paragraphs apart, each speaker named
    where the speaker changes, as in :func:`render_all`. (Its paragraphs on the page are the
    theme's, ``layouts/_paragraph.html``.)"""
    txt: list[str] = []
    shown: str | None = None
    for segment in transcript.segments:
        speaker, text = segment.speaker, segment.text
        txt.append(
            f"{speaker}: {text}\n\n" if speaker is not None and speaker != shown else f"{text}\n\n"
        )
        shown = speaker if speaker is not None else shown
    return "".join(txt).rstrip("\n").encode() + b"\n"


_TIMES = re.compile(r"(\d+):(\d\d):(\d\d)\.(\d{3}) --> (\d+):(\d\d):(\d\d)\.(\d{3})")


def segments_of(data: bytes) -> list[dict[str, object]]:
    """The segments of a ``transcript.json`` or ``transcript.vtt`` that :func:`render_all`
    wrote, as the JSON has them (``speaker`` where there is one, ``startTime``, ``endTime``,
    ``body``; whole seconds as integers): the search index reads whichever the site builds."""
    if not data.startswith(b"WEBVTT"):
        return json.loads(data)["segments"] if data else []
    segments: list[dict[str, object]] = []
    for block in data.decode("utf-8").split("\n\n")[1:]:
        _, times, text = block.rstrip("\n").split("\n", 2)
        found = _TIMES.fullmatch(times)
        assert found is not None, f"not a cue of this module's WebVTT: {times!r}"
        h, m, s, ms, h2, m2, s2, ms2 = map(int, found.groups())
        segment: dict[str, object] = {}
        if text.startswith("<v "):
            voice, text = text[3:].split(">", 1)
            segment["speaker"] = _unescape(voice)
        segment["startTime"] = _number(((h * 60 + m) * 60 + s) * 1000 + ms)
        segment["endTime"] = _number(((h2 * 60 + m2) * 60 + s2) * 1000 + ms2)
        segment["body"] = _unescape(text)
        segments.append(segment)
    return segments


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _number(ms: int) -> int | float:
    """Milliseconds as JSON reads the seconds :func:`render_all` wrote: ``83`` or ``83.456``."""
    return ms // 1000 if ms % 1000 == 0 else ms / 1000
