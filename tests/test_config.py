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
            "episodes_per_page)"
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
