"""Shared fixtures: small sites written into temporary folders."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser import launch, serve

SITE_YAML = """\
title: Test Show
base_url: https://example.test/show/
"""

MakeSite = Callable[..., Path]


@pytest.fixture(scope="session", autouse=True)
def _own_cache_key(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Builds under test keep their cache key (generator/cache.py) in a folder of the test run,
    not in the home folder; builds in subprocesses inherit it."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole run (Playwright's sync API allows one per thread)."""
    with launch() as (_, browser):
        yield browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page, closed after the test."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo site, built once, served under its base_url path."""
    from tests.golden import build_demo

    output = tmp_path_factory.mktemp("demo") / "out"
    build_demo(output)
    with serve(output, "/borrowed-hammer/") as url:
        yield url


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write a site into a temporary folder: ``make_site({"content/episodes/a.md": "..."})``."""

    def make(files: dict[str, str | bytes] | None = None, site_yaml: str = SITE_YAML) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        write_files(root, {"site.yaml": site_yaml, **(files or {})})
        return root

    return make


def record(
    title: str = "Hello", date: str = "2026-01-02", extra: str = "", body: str = "Hi."
) -> str:
    """A minimal valid ``.md`` record."""
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n{body}\n"
