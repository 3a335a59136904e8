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
_FRAC = [f".{n:03d}".rstrip("0") if n else "" for n in range(1000)]  # 500 -> ".5"


def _stamp(ms: int) -> str:
    """``HH:MM:SS.mmm`` (WebVTT; SRT swaps the dot for a comma)."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{_TWO[minutes]}:{_TWO[seconds]}.{_THREE[millis]}"


def render_all(
    transcript: Transcript, duration_ms: int | None, chapters: Sequence[Chapter] = ()
) -> dict[str, str]:
    """Every form of a transcript in one pass: ``html`` (the episode page's transcript: a
    paragraph per segment with its time anchor and link, the speaker's name where it changes,
    a heading where each chapter starts), ``vtt``, ``srt``, ``txt`` and ``json``."""
    html: list[str] = []
    vtt: list[str] = ["WEBVTT\n"]
    srt: list[str] = []
    txt: list[str] = []
    js: list[str] = []
    add_html, add_vtt, add_srt, add_txt, add_js = (
        html.append,
        vtt.append,
        srt.append,
        txt.append,
        js.append,
    )
    two, frac = _TWO, _FRAC
    previous: str | None = None  # the speaker of the segment before (SRT, text)
    shown: str | None = None  # the speaker last named on the page (again after a chapter)
    pending = list(chapters)
    number = 0
    for segment, end in zip(transcript.segments, ends(transcript, duration_ms), strict=True):
        start, _, text, speaker, anchor, _ = segment
        while pending and pending[0].start_ms <= start:
            add_html(f'<h3 class="chapter-heading">{escape(pending.pop(0).title)}</h3>\n')
            shown = None
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
        if speaker is not None and speaker != shown:
            add_html(f'<p class="speaker">{escape(speaker)}</p>\n')
        shown = speaker
        add_html(
            f'<p class="seg" id="{anchor}" data-t="{begins}"><a class="ts" href="#{anchor}">'
            f'{label}</a> <span class="text">{safe}</span></p>\n'
        )
        voice = f"<v {escape(speaker, quote=False)}>" if speaker else ""
        add_vtt(f"\n{anchor}\n{first}.{start_ms} --> {last}.{end_ms3}\n{voice}{safe}\n")
        number += 1
        add_srt(f"{number}\n{first},{start_ms} --> {last},{end_ms3}\n{named}\n\n")
        add_txt(f"{label}{frac[millis]} {named}\n")
        who = f'"speaker":{encode(speaker)},' if speaker else ""
        add_js(f'{{{who}"startTime":{begins},"endTime":{finish},"body":{encode(text)}}}')
        previous = speaker
    return {
        "html": "".join(html),
        "vtt": "".join(vtt),
        "srt": "".join(srt),
        "txt": "".join(txt),
        "json": '{"version":"1.0.0","segments":[' + ",".join(js) + "]}\n",
    }
