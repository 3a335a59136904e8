"""``cuepress check``: every internal link, asset and ``#fragment`` of a built site resolves.

The output is checked as GitHub Pages serves it: under the path of ``base_url`` (``/show/``),
where ``/show/episodes/a/`` serves ``episodes/a/index.html`` (``/show/episodes/a`` redirects
there, ``/show/about`` serves ``about.html``) and ``404.html`` answers any missing address, at
any depth. Nothing is fetched: external links are counted, never followed.

Rules for every ``href``, ``src``, ``srcset``, ``poster``, ``action`` and ``data`` in every page:

- A link must stay under the site's path. ``/assets/x.css`` on a site at ``/show/`` works on a
  local server and breaks on GitHub Pages; ``../../x`` that climbs above ``/show/`` likewise.
  (An absolute ``https://`` link to the same host outside the path is taken as a link to another
  site on that host, and not checked.)
- The file a link names must be in the output.
- A ``#fragment`` must be an ``id`` (or ``<a name>``) in the target page; ``#`` and ``#top``
  always work.
- Time links: a ``#t=...`` fragment without an exact id is valid on a page that has time
  anchors (``id="t=83"``) or an audio or video player, if it is a W3C media-fragment time:
  ``t=83``, ``t=83.4``, ``t=1:23``, ``t=npt:83``, ``t=83,95`` (the end after the start). The
  episode page's script seeks to the segment containing that second, so a link survives a
  regenerated transcript. No upper bound is checked: a page cannot tell how long its audio runs
  past the last segment (a music outro), and the script stops at the last segment.
- ``404.html`` is served at every depth, so its links must not be relative.
- ``og:image``, ``og:url`` and similar ``<meta>`` URLs must be absolute.

``feed.xml``, ``sitemap.xml``, ``robots.txt`` (its ``Sitemap:`` lines) and
``episodes/*/chapters.json`` are checked where they exist: every URL in them is absolute; one on
the site's host lies under ``base_url`` and names a file in the output; a sitemap lists only
this site's pages.

Pages are parsed with the standard library's ``html.parser``; a large site is parsed by one
process per core (see ``bench/check.py`` for the speed).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import xml.parsers.expat
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

from generator.errors import OutputError
from generator.timecodes import parse_time

FEED = "feed.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NOT_FOUND_PAGE = "404.html"
PARALLEL_FROM_BYTES = 8_000_000  # below this much HTML, starting worker processes costs more
TIME_EXAMPLES = "write t=83, t=1:23, t=npt:83 or t=83,95"

# Attributes that hold one URL, on whatever element they appear.
URL_ATTRIBUTES = frozenset({"href", "src", "poster", "action", "formaction", "data"})
# <meta property=... content=URL> that social sites and crawlers read: absolute URLs only.
META_URLS = frozenset(
    {
        "og:url",
        "og:image",
        "og:image:url",
        "og:image:secure_url",
        "og:audio",
        "og:audio:url",
        "og:audio:secure_url",
        "og:video",
        "og:video:url",
        "og:video:secure_url",
        "twitter:image",
        "twitter:player",
        "twitter:player:stream",
    }
)
PLAYERS = frozenset({"audio", "video"})
LINK, ABSOLUTE = 0, 1  # kinds of link: an ordinary one, or one that must be an absolute URL


@dataclass(frozen=True, slots=True)
class Broken:
    """One link that does not resolve: ``page:line: link -> why``."""

    page: str  # the file it is in, relative to the output folder
    line: int | None
    link: str  # as written ("" for a problem with the file itself)
    why: str

    def __str__(self) -> str:
        where = f"{self.page}:{self.line}" if self.line else self.page
        return f"{where}: {self.link} -> {self.why}" if self.link else f"{where}: {self.why}"


@dataclass(frozen=True, slots=True)
class CheckResult:
    pages: int  # HTML pages read
    links: int  # links read, internal and external
    external: int  # of which to other sites (not fetched)
    broken: tuple[Broken, ...]  # sorted by file and line


class PageScan(NamedTuple):
    """What one HTML page holds, as far as links go (cheap to send between processes)."""

    page: str
    ids: frozenset[str]
    links: list[tuple[int, str, int]]  # (line, URL, kind) for the links not settled in-page
    broken: list[Broken]  # same-page #fragments that do not resolve
    seekable: bool  # has time anchors or a player, so any valid #t= works
    base: str | None  # <base href>, if any
    read: int  # every link read, settled in-page or not


def check_site(output: Path, base_url: str, *, jobs: int | None = None) -> CheckResult:
    """Check every page, feed and sitemap in ``output``, a site built for ``base_url``.

    ``jobs`` is the number of processes parsing pages (default: one per core for a large site).
    Raises :class:`OutputError` when there is no built site in ``output``.
    """
    if not output.is_dir():
        raise OutputError(str(output), None, "no built site here (run cuepress build first)")
    site = _Site(output, base_url)
    pages = sorted(name for name in site.files if name.endswith((".html", ".htm")))
    for scan in _scan_all(output, pages, jobs):
        site.pages[scan.page] = scan
    broken: list[Broken] = []
    for scan in site.pages.values():
        broken.extend(scan.broken)
        broken.extend(site.check_page_links(scan))
    feeds = [
        name for name in sorted(site.files) if _show_file(name, FEED, FEED)
    ]  # a network's shows'

    for name, kind in (*((f, "a feed") for f in [FEED, *feeds]), (SITEMAP, "a sitemap")):
        if name in site.files:
            broken.extend(site.check_xml(name, kind))
    if ROBOTS in site.files:
        broken.extend(site.check_robots())
    for name in sorted(site.files):
        if (
            name.startswith("episodes/")
            and name.endswith("/chapters.json")
            or _show_file(name, "episodes/", "/chapters.json")
        ):
            broken.extend(site.check_chapters(name))
    return CheckResult(
        pages=len(pages),
        links=sum(scan.read for scan in site.pages.values()) + site.extra_links,
        external=site.external,
        broken=tuple(sorted(broken, key=lambda b: (b.page, b.line or 0))),
    )


def _show_file(name: str, start: str, end: str = "") -> bool:
    """Whether ``name`` is a file of a network's show (generator/network.py): ``SHOW/`` then
    ``start`` ... ``end``."""
    show, _, rest = name.partition("/")
    return bool(show) and rest.startswith(start) and rest.endswith(end) and "/" not in show


def parse_time_fragment(value: str) -> tuple[int, int | None]:
    """A W3C media-fragment time (what follows ``t=``) -> (start, end) in milliseconds.

    ``83``, ``83.4``, ``1:23``, ``1:02:03``, ``npt:83``, ``83,95``, ``,95`` (from the start).
    Raises ``ValueError`` saying what would be right.
    """
    text = value[4:] if value.startswith("npt:") else value
    start_text, comma, end_text = text.partition(",")
    try:
        start = parse_time(start_text) if start_text or not comma else 0
        end = parse_time(end_text) if comma else None
    except ValueError:
        raise ValueError(f"'t={value}' is not a media-fragment time ({TIME_EXAMPLES})") from None
    if end is not None and end <= start:
        raise ValueError(f"'t={value}' does not end after it starts (write e.g. t=83,95)")
    return start, end


def fragment_problem(fragment: str, ids: frozenset[str], seekable: bool, where: str) -> str | None:
    """Why ``#fragment`` does not resolve in a page with ``ids`` (None if it does)."""
    if fragment in ids or fragment == "" or fragment.lower() == "top":
        return None
    decoded = unquote(fragment)
    if decoded in ids:
        return None
    time_value = _time_dimension(decoded)
    if time_value is None:
        return f'no id="{decoded}" {where}'
    try:
        parse_time_fragment(time_value)
    except ValueError as exc:
        return str(exc)
    if seekable:
        return None
    return f'no id="{decoded}" {where}, and no transcript or player there to seek'


