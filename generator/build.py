"""``build()``: the whole pipeline, top to bottom.

load config -> read every episode -> render every page -> write the site atomically.
Nothing is written until everything has been read and rendered; every problem is reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from generator.config import load_site
from generator.errors import BuildFailed, CuepressError, Problem, Problems, in_order
from generator.models import Episode, Site
from generator.records import read_episodes
from generator.render import Renderer, default_layouts
from generator.transcripts import exports
from generator.writer import check_output, locked, write_site


@dataclass(frozen=True)
class BuildResult:
    site: Site
    episodes: tuple[Episode, ...]  # the published episodes, newest first
    files: int  # files written
    output: Path
    warnings: tuple[Problem, ...]


def build(
    site_dir: Path,
    output: Path | None = None,
    *,
    strict: bool = False,
    drafts: bool = False,
    base_url: str | None = None,
) -> BuildResult:
    """Build the site in ``site_dir`` into ``output`` (default ``site_dir/output``).

    Raises :class:`BuildFailed` with every error found; the old output is then untouched.
    """
    output = output if output is not None else site_dir / "output"
    problems = Problems()
    try:
        check_output(output, site_dir)
    except CuepressError as exc:
        problems.add(exc)
    site = load_site(site_dir, problems, base_url)
    episodes = [e for e in read_episodes(site_dir, problems) if drafts or not e.draft]
    if site is None:
        problems.raise_if_failed(strict=strict)
        raise AssertionError("load_site returned None without an error")  # pragma: no cover
    files = render_site(site, episodes, site_dir, problems)
    copies = gather_copies(site_dir, files, problems)
    problems.raise_if_failed(strict=strict)
    with locked(output):
        write_site(output, files, copies)
    return BuildResult(
        site=site,
        episodes=tuple(episodes),
        files=len(files) + len(copies),
        output=output,
        warnings=tuple(in_order(problems.warnings)),
    )


def render_site(
    site: Site, episodes: list[Episode], site_dir: Path, problems: Problems
) -> dict[str, bytes]:
    """Every generated file of the site, as relative path -> bytes."""
    renderer = Renderer(site, site_dir)
    files: dict[str, str] = {}

    def render(path: str, template: str, **context: object) -> None:
        try:
            files[path] = renderer.render(template, **context)
        except CuepressError as exc:
            if exc.problem not in problems.errors:  # one broken layout, reported once
                problems.add(exc)

    per_page = site.episodes_per_page
    pages = max(1, math.ceil(len(episodes) / per_page))
    for number in range(1, pages + 1):
        page = Page(number, pages, episodes[(number - 1) * per_page : number * per_page])
        render(page.output_path, "index.html", page=page, episodes=page.episodes)
    for episode in episodes:
        render(f"{episode.url_path}index.html", "episode.html", episode=episode)
        if episode.transcript is not None:
            files.update(transcript_files(episode))
    render("404.html", "404.html")
    return {path: text.encode("utf-8") for path, text in files.items()}


def transcript_files(episode: Episode) -> dict[str, str]:
    """The downloadable transcript formats of an episode."""
    transcript, duration = episode.transcript, episode.duration_ms
    assert transcript is not None
    base = episode.url_path + "transcript"
    return {
        f"{base}.vtt": exports.to_vtt(transcript, duration),
        f"{base}.srt": exports.to_srt(transcript, duration),
        f"{base}.txt": exports.to_txt(transcript),
        f"{base}.json": exports.to_json(transcript, duration),
    }


@dataclass(frozen=True)
class Page:
    """One page of the episode index."""

    number: int
    count: int
    episodes: list[Episode]

    @staticmethod
    def path_of(number: int) -> str:
        return "" if number == 1 else f"page/{number}/"

    @property
    def output_path(self) -> str:
        return self.path_of(self.number) + "index.html"

    @property
    def previous(self) -> str | None:
        return self.path_of(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.path_of(self.number + 1) if self.number < self.count else None


def gather_copies(site_dir: Path, files: dict[str, bytes], problems: Problems) -> dict[str, Path]:
    """Files copied as they are: the theme's ``assets/``, then the site's ``static/`` (which may
    override a theme asset, but not a generated page)."""
    copies: dict[str, Path] = {}
    theme_assets = default_layouts() / "assets"
    for source in sorted(theme_assets.rglob("*")):
        if source.is_file():
            copies["assets/" + source.relative_to(theme_assets).as_posix()] = source
    static = site_dir / "static"
    for source in sorted(static.rglob("*")) if static.is_dir() else []:
        if not source.is_file() or any(p.startswith(".") for p in source.relative_to(static).parts):
            continue
        relative = source.relative_to(static).as_posix()
        shown = source.relative_to(site_dir).as_posix()
        if not source.resolve().is_relative_to(site_dir.resolve()):
            problems.error(shown, None, "is a link to a file outside the site (copy the file in)")
            continue
        if relative in files:
            problems.error(
                shown,
                None,
                f"would overwrite the generated page {relative} (rename or remove the static file)",
            )
            continue
        copies[relative] = source
    return copies


__all__ = ["BuildFailed", "BuildResult", "build"]
