"""``cuepress import``: a show's existing feed becomes a site that republishes it unchanged.

The pipeline, top to bottom, in :func:`import_feed`:

1. read the feed (a URL or a file) with :mod:`generator.feedread`;
2. fill ``site.yaml`` with what the channel says, only where the site has no value yet;
3. match each item to a record by its guid, through the import's own notes
   (``.cuepress-import.json``: what it wrote, with a digest of each file);
4. fetch, in parallel, the chapters and the best transcript of each item that needs them;
5. write new records and their sidecars, and rewrite a record only if it is exactly as the
   last import wrote it. A record or transcript anyone has edited is never touched.

Every problem with one item (a dead transcript URL, a date that cannot be read) is a warning
naming the feed's line; only a feed that cannot be read at all stops the import, before anything
is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from generator import feedread, markup, records, scaffold, slugs, transcripts, yamlfile
from generator.config import LANGUAGE, RESERVED_SHOWS, SHOW_FILE
from generator.errors import CuepressError, Problems, TranscriptError
from generator.feed import guid_of_feed
from generator.feedread import Feed, FeedChapter, FeedItem, FeedTranscript
from generator.fetch import Fetcher, FetchError
from generator.network import EPISODES_DIR, SHOWS_DIR
from generator.records import SLUG
from generator.timecodes import clock, parse_time

STATE_FILE = ".cuepress-import.json"
FEED_LIMIT = 50_000_000  # a feed of 3,000 episodes with long notes is about 15 MB
CHAPTERS_LIMIT = 5_000_000
# The forms a podcast:transcript may take, best first: WebVTT keeps voices and is what Apple
# reads; SRT and JSON keep times; HTML and plain text often lose them.
FORMS = (
    (".vtt", ("text/vtt",)),
    (".srt", ("application/x-subrip", "application/srt", "text/srt", "application/x-srt")),
    (".json", ("application/json",)),
    (".html", ("text/html",)),
    (".txt", ("text/plain",)),
)
MAX_SLUG = 60


_UMASK = os.umask(0o022)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK  # what open() would give a new file (mkstemp gives 0o600)


class ImportError_(CuepressError):  # noqa: N801 - ImportError is a builtin
    """The import cannot start: the source or the site is not usable. Nothing was written."""


@dataclass
class ImportResult:
    site_dir: Path
    source: str
    created_site: bool = False
    site_keys: list[str] = field(default_factory=list)  # keys added to site.yaml (or show.yaml)
    settings: str = "site.yaml"  # the file the channel's settings went to, relative to the site
    site_files: list[str] = field(default_factory=list)  # publishing files added
    added: list[str] = field(default_factory=list)  # records written
    updated: list[str] = field(default_factory=list)  # untouched records brought up to date
    kept: list[str] = field(default_factory=list)  # edited records left as they are
    transcripts: int = 0  # transcript files written
    problems: Problems = field(default_factory=Problems)


@dataclass
class _Plan:
    """What to do with one item."""

    item: FeedItem
    key: str  # the item's identity: its guid as written, else its audio URL
    slug: str
    record: Path
    previous: dict[str, Any] | None = None  # the state entry of the last import
    write_record: bool = True
    fetch_transcript: bool = True
    fetch_chapters: bool = True
    chapters: tuple[FeedChapter, ...] = ()
    transcript: tuple[FeedTranscript, str, bytes] | None = None  # form, suffix, data
    transcript_failed: bool = False
    chapters_failed: bool = False


def import_feed(
    source: str,
    site_dir: Path,
    *,
    timeout: float = 30.0,
    workers: int = 8,
    retries: int = 2,
    show: str | None = None,
) -> ImportResult:
    """Import the feed at ``source`` (an http(s) URL or a file) into the site at ``site_dir``;
    with ``show``, as the show ``content/shows/SHOW/`` of a network (its settings in its
    ``show.yaml``, its notes in its own ``.cuepress-import.json``)."""
    result = ImportResult(site_dir, source)
    problems = result.problems
    home = _show_folder(site_dir, show) if show is not None else site_dir
    with Fetcher(timeout=timeout, workers=workers, retries=retries) as fetcher:
        data, url = _read_source(source, fetcher)
        feed = feedread.parse(data, source, url, problems)
        episodes_dir = _prepare_site(site_dir, result, home)
        state = _load_state(home, site_dir)
        if show is not None:
            _fill_network_yaml(site_dir, result)
            result.settings = _relative(home / SHOW_FILE, site_dir)
        _fill_site_yaml(site_dir, feed, url, result)
        plans = _plan(feed, site_dir, episodes_dir, state, result)
        fetcher.map(lambda plan: _fetch(plan, fetcher, source, problems), plans, "Fetching")
    if result.created_site:  # what a site needs to be published, as `cuepress new` makes it
        title = feed.channel.title if show is None else _folder_title(site_dir)
        result.site_files = scaffold.add_publishing_files(site_dir, title)
    state["feed"] = url or state.get("feed") or source
    items = state.setdefault("items", {})
    for plan in plans:
        _write(plan, site_dir, items, result)
    _save_state(home, state)
    return result


def _show_folder(site_dir: Path, show: str) -> Path:
    """The folder of the network's show ``show``: refuses a name that cannot be a show's
    address, and a one-show site (its episodes would sit beside the network's shows)."""
    if not SLUG.fullmatch(show) or show.lower() in RESERVED_SHOWS:
        raise ImportError_(
            "--show",
            None,
            f"{show!r} cannot be a show's address: use letters, digits, - and _, and none of "
            f"{', '.join(sorted(RESERVED_SHOWS))}",
        )
    if records.find_records(site_dir / EPISODES_DIR):
        raise ImportError_(
            EPISODES_DIR,
            None,
            "this is a one-show site; make it a network before adding a show (README: A "
            "network of shows), or import without --show",
        )
    return site_dir / SHOWS_DIR / show


def _folder_title(site_dir: Path) -> str:
    return site_dir.resolve().name.replace("-", " ").replace("_", " ").title() or "Network"


def _fill_network_yaml(site_dir: Path, result: ImportResult) -> None:
    """A new network's ``site.yaml``: its title (from the folder's name) and a base_url to
    change; an existing one is left as it is."""
    path = site_dir / "site.yaml"
    if path.exists():
        return
    name = re.sub(r"[^a-z0-9-]+", "-", site_dir.resolve().name.lower()).strip("-") or "network"
    header = (
        "# The network's settings (README: A network of shows); each show's are in\n"
        "# content/shows/NAME/show.yaml. base_url is where this site will live: change it\n"
        "# before you publish.\n"
    )
    values = {"title": _folder_title(site_dir), "base_url": f"https://example.github.io/{name}/"}
    _create(path, (header + yamlfile.dump(values)).encode())


def _read_source(source: str, fetcher: Fetcher) -> tuple[bytes, str | None]:
    scheme = urlsplit(source).scheme.lower()
    if scheme in ("http", "https"):
        try:
            fetched = fetcher.get(source, FEED_LIMIT)
        except FetchError as exc:
            raise ImportError_(source, None, f"the feed could not be fetched: {exc}") from None
        return fetched.data, fetched.url
    if len(scheme) > 1:  # file:, data:, javascript:, ftp: (C:\ is a Windows path)
        raise ImportError_(
            source,
            None,
            f"{scheme}: addresses are not imported; give an http(s) URL of the feed, or the "
            "path of a feed file",
        )
    path = Path(source)
    try:
        if path.stat().st_size > FEED_LIMIT:
            raise ImportError_(source, None, f"the file is larger than {FEED_LIMIT // 10**6} MB")
        return path.read_bytes(), None
    except FileNotFoundError:
        raise ImportError_(
            source, None, "no such file (give the feed's http(s) URL or the path of a feed file)"
        ) from None
    except IsADirectoryError:
        raise ImportError_(source, None, "is a folder; give the feed file itself") from None
    except OSError as exc:
        raise ImportError_(source, None, f"cannot be read: {exc.strerror}") from None


def _prepare_site(site_dir: Path, result: ImportResult, home: Path) -> Path:
    """The episodes folder of the site (or of its show at ``home``), created if need be;
    refuses one that leads out of the site."""
    if site_dir.exists() and not site_dir.is_dir():
        raise ImportError_(site_dir, None, "is a file; --site must name a folder")
    result.created_site = not (site_dir / "site.yaml").exists()
    if home == site_dir:
        folders = [site_dir / "content", site_dir / EPISODES_DIR]
    else:
        folders = [site_dir / "content", site_dir / SHOWS_DIR, home, home / "episodes"]
    episodes = folders[-1]
    for folder in folders:
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise ImportError_(
                folder, None, "must be a folder inside the site (not a link or a file)"
            )
    episodes.mkdir(parents=True, exist_ok=True)
    return episodes


# -- site.yaml ---------------------------------------------------------------------------------


def show_guid(feed: Feed, url: str | None) -> str | None:
    """The show's ``podcast:guid``: as the feed states it, else as apps derive it from the
    feed's address (so the show keeps its identity when the feed moves)."""
    if feed.channel.podcast_guid:
        try:
            return str(uuid.UUID(feed.channel.podcast_guid))
        except ValueError:
            pass
    address = feed.channel.self_url or url
    return guid_of_feed(address) if address else None


def _site_values(feed: Feed, url: str | None, problems: Problems, shown: str) -> dict[str, Any]:
    channel = feed.channel
    values: dict[str, Any] = {"title": channel.title}
    if channel.description:
        values["description"] = channel.description
    if channel.language:
        language = channel.language.replace("_", "-")
        if LANGUAGE.fullmatch(language):
            values["language"] = language
        else:
            problems.warn(shown, None, f"the language {channel.language!r} is not a tag (left out)")
    if channel.author:
        values["author"] = channel.author
    if channel.owner_name and channel.owner_email:
        values["owner"] = {"name": channel.owner_name, "email": channel.owner_email}
    if channel.image:
        values["image"] = channel.image
    if channel.categories:
        values["categories"] = list(channel.categories)
    if channel.explicit is not None:
        values["explicit"] = channel.explicit
    if channel.copyright:
        values["copyright"] = channel.copyright
    guid = show_guid(feed, url)
    if guid:
        values["podcast_guid"] = guid
    if channel.locked is not None and (channel.locked is False or "owner" in values):
        values["locked"] = channel.locked
    return values


def _fill_site_yaml(site_dir: Path, feed: Feed, url: str | None, result: ImportResult) -> None:
    """Write ``site.yaml`` (a network's show: its ``show.yaml``) from the channel, or add the
    keys it lacks (never changing one)."""
    shown = result.settings
    path = site_dir / shown
    values = _site_values(feed, url, result.problems, result.source)
    old_feed = feed.channel.self_url or url or result.source
    if shown != "site.yaml" and not path.exists():  # a new show of a network
        header = (
            f"# The show's settings (README: A network of shows), imported from its feed:\n"
            f"#   {old_feed}\n"
            "# To move subscribers here, have the old host redirect that feed to\n"
            f"# BASE_URL/{PurePosixPath(shown).parent.name}/feed.xml.\n"
        )
        _create(path, (header + yamlfile.dump(values)).encode())
        result.site_keys = list(values)
        return
    if not path.exists():
        name = re.sub(r"[^a-z0-9-]+", "-", site_dir.resolve().name.lower()).strip("-") or "show"
        header = (
            f"# The show's settings (README: site.yaml), imported from its feed:\n"
            f"#   {old_feed}\n"
            "# base_url is where this site will live: change it before you publish. To move\n"
            "# subscribers here, have the old host redirect that feed to BASE_URL/feed.xml.\n"
        )
        base_url = f"https://example.github.io/{name}/"
        body = yamlfile.dump({"title": values.pop("title"), "base_url": base_url} | values)
        _create(path, (header + body).encode())
        result.site_keys = ["title", "base_url", *values]
        return
    text = _read_user_text(path)
    name = path.name
    try:
        current = yamlfile.load(text, shown)
    except CuepressError as exc:
        raise ImportError_(
            shown, exc.problem.line, f"fix {name} first: {exc.problem.message}"
        ) from None
    if not isinstance(current, dict):
        raise ImportError_(shown, 1, f"fix {name} first: it must be a mapping of keys")
    missing = {k: v for k, v in values.items() if k not in current}
    if not missing:
        return
    addition = (
        f"\n# Added by cuepress import from {old_feed} ({dt.date.today().isoformat()}):\n"
        + yamlfile.dump(missing)
    )
    _replace(path, (text.rstrip("\n") + "\n" + addition).encode(), expected=text.encode())
    result.site_keys = list(missing)


# -- matching items to records -------------------------------------------------------------------


def slugify(title: str) -> str:
    """A stable, safe URL segment from a title: ASCII letters, digits and hyphens."""
    return slugs.ascii_slug(title, MAX_SLUG)


def _existing_records(episodes_dir: Path, site_dir: Path) -> tuple[dict[str, Path], set[str]]:
    """The guids of the records already in the site, and every name taken in the folder."""
    guids: dict[str, Path] = {}
    taken = {p.name.split(".")[0].lower() for p in episodes_dir.iterdir()}
    for path in records.find_records(episodes_dir):
        try:
            text = _read_user_text(path)
            if path.suffix == ".md":
                front, _, _ = records.split_front_matter(text, path.name)
                data = yamlfile.load(front, path.name)
            else:
                data = yamlfile.load(text, path.name)
        except (CuepressError, OSError):
            continue  # the build will say what is wrong with it
        if isinstance(data, dict):
            if isinstance(data.get("guid"), str):
                guids.setdefault(data["guid"].strip(), path)
            if isinstance(data.get("slug"), str):
                taken.add(data["slug"].lower())
    return guids, taken


def _plan(
    feed: Feed,
    site_dir: Path,
    episodes_dir: Path,
    state: dict[str, Any],
    result: ImportResult,
) -> list[_Plan]:
    problems, shown = result.problems, result.source
    known: dict[str, Any] = state.get("items", {})
    guids, taken = _existing_records(episodes_dir, site_dir)
    seen: dict[str, FeedItem] = {}
    plans = []
    for item in feed.items:
        key = item.guid or (item.audio.url if item.audio else None)
        if key is None:
            problems.warn(
                shown,
                item.line,
                f"{_name(item)} has neither a guid nor audio, so it cannot be told apart from "
                "other items or published as an episode; it was left out",
            )
            continue
        if key in seen:
            problems.warn(
                shown,
                item.line,
                f"{_name(item)} has the same guid as {_name(seen[key])} (line "
                f"{seen[key].line}); apps show only one of them, so this one was left out",
            )
            continue
        seen[key] = item
        previous = known.get(key)
        if previous is not None:
            plan = _plan_known(item, key, previous, site_dir, result)
            if plan is not None:
                plans.append(plan)
            continue
        if key in guids:  # a record of the user's own names this guid: it is theirs
            result.kept.append(_relative(guids[key], site_dir))
            continue
        slug = _free_slug(item, key, taken)
        taken.add(slug)
        plans.append(_Plan(item, key, slug, episodes_dir / f"{slug}.md"))
    return plans


def _plan_known(
    item: FeedItem, key: str, previous: dict[str, Any], site_dir: Path, result: ImportResult
) -> _Plan | None:
    """An item an earlier import wrote: update what is untouched, retry what failed."""
    record = site_dir / previous["record"]
    if not record.is_file():
        return None  # the user removed the episode: it stays removed
    untouched = _digest_of(record) == previous.get("sha256")
    if not untouched:
        result.kept.append(previous["record"])
        return None
    sidecar = previous.get("transcript") or {}
    sidecar_path = site_dir / sidecar["file"] if sidecar.get("file") else None
    sidecar_untouched = sidecar_path is None or (
        sidecar_path.is_file() and _digest_of(sidecar_path) == sidecar.get("sha256")
    )
    best = _candidates(item)
    fetch = sidecar_untouched and (
        sidecar_path is None or (bool(best) and best[0][0].url != sidecar.get("url"))
    )
    if sidecar_path is not None and not sidecar_path.exists():
        fetch = False  # the user removed the transcript
    slug = record.name.split(".")[0]
    plan = _Plan(item, key, slug, record, previous=previous, fetch_transcript=fetch and bool(best))
    if item.chapters_url and item.chapters_url == previous.get("chapters_url"):
        if not previous.get("chapters_failed"):  # fetched last time: keep what the record has
            plan.fetch_chapters = False
            plan.chapters = _record_chapters(record)
    return plan


def _record_chapters(record: Path) -> tuple[FeedChapter, ...]:
    """The chapters an untouched record holds, as the import wrote them."""
    front, _, _ = records.split_front_matter(_read_user_text(record), record.name)
    listed = yamlfile.load(front, record.name).get("chapters") or []
    return tuple(
        FeedChapter(parse_time(c["start"]), c["title"], c.get("url"), c.get("img")) for c in listed
    )


def _free_slug(item: FeedItem, key: str, taken: set[str]) -> str:
    base = slugify(item.title)
    if not base:
        base = f"episode-{item.number}" if item.number is not None else "episode"
        base += "-" + hashlib.sha256(key.encode()).hexdigest()[:6]
    slug, n = base, 2
    while slug.lower() in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


# -- fetching ----------------------------------------------------------------------------------


def _candidates(item: FeedItem) -> list[tuple[FeedTranscript, str]]:
    """The item's transcripts that Cuepress reads, best form first, with their file suffix."""
    ranked = []
    for transcript in item.transcripts:
        suffix = _suffix(transcript)
        if suffix in transcripts.READERS:
            rank = [s for s, _ in FORMS].index(suffix) if suffix in dict(FORMS) else len(FORMS)
            ranked.append((rank, transcript, suffix))
    ranked.sort(key=lambda r: r[0])
    return [(t, s) for _, t, s in ranked]


def _suffix(transcript: FeedTranscript) -> str:
    for suffix, types in FORMS:
        if transcript.type in types:
            return suffix
    return PurePosixPath(urlsplit(transcript.url).path).suffix.lower()


def _fetch(plan: _Plan, fetcher: Fetcher, shown: str, problems: Problems) -> None:
    """Fetch the chapters and the best readable transcript of one item (on a pool thread)."""
    item = plan.item
    if plan.write_record and plan.fetch_chapters:
        plan.chapters = item.chapters
        if item.chapters_url:
            try:
                fetched = fetcher.get(item.chapters_url, CHAPTERS_LIMIT)
                plan.chapters = _chapters(fetched.data) or item.chapters
            except (FetchError, ValueError) as exc:
                plan.chapters_failed = True
                problems.warn(
                    shown,
                    item.line,
                    f"{_name(item)}: the chapters at {item.chapters_url} could not be used "
                    f"({exc}); import again to retry",
                )
    if not plan.fetch_transcript:
        return
    candidates = _candidates(item)
    unread = [t for t in item.transcripts if t not in [c for c, _ in candidates]]
    reasons = []
    for transcript, suffix in candidates:
        try:
            fetched = fetcher.get(transcript.url, transcripts.MAX_FILE_BYTES)
            transcripts.read_data(
                fetched.data, transcripts.READERS[suffix], transcript.url, Problems()
            )
        except FetchError as exc:
            reasons.append(f"{transcript.url}: {exc}")
            continue
        except TranscriptError as exc:
            reasons.append(f"{transcript.url}: not a readable {suffix} transcript ({exc.problem})")
            continue
        plan.transcript = (transcript, suffix, fetched.data)
        return
    if reasons:
        plan.transcript_failed = True
        problems.warn(
            shown,
            item.line,
            f"{_name(item)}: no transcript could be imported ({'; '.join(reasons)}); the "
            "episode was imported without one (import again to retry)",
        )
    elif unread:
        forms = ", ".join(sorted({t.type or _suffix(t) or "?" for t in unread}))
        problems.warn(
            shown,
            item.line,
            f"{_name(item)}: its transcript is offered only as {forms}, which Cuepress does "
            f"not read yet ({unread[0].url})",
        )


def _chapters(data: bytes) -> tuple[FeedChapter, ...]:
    """Podcasting 2.0 JSON chapters; chapters with ``toc: false`` are not navigation."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        raise ValueError("not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("chapters"), list):
        raise ValueError('not JSON chapters (expected {"chapters": [...]})')
    found = []
    for chapter in document["chapters"]:
        if not isinstance(chapter, dict) or chapter.get("toc") is False:
            continue
        start, title = chapter.get("startTime"), chapter.get("title")
        if not isinstance(start, int | float) or isinstance(start, bool) or start < 0:
            continue
        if not isinstance(title, str) or not title.strip():
            continue
        url, img = (
            value if isinstance(value, str) and _web(value) else None
            for value in (chapter.get("url"), chapter.get("img"))
        )
        found.append(FeedChapter(round(start * 1000), " ".join(title.split()), url, img))
    return tuple(sorted(found, key=lambda c: c.start_ms))


def _web(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# -- writing -----------------------------------------------------------------------------------


def record_text(
    item: FeedItem, chapters: Iterable[FeedChapter], shown: str, problems: Problems
) -> str:
    """The ``.md`` record of ``item``: YAML front matter, then the show notes as Markdown."""
    title = item.title
    if not title:
        title = "Untitled episode"
        problems.warn(shown, item.line, f"an item has no title; it was called {title!r}")
    date = item.date
    if date is None:
        date = dt.date.today()
        problems.warn(
            shown,
            item.line,
            f"{_name(item)} has no readable date ({item.date_text or 'no pubDate'!r}); it was "
            f"given today's, {date.isoformat()} (correct date: in its record)",
        )
    data: dict[str, Any] = {"title": title, "date": date.isoformat()}
    for key, value in (("number", item.number), ("season", item.season or None)):
        if value is not None:
            data[key] = value
    if item.duration_ms is not None:
        data["duration"] = clock(item.duration_ms)
    if item.audio is not None:
        audio = {"url": item.audio.url, "length": item.audio.length, "type": item.audio.type}
        data["audio"] = {k: v for k, v in audio.items() if v is not None}
    data["guid"] = item.guid or (item.audio.url if item.audio else None)
    if item.image:
        data["image"] = item.image
    if item.explicit is not None:
        data["explicit"] = item.explicit
    if item.hosts:
        data["hosts"] = list(item.hosts)
    if item.guests:
        data["guests"] = list(item.guests)
    listed = [
        {"start": clock(c.start_ms, exact=True), "title": c.title}
        | ({"url": c.url} if c.url else {})
        | ({"img": c.img} if c.img else {})
        for c in chapters
    ]
    if listed:
        data["chapters"] = listed
    notes = _notes(item, shown, problems)
    return (
        f"---\n{yamlfile.dump(data)}---\n\n{notes}\n"
        if notes
        else f"---\n{yamlfile.dump(data)}---\n"
    )


def _notes(item: FeedItem, shown: str, problems: Problems) -> str:
    notes = item.notes
    if len(notes) > records.MAX_SUMMARY_CHARS:
        notes = notes[: records.MAX_SUMMARY_CHARS - 200].rsplit("\n\n", 1)[0]
        problems.warn(
            shown, item.line, f"{_name(item)}: the show notes were shortened to fit a record"
        )
    try:
        markup.markdown_to_html(notes)
    except markup.MarkdownError as exc:
        problems.warn(shown, item.line, f"{_name(item)}: the show notes were left out: {exc}")
        return ""
    return notes


def _write(plan: _Plan, site_dir: Path, items: dict[str, Any], result: ImportResult) -> None:
    problems, shown = result.problems, result.source
    entry: dict[str, Any] = dict(plan.previous or {})
    relative = _relative(plan.record, site_dir)
    entry["record"] = relative
    if plan.previous is None or plan.write_record:
        text = record_text(plan.item, plan.chapters, shown, problems).encode()
        try:
            if plan.previous is None:
                _create(plan.record, text)
                result.added.append(relative)
            elif text != plan.record.read_bytes():
                _replace(plan.record, text, expected_digest=plan.previous.get("sha256"))
                result.updated.append(relative)
        except _Changed:
            result.kept.append(relative)
            return
        entry["sha256"] = _digest(text)
        entry["chapters_failed"] = plan.chapters_failed
        entry["chapters_url"] = plan.item.chapters_url
    if plan.transcript is not None:
        transcript, suffix, data = plan.transcript
        sidecar = plan.record.with_suffix(suffix)
        old = entry.get("transcript") or {}
        try:
            if old.get("file") and old["file"] != _relative(sidecar, site_dir):
                old_path = site_dir / old["file"]
                if old_path.is_file() and _digest_of(old_path) == old.get("sha256"):
                    old_path.unlink()  # the import's own file, replaced by a better form
            if sidecar.exists():
                _replace(sidecar, data, expected_digest=old.get("sha256"))
            else:
                _create(sidecar, data)
        except _Changed:
            problems.warn(shown, plan.item.line, f"{_relative(sidecar, site_dir)} was edited; kept")
        else:
            entry["transcript"] = {
                "url": transcript.url,
                "file": _relative(sidecar, site_dir),
                "sha256": _digest(data),
            }
            result.transcripts += 1
    if plan.fetch_transcript:
        entry["transcript_failed"] = plan.transcript_failed
    items[plan.key] = entry


class _Changed(Exception):
    """The file is not as the import left it: someone edited it."""


def _create(path: Path, data: bytes) -> None:
    """Write a new file whole (through a temporary file and a link), never over another."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".import-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(temporary, _FILE_MODE)
        os.link(temporary, path)  # fails if the name exists: nothing is overwritten
    except FileExistsError:
        raise _Changed() from None
    finally:
        os.unlink(temporary)


def _replace(
    path: Path, data: bytes, *, expected: bytes | None = None, expected_digest: str | None = None
) -> None:
    """Replace ``path`` with ``data`` in one rename, if it still holds what we expect."""
    current = path.read_bytes()
    if expected is not None and current != expected:
        raise _Changed()
    if expected_digest is not None and _digest(current) != expected_digest:
        raise _Changed()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".import-")
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    os.chmod(temporary, path.stat().st_mode & 0o777)  # as the user had it
    os.replace(temporary, path)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest_of(path: Path) -> str | None:
    try:
        return _digest(path.read_bytes())
    except OSError:
        return None


