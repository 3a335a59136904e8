"""TTML transcripts (``.ttml``, ``.dfxp``): W3C TTML 1 and 2, its DFXP drafts, and Apple
Podcasts' TTML.

Each ``<p>`` is a segment: its ``begin``, its ``end`` (or ``begin`` plus ``dur``), its text with
``<br/>`` as a space, and its speaker from ``ttm:agent``, named by the ``<ttm:name>`` of the
``<ttm:agent xml:id=...>`` it points to (the id itself when the agent has no name). Time
expressions: clock times ``00:01:02.500`` and ``00:01:02:12`` (frames, with ``ttp:frameRate``,
``ttp:frameRateMultiplier`` and ``ttp:subFrameRate``), offsets ``62.5s``, ``1500ms``, ``1.5m``,
``1h``, ``30f`` and ``10000t`` (ticks, with ``ttp:tickRate``). A ``<p>`` without a ``begin`` of
its own starts with the first timed element inside it.

Times follow the spec: an element's ``begin`` and ``end`` count from its parent's ``begin``
(a ``<div begin="10s">`` moves its paragraphs by ten seconds). Apple writes absolute times on
every element instead (its ``<div begin>`` is the first paragraph's start), so a file declaring
an Apple namespace is read as Apple's players read it: every time counts from zero. Apple's
lenient forms are accepted too: ``1:02.500`` (minutes and seconds) and ``2.5`` (seconds, no
unit). Apple puts each word in a ``<span podcasts:unit="word">`` with nothing between the spans:
the words are joined with spaces into the paragraph's text (their own times are not kept yet).

Parsed by the standard library's expat, which builds no tree and never recurses, with every
document type declaration refused at its line before anything in it is read: no entity is ever
defined, so none is expanded and no file or URL is ever fetched. ``timeContainer="seq"``
(times that run on from the element before) and ``ttp:timeBase="clock"`` (wall-clock times)
are refused, as they do not say where in the audio a paragraph starts.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from generator.errors import Problems, TranscriptError
from generator.transcripts.cues import Cue, TimedWords

EXPECTED_TIME = (
    "expected a clock time like 00:01:02.500 or 00:01:02:12 (frames), or an offset like 62.5s, "
    "1500ms, 30f or 10000t"
)
_XML = "http://www.w3.org/XML/1998/namespace"
# Clock time (frames allowed); offset time with its metric, or bare seconds (Apple); minutes
# and seconds (Apple). One pattern, one match per time: Apple gives every word two.
_TIME = re.compile(
    r"(\d{1,9}):(\d{2}):(\d{2})(?:\.(\d{1,9})|:(\d{1,9})(?:\.(\d{1,9}))?)?"
    r"|(\d{1,15})(?:\.(\d{1,9}))?(h|ms|m|s|f|t)?"
    r"|(\d{1,9}):(\d{2})(?:\.(\d{1,9}))?"
)
_UNITS = {"h": 3_600_000, "m": 60_000, "ms": 1}  # milliseconds in one


class _Stop(Exception):
    """Raised inside an expat handler: the file is refused at ``line``."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class _Clock:
    """The document's timing parameters (``ttp:`` attributes of ``<tt>``), as fractions
    ``(numerator, denominator)`` of frames and ticks a second."""

    __slots__ = ("frame_rate", "sub_frame_rate", "tick_rate")

    def __init__(self) -> None:
        self.frame_rate = (30, 1)  # effective: ttp:frameRate times its multiplier
        self.sub_frame_rate = 1
        self.tick_rate = (1, 1)

    def ms(self, value: str) -> int:
        """Milliseconds of a time expression; ``ValueError`` saying what is wrong. Decimal
        forms are counted in whole numbers; frames and ticks exactly, as fractions."""
        match = _TIME.fullmatch(value.strip())
        if match is None:
            raise ValueError(EXPECTED_TIME)
        hours, minutes, secs, fraction, frames, sub, count, decimals, unit, mins, mss, mfrac = (
            match.groups()
        )
        if hours is not None:
            if int(minutes) > 59 or int(secs) > 59:
                raise ValueError("minutes and seconds must be 00-59")
            ms = (int(hours) * 3600 + int(minutes) * 60 + int(secs)) * 1000
            if fraction:
                return ms + _thousandths(fraction)
            if frames:
                rate, per = self.frame_rate
                if int(frames) * per >= rate:
                    shown = rate // per if rate % per == 0 else f"{rate / per:.3f}"
                    raise ValueError(f"frame {frames} is beyond the frame rate ({shown})")
                subframes = int(sub) if sub else 0
                count = (int(frames) * self.sub_frame_rate + subframes, self.sub_frame_rate)
                return ms + _per_second(count, self.frame_rate)
            return ms
        if count is not None:
            if unit is None or unit == "s":  # Apple writes seconds without the s
                return int(count) * 1000 + (_thousandths(decimals) if decimals else 0)
            places = 10 ** len(decimals) if decimals else 1
            number = (int(count) * places + (int(decimals) if decimals else 0), places)
            if unit in _UNITS:
                return _per_second(number, (1000, _UNITS[unit]))
            return _per_second(number, self.frame_rate if unit == "f" else self.tick_rate)
        if int(mss) > 59:
            raise ValueError("seconds must be 00-59")
        return (int(mins) * 60 + int(mss)) * 1000 + (_thousandths(mfrac) if mfrac else 0)


