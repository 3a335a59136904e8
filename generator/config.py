"""``site.yaml`` -> :class:`~generator.models.Site`, with every problem collected."""

from __future__ import annotations

import dataclasses
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from generator import podcasting, yamlfile
from generator.errors import ConfigError, CuepressError, Problems
from generator.fields import Fields, describe, url_ok
from generator.models import Owner, Site
from generator.people import read_site_people
from generator.records import SLUG
from generator.transcripts import exports
from generator.transcripts.readable import MODES
from generator.yamlfile import Mapping, Sequence

# A host name: dot-separated labels of letters, digits and inner hyphens, ending in a name.
# A BCP 47 language tag as feeds, pages and the search index use it: en, pt-BR, zh-Hant-TW.
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}")
_HOST = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")

KNOWN = (
    "title, base_url, description, language, author, owner, image, categories, explicit, "
    "copyright, episodes_per_page, locked, podcast_guid, cname, search, segments, edit_url, "
    "funding, podroll, medium, location, txt, seasons, people, transcript_files"
)
SHOW_FILE = "show.yaml"  # content/shows/NAME/show.yaml: one show of a network
# The settings of a whole network, which its shows share: only in site.yaml.
NETWORK_KEYS = ("base_url", "cname", "search", "people", "edit_url")
# What a show.yaml may set: the rest of site.yaml's keys. Those it leaves out are the network's,
# but OWN_KEYS: a show's title and identity are its own.
SHOW_KEYS = tuple(key for key in KNOWN.split(", ") if key not in NETWORK_KEYS)
OWN_KEYS = ("title", "podcast_guid")
SHOW_KNOWN = ", ".join(("slug", "moved_from", *SHOW_KEYS))
# Show addresses a network's own pages use (and a moved show's old root pages).
RESERVED_SHOWS = frozenset(
    ("assets", "categories", "episodes", "page", "pagefind", "people", "search", "tags")
)


def load_site(
    site_dir: Path, problems: Problems, base_url: str | None = None, *, network: bool = False
) -> Site | None:
    """Read ``site_dir/site.yaml``; ``base_url`` (from the command line) overrides the file's.
    ``network``: the site holds ``content/shows/``, and ``site.yaml`` is the network's.

    Returns ``None`` when the file is unusable; the reasons are in ``problems``.
    """
    data = _mapping(
        site_dir, "site.yaml", problems, f"no site.yaml in {site_dir} (is --site right?)"
    )
    if data is None:
        return None
    fields = Fields(data, "site.yaml", problems)
    if network and "podcast_guid" in data:
        fields.error(
            "podcast_guid",
            "'podcast_guid' names one show's feed, and a network's site.yaml is no show: move it "
            "into the show's content/shows/NAME/show.yaml",
        )
    site = _read(fields, base_url)
    return dataclasses.replace(site, network=True) if site is not None and network else site


def load_show(site_dir: Path, folder: Path, network: Site, problems: Problems) -> Site | None:
    """Read a show's ``content/shows/NAME/show.yaml`` in the network ``network``: the keys of
    a one-show site's ``site.yaml`` that describe the show, by the same rules; a key it does
    not set is the network's (but ``title`` and ``podcast_guid``: each show has its own).

    Returns ``None`` when the file is unusable; the reasons are in ``problems``.
    """
    shown = (folder / SHOW_FILE).relative_to(site_dir).as_posix()
    place = folder.relative_to(site_dir).as_posix()
    missing = f"no {SHOW_FILE} in {place}/ (every show's folder needs one, with its title: ...)"
    data = _mapping(site_dir, shown, problems, missing)
    if data is None:
        return None
    fields = Fields(data, shown, problems)
    errors_before = len(problems.errors)
    for key in NETWORK_KEYS:
        if key in data:
            fields.seen.add(key)
            fields.error(
                key,
                f"'{key}' is a setting of the whole network: set it in site.yaml, which every "
                "show shares",
            )
    slug = _show_slug(fields, folder.name)
    moved_from = _moved_from(fields)
    site = _read(fields, network.base_url, network)
    if site is None or len(problems.errors) > errors_before:
        return None
    inherited = {
        name: getattr(network, name)
        for name in SHOW_KEYS
        if name not in data and name not in OWN_KEYS
    }
    return dataclasses.replace(site, **inherited, show=slug, source=shown, moved_from=moved_from)


