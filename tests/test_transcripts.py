"""Transcript readers: every format, the spec's edge cases and real archives' defects."""

from __future__ import annotations

import codecs
import html
import io
import json
import re
from pathlib import Path

import pytest
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import build
from generator.errors import Problems, TranscriptError
from generator.models import Chapter, Segment, Transcript
from generator.transcripts import exports, jsonfile, read_file, vtt
from generator.transcripts.cues import (
    Cue,
    _normalise_loop,
    _normalise_plain,
    normalise,
    split_label,
)
from tests import reference
from tests.conftest import MakeSite, record


def read(tmp_path: Path, name: str, content: str | bytes) -> tuple[Transcript, list[str]]:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    problems = Problems()
    transcript = read_file(path, name, problems)
    assert problems.errors == []
    return transcript, [str(p) for p in problems.warnings]


def rows(transcript: Transcript) -> list[tuple[int, int | None, str | None, str]]:
    return [(s.start_ms, s.end_ms, s.speaker, s.text) for s in transcript.segments]


def fails(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    with pytest.raises(TranscriptError) as info:
        read_file(path, name, Problems())
    return str(info.value)


def left_out_or_lenient(warnings: list[str]) -> int:
    """How many cues WebVTT warnings say were left out, or read though browsers leave them out
    (a warning names the first line of its kind, and counts the rest)."""
    total = 0
    for warning in warnings:
        if "was left out" in warning or "though browsers leave such cues out" in warning:
            more = re.search(r", and (\d+) more like it", warning)
            total += 1 + (int(more.group(1)) if more else 0)
    return total


# Timestamps as files write them: the spec's forms, mistakes browsers refuse, and the lenient
# forms Cuepress reads with a warning (bare seconds, a comma before the milliseconds).
STAMPS = [
    "00:01.000",
    "00:00:02.500",
    "1:00:00.000",
    "123:00:00.000",
    "00:59.999",
    "0:01.000",
    "00:60.000",
    "60:00.000",
    "00:01.00",
    "00:01.0000",
    "00:01",
    "0.860",
    "7,380",
    "00:00:01,000",
    "x",
    "",
]
LENIENT = re.compile(r"(?:^|[^:0-9])[0-9]+[.,][0-9]{3}|[0-9],[0-9]{3}")


VTT = """\
WEBVTT - an episode
Kind: captions

NOTE This is a comment
that spans two lines

STYLE
::cue { color: red }

intro
00:00:01.000 --> 00:00:04.500 align:start position:10%
<v Ana Ruiz>Hello &amp; welcome to <b>the</b> show.</v>

00:04.500 --> 00:07.000
<v.loud Bo>Thanks,
<i>Ana</i>.

01:02:03.250 --> 01:02:05.000
No voice here &lt;3
"""


class TestWebVTT:
    def test_reads_ids_voices_notes_styles_and_settings(self, tmp_path: Path) -> None:
        """Voices become speakers, tags go, entities decode, NOTE/STYLE and settings are skipped."""
        transcript, warnings = read(tmp_path, "a.vtt", VTT)
        assert warnings == []
        assert rows(transcript) == [
            (1000, 4500, "Ana Ruiz", "Hello & welcome to the show."),
            (4500, 7000, "Bo", "Thanks, Ana."),
            (3723250, 3725000, None, "No voice here <3"),
        ]
        assert [s.line for s in transcript.segments] == [11, 14, 18]

    @settings(max_examples=500, deadline=None)
    @given(
        st.lists(
            st.one_of(
                st.tuples(
                    st.sampled_from(["", "7\n", "intro\n", "00:00:09.000 --> 00:00:10.000\n"]),
                    st.sampled_from(
                        [
                            "00:00:01.000",
                            "00:59:59.999",
                            "01:02:03.004",
                            "00:61:00.000",
                            "00:60:00.000",
                            "00:00:60.000",
                            "00:00:0\u0661.000",  # an Arabic-Indic digit: \\d, but not ASCII
                            "1:02:03.004",  # the spec's forms the fast paths leave
                            "100:00:00.000",
                            "00:01.000",
                            "0.860",  # Cuepress's leniencies
                            "00:00:01,000",
                        ]
                    ),
                    st.sampled_from(["", " align:start", "\tline:0", " x --> y", "x"]),
                    st.lists(
                        st.sampled_from(
                            [
                                "words",
                                "<v Ana>hi",
                                "a &amp; b",
                                "two  spaces",
                                "a-->b",
                                " \u3000wide\xa0",  # spaces str.strip knows, beyond ASCII
                                "\x1ctab\tin\x0b",
                                "café ☕",
                                "\U0001f600",
                            ]
                        ),
                        max_size=3,
                    ),
                ).map(lambda c: f"{c[0]}{c[1]} --> 00:00:02.500{c[2]}\n" + "\n".join(c[3])),
                st.sampled_from(["NOTE a comment", "stray text", "STYLE\n::cue {}", "00:01.000"]),
            ),
            min_size=1,
            max_size=8,
        ),
        st.lists(st.sampled_from(["\n\n", "\n\n\n", "\n"]), min_size=8, max_size=8),
        st.sampled_from(["", "\n", "\n\n\n", "\ntrailing"]),
    )
    def test_fast_path_equals_the_reference_and_the_spec_reader(
        self, blocks: list[str], gaps: list[str], end: str
    ) -> None:
        """On any mix of cues, ids, notes, stray text, settings, arrows and odd times the
        findall reader gives what the one-loop reader gave and the spec's line-by-line reader
        reads, or declines (None) and leaves the file to the latter."""
        text = "WEBVTT\n" + "".join(g + b for g, b in zip(gaps, blocks, strict=False)) + end
        fast, loop = vtt._parse_plain(text), reference.parse_plain(text)
        if fast is not None:
            assert fast == loop == vtt._parse_lines(text, "a.vtt", Problems())
        elif loop is not None:  # declined only for an arrow in a timing's settings
            assert text.count("-->") > len(loop)
        if fast is not None:
            assert vtt.parse(text, "a.vtt", Problems()) == fast

    @pytest.mark.parametrize(
        "body", ["tab\there", "wide\u3000space", "nbsp\xa0here", " edges ", "\x1cunit"]
    )
    def test_whitespace_inside_cue_text_reads_as_the_spec_reader_reads_it(self, body: str) -> None:
        """A tab or another space than ' ' inside a cue's text becomes one space, by the fast
        path as by the line reader (the fast path once kept the tab)."""
        text = f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{body}\n"
        expected = vtt._parse_lines(text, "a.vtt", Problems())
        assert vtt._parse_plain(text) == expected

    @settings(max_examples=3000, deadline=None)
    @given(
        st.lists(
            st.sampled_from(
                [
                    "\n",
                    "\n\n",
                    "\n\n00:00:01.000 --> 00:00:02.000\n",
                    "\n\n7\n00:01:00.500 --> 01:00:00.000 line:0\n",
                    "12:34:56.789",
                    " --> ",
                    "-->",
                    "<v Bo>",
                    "&lt;",
                    "  ",
                    " ",
                    "\t",
                    "\xa0",
                    "\u3000",
                    "word",
                    "é",
                    "9",
                    ":",
                    ".",
                ]
            ),
            max_size=30,
        ),
        st.sampled_from(["WEBVTT\n", "WEBVTT - title\nKind: captions\n"]),
    )
    def test_fast_path_on_jumbles_reads_as_the_line_reader(
        self, pieces: list[str], head: str
    ) -> None:
        """On any jumble of the pieces a cue is made of, the fast path reads exactly what the
        line-by-line reader reads, or declines."""
        text = head + "".join(pieces)
        fast = vtt._parse_plain(text)
        if fast is not None:
            assert fast == vtt._parse_lines(text, "a.vtt", Problems())

    @settings(max_examples=1500, deadline=None)
    @given(
        st.sampled_from(["WEBVTT", "WEBVTT\n", "WEBVTT - t\nKind: captions", "WEBVTT\t\n\n"]),
        st.lists(
            st.one_of(
                st.tuples(
                    st.sampled_from(["", " ", "\t", "\f", "\xa0"]),
                    st.sampled_from(STAMPS),
                    st.sampled_from([" --> ", "-->", "\t-->\f", " -- > ", " x --> ", "\v--> "]),
                    st.sampled_from(STAMPS),
                    st.sampled_from(["", " align:start", "x", " --> 1", "\fline:0", ".5", "0"]),
                ).map("".join),
                st.sampled_from(
                    ["", "", "", "words", "<v Ana>hi &amp; bye", "a --> b", "-->", "7", " "]
                    + ["NOTE", "NOTE x", "STYLE", "::cue {}", "REGION", "id:r"]
                ),
            ),
            max_size=14,
        ),
    )
    def test_line_reader_equals_the_spec_parser(self, head: str, lines: list[str]) -> None:
        """On any jumble of timing lines (good, bad and lenient), ids, text, blank lines and
        NOTE/STYLE/REGION blocks, the line-by-line reader reads every cue the spec's parser
        (tests/reference.parse_spec, which tests/test_vtt_chromium.py holds to Chromium) reads,
        with the same times and words; its only other cues are the lenient ones, at timings the
        spec refuses; and its warnings count every cue the spec refuses."""
        text = head + "\n" + "\n".join(lines)
        spec = reference.parse_spec(text)
        assert spec is not None
        problems = Problems()
        ours = {cue.line: cue for cue in vtt._parse_lines(text, "a.vtt", problems)}
        cues, failed = spec
        for start, end, raw, line in cues:
            cue = ours.pop(line)
            assert (cue.start_ms, cue.end_ms) == (start, end)
            assert (cue.speaker, cue.text) == vtt._cue_text(raw)
        assert set(ours) <= set(failed)
        lines_of = text.split("\n")
        for line in ours:
            assert LENIENT.search(lines_of[line - 1])
        assert left_out_or_lenient([p.message for p in problems.warnings]) == len(failed)
        assert vtt.parse(text, "a.vtt", Problems()) == vtt._parse_lines(text, "a.vtt", Problems())

    @pytest.mark.parametrize(
        "text",
        [
            VTT,
            "WEBVTT\n\n00:01.000 --> 00:02.000\none\n\n\n\n00:02.000 --> 00:03.500\ntwo\n",
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000 line:0\n<c.yellow>x</c> <00:00:01.500>y\n",
            "\ufeffWEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\n<v Al>a\r\nb\r\n",
            "WEBVTT\n\n100:00:00.000 --> 100:00:01.000\nlong\n",
        ],
    )
    def test_agrees_with_webvtt_py(self, tmp_path: Path, text: str) -> None:
        """Times, voices and text match the reference library (which leaves entities encoded)."""
        transcript, _ = read(tmp_path, "a.vtt", text)
        reference = webvtt.from_buffer(io.StringIO(text.lstrip("\ufeff")))

        def ms(stamp: str) -> int:
            clock, millis = stamp.split(".")
            hours, minutes, seconds = clock.split(":")
            return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)

        assert [(s.start_ms, s.end_ms, s.speaker, s.text) for s in transcript.segments] == [
            (ms(c.start), ms(c.end), c.voice, " ".join(html.unescape(c.text).split()))
            for c in reference
        ]

    def test_timing_right_after_header(self, tmp_path: Path) -> None:
        """A cue may follow the WEBVTT line directly (the spec allows it)."""
        transcript, _ = read(tmp_path, "a.vtt", "WEBVTT\n00:01.000 --> 00:02.000\nhi\n")
        assert rows(transcript) == [(1000, 2000, None, "hi")]

    def test_arrow_line_ends_cue_text(self, tmp_path: Path) -> None:
        """A line holding --> inside cue text starts a new cue, as in the spec."""
        text = "WEBVTT\n\n00:01.000 --> 00:02.000\none\n00:03.000 --> 00:04.000\ntwo\n"
        transcript, _ = read(tmp_path, "a.vtt", text)
        assert [s.text for s in transcript.segments] == ["one", "two"]

    def test_missing_header(self, tmp_path: Path) -> None:
        """A file without WEBVTT is refused, with a hint that it may be SRT."""
        message = fails(tmp_path, "a.vtt", "1\n00:00:01,000 --> 00:00:02,000\nhi\n")
        assert message == (
            "a.vtt:1: a WebVTT file must start with the line 'WEBVTT' (is it SRT? name it .srt)"
        )

    def test_srt_style_timing_imports_with_a_warning(self, tmp_path: Path) -> None:
        """A comma before the milliseconds (SRT's habit) is read, as Cuepress's own leniency
        (browsers drop such cues), with one warning for all such timings in the file."""
        text = (
            "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nhi\n\n"
            "00:00:03,000 --> 00:00:04,000 line:0\nthere\n"
        )
        transcript, warnings = read(tmp_path, "a.vtt", text)
        assert rows(transcript) == [(1000, 2000, None, "hi"), (3000, 4000, None, "there")]
        assert warnings == [
            "a.vtt:3: cue timing '00:00:01,000 --> 00:00:02,000' has a comma before the "
            "milliseconds (WebVTT takes a dot); it was imported, though browsers leave such cues "
            "out, and 1 more like it (write 00:00:01.000 --> 00:00:02.000)"
        ]

    def test_bare_seconds_import_with_a_warning(self, tmp_path: Path) -> None:
        """A real host's timings in bare seconds are read as seconds, with a warning."""
        text = "WEBVTT\n\n0.860 --> 7.380\nWelcome.\n\n3600.000 --> 3601,500\nAn hour.\n"
        transcript, warnings = read(tmp_path, "a.vtt", text)
        assert rows(transcript) == [
            (860, 7380, None, "Welcome."),
            (3600000, 3601500, None, "An hour."),
        ]
        assert warnings == [
            "a.vtt:3: cue timing '0.860 --> 7.380' is in bare seconds (WebVTT takes minutes and "
            "seconds); it was imported, though browsers leave such cues out, and 1 more like it "
            "(write 00:00.860 --> 00:07.380)"
        ]

    def test_one_digit_and_many_digit_hours(self, tmp_path: Path) -> None:
        """Hours take any number of digits, as browsers read them."""
        text = (
            "WEBVTT\n\n0:00:01.000 --> 0:00:02.000\na\n\n1:00:00.000 --> 1:00:01.000\nb\n\n"
            "0100:00:00.000 --> 100:00:01.000\nc\n"
        )
        transcript, warnings = read(tmp_path, "a.vtt", text)
        assert warnings == []
        assert rows(transcript) == [
            (1000, 2000, None, "a"),
            (3600000, 3601000, None, "b"),
            (360000000, 360001000, None, "c"),
        ]

    @pytest.mark.parametrize(
        ("timing", "message"),
        [
            (
                "00:00:61.000 --> 00:01:02.000",
                "the start time '00:00:61.000' has minutes or seconds above 59; the cue was "
                "left out, as browsers leave it out (write the start time as 00:01:01.000)",
            ),
            (
                "00:01.000 --> 0:02.000",
                "the end time '0:02.000' needs two digits of minutes and two of seconds; the cue "
                "was left out, as browsers leave it out (write the end time as 00:02.000)",
            ),
            (
                "00:01.000 --> 00:02.5",
                "the end time '00:02.5' needs exactly three digits of milliseconds; the cue was "
                "left out, as browsers leave it out (write the end time as 00:02.500)",
            ),
            (
                "00:01 --> 00:02",
                "the start time '00:01' has no milliseconds; the cue was left out, as browsers "
                "leave it out (write the start time as 00:01.000)",
            ),
            (
                "00:01.000 --> later",
                "no end time after '-->'; the cue was left out, as browsers leave it out (write "
                "a timing like 00:01:02.500 --> 00:01:05.000)",
            ),
            (
                "00:01.000 x --> 00:02.000",
                "no '-->' right after the start time; the cue was left out, as browsers leave it "
                "out (write a timing like 00:01:02.500 --> 00:01:05.000)",
            ),
            (
                "1" * 5000 + ":00:00.000 --> 00:00:02.000",
                "the start time '" + "1" * 30 + "' is later than browsers can hold (they read it "
                "as infinite); the cue was left out (a time must be below 2,562,047,788 hours)",
            ),
        ],
    )
    def test_a_cue_with_a_bad_timing_is_left_out(
        self, tmp_path: Path, timing: str, message: str
    ) -> None:
        """A cue whose timing browsers refuse is left out with a warning saying what is wrong
        and what would be right; the rest of the file is read."""
        text = f"WEBVTT\n\n{timing}\nlost\n\n00:00:03.000 --> 00:00:04.000\nkept\n"
        transcript, warnings = read(tmp_path, "a.vtt", text)
        assert rows(transcript) == [(3000, 4000, None, "kept")]
        shown = repr(timing[:60])
        assert warnings == [f"a.vtt:3: bad cue timing {shown}: {message}"]

    def test_every_cue_left_out_is_an_error(self, tmp_path: Path) -> None:
        """A file whose every cue has a bad timing has no transcript: an error, after the
        warnings that say why."""
        path = tmp_path / "a.vtt"
        path.write_text("WEBVTT\n\n00:00:60.000 --> 00:01:02.000\nhi\n")
        problems = Problems()
        with pytest.raises(TranscriptError) as info:
            read_file(path, "a.vtt", problems)
        assert str(info.value) == "a.vtt:1: no segments found in the transcript (add some)"
        assert [p.line for p in problems.warnings] == [3]

    def test_text_outside_cue_warns(self, tmp_path: Path) -> None:
        """Stray text is ignored, as the spec says, but reported."""
        text = "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n\njust some words\nmore\n"
        transcript, warnings = read(tmp_path, "a.vtt", text)
        assert len(transcript.segments) == 1
        assert warnings == [
            "a.vtt:6: ignored text outside a cue: 'just some words' "
            "(expected a cue timing like 00:01:02.500 --> 00:01:05.000)"
        ]

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.integers(0, 10 * 3600 * 1000),
                st.integers(0, 60_000),
                st.text(
                    alphabet=st.characters(blacklist_categories=("Cs", "Cc")),
                    min_size=1,
                    max_size=40,
                ).filter(lambda t: t.strip() and "-->" not in t),
            ),
            min_size=1,
            max_size=20,
        )
    )
    def test_export_reads_back(self, cues: list[tuple[int, int, str]]) -> None:
        """Whatever text a cue holds, our VTT export reads back to the same segments."""
        import tempfile

        body = "".join(
            f"\n{exports._stamp(s)} --> {exports._stamp(s + d + 1)}\n"
            f"{html.escape(t, quote=False)}\n"
            for s, d, t in sorted(cues, key=lambda c: c[0])
        )
        with tempfile.TemporaryDirectory() as folder:
            transcript, _ = read(Path(folder), "a.vtt", "WEBVTT\n" + body)
            again, _ = read(Path(folder), "b.vtt", exports.render_all(transcript, None).vtt)
        assert rows(again) == rows(transcript)


