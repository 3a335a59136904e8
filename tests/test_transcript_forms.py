"""Transcripts as podcast tools export them: Otter, Rev and Descript text, Markdown, the
Podcasting 2.0 HTML form, W3C and Apple TTML; and what a record says about them (speakers that
match no label, sidecars no reader reads).

Each fixture in ``tests/transcripts/`` is original text written in the shape its tool emits.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.build import build
from generator.errors import BuildFailed, Problems, TranscriptError
from generator.models import Transcript
from generator.transcripts import READERS, name_speakers, read_file, ttml, txt
from generator.transcripts.cues import normalise
from tests.conftest import MakeSite, record

FIXTURES = Path(__file__).resolve().parent / "transcripts"

Row = tuple[int, int | None, str | None, str]


def rows(transcript: Transcript) -> list[Row]:
    return [(s.start_ms, s.end_ms, s.speaker, s.text) for s in transcript.segments]


def read(tmp_path: Path, name: str, content: str) -> tuple[Transcript, list[str]]:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    problems = Problems()
    transcript = read_file(path, name, problems)
    assert problems.errors == []
    return transcript, [str(p) for p in problems.warnings]


def fails(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptError) as info:
        read_file(path, name, Problems())
    return str(info.value)


EXPECTED: dict[str, tuple[list[Row], list[str]]] = {
    "otter.txt": (
        [
            (
                0,
                None,
                "Ines Varga",
                "Welcome to Low Tide Radio. I'm Ines Varga, and this morning we are walking the "
                "estuary path before the birds are up.",
            ),
            (
                9000,
                None,
                "Speaker 2",
                "And I'm the one carrying the flask, which makes me the most popular person on "
                "this path.",
            ),
            (16000, None, "Ines Varga", "We'll see about that. Tell people what is in the flask."),
            (
                19000,
                None,
                "Speaker 2",
                "Ginger tea, strong enough to wake a heron. Careful, the boards are slippery here.",
            ),
            (
                3723000,
                None,
                "Ines Varga",
                "That's where we stop for this week. Thank you for walking with us.",
            ),
        ],
        [],
    ),
    "otter-no-names.txt": (
        [
            (
                0,
                None,
                None,
                "Welcome to Low Tide Radio. This morning we are walking the estuary path before "
                "the birds are up.",
            ),
            (
                9000,
                None,
                None,
                "The tide tables said low water at six, and for once the tide tables were right.",
            ),
            (
                3723000,
                None,
                None,
                "That's where we stop for this week. Thank you for walking with us.",
            ),
        ],
        [],
    ),
    "rev.txt": (
        [
            (
                0,
                None,
                "Ines Varga",
                "Good morning, and welcome back to Low Tide Radio. Today the mudflats are ours.",
            ),
            (
                12000,
                None,
                "Tomas Brenner",
                "Mostly ours. There is a very determined oystercatcher who disagrees.",
            ),
            (31000, None, "Tomas Brenner", "He has followed us since the car park."),
            (36000, None, "Ines Varga", "Let's give him a name. I say Captain."),
            (
                3723000,
                None,
                "Tomas Brenner",
                "Captain stayed with us the whole way back. I think we have a listener.",
            ),
        ],
        [],
    ),
    "descript.txt": (
        [
            (
                0,
                None,
                "Ines Varga",
                "Good morning from the sea wall. The wind has dropped, so you can hear the water "
                "for once.",
            ),
            (
                14000,
                None,
                "Tomas Brenner",
                "I brought the tide clock from my grandfather's boat. It still runs four minutes "
                "fast.",
            ),
            (
                60000,
                None,
                "Tomas Brenner",
                "Which is why he was never late for anything in his life.",
            ),
            (69000, None, "Ines Varga", "That explains a great deal about your family."),
        ],
        [],
    ),
    "markdown-blocks.transcript.md": (
        [
            (
                0,
                None,
                "Ines Varga",
                "Good morning from the sea wall. The wind has dropped, so you can hear the water "
                "for once.",
            ),
            (
                14000,
                None,
                "Tomas Brenner",
                "I brought the tide clock from my grandfather's boat. It still runs four minutes "
                "fast.",
            ),
            (3723000, None, "Ines Varga", "That explains a great deal about your family."),
        ],
        [
            "markdown-blocks.transcript.md:1: ignored text before the first timestamp (start each "
            "line with a time, e.g. 0:04 text)"
        ],
    ),
    "markdown-lines.transcript.md": (
        [
            (0, None, "Ines Varga", "Good morning from the sea wall."),
            (14000, None, "Tomas Brenner", "I brought the tide clock from my grandfather's boat."),
            (21000, None, "Ines Varga", "Does it still keep time?"),
            (
                24000,
                None,
                "Tomas Brenner",
                "It runs four minutes fast, which is why he was never late.",
            ),
        ],
        [
            "markdown-lines.transcript.md:1: ignored text before the first timestamp (start each "
            "line with a time, e.g. 0:04 text)"
        ],
    ),
    "buzzsprout.html": (
        [
            (
                0,
                None,
                "Ines",
                "Welcome to Low Tide Radio. Today we're talking about the tide clock that hangs in "
                "the harbour office, and why nobody has wound it since 1987.",
            ),
            (
                12000,
                None,
                "Tomas",
                "Because the key is in my pocket. I've had it for thirty years & I'm not giving it "
                "back.",
            ),
            (
                3723000,
                None,
                "Ines",
                "That's all for this week. Mind the <slippery> steps on your way out.",
            ),
        ],
        [],
    ),
    "w3c.ttml": (
        [
            (1000, 4400, "Ines Varga", "Good morning from the sea wall. The wind has dropped."),
            (
                4480,  # 00:00:04:12 at ttp:frameRate="25"
                9000,
                "Tomas Brenner",
                "I brought the tide clock from my grandfather's boat.",
            ),
            (9500, 12000, "Tomas Brenner", "It still runs four minutes fast."),
            (3723250, 3725000, None, "[waves]"),
        ],
        [],
    ),
    "apple.ttml": (
        [
            (860, 6120, "SPEAKER_1", "Good morning from the sea wall. The wind has dropped."),
            (108737, 112010, "SPEAKER_2", "It still runs four minutes fast."),
            (3723456, 3725000, "SPEAKER_1", "Thanks for listening."),
        ],
        [],
    ),
}


class TestFixtures:
    def test_every_fixture_is_tested(self) -> None:
        """Each file in tests/transcripts/ has its expected segments here, and every new
        reader suffix has a fixture."""
        names = sorted(p.name for p in FIXTURES.iterdir())
        assert names == sorted(EXPECTED)
        suffixes = {".txt", ".html", ".ttml", ".transcript.md"}
        assert all(any(name.endswith(s) for name in names) for s in suffixes)
        assert suffixes <= set(READERS)

    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_exact_segments(self, name: str) -> None:
        """Start, end, speaker and text of every segment, and the warnings, exactly."""
        problems = Problems()
        transcript = read_file(FIXTURES / name, name, problems)
        expected_rows, expected_warnings = EXPECTED[name]
        assert rows(transcript) == expected_rows
        assert [str(w) for w in problems.warnings] == expected_warnings
        assert problems.errors == []
        for segment in transcript.segments:
            assert "*" not in segment.text and "<b" not in segment.text
            assert segment.speaker is None or "*" not in segment.speaker

    def test_segments_point_at_their_lines(self) -> None:
        """Messages about a segment name the line its time is on."""
        lines = {
            "otter.txt": [1, 4, 7, 10, 13],
            "rev.txt": [1, 4, 7, 10, 15],
            "buzzsprout.html": [2, 5, 8],
            "w3c.ttml": [27, 28, 29, 30],
        }
        for name, expected in lines.items():
            transcript = read_file(FIXTURES / name, name, Problems())
            assert [s.line for s in transcript.segments] == expected, name


class TestTextShapes:
    def test_one_line_per_segment_is_read_as_before(self, tmp_path: Path) -> None:
        """The original forms keep their meaning, and a name before a time alone on a line
        ('Monday 9:30' wrapped, 'Recap (1:02)' a title) stays text there."""
        text = (
            "00:00:04 Ana: Hello\nthere.\n0:09.6 Bo: Hi\n[0:12] Back to me\nMonday 9:30\n"
            "Recap (1:02)\n0:15 Ana: Bye.\n"
        )
        transcript, warnings = read(tmp_path, "a.txt", text)
        assert rows(transcript) == [
            (4000, None, "Ana", "Hello there."),
            (9600, None, "Bo", "Hi"),
            (12000, None, "Bo", "Back to me Monday 9:30 Recap (1:02)"),
            (15000, None, "Ana", "Bye."),
        ]
        assert warnings == []

    @pytest.mark.parametrize(
        "heading",
        [
            "Ana Ruiz  1:02",  # Otter
            "Ana Ruiz 00:01:02",  # Descript
            "Ana Ruiz (01:02):",  # Rev
            "Ana Ruiz [00:01:02]",
            "Ana Ruiz: (00:01:02)",
            "**Ana Ruiz** [1:02]",  # Markdown
            "**Ana Ruiz:** [00:01:02]",
        ],
    )
    def test_headings_above_paragraphs(self, tmp_path: Path, heading: str) -> None:
        """A heading names the speaker and the time; the paragraph below, over any number of
        lines, is the segment's text, and a time at the start of a paragraph line is text."""
        text = f"{heading}\nFirst line,\n5:30 is when we open.\n\nBo  1:10\nYes.\n"
        transcript, warnings = read(tmp_path, "a.txt", text)
        assert rows(transcript) == [
            (62000, None, "Ana Ruiz", "First line, 5:30 is when we open."),
            (70000, None, "Bo", "Yes."),
        ]
        assert warnings == []

    def test_the_shape_decides_not_the_name(self, tmp_path: Path) -> None:
        """The same lines read the same from .txt and .transcript.md; blocks win only when
        headings outnumber lines with text after their time."""
        blocks = "0:00\nHello.\n\n0:05\nAgain.\n\n0:09 and this line starts with a time\n"
        for name in ("a.txt", "a.transcript.md"):
            transcript, _ = read(tmp_path, name, blocks)
            assert rows(transcript) == [
                (0, None, None, "Hello."),
                (5000, None, None, "Again. 0:09 and this line starts with a time"),
            ]
        lines = "0:00\nHello.\n0:05 Again.\n0:09 And again.\n"
        transcript, _ = read(tmp_path, "b.txt", lines)
        assert rows(transcript) == [
            (0, None, None, "Hello."),
            (5000, None, None, "Again."),
            (9000, None, None, "And again."),
        ]

    def test_a_label_alone_names_the_next_segment(self, tmp_path: Path) -> None:
        """'Ana Ruiz:' on its own line above a timed paragraph is that paragraph's speaker."""
        text = "Ana Ruiz:\n[00:00:00] Hello.\n\n**Bo:**\n[00:00:05] Hi.\n[00:00:09] More.\n"
        transcript, _ = read(tmp_path, "a.transcript.md", text)
        assert rows(transcript) == [
            (0, None, "Ana Ruiz", "Hello."),
            (5000, None, "Bo", "Hi."),
            (9000, None, "Bo", "More."),
        ]

    def test_markdown_emphasis_is_text_only_in_markdown(self, tmp_path: Path) -> None:
        """A .transcript.md loses its emphasis marks and escapes; a .txt keeps its asterisks
        (a bleeped word), though a bold label loses them in both."""
        line = r"[0:01] **Ana:** It was *really* f***ing cold, \*brr\*, 2 * 3 snake_case"
        markdown, _ = read(tmp_path, "a.transcript.md", line)
        assert rows(markdown) == [
            (1000, None, "Ana", "It was really f***ing cold, *brr*, 2 * 3 snake_case")
        ]
        plain, _ = read(tmp_path, "a.txt", line)
        assert rows(plain) == [
            (1000, None, "Ana", r"It was *really* f***ing cold, \*brr\*, 2 * 3 snake_case")
        ]

    def test_a_turn_without_a_time_is_joined_with_a_warning(self, tmp_path: Path) -> None:
        """A bold label inside a segment cannot have its own moment: its words are kept."""
        text = "[0:00] **Ana:** Hello.\n**Bo:** Hi, Ana.\n**Ana:** Hi.\n[0:09] **Bo:** Bye.\n"
        transcript, warnings = read(tmp_path, "a.transcript.md", text)
        assert rows(transcript) == [
            (0, None, "Ana", "Hello. Bo: Hi, Ana. Ana: Hi."),
            (9000, None, "Bo", "Bye."),
        ]
        assert warnings == [
            "a.transcript.md:2: a speaker's turn without a time of its own (and 1 more) was "
            "joined to the segment above (give each turn its time: [0:12] **Ana:** text)"
        ]

    def test_a_bad_time_in_a_heading(self, tmp_path: Path) -> None:
        """An impossible time is named with its line."""
        text = "Ana  0:00\nHello.\n\nBo  0:75\nHi.\n"
        assert fails(tmp_path, "a.txt", text) == (
            "a.txt:4: bad timestamp: seconds must be 0-59 in a clock time, got '0:75'"
        )

    def test_one_time_then_a_million_lines_is_linear(self, tmp_path: Path) -> None:
        """Paragraph lines are joined once, not one by one (the reader's result: read_file
        then refuses a segment this long)."""
        started = time.perf_counter()
        cues = txt.parse("Ana  0:00\n" + "word\n" * 1_000_000, "a.txt", Problems())
        assert [(c.start_ms, c.speaker, len(c.text)) for c in cues] == [(0, "Ana", 4_999_999)]
        assert time.perf_counter() - started < 10


