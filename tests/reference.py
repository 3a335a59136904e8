"""Reference implementations: the straightforward one-loop versions of Cuepress's speed-tuned
exporter, WebVTT fast path and merging of readable segments, kept as oracles. The tests check
that the tuned code gives exactly what these give, on the test transcripts and on random ones
(hypothesis); nothing in the package imports this module. (``normalise`` keeps its loop in
the package, as ``_normalise_loop``, for the cues its fast path declines; the tests compare
the two there.)
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
    return Forms(
        "".join(html),
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
# Between two cues: blank lines, then at most one cue identifier line.
_GAP = re.compile(r"\n+(?:[^\n]+\n)?")


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
