"""Readable segments: rolling captions collapsed, word-level and caption-length transcripts
merged (generator/transcripts/rolling.py and readable.py), from real tools' shapes to every
download, and the ``segments:`` setting of site.yaml and of a record."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import archive
from generator.build import build
from generator.errors import Problems
from generator.models import Chapter, Segment, Transcript
from generator.records import read_record
from generator.transcripts import read_file, readable, rolling, vtt
from generator.transcripts.cues import Cue
from generator.transcripts.readable import arrange, fragmentary, merge
from tests import reference
from tests.conftest import MakeSite, record

FIXTURES = Path(__file__).parent / "fixtures" / "segments"
SITE_YAML = "title: Show\nbase_url: https://example.test/show/\nsearch: false\n"
Row = tuple[int, int | None, str | None, str]

# The twelve lines YouTube's captions add, one per cue, each said once.
YOUTUBE_LINES = [
    (400, 2710, "hello and welcome back to the workshop"),
    (2720, 5340, "today we are looking at a bicycle that"),
    (5350, 7930, "came in with a wheel that rubs against"),
    (7940, 10650, "the frame every time you turn the pedals"),
    (10660, 13850, "so the first thing I do is lift it onto"),
    (13860, 16810, "the stand and give the wheel a slow spin"),
    (16820, 19400, "and watch the gap between the tyre and"),
    (19410, 20170, "the brake"),
    (23600, 26260, "there you can see the brake pad touching"),
    (26270, 28870, "the rim on one side only which usually"),
    (28880, 31520, "means the wheel is out of true rather"),
    (31530, 33220, "than the brake being loose"),
]
YOUTUBE: list[Row] = [
    (  # no punctuation to break at: full up to 250 characters, then a new segment
        400,
        16810,
        None,
        "hello and welcome back to the workshop today we are looking at a bicycle that came "
        "in with a wheel that rubs against the frame every time you turn the pedals so the "
        "first thing I do is lift it onto the stand and give the wheel a slow spin",
    ),
    (16820, 20170, None, "and watch the gap between the tyre and the brake"),
    (  # after a 3.4 s pause
        23600,
        33220,
        None,
        "there you can see the brake pad touching the rim on one side only which usually "
        "means the wheel is out of true rather than the brake being loose",
    ),
]
BUZZSPROUT: list[Row] = [
    (  # the turn is 258 characters: it breaks at the sentence end before 250
        600,
        14710,
        "Ines Farrow",
        "Welcome to Repair Hour. I'm Ines Farrow, and this week the table is covered in sewing "
        "machines. Some of them are older than my grandmother, and one still has a receipt "
        "from nineteen fifty two taped inside the lid.",
    ),
    (15060, 18784, "Ines Farrow", "Our guest has fixed more of these than anyone I know."),
    (19184, 22598, "Kofi Mensah", "Thanks, Ines. Honestly, most of them just need oil."),
    (  # after a 2.6 s pause
        25198,
        29214,
        "Kofi Mensah",
        "People think the motor is gone, but it is usually dried grease.",
    ),
    (  # a chapter starts at 0:29.6
        29614,
        33664,
        "Kofi Mensah",
        "So the first thing I do is take off the face plate.",
    ),
    (34064, 36136, "Ines Farrow", "And what are you looking for?"),
]
CAPTIONS: list[Row] = [
    (
        500,
        8350,
        "Dana Whit",
        "This is Night Market, and tonight we're at the stall that sells nothing but honey. "
        "Forty jars, and every one of them tastes different.",
    ),
    (
        8900,
        16420,
        "Sam Ortega",
        "That's because the bees go wherever they like. In May it's mostly hawthorn, and by "
        "July it's lime trees from the park.",
    ),
    (  # after a 2.8 s pause
        19200,
        24600,
        "Sam Ortega",
        "The dark one is from the heather up on the moor. People either love it or hand it "
        "straight back.",
    ),
    (25000, 28700, "Dana Whit", "I'm going to be honest, I'd hand it back."),
]
READABLE: list[Row] = [  # exactly the cues of readable.vtt
    (800, 4900, "Lena Park", "Good morning, and welcome to Flour and Water."),
    (5200, 9600, "Lena Park", "Today I'm in the back room of Hollow Oak Bakery with Tomas Reyes."),
    (10000, 12100, "Tomas Reyes", "Mind the flour on the floor."),
    (
        12500,
        18300,
        "Tomas Reyes",
        "This starter is older than the bakery. My aunt fed it every night for twenty years,",
    ),
    (18300, 21000, "Tomas Reyes", "and I have not missed a night since."),
    (21400, 22300, "Lena Park", "Not one?"),
    (22600, 26800, "Tomas Reyes", "Once. I had the flu, and my neighbour came in with a torch."),
    (27100, 31400, "Lena Park", "What does it actually need, night after night?"),
    (31800, 37200, "Tomas Reyes", "Flour, water and a warm corner. The rest is just showing up."),
    (37600, 40300, "Lena Park", "That sounds like a lot of things."),
    (
        40700,
        45900,
        "Tomas Reyes",
        "It is most things. Bread just makes it obvious when you skip a day.",
    ),
    (46300, 49800, "Lena Park", "Tomas Reyes, thank you for letting us in."),
]
CHAPTERS = (
    "chapters:\n  - {start: 0, title: Hello}\n  - {start: '0:29.6', title: Opening the case}\n"
)


def site_with(
    make_site: MakeSite,
    fixture: str,
    extra: str = "",
    site_yaml: str = SITE_YAML + "transcript_files: [vtt, srt, txt, json]\n",  # each download
) -> Path:
    suffix = Path(fixture).suffix
    return make_site(
        {
            "content/episodes/ep.md": record(extra=extra),
            f"content/episodes/ep{suffix}": (FIXTURES / fixture).read_bytes(),
        },
        site_yaml=site_yaml,
    )


def built_rows(site: Path) -> list[Row]:
    """The segments of the built episode, as its transcript.json download has them."""
    build(site, jobs=1)
    data = json.loads((site / "output/episodes/ep/transcript.json").read_text())
    return [
        (
            round(s["startTime"] * 1000),
            round(s["endTime"] * 1000),
            s.get("speaker"),
            s["body"],
        )
        for s in data["segments"]
    ]


def stamp(ms: int | None) -> str:
    assert ms is not None
    return f"00:00:{ms // 1000:02d}.{ms % 1000:03d}"


def input_rows(fixture: str) -> list[Row]:
    """The fixture's segments as read, before any merging."""
    transcript = read_file(FIXTURES / fixture, fixture, Problems())
    return [(s.start_ms, s.end_ms, s.speaker, s.text) for s in transcript.segments]


