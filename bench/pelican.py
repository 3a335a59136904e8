"""The same archive as a Pelican project, for the paired cold builds of :mod:`bench.build`.

``python -m bench.pelican SITE`` turns a Cuepress site (records with front matter and WebVTT
sidecars, as :mod:`bench.archive` makes them) into a Pelican project: one Markdown article per
episode, with its title, date, tags and summary, and the transcript's text in it as a blog
post would hold it: a paragraph per speaker turn (a new one at each ``<v Speaker>``, and after
at most 40 cues), without times, which Pelican has no way to link to. (A paragraph per cue
costs Python-Markdown about four times as much: 39 s of CPU for 560 episodes, against 10.6 s,
on the benchmark machine.) Pelican 4 with its default theme and settings, pages of 20
articles as Cuepress's index, no cache. The project is deterministic and made once per
archive, under ``bench/corpus/`` beside it (git-ignored).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

VERSION = 3  # bump when the recipe changes, so cached projects are remade

SETTINGS = """\
# Made by bench/pelican.py: the benchmark archive as a Pelican project.
AUTHOR = "Bench"
SITENAME = "The Long Archive"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 20  # as Cuepress's episodes_per_page
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
"""

_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
_CUE = re.compile(r"^[\d:.]+ --> [^\n]*\n(.+?)(?:\n\n|\n?\Z)", re.M | re.S)
TURN = 40  # cues in a paragraph at most
_TAG = re.compile(r"<[^>]*>")
_VOICE = re.compile(r"<v(?:\.[^ >]*)? ([^>]*)>")


def article(record: str, vtt: str | None, slug: str) -> str:
    """One episode as a Pelican Markdown article."""
    found = _FRONT.match(record)
    if found is None:
        raise ValueError(f"{slug}: no front matter")
    front, summary = found.groups()
    fields = dict(
        line.split(": ", 1) for line in front.splitlines() if ": " in line and line[0] != " "
    )
    tags = fields.get("tags", "").strip("[]")
    lines = [
        f"Title: {fields['title']}",
        f"Date: {fields['date']}",
        f"Slug: {slug}",
        f"Tags: {tags}",
        f"Summary: {summary.strip()}",
        "",
        summary.strip(),
        "",
    ]
    turn: list[str] = []
    speaker = None
    for text in _CUE.findall(vtt or ""):
        voice = _VOICE.match(text)
        said_by = voice.group(1) if voice else speaker  # a cue without a voice goes on a turn
        if turn and (said_by != speaker or len(turn) == TURN):
            lines.append(" ".join(turn) + "\n")
            turn = []
        speaker = said_by
        turn.append(" ".join(_TAG.sub("", text).split()))
    if turn:
        lines.append(" ".join(turn) + "\n")
    return "\n".join(lines)


def make(site: Path) -> Path:
    """The Pelican project of the Cuepress site ``site``, made if missing."""
    project = site.with_name(f"pelican-{site.name}-v{VERSION}")
    done = project / ".complete"
    if done.exists():
        return project
    content = project / "content"
    content.mkdir(parents=True, exist_ok=True)
    (project / "pelicanconf.py").write_text(SETTINGS)
    for record in sorted((site / "content" / "episodes").glob("*.md")):
        vtt = record.with_suffix(".vtt")
        text = vtt.read_text(encoding="utf-8") if vtt.exists() else None
        page = article(record.read_text(encoding="utf-8"), text, record.stem)
        (content / record.name).write_text(page, encoding="utf-8")
    done.write_text("")
    return project


if __name__ == "__main__":
    print(make(Path(sys.argv[1])))