def _thousandths(digits: str) -> int:
    """Milliseconds of the decimal fraction of a second ``.digits``, rounded half to even."""
    if len(digits) <= 3:
        return int(digits.ljust(3, "0"))
    return _per_second((int(digits), 10 ** len(digits)), (1, 1))


def _per_second(count: tuple[int, int], rate: tuple[int, int]) -> int:
    """Milliseconds of ``count`` units (a fraction) at ``rate`` units a second, rounded half to
    even, exactly: whole numbers, no floats."""
    quotient, remainder = divmod(count[0] * 1000 * rate[1], count[1] * rate[0])
    twice = 2 * remainder
    divisor = count[1] * rate[0]
    if twice > divisor or (twice == divisor and quotient % 2):
        quotient += 1
    return quotient


class _Paragraph:
    __slots__ = ("line", "begin", "end", "agent", "words", "first", "last", "starts")

    def __init__(self, line: int, begin: int | None, end: int | None, agent: str | None) -> None:
        self.line = line
        self.begin = begin  # absolute milliseconds, when the <p> has its own begin
        self.end = end
        self.agent = agent
        self.words: list[str] = []
        self.first: int | None = None  # the earliest begin inside it
        self.last: int | None = None  # the latest end inside it
        self.starts: list[int] = []  # the begins of the spans inside it (word spans: words)


class _Frame:
    """An open element: what its children inherit."""

    __slots__ = ("local", "base", "timed", "agent", "text", "spaced", "opens")

    def __init__(
        self,
        local: str,
        base: int,  # where its children's times count from (absolute ms)
        timed: bool,  # it, or an element around it, has a begin
        agent: str | None,
        text: bool,  # its text belongs to a paragraph
        spaced: bool,  # an Apple word or sentence span: words around it are apart
        opens: bool,  # the <p> of the paragraph being read
    ) -> None:
        self.local = local
        self.base = base
        self.timed = timed
        self.agent = agent
        self.text = text
        self.spaced = spaced
        self.opens = opens