class TestHTML:
    def test_a_whole_page(self, tmp_path: Path) -> None:
        """<html>, <head>, <script> and <style> around the form read the same; tags inside a
        <p> are dropped, entities decoded; a <p> without its own <time> continues the one
        above; other times forms are read."""
        page = (
            "<!DOCTYPE html>\n<html><head><title>Episode 4</title><style>p {}</style></head>\n"
            "<body>\n<cite>Ana Ruiz :</cite><time>00:00:00</time>\n"
            "<p>Hello &amp; <b>welcome</b><br>back<script>alert(1)</script>.</p>\n"
            "<p>Second paragraph.</p>\n"
            "<time>1:02:03.5</time><p>Still Ana.</p>\n</body></html>\n"
        )
        transcript, warnings = read(tmp_path, "a.html", page)
        assert rows(transcript) == [
            (0, None, "Ana Ruiz", "Hello & welcome back. Second paragraph."),
            (3723500, None, "Ana Ruiz", "Still Ana."),
        ]
        assert warnings == []

    def test_a_paragraph_left_open(self, tmp_path: Path) -> None:
        """A <cite> or <time> after the words of an open <p> starts the next segment."""
        html = (
            "<cite>A:</cite>\n<time>0:00</time>\n<p>one\n<cite>B:</cite>\n<time>0:05</time>\n<p>two"
        )
        transcript, _ = read(tmp_path, "a.htm", html)
        assert rows(transcript) == [(0, None, "A", "one"), (5000, None, "B", "two")]

    def test_text_outside_the_form_is_reported(self, tmp_path: Path) -> None:
        """A paragraph before the first time and stray text are warnings, not silence."""
        html = "<h1>Transcript</h1>\n<p>Intro.</p>\n<time>0:01</time><p>Hi.</p>"
        transcript, warnings = read(tmp_path, "a.html", html)
        assert rows(transcript) == [(1000, None, None, "Hi.")]
        assert warnings == [
            "a.html:1: ignored text outside <cite>, <time> and <p> (expected <cite>Ana:</cite> "
            "<time>0:00</time> <p>text</p> for each paragraph)",
            "a.html:2: ignored a paragraph before the first <time> (give it a start: expected "
            "<cite>Ana:</cite> <time>0:00</time> <p>text</p> for each paragraph)",
        ]

    @pytest.mark.parametrize(
        ("html", "message"),
        [
            (
                "<cite>Ana:</cite>\n<p>No time at all.</p>",
                "a.html:1: no <time> found: each paragraph needs its start, as in "
                "<time>0:00</time> (expected <cite>Ana:</cite> <time>0:00</time> <p>text</p> for "
                "each paragraph; a transcript without times cannot be read)",
            ),
            (
                "<time>0:00</time><p>x</p>\n<time>soon</time><p>y</p>",
                "a.html:2: bad time in <time>soon</time>: expected seconds (42, 7.5) or a clock "
                "time (1:23, 1:02:03, 0:07.5), got 'soon'",
            ),
            (
                "<time>0:00</time><p>x</p>\n" + "<b>" * 300 + "deep",
                "a.html:2: elements nested more than 256 deep (is a tag left open again and "
                "again? expected <cite>Ana:</cite> <time>0:00</time> <p>text</p> for each "
                "paragraph)",
            ),
        ],
    )
    def test_broken_html(self, tmp_path: Path, html: str, message: str) -> None:
        assert fails(tmp_path, "a.html", html) == message

    @pytest.mark.parametrize("piece", ["<!--", "</", "<?", "<a b='", "<![CDATA[", "<"])
    def test_hostile_markup_reads_in_linear_time(self, tmp_path: Path, piece: str) -> None:
        """Unterminated constructs repeated (quadratic in html.parser of Python 3.11.7)."""
        started = time.perf_counter()
        text = "<time>0:00</time><p>x</p>" + piece * (2_000_000 // len(piece))
        transcript, _ = read(tmp_path, "a.html", text)
        assert rows(transcript)[0] == (0, None, None, "x")
        assert time.perf_counter() - started < 5


TT = (
    '<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata" '
    'xmlns:ttp="http://www.w3.org/ns/ttml#parameter"{params}>\n<body>\n{body}\n</body></tt>\n'
)


def tt(body: str, params: str = "") -> str:
    return TT.format(body=body, params=params)


class TestTTML:
    @pytest.mark.parametrize(
        ("value", "params", "ms"),
        [
            ("00:01:02.5", "", 62500),
            ("01:02:03.250", "", 3723250),
            ("00:00:01:15", "", 1500),  # 30 frames a second unless told
            ("00:00:01:15", ' ttp:frameRate="25"', 1600),
            ("00:00:01:12.1", ' ttp:frameRate="25" ttp:subFrameRate="2"', 1500),
            ("900f", ' ttp:frameRate="30" ttp:frameRateMultiplier="1000 1001"', 30030),
            ("1.5s", "", 1500),
            ("1500ms", "", 1500),
            ("1.5m", "", 90000),
            ("1h", "", 3600000),
            ("50f", ' ttp:frameRate="25"', 2000),
            ("25000000t", ' ttp:tickRate="10000000"', 2500),
            ("3t", "", 3000),  # one tick a second unless told
            ("50t", ' ttp:frameRate="25"', 2000),  # ticks default to frames
            ("1:02.500", "", 62500),  # Apple
            ("62.5", "", 62500),  # Apple
        ],
    )
    def test_time_expressions(self, tmp_path: Path, value: str, params: str, ms: int) -> None:
        transcript, _ = read(tmp_path, "a.ttml", tt(f'<div><p begin="{value}">x</p></div>', params))
        assert rows(transcript) == [(ms, None, None, "x")]

    def test_times_count_from_the_parent_and_the_first_span(self, tmp_path: Path) -> None:
        """By the spec a <div begin> moves its paragraphs; a <p> without a begin starts with the
        first timed element inside it, or else where its <div> begins."""
        body = (
            '<div begin="10s">\n<p begin="1s" end="2s">moved</p>\n'
            '<p><span begin="3s" end="4s">from</span> <span begin="5s">spans</span></p>\n'
            "<p>from the div</p>\n</div>"
        )
        transcript, warnings = read(tmp_path, "a.ttml", tt(body))
        assert rows(transcript) == [
            (10000, None, None, "from the div"),
            (11000, 12000, None, "moved"),
            (13000, 14000, None, "from spans"),
        ]
        assert len(warnings) == 1  # out of order, as written

    def test_apple_times_are_absolute(self, tmp_path: Path) -> None:
        """Apple's <div begin> is its first paragraph's start, not an offset."""
        text = (
            '<tt xmlns="http://www.w3.org/ns/ttml" '
            'xmlns:podcasts="http://podcasts.apple.com/transcript-ttml-internal">'
            '<body><div begin="10.000"><p begin="10.000" end="12.000">'
            '<span podcasts:unit="word">Hi</span><span podcasts:unit="word">there.</span>'
            "</p></div></body></tt>"
        )
        transcript, _ = read(tmp_path, "a.ttml", text)
        assert rows(transcript) == [(10000, 12000, None, "Hi there.")]

    def test_agents_and_their_names(self, tmp_path: Path) -> None:
        """ttm:agent points at an agent's full name, else its id; several ids are joined; a
        <div>'s agent speaks its paragraphs; metadata inside a <p> is no text."""
        head = (
            '<head><metadata><ttm:agent xml:id="a"><ttm:name type="alias">Annie</ttm:name>'
            '<ttm:name type="full">Ana Ruiz</ttm:name></ttm:agent>'
            '<ttm:agent xml:id="b"/></metadata></head>'
        )
        body = (
            '<div ttm:agent="b">\n<p begin="1s">one<metadata><ttm:desc>note</ttm:desc></metadata>'
            '</p>\n<p begin="2s" ttm:agent="a b">two</p>\n<p begin="3s" ttm:agent="a">three</p>'
            "\n</div>"
        )
        text = tt(body).replace("<body>", head + "<body>")
        transcript, _ = read(tmp_path, "a.dfxp", text)
        assert rows(transcript) == [
            (1000, None, "b", "one"),
            (2000, None, "Ana Ruiz & b", "two"),
            (3000, None, "Ana Ruiz", "three"),
        ]

    def test_the_dfxp_namespace(self, tmp_path: Path) -> None:
        """The 2006 DFXP drafts' namespace reads like TTML's."""
        text = (
            '<tt xmlns="http://www.w3.org/2006/10/ttaf1" '
            'xmlns:tts="http://www.w3.org/2006/10/ttaf1#styling"><body><div>'
            '<p begin="0.5s" end="1s">Old <span tts:color="red">style</span>.</p>'
            "</div></body></tt>"
        )
        transcript, _ = read(tmp_path, "a.dfxp", text)
        assert rows(transcript) == [(500, 1000, None, "Old style.")]

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                '<?xml version="1.0"?>\n<!DOCTYPE tt [\n<!ENTITY a "aaaaaaaaaa">\n'
                '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<tt>&b;</tt>',
                "a.ttml:2: the file has a document type declaration (<!DOCTYPE ...>); TTML needs "
                "none, and Cuepress refuses them so that no entity is ever defined or expanded "
                "(remove it)",
            ),
            (
                '<!DOCTYPE tt SYSTEM "file:///etc/passwd">\n<tt/>',
                "a.ttml:1: the file has a document type declaration (<!DOCTYPE ...>); TTML needs "
                "none, and Cuepress refuses them so that no entity is ever defined or expanded "
                "(remove it)",
            ),
            (
                tt('<div><p begin="1s">a&nbsp;b</p></div>'),
                "a.ttml:3: not well-formed XML: undefined entity at column 21 (XML knows only "
                "&amp; &lt; &gt; &quot; &apos;: write the character itself, or a number like "
                "&#160;)",
            ),
            (
                tt('<div><p begin="1s">a</div>'),
                "a.ttml:3: not well-formed XML: mismatched tag at column 23 (is the file "
                "complete? is it XML at all?)",
            ),
            (
                "<html><body/></html>",
                'a.ttml:1: not a TTML file: it starts with <html>, not <tt xmlns="http://www.w3.'
                'org/ns/ttml">',
            ),
            (
                tt('<div>\n<p begin="00:00:61.000">x</p></div>'),
                'a.ttml:4: bad TTML time begin="00:00:61.000": minutes and seconds must be 00-59',
            ),
            (
                tt('<div>\n<p begin="soon">x</p></div>'),
                'a.ttml:4: bad TTML time begin="soon": expected a clock time like 00:01:02.500 '
                "or 00:01:02:12 (frames), or an offset like 62.5s, 1500ms, 30f or 10000t",
            ),
            (
                tt('<div>\n<p begin="00:00:01:30">x</p></div>', ' ttp:frameRate="25"'),
                'a.ttml:4: bad TTML time begin="00:00:01:30": frame 30 is beyond the frame rate '
                "(25)",
            ),
            (
                tt('<div>\n<p end="2s">x</p></div>'),
                'a.ttml:4: a <p> without a begin time (give it one: <p begin="00:00:01.000" '
                'end="00:00:03.500">)',
            ),
            (
                tt('<div timeContainer="seq">\n<p dur="2s">x</p></div>'),
                'a.ttml:3: timeContainer="seq" is not read: its times run on from the element '
                "before, so they do not say where a paragraph starts (give each <p> its own "
                'begin="...")',
            ),
            (
                tt("<div/>", ' ttp:timeBase="clock"'),
                'a.ttml:1: ttp:timeBase="clock" (wall-clock times) is not read: such times do '
                'not say where in the audio a paragraph starts (use ttp:timeBase="media")',
            ),
            (
                tt("<div/>", ' ttp:frameRate="fast"'),
                "a.ttml:1: bad ttp:frameRate 'fast' (expected a whole number above 0)",
            ),
            (
                tt("<div><p begin='1s'> </p></div>"),
                'a.ttml:1: no <p> with text found (expected <p begin="00:00:01.000">text</p>)',
            ),
        ],
    )
    def test_broken_ttml(self, tmp_path: Path, text: str, message: str) -> None:
        assert fails(tmp_path, "a.ttml", text) == message

    def test_text_outside_paragraphs_is_reported(self, tmp_path: Path) -> None:
        transcript, warnings = read(
            tmp_path, "a.ttml", tt('<div>\nstray\n<p begin="1s">x</p></div>')
        )
        assert rows(transcript) == [(1000, None, None, "x")]
        assert warnings == ["a.ttml:4: ignored text outside <p> (put it in a <p begin=...>)"]

    def test_deep_and_wide_files_read_quickly(self, tmp_path: Path) -> None:
        """Expat builds no tree and never recurses: 200,000 nested spans and 200,000 word
        spans are both fine."""
        started = time.perf_counter()
        deep = tt(
            '<div><p begin="1s">' + "<span>" * 200_000 + "x" + "</span>" * 200_000 + "</p></div>"
        )
        assert rows(read(tmp_path, "a.ttml", deep)[0]) == [(1000, None, None, "x")]
        words = "".join(f'<span begin="{n / 10:.1f}">w</span> ' for n in range(200_000))
        wide = tt(f'<div><p begin="0s">{words}</p></div>')
        cues = ttml.parse(wide, "b.ttml", Problems())
        assert [(c.start_ms, len(c.text)) for c in cues] == [(0, 400_000 - 1)]
        assert time.perf_counter() - started < 10

    def test_time_expression_edges(self) -> None:
        """Whole numbers too long to be a time are refused before they are converted."""
        clock = ttml._Clock()
        assert clock.ms("00:00:00.0005") == 0  # halves round to even, as round() does
        with pytest.raises(ValueError):
            clock.ms("9" * 5000 + "s")


