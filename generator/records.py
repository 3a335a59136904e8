"""Episode records (``content/episodes/*.md`` and ``*.yaml``) -> :class:`~generator.models.Episode`.

A ``.md`` record is YAML front matter between ``---`` lines, then the Markdown summary; a
``.yaml`` record has the same keys with the summary under ``summary:``. The transcript is inline
(``transcript:`` as a list), a file named by ``transcript:`` relative to the record, or a sidecar
file with the record's base name (``NAME.vtt``, ``.srt``, ``.json``, ``.txt``, ``.html``, ``.ttml``,
``.transcript.md`` ...: every suffix in :data:`generator.transcripts.READERS`). A Markdown
transcript is never taken for a record: records skip names ending in ``.transcript.md``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping as MappingABC
from pathlib import Path, PurePosixPath
from typing import Any

from generator import markup, podcasting, slugs, transcripts, yamlfile
from generator.errors import ContentError, CuepressError, Problems
from generator.fields import Fields, describe
from generator.models import Audio, Chapter, Episode, Soundbite, Transcript
from generator.paths import link_problem
from generator.timecodes import parse_time
from generator.transcripts import readable
from generator.yamlfile import Mapping, Sequence

RECORD_SUFFIXES = (".md", ".yaml", ".yml")
MAX_RECORD_BYTES = 2_000_000  # a long inline transcript is 200 kB; longer belongs in a sidecar
MAX_SUMMARY_CHARS = 100_000  # Apple shows 4,000
KNOWN = (
    "title, date, number, season, duration, audio, hosts, guests, tags, chapters, soundbites, "
    "transcript, speakers, slug, draft, image, guid, explicit, type, location, txt, social, "
    "segments, summary (in .yaml records)"
)
SLUG = re.compile(r"[A-Za-z0-9_-]+")
AUDIO_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".mp4": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
}


# Files beside a record with its base name that are surely no transcript: no warning for them.
NOT_TRANSCRIPTS = frozenset(AUDIO_TYPES) | {
    ".m4v", ".mov", ".webm", ".mkv", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg",
    ".bak", ".orig", ".tmp", ".swp",
}  # fmt: skip


def warn_unreadable_sidecars(
    site_dir: Path, records: MappingABC[str, str | None], problems: Problems
) -> None:
    """Warn about each file beside a record, with its base name, that no reader reads
    (``ep.docx``, ``ep.pdf``, ``ep.sbv``): such a transcript is otherwise silently left out.

    ``records`` maps each record (relative to the site) to its transcript's source, or None.
    One listing per folder, every build (never cached: a file added later is seen).
    """
    by_folder: dict[str, dict[str, str]] = {}  # folder -> record stem -> record
    for record in records:
        folder, _, name = record.rpartition("/")
        by_folder.setdefault(folder, {})[name.rpartition(".")[0]] = record
    for folder, stems in by_folder.items():
        try:
            names = sorted(os.listdir(site_dir / folder))
        except OSError:
            continue
        for name in names:
            stem, _, ext = name.rpartition(".")
            suffix = "." + ext.lower()
            owner = stems.get(stem)
            if (
                owner is None
                or name.startswith((".", "_"))
                or suffix in RECORD_SUFFIXES
                or "." + ext in transcripts.READERS
                or suffix in NOT_TRANSCRIPTS
                or suffix.endswith("~")
                or not os.path.isfile(site_dir / folder / name)
            ):
                continue
            if suffix in transcripts.READERS:  # ep.VTT: sidecars are looked up as ep.vtt,
                if os.path.isfile(site_dir / folder / (stem + suffix)):
                    continue  # which finds it where file names ignore case (macOS, Windows)
                problems.warn(
                    f"{folder}/{name}",
                    None,
                    f"not read as the transcript of {owner.rpartition('/')[2]}: a sidecar's "
                    f"suffix is lower case (rename it {stem}{suffix})",
                )
                continue
            source = records[owner]
            tail = (
                f"the episode's transcript is {source.removeprefix(folder + '/')} (move {name} "
                "elsewhere if it is not meant as one)"
                if source is not None
                else "the episode has no transcript from it (export one in a format Cuepress reads)"
            )
            problems.warn(
                f"{folder}/{name}",
                None,
                f"Cuepress cannot read a {suffix} transcript beside {owner.rpartition('/')[2]} "
                f"(it reads {transcripts.KNOWN}); {tail}",
            )


def find_records(content_dir: Path, site_dir: Path | None = None) -> list[Path]:
    """Every record file below ``content_dir`` (``SITE/content/episodes``, or a show's
    ``SITE/content/shows/NAME/episodes``), sorted; ``_name`` and ``.name`` are skipped, and a
    folder that links out of the site is not even listed (nor is a linked folder inside it
    entered). One ``scandir`` a folder: an archive's rebuild lists thousands of files."""
    site_dir = site_dir if site_dir is not None else content_dir.parent.parent
    return [Path(path) for _, path in _walk_records(content_dir, site_dir)]


