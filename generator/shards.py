"""Sharded builds: ``cuepress build --shard K/N`` builds a share of a network's shows, and
``cuepress merge`` (generator/merge.py) joins the shares into the site one build makes.

Its words:

- The **share** of shard K of N: the network's shows dealt out greedily, the show with the
  most episode records first (ties by address), each to the shard with the fewest records so
  far (ties: the lowest K). Shares are balanced by records, and a pure function of the content:
  every machine that reads the same commit deals the same shares, so no scheduler is needed.
- A shard's **output** holds its shows' files, exactly as a whole build makes them: episode
  pages, embeds and downloads, each show's home (with paging), feed and chapters. A shard
  still reads every show's ``show.yaml`` and lists every show's records (both cheap), to deal
  the shares; it reads only its own shows' records and transcripts.
- The **manifest** (:data:`MANIFEST`, JSON, :data:`FORMAT`) in that output says what the merge
  needs to make the network's own pages without reading a transcript again: which shard of
  how many it is, the settings it was built with (:func:`settings_key`), its shows, its files,
  and each episode's metadata
  (the :class:`generator.models.Episode` fields, by :func:`encode` and :func:`decode`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import __version__, network
from generator.cache import digest_bytes
from generator.errors import Problems
from generator.models import Episode, Site
from generator.records import find_records
from generator.render import Renderer

MANIFEST = "cuepress-shard.json"  # no leading dot: actions/upload-artifact leaves those out
FORMAT = 1  # of the manifest: bump when what it holds, or how, changes


@dataclass(frozen=True)
class Shard:
    """Shard ``number`` of ``count`` (from 1)."""

    number: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``K/N`` (1 <= K <= N); ValueError saying what is wrong."""
        k, slash, n = text.partition("/")
        if not slash or not k.isdigit() or not n.isdigit() or not 1 <= int(k) <= int(n):
            raise ValueError(f"{text!r} is not K/N with 1 <= K <= N (say 2/3: the 2nd of 3)")
        return cls(int(k), int(n))

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"

    def share(
        self, site_dir: Path, site: Site, renderers: Sequence[Renderer], problems: Problems
    ) -> list[Renderer]:
        """The renderers of this shard's shows (see :func:`deal`), in the network's order; on
        a one-show site, none and an error."""
        if not site.network:
            problems.error(
                "site.yaml",
                None,
                f"--shard {self} builds a share of a network's shows, and this site has one "
                "show (content/episodes/); build it whole",
            )
            return []
        dealt = deal(site_dir, [r.site for r in renderers], self.count)[self.number - 1]
        return [r for r in renderers if r.site.show in dealt]


def deal(site_dir: Path, shows: Sequence[Site], count: int) -> list[set[str]]:
    """The addresses of each shard's shows, for ``count`` shards: the show with the most
    records first (ties by address), each to the shard with the fewest records so far (ties:
    the first)."""
    records = {
        show.show: len(find_records(site_dir / network.records_folder(show), site_dir))
        for show in shows
    }
    loads = [0] * count
    dealt: list[set[str]] = [set() for _ in range(count)]
    for show in sorted(records, key=lambda name: (-records[name], name)):
        least = min(range(count), key=lambda n: (loads[n], n))
        dealt[least].add(show)
        loads[least] += records[show]
    return dealt


def settings_key(key: str, shows: Iterable[Site]) -> str:
    """What a shard's pages and the merge's must agree on: the build's key (Cuepress, its
    libraries, site.yaml, the layouts, ``--drafts``: :func:`generator.build.build_key`) and
    every show's settings."""
    return digest_bytes(key.encode(), repr(tuple(shows)).encode())