def _time_dimension(fragment: str) -> str | None:
    """The value of ``t=`` in a media fragment (``t=83`` or ``xywh=...&t=83``), if there is one."""
    for part in fragment.split("&"):
        if part.startswith("t="):
            return part[2:]
    return None


# -- Reading pages (in worker processes for a large site) --------------------------------------


class _PageParser(HTMLParser):
    """Collects ids and links; everything else in the page is skipped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str, int]] = []
        self.seekable = False
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
                if value.startswith("t="):
                    self.seekable = True
            elif name in URL_ATTRIBUTES:
                if tag == "base" and name == "href":
                    self.base = value.strip()
                else:
                    self.links.append((self.getpos()[0], value.strip(), LINK))
            elif name == "srcset":
                line = self.getpos()[0]
                for candidate in value.split(","):
                    url = candidate.strip().split(" ", 1)[0]
                    if url:
                        self.links.append((line, url, LINK))
        if tag in PLAYERS:
            self.seekable = True
        elif tag == "meta":
            self._meta(dict(attrs))

    def _meta(self, attrs: dict[str, str | None]) -> None:
        content = (attrs.get("content") or "").strip()
        key = (attrs.get("property") or attrs.get("name") or "").strip().lower()
        if key in META_URLS and content:
            self.links.append((self.getpos()[0], content, ABSOLUTE))
        elif (attrs.get("http-equiv") or "").lower() == "refresh" and "url=" in content.lower():
            url = content[content.lower().index("url=") + 4 :].strip().strip("'\"")
            self.links.append((self.getpos()[0], url, LINK))


def scan_page(path: str, page: str) -> PageScan:
    """Read one page; settle its own ``#fragment`` links here, where its ids are at hand."""
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8", errors="replace")
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    ids = frozenset(parser.ids)
    links: list[tuple[int, str, int]] = []
    broken: list[Broken] = []
    for line, url, kind in parser.links:
        if url.startswith("#") and parser.base is None and kind == LINK:
            why = fragment_problem(url[1:], ids, parser.seekable, "on this page")
            if why is not None:
                broken.append(Broken(page, line, url, why))
        else:
            links.append((line, url, kind))
    return PageScan(page, ids, links, broken, parser.seekable, parser.base, read=len(parser.links))