def record_names(site_dir: Path, folder: str) -> list[str]:
    """:func:`find_records` of ``site_dir/folder`` as paths relative to the site (``folder``
    is one too, ``content/episodes``): strings, made without ``Path`` objects, for the
    thousands of records a rebuild looks up."""
    return ["/".join((folder, *parts)) for parts, _ in _walk_records(site_dir / folder, site_dir)]


def _walk_records(content_dir: Path, site_dir: Path) -> list[tuple[tuple[str, ...], str]]:
    """The records below ``content_dir``, sorted, each as its path's parts below it and its
    path."""
    if not content_dir.is_dir() or not content_dir.resolve().is_relative_to(site_dir.resolve()):
        return []
    found: list[tuple[tuple[str, ...], str]] = []
    folders: list[tuple[tuple[str, ...], str]] = [((), str(content_dir))]
    while folders:
        parts, folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith((".", "_")):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append(((*parts, name), entry.path))
                elif (
                    os.path.splitext(name)[1].lower() in RECORD_SUFFIXES
                    and not name.lower().endswith(transcripts.MARKDOWN)
                    and entry.is_file()
                ):
                    found.append(((*parts, name), entry.path))
    found.sort()  # by parts, as paths sort
    return found


def split_front_matter(text: str, shown: str) -> tuple[str, str, int]:
    """Split a ``.md`` record into (YAML text, Markdown body, line the body starts on)."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise ContentError(
            shown, 1, "a record must start with a '---' line, then YAML front matter, then '---'"
        )
    for number, line in enumerate(lines[1:], 2):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[1 : number - 1]), "\n".join(lines[number:]), number + 1
    raise ContentError(
        shown, 1, "the front matter is never closed (add a line '---' after the YAML)"
    )


def read_text(path: Path, shown: str, site_dir: Path) -> str:
    """A record's text with ``\\n`` line ends; links out of the site, huge files and bytes no
    text holds are refused."""
    problem = link_problem(path, site_dir)
    if problem:
        raise ContentError(shown, None, problem)
    try:
        size = path.stat().st_size
        if size > MAX_RECORD_BYTES:
            raise ContentError(
                shown,
                None,
                f"the record is {size / 1e6:,.1f} MB; at most {MAX_RECORD_BYTES / 1e6:.0f} MB "
                "(put a long transcript in a sidecar file: NAME.vtt, .srt, .json or .txt)",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(shown, None, f"cannot be read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContentError(
            shown,
            data.count(b"\n", 0, exc.start) + 1,
            f"not UTF-8 (byte 0x{data[exc.start]:02x}; Latin-1 or Windows-1252?); "
            "save the file as UTF-8",
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise ContentError(shown, line, "the record holds a NUL character (remove it)")
    return text


def read_record(
    path: Path,
    shown: str,
    site_dir: Path,
    problems: Problems,
    segments: str = readable.MODES[0],
    aliases: MappingABC[str, str] | None = None,
) -> tuple[Episode, Transcript | None] | None:
    """Read one record and its transcript; None (with problems recorded) when it has errors.
    ``segments`` is the site's setting, which the record's own ``segments:`` overrides;
    ``aliases`` maps other spellings of people's names (in hosts, guests and transcript
    speakers) to the names they stand for."""
    text = read_text(path, shown, site_dir)
    body, body_line = None, 1
    if path.suffix.lower() == ".md":
        front, body, body_line = split_front_matter(text, shown)
        data = yamlfile.load(front, shown, first_line=2)
    else:
        data = yamlfile.load(text, shown)
    if data is None:
        raise ContentError(shown, 1, "the record is empty (it needs at least title: and date:)")
    if not isinstance(data, Mapping):
        raise ContentError(
            shown, 1, f"the record must be a mapping of keys (title: ...), got {describe(data)}"
        )
    fields = Fields(data, shown, problems)
    errors_before = len(problems.errors)
    if body is None:
        body, body_line = fields.text("summary") or "", fields.line("summary")
    if len(body) > MAX_SUMMARY_CHARS:
        problems.error(
            shown,
            body_line,
            f"the summary is {len(body):,} characters; at most {MAX_SUMMARY_CHARS:,} "
            "(show notes this long belong on a page of their own)",
        )
    title = fields.text("title", required=True)
    date = fields.date("date", required=True)
    names = _speaker_names(fields)
    transcript = _transcript(fields, path, shown, site_dir)
    if transcript is not None and names:
        transcript = _name_speakers(transcript, names, fields, shown)
    values: dict[str, Any] = {
        "slug": record_slug(fields, path),
        "number": fields.integer("number"),
        "season": fields.integer("season", minimum=1),
        "duration_ms": fields.duration("duration"),
        "audio": _audio(fields, site_dir, problems),
        "hosts": canonical_names(fields.texts("hosts"), aliases),
        "guests": canonical_names(fields.texts("guests"), aliases),
        "tags": _tags(fields),
        "chapters": _chapters(fields),
        "soundbites": _soundbites(fields),
        "draft": bool(fields.boolean("draft")),
        "image": fields.url("image"),
        "guid": fields.text("guid"),
        "explicit": fields.boolean("explicit"),
        "episode_type": podcasting.episode_type(fields),
        "location": podcasting.location(fields),
        "txt": podcasting.txt(fields),
        "social": podcasting.social(fields),
        "segments": fields.choice("segments", readable.MODES),
    }
    fields.warn_unknown(KNOWN)
    if len(problems.errors) > errors_before or title is None or date is None:
        return None
    if transcript is not None and (values["segments"] or segments) == "readable":
        transcript = readable.arrange(transcript, values["chapters"])
    if aliases and transcript is not None and not aliases.keys().isdisjoint(transcript.speakers):
        transcript = transcript.renamed(aliases)
    try:
        summary_html = markup.markdown_to_html(body)
    except markup.MarkdownError as exc:
        problems.error(shown, body_line, str(exc))
        return None
    episode = Episode(
        source=shown,
        title=title,
        date=date,
        summary_html=summary_html,
        transcript=transcript.info() if transcript is not None else None,
        **values,
    )
    return episode, transcript


def canonical_names(
    names: tuple[str, ...], aliases: MappingABC[str, str] | None
) -> tuple[str, ...]:
    """``names`` with each alias read as the person's name, each person once."""
    if not aliases:
        return names
    return tuple(dict.fromkeys(aliases.get(name, name) for name in names))


