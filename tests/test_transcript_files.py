"""Which transcript downloads are written as files (``transcript_files`` in ``site.yaml``), what
the feed and the page offer of them, and the forms the page makes in the browser: byte for byte
what the Python exporter writes, checked in Chromium on a real-shaped transcript (speakers,
cues over two lines, escapes, equal starts, past the hour and past ten hours).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import Browser

from generator.build import build
from generator.errors import BuildFailed, Problems
from generator.transcripts import exports, read_file
from tests.browser import serve
from tests.conftest import SITE_YAML, MakeSite, record

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "forms" / "interview.vtt"
EPISODE = "episodes/interview/"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


def interview_site(
    make_site: MakeSite, forms: str | None = None, transcript: Path = FIXTURE
) -> Path:
    """A site with one episode (audio, so it is in the feed) and a real-shaped transcript."""
    settings = SITE_YAML + (f"transcript_files: {forms}\n" if forms is not None else "")
    return make_site(
        {
            "content/episodes/interview.md": record(
                "Night bakers",
                extra="audio: {url: https://media.example/ep.mp3, length: 9, type: audio/mpeg}\n",
            ),
            f"content/episodes/interview{transcript.suffix}": transcript.read_bytes(),
        },
        site_yaml=settings,
    )


def feed_transcripts(output: Path) -> list[tuple[str, str]]:
    feed = etree.parse(str(output / "feed.xml"))
    return [
        (e.get("url", "").rsplit("/", 1)[1], e.get("type", ""))
        for e in feed.iter(f"{PODCAST}transcript")
    ]


class TestSetting:
    def test_default_builds_webvtt_and_json(self, make_site: MakeSite, tmp_path: Path) -> None:
        site = interview_site(make_site)
        build(site, tmp_path / "out")
        folder = tmp_path / "out" / EPISODE
        assert sorted(p.name for p in folder.glob("transcript.*")) == [
            "transcript.json",
            "transcript.vtt",
        ]
        assert feed_transcripts(tmp_path / "out") == [
            ("transcript.vtt", "text/vtt"),
            ("transcript.json", "application/json"),
        ]

    @pytest.mark.parametrize(
        ("setting", "files"),
        [
            ("[vtt]", ["vtt"]),
            ("json", ["json"]),
            ("[SRT, .vtt]", ["vtt", "srt"]),
            ("[txt, json, srt, vtt]", ["vtt", "srt", "txt", "json"]),
        ],
    )
    def test_builds_what_it_names_and_the_feed_lists_only_those(
        self, make_site: MakeSite, tmp_path: Path, setting: str, files: list[str]
    ) -> None:
        site = interview_site(make_site, setting)
        build(site, tmp_path / "out")
        built = sorted(p.suffix[1:] for p in (tmp_path / "out" / EPISODE).glob("transcript.*"))
        assert built == sorted(files)
        listed = [name.split(".")[1] for name, _ in feed_transcripts(tmp_path / "out")]
        order = ["vtt", "srt", "json", "txt"]  # the feed's order: captions first
        assert listed == [form for form in order if form in files]

    @pytest.mark.parametrize(
        ("setting", "message"),
        [
            (
                "[vtt, pdf]",
                "site.yaml:3: 'transcript_files' has 'pdf', which is no transcript form "
                "(the forms are vtt, srt, txt, json)",
            ),
            (
                "[srt, txt]",
                "site.yaml:3: 'transcript_files' must include vtt or json: the episode page makes "
                "the other forms from one of them in the browser (SRT and text do not say who "
                "speaks where)",
            ),
            (
                "[]",
                "site.yaml:3: 'transcript_files' must be a list of the transcript forms to write "
                "as files (from vtt, srt, txt, json; default [vtt, json]), got an empty list",
            ),
            (
                "\n  - vtt\n  - 3",
                "site.yaml:5: 'transcript_files' has the number 3, which is no transcript form "
                "(the forms are vtt, srt, txt, json)",
            ),
        ],
    )
    def test_a_wrong_setting_is_an_error_at_its_line(
        self, make_site: MakeSite, tmp_path: Path, setting: str, message: str
    ) -> None:
        site = interview_site(make_site, setting)
        with pytest.raises(BuildFailed) as info:
            build(site, tmp_path / "out")
        assert [str(p) for p in info.value.errors if "transcript_files" in str(p)] == [message]

    def test_untimed_transcript_keeps_its_text(self, make_site: MakeSite, tmp_path: Path) -> None:
        """A transcript without times has one form, its text, whatever the setting says."""
        site = make_site(
            {
                "content/episodes/plain.md": record(
                    extra="audio: {url: https://media.example/p.mp3, length: 9, type: audio/mpeg}\n"
                ),
                "content/episodes/plain.txt": "Ana: Hello there.\n\nBo: Hi.\n",
            },
            site_yaml=SITE_YAML + "transcript_files: [vtt]\n",
        )
        build(site, tmp_path / "out")
        folder = tmp_path / "out" / "episodes" / "plain"
        assert sorted(p.name for p in folder.glob("transcript.*")) == ["transcript.txt"]
        assert feed_transcripts(tmp_path / "out") == [("transcript.txt", "text/plain")]
        page = (folder / "index.html").read_text()
        assert '<a href="transcript.txt" download>Text</a>' in page
        assert "data-from" not in page and "downloads.js" not in page


class TestPage:
    def test_links_to_files_and_hides_the_forms_it_makes(
        self, make_site: MakeSite, tmp_path: Path
    ) -> None:
        build(interview_site(make_site, "[vtt]"), tmp_path / "out")
        page = (tmp_path / "out" / EPISODE / "index.html").read_text()
        assert '<a href="transcript.vtt" download>WebVTT</a>' in page
        for form, label in (("srt", "SRT"), ("txt", "Text"), ("json", "JSON")):
            made = f'<a download="transcript.{form}" data-from="transcript.vtt" hidden>{label}</a>'
            assert made in page
        assert "/show/assets/downloads.js" in page

    def test_every_form_a_file_needs_no_script(self, make_site: MakeSite, tmp_path: Path) -> None:
        build(interview_site(make_site, "[vtt, srt, txt, json]"), tmp_path / "out")
        page = (tmp_path / "out" / EPISODE / "index.html").read_text()
        assert "data-from" not in page and "downloads.js" not in page
        assert page.count(" download>") == 4

    def test_the_json_is_the_source_where_it_is_built(
        self, make_site: MakeSite, tmp_path: Path
    ) -> None:
        build(interview_site(make_site), tmp_path / "out")
        page = (tmp_path / "out" / EPISODE / "index.html").read_text()
        assert page.count('data-from="transcript.json"') == 2  # SRT and text


def test_webvtt_reads_back_as_the_json() -> None:
    """The search index reads the WebVTT where a site builds no JSON: the same segments, down to
    each number's type (83 or 83.456, as JSON reads them)."""
    problems = Problems()
    transcript = read_file(FIXTURE, "interview.vtt", problems)
    forms = exports.render_all(transcript, None)
    from_vtt = exports.segments_of(forms.vtt)
    from_json = exports.segments_of(forms.json)
    assert json.dumps(from_vtt) == json.dumps(from_json)
    assert from_json == json.loads(forms.json)["segments"]
    assert exports.segments_of(b"") == []