def _read_user_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8-sig", errors="replace")


def _relative(path: Path, site_dir: Path) -> str:
    return path.relative_to(site_dir).as_posix()


def _name(item: FeedItem) -> str:
    return repr(item.title[:60]) if item.title else f"the item at line {item.line}"


# -- the import's notes ------------------------------------------------------------------------


def _load_state(home: Path, site_dir: Path) -> dict[str, Any]:
    """The import's notes, kept at ``home``: the site's folder, or a network's show's."""
    path = home / STATE_FILE
    shown = _relative(path, site_dir)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"version": 1, "items": {}}
    except (OSError, ValueError) as exc:
        raise ImportError_(
            shown,
            None,
            f"cannot be read ({exc}); restore it from git, or delete it (then every record "
            "already in the site counts as edited, and is kept as it is)",
        ) from None
    if not isinstance(state, dict) or not isinstance(state.get("items"), dict):
        raise ImportError_(shown, None, "is not the import's notes (restore it from git)")
    return state


def _save_state(site_dir: Path, state: dict[str, Any]) -> None:
    path = site_dir / STATE_FILE
    data = (json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
    fd, temporary = tempfile.mkstemp(dir=site_dir, prefix=".import-")
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    os.chmod(temporary, _FILE_MODE)
    os.replace(temporary, path)
