"""The episode page's transcript markup is the theme's ``layouts/_segment.html``: filled in from
its skeleton where the template allows it (the default theme's does), rendered by Jinja for
every segment where not, the same page either way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import BuildFailed, build
from generator.config import load_site
from generator.errors import Problems
from generator.models import Chapter, Segment, Transcript
from generator.render import Renderer
from generator.transcripts.page import SegmentMarkup
from tests.conftest import MakeSite, record, write_files

VTT = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:02.000\n<v Ana Ruiz>Hi &amp; &lt;you&gt;\n\n"
    '00:00:02.500 --> 00:00:03.000\n<v Ana Ruiz>Still Ana, "quoted" it\'s\n\n'
    "00:00:04.000 --> 00:00:05.000\n<v Bo>Bo here\n\n"
    "00:00:06.000 --> 00:00:07.000\nNobody named\n"
)
EPISODE = {
    "content/episodes/a.md": record(extra="chapters:\n  - {start: '0:04', title: Two & more}\n"),
    "content/episodes/a.vtt": VTT,
}


def renderer_for(site: Path) -> Renderer:
    problems = Problems()
    loaded = load_site(site, problems)
    assert loaded is not None, problems.errors
    return Renderer(loaded, site)


def per_segment(markup: SegmentMarkup) -> SegmentMarkup:
    """The same template, rendered by Jinja for every segment (the path a theme that is not
    skeleton-shaped takes)."""
    return SegmentMarkup(markup.render, None, markup.heading, markup.paragraph)


def transcript_html(site: Path, slug: str = "a") -> str:
    page = (site / f"output/episodes/{slug}/index.html").read_text()
    match = re.search(r'<div class="segments">\n(.*?)\n  </div>', page, re.S)
    assert match is not None
    return match.group(1)


class TestDefaultTheme:
    def test_is_filled_from_its_skeleton(self, make_site: MakeSite) -> None:
        """The default theme's template takes the fast path in every shape."""
        markup = renderer_for(make_site({})).segments
        assert markup.fast

    def test_markup(self, make_site: MakeSite) -> None:
        """Each segment a paragraph with its time link; the speaker named where the speaker
        changes and after a chapter heading, linked to their page; text escaped."""
        site = make_site(
            {**EPISODE, "content/people/ana-ruiz.md": "---\nname: Ana Ruiz\n---\nHosts.\n"}
        )
        build(site)
        assert transcript_html(site) == (
            '<p class="speaker"><a href="/show/people/ana-ruiz/">Ana Ruiz</a></p>\n'
            '<p class="seg" id="t=1" data-t="1"><a class="ts" href="#t=1">0:01</a> '
            '<span class="text">Hi &amp; &lt;you&gt;</span></p>\n'
            '<p class="seg" id="t=2" data-t="2.5"><a class="ts" href="#t=2">0:02</a> '
            '<span class="text">Still Ana, "quoted" it\'s</span></p>\n'
            '<h3 class="chapter-heading">Two &amp; more</h3>\n'
            '<p class="speaker"><a href="/show/people/bo/">Bo</a></p>\n'
            '<p class="seg" id="t=4" data-t="4"><a class="ts" href="#t=4">0:04</a> '
            '<span class="text">Bo here</span></p>\n'
            '<p class="seg" id="t=6" data-t="6"><a class="ts" href="#t=6">0:06</a> '
            '<span class="text">Nobody named</span></p>\n'
        )

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.integers(1, 5_000_000),  # gap to the segment before, ms
                st.text(alphabet="ab <&>\"'é😀%\\", min_size=1, max_size=10),
                st.sampled_from([None, None, "Ana", "Bo & <Co>", 'O\'Hara "Q"', "Zoë"]),
                st.lists(st.integers(0, 3_000), max_size=4),  # word offsets, ms
            ),
            min_size=1,
            max_size=30,
        ),
        st.lists(st.tuples(st.integers(0, 80_000_000), st.text("ab<&\"'", max_size=4)), max_size=4),
        st.booleans(),
    )
    def test_skeleton_equals_jinja(
        self,
        rows: list[tuple[int, str, str | None, list[int]]],
        chapters: list[tuple[int, str]],
        linked: bool,
    ) -> None:
        """On any transcript (speakers, links to their pages, word times, chapters), the
        skeleton writes exactly what Jinja writes rendering the template for each segment."""
        start, segments, words = 0, [], []
        for n, (gap, text, speaker, offsets) in enumerate(rows):
            start += gap
            segments.append(Segment(start, start + 500, text, speaker, f"t={n}", n))
            words.append(tuple(start + o for o in offsets))
        transcript = Transcript("a.vtt", tuple(segments), words=tuple(words))
        marks = [Chapter(s, t) for s, t in chapters]
        urls = {"Ana": "/show/people/ana/", 'O\'Hara "Q"': "/a&b/"} if linked else {}
        markup = _DEFAULT.segments
        assert markup.fast
        fast = markup.transcript(transcript, marks, urls)
        assert fast == per_segment(markup).transcript(transcript, marks, urls)


