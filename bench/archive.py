"""A deterministic synthetic podcast archive for benchmarks (original text, no real transcripts).

``python -m bench.archive [EPISODES] [FOLDER] [--words]`` writes a site of EPISODES records, each
with a WebVTT sidecar of about 1,080 cues (cue text about 60 characters, about 9 % of cues
starting in the same whole second as the one before, a few ``<v Speaker>`` tags): 560 episodes
make about 55 MB of transcripts. With ``--words``, each sidecar is instead word-level Podcast
Index JSON as Buzzsprout and Podnews publish it: one segment per word, every one with its
speaker, as one line of JSON; 1,080 sentences (about 10,500 words, an hour) an episode, in
turns of a few sentences, with a pause of over two seconds now and then: 560 episodes make
about 560 MB. Made once per size and kind and cached under ``bench/corpus/`` (git-ignored).
"""

from __future__ import annotations

import json
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


def words(rng: random.Random, sentences: int = 1080) -> str:
    """Word-level Podcast Index JSON: a turn of one to nine sentences per speaker, each word a
    segment timed by its length, a pause between sentences and one of 2.5 s every 25 or so."""
    segments: list[dict[str, object]] = []
    t = rng.randint(0, 3000)
    speaker = SPEAKERS[0]
    for n in range(sentences):
        if n and rng.random() < 0.2:  # a new turn
            speaker = rng.choice([s for s in SPEAKERS if s != speaker])
        for word in sentence(rng).split():
            length = 60 + 30 * len(word) + rng.randint(0, 60)
            segments.append(
                {
                    "speaker": speaker,
                    "startTime": t / 1000,
                    "endTime": (t + length) / 1000,
                    "body": word,
                }  # fmt: skip
            )
            t += length + rng.randint(10, 40)
        t += 2500 if rng.random() < 0.04 else rng.randint(150, 600)
    data = {"version": "1.0.0", "segments": segments}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


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


def make(episodes: int, folder: Path | None = None, *, word_level: bool = False) -> Path:
    """The site folder of an archive of ``episodes`` episodes, made if missing; with
    ``word_level``, of word-level JSON transcripts instead of WebVTT."""
    kind = "words-" if word_level else ""
    site = folder or CORPUS / f"archive-{kind}{episodes}-v{VERSION}"
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
        if word_level:
            name.with_suffix(".json").write_text(words(rng))
        else:
            name.with_suffix(".vtt").write_text(transcript(rng))
    done.write_text("")
    return site


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--words"]
    count = int(arguments[0]) if arguments else 560
    target = Path(arguments[1]) if len(arguments) > 1 else None
    print(make(count, target, word_level="--words" in sys.argv))