def _tags(fields: Fields) -> tuple[str, ...]:
    """The record's tags; each names a page (tags/TAG/), so it needs a letter or digit."""
    tags = fields.texts("tags")
    for tag in tags:
        if not slugs.segment(tag):
            fields.error(
                "tags",
                f"the tag {tag!r} cannot be a page's address (tags/TAG/): give it a letter or "
                "a digit",
            )
    return tags


def record_slug(fields: Fields, path: Path) -> str:
    """The episode's address: its ``slug`` field, else the record's file name."""
    value = fields.text("slug")
    if value is not None:
        if not SLUG.fullmatch(value):
            fields.error(
                "slug",
                f"'slug' must be one path segment of letters, digits, - and _, got {value!r}",
            )
        return value
    if not SLUG.fullmatch(path.stem):
        suggestion = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-").lower() or "episode-1"
        fields.problems.error(
            fields.path,
            None,
            f"the file name {path.stem!r} cannot be a web address; use letters, digits, - and _ "
            f"(rename it {suggestion}{path.suffix} or set slug: {suggestion})",
        )
    return path.stem


def _audio(fields: Fields, site_dir: Path, problems: Problems) -> Audio | None:
    value = fields.get("audio")
    if value is None:
        return None
    length = kind = None
    if isinstance(value, Mapping):
        sub = Fields(value, fields.path, problems)
        url = sub.url("url")
        if url is None and "url" not in value:
            fields.error(
                "audio", "'audio' needs a url: (audio: {url: ..., length: ..., type: ...})"
            )
        length = sub.integer("length", minimum=1)
        kind = sub.text("type")
        sub.warn_unknown("url, length, type")
    elif isinstance(value, str):
        url = fields.url("audio")
    else:
        fields.error(
            "audio", f"'audio' must be a URL or {{url, length, type}}, got {describe(value)}"
        )
        return None
    if url is None:
        return None
    if "://" not in url:
        local = site_dir / "static" / PurePosixPath(url)
        problem = link_problem(local, site_dir)
        if problem:
            fields.error("audio", f"'audio': static/{url} {problem}")
            return None
        if _is_file(local):
            length = length or local.stat().st_size
        else:
            problems.warn(
                fields.path,
                fields.line("audio"),
                f"audio file static/{url} not found (put it there, or give a full https:// URL)",
            )
    kind = kind or AUDIO_TYPES.get(PurePosixPath(url.split("?")[0]).suffix.lower())
    return Audio(url=url, length=length, type=kind, line=fields.line("audio"))


