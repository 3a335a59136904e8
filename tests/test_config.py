"""site.yaml: a typed schema with every problem collected."""

from __future__ import annotations

from pathlib import Path

from generator.config import load_site
from generator.errors import Problems
from generator.models import Owner
from tests.conftest import MakeSite


def load(site: Path, base_url: str | None = None) -> tuple[object, list[str], list[str]]:
    problems = Problems()
    result = load_site(site, problems, base_url)
    return result, [str(p) for p in problems.errors], [str(p) for p in problems.warnings]


class TestLoadSite:
    def test_full_config(self, make_site: MakeSite) -> None:
        """Every documented key is read with its type."""
        site = make_site(
            site_yaml="""\
            title: Show
            base_url: https://user.github.io/show
            description: About things
            language: de
            author: Ana
            owner: {name: Ana, email: ana@example.com}
            image: images/cover.png
            categories: [Arts, Leisure]
            explicit: true
            copyright: "© Ana"
            episodes_per_page: 5
            """
        )
        config, errors, warnings = load(site)
        assert errors == warnings == []
        assert config is not None
        assert config.base_url == "https://user.github.io/show/"  # type: ignore[attr-defined]
        assert config.path == "/show/"  # type: ignore[attr-defined]
        assert config.owner == Owner("Ana", "ana@example.com")  # type: ignore[attr-defined]
        assert config.categories == ("Arts", "Leisure")  # type: ignore[attr-defined]
        assert config.episodes_per_page == 5  # type: ignore[attr-defined]

    def test_every_problem_is_collected(self, make_site: MakeSite) -> None:
        """Wrong types, a relative base_url and a bad page size are all reported at once."""
        site = make_site(
            site_yaml="""\
            title: [a, b]
            base_url: /show/
            episodes_per_page: 0
            explicit: maybe
            colour: blue
            """
        )
        config, errors, warnings = load(site)
        assert config is None
        assert errors == [
            "site.yaml:1: 'title' must be text, got a list",
            "site.yaml:2: 'base_url' must be an absolute http(s) URL like "
            "https://you.github.io/show/, got '/show/'",
            "site.yaml:3: 'episodes_per_page' must be at least 1, got 0",
            "site.yaml:4: 'explicit' must be true or false, got 'maybe'",
        ]
        assert warnings == [
            "site.yaml:5: unknown key 'colour' is ignored (known keys: title, base_url, "
            "description, language, author, owner, image, categories, explicit, copyright, "
            "episodes_per_page, locked, podcast_guid, cname, search, edit_url)"
        ]

    def test_missing_required_keys(self, make_site: MakeSite) -> None:
        """title and base_url are required."""
        site = make_site(site_yaml="description: x\n")
        _, errors, _ = load(site)
        assert errors == [
            "site.yaml:1: 'title' is required (add title: ...)",
            "site.yaml:1: 'base_url' is required (add base_url: ...)",
        ]

    def test_base_url_override(self, make_site: MakeSite) -> None:
        """--base-url replaces the file's value and gets its trailing slash."""
        config, errors, _ = load(make_site(), base_url="https://cdn.example/x")
        assert errors == []
        assert config.base_url == "https://cdn.example/x/"  # type: ignore[attr-defined]

    def test_no_site_yaml(self, tmp_path: Path) -> None:
        """A folder without site.yaml says which folder was searched."""
        _, errors, _ = load(tmp_path)
        assert errors == [f"site.yaml: no site.yaml in {tmp_path} (is --site right?)"]


class TestFeedKeys:
    def test_locked_and_podcast_guid(self, make_site: MakeSite) -> None:
        """locked is a boolean; podcast_guid is a UUID, normalised to lower case."""
        site = make_site(
            site_yaml="""\
            title: S
            base_url: https://example.test/
            owner: {name: Ana, email: ana@example.test}
            locked: true
            podcast_guid: 917393E3-1B1E-5CEF-ACE4-EDAA54E1F810
            """
        )
        config, errors, warnings = load(site)
        assert errors == warnings == []
        assert config.locked is True  # type: ignore[attr-defined]
        assert config.podcast_guid == "917393e3-1b1e-5cef-ace4-edaa54e1f810"  # type: ignore[attr-defined]

    def test_absent_means_no_tag(self, make_site: MakeSite) -> None:
        """Without the keys, locked is None (no podcast:locked) and podcast_guid is None."""
        config, _, _ = load(make_site())
        assert config.locked is None  # type: ignore[attr-defined]
        assert config.podcast_guid is None  # type: ignore[attr-defined]

    def test_wrong_values(self, make_site: MakeSite) -> None:
        """locked: true without an owner, a malformed guid and a non-boolean locked are errors."""
        site = make_site(
            site_yaml="""\
            title: S
            base_url: https://example.test/
            locked: true
            podcast_guid: show-1
            """
        )
        config, errors, _ = load(site)
        assert config is None
        assert errors == [
            "site.yaml:3: 'locked: true' needs the owner's email to verify a move "
            "(add owner: {name: ..., email: ...})",
            "site.yaml:4: 'podcast_guid' must be a UUID, 36 characters with four hyphens "
            "(copy it from the old feed.xml's <podcast:guid>), got 'show-1'",
        ]
        _, errors, _ = load(make_site(site_yaml="title: S\nbase_url: https://x.test/\nlocked: 1\n"))
        assert errors == ["site.yaml:3: 'locked' must be true or false, got the number 1"]


class TestCname:
    def test_custom_domain(self, make_site: MakeSite) -> None:
        """cname is a bare host name, kept in lower case, matching base_url's host."""
        site = make_site(
            site_yaml="title: S\nbase_url: https://podcast.example.com/\n"
            "cname: Podcast.Example.COM\n"
        )
        config, errors, warnings = load(site)
        assert errors == warnings == []
        assert config.cname == "podcast.example.com"  # type: ignore[attr-defined]
        config, _, _ = load(make_site())
        assert config.cname is None  # type: ignore[attr-defined]

    def test_not_a_host_name(self, make_site: MakeSite) -> None:
        """A URL, or anything but a host name, says what would be right."""
        site = make_site(
            site_yaml="title: S\nbase_url: https://podcast.example.com/\n"
            "cname: https://podcast.example.com/\n"
        )
        _, errors, _ = load(site)
        assert errors == [
            "site.yaml:3: 'cname' must be a bare host name like podcast.example.com, "
            "got 'https://podcast.example.com/' (leave out https:// and any path)"
        ]

    def test_must_match_base_url(self, make_site: MakeSite) -> None:
        """A custom domain serves the site at its root, so base_url must say so."""
        site = make_site(
            site_yaml="title: S\nbase_url: https://user.github.io/show/\ncname: pod.example.com\n"
        )
        _, errors, _ = load(site)
        assert errors == [
            "site.yaml:3: 'cname' is pod.example.com but base_url is "
            "https://user.github.io/show/; a custom domain serves the site at "
            "https://pod.example.com/ (make that the base_url, or remove cname)"
        ]
