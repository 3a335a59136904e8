"""Why Cuepress reads WebVTT itself: its reader against webvtt-py on realistic episode files.

Run with ``make bench``. Each file is a synthetic episode of about 1,080 cues (about 60
characters of text each, some voice tags, about 9 % starting in the same second as the cue
before), the size of a long interview.
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import time

import webvtt

from generator.errors import Problems
from generator.transcripts import vtt

WORDS = (
    "the a tool library shelf ladder borrow return bench chisel kettle volunteer neighbour "
    "drill saw clamp spring garden sharpen winter catalogue shed workshop card box note"
).split()


def episode(seed: int, cues: int = 1080) -> str:
    """A deterministic WebVTT episode."""
    rng = random.Random(seed)
    parts = ["WEBVTT\n"]
    t = 0
    for n in range(cues):
        t += rng.choice((200, 400)) if rng.random() < 0.09 else rng.randint(1000, 4000)
        end = t + rng.randint(800, 3500)
        text = " ".join(rng.choice(WORDS) for _ in range(11))[:60]
        voice = f"<v Speaker {n % 3}>" if n % 25 == 0 else ""
        parts.append(f"\n{n + 1}\n{stamp(t)} --> {stamp(end)}\n{voice}{text}\n")
    return "".join(parts)


def stamp(ms: int) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def timed(label: str, run: object, files: list[str], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for text in files:
            run(text)  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    per_file = statistics.median(times) / len(files) * 1000
    print(f"{label:<22} {per_file:7.2f} ms per file   (median of {repeats}, {len(files)} files)")
    return per_file


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    files = [episode(seed) for seed in range(count)]
    size = sum(len(f) for f in files) / count / 1024
    print(f"WebVTT parsing, {count} episodes of 1,080 cues ({size:.0f} KiB each)")
    ours = timed("cuepress vtt reader", lambda t: vtt.parse(t, "x.vtt", Problems()), files)
    theirs = timed("webvtt-py", lambda t: list(webvtt.from_buffer(io.StringIO(t))), files)
    print(
        f"cuepress is {theirs / ours:.1f}x faster; a 560-episode archive: "
        f"{ours * 560 / 1000:.2f} s vs {theirs * 560 / 1000:.2f} s"
    )


if __name__ == "__main__":
    main()
