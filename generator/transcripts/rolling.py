"""Rolling captions (YouTube's automatic captions) recognised and collapsed, one line per cue.

YouTube's auto-generated WebVTT shows two lines at a time. Each cue repeats the line the cue
before it added and adds a new one, whose words are timed by inline tags
(``word<00:00:01.234><c> word</c>``), and between two such cues a 10 ms cue holds the finished
line alone. Read cue by cue, every phrase comes out two or three times. Converters (ffmpeg,
``yt-dlp --convert-subs srt``) keep that shape and drop the tags, so it is recognised here on
the cues any reader made, by their text alone: cue after cue begins with the words the cue
before it ended with. Each cue then keeps only the words it adds, with its own times (its
new line's first word is spoken at the cue's start: the inline tags time the words after it);
a cue that adds nothing (the 10 ms cues) is dropped.
"""

from __future__ import annotations

from generator.transcripts.cues import Cue

SAMPLE = 24  # pairs of neighbouring cues looked at, evenly spread over the file
MIN_CUES = 4


def collapse(cues: list[Cue]) -> list[Cue]:
    """``cues`` with the words each repeats from the cue before it removed, and cues left empty
    dropped, if they roll; else ``cues`` itself."""
    if not rolls(cues):
        return cues
    kept: list[Cue] = []
    keep, new = kept.append, tuple.__new__
    before = ""
    for cue in cues:
        start, end, text, speaker, line = cue
        cut = overlap(before, text)
        before = text
        if cut < len(text):
            keep(new(Cue, (start, end, text[cut:].lstrip(" "), speaker, line)) if cut else cue)
    return kept


def rolls(cues: list[Cue]) -> bool:
    """Whether most neighbouring cues overlap (the second begins with words the first ends
    with), judged on up to ``SAMPLE`` evenly spread pairs. In a transcript of speech that
    happens now and then ("Right." / "Right, so ..."); in rolling captions nearly always."""
    count = len(cues)
    if count < MIN_CUES:
        return False
    pairs = range(1, count, max(1, (count - 1) // SAMPLE))
    overlapping = 0
    for i in pairs:
        before, text = cues[i - 1][2], cues[i][2]
        if before[before.rfind(" ") + 1 :] in text and overlap(before, text):  # see overlap
            overlapping += 1
    return overlapping * 2 > len(pairs)


def overlap(before: str, text: str) -> int:
    """The length of the longest run of whole words that ends ``before`` and begins ``text``
    (0 for none). Both are single-spaced, as every reader leaves cue text."""
    if not before or not text:
        return 0
    last = before[before.rfind(" ") + 1 :]
    if last not in text:  # every overlap ends with before's last word
        return 0
    start = 0
    while True:
        length = len(before) - start
        if text.startswith(before[start:]) and (len(text) == length or text[length] == " "):
            return length
        start = before.find(" ", start) + 1
        if not start:
            return 0