class TestRealShapes:
    @pytest.mark.parametrize(
        ("fixture", "extra", "expected"),
        [
            ("youtube-auto.en.vtt", "", YOUTUBE),
            ("buzzsprout-words.json", CHAPTERS, BUZZSPROUT),
            ("caption-fragments.srt", "", CAPTIONS),
            ("readable.vtt", "", READABLE),
        ],
    )
    def test_builds_with_the_expected_segments(
        self, make_site: MakeSite, fixture: str, extra: str, expected: list[Row]
    ) -> None:
        """Each shape builds into exactly these segments: start of the first piece, end of
        the last, its speaker, the pieces' text."""
        assert built_rows(site_with(make_site, fixture, extra)) == expected

    def test_the_readable_transcript_is_the_file_as_it_is(self) -> None:
        """The already readable WebVTT is measured, found readable and not touched at all."""
        transcript = read_file(FIXTURES / "readable.vtt", "readable.vtt", Problems())
        assert input_rows("readable.vtt") == READABLE
        assert not fragmentary(transcript.segments)
        assert arrange(transcript) is transcript

    def test_youtube_phrases_appear_once_on_the_page_and_in_every_download(
        self, make_site: MakeSite
    ) -> None:
        """Read cue by cue, each line would come out three times (its cue, the 10 ms cue,
        the next cue's top line); now the page and all four downloads hold it once."""
        site = site_with(make_site, "youtube-auto.en.vtt")
        build(site, jobs=1)
        folder = site / "output/episodes/ep"
        for name in ("index.html", "transcript.vtt", "transcript.srt", "transcript.txt"):
            text = (folder / name).read_text()
            for _, _, line in YOUTUBE_LINES:
                if line != "the brake":  # also inside other lines
                    assert text.count(line) == 1, (name, line)
        segments = json.loads((folder / "transcript.json").read_text())["segments"]
        assert len(segments) == 3

    def test_every_download_has_the_merged_segments(self, make_site: MakeSite) -> None:
        """The WebVTT, SRT and text downloads hold the same six merged segments as the page
        and the JSON, with the same times."""
        site = site_with(make_site, "buzzsprout-words.json", CHAPTERS)
        assert built_rows(site) == BUZZSPROUT
        folder = site / "output/episodes/ep"
        vtt_text = (folder / "transcript.vtt").read_text()
        assert re.findall(r"^(\S+) --> (\S+)$", vtt_text, re.M) == [
            (stamp(start), stamp(end)) for start, end, _, _ in BUZZSPROUT
        ]
        srt_text = (folder / "transcript.srt").read_text()
        assert srt_text.count(" --> ") == 6
        assert "Kofi Mensah: Thanks, Ines. Honestly, most of them just need oil.\n" in srt_text
        assert len((folder / "transcript.txt").read_text().splitlines()) == 6
        page = (folder / "index.html").read_text()
        assert page.count('<p class="seg"') == 6
        assert '<h3 class="chapter-heading">Opening the case</h3>' in page

    def test_youtube_as_is_keeps_one_segment_per_line(self, make_site: MakeSite) -> None:
        """as-is turns the merging off, not the collapse: the repeats are no part of the
        transcript, so each line is still there once, with its cue's times."""
        site = site_with(make_site, "youtube-auto.en.vtt", "segments: as-is\n")
        assert built_rows(site) == [(s, e, None, t) for s, e, t in YOUTUBE_LINES]

    def test_youtube_converted_to_srt_collapses_the_same(self, tmp_path: Path) -> None:
        """ffmpeg and yt-dlp --convert-subs srt drop the inline tags and keep the rolling
        cues; recognised by their text, they give the same lines."""
        vtt = (FIXTURES / "youtube-auto.en.vtt").read_text()
        blocks = [b for b in vtt.split("\n\n") if "-->" in b]
        srt = []
        for number, block in enumerate(blocks, 1):
            timing, *lines = block.split("\n")
            start, end = (t.replace(".", ",") for t in timing.split(" align")[0].split(" --> "))
            text = "\n".join(re.sub(r"<[^>]*>", "", line) for line in lines)
            srt.append(f"{number}\n{start} --> {end}\n{text}\n")
        path = tmp_path / "yt.srt"
        path.write_text("\n".join(srt))
        transcript = read_file(path, "yt.srt", Problems())
        assert [(s.start_ms, s.end_ms, s.text) for s in transcript.segments] == YOUTUBE_LINES