SRT = """\
1
00:00:01,000 --> 00:00:04,000
Ana Ruiz: Hello and <i>welcome</i>.

2
00:00:04,000 --> 00:00:06,500
Still Ana here,
on two lines.

3
00:00:07,000 --> 00:00:09,000
Bo: My turn.
"""


class TestSRT:
    def test_labels_name_speakers_until_the_next_label(self, tmp_path: Path) -> None:
        """Name: prefixes mark speaker changes; tags are removed; line numbers point at timings."""
        transcript, warnings = read(tmp_path, "a.srt", SRT)
        assert warnings == []
        assert rows(transcript) == [
            (1000, 4000, "Ana Ruiz", "Hello and welcome."),
            (4000, 6500, "Ana Ruiz", "Still Ana here, on two lines."),
            (7000, 9000, "Bo", "My turn."),
        ]
        assert [s.line for s in transcript.segments] == [2, 6, 11]

    def test_garbage_timing(self, tmp_path: Path) -> None:
        """A malformed cue is named with its line."""
        message = fails(tmp_path, "a.srt", SRT.replace("00:00:04,000 -->", "00:00:xx,000 -->"))
        assert message == (
            "a.srt:6: not a valid SRT cue: '00:00:xx,000 --> 00:00:06,500' (expected a number, "
            "then a timing like 00:01:02,500 --> 00:01:05,000, then text)"
        )