class TestSpeakers:
    def test_name_speakers_reports_the_labels_it_saw(self) -> None:
        """Names are applied after normalising, from the labels as the file gave them."""
        transcript = normalise(
            [
                (0, None, "[SPEAKER_00]: hi", None, 1),
                (1000, None, "yo", "SPEAKER_01", 2),
                (2000, None, "again", None, 3),
            ],  # type: ignore[list-item]
            "a.json",
            Problems(),
        )
        named, labels = name_speakers(transcript, {"SPEAKER_01": "Bo", "SPEAKER_09": "Cy"})
        assert labels == ("SPEAKER_00", "SPEAKER_01")
        # a text label names the segments after it until the next label; an explicit speaker
        # names its own segment only
        assert [s.speaker for s in named.segments] == ["SPEAKER_00", "Bo", "SPEAKER_00"]

    def test_an_entry_that_matches_no_label_is_a_warning_at_its_line(
        self, make_site: MakeSite
    ) -> None:
        vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\n<v SPEAKER_00>Hi.\n\n00:01.000 --> 00:02.000\n"
        vtt += "<v SPEAKER_01>Yo.\n"
        extra = "speakers:\n  SPEAKER_00: Ana Ruiz\n  SPEAKER_02: Bo Lind\n  Speaker 1: Cy\n"
        site = make_site(
            {
                "content/episodes/ep.md": record(extra=extra),
                "content/episodes/ep.vtt": vtt,
                "content/episodes/inline.md": record(
                    title="Inline", extra='transcript: ["0:00 hi"]\nspeakers: {Ana: Ana Ruiz}\n'
                ),
            }
        )
        result = build(site)
        assert [str(w) for w in result.warnings] == [
            "content/episodes/ep.md:6: 'speakers' maps 'SPEAKER_02', which no segment of ep.vtt "
            "has (labels in it: SPEAKER_00, SPEAKER_01)",
            "content/episodes/ep.md:7: 'speakers' maps 'Speaker 1', which no segment of ep.vtt "
            "has (labels in it: SPEAKER_00, SPEAKER_01)",
            "content/episodes/inline.md:5: 'speakers' maps 'Ana', which no segment of the inline "
            "transcript has (it names no speakers)",
        ]
        page = (site / "output/episodes/ep/index.html").read_text()
        assert "Ana Ruiz" in page and "SPEAKER_01" in page


