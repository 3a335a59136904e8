"""cuepress check: links, assets, #fragments, time links, the sub-path, feeds and sitemaps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build import build
from generator.check import check_site, parse_time_fragment
from generator.cli import main
from tests.conftest import MakeSite, record, write_files
from tests.golden import ROOT

BASE = "https://user.github.io/show/"


def page(*body: str, head: str = "") -> str:
    """An HTML page: ``head`` on line 1, then each of ``body`` on its own line from line 2."""
    return f"<!doctype html><html><head>{head}</head><body>\n" + "\n".join(body) + "\n</body>\n"


def broken(
    files: dict[str, str | bytes], tmp_path: Path, base: str = BASE, jobs: int = 1
) -> list[str]:
    """Write ``files`` as a built site and return what the checker reports."""
    output = tmp_path / "out"
    write_files(output, files)
    return [str(b) for b in check_site(output, base, jobs=jobs).broken]


EPISODE = page(
    '<audio src="/show/audio/a.mp3"></audio>',
    '<p class="seg" id="t=0">Hello.</p>',
    '<p class="seg" id="t=5">Again.</p>',
    '<p class="seg" id="t=5.5">And again.</p>',
)
SITE = {
    "index.html": page('<a href="/show/episodes/a/">A</a>'),
    "episodes/a/index.html": EPISODE,
    "episodes/a/transcript.vtt": "WEBVTT\n",
    "audio/a.mp3": b"ID3",
    "assets/site.css": "body {}",
    "about.html": page("About"),
}


class TestDemoSite:
    def test_demo_site_passes(self, tmp_path: Path) -> None:
        """The demo site, as built, has no broken link, asset or anchor."""
        result = build(ROOT, tmp_path / "out")
        checked = check_site(result.output, result.site.base_url)
        assert [str(b) for b in checked.broken] == []
        assert checked.pages >= 9
        assert checked.links > 300

    def test_demo_site_under_the_url_pages_reports(self, tmp_path: Path) -> None:
        """Built for the URL actions/configure-pages reports (no trailing slash), it passes too."""
        url = "https://someone.github.io/hammer"
        result = build(ROOT, tmp_path / "out", base_url=url)
        assert [str(b) for b in check_site(result.output, url).broken] == []


class TestFiles:
    def test_missing_files_and_pages(self, tmp_path: Path) -> None:
        """A missing asset, page or download is reported with the file that was looked for."""
        files = {
            **SITE,
            "index.html": page(
                '<link rel="stylesheet" href="/show/assets/missing.css">',
                '<a href="episodes/b/">B</a>',
                '<a href="/show/episodes/a/transcript.srt">SRT</a>',
            ),
        }
        assert broken(files, tmp_path) == [
            "index.html:2: /show/assets/missing.css -> is not in the output "
            "(no file assets/missing.css)",
            "index.html:3: episodes/b/ -> is not in the output (no file episodes/b/index.html)",
            "index.html:4: /show/episodes/a/transcript.srt -> is not in the output "
            "(no file episodes/a/transcript.srt)",
        ]

    def test_every_way_to_name_a_file(self, tmp_path: Path) -> None:
        """Folder URLs, the redirect without a slash, .html without it, relative paths, queries,
        percent-encoding and absolute URLs under base_url all resolve."""
        files = {
            **SITE,
            "audio/My File.mp3": b"ID3",
            "episodes/a/index.html": page(
                '<a href="/show/">home</a>',
                '<a href="/show/episodes/a">redirects to the slash</a>',
                '<a href="/show/about">about.html</a>',
                '<a href="../../">up</a>',
                '<a href="./transcript.vtt?download=1">vtt</a>',
                '<a href="/show/audio/My%20File.mp3">spaced</a>',
                '<a href="https://user.github.io/show/episodes/a/">absolute</a>',
                '<a href="//user.github.io/show/assets/site.css">scheme-relative</a>',
                '<a href="">this page</a>',
            ),
        }
        assert broken(files, tmp_path) == []

    def test_external_links_are_not_fetched(self, tmp_path: Path) -> None:
        """Other hosts and other schemes are counted as external and never checked."""
        output = tmp_path / "out"
        write_files(
            output,
            {
                "index.html": page(
                    '<a href="https://example.org/no/such/page">elsewhere</a>',
                    '<a href="mailto:ana@example.org">mail</a>',
                    '<a href="tel:+1555">call</a>',
                    '<img src="data:image/png;base64,AAAA" alt="">',
                    '<a href="https://user.github.io/other-show/">another site on the host</a>',
                )
            },
        )
        result = check_site(output, BASE)
        assert result.broken == ()
        assert (result.links, result.external) == (5, 5)

    def test_no_built_site(self, tmp_path: Path) -> None:
        """Checking a folder that does not exist says to build first."""
        with pytest.raises(Exception, match="no built site here") as info:
            check_site(tmp_path / "nothing", BASE)
        assert str(info.value) == (
            f"{tmp_path / 'nothing'}: no built site here (run cuepress build first)"
        )


class TestFragments:
    def test_missing_ids(self, tmp_path: Path) -> None:
        """A #fragment must be an id of the target page, on this page or another."""
        files = {
            **SITE,
            "index.html": page(
                '<h2 id="latest">Latest</h2>',
                '<a href="#latest">ok</a>',
                '<a href="#nowhere">here</a>',
                '<a href="/show/episodes/a/#intro">there</a>',
            ),
        }
        assert broken(files, tmp_path) == [
            'index.html:4: #nowhere -> no id="nowhere" on this page',
            'index.html:5: /show/episodes/a/#intro -> no id="intro" in episodes/a/index.html',
        ]

    def test_fragments_that_always_work(self, tmp_path: Path) -> None:
        """``#``, ``#top``, ``<a name>``, percent-encoded ids and fragments on non-HTML files."""
        files = {
            **SITE,
            "index.html": page(
                '<a name="old-style"></a><p id="café">x</p>',
                '<a href="#">top</a> <a href="#top">top</a> <a href="#old-style">a name</a>',
                '<a href="#caf%C3%A9">encoded</a>',
                '<a href="/show/audio/a.mp3#t=10">media fragment on audio</a>',
            ),
        }
        assert broken(files, tmp_path) == []