def _mapping(site_dir: Path, shown: str, problems: Problems, missing: str) -> Mapping | None:
    """The YAML mapping in the settings file ``shown`` (relative to ``site_dir``), or None."""
    path = site_dir / shown
    name = path.name
    if path.is_symlink() and not path.resolve().is_relative_to(site_dir.resolve()):
        problems.error(shown, None, "is a link to a file outside the site (copy the file in)")
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.add(ConfigError(shown, None, missing))
        return None
    except (UnicodeDecodeError, OSError) as exc:
        problems.add(ConfigError(shown, None, f"cannot read {name}: {exc}"))
        return None
    try:
        data = yamlfile.load(text, shown)
    except CuepressError as exc:
        problems.add(exc)
        return None
    if not isinstance(data, Mapping):
        problems.error(
            shown, 1, f"{name} must be a mapping of keys (title: ...), got {describe(data)}"
        )
        return None
    return data


def _show_slug(fields: Fields, folder: str) -> str:
    """The show's address in the network: its ``slug``, else its folder's name."""
    value = fields.text("slug")
    slug = folder if value is None else value
    if not SLUG.fullmatch(slug):
        if value is None:
            suggestion = re.sub(r"[^A-Za-z0-9_-]+", "-", folder).strip("-").lower() or "show"
            fields.problems.error(
                fields.path,
                None,
                f"the folder name {folder!r} cannot be a web address; use letters, digits, - and "
                f"_ (rename the folder {suggestion} or set slug: {suggestion})",
            )
        else:
            fields.error(
                "slug",
                f"'slug' must be one path segment of letters, digits, - and _, got {value!r}",
            )
    elif slug.lower() in RESERVED_SHOWS:
        where = "slug" if value is not None else None
        message = (
            f"the show's address {slug}/ is one of the network's own pages "
            f"({', '.join(sorted(RESERVED_SHOWS))}); "
            + ("choose another slug" if where else "rename the folder or set slug: to another")
        )
        if where:
            fields.error(where, message)
        else:
            fields.problems.error(fields.path, None, message)
    return slug


def _moved_from(fields: Fields) -> str | None:
    """``moved_from: /``: the show was the site's one show, at its root, before the site became
    a network; its old addresses are kept (see build.py's redirects)."""
    value = fields.text("moved_from")
    if value is None:
        return None
    if value != "/":
        fields.error(
            "moved_from",
            f"'moved_from' can only be / (the show was the one show at the site's root), "
            f"got {value!r}",
        )
        return None
    return value


def _read(
    fields: Fields, base_url_override: str | None, network: Site | None = None
) -> Site | None:
    """The settings in ``fields``: a site's, or with ``network`` a show's in that network (whose
    base_url it takes, and whose network-wide settings it shares)."""
    errors_before = len(fields.problems.errors)
    title = fields.text("title", required=True)
    base_url = network.base_url if network else _base_url(fields, base_url_override)
    owner = _owner(fields)
    if owner is None and network is not None and "owner" not in fields.data:
        owner = network.owner  # the network's owner verifies a locked show too
    per_page = fields.integer("episodes_per_page", minimum=1)
    site = Site(
        title=title or "",
        base_url=base_url or "",
        description=fields.text("description") or "",
        language=_language(fields),
        author=fields.text("author") or "",
        owner=owner,
        image=fields.url("image"),
        categories=fields.texts("categories"),
        explicit=bool(fields.boolean("explicit")),
        copyright=fields.text("copyright") or "",
        episodes_per_page=per_page if per_page is not None else 20,
        locked=_locked(fields, owner),
        podcast_guid=_podcast_guid(fields),
        cname=_cname(fields, base_url) if network is None else network.cname,
        search=fields.boolean("search") is not False if network is None else network.search,
        funding=podcasting.funding(fields),
        podroll=podcasting.podroll(fields),
        medium=podcasting.medium(fields),
        location=podcasting.location(fields),
        txt=podcasting.txt(fields),
        seasons=podcasting.seasons(fields),
        people=read_site_people(fields) if network is None else network.people,
        segments=fields.choice("segments", MODES) or MODES[0],
        edit_url=_edit_url(fields) if network is None else network.edit_url,
        transcript_files=_transcript_files(fields),
    )
    fields.warn_unknown(KNOWN if network is None else SHOW_KNOWN)
    if len(fields.problems.errors) > errors_before:
        return None
    return site


def _base_url(fields: Fields, override: str | None) -> str | None:
    if override is not None:
        fields.get("base_url")
        value: str | None = override.strip()
        where = "--base-url"
    else:
        value = fields.text("base_url", required=True)
        where = "'base_url'"
    if value is None:
        return None
    if not url_ok(value, absolute=True):
        message = (
            f"{where} must be an absolute http(s) URL like https://you.github.io/show/, "
            f"got {value!r}"
        )
        if override is not None:
            fields.problems.error("--base-url", None, message)
        else:
            fields.error("base_url", message)
        return None
    return value if value.endswith("/") else value + "/"