class TestJSON:
    def test_podcast_index(self, tmp_path: Path) -> None:
        """Podcast Index JSON: speaker, startTime, endTime (optional), body."""
        data = {
            "version": "1.0.0",
            "segments": [
                {"speaker": "Ana", "startTime": 0.5, "endTime": 2.25, "body": "Hi there"},
                {"startTime": 3, "body": " and  more "},
            ],
        }
        transcript, _ = read(tmp_path, "a.json", json.dumps(data, indent=2))
        assert rows(transcript) == [(500, 2250, "Ana", "Hi there"), (3000, None, None, "and more")]
        assert [s.line for s in transcript.segments] == [4, 10]

    def test_whisperx_labels_and_speaker_names(self, tmp_path: Path) -> None:
        """Whisper segments, WhisperX speaker fields and [SPEAKER_01]: labels in text."""
        data = {
            "segments": [
                {"start": 0.0, "end": 1.5, "text": " Hello.", "speaker": "SPEAKER_00", "words": []},
                {"start": 1.5, "end": 3.0, "text": "[SPEAKER_01]: Hi!"},
            ],
            "language": "en",
        }
        path = tmp_path / "w.json"
        path.write_text(json.dumps(data))
        transcript = read_file(
            path, "w.json", Problems(), {"SPEAKER_00": "Ana", "SPEAKER_01": "Bo"}
        )
        assert rows(transcript) == [(0, 1500, "Ana", "Hello."), (1500, 3000, "Bo", "Hi!")]

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (
                '{"segments": [{"startTime": 1, ',
                "w.json:1: invalid JSON: Expecting property name enclosed in double quotes "
                "(is the file complete?)",
            ),
            (
                "[1, 2]",
                f"w.json:1: no 'segments' list ({jsonfile.EXPECTED})",
            ),
            (
                '{"segments": [\n{"startTime": "soon", "body": "x"}]}',
                "w.json:2: segment 'startTime' must be a number of seconds, got 'soon'",
            ),
            (
                '{"segments": [\n\n{"start": 1}]}',
                f"w.json:3: segment 'text' must be a string, got None ({jsonfile.EXPECTED})",
            ),
        ],
    )
    def test_broken_json(self, tmp_path: Path, content: str, message: str) -> None:
        """Truncated or wrong-shaped JSON is named with its line."""
        assert fails(tmp_path, "w.json", content) == message

    @settings(max_examples=400, deadline=None)
    @given(
        st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    key: st.one_of(
                        st.floats(),
                        st.integers(-5, 10**12),
                        st.booleans(),
                        st.none(),
                        st.text(st.sampled_from("ab \t\ud800"), max_size=4),
                    )
                    for key in ("startTime", "endTime", "body", "speaker")
                },
            ),
            max_size=5,
        ),
        st.booleans(),
    )
    def test_the_column_reading_is_the_loop(
        self, segments: list[dict[str, object]], typical: bool
    ) -> None:
        """Podcast Index segments read a column at a time give exactly the cues the loop
        gives, or are left to the loop, which reports what is wrong."""
        if typical:  # most examples: valid segments, which the columns must take
            segments = [
                {"startTime": n + 0.25, "endTime": n + 1, "body": f" w{n}  x", "speaker": "A"}
                for n in range(len(segments) + 1)
            ]
        text = json.dumps({"segments": segments}, allow_nan=True)

        def outcome() -> object:
            try:
                return jsonfile.parse(text, "w.json", Problems())
            except TranscriptError as exc:
                return str(exc)

        fast = outcome()
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(jsonfile, "_plain_cues", lambda segments: None)
            assert fast == outcome()
        if typical:
            assert jsonfile._plain_cues(jsonfile._loads(text)["segments"]) is not None

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(
            st.dictionaries(
                st.sampled_from(["startTime", "endTime", "body", "speaker", "x{", "start"]),
                st.one_of(
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.integers(-(10**40), 10**40),
                    st.text(st.sampled_from('ab {}[]\n"\\')),
                    st.none(),
                    st.lists(st.integers(), max_size=2),
                ),
            ),
            max_size=6,
        ),
        st.sampled_from([None, 0, 2]),
        st.booleans(),
    )
    def test_the_flat_reading_is_the_hooked_one(
        self, segments: list[dict[str, object]], indent: int | None, extra: bool
    ) -> None:
        """The C-speed reading of flat files gives what the line-hooked scanner gives: the
        same values, each object with the same line; anything else it leaves to the hooked
        scanner (and its limits and messages)."""
        data: dict[str, object] = {"version": "1.0.0", "segments": segments}
        if extra:
            data["meta"] = {"nested": [1]}
        text = json.dumps(data, indent=indent)

        def lines(found: object) -> object:
            if isinstance(found, dict):
                return (getattr(found, "line", None), {k: lines(v) for k, v in found.items()})
            if isinstance(found, list):
                return [lines(v) for v in found]
            return found

        try:
            hooked = lines(jsonfile._loads_hooked(text))
        except ValueError:
            assert jsonfile._loads_flat(text) is None
            return
        flat = jsonfile._loads_flat(text)
        assert lines(flat) == hooked or flat is None
        assert lines(jsonfile._loads(text)) == hooked
        plain = all(
            not isinstance(v, list) and "{" not in str(v) and "[" not in str(v)
            for s in segments
            for v in [*s.values(), *s]
        )
        if plain and not extra and all(len(str(v)) < 30 for s in segments for v in s.values()):
            assert flat is not None  # the common shape takes the fast path


