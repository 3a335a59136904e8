"""Crash safety: a build killed at any moment leaves ``output/`` exactly as it was or exactly as
the new build makes it, never a mix; the next build succeeds and removes what the killed one
left; two builds started at once on one site both finish with the site one build makes.

The kill loop runs ``KILLS`` times (``CUEPRESS_STRESS=1``, as ``make stress`` sets, runs the long
mode): each time the input switches between two states, ``python -m generator build`` starts in
a process group of its own, and after a random delay spread over a build's duration SIGKILL goes
to the whole group (workers included).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build import build
from generator.writer import MARKER

STRESS = os.environ.get("CUEPRESS_STRESS") == "1"
EPISODES = 600 if STRESS else 300
KILLS = 300 if STRESS else 50
SEED = 20261125
ROOT = Path(__file__).resolve().parent.parent


def write_state(site: Path, state: str) -> None:
    """Write the site's input in state "A" or "B": B retitles every third episode, drops one,
    adds one and changes a static file, so the two outputs differ in pages, files and links."""
    site.mkdir(parents=True, exist_ok=True)
    (site / "site.yaml").write_text(
        "title: Crash Show\nbase_url: https://example.test/show/\nepisodes_per_page: 25\n"
    )
    episodes = site / "content" / "episodes"
    episodes.mkdir(parents=True, exist_ok=True)
    wanted = set(range(EPISODES)) - ({7} if state == "B" else set()) | (
        {EPISODES} if state == "B" else set()
    )
    for number in range(EPISODES + 1):
        record = episodes / f"e{number:04d}.md"
        if number not in wanted:
            record.unlink(missing_ok=True)
            continue
        title = f"Episode {number}" + (" (revised)" if state == "B" and number % 3 == 0 else "")
        text = (
            f"---\ntitle: {title}\ndate: 2026-{1 + number % 12:02d}-{1 + number % 28:02d}\n"
            f"number: {number}\naudio: {{url: https://example.test/{number}.mp3, length: 1000, "
            f"type: audio/mpeg}}\ntranscript: ['0:00 Hello from {number}.', '0:05 Goodbye.']\n"
            f"---\nSummary of *episode {number}*.\n"
        )
        if not record.exists() or record.read_text() != text:
            record.write_text(text)
    (site / "static").mkdir(exist_ok=True)
    (site / "static" / "notes.txt").write_text(f"state {state}\n")


def digest(folder: Path) -> str:
    """One digest of a whole tree: every folder and file name, and every file's bytes."""
    if not folder.exists():
        return "absent"
    h = hashlib.blake2b()
    for parent, folders, files in sorted(os.walk(folder)):
        folders.sort()
        relative = Path(parent).relative_to(folder).as_posix()
        h.update(f"d {relative}\0".encode())
        for name in sorted(files):
            h.update(f"f {relative}/{name}\0".encode())
            h.update(hashlib.blake2b(Path(parent, name).read_bytes()).digest())
    return h.hexdigest()


def leftovers(site: Path) -> list[str]:
    """Staging and moved-away folders next to the output."""
    return sorted(p.name for p in site.iterdir() if p.name.startswith((".output.", "output.")))


def start_build(site: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--site", str(site)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, workers included
    )


def run_build(site: Path) -> float:
    """Build to the end in a subprocess; returns how long it took."""
    started = time.monotonic()
    process = start_build(site)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    return time.monotonic() - started


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The digest of a clean build of each state, made in fresh folders without a cache."""
    digests = {}
    for state in ("A", "B"):
        site = tmp_path_factory.mktemp(f"clean-{state}")
        write_state(site, state)
        build(site, jobs=1)
        digests[state] = digest(site / "output")
    assert digests["A"] != digests["B"]
    return digests


class TestKilledBuilds:
    def test_output_is_old_or_new_after_every_kill(
        self, tmp_path: Path, expected: dict[str, str]
    ) -> None:
        """SIGKILL to the build's process group at a random moment, KILLS times: output/ is
        byte for byte the last good site or the new one; every later build succeeds, equals a
        clean build and leaves no staging folder behind."""
        site = tmp_path / "site"
        write_state(site, "A")
        run_build(site)
        assert digest(site / "output") == expected["A"]
        write_state(site, "B")
        duration = run_build(site)  # a build that changes half the site, start-up included
        write_state(site, "A")
        duration = max(duration, run_build(site))
        rng = random.Random(SEED)
        built = "A"  # the state output/ holds
        outcomes = {"old": 0, "new": 0, "killed while writing": 0}
        for kill in range(KILLS):
            state = "B" if built == "A" else "A"  # always a build with work to do
            write_state(site, state)
            process = start_build(site)
            time.sleep(rng.uniform(0, duration * 1.2))
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # it had finished
            process.communicate(timeout=30)
            if any(p.name.startswith(".output.staging-") for p in site.iterdir()):
                outcomes["killed while writing"] += 1
            after = digest(site / "output")
            assert after in (expected[built], expected[state]), f"kill {kill}: output is a mix"
            if after == expected[state]:
                built = state
                outcomes["new"] += 1
            else:
                outcomes["old"] += 1
            if kill % 10 == 9:  # the next build finishes, and cleans up
                run_build(site)
                assert digest(site / "output") == expected[state]
                assert leftovers(site) == []
                built = state
        run_build(site)
        assert digest(site / "output") == expected[state]
        assert leftovers(site) == []
        assert (site / "output" / MARKER).is_file()
        print(f"{KILLS} kills over {duration:.2f} s builds: {outcomes}")


class TestConcurrentBuilds:
    def test_two_builds_at_once_both_finish_with_one_clean_site(
        self, tmp_path: Path, expected: dict[str, str]
    ) -> None:
        """Two builds started together on one site: the second waits for the first's lock;
        both succeed and output/ is exactly a clean build."""
        site = tmp_path / "site"
        write_state(site, "A")
        run_build(site)
        write_state(site, "B")
        processes = [start_build(site), start_build(site)]
        for process in processes:
            _, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr.decode()
        assert digest(site / "output") == expected["B"]
        assert leftovers(site) == []

    def test_a_build_during_another_killed_one(
        self, tmp_path: Path, expected: dict[str, str]
    ) -> None:
        """A build started while another is being killed finishes with the right site."""
        site = tmp_path / "site"
        write_state(site, "A")
        first = start_build(site)
        second = start_build(site)
        time.sleep(0.3)
        try:
            os.killpg(first.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had finished
        first.communicate(timeout=30)
        _, stderr = second.communicate(timeout=120)
        assert second.returncode == 0, stderr.decode()
        run_build(site)
        assert digest(site / "output") == expected["A"]
        assert leftovers(site) == []
