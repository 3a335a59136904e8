"""Cuepress reads WebVTT as Chromium does: the same cues, at the same times, with the same
words, for every file in ``tests/vtt-cases/`` (each exercising the rules of a web-platform-tests
``webvtt/parsing/file-parsing`` test: signatures, headers, blank lines, line ends, ids, every
kind of timing, NOTE/STYLE/REGION blocks, an arrow in cue text, tags and entities).

Each file is loaded as the ``<track default>`` of a ``<video>`` in headless Chromium, and its
``track.cues`` read back: start and end in milliseconds, and the text as shown
(``getCueAsHTML().textContent``). Cuepress's cues are what its reader gives the build (start,
end, and the text with tags removed and character references decoded). Both texts have their
whitespace collapsed, as the site shows them. Where Cuepress differs on purpose (it reads bare
seconds and comma timings, it refuses files that are not transcripts), the case says so in
:data:`DIFFERENCES`, with the exact cues that differ.

The same files hold the spec's parser, step by step (``tests/reference.parse_spec``), to
Chromium; the property tests in ``test_transcripts.py`` hold the reader to that oracle on
random files.
"""

from __future__ import annotations

import codecs
import json
import math
import shutil
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from playwright.sync_api import Browser

from generator.errors import Problems, TranscriptError
from generator.transcripts import read_data, vtt
from generator.transcripts.cues import decode
from tests import reference
from tests.browser import serve
from tests.test_transcripts import left_out_or_lenient

CASES_FOLDER = Path(__file__).resolve().parent / "vtt-cases"
CASES = sorted(path.stem for path in CASES_FOLDER.glob("*.vtt"))
INF = math.inf

Row = tuple[float, float, str]  # start ms, end ms (inf: a time Chromium cannot hold), text


class Difference(NamedTuple):
    """Where Cuepress deliberately reads a file otherwise than Chromium."""

    why: str
    refused: bool = False  # Cuepress refuses the file: an error, and the build stops
    cuepress_only: tuple[Row, ...] = ()  # cues Cuepress has and Chromium does not
    chromium_only: tuple[Row, ...] = ()  # cues Chromium has and Cuepress does not
    left_out: int = 0  # cues Cuepress leaves out (with a warning) that the spec keeps


NOT_A_TRANSCRIPT = (
    "a WebVTT file without a single cue is valid to Chromium (it shows nothing); to Cuepress "
    "it is an episode without a transcript, an error: 'no segments found in the transcript'"
)
DIFFERENCES: dict[str, Difference] = {
    "signature-only": Difference(NOT_A_TRANSCRIPT, refused=True),
    "only-notes": Difference(NOT_A_TRANSCRIPT, refused=True),
    "encoding-latin1": Difference(
        "Chromium decodes a file that is not UTF-8 with U+FFFD for each bad byte; Cuepress "
        "refuses it, naming the byte and its line, so no letter is silently lost",
        refused=True,
        chromium_only=((1000, 2000, "Caf\ufffd in Latin-1."),),
    ),
    "lenient-bare-seconds": Difference(
        "timings in bare seconds (0.860 --> 7.380), as a real host writes them: Chromium drops "
        "those cues, Cuepress reads them, with a warning naming the first line and the count",
        cuepress_only=(
            (860, 7380, "A host's bare seconds."),
            (7380, 12004, "Still in seconds."),
            (3725500, 3727000, "An hour in."),
        ),
    ),
    "lenient-comma": Difference(
        "a comma before the milliseconds (SRT's habit): Chromium drops those cues, Cuepress "
        "reads them, with a warning",
        cuepress_only=((1000, 2500, "An SRT habit."), (3000, 4000, "A comma on one side.")),
    ),
    "text-unclosed-tag": Difference(
        "a '<' that no '>' closes: Chromium drops the rest of the cue as an unfinished tag, "
        "Cuepress keeps the words ('I <3 my shed.' is a transcript's less-than sign)",
        cuepress_only=((1000, 2000, "I <3 my shed."),),
        chromium_only=((1000, 2000, "I"),),
    ),
    "timing-beyond-chromium": Difference(
        "a time past what Chromium can hold (2^63 microseconds, about 2.5 billion hours) is "
        "infinite to Chromium, which keeps the cue; Cuepress leaves the cue out, with a warning",
        chromium_only=(
            (INF, INF, "Past what Chromium can hold."),
            (4442400000, INF, "An end past what Chromium can hold."),
        ),
        left_out=2,
    ),
}

# The page: every case as the default track of a video of its own; each track's cues, once
# loaded (or the error, for a file Chromium refuses).
PAGE = """<!doctype html><meta charset="utf-8"><title>WebVTT cases</title><body><script>
const names = %s;
window.results = {};
for (const name of names) {
  const video = document.createElement('video');
  const track = document.createElement('track');
  track.kind = 'subtitles';
  track.default = true;
  const done = (status) => {
    window.results[name] = {status, cues: Array.from(track.track.cues || [], (cue) => ({
      start: cue.startTime, end: cue.endTime, raw: cue.text,
      text: cue.getCueAsHTML().textContent}))};
  };
  track.addEventListener('load', () => done('load'));
  track.addEventListener('error', () => done('error'));
  track.src = name + '.vtt';
  video.appendChild(track);
  document.body.appendChild(video);
}
</script>
"""