class TestText:
    def test_both_timestamp_styles_and_continuations(self, tmp_path: Path) -> None:
        """00:00:04 and 0:04.6 styles, labels, wrapped lines joined, a title line reported."""
        text = "My show, episode 3\n00:00:04 Ana: Hello\nthere.\n0:09.6 Bo: Hi\n[0:12] Back to me\n"
        transcript, warnings = read(tmp_path, "a.txt", text)
        assert rows(transcript) == [
            (4000, None, "Ana", "Hello there."),
            (9600, None, "Bo", "Hi"),
            (12000, None, "Bo", "Back to me"),
        ]
        assert warnings == [
            "a.txt:1: ignored text before the first timestamp (start each line with a time, "
            "e.g. 0:04 text)"
        ]

    def test_no_timestamps_is_an_untimed_transcript(self, tmp_path: Path) -> None:
        """A text file without a single time is read as paragraphs without times: split at
        blank lines, a leading 'Name:' (plain or bold) naming the speaker."""
        text = (
            "Episode 12: The Night Ferry\n\nAna Ruiz: We left at nine,\nand the fog came in.\n\n"
            "**Bo Lind:** By ten we could not see the bow.\n\nIt was very quiet.\n"
        )
        transcript, warnings = read(tmp_path, "a.txt", text)
        assert warnings == []
        assert not transcript.timed
        assert [(s.anchor, s.line, s.speaker, s.text) for s in transcript.segments] == [
            ("p1", 1, None, "Episode 12: The Night Ferry"),
            ("p2", 3, "Ana Ruiz", "We left at nine, and the fog came in."),
            ("p3", 6, "Bo Lind", "By ten we could not see the bow."),
            ("p4", 8, None, "It was very quiet."),
        ]
        one_per_line, _ = read(tmp_path, "b.txt", "First thought.\nSecond thought.\n")
        assert [s.text for s in one_per_line.segments] == ["First thought.", "Second thought."]

    def test_untimed_page_feed_and_downloads(self, make_site: MakeSite) -> None:
        """The page shows the paragraphs without time links and says it has no times; the only
        download, and the feed's only podcast:transcript, is the text."""
        site = make_site(
            {
                "content/episodes/a.md": record(extra="audio: https://cdn.test/a.mp3\n"),
                "content/episodes/a.txt": "Ana: Hello there.\n\nBo: Hi, Ana.\n",
            }
        )
        build(site)
        out = site / "output/episodes/a"
        assert sorted(p.name for p in out.iterdir()) == ["embed", "index.html", "transcript.txt"]
        assert (out / "transcript.txt").read_text() == "Ana: Hello there.\n\nBo: Hi, Ana.\n"
        html = (out / "index.html").read_text()
        assert '<p class="para" id="p1"><span class="text">Hello there.</span></p>' in html
        assert "This transcript has no times" in html
        assert 'class="seg"' not in html and "transcript.vtt" not in html
        feed = (site / "output/feed.xml").read_text()
        assert feed.count("<podcast:transcript ") == 1
        assert 'type="text/plain"' in feed