class TestRecordsAndSidecars:
    def test_every_new_form_is_a_sidecar(self, make_site: MakeSite) -> None:
        """NAME.html, .ttml, .transcript.md ... beside a record are its transcript, and a
        Markdown transcript is never taken for a record."""
        files: dict[str, str | bytes] = {}
        for number, name in enumerate(sorted(EXPECTED)):
            stem = f"ep{number}"
            suffix = next(s for s in READERS if name.endswith(s))
            files[f"content/episodes/{stem}.md"] = record(title=stem)
            files[f"content/episodes/{stem}{suffix}"] = (FIXTURES / name).read_text()
        result = build(make_site(files))
        assert len(result.episodes) == len(EXPECTED)
        assert all(e.transcript is not None for e in result.episodes)

    def test_transcript_path_to_markdown(self, make_site: MakeSite) -> None:
        """transcript: NAME.transcript.md is read; a plain .md says how to name it."""
        site = make_site(
            {
                "content/episodes/a.md": record(extra="transcript: notes/a.transcript.md\n"),
                "content/episodes/notes/a.transcript.md": "**Ana** [0:00]\nHello.\n",
                "content/episodes/b.md": record(title="B", extra="transcript: b-notes.md\n"),
            }
        )
        with pytest.raises(BuildFailed) as info:
            build(site)
        assert [str(e) for e in info.value.errors] == [
            "content/episodes/b.md:4: transcript file 'b-notes.md' has an unknown format (use "
            ".vtt, .srt, .json, .txt, .html, .htm, .ttml, .dfxp, .transcript.md; a Markdown "
            "transcript is named NAME.transcript.md, as a .md file among the episodes is read "
            "as an episode record)"
        ]

    def test_an_unreadable_sidecar_is_a_warning(self, make_site: MakeSite) -> None:
        """ep.docx beside ep.md is named, with the suffixes Cuepress reads, and so is a
        sidecar in capitals; audio, images, backups and files of other names pass unnoticed."""
        site = make_site(
            {
                "content/episodes/ep.md": record(),
                "content/episodes/ep.docx": b"PK\x03\x04",
                "content/episodes/ep.mp3": b"ID3",
                "content/episodes/ep.jpg": b"\xff\xd8",
                "content/episodes/ep.md~": "old",
                "content/episodes/ep.v2.pdf": b"%PDF",
                "content/episodes/other.sbv": "0:00:01.000,0:00:02.000\nhi\n",
                "content/episodes/two.md": record(title="Two"),
                "content/episodes/two.vtt": "WEBVTT\n\n00:00.000 --> 00:01.000\nHi.\n",
                "content/episodes/two.PDF": b"%PDF",
                "content/episodes/three.md": record(title="Three"),
                "content/episodes/three.VTT": "WEBVTT\n\n00:00.000 --> 00:01.000\nHi.\n",
            }
        )
        result = build(site)
        known = ".vtt, .srt, .json, .txt, .html, .htm, .ttml, .dfxp, .transcript.md"
        assert [str(w) for w in result.warnings] == [
            f"content/episodes/ep.docx: Cuepress cannot read a .docx transcript beside ep.md (it "
            f"reads {known}); the episode has no transcript from it (export one in a format "
            "Cuepress reads)",
            "content/episodes/three.VTT: not read as the transcript of three.md: a sidecar's "
            "suffix is lower case (rename it three.vtt)",
            f"content/episodes/two.PDF: Cuepress cannot read a .pdf transcript beside two.md (it "
            f"reads {known}); the episode's transcript is two.vtt (move two.PDF elsewhere if it "
            "is not meant as one)",
        ]
