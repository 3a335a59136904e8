"""``cuepress new DIR``: a new site of one's own, made from ``generator/site-skeleton/``.

The skeleton is copied as it is, with four blanks filled in: ``@TITLE@`` and ``@BASE_URL@``
(from the folder's name), ``@TODAY@`` (the example episode's date) and ``@REQUIREMENT@`` (the
pinned Cuepress in ``requirements.txt``, from how this Cuepress was installed). Names starting
``dot-`` become ``.`` names (``dot-gitignore`` is ``.gitignore``): package-data globs skip dot
files, so the skeleton holds none.

Only a new or empty folder is written to, every file with exclusive creation: nothing is ever
overwritten, and a failure removes what this run made.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from generator import __version__
from generator.errors import CuepressError

SKELETON = Path(__file__).resolve().parent / "site-skeleton"
# A folder that holds only these may still be used: a fresh `git init` or clone of an empty repo.
ALLOWED = frozenset({".git"})
REPLACE_PIN = (
    "# Cuepress is not on PyPI: replace the next line with where this site should install it\n"
    "# from, for example: cuepress @ git+https://github.com/OWNER/cuepress@TAG\n"
)


@dataclass(frozen=True)
class Pin:
    """The line of ``requirements.txt`` naming Cuepress; ``exact`` when pip can install that
    very Cuepress anywhere (a VCS commit or an archive URL), not only a version number."""

    line: str
    exact: bool


@dataclass(frozen=True)
class NewSite:
    folder: Path
    title: str
    base_url: str
    files: tuple[str, ...]  # relative POSIX paths, in the order written
    pin: Pin


def new_site(folder: Path, *, today: dt.date | None = None, pin: Pin | None = None) -> NewSite:
    """Write a new site into ``folder`` (made if missing; it must be empty if it exists).

    Raises :class:`CuepressError` naming the folder or file when it cannot; the folder is then
    as it was before.
    """
    refuse_if_used(folder)
    name = _display_name(folder.resolve().name)
    title = title_for(name)
    base_url = f"https://example.github.io/{url_segment(name)}/"
    pin = pin or installed_pin()
    blanks = {
        "@TITLE@": title,
        "@BASE_URL@": base_url,
        "@TODAY@": (today or dt.date.today()).isoformat(),
        "@REQUIREMENT@": ("" if pin.exact else REPLACE_PIN) + pin.line,
        "@EXAMPLE@": "; `welcome.md` is an example",
    }
    sources = _sources()
    files = {name: _fill(sources[name], blanks) for name in sorted(sources)}
    if "site.yaml" not in files:
        raise CuepressError(SKELETON, None, "is missing from this Cuepress (reinstall Cuepress)")
    _write(folder, files)
    return NewSite(folder, title, base_url, tuple(files), pin)


def add_publishing_files(folder: Path, title: str) -> list[str]:
    """The skeleton's files for publishing (``.gitignore``, ``requirements.txt``, the Pages
    workflow, ``README.md``) that ``folder`` lacks, for a site made another way (by
    ``cuepress import``); files already there are left alone. Returns what was written."""
    pin = installed_pin()
    blanks = {
        "@TITLE@": title,
        "@REQUIREMENT@": ("" if pin.exact else REPLACE_PIN) + pin.line,
        "@EXAMPLE@": "",
    }
    sources = _sources()
    wanted = [
        name
        for name in sorted(sources)
        if name != "site.yaml" and not name.startswith("content/") and not (folder / name).exists()
    ]
    _write(folder, {name: _fill(sources[name], blanks) for name in wanted})
    return wanted


def _sources() -> dict[str, Path]:
    return {
        _target(source): source
        for source in SKELETON.rglob("*")
        if source.is_file() and "__pycache__" not in source.parts
    }


def refuse_if_used(folder: Path) -> None:
    """Refuse a folder that is a file, or that holds anything (a ``.git`` alone is allowed)."""
    if not folder.exists() and not folder.is_symlink():
        return
    if not folder.is_dir():
        raise CuepressError(folder, None, "is not a folder (give the name of a new folder)")
    try:
        held = sorted(entry.name for entry in folder.iterdir() if entry.name not in ALLOWED)
    except OSError as exc:
        raise CuepressError(folder, None, f"cannot be read: {exc.strerror}") from None
    if held:
        more = f" and {len(held) - 1} more" if len(held) > 1 else ""
        raise CuepressError(
            folder,
            None,
            f"already exists and is not empty (it holds {held[0]}{more}); cuepress new writes "
            "only into a new or empty folder, and wrote nothing",
        )


def _display_name(name: str) -> str:
    """A folder's name as text: bytes that are not UTF-8 become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def title_for(name: str) -> str:
    """A show's title from its folder's name: ``my-show`` is "My Show"."""
    words = [word for word in re.split(r"[\s_.-]+", name) if word]
    return " ".join(word[:1].upper() + word[1:] for word in words) or "My Podcast"


