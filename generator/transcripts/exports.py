"""A normalised transcript written out: the episode page's transcript markup, and the
downloadable WebVTT, SRT, plain text and Podcast Index JSON.

Every format but plain text needs an end time for each cue; where the source gave none, a cue
ends where the next one starts, and the last one at the episode's end (or 5 s after its start).

These run for every segment of an archive on every cold build, so they build strings in one
pass with f-strings and format each time once; the page markup is made here rather than in a
Jinja loop, which is ten times slower for a thousand segments.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from json.encoder import encode_basestring as encode  # the C function behind json.dumps

from generator.models import Chapter, Transcript

LAST_CUE_MS = 5000


def ends(transcript: Transcript, duration_ms: int | None) -> list[int]:
    """The end of each segment, filled in where the source had none."""
    segments = transcript.segments
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


_TWO = [f"{n:02d}" for n in range(100)]
_THREE = [f"{n:03d}" for n in range(1000)]


def _stamp(ms: int) -> str:
    """``HH:MM:SS.mmm`` (WebVTT; SRT swaps the dot for a comma)."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{_TWO[minutes]}:{_TWO[seconds]}.{_THREE[millis]}"


def _clock(seconds: int) -> str:
    """``1:23`` or ``1:02:03`` (as :func:`generator.timecodes.clock`, for whole seconds)."""
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}:{_TWO[seconds]}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{_TWO[minutes]}:{_TWO[seconds]}"


def render_all(
    transcript: Transcript, duration_ms: int | None, chapters: Sequence[Chapter] = ()
) -> dict[str, str]:
    """Every form of a transcript in one pass: ``html`` (the episode page's transcript: a
    paragraph per segment with its time anchor and link, the speaker's name where it changes,
    a heading where each chapter starts), ``vtt``, ``srt``, ``txt`` and ``json``."""
    html, vtt, srt, txt, js = [], ["WEBVTT\n"], [], [], []
    previous: str | None = None  # the speaker of the segment before (SRT, text)
    shown: str | None = None  # the speaker last named on the page (again after a chapter)
    pending = list(chapters)
    number = 0
    for segment, end in zip(transcript.segments, ends(transcript, duration_ms), strict=True):
        start, _, text, speaker, anchor, _ = segment
        while pending and pending[0].start_ms <= start:
            html.append(f'<h3 class="chapter-heading">{escape(pending.pop(0).title)}</h3>\n')
            shown = None
        seconds, millis = divmod(start, 1000)
        begins = f"{seconds}.{_THREE[millis]}".rstrip("0") if millis else str(seconds)
        end_s, end_ms = divmod(end, 1000)
        finish = f"{end_s}.{_THREE[end_ms]}".rstrip("0") if end_ms else str(end_s)
        label = _clock(seconds)
        first, last = _stamp(start), _stamp(end)
        safe = escape(text, quote=False)
        named = f"{speaker}: {text}" if speaker is not None and speaker != previous else text
        if speaker is not None and speaker != shown:
            html.append(f'<p class="speaker">{escape(speaker)}</p>\n')
        shown = speaker
        html.append(
            f'<p class="seg" id="{anchor}" data-t="{begins}"><a class="ts" href="#{anchor}">'
            f'{label}</a> <span class="text">{safe}</span></p>\n'
        )
        voice = f"<v {escape(speaker, quote=False)}>" if speaker else ""
        vtt.append(f"\n{anchor}\n{first} --> {last}\n{voice}{safe}\n")
        number += 1
        srt.append(f"{number}\n{first[:8]},{first[9:]} --> {last[:8]},{last[9:]}\n{named}\n\n")
        exact = f"{label}.{_THREE[millis].rstrip('0')}" if millis else label
        txt.append(f"{exact} {named}\n")
        who = f'"speaker":{encode(speaker)},' if speaker else ""
        js.append(f'{{{who}"startTime":{begins},"endTime":{finish},"body":{encode(text)}}}')
        previous = speaker
    return {
        "html": "".join(html),
        "vtt": "".join(vtt),
        "srt": "".join(srt),
        "txt": "".join(txt),
        "json": '{"version":"1.0.0","segments":[' + ",".join(js) + "]}\n",
    }


def to_vtt(transcript: Transcript, duration_ms: int | None) -> str:
    return render_all(transcript, duration_ms)["vtt"]


def to_srt(transcript: Transcript, duration_ms: int | None) -> str:
    return render_all(transcript, duration_ms)["srt"]


def to_txt(transcript: Transcript) -> str:
    return render_all(transcript, None)["txt"]


def to_json(transcript: Transcript, duration_ms: int | None) -> str:
    return render_all(transcript, duration_ms)["json"]


def to_html(transcript: Transcript, chapters: Sequence[Chapter] = ()) -> str:
    return render_all(transcript, None, chapters)["html"]
