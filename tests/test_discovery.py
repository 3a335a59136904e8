"""Discovery: JSON chapters, sitemap.xml, robots.txt, and the head tags on every page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html

from generator.build import build
from tests.conftest import MakeSite, record
from tests.golden import build_demo

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.test/show/"
OPTIONAL_CHAPTER_TYPES = {
    "title": str,
    "img": str,
    "url": str,
    "toc": bool,
    "endTime": (int, float),
    "location": dict,
}


def chapters_problems(data: Any) -> list[str]:
    """What the Podcasting 2.0 JSON chapters spec (version 1.2) requires, checked."""
    problems = []
    if not isinstance(data, dict):
        return ["the root is not an object"]
    if not isinstance(data.get("version"), str):
        problems.append("version is missing or not a string")
    chapters = data.get("chapters")
    if not isinstance(chapters, list):
        return [*problems, "chapters is missing or not an array"]
    for key in ("author", "title", "podcastName", "description", "fileName"):
        if key in data and not isinstance(data[key], str):
            problems.append(f"{key} is not a string")
    starts = []
    for index, chapter in enumerate(chapters):
        start = chapter.get("startTime") if isinstance(chapter, dict) else None
        if isinstance(start, bool) or not isinstance(start, int | float):
            problems.append(f"chapter {index}: startTime is missing or not a number")
            continue
        starts.append(start)
        for key, kind in OPTIONAL_CHAPTER_TYPES.items():
            if key in chapter and not isinstance(chapter[key], kind):
                problems.append(f"chapter {index}: {key} has the wrong type")
    if starts != sorted(starts):
        problems.append("chapters are not in ascending startTime order")
    return problems


def head(page: Path) -> Any:
    """The parsed <head> of a built page."""
    return html.fromstring(page.read_bytes()).find("head")


def meta(page_head: Any) -> dict[str, str]:
    """The page's meta tags by property or name."""
    return {
        m.get("property") or m.get("name"): m.get("content")
        for m in page_head.iter("meta")
        if m.get("property") or m.get("name")
    }


def linked_data(page_head: Any) -> list[Any]:
    return [
        json.loads(s.text)
        for s in page_head.iter("script")
        if s.get("type") == "application/ld+json"
    ]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site, built once for this module."""
    output = tmp_path_factory.mktemp("demo") / "out"
    build_demo(output)
    return output


class TestChaptersJson:
    def test_demo_chapters_meet_the_spec(self, demo: Path) -> None:
        """Every demo episode has a chapters.json with the spec's required fields right."""
        files = sorted(demo.glob("episodes/*/chapters.json"))
        assert len(files) == 6
        for file in files:
            assert chapters_problems(json.loads(file.read_text(encoding="utf-8"))) == []

    def test_the_check_finds_spec_violations(self) -> None:
        """The spec check catches a missing version, bad startTime, wrong types and order."""
        assert chapters_problems(
            {"chapters": [{"startTime": 5}, {"startTime": 1, "toc": "no"}]}
        ) == [
            "version is missing or not a string",
            "chapter 1: toc has the wrong type",
            "chapters are not in ascending startTime order",
        ]
        assert chapters_problems({"version": "1.2.0", "chapters": [{"title": "x"}]}) == [
            "chapter 0: startTime is missing or not a number"
        ]
        assert chapters_problems({"version": 1}) == [
            "version is missing or not a string",
            "chapters is missing or not an array",
        ]

    def test_content(self, make_site: MakeSite) -> None:
        """Times in seconds (whole or fractional), titles as written, links made absolute."""
        site = make_site(
            {
                "content/episodes/a.md": record(
                    'A & "B" 🎉',
                    extra="chapters:\n  - {start: 0, title: Intro}\n"
                    "  - {start: '1:02.5', title: 'Más <b>', url: notes/, img: images/c.png}\n"
                    "  - {start: 90, title: End, url: 'https://example.org/x'}\n",
                )
            },
            site_yaml=f"title: Show\nbase_url: {BASE}\nauthor: Ana\n",
        )
        build(site)
        data = json.loads((site / "output/episodes/a/chapters.json").read_text("utf-8"))
        assert data == {
            "version": "1.2.0",
            "title": 'A & "B" 🎉',
            "podcastName": "Show",
            "author": "Ana",
            "chapters": [
                {"startTime": 0, "title": "Intro"},
                {
                    "startTime": 62.5,
                    "title": "Más <b>",
                    "url": BASE + "notes/",
                    "img": BASE + "images/c.png",
                },
                {"startTime": 90, "title": "End", "url": "https://example.org/x"},
            ],
        }

    def test_only_for_episodes_with_chapters(self, make_site: MakeSite) -> None:
        """An episode without chapters gets no chapters.json (and no podcast:chapters)."""
        site = make_site({"content/episodes/a.md": record(extra="audio: https://cdn.test/a.mp3\n")})
        build(site)
        assert not (site / "output/episodes/a/chapters.json").exists()
        assert b"podcast:chapters" not in (site / "output/feed.xml").read_bytes()


