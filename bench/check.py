"""How fast ``cuepress check`` is on a large archive, next to the build it checks.

Run with ``make bench``: a synthetic site of N episodes (default 500) with a WebVTT transcript
of 1,000 cues each, built by the real pipeline into a temporary folder, then checked with one
process and with one per core. ``make bench-quick`` proves it still runs, on 3 episodes.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from bench.parsers import episode
from generator.build import build
from generator.check import CheckResult, check_site

BASE_URL = "https://user.github.io/show/"
CUES = 1000


def write_site(root: Path, count: int) -> None:
    """N episode records with chapters and a WebVTT sidecar each."""
    folder = root / "content" / "episodes"
    folder.mkdir(parents=True)
    (root / "site.yaml").write_text(f"title: Bench\nbase_url: {BASE_URL}\n")
    for n in range(count):
        name = f"ep{n:04d}"
        (folder / f"{name}.md").write_text(
            f"---\ntitle: Episode {n}\ndate: 2020-01-01\nnumber: {n + 1}\n"
            "chapters:\n  - {start: 0, title: Start}\n  - {start: '10:00', title: Middle}\n"
            f"---\nEpisode {n}, after [the first](/show/episodes/ep0000/) "
            "and [a map](https://example.org/).\n"
        )
        (folder / f"{name}.vtt").write_text(episode(n, CUES))


def timed_check(output: Path, jobs: int | None) -> tuple[float, CheckResult]:
    start = time.perf_counter()
    result = check_site(output, BASE_URL, jobs=jobs)
    return time.perf_counter() - start, result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_site(root, count)
        start = time.perf_counter()
        built = build(root)
        build_s = time.perf_counter() - start
        html = sum(p.stat().st_size for p in built.output.rglob("*.html")) / 1e6
        serial_s, result = timed_check(built.output, jobs=1)
        auto_s, again = timed_check(built.output, jobs=None)
        assert result == again, "the parallel check must find exactly what the serial one does"
        if result.broken:
            raise SystemExit("\n".join(str(b) for b in result.broken[:20]))
        print(f"cuepress check, {count} episodes of {CUES} segments ({html:.0f} MB of HTML)")
        print(f"build                {build_s:6.2f} s")
        print(f"check, 1 process     {serial_s:6.2f} s   ({result.links:,} links, all resolve)")
        print(f"check, default       {auto_s:6.2f} s   ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