@pytest.fixture(scope="module")
def chromium(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What Chromium makes of every case: ``{case: {status, cues: [{start, end, raw, text}]}}``."""
    root = tmp_path_factory.mktemp("vtt-cases")
    for name in CASES:
        shutil.copyfile(CASES_FOLDER / f"{name}.vtt", root / f"{name}.vtt")
    (root / "index.html").write_text(PAGE % json.dumps(CASES), encoding="utf-8")
    context = browser.new_context()
    try:
        page = context.new_page()
        with serve(root, "/cases/") as url:
            page.goto(url + "index.html")
            page.wait_for_function(
                f"Object.keys(window.results).length === {len(CASES)}", timeout=30_000
            )
            results: dict[str, Any] = page.evaluate("window.results")
    finally:
        context.close()
    return results


def ms(seconds: float) -> float:
    return round(seconds * 1000) if math.isfinite(seconds) else INF


def words(text: str) -> str:
    """Text as the site shows it: whitespace collapsed."""
    return " ".join(text.split())


def chromium_rows(result: dict[str, Any]) -> list[Row]:
    return sorted((ms(c["start"]), ms(c["end"]), words(c["text"])) for c in result["cues"])


def read_cuepress(data: bytes) -> tuple[list[Row], list[str]]:
    """Cuepress's cues for a file's bytes (decoded, read as a build reads it), and its
    warnings; raises TranscriptError where the build reports an error."""
    problems = Problems()
    text = decode(data, "a.vtt", problems)
    cues = vtt.parse(text, "a.vtt", problems)
    assert vtt._parse_lines(text, "a.vtt", Problems()) == cues  # the spec path, the same
    read_data(data, vtt.parse, "a.vtt", Problems())  # the checks a build makes after reading
    return sorted(
        (c.start_ms, INF if c.end_ms is None else c.end_ms, words(c.text)) for c in cues
    ), [p.message for p in problems.warnings]


def decode_as_browsers(data: bytes) -> str:
    """The bytes as the spec (and Chromium) decode them: UTF-8, or UTF-16 where a byte-order
    mark says so, with U+FFFD for what does not decode; then NUL and line ends as the parser's
    first step makes them."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, errors="replace")
            break
    else:
        text = data.decode("utf-8", errors="replace")
    return text.replace("\0", "\ufffd").replace("\r\n", "\n").replace("\r", "\n")


def test_the_cases_cover_the_rules() -> None:
    """At least 25 cases; every declared difference names a case that exists."""
    assert len(CASES) >= 25
    assert set(DIFFERENCES) <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_spec_parser_agrees_with_chromium(chromium: dict[str, Any], case: str) -> None:
    """The spec's parser, step by step, reads each file exactly as Chromium does (cue times and
    raw text), which makes it an oracle for the reader's property tests. A time past what
    Chromium holds (2^63 microseconds) is infinite there, the only limit it adds."""
    result = chromium[case]
    spec = reference.parse_spec(decode_as_browsers((CASES_FOLDER / f"{case}.vtt").read_bytes()))
    if spec is None:
        assert result["status"] == "error"
        return
    assert result["status"] == "load"

    def held(value: int) -> float:
        return value if value <= vtt.MAX_MS else INF

    assert sorted((held(s), held(e), text) for s, e, text, _ in spec[0]) == sorted(
        (ms(c["start"]), ms(c["end"]), c["raw"]) for c in result["cues"]
    )


@pytest.mark.parametrize("case", CASES)
def test_cuepress_agrees_with_chromium(chromium: dict[str, Any], case: str) -> None:
    """Cuepress shows the cues Chromium shows, at the same times, with the same words; what
    Chromium drops, Cuepress leaves out with a warning per kind of mistake (counting them all).
    Deliberate differences are listed in DIFFERENCES, each with the cues it concerns."""
    data = (CASES_FOLDER / f"{case}.vtt").read_bytes()
    result = chromium[case]
    shown = chromium_rows(result)
    difference = DIFFERENCES.get(case, Difference(""))
    if result["status"] == "error" or difference.refused:
        with pytest.raises(TranscriptError):
            read_cuepress(data)
        assert shown == sorted(difference.chromium_only)
        return
    ours, warnings = read_cuepress(data)
    for row in difference.cuepress_only:
        assert row in ours
    for row in difference.chromium_only:
        assert row in shown
    assert [r for r in ours if r not in difference.cuepress_only] == [
        r for r in shown if r not in difference.chromium_only
    ]
    spec = reference.parse_spec(decode_as_browsers(data))
    assert spec is not None
    assert left_out_or_lenient(warnings) == len(spec[1]) + difference.left_out


class TestCases:
    """The comparison can fail, and the cases say what they are meant to."""

    def test_a_difference_would_be_seen(self) -> None:
        """Had Cuepress kept a cue with one-digit minutes, the rows would differ."""
        data = (CASES_FOLDER / "timing-minutes-one-digit.vtt").read_bytes()
        ours, warnings = read_cuepress(data)
        assert (3000, 4000, "One digit of minutes.") not in ours
        assert left_out_or_lenient(warnings) == 4

    def test_messages_say_what_is_wrong_and_what_is_right(self) -> None:
        """Each left-out cue's warning quotes the timing and gives the right form."""
        _, warnings = read_cuepress((CASES_FOLDER / "timing-fraction-digits.vtt").read_bytes())
        assert warnings[0] == (
            "bad cue timing '00:01.00 --> 00:02.000': the start time '00:01.00' needs exactly "
            "three digits of milliseconds; the cue was left out, as browsers leave it out, and "
            "4 more like it (write the start time as 00:01.000)"
        )
