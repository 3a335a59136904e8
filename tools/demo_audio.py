#!/usr/bin/env python3
"""Synthesise demo podcast audio from a Podcast Index JSON transcript.

Usage:
    python tools/demo_audio.py TRANSCRIPT.json OUT.mp3 [--duration SECONDS]
                               [--voice "Speaker Name=espeak-voice" ...]

The transcript is the Podcast Index format that Cuepress writes to
``output/episodes/<slug>/transcript.json``::

    {"version": "1.0.0",
     "segments": [{"speaker": "Ana", "startTime": 0.0, "endTime": 3.2, "body": "..."}]}

Each segment's ``body`` is spoken by espeak-ng and placed at its
``startTime``, with silence in between, so the words are heard when the
transcript says.  Speakers get voices from ``VOICES`` in order of first
appearance (a segment without a speaker keeps the previous voice); ``--voice``
overrides that for a named speaker.  Speech that would run into the next
segment is sped up with sox ``tempo``.  The result is a mono 22050 Hz,
24 kbit/s MP3 written by ffmpeg (libmp3lame) with no metadata, so the same
transcript always gives the same bytes.

Needs the command line programs espeak-ng, sox and ffmpeg
(Debian: ``apt-get install espeak-ng sox ffmpeg``).  Prints the duration.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

RATE = 22050  # Hz, mono, 16-bit
WPM = 165  # espeak-ng speaking rate (words per minute)
TAIL = 1.0  # seconds of silence after the last segment by default
MARGIN = 0.05  # seconds kept free before the next segment starts
BITRATE = "24k"
VOICES = ["en-gb+f2", "en-us+m3", "en+m5", "en-us+f4", "en-gb+m1", "en+f3"]


def run(*cmd, **kwargs):
    """Run a command, exiting with its error output if it fails."""
    proc = subprocess.run(cmd, capture_output=True, **kwargs)
    if proc.returncode:
        sys.exit(f"{cmd[0]} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def speak(text, voice, path, tempo=1.0):
    """Speak `text` with espeak-ng; return 16-bit mono PCM frames at RATE."""
    raw = path.with_suffix(".raw.wav")
    run(
        "espeak-ng",
        "-v",
        voice,
        "-s",
        str(WPM),
        "-w",
        str(raw),
        "--stdin",
        input=text.encode("utf-8"),
    )
    effects = ["tempo", "-s", f"{tempo:.4f}"] if tempo != 1.0 else []
    # -R and -D keep sox repeatable (no random dither), so output is bit-exact.
    run(
        "sox",
        "-R",
        "-D",
        str(raw),
        "-r",
        str(RATE),
        "-c",
        "1",
        "-b",
        "16",
        str(path),
        "gain",
        "-n",
        "-3",
        *effects,
    )
    with wave.open(str(path)) as w:
        return w.readframes(w.getnframes())


def load_segments(path):
    """Return the transcript's non-empty segments, sorted by start time."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    segments = [s for s in data.get("segments", []) if str(s.get("body", "")).strip()]
    if not segments:
        sys.exit(f"{path}: no segments with a body")
    return sorted(segments, key=lambda s: float(s["startTime"]))


def assign_voices(segments, overrides):
    """Map each segment to a voice: overrides first, then VOICES by first appearance."""
    voices, chosen, current = dict(overrides), [], VOICES[0]
    for seg in segments:
        name = seg.get("speaker")
        if name:
            if name not in voices:
                used = sum(1 for n in voices if n not in overrides)
                voices[name] = VOICES[used % len(VOICES)]
            current = voices[name]
        chosen.append(current)
    return chosen


def synthesise(segments, voices, tmp, duration=None):
    """Return the whole episode as 16-bit mono PCM bytes."""
    pcm = bytearray()
    for i, (seg, voice) in enumerate(zip(segments, voices, strict=True)):
        start = float(seg["startTime"])
        if i + 1 < len(segments):
            limit = float(segments[i + 1]["startTime"])
        else:
            limit = duration if duration is not None else float("inf")
        window = limit - start - MARGIN
        wav = tmp / f"seg{i:04d}.wav"
        frames = speak(seg["body"], voice, wav)
        length = len(frames) / 2 / RATE
        if length > window > 0:
            factor = length / window
            if factor > 1.6:
                print(f"warning: segment {i} sped up x{factor:.2f}", file=sys.stderr)
            frames = speak(seg["body"], voice, wav, tempo=factor)
        offset = max(round(start * RATE) * 2, len(pcm))  # never overlap speech
        pcm.extend(bytes(offset - len(pcm)))
        pcm.extend(frames)
    speech_end = len(pcm) / 2 / RATE
    if duration is None:
        duration = max(speech_end, float(segments[-1].get("endTime") or 0)) + TAIL
    elif duration < speech_end:
        sys.exit(f"--duration {duration} is shorter than the speech ({speech_end:.2f} s)")
    target = round(duration * RATE) * 2
    pcm.extend(bytes(target - len(pcm)))
    return bytes(pcm[:target])


def encode(pcm, tmp, out):
    """Write `pcm` to `out` as a reproducible MP3."""
    wav = tmp / "episode.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    run(
        "ffmpeg",
        "-nostdin",
        "-y",
        "-v",
        "error",
        "-i",
        str(wav),
        "-map_metadata",
        "-1",
        "-fflags",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-ac",
        "1",
        "-ar",
        str(RATE),
        "-c:a",
        "libmp3lame",
        "-b:a",
        BITRATE,
        str(out),
    )
    probe = run(
        "ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(out)
    )
    return float(probe.decode().strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("transcript", help="Podcast Index JSON transcript")
    parser.add_argument("out", help="MP3 file to write")
    parser.add_argument(
        "--duration",
        type=float,
        help=f"total length in seconds (default: last segment end + {TAIL:g}s)",
    )
    parser.add_argument(
        "--voice",
        action="append",
        default=[],
        metavar="NAME=VOICE",
        help="espeak-ng voice for a speaker, e.g. 'Ana Ruiz=en-gb+f2'",
    )
    args = parser.parse_args()
    overrides = dict(v.split("=", 1) for v in args.voice)

    segments = load_segments(args.transcript)
    voices = assign_voices(segments, overrides)
    with tempfile.TemporaryDirectory(prefix="demo_audio-") as tmp:
        pcm = synthesise(segments, voices, Path(tmp), args.duration)
        seconds = encode(pcm, Path(tmp), args.out)
    minutes, secs = divmod(round(seconds), 60)
    print(
        f"{args.out}: {seconds:.2f} s ({minutes}:{secs:02d}), {Path(args.out).stat().st_size} bytes"
    )


if __name__ == "__main__":
    main()
