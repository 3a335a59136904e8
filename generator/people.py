"""People and topics: who is described (``site.yaml`` ``people:`` and ``content/people/*.md``),
which names mean whom, and the pages that list each person's and each tag's episodes.

One person, one page, however records and transcripts write the name: a person's ``aliases``
(``Dr. Ana Ruiz``, ``SPEAKER_01``) are read as their name everywhere, in hosts, guests and
transcript speakers alike. Everyone who hosts, guests or speaks under a real name gets a page,
described or not; generic labels (``SPEAKER_00``, ``Speaker 2``) do not.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator import markup, slugs, yamlfile
from generator.errors import CuepressError, Problems
from generator.fields import Fields, describe, url_ok
from generator.models import Episode, Person, Site
from generator.records import SLUG, split_front_matter
from generator.yamlfile import Mapping

PEOPLE_DIR = "content/people"
KNOWN = "name, aliases, image, links, role, group, bio (in site.yaml)"
GENERIC = re.compile(r"(?:speaker|spk|unknown|person|voice)?[ _-]?\d*|unknown|speaker", re.I)
EXPECTED = "people: {Ana Ruiz: {aliases: [...], image: ..., links: [https://...], role: ...}}"


def read_site_people(fields: Fields) -> tuple[Person, ...]:
    """The ``people:`` mapping of ``site.yaml``: each name with its details."""
    value = fields.get("people")
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        fields.error("people", f"'people' must be a mapping of names ({EXPECTED})")
        return ()
    found = []
    for name, details in value.items():
        line = value.line_of(name)
        if not isinstance(name, str) or not name.strip():
            fields.problems.error(fields.path, line, f"a person's name must be text ({EXPECTED})")
            continue
        if details is None:
            details = Mapping()
            details.line, details.lines = line, {}
        if not isinstance(details, Mapping):
            fields.problems.error(
                fields.path,
                line,
                f"the details of {name!r} must be a mapping, got {describe(details)} ({EXPECTED})",
            )
            continue
        sub = Fields(details, fields.path, fields.problems)
        bio = sub.text("bio") or ""
        person = _person(sub, name.strip(), _slug_for(name.strip()), line, bio, "bio")
        if person is not None:
            found.append(person)
    return tuple(found)


def load(site_dir: Path, site: Site, problems: Problems) -> Site:
    """``site`` with the people of ``content/people/`` added; names claimed twice are errors."""
    folder = site_dir / PEOPLE_DIR
    people = list(site.people)
    if folder.is_dir() and folder.resolve().is_relative_to(site_dir.resolve()):
        for path in sorted(folder.glob("*.md")):
            if path.name.startswith(("_", ".")) or not path.is_file():
                continue
            person = _read_record(path, path.relative_to(site_dir).as_posix(), problems)
            if person is not None:
                people.append(person)
    _check_names(people, problems)
    return dataclasses.replace(site, people=tuple(people))


def _read_record(path: Path, shown: str, problems: Problems) -> Person | None:
    try:
        text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        front, body, body_line = split_front_matter(text, shown)
        data = yamlfile.load(front, shown, first_line=2)
    except UnicodeDecodeError:
        problems.error(shown, None, "not UTF-8 (save the file as UTF-8)")
        return None
    except CuepressError as exc:
        problems.add(exc)
        return None
    if not isinstance(data, Mapping):
        problems.error(shown, 1, "a person record must be a mapping of keys (name: ...)")
        return None
    if not SLUG.fullmatch(path.stem):
        problems.error(
            shown, None, "the file name must be letters, digits, - and _ (it is the page's address)"
        )
        return None
    fields = Fields(data, shown, problems)
    name = fields.text("name", required=True)
    if name is None:
        return None
    return _person(fields, name, path.stem, data.line, body, None, body_line)


def _person(
    fields: Fields,
    name: str,
    slug: str,
    line: int | None,
    bio: str,
    bio_key: str | None,
    bio_line: int | None = None,
) -> Person | None:
    errors_before = len(fields.problems.errors)
    aliases = tuple(a for a in fields.texts("aliases") if a != name)
    image = fields.url("image")
    links = []
    for link in fields.texts("links"):
        if not url_ok(link, absolute=True):
            fields.error("links", f"a person's links must be http(s) URLs, got {link!r}")
        else:
            links.append(link)
    role = fields.text("role") or ""
    group = fields.text("group")
    if bio_key:
        fields.seen.add(bio_key)
    fields.warn_unknown(KNOWN)
    try:
        bio_html = markup.markdown_to_html(bio)
    except markup.MarkdownError as exc:
        fields.problems.error(fields.path, bio_line or line, str(exc))
        return None
    if len(fields.problems.errors) > errors_before:
        return None
    return Person(
        name=name,
        slug=slug,
        source=fields.path,
        line=line,
        aliases=aliases,
        image=image,
        links=tuple(links),
        role=role,
        group=group,
        bio_html=bio_html,
    )


def _check_names(people: list[Person], problems: Problems) -> None:
    """Every name and alias means one person, and every page address is one person's."""
    claimed: dict[str, Person] = {}
    slugs_taken: dict[str, Person] = {}
    for person in people:
        where = f"{person.source}:{person.line}" if person.line else person.source
        for name in (person.name, *person.aliases):
            other = claimed.get(name)
            if other is not None and other is not person:
                there = f"{other.source}:{other.line}" if other.line else other.source
                problems.error(
                    person.source,
                    person.line,
                    f"{name!r} is claimed by {there} ({other.name}) and {where} ({person.name}); "
                    "a name or alias can mean only one person",
                )
            claimed.setdefault(name, person)
        other = slugs_taken.get(person.slug)
        if other is not None:
            problems.error(
                person.source,
                person.line,
                f"{person.name!r} would have the page people/{person.slug}/, which is already "
                f"{other.name!r}'s ({other.source}); name one of the files differently",
            )
        slugs_taken.setdefault(person.slug, person)