_DEFAULT: Renderer


@pytest.fixture(autouse=True, scope="module")
def _default_renderer(tmp_path_factory: pytest.TempPathFactory) -> None:
    global _DEFAULT
    site = tmp_path_factory.mktemp("default")
    write_files(site, {"site.yaml": "title: T\nbase_url: https://example.test/show/\n"})
    _DEFAULT = renderer_for(site)


LIST_ITEM = (
    '<li class="line" id="{{ anchor }}" data-t="{{ start }}" data-kind="transcript">'
    "{% if speaker %}<b>{{ speaker }}</b> {% endif %}"
    '<a href="#{{ anchor }}">{{ label }}</a> {{ text }}</li>\n'
)


class TestOverridingTheme:
    def test_list_items(self, make_site: MakeSite) -> None:
        """A theme that marks each line as an ``<li>`` with an extra attribute gets exactly
        that, on the fast path (the template keeps to values and tests of them)."""
        site = make_site({**EPISODE, "layouts/_segment.html": LIST_ITEM})
        assert renderer_for(site).segments.fast
        build(site)
        assert transcript_html(site) == (
            '<li class="line" id="t=1" data-t="1" data-kind="transcript"><b>Ana Ruiz</b> '
            '<a href="#t=1">0:01</a> Hi &amp; &lt;you&gt;</li>\n'
            '<li class="line" id="t=2" data-t="2.5" data-kind="transcript">'
            '<a href="#t=2">0:02</a> Still Ana, "quoted" it\'s</li>\n'
            '<h3 class="chapter-heading">Two &amp; more</h3>\n'
            '<li class="line" id="t=4" data-t="4" data-kind="transcript"><b>Bo</b> '
            '<a href="#t=4">0:04</a> Bo here</li>\n'
            '<li class="line" id="t=6" data-t="6" data-kind="transcript">'
            '<a href="#t=6">0:06</a> Nobody named</li>\n'
        )
        embed = (site / "output/episodes/a/embed/index.html").read_text()
        assert '<li class="line" id="t=4" data-t="4" data-kind="transcript">' in embed

    @pytest.mark.parametrize(
        ("template", "line"),
        [
            # a filter on a value, and a test of what a value says
            (
                '<p id="{{ anchor }}">{{ label }} {{ text | upper }}</p>\n',
                '<p id="t=4">0:04 BO HERE',
            ),
            (
                '<p id="{{ anchor }}"{% if speaker == "Bo" %} class="bo"{% endif %}>{{ text }}</p>'
                "\n",
                '<p id="t=4" class="bo">Bo here</p>\n<p id="t=6">Nobody named</p>',
            ),
            # a value's length, a value passed to a macro, an include
            ('<p data-n="{{ text | length }}">{{ text }}</p>\n', '<p data-n="7">Bo here</p>'),
            ("{% macro m(x) %}<p>{{ x }}</p>{% endmacro %}{{ m(text) }}\n", "<p>Bo here</p>"),
            ('{% include "_part.html" %}<p>{{ text }}</p>\n', "<i>part</i><p>Bo here</p>"),
        ],
    )
    def test_any_other_template_is_rendered_per_segment(
        self, make_site: MakeSite, template: str, line: str
    ) -> None:
        """A template whose output depends on a value other than by printing or testing it is
        not skeleton-shaped: it is rendered for every segment, and the page is what Jinja
        makes of it."""
        site = make_site(
            {**EPISODE, "layouts/_segment.html": template, "layouts/_part.html": "<i>part</i>"}
        )
        markup = renderer_for(site).segments
        assert not markup.fast
        build(site)
        assert line in transcript_html(site)

    def test_a_broken_template_is_reported_at_its_line(self, make_site: MakeSite) -> None:
        site = make_site({**EPISODE, "layouts/_segment.html": "<p>\n{% if text %}\n"})
        with pytest.raises(BuildFailed) as failed:
            build(site)
        assert "layouts/_segment.html" in str(failed.value)

    def test_a_changed_template_rebuilds_the_pages(self, make_site: MakeSite) -> None:
        site = make_site({**EPISODE, "layouts/_segment.html": LIST_ITEM})
        build(site)
        write_files(site, {"layouts/_segment.html": LIST_ITEM.replace("<li", "<li lang=en")})
        build(site)
        assert transcript_html(site).count("<li lang=en") == 4