def _chapters(fields: Fields) -> tuple[Chapter, ...]:
    value = fields.get("chapters")
    if value is None:
        return ()
    expected = "chapters: [{start: '0:00', title: ...}, ...]"
    if not isinstance(value, Sequence):
        fields.error("chapters", f"'chapters' must be a list ({expected}), got {describe(value)}")
        return ()
    chapters = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            fields.problems.error(
                fields.path, value.line_of(index), f"a chapter must be a mapping ({expected})"
            )
            continue
        sub = Fields(item, fields.path, fields.problems)
        title = sub.text("title", required=True)
        raw_start = sub.get("start")
        start = None
        if raw_start is None:
            fields.problems.error(fields.path, item.line, f"a chapter needs a start ({expected})")
        else:
            try:
                start = parse_time(raw_start)
            except ValueError as exc:
                sub.error("start", f"chapter 'start': {exc}")
        chapter_url, img = sub.url("url"), sub.url("img")
        sub.warn_unknown("start, title, url, img")
        if title is not None and start is not None:
            chapters.append(Chapter(start_ms=start, title=title, url=chapter_url, img=img))
    if [c.start_ms for c in chapters] != sorted(c.start_ms for c in chapters):
        fields.problems.warn(
            fields.path, value.line, "chapters are not in time order; they were sorted"
        )
    return tuple(sorted(chapters, key=lambda c: c.start_ms))


def _soundbites(fields: Fields) -> tuple[Soundbite, ...]:
    """``soundbites: [{start, duration, title?}]``, each checked where it is written."""
    value = fields.get("soundbites")
    if value is None:
        return ()
    expected = "soundbites: [{start: '1:23', duration: 45, title: ...}, ...]"
    if not isinstance(value, Sequence):
        fields.error(
            "soundbites", f"'soundbites' must be a list ({expected}), got {describe(value)}"
        )
        return ()
    bites = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            fields.problems.error(
                fields.path, value.line_of(index), f"a soundbite must be a mapping ({expected})"
            )
            continue
        sub = Fields(item, fields.path, fields.problems)
        times: dict[str, int] = {}
        for key in ("start", "duration"):
            raw = sub.get(key)
            if raw is None:
                fields.problems.error(
                    fields.path, item.line, f"a soundbite needs a {key} ({expected})"
                )
                continue
            try:
                times[key] = parse_time(raw)
            except ValueError as exc:
                sub.error(key, f"soundbite '{key}': {exc}")
        if times.get("duration") == 0:
            sub.error("duration", "soundbite 'duration' must be more than 0 seconds")
            del times["duration"]
        title = sub.text("title")
        sub.warn_unknown("start, duration, title")
        if len(times) == 2:
            bites.append(Soundbite(times["start"], times["duration"], title or None))
    return tuple(bites)


def _speaker_names(fields: Fields) -> dict[str, tuple[str, int]]:
    """``speakers:`` as label -> (name, the line of its entry)."""
    value = fields.get("speakers")
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        fields.error("speakers", "'speakers' must map transcript labels to names (SPEAKER_00: Ana)")
        return {}
    return {k.strip(): (v.strip(), value.line_of(k)) for k, v in value.items()}


