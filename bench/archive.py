"""A deterministic synthetic podcast archive for benchmarks (original text, no real transcripts).

``python -m bench.archive [EPISODES] [FOLDER]`` writes a site of EPISODES records, each with a
WebVTT sidecar of about 1,080 cues (cue text about 60 characters, about 9 % of cues starting in
the same whole second as the one before, a few ``<v Speaker>`` tags): 560 episodes make about
55 MB of transcripts. Made once per size and cached under ``bench/corpus/`` (git-ignored).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
VERSION = 1  # bump when the recipe changes, so cached archives are remade

WORDS = (
    "archive borrow bench bicycle bread bridge candle catalogue chisel clamp community council "
    "drill evening festival garden grandmother hammer harbour kettle ladder lantern library "
    "market neighbour night orchard paint pattern quiet radio repair river saturday shed shelf "
    "signal spring station story tide tool town volunteer weather window winter workshop "
    "a and the of to in we it was they said about really just then so because maybe"
).split()
SPEAKERS = ("Maren Okafor", "Teodor Vask", "Guest Speaker")


def stamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def sentence(rng: random.Random) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < 60:
        words.append(rng.choice(WORDS))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def transcript(rng: random.Random, cues: int = 1080) -> str:
    parts = ["WEBVTT\n"]
    t = rng.randint(0, 3000)
    for n in range(cues):
        t += rng.randint(100, 800) if rng.random() < 0.09 else rng.randint(1500, 4200)
        end = t + rng.randint(1200, 3800)
        voice = f"<v {SPEAKERS[n // 40 % 3]}>" if n % 40 == 0 else ""
        parts.append(f"\n{stamp(t)} --> {stamp(end)}\n{voice}{sentence(rng)}\n")
    return "".join(parts)


def record(number: int, rng: random.Random) -> str:
    year = 2015 + number // 52
    day = number % 52 * 7 % 365
    month, dom = 1 + day // 31, 1 + day % 28
    tags = ", ".join(sorted({rng.choice(WORDS[:40]) for _ in range(3)}))
    return (
        f"---\ntitle: Episode {number + 1}, {sentence(rng)[:40].rstrip('.')}\n"
        f"date: {year}-{month:02d}-{dom:02d}\nnumber: {number + 1}\nduration: '55:00'\n"
        f"audio: https://media.example.com/ep{number + 1}.mp3\n"
        f"hosts: [Maren Okafor, Teodor Vask]\ntags: [{tags}]\n---\n"
        f"{sentence(rng)} {sentence(rng)}\n"
    )


def make(episodes: int, folder: Path | None = None) -> Path:
    """The site folder of an archive of ``episodes`` episodes, made if missing."""
    site = folder or CORPUS / f"archive-{episodes}-v{VERSION}"
    done = site / ".complete"
    if done.exists():
        return site
    (site / "content" / "episodes").mkdir(parents=True, exist_ok=True)
    (site / "site.yaml").write_text(
        "title: The Long Archive\nbase_url: https://example.github.io/archive/\n"
        "description: A synthetic archive for benchmarks.\nsearch: false\n"
    )
    for number in range(episodes):
        rng = random.Random(number)
        name = site / "content" / "episodes" / f"ep{number + 1:04d}"
        name.with_suffix(".md").write_text(record(number, rng))
        name.with_suffix(".vtt").write_text(transcript(rng))
    done.write_text("")
    return site


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 560
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    print(make(count, target))