class TestSitemap:
    def test_demo_lists_every_page(self, demo: Path) -> None:
        """The demo sitemap lists the index, episode, people and tag pages, absolute, and
        nothing else (no 404 page, no downloads, no embed pages, which are noindex)."""
        assert (demo / "episodes/02-the-ladder-ledger/embed/index.html").is_file()
        embed = (demo / "episodes/02-the-ladder-ledger/embed/index.html").read_text()
        assert '<meta name="robots" content="noindex">' in embed
        root = etree.fromstring((demo / "sitemap.xml").read_bytes())
        base = "https://example.github.io/borrowed-hammer/"
        assert [loc.text for loc in root.iter(f"{SITEMAP}loc")] == [
            base,
            base + "episodes/01-opening-the-shed-doors/",
            base + "episodes/02-the-ladder-ledger/",
            base + "episodes/03-sharpening-saturday/",
            base + "episodes/04-spring-spades/",
            base + "episodes/05-the-fix-it-club/",
            base + "episodes/06-the-long-loan/",
            base + "page/2/",
            base + "people/",
            *(
                base + f"people/{name}/"
                for name in (
                    "agnes-pell dev-amari ewan-castellanos hollis-brandt maren-okafor "
                    "priya-duvall rosa-lindqvist teodor-vask"
                ).split()
            ),
            base + "tags/",
            *(
                base + f"tags/{tag}/"
                for tag in (
                    "catalogue community electronics gardening maintenance origins repair "
                    "seasons stories volunteers woodworking workshops young-people"
                ).split()
            ),
        ]

    def test_drafts_stay_out(self, make_site: MakeSite) -> None:
        """A draft page built with --drafts is not listed."""
        site = make_site(
            {
                "content/episodes/a.md": record(extra="draft: true\n"),
                "content/episodes/b.md": record("B"),
            }
        )
        build(site, drafts=True)
        root = etree.fromstring((site / "output/sitemap.xml").read_bytes())
        assert [loc.text for loc in root.iter(f"{SITEMAP}loc")] == [BASE, BASE + "episodes/b/"]