class TestMessyArchives:
    def test_bom_crlf_and_lone_cr(self, tmp_path: Path) -> None:
        """A byte-order mark and any line ends read the same as clean UTF-8."""
        clean = "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n\n00:03.000 --> 00:04.000\nyo\n"
        expected, _ = read(tmp_path, "clean.vtt", clean)
        for name, variant in [
            ("bom.vtt", codecs.BOM_UTF8 + clean.encode()),
            ("crlf.vtt", clean.replace("\n", "\r\n").encode()),
            ("cr.vtt", clean.replace("\n", "\r").encode()),
        ]:
            transcript, warnings = read(tmp_path, name, variant)
            assert rows(transcript) == rows(expected), name
            assert warnings == []

    def test_utf16_with_bom_reads_with_warning(self, tmp_path: Path) -> None:
        """UTF-16 (as some Windows tools save) is read, with a warning."""
        content = "WEBVTT\n\n00:01.000 --> 00:02.000\nhéllo\n".encode("utf-16")
        transcript, warnings = read(tmp_path, "a.vtt", content)
        assert rows(transcript) == [(1000, 2000, None, "héllo")]
        assert warnings == [
            "a.vtt:1: the file is UTF-16; it was read, but UTF-8 is what tools expect"
        ]

    def test_latin1_is_refused_at_its_line(self, tmp_path: Path) -> None:
        """Latin-1 bytes cannot be guessed safely: the line and byte are named."""
        content = "WEBVTT\n\n00:01.000 --> 00:02.000\ncafé\n".encode("latin-1")
        assert fails(tmp_path, "a.vtt", content) == (
            "a.vtt:4: not UTF-8 (byte 0xe9; Latin-1 or Windows-1252?); save the file as UTF-8"
        )

    def test_timing_defects_import_with_warnings(self, tmp_path: Path) -> None:
        """End before start, overlaps, duplicate and out-of-order starts: imported and named."""
        text = (
            "WEBVTT\n\n"
            "00:05.000 --> 00:02.000\nends early\n\n"  # line 3
            "00:06.000 --> 00:09.000\nfirst\n\n"  # line 6
            "00:08.000 --> 00:10.000\noverlaps\n\n"  # line 9
            "00:08.000 --> 00:10.000\nsame start\n\n"  # line 12
            "00:01.000 --> 00:02.000\nout of order\n"  # line 15
        )
        transcript, warnings = read(tmp_path, "a.vtt", text)
        assert rows(transcript) == [
            (1000, 2000, None, "out of order"),
            (5000, None, None, "ends early"),
            (6000, 9000, None, "first"),
            (8000, 10000, None, "overlaps"),
            (8000, 10000, None, "same start"),
        ]
        assert [s.anchor for s in transcript.segments] == ["t=1", "t=5", "t=6", "t=8", "t=8.001"]
        assert warnings == [
            "a.vtt:3: a cue ends before it starts; it was imported, check its timing",
            "a.vtt:9: a cue overlaps the cue above it; it was imported, check its timing",
            "a.vtt:12: a cue starts at the same time as the cue above it; it was imported, "
            "check its timing",
            "a.vtt:15: a cue starts before the cue above it; it was imported, check its timing",
        ]

    def test_empty_file(self, tmp_path: Path) -> None:
        """An empty sidecar is an error, not an empty transcript."""
        assert fails(tmp_path, "a.srt", "\n\n") == "a.srt:1: the transcript file is empty"

    def test_unknown_format(self, tmp_path: Path) -> None:
        """Only the known suffixes are read."""
        assert fails(tmp_path, "a.ass", "x") == (
            "a.ass: unknown transcript format '.ass' (use .vtt, .srt, .json, .txt, .html, .htm, "
            ".ttml, .dfxp, .transcript.md)"
        )