class TestSetting:
    def test_as_is_in_a_record_keeps_the_input_segments(self, make_site: MakeSite) -> None:
        site = site_with(make_site, "buzzsprout-words.json", CHAPTERS + "segments: as-is\n")
        rows = built_rows(site)
        assert rows == input_rows("buzzsprout-words.json")
        assert len(rows) == 89 and rows[0] == (600, 836, "Ines Farrow", "Welcome")

    def test_as_is_in_site_yaml_keeps_the_input_segments(self, make_site: MakeSite) -> None:
        site = site_with(
            make_site, "caption-fragments.srt", site_yaml=SITE_YAML + "segments: as-is\n"
        )
        rows = built_rows(site)
        assert rows == input_rows("caption-fragments.srt")
        assert len(rows) == 13

    def test_a_record_overrides_the_site(self, make_site: MakeSite) -> None:
        site = site_with(
            make_site,
            "caption-fragments.srt",
            "segments: readable\n",
            site_yaml=SITE_YAML + "segments: as-is\n",
        )
        assert built_rows(site) == CAPTIONS

    @pytest.mark.parametrize(
        ("value", "shown"),
        [
            ("paragraphs", "'paragraphs'"),
            ("Readable", "'Readable'"),
            ("true", "true"),
            ("[x]", "a list"),
        ],
    )
    def test_a_bad_value_is_an_error_naming_the_allowed_values(
        self, make_site: MakeSite, value: str, shown: str
    ) -> None:
        site = site_with(make_site, "readable.vtt", f"segments: {value}\n")
        problems = Problems()
        path = site / "content/episodes/ep.md"
        assert read_record(path, "content/episodes/ep.md", site, problems) is None
        assert [str(p) for p in problems.errors] == [
            f"content/episodes/ep.md:4: 'segments' must be readable or as-is, got {shown}"
        ]


def seg(start: float, end: float | None, text: str, speaker: str | None = None) -> Segment:
    end_ms = round(end * 1000) if end is not None else None
    return Segment(round(start * 1000), end_ms, text, speaker, "", 1)


def texts(merged: list[readable.Merged]) -> list[str]:
    return [text for _, _, text, _, _ in merged]


