"""A deterministic synthetic podcast archive for benchmarks (original text, no real transcripts).

``python -m bench.archive [EPISODES] [FOLDER] [--words]`` writes a site of EPISODES records, each
with a WebVTT sidecar of about 1,080 cues (cue text about 60 characters, about 9 % of cues
starting in the same whole second as the one before, a few ``<v Speaker>`` tags): 560 episodes
make about 55 MB of transcripts. With ``--words``, each sidecar is instead word-level Podcast
Index JSON as Buzzsprout and Podnews publish it: one segment per word, every one with its
speaker, as one line of JSON; 1,080 sentences (about 10,500 words, an hour) an episode, in
turns of a few sentences, with a pause of over two seconds now and then: 560 episodes make
about 560 MB. With ``--real``, each sidecar is WebVTT shaped as real tools write it, which the
plain kind flatters (one fast path reads all of it): a third each of YouTube's automatic
captions (a header, ``align:start position:0%`` on every cue, rolling two-line cues with inline
word times in ``<c>`` tags and 10 ms cues between them), Whisper's short cues, and an editor's
export (a STYLE block, NOTE blocks between cues, ``<v>`` on every cue, two-line cues, ``<i>``,
character references), in a vocabulary of about 3,200 made-up words. With ``--vocabulary``
(the search benchmark's archive), the plain kind's cues are drawn instead from a vocabulary of
50,000 made-up words with Zipf's law (the word of rank r said about r^-1.2 times as often as the
first), so that an hour holds about 1,800 distinct words as real talk does (the plain kind's
60 words flatter a search index); the 60 words come first, so "ladder" is still said in every
episode. Made once per size and kind and cached under ``bench/corpus/`` (git-ignored).
"""

from __future__ import annotations

import functools
import itertools
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


def transcript(rng: random.Random, cues: int = 1080, *, large: bool = False) -> str:
    """WebVTT of ``cues`` cues of about 60 characters each, from the 60 words or (``large``)
    from :func:`large_vocabulary`."""
    parts = ["WEBVTT\n"]
    t = rng.randint(0, 3000)
    for n in range(cues):
        t += rng.randint(100, 800) if rng.random() < 0.09 else rng.randint(1500, 4200)
        end = t + rng.randint(1200, 3800)
        voice = f"<v {SPEAKERS[n // 40 % 3]}>" if n % 40 == 0 else ""
        said = zipf_sentence(rng) if large else sentence(rng)
        parts.append(f"\n{stamp(t)} --> {stamp(end)}\n{voice}{said}\n")
    return "".join(parts)


LARGE = 50_000  # words in the large vocabulary
ZIPF = 1.2  # its exponent: about 1,800 distinct words in an hour of about 9,000


@functools.cache
def large_vocabulary() -> tuple[list[str], list[float]]:
    """50,000 made-up words, most common first (the 60 words of WORDS, then words of two to
    four syllables), and their cumulative Zipf weights for ``random.choices``."""
    syllables = (
        "ka lo mi ren tas vel dor in sha pu fe gri ot las mon ber ti zu ard ne bo che dal fi gan "
        "hu jor kel lum nar op pre qua ros sel tor ul vin wy xa yel zor"
    ).split()
    rng = random.Random(LARGE)
    made = dict.fromkeys(WORDS)
    while len(made) < LARGE:
        made["".join(rng.choices(syllables, k=rng.choice((2, 2, 3, 3, 3, 4))))] = None
    weights = itertools.accumulate(rank**-ZIPF for rank in range(1, LARGE + 1))
    return list(made), list(weights)


def zipf_sentence(rng: random.Random) -> str:
    """A sentence of about 60 characters from the large vocabulary."""
    vocabulary, weights = large_vocabulary()
    words: list[str] = []
    length = 0
    while length < 60:  # words are drawn eight at a time: drawing is most of the time
        for word in rng.choices(vocabulary, cum_weights=weights, k=8):
            words.append(word)
            length += len(word) + 1
            if length >= 60:
                break
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


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