class TestTimeLinks:
    @pytest.mark.parametrize(
        "fragment",
        ["t=5", "t=5.5", "t=83", "t=1:23", "t=npt:83", "t=83,95", "t=,95", "t=1:02:03.5"],
    )
    def test_valid_times_on_a_transcript_page(self, fragment: str, tmp_path: Path) -> None:
        """Any media-fragment time is valid on a page with time anchors: its script seeks to the
        segment holding that second (no upper bound: the audio may outlast the transcript)."""
        files = {**SITE, "index.html": page(f'<a href="/show/episodes/a/#{fragment}">x</a>')}
        assert broken(files, tmp_path) == []

    def test_malformed_times(self, tmp_path: Path) -> None:
        """A time that does not parse, or ends before it starts, is reported with the forms
        that would be right."""
        files = {
            **SITE,
            "episodes/a/index.html": EPISODE.replace(
                "</body>",
                '<a href="#t=1:2x">a</a>\n<a href="#t=1:75">b</a>\n<a href="#t=95,83">c</a>\n'
                "</body>",
            ),
        }
        assert broken(files, tmp_path) == [
            "episodes/a/index.html:6: #t=1:2x -> 't=1:2x' is not a media-fragment time "
            "(write t=83, t=1:23, t=npt:83 or t=83,95)",
            "episodes/a/index.html:7: #t=1:75 -> 't=1:75' is not a media-fragment time "
            "(write t=83, t=1:23, t=npt:83 or t=83,95)",
            "episodes/a/index.html:8: #t=95,83 -> 't=95,83' does not end after it starts "
            "(write e.g. t=83,95)",
        ]

    def test_time_on_a_page_with_nothing_to_seek(self, tmp_path: Path) -> None:
        """#t= on a page without time anchors or a player has nothing to go to."""
        files = {**SITE, "episodes/a/index.html": page('<a href="/show/#t=83">x</a>')}
        assert broken(files, tmp_path) == [
            'episodes/a/index.html:2: /show/#t=83 -> no id="t=83" in index.html, '
            "and no transcript or player there to seek"
        ]

    def test_chapters_without_a_transcript(self, tmp_path: Path) -> None:
        """An episode with audio and chapters but no transcript: #t= seeks the player."""
        files = {
            **SITE,
            "episodes/a/index.html": page(
                '<audio src="/show/audio/a.mp3"></audio>', '<a href="#t=120">Chapter 2</a>'
            ),
        }
        assert broken(files, tmp_path) == []

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("83", (83_000, None)),
            ("83.4", (83_400, None)),
            ("1:23", (83_000, None)),
            ("1:02:03", (3_723_000, None)),
            ("npt:83", (83_000, None)),
            ("83,95", (83_000, 95_000)),
            (",95", (0, 95_000)),
            ("npt:1:23.5,1:30", (83_500, 90_000)),
        ],
    )
    def test_parse_time_fragment(self, value: str, expected: tuple[int, int | None]) -> None:
        """W3C media-fragment times in NPT: seconds or clock times, with an optional end."""
        assert parse_time_fragment(value) == expected

    @pytest.mark.parametrize("value", ["", ",", "abc", "-5", "83,", "1:60", "95,83", "5,5"])
    def test_parse_time_fragment_rejects(self, value: str) -> None:
        """Empty, negative, malformed and backwards times are refused."""
        with pytest.raises(ValueError, match=re.escape(f"'t={value}'")):
            parse_time_fragment(value)


