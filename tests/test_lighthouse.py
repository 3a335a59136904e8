"""Lighthouse (npm, pinned in the Makefile) scores a 1,000-segment episode page at least 95 in
performance, accessibility, best practices and SEO, light and dark, with both of its presets:
desktop, and mobile (its default: a slow phone, simulated from this machine's timings). The page
is served gzipped, as GitHub Pages serves it (tools/lighthouse.py checks that it was).

The performance score moves with the machine's load (other processes lengthen the measured
tasks), so each preset and scheme counts its best of up to 3 runs (tools/lighthouse.py, which
waits 5 s before a run again and prints the load average). With each passing first time the test
takes about 1.5 to 2 minutes (four runs: 107 s measured); on a machine with a load average of 7
to 15 on 2 cores it took 295 s (nine runs), and at most it makes twelve.
Lighthouse is installed from npm first if it is not there yet: never skipped."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tools import lighthouse

ROOT = Path(__file__).resolve().parent.parent


def test_long_episode_page_scores_95_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    if not lighthouse.LIGHTHOUSE.exists():
        done = subprocess.run(
            ["make", "-s", "lighthouse-install"], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, f"could not install Lighthouse: {done.stderr}"
    code = lighthouse.main(["--preset", "desktop,mobile", "--tries", "3", "--min", "95"])
    shown = capsys.readouterr().out
    print(shown)
    assert code == 0, shown
    lines = re.findall(r"^(light|dark) \((desktop|mobile)\): (.*)$", shown, re.MULTILINE)
    assert sorted((s, p) for s, p, _ in lines) == [
        ("dark", "desktop"),
        ("dark", "mobile"),
        ("light", "desktop"),
        ("light", "mobile"),
    ], shown
    for _, _, scores in lines:
        found = dict(re.findall(r"(performance|accessibility|best-practices|seo) (\d+)", scores))
        assert set(found) == set(lighthouse.CATEGORIES), scores
        assert all(int(v) >= 95 for v in found.values()), scores
