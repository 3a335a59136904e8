"""People and topics: a page for every host, guest and named speaker, one person however their
name is written, a page for every tag, and the names linking to them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import Page, expect

from generator.build import build
from generator.errors import BuildFailed
from tests.conftest import MakeSite, record
from tests.golden import build_demo

PODCAST = "{https://podcastindex.org/namespace/1.0}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("demo-people") / "out"
    build_demo(output)
    return output


def main_text(path: Path) -> str:
    html = path.read_text()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


class TestDemoPeople:
    def test_everyone_named_has_a_page(self, demo: Path) -> None:
        assert sorted(p.name for p in (demo / "people").iterdir()) == [
            "agnes-pell",
            "dev-amari",
            "ewan-castellanos",
            "hollis-brandt",
            "index.html",
            "maren-okafor",
            "priya-duvall",
            "rosa-lindqvist",
            "teodor-vask",
        ]

    def test_an_alias_is_the_same_person(self, demo: Path) -> None:
        """'Priya D.' in one record's guests is Priya Duvall: one page, both episodes, newest
        first; her record's role, links and bio are there."""
        text = main_text(demo / "people/priya-duvall/index.html")
        assert text.startswith(
            "Priya Duvall Volunteer cataloguer Guest · 2 episodes · everyone "
            "example.org/willowgate/catalogue Priya keeps the catalogue"
        )
        assert text.index("Sharpening Saturday") < text.index("The Ladder Ledger")
        assert "Priya D." not in (demo / "people/index.html").read_text()

    def test_time_spoken_and_first_moment(self, demo: Path) -> None:
        """The transcript calls him 'Devon Amari' (an alias): his page says how long he spoke
        and links to the first moment he speaks."""
        html = (demo / "people/dev-amari/index.html").read_text()
        assert (
            '<span class="appearance">Guest · spoke for 54 s · first at '
            '<a href="/borrowed-hammer/episodes/05-the-fix-it-club/#t=11.5">0:11</a></span>'
        ) in html
        assert "Devon" not in (demo / "episodes/05-the-fix-it-club/index.html").read_text()

    def test_names_link_to_their_pages(self, demo: Path) -> None:
        episode = (demo / "episodes/02-the-ladder-ledger/index.html").read_text()
        assert '<a href="/borrowed-hammer/people/priya-duvall/">Priya Duvall</a>' in episode
        assert (
            '<p class="speaker"><a href="/borrowed-hammer/people/teodor-vask/">Teodor Vask</a></p>'
        ) in episode
        assert '<li><a href="/borrowed-hammer/tags/catalogue/">catalogue</a></li>' in episode

    def test_tags(self, demo: Path) -> None:
        text = main_text(demo / "tags/woodworking/index.html")
        assert text.startswith("woodworking 3 episodes · all topics The Long Loan")
        assert "woodworking 3 episodes" in main_text(demo / "tags/index.html")

    def test_structured_data_and_sitemap(self, demo: Path) -> None:
        html = (demo / "people/priya-duvall/index.html").read_text()
        assert (
            '<script type="application/ld+json">{"@context":"https://schema.org","@type":'
            '"Person","description":"Volunteer cataloguer","name":"Priya Duvall","sameAs":'
            '["https://example.org/willowgate/catalogue"],"url":"https://example.github.io/'
            'borrowed-hammer/people/priya-duvall/"}</script>'
        ) in html
        assert '<meta property="og:type" content="profile">' in html
        sitemap = (demo / "sitemap.xml").read_text()
        for path in ("people/", "people/priya-duvall/", "tags/", "tags/woodworking/"):
            assert f"<loc>https://example.github.io/borrowed-hammer/{path}</loc>" in sitemap
        search = (demo / "search/index.html").read_text()
        assert (
            '<link rel="canonical" href="https://example.github.io/borrowed-hammer/search/">'
        ) in search
        assert '<meta property="og:title" content="Search · The Borrowed Hammer">' in search

    def test_feed_credits_people(self, demo: Path) -> None:
        root = etree.fromstring((demo / "feed.xml").read_bytes())
        people = {(p.text, tuple(sorted(p.attrib.items()))) for p in root.iter(f"{PODCAST}person")}
        assert (
            "Priya Duvall",
            (
                ("group", "cast"),
                ("href", "https://example.org/willowgate/catalogue"),
                ("role", "guest"),
            ),
        ) in people
        assert ("Teodor Vask", (("group", "cast"), ("role", "host"))) in people