class TestRobots:
    def test_points_at_the_sitemap(self, make_site: MakeSite) -> None:
        """robots.txt allows everything and names the sitemap's absolute URL."""
        site = make_site()
        build(site)
        assert (site / "output/robots.txt").read_text() == (
            f"User-agent: *\nDisallow:\n\nSitemap: {BASE}sitemap.xml\n"
        )

    def test_the_sites_own_robots_txt_wins(self, make_site: MakeSite) -> None:
        """static/robots.txt is copied as it is, instead of the generated one, without error."""
        site = make_site(
            {"content/episodes/a.md": record(), "static/robots.txt": "User-agent: *\nDisallow: /\n"}
        )
        result = build(site)
        assert (site / "output/robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
        assert result.warnings == ()


class TestHeadTagsOnIndex:
    def test_canonical_social_cards_and_podcast_series(self, demo: Path) -> None:
        """The index has its canonical URL, Open Graph and Twitter tags, the feed link, and
        PodcastSeries JSON-LD."""
        base = "https://example.github.io/borrowed-hammer/"
        tags = head(demo / "index.html")
        description = (
            "Stories from the Willowgate Tool Library, where neighbours borrow drills, ladders "
            "and garden forks instead of buying them, and stay for the tea."
        )
        [canonical] = tags.xpath("link[@rel='canonical']/@href")
        assert canonical == base
        assert tags.xpath("link[@rel='alternate']/@type") == ["application/rss+xml"]
        assert tags.xpath("link[@rel='alternate']/@href") == [base + "feed.xml"]
        assert meta(tags) == {
            "viewport": "width=device-width, initial-scale=1",
            "description": description,
            "color-scheme": "light dark",
            "og:site_name": "The Borrowed Hammer",
            "og:title": "The Borrowed Hammer",
            "og:url": base,
            "og:description": description,
            "og:image": base + "images/cover.png",
            "og:type": "website",
            "twitter:card": "summary",
            "twitter:title": "The Borrowed Hammer",
            "twitter:description": description,
            "twitter:image": base + "images/cover.png",
        }
        assert linked_data(tags) == [
            {
                "@context": "https://schema.org",
                "@type": "PodcastSeries",
                "name": "The Borrowed Hammer",
                "url": base,
                "webFeed": base + "feed.xml",
                "description": description,
                "image": base + "images/cover.png",
                "inLanguage": "en",
                "author": {"@type": "Person", "name": "Maren Okafor"},
            }
        ]

    def test_later_pages_are_their_own_canonical(self, demo: Path) -> None:
        """page/2/ names itself as canonical, not the first page."""
        tags = head(demo / "page/2/index.html")
        assert tags.xpath("link[@rel='canonical']/@href") == [
            "https://example.github.io/borrowed-hammer/page/2/"
        ]
        assert meta(tags)["og:url"] == "https://example.github.io/borrowed-hammer/page/2/"

    def test_minimal_show_leaves_empty_fields_out(self, make_site: MakeSite) -> None:
        """Without description, image or author, those tags and keys are absent, not empty."""
        site = make_site()
        build(site)
        tags = head(site / "output/index.html")
        assert sorted(meta(tags)) == [
            "color-scheme",
            "og:site_name",
            "og:title",
            "og:type",
            "og:url",
            "twitter:card",
            "twitter:title",
            "viewport",
        ]
        assert linked_data(tags) == [
            {
                "@context": "https://schema.org",
                "@type": "PodcastSeries",
                "name": "Test Show",
                "url": BASE,
                "webFeed": BASE + "feed.xml",
                "inLanguage": "en",
            }
        ]


class TestHeadTagsOnEpisodes:
    def test_podcast_episode_with_associated_media(self, demo: Path) -> None:
        """An episode page has its canonical URL, social tags (with its own artwork and
        audio) and PodcastEpisode JSON-LD with associatedMedia."""
        base = "https://example.github.io/borrowed-hammer/"
        page = base + "episodes/04-spring-spades/"
        tags = head(demo / "episodes/04-spring-spades/index.html")
        description = (
            "Why does the garden shelf empty out every April? Rosa Lindqvist of the Alder Street "
            "community garden explains the group library card, the Sunday-night rota, and a plot "
            "full of sunflowers that nobody admits to planting."
        )
        assert tags.xpath("link[@rel='canonical']/@href") == [page]
        assert tags.xpath("link[@rel='alternate']/@href") == [base + "feed.xml"]
        found = meta(tags)
        assert {
            k: v for k, v in found.items() if k.startswith(("og:", "twitter:", "article:"))
        } == {
            "og:site_name": "The Borrowed Hammer",
            "og:title": "Spring Spades",
            "og:url": page,
            "og:description": description,
            "og:image": base + "images/04-spring-spades.png",
            "og:type": "article",
            "article:published_time": "2026-05-20",
            "og:audio": base + "audio/04-spring-spades.mp3",
            "og:audio:type": "audio/mpeg",
            "twitter:card": "summary",
            "twitter:title": "Spring Spades",
            "twitter:description": description,
            "twitter:image": base + "images/04-spring-spades.png",
        }
        assert linked_data(tags) == [
            {
                "@context": "https://schema.org",
                "@type": "PodcastEpisode",
                "name": "Spring Spades",
                "url": page,
                "datePublished": "2026-05-20",
                "description": description,
                "image": base + "images/04-spring-spades.png",
                "episodeNumber": 4,
                "duration": "PT104S",
                "partOfSeason": {"@type": "PodcastSeason", "seasonNumber": 1},
                "partOfSeries": {
                    "@type": "PodcastSeries",
                    "name": "The Borrowed Hammer",
                    "url": base,
                    "webFeed": base + "feed.xml",
                },
                "associatedMedia": {
                    "@type": "MediaObject",
                    "contentUrl": base + "audio/04-spring-spades.mp3",
                    "encodingFormat": "audio/mpeg",
                },
            }
        ]

    def test_long_summary_is_cut_for_cards(self, make_site: MakeSite) -> None:
        """Card descriptions are the summary as plain text, cut near 300 characters."""
        site = make_site({"content/episodes/a.md": record(body="**Word** " * 100)})
        build(site)
        found = meta(head(site / "output/episodes/a/index.html"))
        assert found["og:description"] == "Word " * 58 + "Word…"
        assert found["twitter:description"] == found["og:description"]

    def test_script_cannot_be_closed_by_content(self, make_site: MakeSite) -> None:
        """A title with </script> and markup stays inside the JSON-LD, which still parses."""
        title = "</script><script>alert(1)</script> & <!-- \u2028 -->"
        site = make_site({"content/episodes/a.md": record(json.dumps(title), body="")})
        build(site)
        page = (site / "output/episodes/a/index.html").read_text()
        assert "<script>alert(1)" not in page
        [data] = linked_data(head(site / "output/episodes/a/index.html"))
        assert data["name"] == title
        assert "associatedMedia" not in data  # no audio:
        assert "description" not in data

    def test_draft_pages_are_not_indexed(self, make_site: MakeSite) -> None:
        """A draft built with --drafts asks search engines not to index it."""
        site = make_site({"content/episodes/a.md": record(extra="draft: true\n")})
        build(site, drafts=True)
        assert meta(head(site / "output/episodes/a/index.html"))["robots"] == "noindex"


class TestHeadTagsOn404:
    def test_only_the_feed_link(self, demo: Path) -> None:
        """The 404 page, served at any missing address, has the feed link but no canonical
        URL, cards or structured data."""
        tags = head(demo / "404.html")
        assert tags.xpath("link[@rel='alternate']/@href") == [
            "https://example.github.io/borrowed-hammer/feed.xml"
        ]
        assert tags.xpath("link[@rel='canonical']") == []
        assert not [k for k in meta(tags) if k.startswith(("og:", "twitter:"))]
        assert linked_data(tags) == []
