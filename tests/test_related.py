"""Related episodes: the rule that chooses them, their block on the episode page, and the
cache re-rendering exactly the pages whose list changes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from generator import related
from generator.build import build
from generator.check import check_site
from generator.models import Episode
from generator.related import Related, choose
from tests.conftest import MakeSite, record
from tests.golden import ROOT
from tests.test_cache import cold, tree


def episode(
    slug: str,
    day: int,
    guests: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    draft: bool = False,
    number: int | None = None,
) -> Episode:
    return Episode(
        slug=slug,
        source=f"content/episodes/{slug}.md",
        title=slug.upper(),
        date=dt.date(2026, 1, day),
        guests=guests,
        tags=tags,
        draft=draft,
        number=number,
    )


def slugs(chosen: tuple[Related, ...]) -> list[str]:
    return [item.slug for item in chosen]


class TestRule:
    def test_a_shared_guest_outweighs_two_shared_topics(self) -> None:
        chosen = choose(
            [
                episode("a", 1, ("Ana",), ("garden", "tools")),
                episode("b", 2, (), ("garden", "tools")),  # 2 points
                episode("c", 3, ("Ana",)),  # 3 points
                episode("d", 4, ("Ana",), ("garden",)),  # 4 points
            ]
        )
        assert slugs(chosen["a"]) == ["d", "c", "b"]
        assert chosen["a"][0] == Related("d", "D", dt.date(2026, 1, 4), ("Ana",), ("garden",))

    def test_ties_newest_first_then_by_number(self) -> None:
        chosen = choose(
            [
                episode("a", 1, tags=("garden",)),
                episode("b", 2, tags=("garden",)),
                episode("c", 9, tags=("garden",), number=1),
                episode("d", 9, tags=("garden",), number=2),
                episode("e", 5, tags=("garden",)),
            ]
        )
        assert slugs(chosen["a"]) == ["d", "c", "e", "b"]  # at most four

    def test_never_itself_a_draft_or_one_sharing_nothing(self) -> None:
        chosen = choose(
            [
                episode("a", 1, ("Ana",), ("garden",)),
                episode("b", 2, ("Ana",), draft=True),
                episode("c", 3, ("Bo",), ("river",)),
                episode("d", 4, tags=("garden",)),
            ]
        )
        assert slugs(chosen["a"]) == ["d"]
        assert chosen["c"] == ()
        assert slugs(chosen["b"]) == ["a"]  # a draft's own page (--drafts) lists published ones

    def test_a_drafts_tag_on_no_published_episode(self) -> None:
        """A draft (built with --drafts) may be the only episode with a tag: it then lists what
        its other tags and guests share, and the build does not fail."""
        chosen = choose(
            [
                episode("a", 1, tags=("garden",)),
                episode("b", 2, tags=("garden", "brand-new"), draft=True),
            ]
        )
        assert slugs(chosen["b"]) == ["a"]
        assert chosen["a"] == ()

    def test_topics_whose_pages_coincide_are_one_and_show_as_spelled_here(self) -> None:
        chosen = choose([episode("a", 1, tags=("Garden",)), episode("b", 2, tags=("garden",))])
        assert chosen["a"][0].tags == ("Garden",)
        assert chosen["b"][0].tags == ("garden",)

    def test_hosts_do_not_count(self) -> None:
        a = Episode("a", "a.md", "A", dt.date(2026, 1, 1), hosts=("Maren",))
        b = Episode("b", "b.md", "B", dt.date(2026, 1, 2), hosts=("Maren",))
        assert choose([a, b]) == {"a": (), "b": ()}


def related_block(page: Path) -> str:
    html = page.read_text()
    match = re.search(r'<section class="related".*?</section>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split()) if match else ""


def links(page: Path) -> list[str]:
    html = page.read_text()
    match = re.search(r'<section class="related".*?</section>', html, re.S)
    return re.findall(r'href="([^"]+)"', match.group(0)) if match else []


class TestDemo:
    def test_the_demo_shows_related_episodes_and_its_links_resolve(self, tmp_path: Path) -> None:
        """A guest in common (Priya, 'Priya D.' in one record) comes first; the draft is never
        listed; an episode sharing nothing has no block; every link resolves under the site's
        path (cuepress check)."""
        result = build(ROOT, tmp_path / "out")
        episodes = result.output / "episodes"
        assert related_block(episodes / "02-the-ladder-ledger/index.html") == (
            "Related episodes Sharpening Saturday 8 April 2026 Also with Priya Duvall "
            "Spring Spades 20 May 2026 Also about community "
            "Opening the Shed Doors 14 January 2026 Also about community"
        )
        assert links(episodes / "02-the-ladder-ledger/index.html")[0] == (
            "/borrowed-hammer/episodes/03-sharpening-saturday/"
        )
        assert related_block(episodes / "05-the-fix-it-club/index.html") == ""
        assert "Winter Inventory" not in related_block(
            episodes / "03-sharpening-saturday/index.html"
        )
        checked = check_site(result.output, result.site.base_url)
        assert [str(b) for b in checked.broken] == []


def test_a_related_link_in_chromium(page: Page, demo_url: str) -> None:
    page.goto(demo_url + "episodes/02-the-ladder-ledger/")
    block = page.get_by_role("region", name="Related episodes")
    block.get_by_role("link", name="Sharpening Saturday").click()
    expect(page).to_have_url(demo_url + "episodes/03-sharpening-saturday/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sharpening Saturday")


SITE_YAML = "title: Related Show\nbase_url: https://example.test/show/\nsearch: false\n"


def topics(*tags: str) -> str:
    return f"tags: [{', '.join(tags)}]\n"


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    """A and B share a topic; C shares another with D; E shares nothing."""
    root = make_site(
        {
            "content/episodes/a.md": record("Alpha", "2026-01-01", topics("garden")),
            "content/episodes/b.md": record("Beta", "2026-02-01", topics("garden")),
            "content/episodes/c.md": record("Gamma", "2026-03-01", topics("river")),
            "content/episodes/d.md": record("Delta", "2026-04-01", topics("river")),
            "content/episodes/e.md": record("Epsilon", "2026-05-01"),
        },
        site_yaml=SITE_YAML,
    )
    build(root, jobs=1)
    return root


def entries(site: Path) -> dict[str, str]:
    """Each record's cache entry folder (what its pages were rendered into)."""
    import pickle

    state = pickle.loads((site / ".cache/cuepress/state.pickle").read_bytes())
    return {record.rpartition("/")[2]: entry.key for record, entry in state.entries.items()}