class TestSubPath:
    def test_links_outside_the_sub_path(self, tmp_path: Path) -> None:
        """A root-relative link that forgets /show/, or a relative one that climbs out of it,
        works on a local server at / and breaks on GitHub Pages."""
        files = {
            **SITE,
            "assets/site.css": "body {}",
            "episodes/a/index.html": page(
                '<link rel="stylesheet" href="/assets/site.css">',
                '<a href="../../../elsewhere/">out</a>',
            ),
        }
        assert broken(files, tmp_path) == [
            "episodes/a/index.html:2: /assets/site.css -> is outside the site's path /show/ "
            "(write /show/assets/site.css)",
            "episodes/a/index.html:3: ../../../elsewhere/ -> leaves the site's path /show/ "
            "(it points to /elsewhere/)",
        ]

    def test_site_at_the_root_of_a_domain(self, tmp_path: Path) -> None:
        """With a custom domain the path is /, and /assets/... is right."""
        files = {"index.html": page('<link rel="stylesheet" href="/assets/site.css">')}
        files["assets/site.css"] = "body {}"
        assert broken(files, tmp_path, base="https://podcast.example.com/") == []

    def test_404_page_links_must_work_at_any_depth(self, tmp_path: Path) -> None:
        """404.html is served for /show/a/b/c too: a relative link there is a mistake."""
        files = {
            **SITE,
            "404.html": page(
                '<a href="#main">skip</a><main id="main"></main>',
                '<link rel="stylesheet" href="assets/site.css">',
                '<a href="/show/">home</a>',
            ),
        }
        assert broken(files, tmp_path) == [
            "404.html:3: assets/site.css -> is relative, but 404.html is served at every depth "
            "(write /show/assets/site.css)"
        ]


class TestOtherAttributes:
    def test_images_media_and_meta(self, tmp_path: Path) -> None:
        """src, srcset, poster and meta refresh are links; og:image must be absolute."""
        files = {
            **SITE,
            "index.html": page(
                '<img src="/show/img/a.png" srcset="/show/assets/site.css 1x, /show/img/b.png 2x">',
                '<video poster="/show/img/poster.png"></video>',
                '<meta http-equiv="refresh" content="0; url=/show/moved/">',
                head='<meta property="og:image" content="images/cover.png">'
                '<meta property="og:url" content="https://user.github.io/show/nope/">',
            ),
        }
        assert broken(files, tmp_path) == [
            "index.html:1: images/cover.png -> is relative; crawlers and social sites need an "
            "absolute URL (write https://user.github.io/show/images/cover.png)",
            "index.html:1: https://user.github.io/show/nope/ -> is not in the output "
            "(no file nope/index.html)",
            "index.html:2: /show/img/a.png -> is not in the output (no file img/a.png)",
            "index.html:2: /show/img/b.png -> is not in the output (no file img/b.png)",
            "index.html:3: /show/img/poster.png -> is not in the output (no file img/poster.png)",
            "index.html:4: /show/moved/ -> is not in the output (no file moved/index.html)",
        ]


FEED = """\
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
<link>https://user.github.io/show/</link>
<atom:link href="https://user.github.io/show/feed.xml" rel="self" type="application/rss+xml"/>
<item>
<link>https://user.github.io/show/episodes/a/</link>
<guid isPermaLink="false">ep-a</guid>
<enclosure url="https://user.github.io/show/audio/a.mp3" length="3" type="audio/mpeg"/>
<podcast:transcript url="https://user.github.io/show/episodes/a/transcript.vtt" type="text/vtt"/>
</item>
<item>
<link>https://user.github.io/show/episodes/gone/</link>
<guid>https://user.github.io/show/episodes/b/</guid>
<enclosure url="audio/b.mp3" length="3" type="audio/mpeg"/>
<podcast:alternateEnclosure type="audio/mpeg"><podcast:source uri="https://user.github.io/audio/b.mp3"/></podcast:alternateEnclosure>
<podcast:chapters url="https://cdn.example.net/b.json" type="application/json+chapters"/>
</item>
</channel>
</rss>
"""  # noqa: E501

