"""Lighthouse (npm, pinned in the Makefile) scores a 1,000-segment episode page at least 95 in
performance, accessibility, best practices and SEO, light and dark (tools/lighthouse.py; about
30 s). Lighthouse is installed from npm first if it is not there yet: never skipped."""

from __future__ import annotations

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
    code = lighthouse.main(["--preset", "desktop", "--min", "95"])
    shown = capsys.readouterr().out
    assert code == 0, shown
    assert shown.count("performance") == 2, shown  # light and dark