def _scan_all(output: Path, pages: list[str], jobs: int | None) -> Iterable[PageScan]:
    paths = [str(output / page) for page in pages]
    if jobs is None:
        size = sum(os.path.getsize(path) for path in paths)
        jobs = min(os.cpu_count() or 1, 8) if size >= PARALLEL_FROM_BYTES else 1
    if jobs <= 1 or len(pages) < 2:
        return [scan_page(path, page) for path, page in zip(paths, pages, strict=True)]
    # "spawn": safe in a process with threads, and the same on every system.
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            chunk = max(1, len(pages) // (jobs * 8))
            return list(pool.map(scan_page, paths, pages, chunksize=chunk))
    except (OSError, NotImplementedError, BrokenProcessPool):  # no processes to be had here
        return [scan_page(path, page) for path, page in zip(paths, pages, strict=True)]


# -- Resolving links against the output ---------------------------------------------------------


class _Site:
    """The output folder as GitHub Pages serves it, and the checks that need all of it."""

    def __init__(self, output: Path, base_url: str) -> None:
        self.output = output
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        parts = urlsplit(self.base_url)
        self.host = parts.netloc.lower()
        self.path = parts.path or "/"
        self.files = site_files(output)
        self.pages: dict[str, PageScan] = {}
        self.external = 0
        self.extra_links = 0  # links read from feeds, sitemaps and chapters
        self._located: dict[str, tuple[str | None, str]] = {}

    def page_url(self, page: str) -> str:
        """The URL path a page is served at: ``/show/episodes/a/`` for its ``index.html``."""
        if page == NOT_FOUND_PAGE:
            return self.path  # served at any depth; its links are checked from the root
        if page == "index.html" or page.endswith("/index.html"):
            return self.path + page[: -len("index.html")]
        return self.path + page

    def locate(self, path: str) -> tuple[str | None, str]:
        """The output file served at URL ``path`` (under the site's path), and what was sought."""
        found = self._located.get(path)
        if found is None:
            rel = unquote(path[len(self.path) :])
            if rel == "" or rel.endswith("/"):
                target = rel + "index.html"
                found = (target if target in self.files else None, target)
            elif rel in self.files:
                found = (rel, rel)
            elif rel + "/index.html" in self.files:  # GitHub Pages redirects to the slash URL
                found = (rel + "/index.html", rel)
            elif rel + ".html" in self.files:
                found = (rel + ".html", rel)
            else:
                found = (None, rel)
            self._located[path] = found
        return found

    def check_page_links(self, scan: PageScan) -> list[Broken]:
        broken = []
        base = scan.base or self.page_url(scan.page)
        for line, url, kind in scan.links:
            why = self._page_link(scan, base, url, kind)
            if why is not None:
                broken.append(Broken(scan.page, line, url, why))
        return broken

    def _page_link(self, scan: PageScan, base: str, url: str, kind: int) -> str | None:
        if kind == ABSOLUTE and not _is_absolute(url):
            return (
                "is relative; crawlers and social sites need an absolute URL "
                f"(write {urljoin(self.base_url, url)})"
            )
        if url == "":
            return None
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            return f"is not a valid URL ({exc})"
        if parts.scheme and parts.scheme.lower() not in ("http", "https"):
            self.external += 1  # mailto:, tel:, data:, javascript: ...
            return None
        if not parts.scheme and not url.startswith("//"):
            if scan.page == NOT_FOUND_PAGE and not url.startswith(("/", "#")):
                return (
                    "is relative, but 404.html is served at every depth "
                    f"(write {urljoin(self.path, url)})"
                )
            parts = urlsplit(urljoin(base, url))
            if not parts.scheme and not parts.netloc:
                if not parts.path.startswith(self.path):
                    if url.startswith("/"):
                        return (
                            f"is outside the site's path {self.path} (write {self.path}{url[1:]})"
                        )
                    return f"leaves the site's path {self.path} (it points to {parts.path})"
                return self._resolve(parts, scan)
        # An absolute URL (as written, or through an absolute <base href>).
        if parts.netloc.lower() != self.host or not (parts.path or "/").startswith(self.path):
            self.external += 1  # another site, perhaps on the same host
            return None
        return self._resolve(parts, scan)

    def _resolve(
        self, parts: SplitResult, scan: PageScan | None, *, pages_only: bool = False
    ) -> str | None:
        """Why a URL under the site's path names no file (or no such #fragment) in the output."""
        target, sought = self.locate(parts.path or "/")
        if target is None:
            return f"is not in the output (no file {sought})"
        if pages_only and not target.endswith((".html", ".htm")):
            return f"is not a page (it is {target})"
        if parts.fragment and target in self.pages:
            page = self.pages[target]
            where = "on this page" if scan is not None and target == scan.page else f"in {target}"
            return fragment_problem(parts.fragment, page.ids, page.seekable, where)
        return None

    def check_absolute(self, url: str, kind: str, *, own_pages_only: bool = False) -> str | None:
        """A URL in a feed, sitemap or chapters file: absolute, and real where it is ours."""
        self.extra_links += 1
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            return f"is not a valid URL ({exc})"
        if not _is_absolute(url):
            return f"is relative; {kind} needs absolute URLs (write {urljoin(self.base_url, url)})"
        if parts.netloc.lower() != self.host:
            if own_pages_only:
                return f"is not on this site ({kind} lists only pages under {self.base_url})"
            self.external += 1
            return None
        if not (parts.path or "/").startswith(self.path):
            return f"is outside the site's path {self.path} (the site is at {self.base_url})"
        return self._resolve(parts, None, pages_only=own_pages_only)

    def check_xml(self, name: str, kind: str) -> list[Broken]:
        """Every URL in an RSS feed or a sitemap."""
        try:
            urls = _xml_urls(self.output / name)
        except xml.parsers.expat.ExpatError as exc:
            message = xml.parsers.expat.ErrorString(exc.code)
            return [Broken(name, exc.lineno, "", f"is not well-formed XML: {message}")]
        broken = []
        for line, url in urls:
            why = self.check_absolute(url, kind, own_pages_only=name == SITEMAP)
            if why is not None:
                broken.append(Broken(name, line, url, why))
        return broken

    def check_robots(self) -> list[Broken]:
        """The ``Sitemap:`` lines of ``robots.txt``."""
        broken = []
        text = (self.output / ROBOTS).read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            key, colon, value = line.partition(":")
            if colon and key.strip().lower() == "sitemap" and value.strip():
                why = self.check_absolute(value.strip(), "robots.txt")
                if why is not None:
                    broken.append(Broken(ROBOTS, number, value.strip(), why))
        return broken

    def check_chapters(self, name: str) -> list[Broken]:
        """The ``url`` and ``img`` of every chapter in a JSON chapters file."""
        text = (self.output / name).read_text(encoding="utf-8", errors="replace")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return [Broken(name, exc.lineno, "", f"is not valid JSON: {exc.msg}")]
        chapters = data.get("chapters") if isinstance(data, dict) else None
        if not isinstance(chapters, list):
            return [Broken(name, 1, "", 'has no "chapters" list (the JSON chapters format)')]
        broken = []
        cursor = 0
        for chapter in chapters:
            for key in ("url", "img"):
                url = chapter.get(key) if isinstance(chapter, dict) else None
                if not isinstance(url, str):
                    continue
                line, cursor = _line_of(text, url, cursor)
                why = self.check_absolute(url, "a chapters file")
                if why is not None:
                    broken.append(Broken(name, line, url, why))
        return broken


def site_files(output: Path) -> set[str]:
    """Every file in the output, as a relative POSIX path."""
    found: set[str] = set()
    for folder, _, names in os.walk(output):
        rel = os.path.relpath(folder, output).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        found.update(prefix + name for name in names)
    return found


def _is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


# Elements whose text is a URL: RSS <link>, <image><url>, sitemap <loc>; attributes likewise.
_XML_TEXT_URLS = frozenset({"link", "url", "loc"})
_XML_ATTRIBUTE_URLS = ("url", "href", "img", "uri")


def _xml_urls(path: Path) -> list[tuple[int, str]]:
    """(line, URL) for each URL in an RSS feed or a sitemap, in document order."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    urls: list[tuple[int, str]] = []
    text: list[str] = []
    started: list[tuple[str, int, bool]] = []  # (local name, line, text is a URL)

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        line = parser.CurrentLineNumber
        for key in _XML_ATTRIBUTE_URLS:
            if attrs.get(key, "").strip():
                urls.append((line, attrs[key].strip()))
        permalink = local == "guid" and attrs.get("isPermaLink", "true") != "false"
        started.append((local, line, local in _XML_TEXT_URLS or permalink))
        text.clear()

    def end(name: str) -> None:
        local, line, is_url = started.pop()
        value = "".join(text).strip()
        text.clear()
        if is_url and value and (local != "guid" or value.startswith(("http:", "https:"))):
            urls.append((line, value))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    with open(path, "rb") as handle:
        parser.ParseFile(handle)
    return urls


def _line_of(text: str, value: str, cursor: int) -> tuple[int | None, int]:
    """The line of the JSON string ``value`` at or after ``cursor`` in ``text``."""
    for needle in (json.dumps(value, ensure_ascii=False), json.dumps(value)):
        index = text.find(needle, cursor)
        if index >= 0:
            return text.count("\n", 0, index) + 1, index + len(needle)
    return None, cursor