SITEMAP = """\
<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://user.github.io/show/</loc></url>
<url><loc>https://user.github.io/show/episodes/a/</loc></url>
<url><loc>https://user.github.io/show/episodes/gone/</loc></url>
<url><loc>https://user.github.io/show/audio/a.mp3</loc></url>
<url><loc>https://elsewhere.example/show/</loc></url>
</urlset>
"""


class TestFeedSitemapAndChapters:
    def test_feed(self, tmp_path: Path) -> None:
        """Feed links and enclosures are absolute, under base_url, and real; other hosts are
        not fetched."""
        assert broken({**SITE, "feed.xml": FEED}, tmp_path) == [
            "feed.xml:14: https://user.github.io/show/episodes/gone/ -> is not in the output "
            "(no file episodes/gone/index.html)",
            "feed.xml:15: https://user.github.io/show/episodes/b/ -> is not in the output "
            "(no file episodes/b/index.html)",
            "feed.xml:16: audio/b.mp3 -> is relative; a feed needs absolute URLs "
            "(write https://user.github.io/show/audio/b.mp3)",
            "feed.xml:17: https://user.github.io/audio/b.mp3 -> is outside the site's path /show/ "
            "(the site is at https://user.github.io/show/)",
        ]

    def test_feed_that_is_not_xml(self, tmp_path: Path) -> None:
        """A feed that is not well-formed is reported at its line."""
        assert broken({**SITE, "feed.xml": "<rss>\n<channel>\n</rss>\n"}, tmp_path) == [
            "feed.xml:3: is not well-formed XML: mismatched tag"
        ]

    def test_sitemap(self, tmp_path: Path) -> None:
        """A sitemap lists only real pages of this site."""
        assert broken({**SITE, "sitemap.xml": SITEMAP}, tmp_path) == [
            "sitemap.xml:5: https://user.github.io/show/episodes/gone/ -> is not in the output "
            "(no file episodes/gone/index.html)",
            "sitemap.xml:6: https://user.github.io/show/audio/a.mp3 -> is not a page "
            "(it is audio/a.mp3)",
            "sitemap.xml:7: https://elsewhere.example/show/ -> is not on this site "
            "(a sitemap lists only pages under https://user.github.io/show/)",
        ]

    def test_robots_sitemap_line(self, tmp_path: Path) -> None:
        """robots.txt must name the sitemap by an absolute URL."""
        files = {**SITE, "robots.txt": "User-agent: *\nDisallow:\n\nSitemap: /show/sitemap.xml\n"}
        assert broken(files, tmp_path) == [
            "robots.txt:4: /show/sitemap.xml -> is relative; robots.txt needs absolute URLs "
            "(write https://user.github.io/show/sitemap.xml)"
        ]

    def test_chapters_json(self, tmp_path: Path) -> None:
        """Chapter images and links are absolute and, on this site, real."""
        chapters = """\
{
  "version": "1.2.0",
  "chapters": [
    {"startTime": 0, "title": "Start", "img": "images/start.png"},
    {"startTime": 60, "title": "Map", "url": "https://example.org/map"},
    {"startTime": 90, "title": "Notes", "url": "https://user.github.io/show/notes/"}
  ]
}
"""
        files = {**SITE, "episodes/a/chapters.json": chapters}
        assert broken(files, tmp_path) == [
            "episodes/a/chapters.json:4: images/start.png -> is relative; a chapters file needs "
            "absolute URLs (write https://user.github.io/show/images/start.png)",
            "episodes/a/chapters.json:6: https://user.github.io/show/notes/ -> is not in the "
            "output (no file notes/index.html)",
        ]

    def test_chapters_json_that_is_not_chapters(self, tmp_path: Path) -> None:
        """Broken JSON, or JSON without a chapters list, is reported."""
        files = {
            **SITE,
            "episodes/a/chapters.json": '{"version": "1.2.0",\n "chapters": [}\n',
            "episodes/b/chapters.json": '{"version": "1.2.0"}\n',
            "episodes/b/index.html": page("B"),
        }
        assert broken(files, tmp_path) == [
            "episodes/a/chapters.json:2: is not valid JSON: Expecting value",
            'episodes/b/chapters.json:1: has no "chapters" list (the JSON chapters format)',
        ]