def _name_speakers(
    transcript: Transcript, names: dict[str, tuple[str, int]], fields: Fields, shown: str
) -> Transcript:
    """The transcript with its labels named by ``speakers:``; an entry that matches no label is
    a warning at its line (a typo, or a label the transcript does not use)."""
    named, labels = transcripts.name_speakers(transcript, {k: v for k, (v, _) in names.items()})
    unmatched = [(label, line) for label, (_, line) in names.items() if label not in labels]
    if unmatched:
        source = transcript.source
        where = source.removeprefix(shown.rpartition("/")[0] + "/")  # as transcript: says it
        if source == shown:
            where = "the inline transcript"
        if labels:
            shown_labels = ", ".join(labels[:12]) + (
                f" and {len(labels) - 12} more" if len(labels) > 12 else ""
            )
            has = f"labels in it: {shown_labels}"
        else:
            has = "it names no speakers"
        for label, line in unmatched:
            fields.problems.warn(
                shown,
                line,
                f"'speakers' maps {label!r}, which no segment of {where} has ({has})",
            )
    return named


def _transcript(fields: Fields, path: Path, shown: str, site_dir: Path) -> Transcript | None:
    value = fields.get("transcript")
    base = os.fspath(path)[: -len(path.suffix)]  # strings: nine looks per record, every build
    sidecars = [
        path.with_suffix(suffix) for suffix in transcripts.READERS if os.path.isfile(base + suffix)
    ]
    problems = fields.problems
    if len(sidecars) > 1 or (sidecars and value is not None):
        names_found = ", ".join(p.name for p in sidecars)
        problems.error(
            shown,
            fields.line("transcript") if value is not None else None,
            f"more than one transcript for this episode ({names_found}"
            f"{' and transcript:' if value is not None else ''}); keep one",
        )
        return None
    try:
        if isinstance(value, Sequence):
            return transcripts.read_inline(value, shown, problems)
        if isinstance(value, str):
            if "://" in value:
                fields.error(
                    "transcript",
                    f"'transcript: {value[:80]}' is a URL; builds never fetch anything, so save "
                    "the file beside the record and name it here (`cuepress import FEED` does "
                    "that for a show's feed)",
                )
                return None
            suffix = transcripts.suffix_of(PurePosixPath(value))
            if suffix not in transcripts.READERS:
                hint = (
                    f"; a Markdown transcript is named NAME{transcripts.MARKDOWN}, as a .md file "
                    "among the episodes is read as an episode record"
                    if suffix == ".md"
                    else ""
                )
                fields.error(
                    "transcript",
                    f"transcript file {value!r} has an unknown format "
                    f"(use {transcripts.KNOWN}{hint})",
                )
                return None
            file = _inside_site(path.parent / value, site_dir, fields)
            if file is None:
                return None
            return transcripts.read_file(
                file, file.relative_to(site_dir.resolve()).as_posix(), problems
            )
        if value is not None:
            fields.error(
                "transcript",
                f"'transcript' must be a file path or a list of segments, got {describe(value)}",
            )
            return None
        if sidecars:
            sidecar, sidecar_shown = sidecars[0], sidecars[0].relative_to(site_dir).as_posix()
            problem = link_problem(sidecar, site_dir)
            if problem:
                problems.error(sidecar_shown, None, problem)
                return None
            return transcripts.read_file(sidecar, sidecar_shown, problems)
    except CuepressError as exc:
        problems.add(exc)
    except OSError as exc:
        problems.error(shown, fields.line("transcript"), f"cannot read the transcript: {exc}")
    return None


def _inside_site(file: Path, site_dir: Path, fields: Fields) -> Path | None:
    """``file`` with links resolved, if it is an existing file inside the site; else an error."""
    value = fields.data.get("transcript")
    resolved = file.resolve()
    if not resolved.is_relative_to(site_dir.resolve()):
        fields.error(
            "transcript",
            f"'transcript: {value}' points outside the site (keep transcripts inside it)",
        )
        return None
    if link_problem(file, site_dir):  # inside the site, but hidden (.git/...)
        fields.error(
            "transcript",
            f"'transcript: {value}' points into a hidden file or folder (like .git), which is "
            "never read (keep transcripts beside the records)",
        )
        return None
    if not _is_file(resolved):
        fields.error(
            "transcript", f"transcript file {value!r} not found (a path relative to the record)"
        )
        return None
    return resolved


def _is_file(path: Path) -> bool:
    """``path.is_file()``, false for a name too long for the file system."""
    try:
        return path.is_file()
    except OSError:
        return False