class TestCache:
    def test_a_tag_edit_on_one_episode_updates_the_pages_it_joins_and_leaves(
        self, site: Path, tmp_path: Path
    ) -> None:
        """A leaves garden for river: B loses it, C and D gain it; E's page is not rendered
        again; the rebuild equals a cold build byte for byte."""
        output = site / "output/episodes"
        assert related_block(output / "b/index.html").endswith(
            "Alpha 1 January 2026 Also about garden"
        )
        before = entries(site)
        (site / "content/episodes/a.md").write_text(record("Alpha", "2026-01-01", topics("river")))
        build(site, jobs=1)
        assert related_block(output / "b/index.html") == ""
        assert "Alpha" in related_block(output / "c/index.html")
        assert "Alpha" in related_block(output / "d/index.html")
        after = entries(site)
        assert {name for name in before if before[name] != after[name]} == {
            "a.md", "b.md", "c.md", "d.md"
        }  # fmt: skip
        assert tree(site / "output") == cold(site, tmp_path)

    def test_a_title_edit_updates_the_pages_that_link_to_it(
        self, site: Path, tmp_path: Path
    ) -> None:
        (site / "content/episodes/a.md").write_text(
            record("Alpha, renamed", "2026-01-01", topics("garden"))
        )
        before = entries(site)
        build(site, jobs=1)
        assert "Alpha, renamed" in related_block(site / "output/episodes/b/index.html")
        after = entries(site)
        assert {name for name in before if before[name] != after[name]} == {"a.md", "b.md"}
        assert tree(site / "output") == cold(site, tmp_path)

    def test_a_summary_edit_renders_no_other_page(self, site: Path) -> None:
        before = entries(site)
        (site / "content/episodes/a.md").write_text(
            record("Alpha", "2026-01-01", topics("garden"), body="New notes.")
        )
        build(site, jobs=1)
        after = entries(site)
        assert {name for name in before if before[name] != after[name]} == {"a.md"}

    def test_a_draft_never_listed_and_publishing_it_lists_it(
        self, site: Path, tmp_path: Path
    ) -> None:
        draft = record("Zeta", "2026-06-01", topics("garden") + "draft: true\n")
        (site / "content/episodes/z.md").write_text(draft)
        build(site, jobs=1)
        assert "Zeta" not in related_block(site / "output/episodes/a/index.html")
        (site / "content/episodes/z.md").write_text(draft.replace("draft: true\n", ""))
        build(site, jobs=1)
        assert related_block(site / "output/episodes/a/index.html").startswith(
            "Related episodes Zeta"
        )
        assert tree(site / "output") == cold(site, tmp_path)


class TestOnEveryCore:
    def test_many_records_on_two_processes_equal_one(
        self, make_site: MakeSite, tmp_path: Path
    ) -> None:
        """Enough records for the stage's worker processes: the pages are the same."""
        files = {
            f"content/episodes/e{n:02d}.md": record(
                f"Episode {n}", f"2026-01-{n + 1:02d}", topics(f"t{n % 5}", f"u{n % 3}")
            )
            for n in range(24)
        }
        root = make_site(files, site_yaml=SITE_YAML)
        build(root, jobs=2)
        assert related_block(root / "output/episodes/e00/index.html").count("Also about") == 4
        assert tree(root / "output") == cold(root, tmp_path)

    def test_a_mistaken_guess_is_corrected(
        self, site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """When the front matter alone mistakes a record (here: cannot read it at all), the
        lists chosen from the records as read win, and the pages equal a cold build's."""
        (site / "content/episodes/f.md").write_text(record("Phi", "2026-07-01", topics("garden")))
        monkeypatch.setattr(related, "read_listing", lambda *args: None)
        build(site, jobs=1)
        assert "Phi" in related_block(site / "output/episodes/a/index.html")
        monkeypatch.undo()
        assert tree(site / "output") == cold(site, tmp_path)


def test_removing_a_listed_episode_updates_the_pages_that_listed_it(
    site: Path, tmp_path: Path
) -> None:
    """No record changed, one is gone: the pages listing it are rendered again."""
    (site / "content/episodes/a.md").unlink()
    build(site, jobs=1)
    assert related_block(site / "output/episodes/b/index.html") == ""
    assert tree(site / "output") == cold(site, tmp_path)
