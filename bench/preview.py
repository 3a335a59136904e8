"""Live preview latency: from saving a transcript to the reloaded page showing it, measured
in real Chromium against a real ``cuepress serve``; and the server's idle CPU.

Run with ``make bench`` (``python -m bench.preview [SITE] [ROUNDS]``; default: the demo site).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.browser import launch
from tests.test_serve import Running

ROOT = Path(__file__).resolve().parent.parent


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime in clock ticks


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        site.mkdir()
        for name in ("site.yaml", "content", "static", "layouts"):
            if (source / name).is_dir():
                shutil.copytree(source / name, site / name)
            elif (source / name).is_file():
                shutil.copy(source / name, site / name)
        vtt = sorted((site / "content").rglob("*.vtt"))[0]
        slug = vtt.stem
        (Path(folder) / "tmp").mkdir()
        server = Running(site, Path(folder) / "tmp")
        with launch() as (_, browser):
            page = browser.new_page()
            page.goto(server.url + f"episodes/{slug}/")
            page.wait_for_function("() => window.LiveReload !== undefined")
            text = vtt.read_text()
            lines = text.splitlines()
            first = next(lines[i + 1] for i, line in enumerate(lines) if "-->" in line)
            times = []
            for n in range(rounds):
                marker = f"edit{n}marker"
                started = time.perf_counter()
                vtt.write_text(text.replace(first, f"{first} {marker}", 1))
                page.wait_for_function(
                    f"() => document.body.textContent.includes('{marker}')",
                    polling="raf",
                    timeout=30_000,
                )
                times.append((time.perf_counter() - started) * 1000)
                page.wait_for_function("() => window.LiveReload !== undefined")
            before, idle_seconds = cpu_seconds(server.process.pid), 5 if rounds > 2 else 1
            time.sleep(idle_seconds)
            idle = (cpu_seconds(server.process.pid) - before) / idle_seconds * 100
        server.stop()
    print(f"Live preview, {source.resolve().name}: save -> reloaded page, {rounds} rounds")
    median, low, high = statistics.median(times), min(times), max(times)
    print(f"  median {median:.0f} ms, min {low:.0f} ms, max {high:.0f} ms")
    print(f"  idle CPU of the server: {idle:.1f} % of one core")


if __name__ == "__main__":
    main()