UNTIMED = {
    "content/episodes/b.md": record(title="B"),
    "content/episodes/b.txt": (
        "Ana Ruiz: First we swept the shed & <then> the yard.\n\n"
        "Ana Ruiz: Then the gate.\n\n"
        "Bo: It's mine now.\n"
    ),
}


class TestOtherTranscriptMarkup:
    """Chapter headings and the paragraphs of a transcript without times are the theme's too:
    ``layouts/_chapter_heading.html`` and ``layouts/_paragraph.html``."""

    def test_default_paragraphs(self, make_site: MakeSite) -> None:
        site = make_site(
            {**UNTIMED, "content/people/ana-ruiz.md": "---\nname: Ana Ruiz\n---\nHosts.\n"}
        )
        build(site)
        assert transcript_html(site, "b") == (
            '<p class="speaker"><a href="/show/people/ana-ruiz/">Ana Ruiz</a></p>\n'
            '<p class="para" id="p1"><span class="text">First we swept the shed &amp; '
            "&lt;then&gt; the yard.</span></p>\n"
            '<p class="para" id="p2"><span class="text">Then the gate.</span></p>\n'
            '<p class="speaker"><a href="/show/people/bo/">Bo</a></p>\n'
            '<p class="para" id="p3"><span class="text">It&#39;s mine now.</span></p>\n'
        )

    def test_overridden_paragraph_and_heading(self, make_site: MakeSite) -> None:
        site = make_site(
            {
                **EPISODE,
                **UNTIMED,
                "layouts/_paragraph.html": (
                    '<li id="{{ anchor }}">{% if speaker %}<b>{{ speaker }}</b> '
                    "{% endif %}{{ text }}</li>\n"
                ),
                "layouts/_chapter_heading.html": (
                    '<h2 class="part" data-t="{{ start }}">{{ title | upper }}</h2>\n'
                ),
            }
        )
        build(site)
        assert transcript_html(site, "b") == (
            '<li id="p1"><b>Ana Ruiz</b> First we swept the shed &amp; &lt;then&gt; the '
            "yard.</li>\n"
            '<li id="p2">Then the gate.</li>\n'
            '<li id="p3"><b>Bo</b> It&#39;s mine now.</li>\n'
        )
        assert '<h2 class="part" data-t="4">TWO &amp; MORE</h2>\n' in transcript_html(site)

    def test_a_broken_heading_is_reported_at_its_line(self, make_site: MakeSite) -> None:
        site = make_site({**EPISODE, "layouts/_chapter_heading.html": "<h3>\n{{ title }\n"})
        with pytest.raises(BuildFailed) as failed:
            build(site)
        assert "layouts/_chapter_heading.html:2" in str(failed.value)