@functools.lru_cache(maxsize=8)
def aliases(site: Site) -> dict[str, str]:
    """Every alias of a described person, and the name it stands for."""
    return {alias: person.name for person in site.people for alias in person.aliases}


@functools.lru_cache(maxsize=8)
def _described(site: Site) -> dict[str, Person]:
    return {person.name: person for person in site.people}


def describe_person(site: Site, name: str) -> Person | None:
    return _described(site).get(name)


def _slug_for(name: str) -> str:
    return slugs.segment(name) or slugs.fallback(name, "person")


def person_path(site: Site, name: str) -> str:
    """The page of the person called ``name`` (or one of their aliases): ``people/SLUG/``."""
    name = aliases(site).get(name, name)
    person = _described(site).get(name)
    return f"people/{person.slug if person else _slug_for(name)}/"


def tag_path(tag: str) -> str:
    return f"tags/{slugs.segment(tag) or slugs.fallback(tag, 'tag')}/"


def is_named(name: str) -> bool:
    """False for the labels transcription tools give unnamed voices (SPEAKER_00, Speaker 2)."""
    return not GENERIC.fullmatch(name.strip())


@dataclass
class Appearance:
    """One episode of a person's, with what they did in it."""

    episode: Episode
    roles: list[str] = field(default_factory=list)  # host, guest, speaker
    first_ms: int | None = None
    spoken_ms: int = 0


@dataclass
class PersonPage:
    person: Person
    path: str
    appearances: list[Appearance]

    @functools.cached_property
    def roles(self) -> list[str]:
        return sorted({role for a in self.appearances for role in a.roles})


@dataclass
class TagPage:
    tag: str
    path: str
    episodes: list[Episode]


def person_pages(site: Site, episodes: Iterable[Episode]) -> list[PersonPage]:
    """A page for everyone described, hosting, guesting or speaking by name, each listing
    their episodes newest first (``episodes`` come newest first), sorted by name."""
    pages: dict[str, PersonPage] = {}

    def page(name: str) -> PersonPage:
        if name not in pages:
            person = describe_person(site, name) or Person(name, "", "")
            pages[name] = PersonPage(person, person_path(site, name), [])
        return pages[name]

    for person in site.people:
        page(person.name)
    for episode in episodes:
        found: dict[str, Appearance] = {}
        for role, names in (("host", episode.hosts), ("guest", episode.guests)):
            for name in names:
                found.setdefault(name, Appearance(episode)).roles.append(role)
        for voice in episode.transcript.voices if episode.transcript else ():
            if voice.name in found or is_named(voice.name):
                appearance = found.setdefault(voice.name, Appearance(episode, ["speaker"]))
                appearance.first_ms, appearance.spoken_ms = voice.first_ms, voice.spoken_ms
        for name, appearance in found.items():
            page(name).appearances.append(appearance)
    return sorted(pages.values(), key=lambda p: (p.person.name.casefold(), p.person.name))


def tag_pages(episodes: Iterable[Episode]) -> list[TagPage]:
    """A page for every tag (tags whose addresses coincide, like Garden and garden, share one),
    listing its episodes newest first, sorted by tag."""
    pages: dict[str, TagPage] = {}
    paths: dict[str, str] = {}  # each tag slugged once, not once per episode
    for episode in episodes:
        for tag in dict.fromkeys(episode.tags):
            path = paths.get(tag) or paths.setdefault(tag, tag_path(tag))
            if path not in pages:
                pages[path] = TagPage(tag, path, [])
            listed = pages[path].episodes
            if not listed or listed[-1] is not episode:  # Garden and garden: listed once
                listed.append(episode)
    return sorted(pages.values(), key=lambda p: (p.tag.casefold(), p.tag))


def warn_unheard(pages: Iterable[PersonPage], problems: Problems) -> None:
    """A described person no episode names is probably a typo in a record (or a name that
    needs to be an alias)."""
    for page in pages:
        if not page.appearances and page.person.source:
            problems.warn(
                page.person.source,
                page.person.line,
                f"{page.person.name!r} is in no episode's hosts, guests or transcript (check "
                "the spelling, or add the name as written there to aliases:)",
            )