def manifest(
    shard: Shard,
    key: str,
    drafts: bool,
    shows: Iterable[Site],
    built: Iterable[Site],
    episodes: Iterable[Episode],
    files: Iterable[str],
) -> bytes:
    """The shard's manifest: ``key`` is the build's (:func:`generator.build.build_key`),
    ``shows`` every show of the network, ``built`` the shard's, ``episodes`` its published
    episodes (with ``--drafts`` its drafts too), ``files`` every file of its output."""
    data = {
        "format": FORMAT,
        "cuepress": __version__,
        "shard": [shard.number, shard.count],
        "key": settings_key(key, shows),
        "drafts": drafts,
        "shows": [show.show for show in built],
        "files": sorted(name for name in files if name != MANIFEST),
        "episodes": [encode(episode) for episode in episodes],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


@dataclass(frozen=True)
class Manifest:
    """A shard's manifest, read back (see :func:`read_manifest`)."""

    folder: Path  # the shard's output
    shard: Shard
    cuepress: str
    key: str
    drafts: bool
    shows: tuple[str, ...]
    files: tuple[str, ...]
    episodes: tuple[Episode, ...]


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the shard output in ``folder``. ValueError saying what is wrong (the
    caller names the folder); the format is checked before anything else is read."""
    try:
        data = json.loads((folder / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise ValueError(
            f"no {MANIFEST}: not the output of cuepress build --shard K/N (or not all of it)"
        ) from None
    except (OSError, ValueError) as exc:
        raise ValueError(f"{MANIFEST} cannot be read ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise ValueError(
            f"{MANIFEST} is format {found!r}, and this Cuepress ({__version__}) reads format "
            f"{FORMAT}: build every shard and merge with one version of Cuepress"
        )
    try:
        number, count = data["shard"]
        return Manifest(
            folder=folder,
            shard=Shard(_typed(int, number), _typed(int, count)),
            cuepress=_typed(str, data["cuepress"]),
            key=_typed(str, data["key"]),
            drafts=_typed(bool, data["drafts"]),
            shows=tuple(_typed(str, show) for show in data["shows"]),
            files=tuple(_typed(str, name) for name in data["files"]),
            episodes=tuple(decode(Episode, episode) for episode in data["episodes"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{MANIFEST} holds something unexpected ({exc!r})") from None


# Episodes as JSON: every field of the frozen models, by name; dates as ISO text, tuples and
# named tuples as lists. decode() follows the fields' type hints, so a model's new field is
# carried without a line here.


def encode(value: Any) -> Any:
    """``value`` (a model, or a field's value) as JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [encode(item) for item in value]
    return value


def decode(hint: Any, value: Any) -> Any:
    """The value of type ``hint`` that :func:`encode` made ``value`` of; TypeError or
    ValueError when it is no such value."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        arms = [arm for arm in typing.get_args(hint) if arm is not type(None)]
        if value is None and len(arms) < len(typing.get_args(hint)):
            return None
        if len(arms) != 1:
            raise TypeError(f"cannot decode {hint}")
        return decode(arms[0], value)
    if origin is tuple:
        item, *rest = typing.get_args(hint)
        if rest != [Ellipsis]:
            raise TypeError(f"cannot decode {hint}")
        return tuple(decode(item, part) for part in _typed(list, value))
    if hint is dt.date:
        return dt.date.fromisoformat(_typed(str, value))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        mapping = _typed(dict, value)
        hints = _hints(hint)
        names = [f.name for f in dataclasses.fields(hint)]
        if set(mapping) != set(names):
            raise ValueError(f"{hint.__name__} has the fields {names}, not {sorted(mapping)}")
        return hint(**{name: decode(hints[name], mapping[name]) for name in names})
    if isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields"):
        items = _typed(list, value)
        hints = _hints(hint)
        if len(items) != len(hint._fields):
            raise ValueError(f"{hint.__name__} has {len(hint._fields)} fields, not {len(items)}")
        return hint(*(decode(hints[name], v) for name, v in zip(hint._fields, items, strict=True)))
    if hint in (str, int, bool):
        return _typed(hint, value)
    raise TypeError(f"cannot decode {hint}")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


T = typing.TypeVar("T")


def _typed(kind: type[T], value: object) -> T:
    """``value``, which must be a ``kind`` (and no bool where a number is meant)."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


__all__ = ["FORMAT", "MANIFEST", "Manifest", "Shard", "deal", "decode", "encode", "manifest"]
