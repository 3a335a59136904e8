"""How long `cuepress import` takes to bring in a large show from its host.

Run with ``make bench``: ``python -m bench.importing ITEMS [RUNS]``. A local host on 127.0.0.1
(``tests/feedserver.py``, real sockets) serves a generated feed of ITEMS episodes, each with a
WebVTT transcript of about 1,080 cues (as ``bench.parsers`` makes them), a JSON transcript offered
beside it, and JSON chapters for every other episode. Each run is a whole
``python -m generator import`` process into an empty folder, then a check that every record and
transcript arrived; the median of the runs is reported, with a re-import of the same feed
(nothing new: every record is compared, nothing is fetched again).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.parsers import episode
from tests.feedserver import FeedServer, serve

NS = (
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
    'xmlns:podcast="https://podcastindex.org/namespace/1.0" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/"'
)


def show(server: FeedServer, items: int) -> str:
    """Put a show of ``items`` episodes on ``server``; returns the feed's URL."""
    base = server.base
    parts = []
    for n in range(items, 0, -1):
        server.files[f"big/t/{n}.vtt"] = episode(n).encode()
        chapters = ""
        if n % 2:
            server.files[f"big/c/{n}.json"] = json.dumps(
                {
                    "version": "1.2.0",
                    "chapters": [
                        {"startTime": s * 300, "title": f"Part {s + 1}"} for s in range(8)
                    ],
                }
            ).encode()
            chapters = (
                f'<podcast:chapters url="{base}big/c/{n}.json" type="application/json+chapters"/>'
            )
        day = 1 + n % 28
        parts.append(
            f"""<item><title>Episode {n}: a conversation about tools, number {n}</title>
<guid isPermaLink="false">bench-{n:05d}</guid>
<pubDate>Mon, {day:02d} Jun 2026 10:00:00 +0000</pubDate>
<itunes:duration>1:02:03</itunes:duration><itunes:episode>{n}</itunes:episode>
<enclosure url="https://media.example.net/bench/{n}.mp3" length="{40_000_000 + n}"
 type="audio/mpeg"/>
<content:encoded><![CDATA[<p>Show notes for episode {n}, with
<a href="https://example.org/{n}">a link</a> and a list:</p>
<ul><li>one thing</li><li>another</li></ul>]]></content:encoded>
<podcast:transcript url="{base}big/t/{n}.json" type="application/json"/>
<podcast:transcript url="{base}big/t/{n}.vtt" type="text/vtt"/>
{chapters}
<podcast:person role="host">Maren Okafor</podcast:person></item>
"""
        )
    server.files["big/feed.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {NS}><channel>'
        "<title>The Bench Show</title><description>Generated.</description>"
        "<language>en</language>" + "".join(parts) + "</channel></rss>\n"
    ).encode()
    return base + "big/feed.xml"


def run(url: str, site: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "generator", "import", url, "--site", str(site)],
        check=True,
        stderr=subprocess.DEVNULL,
        env=os.environ | {"CI": "true"},
    )
    return time.perf_counter() - started


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with serve() as server, tempfile.TemporaryDirectory() as folder:
        url = show(server, items)
        megabytes = sum(map(len, server.files.values())) / 1e6
        print(
            f"Import of a {items}-episode feed with {items} WebVTT transcripts "
            f"({megabytes:.0f} MB served from 127.0.0.1), {runs} runs:"
        )
        times, again = [], []
        for number in range(runs):
            site = Path(folder) / f"site{number}"
            times.append(run(url, site))
            episodes = site / "content" / "episodes"
            records = len(list(episodes.glob("*.md")))
            transcripts = len(list(episodes.glob("*.vtt")))
            if (records, transcripts) != (items, items):
                raise SystemExit(f"imported {records} records, {transcripts} transcripts")
            again.append(run(url, site))
        print(
            f"  cold import  median {statistics.median(times):6.2f} s   "
            f"min {min(times):.2f}  max {max(times):.2f}"
        )
        print(f"  re-import    median {statistics.median(again):6.2f} s   (nothing new)")


if __name__ == "__main__":
    main()