def words(text: str, start: float = 0.0, speaker: str | None = None) -> list[Segment]:
    """One segment per word, 0.3 s each, back to back."""
    return [
        seg(start + 0.3 * n, start + 0.3 * n + 0.25, word, speaker)
        for n, word in enumerate(text.split())
    ]


class TestMerge:
    def test_never_across_a_speaker_a_pause_or_a_chapter(self) -> None:
        pieces = [
            *words("one two", 0, "A"),
            *words("three", 0.6, "B"),  # another speaker
            *words("four", 3.2, "B"),  # 2.35 s after three ends
            *words("five six", 4.0, "B"),  # five starts when a chapter does
        ]
        merged = merge(pieces, [4000])
        assert texts(merged) == ["one two", "three", "four", "five six"]
        assert [(s, e, who) for s, e, _, who, _ in merged] == [
            (0, 550, "A"),
            (600, 850, "B"),
            (3200, 3450, "B"),
            (4000, 4550, "B"),
        ]

    def test_a_pause_of_two_seconds_is_no_break(self) -> None:
        merged = merge([seg(0, 1, "one"), seg(3, 4, "two")], [])
        assert texts(merged) == ["one two"]

    def test_breaks_at_the_last_sentence_end_before_the_limit(self) -> None:
        first = (
            "A first sentence of about a hundred characters, said by one speaker at an even and "
            "unhurried pace."
        )
        second = (
            "Then a second one, just about as long, which together with the first still fits "
            "under the limit."
        )
        third = (
            "A third one does not fit any more, so the segment ends after the second sentence "
            "instead of here."
        )
        assert len(f"{first} {second}") <= readable.MAX_CHARS < len(f"{first} {second} {third}")
        merged = merge(words(f"{first} {second} {third}"), [])
        assert texts(merged) == [f"{first} {second}", third]

    def test_without_sentence_ends_it_breaks_at_the_limit(self) -> None:
        merged = merge(words(" ".join(["word"] * 100)), [])  # 50 words are 249 characters
        assert texts(merged) == [" ".join(["word"] * 50)] * 2

    def test_thirty_seconds_at_most(self) -> None:
        pieces = [seg(n * 1.5, n * 1.5 + 1.4, "hm") for n in range(30)]
        merged = merge(pieces, [])
        assert [(s, e) for s, e, *_ in merged] == [(0, 29900), (30000, 44900)]

    def test_the_limit_hands_the_words_after_the_last_sentence_end_on(self) -> None:
        """The pieces after the last sentence end start the next segment, and still fit."""
        merged = merge(words("Short one. " + " ".join(["tail"] * 60)), [])
        assert texts(merged)[0] == "Short one."
        assert " ".join(texts(merged)) == "Short one. " + " ".join(["tail"] * 60)
        assert all(len(t) <= readable.MAX_CHARS for t in texts(merged))

    def test_punctuation_timed_on_its_own_joins_the_word_before(self) -> None:
        pieces = [seg(0, 0.2, "Well"), seg(0.2, 0.3, ","), seg(0.3, 0.5, "yes"), seg(0.5, 0.6, ".")]
        assert texts(merge(pieces, [])) == ["Well, yes."]

    def test_unknown_ends_merge_by_time_limit_and_keep_none(self) -> None:
        pieces = [seg(n, None, f"w{n}") for n in range(12)]
        merged = merge(pieces, [])
        assert merged == [(0, None, " ".join(f"w{n}" for n in range(12)), None, 1)]

    def test_anchors_follow_the_merged_starts(self) -> None:
        """A merged segment's anchor is made from its own start again: t=2 when no merged
        segment before it holds second 2, though its first word was t=2.3 among the words."""
        pieces = [
            seg(1.5, 1.9, "One."),
            seg(2.0, 2.2, "two"),
            seg(2.3, 2.5, "Three", "B"),
            *[seg(3 + n * 0.1, 3.05 + n * 0.1, "x", "B") for n in range(8)],
        ]
        transcript = Transcript("a.json", tuple(pieces))
        merged = arrange(transcript).segments
        assert [(s.start_ms, s.anchor) for s in merged] == [(1500, "t=1"), (2300, "t=2")]