def url_segment(name: str) -> str:
    """The folder's name as a GitHub repository name would read in a URL: letters, digits, ``.``,
    ``-`` and ``_`` (accents dropped, anything else a ``-``)."""
    if re.fullmatch(r"[A-Za-z0-9_.-]+", name) and name.strip("."):
        return name
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "my-podcast"


def _target(source: Path) -> str:
    parts = source.relative_to(SKELETON).parts
    return "/".join("." + part[4:] if part.startswith("dot-") else part for part in parts)


def _fill(source: Path, blanks: dict[str, str]) -> str:
    text = source.read_text(encoding="utf-8")
    for blank, value in blanks.items():
        if blank == "@TITLE@" and source.suffix == ".yaml":
            value = json.dumps(value, ensure_ascii=False)  # a YAML string, whatever it holds
        text = text.replace(blank, value)
    return text


def _write(folder: Path, files: dict[str, str]) -> None:
    """Make the folders and write every file by exclusive creation; on any failure remove what
    was made, newest first, and raise naming the path."""
    made: list[Path] = []
    try:
        for name in files:
            for directory in reversed((folder / name).parents):
                if not directory.exists():
                    directory.mkdir()
                    made.append(directory)
        for name, text in files.items():
            path = folder / name
            with path.open("x", encoding="utf-8", newline="\n") as file:
                made.append(path)
                file.write(text)
    except OSError as exc:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                if path.is_dir():
                    path.rmdir()
                else:
                    path.unlink()
        where = exc.filename if exc.filename else folder
        why = "it already exists" if isinstance(exc, FileExistsError) else exc.strerror
        raise CuepressError(
            where, None, f"cannot be written ({why}); the new site was not made"
        ) from None


def installed_pin() -> Pin:
    """How the running Cuepress was installed, as a line of ``requirements.txt``."""
    try:
        dist = metadata.distribution("cuepress")
    except metadata.PackageNotFoundError:  # run from a checkout, not installed
        return pin_for(None, __version__)
    return pin_for(dist.read_text("direct_url.json"), dist.version)


def pin_for(direct_url: str | None, version: str) -> Pin:
    """The pinned requirement for a Cuepress installed as ``direct_url`` (the text of its
    PEP 610 ``direct_url.json``, None when installed from an index) says.

    A VCS install pins its commit (``cuepress @ git+URL@COMMIT``); an archive downloaded from a
    URL pins that URL with its hash; anything else (a local folder or file, an index) pins the
    version, which the site's owner must point somewhere: Cuepress is not on PyPI.
    """
    fallback = Pin(f"cuepress=={version}", exact=False)
    try:
        info = json.loads(direct_url) if direct_url else None
    except ValueError:
        return fallback
    if not isinstance(info, dict) or not isinstance(url := info.get("url"), str):
        return fallback
    if not _reachable(url):
        return fallback
    fragments = []
    if isinstance(subdirectory := info.get("subdirectory"), str):
        fragments.append(f"subdirectory={subdirectory}")
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict):
        kind, commit = vcs.get("vcs"), vcs.get("commit_id")
        if not isinstance(kind, str) or not isinstance(commit, str):
            return fallback
        if not re.fullmatch(r"[a-z]+", kind) or not re.fullmatch(r"\w+", commit):
            return fallback
        return Pin(f"cuepress @ {kind}+{url}@{commit}{_fragment(fragments)}", exact=True)
    archive = info.get("archive_info")
    if isinstance(archive, dict) and urlsplit(url).scheme in ("http", "https"):
        hashes = archive.get("hashes")
        digest = hashes.get("sha256") if isinstance(hashes, dict) else None
        if digest is None and isinstance(archive.get("hash"), str):  # the older form
            algorithm, _, value = archive["hash"].partition("=")
            digest = value if algorithm == "sha256" else None
        if isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest):
            fragments.append(f"sha256={digest}")  # pip checks the download against it
        return Pin(f"cuepress @ {url}{_fragment(fragments)}", exact=True)
    return fallback


def _fragment(parts: list[str]) -> str:
    return "#" + "&".join(parts) if parts else ""


def _reachable(url: str) -> bool:
    """True for a URL another machine can fetch: a host, no password, no spaces."""
    parts = urlsplit(url)
    if parts.scheme in ("", "file") or not parts.hostname or any(c.isspace() for c in url):
        return False
    return parts.password is None or parts.password.startswith("${")
