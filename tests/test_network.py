"""A network of shows (generator/network.py): the demo network in tests/network/ built to its
golden copy, each show's feed read by real parsers, the network's pages, the errors that name
a show and its file, and in Chromium a person on two shows and search filtered by show."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree
from playwright.sync_api import Browser, Page, expect

from generator.build import build
from generator.errors import BuildFailed
from generator.feed import guid_of_feed
from tests.browser import serve
from tests.conftest import MakeSite, record
from tests.golden import GOLDEN_NETWORK, NETWORK, build_demo, golden_differences

BASE = "https://example.github.io/willowgate-radio/"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
SHOWS = {  # address -> title, episodes newest first
    "night-shift": (
        "The Night Shift Kitchen",
        ["first-light", "02-salt-and-steam", "01-the-midnight-starter"],
    ),
    "quiet-stacks": ("Quiet Stacks", ["first-light"]),
    "river-notes": ("River Notes", ["02-eels-in-the-dark", "01-the-heron-at-the-weir"]),
}
NETWORK_YAML = "title: Radio\nbase_url: https://example.test/radio/\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("network") / "out"
    build_demo(output, NETWORK)
    return output


def main_text(path: Path) -> str:
    html = path.read_text()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


class TestGoldenNetwork:
    def test_network_matches_golden(self, built: Path) -> None:
        """The demo network builds to exactly the golden files (``python -m tests.golden``
        rewrites them after a deliberate change; review the diff)."""
        assert golden_differences(built, GOLDEN_NETWORK, NETWORK) == ""


class TestNetworkPages:
    def test_each_show_has_its_home_pages_and_episodes_under_its_address(self, built: Path) -> None:
        """Every show's home lists its own episodes, two to a page (episodes_per_page of the
        network's site.yaml, which the shows inherit); the same slug in two shows is two pages."""
        home = main_text(built / "night-shift/index.html")
        assert "The Night Shift Kitchen" in home
        assert "First Light" in home and "Salt and Steam" in home
        assert "The Midnight Starter" not in home
        assert "The Midnight Starter" in main_text(built / "night-shift/page/2/index.html")
        for show, (_, slugs) in SHOWS.items():
            for slug in slugs:
                assert (built / show / "episodes" / slug / "index.html").is_file()
        assert not (built / "episodes").exists()
        night = main_text(built / "night-shift/episodes/first-light/index.html")
        stacks = main_text(built / "quiet-stacks/episodes/first-light/index.html")
        assert "number nine bus" in night and "renewed one paperback" in stacks

    def test_the_network_home_lists_every_show_with_its_latest_episode(self, built: Path) -> None:
        """The root is the network's home: each show with its artwork, categories, newest
        episode and feed, in the order of the shows' folders."""
        html = (built / "index.html").read_text()
        cards = re.findall(r'<li class="episode-card show-card">(.*?)</li>', html, re.S)
        assert len(cards) == 3
        for card, (show, (title, slugs)) in zip(cards, SHOWS.items(), strict=True):
            assert f'<a href="/willowgate-radio/{show}/">{title}</a>' in card
            assert f'href="/willowgate-radio/{show}/episodes/{slugs[0]}/"' in card
            assert f'href="{BASE}{show}/feed.xml"' in card
        assert 'src="/willowgate-radio/images/river-notes.png"' in cards[2]
        assert '<a href="/willowgate-radio/categories/nature/">Nature</a>' in cards[2]
        assert "Latest: Eels in the Dark" in main_text(built / "index.html")

    def test_categories_list_their_shows(self, built: Path) -> None:
        """/categories/ lists every category; each category's page lists its shows."""
        assert main_text(built / "categories/index.html").split(" ", 1)[1] == (
            "Arts 2 shows Books 1 show Food 1 show Nature 1 show Science 1 show"
        )
        arts = main_text(built / "categories/arts/index.html")
        assert "The Night Shift Kitchen" in arts and "Quiet Stacks" in arts
        assert "River Notes" not in arts

    def test_a_guest_on_two_shows_has_one_page_listing_both(self, built: Path) -> None:
        """People span the network: Ines Halloran's page lists her episode of each show,
        newest first, each marked with its show and linked under its show's address."""
        html = (built / "people/ines-halloran/index.html").read_text()
        lines = re.findall(r"<li><a href=\"([^\"]+)\">([^<]+)</a> <span class=\"show-name\">"
                           r"([^<]+)</span>", html)  # fmt: skip
        assert lines == [
            ("/willowgate-radio/night-shift/episodes/02-salt-and-steam/", "Salt and Steam",
             "The Night Shift Kitchen"),
            ("/willowgate-radio/river-notes/episodes/01-the-heron-at-the-weir/",
             "The Heron at the Weir", "River Notes"),
        ]  # fmt: skip
        assert "Keeper of the Alder Street allotment records" in html

    def test_a_show_page_names_the_network_and_the_show(self, built: Path) -> None:
        """A show's pages link back to the network's home and to the show's own; their feed
        link is the show's feed."""
        html = (built / "river-notes/episodes/02-eels-in-the-dark/index.html").read_text()
        assert (
            '<a class="site-title" href="/willowgate-radio/">Willowgate Community Radio</a>' in html
        )
        assert '<a class="show-title" href="/willowgate-radio/river-notes/">River Notes</a>' in html
        assert (
            f'<link rel="alternate" type="application/rss+xml" title="River Notes" '
            f'href="{BASE}river-notes/feed.xml">' in html
        )
        assert (
            f'<link rel="canonical" href="{BASE}river-notes/episodes/02-eels-in-the-dark/">' in html
        )

    def test_the_sitemap_covers_every_show(self, built: Path) -> None:
        """One sitemap for the network: its pages and every show's."""
        tree = etree.parse(str(built / "sitemap.xml"))
        locs = [e.text for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
        assert BASE in locs and BASE + "categories/arts/" in locs
        for show, (_, slugs) in SHOWS.items():
            assert BASE + show + "/" in locs
            assert all(f"{BASE}{show}/episodes/{slug}/" in locs for slug in slugs)
        assert not any("/embed/" in loc for loc in locs if loc)

    def test_the_link_checker_passes_and_reads_each_show_feed(self, built: Path) -> None:
        """cuepress check reads every show's feed and chapters too."""
        from generator.check import check_site

        result = check_site(built, BASE)
        assert result.broken == ()
        feed = built / "river-notes/feed.xml"
        text = feed.read_text().replace("02-eels-in-the-dark/transcript.vtt", "x.vtt")
        feed.unlink()  # a published file is a link to the build cache's copy: never write it
        feed.write_text(text)
        try:
            broken = check_site(built, BASE).broken
        finally:
            build_demo(built, NETWORK)
        assert [b.page for b in broken] == ["river-notes/feed.xml"]


class TestShowFeeds:
    @pytest.mark.parametrize("show", sorted(SHOWS))
    def test_each_feed_parses_with_its_own_guids(self, built: Path, show: str) -> None:
        """feedparser and podcastparser read each show's feed: its title, its episodes, its
        own podcast:guid (derived from its own feed URL unless show.yaml pins one)."""
        url = f"{BASE}{show}/feed.xml"
        data = (built / show / "feed.xml").read_bytes()
        title, slugs = SHOWS[show]
        parsed = feedparser.parse(data)
        assert not parsed.bozo
        assert parsed.feed.title == title
        links = [e.link for e in parsed.entries]
        assert links == [f"{BASE}{show}/episodes/{slug}/" for slug in slugs]
        with (built / show / "feed.xml").open("rb") as stream:
            gpodder = podcastparser.parse(url, stream)
        assert gpodder["title"] == title
        assert [e["link"] for e in gpodder["episodes"]] == links
        guid = etree.fromstring(data).find(f"channel/{PODCAST}guid").text
        pinned = "3b2f1c7e-4d5a-5e6f-8a9b-0c1d2e3f4a5b" if show == "quiet-stacks" else None
        assert guid == (pinned or guid_of_feed(url))
        for entry, slug in zip(parsed.entries, slugs, strict=True):
            audio = entry.enclosures[0].href.removeprefix("https://media.example.org/")
            assert audio.startswith(show + "/")
            assert entry.id == str(uuid.uuid5(uuid.UUID(guid), entry.enclosures[0].href)), slug

    def test_episode_guids_differ_across_shows(self, built: Path) -> None:
        """No two items of the network share a guid, though two shows have an episode
        first-light."""
        guids = [
            e.id
            for show in SHOWS
            for e in feedparser.parse((built / show / "feed.xml").read_bytes()).entries
        ]
        assert len(guids) == len(set(guids)) == 6
        shows = {
            etree.fromstring((built / show / "feed.xml").read_bytes())
            .find(f"channel/{PODCAST}guid")
            .text
            for show in SHOWS
        }
        assert len(shows) == 3

    def test_a_show_inherits_what_it_leaves_out(self, built: Path) -> None:
        """A show.yaml key left out is the network's (owner, copyright, language); a key it
        sets is its own."""
        night = feedparser.parse((built / "night-shift/feed.xml").read_bytes()).feed
        river = feedparser.parse((built / "river-notes/feed.xml").read_bytes()).feed
        assert night.language == "en" and river.language == "en-GB"
        assert night.rights == river.rights == "© 2026 Willowgate Community Radio"
        assert night.publisher_detail.email == "radio@example.com"
        assert river.publisher_detail.email == "bram@example.com"


def errors_of(site: Path) -> list[str]:
    with pytest.raises(BuildFailed) as info:
        build(site)
    return [str(p) for p in info.value.errors]


class TestNetworkErrors:
    def test_two_shows_with_one_address(self, make_site: MakeSite) -> None:
        """Folders whose names differ only in case are one address on many systems: the
        error names both show.yaml files."""
        site = make_site(
            {
                "content/shows/Night-Shift/show.yaml": "title: Night Shift\n",
                "content/shows/Night-Shift/episodes/a.md": record(),
                "content/shows/night-shift/show.yaml": "title: The Other Night Shift\n",
                "content/shows/night-shift/episodes/a.md": record(),
            },
            NETWORK_YAML,
        )
        assert errors_of(site) == [
            "content/shows/night-shift/show.yaml: the show's address night-shift/ is already "
            "content/shows/Night-Shift/show.yaml's (Night Shift); addresses that differ only in "
            "case are one on many systems (rename one folder or set a different slug:)"
        ]

    def test_an_explicit_slug_clash(self, make_site: MakeSite) -> None:
        site = make_site(
            {
                "content/shows/alpha/show.yaml": "title: Alpha\n",
                "content/shows/beta/show.yaml": "title: Beta\nslug: alpha\n",
            },
            NETWORK_YAML,
        )
        assert errors_of(site) == [
            "content/shows/beta/show.yaml: the show's address alpha/ is already "
            "content/shows/alpha/show.yaml's (Alpha); addresses that differ only in case are "
            "one on many systems (rename one folder or set a different slug:)"
        ]

    def test_an_episode_slug_clash_within_a_show(self, make_site: MakeSite) -> None:
        """Within a show, two records with one slug are an error naming both; the same slug
        in two shows is fine."""
        site = make_site(
            {
                "content/shows/alpha/show.yaml": "title: Alpha\n",
                "content/shows/alpha/episodes/one.md": record(),
                "content/shows/alpha/episodes/two.md": record(extra="slug: one\n"),
                "content/shows/beta/show.yaml": "title: Beta\n",
                "content/shows/beta/episodes/one.md": record(),
            },
            NETWORK_YAML,
        )
        assert errors_of(site) == [
            "content/shows/alpha/episodes/two.md: slug 'one' is already used by "
            "content/shows/alpha/episodes/one.md (rename one file or set a different slug:)"
        ]

    def test_content_episodes_beside_content_shows(self, make_site: MakeSite) -> None:
        site = make_site(
            {
                "content/episodes/a.md": record(),
                "content/shows/alpha/show.yaml": "title: Alpha\n",
                "content/shows/alpha/episodes/b.md": record(),
            },
            NETWORK_YAML,
        )
        assert errors_of(site) == [
            "content/episodes: a site with content/shows/ is a network of shows, whose episodes "
            "are in content/shows/NAME/episodes/; move these 1 records into a show's folder "
            "(see A network of shows in the README)"
        ]

    def test_show_yaml_errors_name_the_show_and_line(self, make_site: MakeSite) -> None:
        """show.yaml is read by site.yaml's rules, and network settings stay in site.yaml;
        the records of a show whose show.yaml is broken are still read for their errors."""
        site = make_site(
            {
                "content/shows/alpha/show.yaml": (
                    "title: Alpha\nbase_url: https://elsewhere.test/\nexplicit: maybe\n"
                ),
                "content/shows/alpha/episodes/a.md": "---\ntitle: A\ndate: 2026-13-01\n---\n",
                "content/shows/beta/show.yaml": "description: no title\n",
            },
            NETWORK_YAML + "podcast_guid: 3b2f1c7e-4d5a-5e6f-8a9b-0c1d2e3f4a5b\n",
        )
        assert errors_of(site) == [
            "content/shows/alpha/episodes/a.md:3: 'date' is not a real date: '2026-13-01' "
            "(check the day and month)",
            "content/shows/alpha/show.yaml:2: 'base_url' is a setting of the whole network: set "
            "it in site.yaml, which every show shares",
            "content/shows/alpha/show.yaml:3: 'explicit' must be true or false, got 'maybe'",
            "content/shows/beta/show.yaml:1: 'title' is required (add title: ...)",
            "site.yaml:3: 'podcast_guid' names one show's feed, and a network's site.yaml is no "
            "show: move it into the show's content/shows/NAME/show.yaml",
        ]

    def test_a_folder_name_that_cannot_be_an_address(self, make_site: MakeSite) -> None:
        site = make_site(
            {"content/shows/My Show/show.yaml": "title: Mine\n",
             "content/shows/people/show.yaml": "title: People\n"},
            NETWORK_YAML,
        )  # fmt: skip
        assert errors_of(site) == [
            "content/shows/My Show/show.yaml: the folder name 'My Show' cannot be a web "
            "address; use letters, digits, - and _ (rename the folder my-show or set slug: "
            "my-show)",
            "content/shows/people/show.yaml: the show's address people/ is one of the "
            "network's own pages (assets, categories, episodes, page, pagefind, people, search, "
            "tags); rename the folder or set slug: to another",
        ]


def test_person_on_two_shows_in_chromium(page: Page, built: Path) -> None:
    """On Ines Halloran's page, each show's episode is listed and its links land on it: the
    episode page, and its 'first at' link on the moment she first speaks."""
    with serve(built, "/willowgate-radio/") as url:
        page.goto(url + "people/ines-halloran/")
        items = page.locator(".appearances li")
        expect(items).to_have_count(2)
        expect(items.nth(0)).to_contain_text("The Night Shift Kitchen")
        expect(items.nth(1)).to_contain_text("River Notes")
        items.nth(1).get_by_role("link", name="The Heron at the Weir").click()
        expect(page).to_have_url(url + "river-notes/episodes/01-the-heron-at-the-weir/")
        expect(page.locator("h1")).to_have_text("The Heron at the Weir")
        page.go_back()
        items.nth(0).get_by_role("link", name="0:06").click()
        expect(page).to_have_url(url + "night-shift/episodes/02-salt-and-steam/#t=6.2")
        target = page.locator(".seg.is-target")
        expect(target).to_be_in_viewport()
        expect(target).to_contain_text("I keep the records for the Alder Street allotments")


def test_search_filtered_by_show_in_chromium(page: Page, built: Path) -> None:
    """Search spans the shows; the show filter keeps one show's hits, and a hit still lands
    on its second."""
    with serve(built, "/willowgate-radio/") as url:
        page.goto(url + "search/?q=rosemary")
        results = page.locator("#search-results > li")
        expect(results).to_have_count(2)  # said on The Night Shift Kitchen and River Notes
        # each hit names its show before its date
        expect(results.locator(".search-show")).to_have_text(
            ["River Notes", "The Night Shift Kitchen"]  # by relevance
        )
        page.goto(url + "search/?q=rosemary&show=river-notes")
        expect(page.locator("select[name=show]")).to_have_value("river-notes")
        expect(results).to_have_count(1)
        expect(results.first).to_contain_text("The Heron at the Weir")
        results.first.locator("a", has_text="rosemary").first.click()
        expect(page).to_have_url(
            re.compile(r"river-notes/episodes/01-the-heron-at-the-weir/#t=24\.4$")
        )
        target = page.locator(".seg.is-target")
        expect(target).to_be_in_viewport()
        expect(target).to_contain_text("steals their rosemary")


MOVED_SHOW_KEYS = (
    "description", "language", "author", "owner", "image", "categories", "explicit",
    "copyright", "episodes_per_page",
)  # fmt: skip


def page_files(output: Path) -> dict[str, bytes]:
    """Every published file but the search index (its files are named by their contents)."""
    return {
        p.relative_to(output).as_posix(): p.read_bytes()
        for p in sorted(output.rglob("*"))
        if p.is_file() and not p.relative_to(output).as_posix().startswith("pagefind/")
    }


def feed_guids(data: bytes) -> tuple[str, list[tuple[str, str]]]:
    """A feed's podcast:guid, and each item's guid with its enclosure."""
    channel = etree.fromstring(data).find("channel")
    assert channel is not None
    items = [
        (i.findtext("guid") or "", i.find("enclosure").get("url") or "")  # type: ignore[union-attr]
        for i in channel.iter("item")
    ]
    return channel.findtext(f"{PODCAST}guid") or "", sorted(items)


def test_a_one_show_site_becomes_a_network_without_breaking_a_url_or_guid(
    tmp_path: Path,
) -> None:
    """The README's migration, done to the demo site: its show moves into
    content/shows/borrowed-hammer/ with moved_from: / and its podcast_guid pinned, and a second
    show joins. Every URL of the one-show site still answers: the same page, or a page that
    redirects (without JavaScript) to the same page at its new address; the old feed.xml is the
    show's feed, telling apps its new address; and every guid is unchanged."""
    import shutil

    import yaml

    from tests.golden import ROOT

    site = tmp_path / "site"
    for name in ("content", "static", "site.yaml"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, site / name)
        else:
            shutil.copy(source, site / name)
    before = page_files(build(site, tmp_path / "before").output)
    old_guid, old_items = feed_guids(before["feed.xml"])

    settings = yaml.safe_load((site / "site.yaml").read_text())
    show = {"title": settings["title"], "moved_from": "/", "podcast_guid": old_guid}
    show |= {key: settings.pop(key) for key in MOVED_SHOW_KEYS}
    settings["title"] = "Willowgate Radio"
    (site / "content/shows/borrowed-hammer").mkdir(parents=True)
    (site / "content/episodes").rename(site / "content/shows/borrowed-hammer/episodes")
    (site / "content/shows/borrowed-hammer/show.yaml").write_text(yaml.safe_dump(show))
    (site / "site.yaml").write_text(yaml.safe_dump(settings))
    shutil.copytree(NETWORK / "content/shows/river-notes", site / "content/shows/river-notes")
    shutil.copy(NETWORK / "static/images/river-notes.png", site / "static/images/")
    after = page_files(build(site, tmp_path / "after").output)

    refresh = re.compile(r'<meta http-equiv="refresh" content="0; url=/borrowed-hammer/(.*?)">')
    moved = 0
    for name in before:
        assert name in after, f"{name} is gone"
        if not name.endswith("index.html") or name == "index.html":
            continue
        found = refresh.search(after[name].decode())
        if found is None:  # the same page (people, tags, search): still there
            continue
        moved += 1
        target = found.group(1)
        assert target == "borrowed-hammer/" + name.removesuffix("index.html")
        new = after[target + "index.html"].decode()
        title = re.search(r"<title>([^<]*)</title>", before[name].decode())
        assert title is not None and f"<title>{title.group(1)}</title>" in new
        canonical = (
            f'<link rel="canonical" href="https://example.github.io/borrowed-hammer/{target}">'
        )
        assert canonical in after[name].decode()
    assert moved == 2 * 6 + 1  # six episode pages (the seventh is a draft), their embeds, page/2/
    # Downloads are where they were, byte for byte.
    assert (
        after["episodes/02-the-ladder-ledger/transcript.vtt"]
        == before["episodes/02-the-ladder-ledger/transcript.vtt"]
    )
    assert (
        after["episodes/02-the-ladder-ledger/chapters.json"]
        == before["episodes/02-the-ladder-ledger/chapters.json"]
    )
    # The old feed is the show's, with its new address; the show and every episode keep
    # their guids, in both.
    new_feed = "https://example.github.io/borrowed-hammer/borrowed-hammer/feed.xml"
    parsed = feedparser.parse(after["feed.xml"])
    assert not parsed.bozo
    assert (
        etree.fromstring(after["feed.xml"]).findtext(
            "channel/{http://www.itunes.com/dtds/podcast-1.0.dtd}new-feed-url"
        )
        == new_feed
    )
    for data in (after["feed.xml"], after["borrowed-hammer/feed.xml"]):
        guid, items = feed_guids(data)
        assert guid == old_guid
        assert [g for g, _ in items] == [g for g, _ in old_items]
    # The redirects stay out of the sitemap; the new addresses are in it.
    sitemap = after["sitemap.xml"].decode()
    from generator.check import check_site

    assert check_site(tmp_path / "after", "https://example.github.io/borrowed-hammer/").broken == ()
    old_home = "<loc>https://example.github.io/borrowed-hammer/"
    assert old_home + "episodes/02-the-ladder-ledger/</loc>" not in sitemap
    assert old_home + "borrowed-hammer/episodes/02-the-ladder-ledger/</loc>" in sitemap


@pytest.mark.parametrize(
    "path",
    ["", "categories/", "categories/arts/", "night-shift/", "people/ines-halloran/", "search/"],
)
def test_network_pages_have_no_axe_violations(browser: Browser, built: Path, path: str) -> None:
    """axe-core finds no accessibility violations on the network's own pages and a show's
    home (light mode; dark is the same theme's colours, tested on the demo)."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        with serve(built, "/willowgate-radio/") as url:
            page.goto(url + path)
            page.wait_for_load_state("networkidle")
            results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


def test_network_home_in_chromium(page: Page, built: Path) -> None:
    """The network's home shows every show with its newest episode; each link lands."""
    with serve(built, "/willowgate-radio/") as url:
        page.goto(url)
        cards = page.locator(".show-card")
        expect(cards).to_have_count(3)
        for n, (title, slugs) in enumerate(SHOWS.values()):
            expect(cards.nth(n).locator("h3")).to_have_text(title)
            expect(cards.nth(n).locator(".latest a").first).to_have_attribute(
                "href", re.compile(f"/episodes/{slugs[0]}/$")
            )
        cards.nth(2).locator(".latest a").first.click()
        expect(page).to_have_url(url + "river-notes/episodes/02-eels-in-the-dark/")
        page.locator(".show-title").click()
        expect(page).to_have_url(url + "river-notes/")
        page.locator(".site-title").click()
        expect(page).to_have_url(url)


def test_a_show_yaml_edit_renders_that_show_again_only(tmp_path: Path) -> None:
    """A show's settings are an input of its own episode pages only: after an edit to one
    show.yaml, the other shows' pages are the cache's files as they were (the same file), that
    show's are new, and the site equals a cold build of it byte for byte."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(NETWORK, site)
    first = build(site).output
    page = {
        show: (first / show / "episodes" / slugs[-1] / "index.html").stat().st_ino
        for show, (_, slugs) in SHOWS.items()
    }
    show_yaml = site / "content/shows/river-notes/show.yaml"
    show_yaml.write_text(show_yaml.read_text().replace("title: River Notes", "title: Riverbank"))
    again = build(site).output
    after = {
        show: (again / show / "episodes" / slugs[-1] / "index.html").stat().st_ino
        for show, (_, slugs) in SHOWS.items()
    }
    assert [show for show in SHOWS if after[show] != page[show]] == ["river-notes"]
    assert "Riverbank" in (again / "index.html").read_text()
    assert "Riverbank" in (again / "people/ines-halloran/index.html").read_text()
    cold = tmp_path / "cold"
    shutil.copytree(site, cold, ignore=shutil.ignore_patterns("output", ".cache"))
    assert page_files(build(cold).output) == page_files(again)