SYLLABLES = "ka lo mi ren tas vel dor in sha pu fe gri ot las mon ber ti zu ard ne".split()
VOCABULARY = sorted(
    {"".join(random.Random(n).choices(SYLLABLES, k=1 + n % 3 + n % 2)) for n in range(6000)}
)
random.Random(0).shuffle(VOCABULARY)  # which words are common: not the alphabet's first


def spoken(rng: random.Random, words: int) -> list[str]:
    """Words drawn from the vocabulary, the word of rank r about 1/r as often as the first
    (Zipf's law)."""
    count = len(VOCABULARY)
    return [VOCABULARY[int(count ** rng.random()) - 1] for _ in range(words)]


def real_transcript(rng: random.Random, number: int) -> str:
    """An hour of WebVTT as one of three real tools writes it (see the module's docstring)."""
    kind = number % 3
    t = rng.randint(0, 3000)
    if kind == 0:  # YouTube's automatic captions: rolling lines, word times inline
        parts = ["WEBVTT\nKind: captions\nLanguage: en\n"]
        shown = ""
        for _ in range(1400):
            words = spoken(rng, rng.randint(3, 9))
            length = 250 * len(words) + rng.randint(0, 600)
            timed = words[0] + "".join(
                f"<{stamp(t + 250 * i)}><c> {word}</c>" for i, word in enumerate(words[1:], 1)
            )
            settings = " align:start position:0%"
            parts.append(
                f"\n{stamp(t)} --> {stamp(t + length)}{settings}\n{shown or ' '}\n{timed}\n"
            )
            shown = " ".join(words)
            t += length
            parts.append(f"\n{stamp(t)} --> {stamp(t + 10)}{settings}\n{shown}\n \n")
            t += 10
        return "".join(parts)
    if kind == 1:  # Whisper: short cues, no speakers
        parts = ["WEBVTT\n"]
        for _ in range(1500):
            words = spoken(rng, rng.randint(2, 10))
            length = rng.randint(900, 3200)
            parts.append(f"\n{stamp(t)} --> {stamp(t + length)}\n{' '.join(words).capitalize()}.\n")
            t += length + rng.choice((0, 0, 0, 120, 400))
        return "".join(parts)
    parts = ["WEBVTT\n\nSTYLE\n::cue { color: white; }\n\nNOTE exported by an editor\n"]
    speaker = SPEAKERS[0]
    for n in range(1080):
        if rng.random() < 0.15:
            speaker = rng.choice(SPEAKERS)
        if n % 50 == 0:
            parts.append(f"\nNOTE chapter {n // 50 + 1}\n")
        words = spoken(rng, rng.randint(8, 16))
        if rng.random() < 0.05:
            words[2] = f"<i>{words[2]}</i>"
        if rng.random() < 0.05:
            words[4] = "&amp;"
        half = len(words) // 2
        text = f"{' '.join(words[:half])}\n{' '.join(words[half:])}".capitalize()
        length = rng.randint(1800, 5200)
        parts.append(f"\n{n + 1}\n{stamp(t)} --> {stamp(t + length)}\n<v {speaker}>{text}.\n")
        t += length + rng.randint(0, 300)
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


def make(
    episodes: int,
    folder: Path | None = None,
    *,
    word_level: bool = False,
    real: bool = False,
    vocabulary: bool = False,
) -> Path:
    """The site folder of an archive of ``episodes`` episodes, made if missing; with
    ``word_level``, of word-level JSON transcripts instead of WebVTT; with ``real``, of WebVTT
    shaped as real tools write it; with ``vocabulary``, of plain WebVTT in the large
    vocabulary."""
    kind = "words-" if word_level else "real-" if real else "vocabulary-" if vocabulary else ""
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
        elif real:
            name.with_suffix(".vtt").write_text(real_transcript(rng, number))
        else:
            name.with_suffix(".vtt").write_text(transcript(rng, large=vocabulary))
    done.write_text("")
    return site


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a not in ("--words", "--real", "--vocabulary")]
    count = int(arguments[0]) if arguments else 560
    target = Path(arguments[1]) if len(arguments) > 1 else None
    kinds = {"word_level": "--words", "real": "--real", "vocabulary": "--vocabulary"}
    print(make(count, target, **{key: flag in sys.argv for key, flag in kinds.items()}))
