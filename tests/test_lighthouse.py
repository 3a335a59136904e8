"""Lighthouse (npm, pinned in the Makefile) scores a 1,000-segment episode page at least 95 in
performance, accessibility, best practices and SEO, light and dark (tools/lighthouse.py; about
30 s). ``make test`` installs Lighthouse first; run alone without it, this test is skipped."""

from __future__ import annotations

import pytest

from tools import lighthouse


def test_long_episode_page_scores_95_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    if not lighthouse.LIGHTHOUSE.exists():
        pytest.skip("Lighthouse is not installed (make lighthouse-install)")
    code = lighthouse.main(["--preset", "desktop", "--min", "95"])
    shown = capsys.readouterr().out
    assert code == 0, shown
    assert shown.count("performance") == 2, shown  # light and dark