def _language(fields: Fields) -> str:
    """The show's language tag; it names files of the search index, so it is checked."""
    value = fields.text("language")
    if value is None:
        return "en"
    if not LANGUAGE.fullmatch(value):
        fields.error(
            "language",
            f"'language' must be a language tag like en, fr or pt-BR, got {value[:40]!r}",
        )
        return "en"
    return value


def _owner(fields: Fields) -> Owner | None:
    value = fields.get("owner")
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(value.get(k), str) and value[k].strip() for k in ("name", "email")
    ):
        fields.error("owner", "'owner' must be a mapping {name: ..., email: ...} of text")
        return None
    return Owner(name=value["name"].strip(), email=value["email"].strip())


def _locked(fields: Fields, owner: Owner | None) -> bool | None:
    """``podcast:locked``: a locked feed names its owner's email, so a new host can verify it."""
    locked = fields.boolean("locked")
    if locked and owner is None and fields.data.get("owner") is None:
        fields.error(
            "locked",
            "'locked: true' needs the owner's email to verify a move "
            "(add owner: {name: ..., email: ...})",
        )
    return locked


def _podcast_guid(fields: Fields) -> str | None:
    """A ``podcast:guid`` pinned by hand, e.g. kept from before the feed moved to a new URL."""
    value = fields.text("podcast_guid")
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        fields.error(
            "podcast_guid",
            "'podcast_guid' must be a UUID, 36 characters with four hyphens "
            f"(copy it from the old feed.xml's <podcast:guid>), got {value!r}",
        )
        return None


def _cname(fields: Fields, base_url: str | None) -> str | None:
    """``cname``: the custom domain GitHub Pages serves the site at (written to ``CNAME``)."""
    value = fields.text("cname")
    if value is None:
        return None
    host = value.lower()
    if not _HOST.fullmatch(host):
        hint = " (leave out https:// and any path)" if "/" in value or ":" in value else ""
        fields.error(
            "cname",
            f"'cname' must be a bare host name like podcast.example.com, got {value!r}{hint}",
        )
        return None
    if base_url and urlsplit(base_url).hostname != host:
        fields.error(
            "cname",
            f"'cname' is {host} but base_url is {base_url}; a custom domain serves the site at "
            f"https://{host}/ (make that the base_url, or remove cname)",
        )
        return None
    return host


def _edit_url(fields: Fields) -> str | None:
    """``edit_url``: where the site's files are edited online, as MkDocs' ``edit_uri``
    (``https://github.com/USER/REPO/edit/main/``); a transcript's path is appended to it."""
    value = fields.text("edit_url")
    if value is None:
        return None
    if not url_ok(value, absolute=True):
        fields.error(
            "edit_url",
            "'edit_url' must be an absolute http(s) URL like "
            f"https://github.com/USER/REPO/edit/main/, got {value!r}",
        )
        return None
    return value if value.endswith("/") else value + "/"


def _transcript_files(fields: Fields) -> tuple[str, ...]:
    """``transcript_files``: which transcript downloads are written as files (in the order of
    :data:`~generator.transcripts.exports.DOWNLOADS`); the episode page makes the others in
    the browser from the WebVTT or JSON, so one of those must be among them."""
    value = fields.get("transcript_files")
    if value is None:
        return exports.BUILT_BY_DEFAULT
    forms = ", ".join(exports.DOWNLOADS)
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        fields.error(
            "transcript_files",
            f"'transcript_files' must be a list of the transcript forms to write as files "
            f"(from {forms}; default [vtt, json]), got "
            + ("an empty list" if isinstance(items, list) else describe(value)),
        )
        return exports.BUILT_BY_DEFAULT
    chosen, wrong = set(), False
    for index, item in enumerate(items):
        name = item.strip().lower().lstrip(".") if isinstance(item, str) else None
        if name in exports.DOWNLOADS:
            chosen.add(name)
            continue
        wrong = True
        fields.problems.error(
            fields.path,
            items.line_of(index)
            if isinstance(items, Sequence)
            else fields.line("transcript_files"),
            f"'transcript_files' has {describe(item) if name is None else repr(item)}, "
            f"which is no transcript form (the forms are {forms})",
        )
    if wrong:
        return exports.BUILT_BY_DEFAULT
    if not chosen & set(exports.SOURCES):
        fields.error(
            "transcript_files",
            "'transcript_files' must include vtt or json: the episode page makes the other "
            "forms from one of them in the browser (SRT and text do not say who speaks where)",
        )
        return exports.BUILT_BY_DEFAULT
    return tuple(form for form in exports.DOWNLOADS if form in chosen)