class TestBadPeople:
    def test_two_people_claim_one_alias(self, make_site: MakeSite) -> None:
        site = make_site(
            {
                "content/episodes/a.md": record(extra="guests: [Ana Ruiz, Ana Reyes]\n"),
                "content/people/ana-ruiz.md": "---\nname: Ana Ruiz\naliases: [Ana R.]\n---\n",
                "content/people/ana-reyes.md": "---\nname: Ana Reyes\naliases: [Ana R.]\n---\n",
            }
        )
        with pytest.raises(BuildFailed) as failed:
            build(site)
        assert [str(p) for p in failed.value.errors] == [
            "content/people/ana-ruiz.md:2: 'Ana R.' is claimed by content/people/ana-reyes.md:2 "
            "(Ana Reyes) and content/people/ana-ruiz.md:2 (Ana Ruiz); a name or alias can mean "
            "only one person"
        ]

    def test_a_person_no_episode_names(self, make_site: MakeSite) -> None:
        site = make_site(
            {
                "content/episodes/a.md": record(extra="guests: [Ana Ruiz]\n"),
                "content/people/ana-ruis.md": "---\nname: Ana Ruis\n---\nA typo.\n",
            }
        )
        result = build(site)
        assert [str(p) for p in result.warnings] == [
            "content/people/ana-ruis.md:2: 'Ana Ruis' is in no episode's hosts, guests or "
            "transcript (check the spelling, or add the name as written there to aliases:)"
        ]

    def test_a_tag_that_cannot_be_an_address(self, make_site: MakeSite) -> None:
        site = make_site({"content/episodes/a.md": record(extra="tags: [garden, '../..']\n")})
        with pytest.raises(BuildFailed) as failed:
            build(site)
        assert [str(p) for p in failed.value.errors] == [
            "content/episodes/a.md:4: the tag '../..' cannot be a page's address (tags/TAG/): "
            "give it a letter or a digit"
        ]

    def test_a_link_that_is_not_http(self, make_site: MakeSite) -> None:
        site = make_site(
            {
                "content/episodes/a.md": record(extra="guests: [Ana]\n"),
                "content/people/ana.md": "---\nname: Ana\nlinks: ['javascript:alert(1)']\n---\n",
            }
        )
        with pytest.raises(BuildFailed) as failed:
            build(site)
        assert [str(p) for p in failed.value.errors] == [
            "content/people/ana.md:3: a person's links must be http(s) URLs, got "
            "'javascript:alert(1)'"
        ]

    def test_names_in_other_scripts_get_pages(self, make_site: MakeSite) -> None:
        site = make_site({"content/episodes/a.md": record(extra="guests: [山田 太郎, Zoë]\n")})
        build(site)
        assert sorted(p.name for p in (site / "output/people").iterdir()) == [
            "index.html",
            "zoe",
            "山田-太郎",
        ]


def test_speaker_link_and_first_moment_in_chromium(page: Page, demo_url: str) -> None:
    """A speaker's name in a transcript opens their page, and its 'first at' link lands on the
    moment they first speak."""
    page.goto(demo_url + "episodes/05-the-fix-it-club/")
    page.locator(".speaker a", has_text="Dev Amari").first.click()
    expect(page).to_have_url(demo_url + "people/dev-amari/")
    page.get_by_role("link", name="0:11").click()
    expect(page).to_have_url(demo_url + "episodes/05-the-fix-it-club/#t=11.5")
    target = page.locator(".seg.is-target")
    expect(target).to_have_id("t=11")  # the segment holding second 11.5
    expect(target).to_be_in_viewport()
    expect(target).to_contain_text("Dev")


def test_titles_are_escaped_on_person_and_tag_pages(make_site: MakeSite) -> None:
    """Their lines are written with autoescaping off for speed: the titles still are."""
    title = "'<b>Bold</b> & \"quoted\"'"
    root = make_site(
        {"content/episodes/a.md": record(title, "2026-01-01", "hosts: [Ana]\ntags: [tools]\n")}
    )
    output = build(root).output
    for page in ("people/ana/index.html", "tags/tools/index.html"):
        html = (output / page).read_text()
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &#34;quoted&#34;" in html, page
        assert "<b>Bold" not in html, page