class TestLabels:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Ana: hi", ("Ana", "hi")),
            ("Ana Ruiz: hi", ("Ana Ruiz", "hi")),
            ("Zoë: salut", ("Zoë", "salut")),
            ("[SPEAKER_00]: hello", ("SPEAKER_00", "hello")),
            ("the answer: yes", (None, "the answer: yes")),
            ("https://x.org", (None, "https://x.org")),
            ("Ratio 3:2 is fine", (None, "Ratio 3:2 is fine")),
            ("One Two Three Four Five: too long", (None, "One Two Three Four Five: too long")),
            ("Ana de la Cruz: hola", ("Ana de la Cruz", "hola")),
            ("Dr. Ana Ruiz: yes", ("Dr. Ana Ruiz", "yes")),
            ("That's where we stop: thank you", (None, "That's where we stop: thank you")),
            ("Chapter one: the start", (None, "Chapter one: the start")),
        ],
    )
    def test_split_label(self, text: str, expected: tuple[str | None, str]) -> None:
        """Only a short capitalised name followed by a colon is a speaker label."""
        assert split_label(text) == expected


def test_a_named_voice_keeps_words_before_a_colon(tmp_path: Path) -> None:
    """A cue whose voice tag names the speaker keeps all its words, even those that look like
    a label before a colon; a label repeating the voice's name is taken off."""
    (tmp_path / "a.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Ana>Tide Tables: they are in the drawer\n"
        "\n00:00:04.000 --> 00:00:06.000\n<v Bo>Bo: and the key is by the door\n"
        "\n00:00:07.000 --> 00:00:09.000\nCarla: then we lock up\n"
    )
    transcript = read_file(tmp_path / "a.vtt", "a.vtt", Problems())
    assert [(s.speaker, s.text) for s in transcript.segments] == [
        ("Ana", "Tide Tables: they are in the drawer"),
        ("Bo", "and the key is by the door"),
        ("Carla", "then we lock up"),
    ]


