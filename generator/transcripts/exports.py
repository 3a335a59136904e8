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
from collections.abc import Callable, Sequence
from html import escape
from json.encoder import encode_basestring as encode  # the C function behind json.dumps
from operator import attrgetter
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
_FRAC = [f".{n:03d}".rstrip("0") if n else "" for n in range(1000)]  # 500 -> ".5"


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
_LABELS = _Memo(lambda total: clock(total * 1000))  # 1:23 or 1:02:03, as a listener reads it
_SECONDS = _Memo(str)


def _stamp(ms: int) -> str:
    """``HH:MM:SS.mmm`` (WebVTT; SRT swaps the dot for a comma)."""
    return f"{_STAMPS[ms // 1000]}.{_THREE[ms % 1000]}"


def render_all(
    transcript: Transcript, duration_ms: int | None, chapters: Sequence[Chapter] = ()
) -> Forms:
    """Every download of a transcript in one pass: ``vtt``, ``srt``, ``txt`` and ``json``.

    This is one of the hottest loops of a cold build: each time is looked up in tables rather
    than formatted, and a segment without a speaker takes a shorter path.
    ``tests/reference.py`` keeps the plain version that the tests hold it to. (``chapters``
    is accepted for the callers' sake: no download marks them.)
    """
    finishes = ends(transcript, duration_ms)
    vtt: list[str] = []
    srt: list[str] = []
    txt: list[str] = []
    js: list[str] = []
    add_vtt, add_srt, add_txt, add_js = (
        vtt.append,
        srt.append,
        txt.append,
        js.append,
    )
    stamps, labels, seconds = _STAMPS, _LABELS, _SECONDS
    three, frac = _THREE, _FRAC
    previous: str | None = None  # the speaker of the segment before (SRT, text)
    for number, ((start, _, text, speaker, anchor, _), end) in enumerate(
        zip(transcript.segments, finishes, strict=True), 1
    ):
        whole, millis = start // 1000, start % 1000
        end_whole, end_millis = end // 1000, end % 1000
        label, fraction = labels[whole], frac[millis]
        begins = seconds[whole] + fraction
        times = f"{stamps[whole]}.{three[millis]} --> {stamps[end_whole]}.{three[end_millis]}"
        if "&" in text or "<" in text or ">" in text:
            safe = escape(text, quote=False)
        else:
            safe = text
        finish = seconds[end_whole] + frac[end_millis]
        if speaker is None:
            add_vtt(f"\n{anchor}\n{times}\n{safe}\n")
            add_srt(f"{number}\n{times.replace('.', ',')}\n{text}\n\n")
            add_txt(f"{label}{fraction} {text}\n")
            add_js(f'{{"startTime":{begins},"endTime":{finish},"body":{encode(text)}}}')
        else:
            named = text if speaker == previous else f"{speaker}: {text}"
            voice = f"<v {escape(speaker, quote=False)}>" if speaker else ""
            add_vtt(f"\n{anchor}\n{times}\n{voice}{safe}\n")
            add_srt(f"{number}\n{times.replace('.', ',')}\n{named}\n\n")
            add_txt(f"{label}{fraction} {named}\n")
            who = f'"speaker":{encode(speaker)},' if speaker else ""
            add_js(f'{{{who}"startTime":{begins},"endTime":{finish},"body":{encode(text)}}}')
        previous = speaker
    return Forms(
        ("WEBVTT\n" + "".join(vtt)).encode(),
        "".join(srt).encode(),
        "".join(txt).encode(),
        ('{"version":"1.0.0","segments":[' + ",".join(js) + "]}\n").encode(),
    )


def render_untimed(transcript: Transcript) -> tuple[str, bytes]:
    """A transcript without times: the page's paragraphs (each anchored ``p1`` ..., the speaker
    named where it changes, as in :func:`render_all`) and the text download."""
    html: list[str] = []
    txt: list[str] = []
    shown: str | None = None
    for segment in transcript.segments:
        speaker, text = segment.speaker, segment.text
        if speaker is not None and speaker != shown:
            html.append(f'<p class="speaker">{escape(speaker)}</p>\n')
        html.append(
            f'<p class="para" id="{segment.anchor}"><span class="text">{escape(text)}</span></p>\n'
        )
        txt.append(
            f"{speaker}: {text}\n\n" if speaker is not None and speaker != shown else f"{text}\n\n"
        )
        shown = speaker if speaker is not None else shown
    return "".join(html), "".join(txt).rstrip("\n").encode() + b"\n"


def link_speakers(html: str, pages: dict[str, str]) -> str:
    """An untimed transcript's paragraphs with each speaker's name (``<p class="speaker">``, as
    :func:`render_untimed` writes it) a link to that person's page. (A timed transcript's
    segments are the theme's, :mod:`generator.transcripts.page`, which links them itself.)"""
    for name, url in pages.items():
        named = escape(name)
        html = html.replace(
            f'<p class="speaker">{named}</p>',
            f'<p class="speaker"><a href="{escape(url)}">{named}</a></p>',
        )
    return html


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