class _Reader:
    def __init__(self, path: str, parser: expat.XMLParserType) -> None:
        self.path = path
        self.parser = parser
        self.clock = _Clock()
        self.apple = False
        self.frames: list[_Frame] = []
        self.paragraph: _Paragraph | None = None
        self.cues: list[tuple[_Paragraph, int, int | None, str]] = []
        self.names: dict[str, str] = {}  # agent id -> name
        self.agent: str | None = None  # the <ttm:agent> being read
        self.name: list[str] | None = None  # the <ttm:name> being read
        self.full = False  # it is the agent's full name (type="full")
        self.stray: int | None = None

    @property
    def line(self) -> int:
        return self.parser.CurrentLineNumber

    def doctype(self, *args: object) -> None:
        raise _Stop(
            self.line,
            "the file has a document type declaration (<!DOCTYPE ...>); TTML needs none, and "
            "Cuepress refuses them so that no entity is ever defined or expanded (remove it)",
        )

    def namespace(self, prefix: str | None, uri: str) -> None:
        if "apple.com" in uri:  # podcasts.apple.com/transcript-ttml-internal, and the like
            self.apple = True

    def start(self, name: str, attributes: dict[str, str]) -> None:
        uri, _, local = name.rpartition(" ")
        plain: dict[str, str] = {}
        meta: dict[str, str] = {}
        for key, value in attributes.items():
            space, _, key_local = key.rpartition(" ")
            if not space:
                plain[key_local] = value
            elif space.endswith("#metadata"):
                meta[key_local] = value
            elif space.endswith("#parameter"):
                plain["ttp:" + key_local] = value
            elif space == _XML:
                plain["xml:" + key_local] = value
            elif "apple.com" in space:
                plain["apple:" + key_local] = value
        if not self.frames:
            if local != "tt":
                raise _Stop(
                    self.line,
                    f"not a TTML file: it starts with <{local}>, not "
                    '<tt xmlns="http://www.w3.org/ns/ttml">',
                )
            self.parameters(plain)
        if plain.get("timeContainer", "par").strip() == "seq":
            raise _Stop(
                self.line,
                'timeContainer="seq" is not read: its times run on from the element before, '
                'so they do not say where a paragraph starts (give each <p> its own begin="...")',
            )
        parent = self.frames[-1] if self.frames else None
        base = parent.base if parent is not None else 0
        timed = parent is not None and parent.timed
        agent = meta.get("agent") or (parent.agent if parent is not None else None)
        begin = end = None
        if "begin" in plain:
            begin = (0 if self.apple else base) + self.time(plain["begin"], "begin")
            timed = True
        if "end" in plain:
            end = (0 if self.apple else base) + self.time(plain["end"], "end")
        elif "dur" in plain and local != "body":
            end = (begin if begin is not None else base) + self.time(plain["dur"], "dur")
        if local == "agent" and uri.endswith("#metadata") and "xml:id" in plain:
            self.agent = plain["xml:id"].strip()
        elif local == "name" and uri.endswith("#metadata") and self.agent is not None:
            self.name = []
            self.full = plain.get("type", "full").strip() == "full"
        paragraph = self.paragraph
        opens = local == "p" and paragraph is None
        if opens:
            paragraph = self.paragraph = _Paragraph(self.line, begin, end, agent)
            text = True
        elif paragraph is not None and parent is not None and parent.text:
            text = local not in ("metadata", "set")
            if begin is not None and local == "span" and plain.get("apple:unit", "word") == "word":
                paragraph.starts.append(begin)  # a word's span (Apple's sentences are not)
            if begin is not None and (paragraph.first is None or begin < paragraph.first):
                paragraph.first = begin
            if end is not None and (paragraph.last is None or end > paragraph.last):
                paragraph.last = end
            if paragraph.agent is None and meta.get("agent"):
                paragraph.agent = meta["agent"]
        else:
            text = False
        spaced = plain.get("apple:unit", "").strip() in ("word", "sentence")
        if text and (local == "br" or spaced):
            assert paragraph is not None
            paragraph.words.append(" ")
        self.frames.append(
            _Frame(local, begin if begin is not None else base, timed, agent, text, spaced, opens)
        )

    def end(self, name: str) -> None:
        frame = self.frames.pop()
        paragraph = self.paragraph
        if frame.spaced and frame.text and paragraph is not None:
            paragraph.words.append(" ")
        if frame.local == "name" and self.name is not None and self.agent is not None:
            name = " ".join("".join(self.name).split())
            if name and (self.full or self.agent not in self.names):
                self.names[self.agent] = name  # a full name wins over a family or alias one
            self.name = None
        elif frame.local == "agent":
            self.agent = None
        elif frame.opens and paragraph is not None:
            self.paragraph = None
            self.finish(paragraph, frame)

    def data(self, text: str) -> None:
        frame = self.frames[-1] if self.frames else None
        if self.name is not None:
            self.name.append(text)
        elif frame is not None and frame.text and self.paragraph is not None:
            self.paragraph.words.append(text)
        elif (
            frame is not None
            and frame.local in ("body", "div")
            and self.stray is None
            and not text.isspace()
        ):
            # TTML keeps text in <p> and <span> only. Buffered text arrives just before the
            # next tag, where the parser's line is: count back to the first word's line.
            words = len(text) - len(text.lstrip())
            self.stray = self.line - text.count("\n") + text.count("\n", 0, words)

    def finish(self, paragraph: _Paragraph, frame: _Frame) -> None:
        words = " ".join("".join(paragraph.words).split())
        if not words:
            return
        start = paragraph.begin
        if start is None:
            start = paragraph.first
        if start is None and frame.timed:  # a <div begin> around it: it starts there
            start = frame.base
        if start is None:
            raise _Stop(
                paragraph.line,
                'a <p> without a begin time (give it one: <p begin="00:00:01.000" '
                'end="00:00:03.500">)',
            )
        end = paragraph.end if paragraph.end is not None else paragraph.last
        self.cues.append((paragraph, start, end, words))

    def time(self, value: str, attribute: str) -> int:
        try:
            return self.clock.ms(value)
        except ValueError as exc:
            raise _Stop(self.line, f'bad TTML time {attribute}="{value[:40]}": {exc}') from None

    def parameters(self, attributes: dict[str, str]) -> None:
        """Read the timing parameters of ``<tt>``."""
        if attributes.get("ttp:timeBase", "media").strip() == "clock":
            raise _Stop(
                self.line,
                'ttp:timeBase="clock" (wall-clock times) is not read: such times do not say '
                'where in the audio a paragraph starts (use ttp:timeBase="media")',
            )
        rate = self.whole(attributes, "ttp:frameRate", 30)
        sub = self.whole(attributes, "ttp:subFrameRate", 1)
        numerator, denominator = 1, 1
        if "ttp:frameRateMultiplier" in attributes:
            parts = attributes["ttp:frameRateMultiplier"].split()
            if len(parts) != 2 or not all(p.isdigit() and 0 < int(p) < 10**6 for p in parts):
                raise _Stop(
                    self.line,
                    f"bad ttp:frameRateMultiplier {attributes['ttp:frameRateMultiplier'][:40]!r} "
                    '(expected two whole numbers, like "1000 1001")',
                )
            numerator, denominator = int(parts[0]), int(parts[1])
        self.clock.frame_rate = (rate * numerator, denominator)
        self.clock.sub_frame_rate = sub
        if "ttp:tickRate" in attributes:
            self.clock.tick_rate = (self.whole(attributes, "ttp:tickRate", 1), 1)
        elif "ttp:frameRate" in attributes:
            self.clock.tick_rate = (rate * sub, 1)

    def whole(self, attributes: dict[str, str], key: str, default: int) -> int:
        value = attributes.get(key, str(default)).strip()
        if not value.isdigit() or not 0 < int(value) < 10**9:
            raise _Stop(self.line, f"bad {key} {value[:40]!r} (expected a whole number above 0)")
        return int(value)


