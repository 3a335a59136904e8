"""Importing feeds shaped as real hosts write them (``tests/feeds/HOST/feed.xml``, original words),
served with their transcripts and chapters by a real HTTP server on 127.0.0.1, against what each
feed states (``tests/feeds/HOST/expected.json``); then building the site and reading both feeds
with feedparser and podcastparser."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import feedparser
import podcastparser
import pytest

from generator import transcripts, yamlfile
from generator.build import build
from generator.errors import CuepressError, Problems
from generator.importer import FORMS, STATE_FILE, import_feed
from generator.records import split_front_matter
from generator.timecodes import parse_time
from tests.feedserver import FEEDS, FeedServer, serve

HOSTS = sorted(p.parent.name for p in FEEDS.glob("*/feed.xml"))


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with serve() as running:
        yield running


def fill(value: Any, base: str) -> Any:
    return json.loads(json.dumps(value).replace("{{BASE}}", base))


def readable(url: str, kind: str, server: FeedServer) -> bytes | None:
    """The body at ``url`` if Cuepress reads it as a transcript of that form (the importer's
    own reader, as the build uses it), else None."""
    path = urlsplit(url).path.lstrip("/")
    body = server.body(path)
    suffix = dict((t, s) for s, types in FORMS for t in types).get(kind)
    suffix = suffix or PurePosixPath(path).suffix
    if body is None or suffix not in transcripts.READERS:
        return None
    try:
        transcripts.read_data(body, transcripts.READERS[suffix], url, Problems())
    except CuepressError:
        return None
    return body


def record_data(path: Path) -> tuple[dict[str, Any], str]:
    front, body, _ = split_front_matter(path.read_text(), path.name)
    return yamlfile.load(front, path.name), body


@pytest.mark.parametrize("host", HOSTS)
def test_host_feed_imports_as_it_states(host: str, server: FeedServer, tmp_path: Path) -> None:
    expected = fill(json.loads((FEEDS / host / "expected.json").read_text()), server.base)
    site = tmp_path / "site"
    result = import_feed(f"{server.base}{host}/feed.xml", site, timeout=5, retries=0)
    state = json.loads((site / STATE_FILE).read_text())["items"]
    warnings = "\n".join(str(p) for p in result.problems.warnings)

    channel = expected["channel"]
    settings = yamlfile.load((site / "site.yaml").read_text(), "site.yaml")
    assert settings["title"] == channel["title"]
    assert settings["description"].startswith(channel["description_starts"])
    for key in ("language", "author", "image", "copyright", "podcast_guid"):
        if channel.get(key) is not None:
            assert settings[key] == channel[key], key
    assert settings["categories"] == [
        c for c in channel["categories"] if c in settings["categories"]
    ]
    assert settings.get("explicit") == channel["explicit"]

    items = [i for i in expected["items"] if not i.get("duplicate_of")]
    assert sorted(state) == sorted(i["guid"] for i in items)
    for item in items:
        entry = state[item["guid"]]
        data, notes = record_data(site / entry["record"])
        where = f"{host} {item['guid']}"
        assert data["title"] == item["title"], where
        assert data["guid"] == item["guid"], where
        assert data["date"] == item["date"], where
        assert data.get("number") == item["number"], where
        assert data.get("season") == item["season"], where
        seconds = parse_time(data["duration"]) // 1000 if "duration" in data else None
        assert seconds == item["duration_seconds"], where
        if item["audio"] is None:
            assert "audio" not in data, where
        else:
            audio = {k: v for k, v in item["audio"].items() if v is not None}
            assert data["audio"] == audio, where
        assert data.get("explicit") == item["explicit"], where
        assert data.get("image") == item["image"], where
        assert data.get("hosts", []) == item["hosts"], where
        assert data.get("guests", []) == item["guests"], where
        for phrase in item.get("notes_contains", []):
            assert phrase in notes, f"{where}: {phrase!r} not in the notes"
        for phrase in item.get("notes_excludes", []):
            assert phrase not in notes, f"{where}: {phrase!r} in the notes"

        chapters = data.get("chapters", [])
        if item["chapters"]["source"] is None:
            assert chapters == [], where
        else:
            assert chapters[0]["title"] == item["chapters"]["first_title"], where
            # Chapters marked toc: false are art for players, not a table of contents.
            assert 0 < len(chapters) <= item["chapters"]["count"], where

        offered = [(t["url"], t["type"]) for t in item["transcripts"]]
        bodies = [readable(url, kind, server) for url, kind in offered]
        ranked = sorted(
            (rank, body)
            for body, (url, kind) in zip(bodies, offered, strict=True)
            if body is not None
            for rank in [next((n for n, (_, ts) in enumerate(FORMS) if kind in ts), 9)]
        )
        sidecars = [
            p for p in (site / entry["record"]).parent.glob(Path(entry["record"]).stem + ".*")
        ]
        sidecars = [p for p in sidecars if p.suffix != ".md"]
        if ranked:
            assert [p.read_bytes() for p in sidecars] == [ranked[0][1]], where
        else:
            assert sidecars == [], where
            if offered:
                assert item["title"][:40] in warnings, where

    built = build(site)
    # Only what the host's own files hold may draw a warning: audio it gave no length for, and
    # text of its transcript pages that is not transcript (a page title, say).
    assert all("audio's" in p.message or not p.path.endswith(".md") for p in built.warnings), (
        built.warnings
    )
    old = feedparser.parse(server.body(f"{host}/feed.xml"))
    new = feedparser.parse((site / "output/feed.xml").read_bytes())
    assert not new.bozo

    def episodes(parsed: Any) -> list[tuple[str, str]]:
        return sorted({(e.id, e.enclosures[0].href) for e in parsed.entries if e.get("enclosures")})

    # The old feed's enclosure URLs as apps resolve them (protocol-relative and relative ones
    # against the feed's address), since that is what subscribers have.
    resolved = [(i["guid"], i["audio"]["url"]) for i in items if i["audio"] is not None]
    assert episodes(new) == sorted(resolved)
    assert {e.id for e in old.entries if e.get("enclosures")} >= {g for g, _ in resolved}
    if channel.get("podcast_guid"):
        assert new.feed.podcast_guid == channel["podcast_guid"]
    with (site / "output/feed.xml").open("rb") as stream:
        gpodder = podcastparser.parse("feed.xml", stream)
    assert sorted(e["guid"] for e in gpodder["episodes"]) == sorted(g for g, _ in resolved)


HOSTILE = json.loads((FEEDS / "hostile" / "expected.json").read_text())


@pytest.mark.parametrize("name", sorted(k for k in HOSTILE if not k.startswith("_")))
def test_hostile_feed(name: str, server: FeedServer, tmp_path: Path) -> None:
    """Each hostile feed gives its message or warnings, and nothing lands outside the site."""
    expected = fill(HOSTILE[name], server.base)
    site = tmp_path / "site"
    process = subprocess.run(
        [sys.executable, "-m", "generator", "import", f"{server.base}hostile/{name}"]
        + ["--site", str(site), "--timeout", "1"],
        capture_output=True,
        text=True,
        env=os.environ | {"CI": "true"},
        timeout=120,
    )
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["site"])
    if expected["outcome"] == "error":
        assert process.returncode == 1, process.stderr
        assert process.stderr.endswith("Import failed; nothing was written.\n")
        assert not site.exists()
        return
    assert process.returncode == 0, process.stderr
    if "warnings_mention" in expected:
        assert expected["warnings_mention"] in process.stderr
    state = json.loads((site / STATE_FILE).read_text())["items"]
    assert len(state) == expected["episodes"]
    for item in expected.get("items", []):
        entry = state[item["guid"]]
        if "transcript_written" in item:
            assert bool(entry.get("transcript")) == item["transcript_written"], item["guid"]
    for path in site.rglob("*"):
        relative = path.relative_to(site)
        assert path.resolve().is_relative_to(site.resolve())
        for part in relative.parts:
            assert part not in expected.get("forbidden_path_components", []), relative
            assert len(part.encode()) <= expected.get("max_component_bytes", 255)
        if relative.parts[0] == "content":
            for bad in expected.get("forbidden_in_path", []):
                assert bad not in str(relative), relative
    assert (
        subprocess.run(
            [sys.executable, "-m", "generator", "build", "--site", str(site)], capture_output=True
        ).returncode
        == 0
    )
    written = [
        p
        for p in (site / "output").rglob("*")
        if p.is_file() and "assets" not in p.parts and "pagefind" not in p.parts
    ]
    for path in written:
        text = path.read_bytes().decode("utf-8", "replace")
        for bad in expected.get("must_not_appear", []):
            assert bad not in text, f"{bad!r} in {path.relative_to(site)}"