@st.composite
def pieces(draw: st.DrawFn) -> tuple[list[Segment], list[int]]:
    """Random runs of pieces: speakers, gaps (some over two seconds), unknown ends, sentence
    ends, punctuation on its own, long words; and chapter starts among their times."""
    segments = []
    start = draw(st.integers(0, 3000))
    for n in range(draw(st.integers(0, 60))):
        start += draw(st.sampled_from([0, 10, 300, 1900, 2000, 2100, 6000]))
        length = draw(st.sampled_from([None, 1, 250, 900, 2500]))
        end = start + length if length is not None else None
        text = draw(st.sampled_from(["a", "word", "end.", "why?", ",", ".", "x" * 60, "y" * 249]))
        speaker = draw(st.sampled_from([None, "A", "A", "A", "B"]))
        segments.append(Segment(start, end, text, speaker, "", n + 1))
        start = max(start, end or start)
    times = sorted({s.start_ms for s in segments})
    chapters = sorted(draw(st.lists(st.sampled_from(times), max_size=3))) if times else []
    return segments, chapters


class TestMergeReference:
    @settings(max_examples=500, deadline=None)
    @given(pieces())
    def test_merge_is_the_plain_loop(self, case: tuple[list[Segment], list[int]]) -> None:
        """The index-arithmetic pass gives exactly what the plain loop of tests/reference.py
        gives."""
        segments, chapters = case
        assert merge(segments, chapters) == reference.merge(segments, chapters)


class TestMeasure:
    def test_word_level_is_fragmentary(self) -> None:
        assert fragmentary(words("And so. It begins, " * 5))

    def test_captions_without_sentence_ends_are_fragmentary(self) -> None:
        pieces = [seg(n * 2, n * 2 + 2, "a fragment of a sentence that goes on") for n in range(12)]
        assert fragmentary(pieces)

    def test_sentences_are_readable(self) -> None:
        pieces = [seg(n * 2, n * 2 + 2, "Yes, that is a whole sentence.") for n in range(12)]
        assert not fragmentary(pieces)

    def test_long_segments_without_punctuation_are_readable(self) -> None:
        text = (
            "a long stretch of speech that nobody punctuated but that is a whole paragraph already"
        )
        assert len(text) >= readable.CAPTION_CHARS
        assert not fragmentary([seg(n * 9, n * 9 + 9, text) for n in range(12)])

    def test_too_few_segments_are_left_alone(self) -> None:
        assert not fragmentary(words("only nine words are here in this short clip"))

    def test_closing_quotes_after_a_sentence_end_count(self) -> None:
        assert readable.ends_sentence('He said "stop."')
        assert readable.ends_sentence("(Really?)")
        assert not readable.ends_sentence("and then,")

    def test_chapters_reach_the_merge(self) -> None:
        transcript = Transcript(
            "a.json", tuple(words("one two three four five six seven eight nine ten eleven"))
        )
        merged = arrange(transcript, [Chapter(start_ms=1500, title="Later")]).segments
        assert [s.text for s in merged] == [
            "one two three four five",
            "six seven eight nine ten eleven",
        ]


def cue(n: int, text: str) -> Cue:
    return Cue(n * 1000, n * 1000 + 900, text, None, n + 1)


class TestRolling:
    def test_overlap_is_whole_words(self) -> None:
        assert rolling.overlap("so the cat", "the cat sat") == len("the cat")
        assert rolling.overlap("so the cat", "cats sat") == 0
        assert rolling.overlap("a b", "a b") == 3
        assert rolling.overlap("", "a") == 0
        assert rolling.overlap("we went in", "in the end") == 2

    def test_speech_that_repeats_now_and_then_is_not_rolling(self) -> None:
        cues = [
            cue(0, "Right."),
            cue(1, "Right, so where were we?"),
            cue(2, "The shed."),
            cue(3, "Yes, the shed."),
            cue(4, "It was locked."),
            cue(5, "Locked again?"),
        ]
        assert not rolling.rolls(cues)
        assert rolling.collapse(cues) is cues

    def test_the_benchmark_archive_does_not_roll(self) -> None:
        cues = vtt.parse(archive.transcript(random.Random(3)), "a.vtt", Problems())
        assert not rolling.rolls(cues)

    def test_rolling_cues_keep_only_what_they_add(self) -> None:
        cues = [
            cue(0, "one two three"),
            cue(1, "one two three"),  # the 10 ms cue
            cue(2, "one two three four five"),
            cue(3, "four five"),
            cue(4, "four five six"),
            cue(5, "six"),
        ]
        assert [(c.start_ms, c.text) for c in rolling.collapse(cues)] == [
            (0, "one two three"),
            (2000, "four five"),
            (4000, "six"),
        ]