def parse(text: str, path: str, problems: Problems) -> list[Cue]:
    """Read the segments of a TTML file."""
    parser = expat.ParserCreate(namespace_separator=" ")
    reader = _Reader(path, parser)
    parser.StartDoctypeDeclHandler = reader.doctype
    parser.EntityDeclHandler = reader.doctype  # never reached: a declaration needs a DOCTYPE
    parser.StartNamespaceDeclHandler = reader.namespace
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.data
    parser.buffer_text = True
    try:
        parser.Parse(text, True)
    except _Stop as exc:
        raise TranscriptError(path, exc.line, str(exc)) from None
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code)
        hint = (
            " (XML knows only &amp; &lt; &gt; &quot; &apos;: write the character itself, or "
            "a number like &#160;)"
            if reason == "undefined entity"
            else " (is the file complete? is it XML at all?)"
        )
        raise TranscriptError(
            path, exc.lineno, f"not well-formed XML: {reason} at column {exc.offset + 1}{hint}"
        ) from None
    if not reader.cues:
        raise TranscriptError(
            path, 1, 'no <p> with text found (expected <p begin="00:00:01.000">text</p>)'
        )
    if reader.stray is not None:
        problems.warn(path, reader.stray, "ignored text outside <p> (put it in a <p begin=...>)")
    names = reader.names
    cues = [
        Cue(start, end, words, _speaker(paragraph.agent, names), paragraph.line)
        for paragraph, start, end, words in reader.cues
    ]
    # Word spans (Apple's, one word each with its begin): when each word was said.
    timed = {
        (paragraph.line, start): tuple(paragraph.starts)
        for paragraph, start, _, words in reader.cues
        if len(paragraph.starts) > 1 and len(paragraph.starts) == len(words.split())
    }
    if not timed:
        return cues
    result = TimedWords(cues)
    result.words = timed
    return result


def _speaker(agent: str | None, names: dict[str, str]) -> str | None:
    """The name of the agent(s) ``ttm:agent`` points to (IDREFS: one id or several)."""
    if not agent:
        return None
    ids = agent.split()
    return " & ".join(names.get(i, i) for i in ids) or None