def test_search_works_from_the_webvtt(make_site: MakeSite, tmp_path: Path) -> None:
    """With only WebVTT built, the search index still finds the episode's lines."""
    output = tmp_path / "out"
    site = interview_site(make_site, "[vtt]")
    (site / "site.yaml").write_text(SITE_YAML + "transcript_files: [vtt]\nsearch: true\n")
    build(site, output)
    lines = list((output / "pagefind" / "lines").glob("*.gz"))
    assert lines, "no line files"
    data = json.loads(gzip.decompress(lines[0].read_bytes()))
    assert ["kneading" in text for _, text in data["lines"]].count(True) == 1
    assert [0.48, "Welcome back"] == [data["lines"][0][0], data["lines"][0][1][:12]]


# -- In the browser ----------------------------------------------------------------------------


SHAPES = Path(__file__).resolve().parent / "fixtures" / "segments"


@pytest.mark.parametrize(
    ("transcript", "built"),
    [(FIXTURE, forms) for forms in ("[json]", "[vtt]", "[vtt, json]", "[srt, json]")]
    + [  # the shapes tools emit, merged into readable segments (word times and all)
        (SHAPES / name, forms)
        for name in ("buzzsprout-words.json", "caption-fragments.srt", "youtube-auto.en.vtt")
        for forms in ("[json]", "[vtt]")
    ],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_browser_makes_each_form_as_the_exporter_writes_it(
    browser: Browser, make_site: MakeSite, tmp_path: Path, transcript: Path, built: str
) -> None:
    """Click each download the site does not build: the file the browser saves is byte for byte
    the one Cuepress writes when it builds that form (the Python exporter, same transcript)."""
    site = interview_site(make_site, "[vtt, srt, txt, json]", transcript)
    build(site, tmp_path / "all")
    expected = {
        form: (tmp_path / "all" / EPISODE / f"transcript.{form}").read_bytes()
        for form in exports.DOWNLOADS
    }
    (site / "site.yaml").write_text(SITE_YAML + f"transcript_files: {built}\n")
    build(site, tmp_path / "some")
    folder = tmp_path / "some" / EPISODE
    made = [f for f in exports.DOWNLOADS if not (folder / f"transcript.{f}").exists()]
    assert made
    with serve(tmp_path / "some", "/show/") as url:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.goto(url + EPISODE)
        page.wait_for_function("!document.querySelector('a[data-from]').hidden")
        loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        assert not [name for name in loaded if "transcript-forms.js" in name]  # only on a click
        for form in made:
            with page.expect_download() as info:
                page.click(f"a[download='transcript.{form}']")
            download = info.value
            assert download.suggested_filename == f"transcript.{form}"
            assert Path(download.path()).read_bytes() == expected[form], form
        context.close()


def test_without_javascript_only_the_files_are_offered(
    browser: Browser, make_site: MakeSite, tmp_path: Path
) -> None:
    build(interview_site(make_site), tmp_path / "out")
    with serve(tmp_path / "out", "/show/") as url:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(url + EPISODE)
        shown = page.locator(".downloads a:visible").all_inner_texts()
        assert shown == ["WebVTT", "JSON"]
        context.close()
