"""Lighthouse on a real-length episode page (1,000 segments), light and dark.

Usage: ``.venv/bin/python -m tools.lighthouse [--preset desktop,mobile] [--tries N] [--min 95]``
(``make lighthouse``; needs Lighthouse from npm, which ``make lighthouse-install`` puts in
``.cache/npm/``, and Debian's chromium). The site is built into a temporary folder and served on
127.0.0.1 under its sub-path, gzipped as GitHub Pages serves it (a report whose page was not
compressed is an error: uncompressed, the simulated phone network alone costs about a second of
First Contentful Paint). Dark mode is forced with Chromium's
``--blink-settings=preferredColorScheme=0`` (1 is light), which sets what
``prefers-color-scheme`` reports, so the page's own dark styles are what is scored.

``--preset`` takes Lighthouse's presets, comma-separated: ``desktop`` and ``mobile`` (its
default, a slow phone simulated on this machine's CPU). The performance score depends on how
busy the machine is (other processes lengthen the measured tasks), so a preset and scheme whose
scores fall below ``--min`` is run again, up to ``--tries`` times in all, and its best run
counts. Prints one line per preset and scheme with the four scores (0-100) and the number of
runs, and exits 1 if any is below ``--min``. ``--keep DIR`` keeps each report's JSON there.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generator.build import build
from tests.browser import chromium_path, serve
from tests.conftest import write_files

ROOT = Path(__file__).resolve().parent.parent
VERSION = "12.2.3"
LIGHTHOUSE = ROOT / ".cache/npm" / f"lighthouse-{VERSION}" / "node_modules/.bin/lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
RETRY_PAUSE_S = 5
SCHEMES = {"light": "1", "dark": "0"}  # Blink's preferredColorScheme: 0 dark, 1 light
SITE_YAML = """\
title: Test Show
base_url: https://example.test/show/
description: A show about borrowing tools, for measuring the episode page.
image: images/cover.png
"""


def make_site(root: Path) -> None:
    """A site with one 1,000-segment episode (the browser tests' long page)."""
    from tests.test_episode_page import png, silent_wav
    from tests.test_long_page import SEGMENTS, STEP_S, record

    write_files(root, {"site.yaml": SITE_YAML, "content/episodes/long.md": record()})
    (root / "static" / "images").mkdir(parents=True)
    (root / "static" / "images" / "cover.png").write_bytes(png())
    (root / "static" / "audio").mkdir()
    silent_wav(root / "static" / "audio" / "long.wav", SEGMENTS * STEP_S + 10)
    build(root)


def run(url: str, scheme: str, preset: str, out: Path) -> dict[str, int]:
    flags = "--headless --no-sandbox --disable-gpu --blink-settings=preferredColorScheme="
    flags += SCHEMES[scheme]
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={flags}",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": chromium_path()}
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    report = json.loads(out.read_text(encoding="utf-8"))
    document = report["audits"]["network-requests"]["details"]["items"][0]
    if document["transferSize"] * 2 > document["resourceSize"]:
        raise RuntimeError(f"the page was not served compressed, as Pages serves it: {document}")
    if os.environ.get("LIGHTHOUSE_FAILS"):
        for ref in (r for c in CATEGORIES for r in report["categories"][c]["auditRefs"]):
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                print(f"  {scheme}: {audit['id']} {audit['score']}: {audit['title']}")
    return {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}


def best_of(
    url: str, scheme: str, preset: str, out: Path, args: argparse.Namespace
) -> tuple[dict[str, int], int]:
    """The best of up to ``args.tries`` runs (the first that meets ``args.min`` ends it). A
    run again waits a few seconds first, so that a burst of other work can pass."""
    best: dict[str, int] = {}
    tries = 0
    while tries < max(1, args.tries) and (not best or min(best.values()) < args.min):
        if tries:
            time.sleep(RETRY_PAUSE_S)
        tries += 1
        scores = run(url, scheme, preset, out)
        if not best or sum(scores.values()) > sum(best.values()):
            best = scores
    return best, tries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="desktop", help="desktop,mobile: both")
    parser.add_argument("--min", type=int, default=95)
    parser.add_argument("--tries", type=int, default=1, help="runs at most, if below --min")
    parser.add_argument("--schemes", default="light,dark")
    parser.add_argument("--keep", type=Path, help="a folder to keep each report's JSON in")
    args = parser.parse_args(argv)
    presets = args.preset.split(",")
    if not set(presets) <= {"desktop", "mobile"}:
        parser.error(f"unknown preset in {args.preset}")
    if not LIGHTHOUSE.exists():
        print(f"no Lighthouse at {LIGHTHOUSE}: run make lighthouse-install", file=sys.stderr)
        return 2
    failed = False
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "site"
        make_site(root)
        with serve(root / "output", "/show/", compress=True) as url:  # as Pages serves it
            for preset in presets:
                for scheme in args.schemes.split(","):
                    out = (args.keep or Path(folder)) / f"lh-{preset}-{scheme}.json"
                    scores, tries = best_of(url + "episodes/long/", scheme, preset, out, args)
                    low = {k: v for k, v in scores.items() if v < args.min}
                    failed = failed or bool(low)
                    shown = " ".join(f"{k} {v}" for k, v in scores.items())
                    below = f"  BELOW {args.min}" if low else ""
                    runs = "1 run" if tries == 1 else f"best of {tries} runs"
                    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
                    print(f"{scheme} ({preset}): {shown} ({runs}; {load}){below}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