class TestParallel:
    def test_processes_find_exactly_what_one_finds(self, tmp_path: Path) -> None:
        """Parsing pages in worker processes gives the same result as in one."""
        files: dict[str, str | bytes] = dict(SITE)
        for n in range(24):
            files[f"episodes/e{n}/index.html"] = page(
                *(f'<p id="t={s}">x</p>' for s in range(0, 50, 5)),
                f'<a href="/show/episodes/e{n + 1}/#t=10">next</a>',
                '<a href="#t=oops">bad</a>',
            )
        output = tmp_path / "out"
        write_files(output, files)
        one, two = check_site(output, BASE, jobs=1), check_site(output, BASE, jobs=2)
        assert one == two
        pages = [f"episodes/e{n}/index.html" for n in range(24)]
        expected = sorted([(p, 13) for p in pages] + [("episodes/e23/index.html", 12)])
        assert [(b.page, b.line) for b in one.broken] == expected
        assert str(one.broken[-1]) == (
            "episodes/e9/index.html:13: #t=oops -> 't=oops' is not a media-fragment time "
            "(write t=83, t=1:23, t=npt:83 or t=83,95)"
        )


class TestCommand:
    def test_checked_site(self, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
        """After a build, cuepress check exits 0 and says how much it checked."""
        site = make_site({"content/episodes/a.md": record()})
        assert main(["build", "--site", str(site)]) == 0
        capsys.readouterr()
        assert main(["check", "--site", str(site)]) == 0
        err = capsys.readouterr().err
        assert re.fullmatch(
            r"Checked \d+ links in 4 pages of output/ in \d+\.\d\d s: all resolve "
            r"\(\d+ external, not fetched\)\.\n",
            err,
        ), err

    def test_broken_links_exit_1(
        self, make_site: MakeSite, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Each broken link is printed as output/page:line: link -> why; exit 1."""
        site = make_site({"content/episodes/a.md": record()})
        assert main(["build", "--site", str(site)]) == 0
        write_files(site / "output", {"extra.html": page('<a href="/elsewhere/">x</a>')})
        capsys.readouterr()
        assert main(["check", "--site", str(site)]) == 1
        assert capsys.readouterr().err == (
            "output/extra.html:2: /elsewhere/ -> is outside the site's path /show/ "
            "(write /show/elsewhere/)\n"
            "Check failed: 1 broken link.\n"
            "(Checked under /show/, the path of https://example.test/show/; a site built with "
            "--base-url needs the same --base-url here.)\n"
        )

    def test_other_output_and_base_url(
        self, make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--output and --base-url check a site built elsewhere for another URL."""
        site = make_site({"content/episodes/a.md": record()})
        out = tmp_path / "elsewhere"
        url = "https://cdn.example.net/pod"
        assert main(["build", "--site", str(site), "--output", str(out), "--base-url", url]) == 0
        assert main(["check", "--site", str(site), "--output", str(out), "--base-url", url]) == 0
        assert main(["check", "--site", str(site), "--output", str(out)]) == 1
        assert "is outside the site's path /show/" in capsys.readouterr().err

    def test_nothing_built(self, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
        """Without a build there is nothing to check: exit 1."""
        site = make_site()
        assert main(["check", "--site", str(site)]) == 1
        assert capsys.readouterr().err == (
            f"{site / 'output'}: no built site here (run cuepress build first)\n"
        )

    def test_broken_site_yaml(
        self, make_site: MakeSite, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The base URL comes from site.yaml; if that is broken, say so."""
        site = make_site(site_yaml="title: S\n")
        assert main(["check", "--site", str(site)]) == 1
        assert capsys.readouterr().err == (
            "site.yaml:1: 'base_url' is required (add base_url: ...)\n"
            "Check failed: site.yaml has errors.\n"
        )

    def test_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown option is a usage error: exit 2."""
        with pytest.raises(SystemExit) as info:
            main(["check", "--bogus"])
        assert info.value.code == 2

    def test_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        """cuepress check --help names every option."""
        with pytest.raises(SystemExit) as info:
            main(["check", "--help"])
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert all(option in out for option in ("--site DIR", "--output", "--base-url"))