class TestNormalise:
    @settings(max_examples=400, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.integers(0, 5_000),  # gap to the cue before, ms (0: same start)
                st.one_of(st.none(), st.integers(-500, 3_000)),  # length (negative: ends early)
                st.sampled_from(
                    ["hello", "a: b", "Ana: hi", "[SPEAKER_01]: yes", "", "at 3:00", "x < y"]
                ),
                st.sampled_from([None, None, "Ana", "Bo", ""]),
            ),
            min_size=1,
            max_size=30,
        ),
        st.booleans(),
        st.booleans(),
    )
    def test_equals_the_reference(
        self,
        raw: list[tuple[int, int | None, str, str | None]],
        shuffle: bool,
        rename: bool,
    ) -> None:
        """Whatever mix of defects the cues have, the column-wise path gives exactly what the
        loop gives, transcript and warnings, or declines (and normalise takes the loop)."""
        start, cues = 0, []
        for line, (gap, length, text, speaker) in enumerate(raw, 1):
            start += gap
            end = None if length is None else start + length
            cues.append(Cue(start, end, text, speaker, line))
        if shuffle:
            cues.reverse()
        names = {"Ana": "Ana Ruiz", "SPEAKER_01": "Bo Chen"} if rename else {}
        fast, loop = Problems(), Problems()
        plain = _normalise_plain(cues, "a.vtt", fast, names)
        expected = _normalise_loop(cues, "a.vtt", loop, names)
        if plain is None:
            assert fast.warnings == []  # declined without a word
        else:
            assert plain == expected
            assert fast.warnings == loop.warnings
        assert normalise(cues, "a.vtt", Problems(), names) == expected

    @settings(max_examples=1500, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.one_of(  # gap to the cue before, ms: often in the same second
                    st.integers(1, 400), st.integers(0, 5_000), st.just(1)
                ),
                st.one_of(st.integers(1, 3_000), st.none(), st.integers(-500, 0)),
                st.sampled_from(["hello", "x < y", "ça va", "😀 big", "tab\there", "no colon"]),
                st.sampled_from([None, None, "Ana", "Bo", "", "SPEAKER_01"]),
            ),
            min_size=1,
            max_size=60,
        ),
        st.booleans(),
    )
    def test_anchors_within_one_second_equal_the_loop(
        self, raw: list[tuple[int, int | None, str, str | None]], rename: bool
    ) -> None:
        """Many cues within one second: the column-wise path gives exactly the anchors,
        transcript and warnings the loop gives, or declines."""
        start, cues = 0, []
        for line, (gap, length, text, speaker) in enumerate(raw, 1):
            start += gap
            end = None if length is None else start + length
            cues.append(Cue(start, end, text, speaker, line))
        names = {"Ana": "Ana Ruiz", "SPEAKER_01": "Bo Chen"} if rename else {}
        fast, loop = Problems(), Problems()
        plain = _normalise_plain(cues, "a.vtt", fast, names)
        expected = _normalise_loop(cues, "a.vtt", loop, names)
        if plain is not None:
            assert plain == expected
            assert fast.warnings == loop.warnings
        assert normalise(cues, "a.vtt", Problems(), names) == expected

    def test_possible_labels_are_read(self) -> None:
        """A colon in a text's first 60 characters, or a text starting with '[', may be a
        speaker label, which the fast path leaves to the loop."""
        for text in ("Ana: hi", "[SPEAKER_00] hi"):
            cues = [Cue(0, 900, "hello", None, 1), Cue(1000, 1900, text, None, 2)]
            assert _normalise_plain(cues, "a.vtt", Problems(), {}) is None
        labelled = normalise([Cue(0, 900, "Ana: hi", None, 1)], "a.vtt", Problems())
        assert [(s.speaker, s.text) for s in labelled.segments] == [("Ana", "hi")]

    def test_plain_cues_take_the_fast_path(self) -> None:
        """The column-wise path really runs for plain cues (and the loop for others)."""
        plain = [Cue(1000 * n + 7 * (n % 3), 1000 * n + 900, "words", None, n) for n in range(9)]
        assert _normalise_plain(plain, "a.vtt", Problems(), {}) is not None
        labelled = [*plain, Cue(99_000, 99_500, "Ana: hi", None, 10)]
        assert _normalise_plain(labelled, "a.vtt", Problems(), {}) is None
        unnamed = [
            c._replace(speaker="") for c in plain
        ]  # an empty name is no name, as in the loop
        assert _normalise_plain(unnamed, "a.vtt", Problems(), {}) == _normalise_loop(
            unnamed, "a.vtt", Problems(), {}
        )


