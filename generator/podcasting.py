"""Podcasting 2.0 values as ``site.yaml`` and records write them: one reader for each, used by
both, so a ``location:`` or ``txt:`` means the same in either place.

Each reader returns a valid model or records an error at the key's line saying what would be
right, as :class:`~generator.fields.Fields` does for plain values.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from generator.fields import Fields, describe, url_ok
from generator.models import Funding, Location, RemoteItem, Social, Txt
from generator.yamlfile import Mapping, Sequence

# podcast:medium values (the namespace's list), and their "L" forms for lists of such feeds.
MEDIUMS = "podcast music video film audiobook newsletter blog publisher course mixed".split()
MEDIUMS_L = [m + "L" for m in MEDIUMS if m not in ("mixed", "publisher")]
EPISODE_TYPES = ("full", "trailer", "bonus")
_GEO = re.compile(r"geo:-?\d{1,2}(?:\.\d+)?,-?\d{1,3}(?:\.\d+)?(?:,-?\d+(?:\.\d+)?)?(?:;.*)?")
_OSM = re.compile(r"[NWR]\d+(?:#\d+)?")
MAX_TXT = 4000  # characters, as the namespace allows
MAX_PURPOSE = 128


def _items(fields: Fields, key: str, expected: str) -> list[tuple[Any, int]]:
    """The list at ``key`` (a single mapping counts as a list of one), each with its line."""
    value = fields.get(key)
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [(value, value.line)]
    if isinstance(value, Sequence):
        return [(item, value.line_of(index)) for index, item in enumerate(value)]
    fields.error(key, f"'{key}' must be a list ({expected}), got {describe(value)}")
    return []


def _sub(fields: Fields, key: str, item: Any, line: int, expected: str) -> Fields | None:
    if not isinstance(item, Mapping):
        fields.problems.error(
            fields.path, line, f"each '{key}' entry must be a mapping ({expected})"
        )
        return None
    return Fields(item, fields.path, fields.problems)


def _web_url(sub: Fields, key: str, owner: str, *, required: bool = True) -> str | None:
    value = sub.text(key)
    if value is None:
        if required:
            sub.problems.error(sub.path, sub.data.line, f"'{owner}' needs a {key}: (https://...)")
        return None
    if not url_ok(value, absolute=True):
        sub.error(
            key, f"'{owner}' {key} must be an absolute http(s) URL like https://..., got {value!r}"
        )
        return None
    return value


def funding(fields: Fields) -> tuple[Funding, ...]:
    expected = "funding: [{url: https://..., text: Support the show}]"
    found = []
    for item, line in _items(fields, "funding", expected):
        sub = _sub(fields, "funding", item, line, expected)
        if sub is None:
            continue
        url = _web_url(sub, "url", "funding")
        text = sub.text("text") or "Support the show"
        sub.warn_unknown("url, text")
        if url is not None:
            found.append(Funding(url, text[:128]))
    return tuple(found)


def podroll(fields: Fields) -> tuple[RemoteItem, ...]:
    expected = "podroll: [{feed_guid: UUID, feed_url: https://..., title: ...}]"
    found = []
    for item, line in _items(fields, "podroll", expected):
        sub = _sub(fields, "podroll", item, line, expected)
        if sub is None:
            continue
        guid = sub.text("feed_guid")
        if guid is None:
            fields.problems.error(
                fields.path, line, f"a podroll entry needs the show's feed_guid ({expected})"
            )
        else:
            try:
                guid = str(uuid.UUID(guid))
            except ValueError:
                sub.error(
                    "feed_guid",
                    f"'feed_guid' must be the show's podcast:guid, a UUID, got {guid!r}",
                )
                guid = None
        url = _web_url(sub, "feed_url", "podroll", required=False)
        title = sub.text("title")
        sub.warn_unknown("feed_guid, feed_url, title")
        if guid is not None:
            found.append(RemoteItem(guid, url, title))
    return tuple(found)


def medium(fields: Fields) -> str | None:
    value = fields.text("medium")
    if value is None:
        return None
    if value not in MEDIUMS and value not in MEDIUMS_L:
        fields.error(
            "medium",
            f"'medium' must be one of {', '.join(MEDIUMS)} (or a list form like "
            f"podcastL), got {value!r}",
        )
        return None
    return value


def location(fields: Fields) -> Location | None:
    expected = "location: {name: Willowgate, geo: 'geo:51.5,-0.12', osm: R113314}"
    value = fields.get("location")
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return Location(value.strip()[:128])
    if not isinstance(value, Mapping):
        fields.error("location", f"'location' must be a place name or {expected}")
        return None
    sub = Fields(value, fields.path, fields.problems)
    name = sub.text("name", required=True)
    geo, osm = sub.text("geo"), sub.text("osm")
    if geo is not None and not _GEO.fullmatch(geo):
        sub.error("geo", f"'geo' must be a geo: URI like geo:51.5,-0.12, got {geo!r}")
        geo = None
    if osm is not None and not _OSM.fullmatch(osm):
        sub.error("osm", f"'osm' must be an OpenStreetMap id like R113314 or N123, got {osm!r}")
        osm = None
    sub.warn_unknown("name, geo, osm")
    return Location(name[:128], geo, osm) if name else None


def txt(fields: Fields) -> tuple[Txt, ...]:
    expected = "txt: [{text: ..., purpose: verify}]"
    value = fields.get("txt")
    if isinstance(value, str):
        return (Txt(value.strip()[:MAX_TXT]),) if value.strip() else ()
    found = []
    for item, line in _items(fields, "txt", expected):
        if isinstance(item, str):
            found.append(Txt(item.strip()[:MAX_TXT]))
            continue
        sub = _sub(fields, "txt", item, line, expected)
        if sub is None:
            continue
        text = sub.text("text", required=True)
        purpose = sub.text("purpose")
        sub.warn_unknown("text, purpose")
        if text and len(text) > MAX_TXT:
            sub.error("text", f"'txt' text is {len(text):,} characters; at most {MAX_TXT:,}")
        elif purpose and len(purpose) > MAX_PURPOSE:
            sub.error("purpose", f"'txt' purpose is at most {MAX_PURPOSE} characters")
        elif text:
            found.append(Txt(text, purpose))
    return tuple(found)


def seasons(fields: Fields) -> tuple[tuple[int, str], ...]:
    value = fields.get("seasons")
    if value is None:
        return ()
    if not isinstance(value, Mapping) or not all(
        isinstance(k, int) and not isinstance(k, bool) and k >= 1 and isinstance(v, str)
        for k, v in value.items()
    ):
        fields.error("seasons", "'seasons' must map season numbers to names (1: The first year)")
        return ()
    return tuple(sorted((k, v.strip()[:128]) for k, v in value.items() if v.strip()))


def episode_type(fields: Fields) -> str | None:
    value = fields.text("type")
    if value is None:
        return None
    if value.lower() not in EPISODE_TYPES:
        fields.error(
            "type", f"'type' must be {', '.join(EPISODE_TYPES[:-1])} or bonus, got {value!r}"
        )
        return None
    return value.lower()


def social(fields: Fields) -> tuple[Social, ...]:
    expected = "social: [{protocol: activitypub, uri: https://..., account: '@you@host'}]"
    found = []
    for item, line in _items(fields, "social", expected):
        sub = _sub(fields, "social", item, line, expected)
        if sub is None:
            continue
        protocol = sub.text("protocol", required=True)
        if protocol is not None and not re.fullmatch(r"[a-z0-9-]{1,32}", protocol):
            sub.error("protocol", f"'protocol' must be a word like activitypub, got {protocol!r}")
            protocol = None
        uri = None
        if protocol != "disabled":
            uri = _web_url(sub, "uri", "social")
        account = sub.text("account")
        account_url = _web_url(sub, "account_url", "social", required=False)
        priority = sub.integer("priority", minimum=1)
        sub.warn_unknown("protocol, uri, account, account_url, priority")
        if protocol is not None and (uri is not None or protocol == "disabled"):
            found.append(Social(protocol, uri, account, account_url, priority))
    return tuple(found)