class TestExports:
    def test_all_formats_from_one_transcript(self, tmp_path: Path) -> None:
        """VTT, SRT, text and JSON downloads say the same thing, ends filled in."""
        transcript, _ = read(tmp_path, "a.txt", "0:01 Ana: Hi & <bye>\n0:03.5 Bo: Yo\n")
        assert exports.render_all(transcript, 10_000).vtt.decode() == (
            "WEBVTT\n\nt=1\n00:00:01.000 --> 00:00:03.500\n<v Ana>Hi &amp; &lt;bye&gt;\n\n"
            "t=3\n00:00:03.500 --> 00:00:10.000\n<v Bo>Yo\n"
        )
        assert exports.render_all(transcript, None).srt.decode() == (
            "1\n00:00:01,000 --> 00:00:03,500\nAna: Hi & <bye>\n\n"
            "2\n00:00:03,500 --> 00:00:08,500\nBo: Yo\n\n"
        )
        assert (
            exports.render_all(transcript, None).txt.decode()
            == "0:01 Ana: Hi & <bye>\n0:03.5 Bo: Yo\n"
        )
        assert json.loads(exports.render_all(transcript, 10_000).json.decode()) == {
            "version": "1.0.0",
            "segments": [
                {"speaker": "Ana", "startTime": 1.0, "endTime": 3.5, "body": "Hi & <bye>"},
                {"speaker": "Bo", "startTime": 3.5, "endTime": 10.0, "body": "Yo"},
            ],
        }

    @settings(max_examples=400, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.one_of(
                    st.integers(0, 40_000_000),  # start, ms (up to about 11 hours)
                    st.integers(0, 400_000_000),  # ... or past 100 hours
                ),
                st.one_of(st.none(), st.integers(1, 20_000)),  # length, or no end
                st.text(alphabet="ab <&>\"'é😀:\\\t\n\x01\x1f\u2028", min_size=1, max_size=12),
                st.sampled_from([None, None, "Ana", "Bo & <Co>", "", 'O\'Hara "Q"', "Zoë"]),
            ),
            min_size=1,
            max_size=40,
        ),
        st.lists(  # in any order: a chapter listed after a later one waits for it
            st.tuples(st.integers(0, 40_000_000), st.text(alphabet="ab<&\"'", max_size=5)),
            max_size=5,
        ),
        st.one_of(st.none(), st.integers(0, 50_000_000)),
    )
    def test_render_all_equals_the_reference(
        self,
        cues: list[tuple[int, int | None, str, str | None]],
        chapters: list[tuple[int, str]],
        duration: int | None,
    ) -> None:
        """The exporter writes exactly what the plain one-loop version writes, each form alone
        too (the others left empty)."""
        segments = tuple(
            Segment(start, None if length is None else start + length, text, who, f"t={n}", n)
            for n, (start, length, text, who) in enumerate(sorted(cues, key=lambda c: c[0]))
        )
        transcript = Transcript("a.vtt", segments)
        marks = [Chapter(start, title) for start, title in chapters]
        expected = reference.render_all(transcript, duration, marks)
        assert exports.render_all(transcript, duration, marks) == expected
        for kind in exports.DOWNLOADS:
            alone = exports.render_all(transcript, duration, marks, (kind,))
            assert alone == expected._replace(
                **{other: b"" for other in exports.DOWNLOADS if other != kind}
            )

    def test_times_past_any_integer_width(self) -> None:
        """Times past what 64-bit integers hold render as any other."""
        far = Transcript("a.json", (Segment(10**20, 10**20 + 1, "far", None, "t=1", 1),))
        assert exports.render_all(far, None) == reference.render_all(far, None)

    @pytest.mark.parametrize("suffix", sorted("." + kind for kind in exports.DOWNLOADS))
    def test_every_export_reads_back_identically(self, tmp_path: Path, suffix: str) -> None:
        """Each download, read again by Cuepress, gives the same starts, speakers and text.

        (SRT and text mark only speaker changes, so a segment without a speaker after one with
        a speaker cannot survive them; this transcript names every speaker.)
        """
        transcript, _ = read(tmp_path, "a.vtt", VTT.replace("No voice", "<v Cy>No voice"))
        writer = {
            ".vtt": lambda t: exports.render_all(t, None).vtt,
            ".srt": lambda t: exports.render_all(t, None).srt,
            ".txt": lambda t: exports.render_all(t, None).txt,
            ".json": lambda t: exports.render_all(t, None).json,
        }[suffix]
        again, _ = read(tmp_path, "again" + suffix, writer(transcript))
        assert [(s.start_ms, s.speaker, s.text) for s in again.segments] == [
            (s.start_ms, s.speaker, s.text) for s in transcript.segments
        ]


class TestHostileFiles:
    def test_json_nested_5000_deep_is_refused_at_its_line(self, tmp_path: Path) -> None:
        """Deep nesting gives a message at the line where it passes the limit, not a
        RecursionError."""
        content = '{"segments":\n' + "[" * 5000 + "]" * 5000 + "}"
        assert fails(tmp_path, "a.json", content) == (
            "a.json:2: invalid JSON: nested more than 50 levels deep (a transcript needs three)"
        )

    def test_json_number_too_long_is_refused(self, tmp_path: Path) -> None:
        """A 5,000-digit number (which int() refuses with a ValueError) is named."""
        content = '{"segments": [\n{"start": ' + "9" * 5000 + ', "text": "x"}]}'
        assert fails(tmp_path, "a.json", content) == (
            "a.json:2: invalid JSON: the number 99999999999999999999... is too long to be a time"
        )

    def test_utf16_without_bom_is_refused(self, tmp_path: Path) -> None:
        """UTF-16 without a BOM would read as text with a NUL after every letter."""
        content = "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n".encode("utf-16-le")
        assert fails(tmp_path, "a.vtt", content) == (
            "a.vtt:1: the file looks like UTF-16 without a byte-order mark, or is not text at "
            "all (save it as UTF-8)"
        )

    def test_nul_bytes_are_replaced_with_a_warning(self, tmp_path: Path) -> None:
        """NUL becomes U+FFFD (as WebVTT says), and the warning names the first line."""
        content = "WEBVTT\n\n00:01.000 --> 00:02.000\nh\0i\0\n"
        transcript, warnings = read(tmp_path, "a.vtt", content)
        assert rows(transcript) == [(1000, 2000, None, "h\ufffdi\ufffd")]
        assert warnings == [
            "a.vtt:4: the file holds 2 NUL characters; they were read as U+FFFD (remove them)"
        ]

    def test_one_20_mb_line_is_refused_quickly(self, tmp_path: Path) -> None:
        """A transcript whose line breaks were lost is one giant segment: refused, in time."""
        content = "0:00 " + "and then we talked 0:01 " * 833_334
        assert fails(tmp_path, "a.txt", content) == (
            "a.txt:1: a segment of 20,000,015 characters is too long for one moment (at most "
            "100,000; did the file lose its line breaks? give each segment its own line)"
        )

    @pytest.mark.parametrize(
        ("name", "content"),
        [("a.vtt", "WEBVTT\n\nNOTE nothing else\n"), ("a.json", '{"segments": []}')],
    )
    def test_a_transcript_without_segments_is_an_error(
        self, tmp_path: Path, name: str, content: str
    ) -> None:
        """A file that holds no segment at all is not silently an empty transcript."""
        assert fails(tmp_path, name, content) == (
            f"{name}:1: no segments found in the transcript (add some)"
        )

    def test_srt_text_may_hold_an_arrow(self, tmp_path: Path) -> None:
        """'-->' inside a cue's text is text (our own SRT export writes such lines)."""
        content = "1\n00:00:01,000 --> 00:00:02,000\nfirst line\nthen a --> arrow\n"
        transcript, _ = read(tmp_path, "a.srt", content)
        assert rows(transcript) == [(1000, 2000, None, "first line then a --> arrow")]
