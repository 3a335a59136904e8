"""Publishing: atomic swap, marker, refusals, leftovers from killed builds, the back copy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import writer
from generator.build import build
from generator.cache import root_of
from generator.errors import BuildFailed, OutputError
from generator.writer import MARKER, check_output, publish, read_marker
from tests.conftest import MakeSite
from tests.test_build import snapshot


class TestCheckOutput:
    def test_refuses_site_folder_and_its_parents(self, tmp_path: Path) -> None:
        """The output may not be the site, a folder containing it, or inside its sources."""
        site = tmp_path / "site"
        (site / "content").mkdir(parents=True)
        for output, why in [
            (site, "contains the site itself"),
            (tmp_path, "contains the site itself"),
            (site / "content" / "out", "is inside content/"),
        ]:
            with pytest.raises(OutputError) as info:
                check_output(output, site)
            assert why in str(info.value)

    def test_refuses_folder_not_built_by_cuepress(self, tmp_path: Path) -> None:
        """A non-empty folder without the marker is never deleted."""
        output = tmp_path / "out"
        output.mkdir()
        (output / "thesis.docx").write_text("precious")
        with pytest.raises(OutputError) as info:
            check_output(output, tmp_path / "site")
        assert str(info.value) == (
            f"{output}: the folder exists and was not built by Cuepress; it is left alone "
            "(empty it or choose another --output)"
        )

    def test_accepts_empty_or_marked_folder(self, tmp_path: Path) -> None:
        """An empty folder or a previous build is fine."""
        (tmp_path / "empty").mkdir()
        check_output(tmp_path / "empty", tmp_path / "site")
        (tmp_path / "built").mkdir()
        (tmp_path / "built" / MARKER).write_text("x")
        (tmp_path / "built" / "index.html").write_text("x")
        check_output(tmp_path / "built", tmp_path / "site")


class TestPublish:
    def test_replaces_old_site_completely(self, tmp_path: Path) -> None:
        """The new build replaces the old one; stale files disappear; no staging is left."""
        output = tmp_path / "out"
        assert publish(output, {"a.html": b"1", "old.html": b"x"})
        first = read_marker(output)
        source = tmp_path / "song.mp3"
        source.write_bytes(b"mp3")
        assert publish(output, {"a.html": b"2", "sub/b.html": b"3", "audio/song.mp3": source})
        assert sorted(
            p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()
        ) == [
            MARKER,
            "a.html",
            "audio/song.mp3",
            "sub/b.html",
        ]
        assert (output / "a.html").read_bytes() == b"2"
        assert (output / "audio/song.mp3").stat().st_ino == source.stat().st_ino  # linked
        assert read_marker(output) not in (None, first)
        assert [p.name for p in tmp_path.iterdir()] != [] and all(
            not p.name.startswith(".out.") for p in tmp_path.iterdir()
        )

    def test_removes_leftovers_of_killed_builds_but_nothing_else(self, tmp_path: Path) -> None:
        """Marked staging folders from a killed build are cleaned; unmarked look-alikes stay."""
        output = tmp_path / "out"
        stale = tmp_path / ".out.staging-99999"
        stale.mkdir()
        (stale / MARKER).write_text("x")
        lookalike = tmp_path / ".out.staging-12345"
        lookalike.mkdir()
        (lookalike / "notes.txt").write_text("mine")
        publish(output, {"a.html": b"1"})
        assert not stale.exists()
        assert (lookalike / "notes.txt").read_text() == "mine"

    def test_restores_site_moved_away_by_a_killed_swap(self, tmp_path: Path) -> None:
        """If a build died between the two renames of the fallback swap, the old site returns."""
        old = tmp_path / f".out.old-{os.getpid() + 1}"
        old.mkdir()
        (old / MARKER).write_text("x")
        (old / "a.html").write_text("good")
        writer._remove_leftovers(tmp_path / "out")
        assert (tmp_path / "out" / "a.html").read_text() == "good"

    def test_failed_write_keeps_old_site(self, tmp_path: Path) -> None:
        """An error while writing leaves the old site byte for byte and no staging folder."""
        output = tmp_path / "out"
        publish(output, {"a.html": b"good"})
        with pytest.raises(FileNotFoundError):
            publish(output, {"a.html": b"new", "x.mp3": tmp_path / "missing.mp3"})
        assert (output / "a.html").read_bytes() == b"good"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


class TestKilledMidway:
    def test_a_half_removed_staging_folder_is_still_marked(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Removal deletes the marker last: a build killed while removing a staging folder
        leaves one the next build still recognises and removes."""
        staging = tmp_path / ".out.staging-99999"
        (staging / "sub").mkdir(parents=True)
        (staging / MARKER).write_text("x")
        for n in range(5):
            (staging / f"{n}.html").write_text("x")
        removed: list[str] = []

        def unlink_then_die(self: Path, missing_ok: bool = False) -> None:
            if len(removed) == 2:
                raise KeyboardInterrupt  # stands in for SIGKILL
            removed.append(self.name)
            os.unlink(self)

        monkeypatch.setattr(Path, "unlink", unlink_then_die)
        with pytest.raises(KeyboardInterrupt):
            writer._remove_marked(staging)
        monkeypatch.undo()
        assert (staging / MARKER).is_file() and MARKER not in removed
        writer._remove_leftovers(tmp_path / "out")
        assert not staging.exists()

    def test_empty_unmarked_staging_folders_are_removed(self, tmp_path: Path) -> None:
        """A build killed between making its staging folder and marking it leaves an empty
        folder: removed; a non-empty unmarked one is not Cuepress's to delete."""
        (tmp_path / ".out.staging-1").mkdir()
        (tmp_path / ".out.staging-2").mkdir()
        (tmp_path / ".out.staging-2" / "mine.txt").write_text("mine")
        writer._remove_leftovers(tmp_path / "out")
        assert sorted(p.name for p in tmp_path.iterdir()) == [".out.staging-2"]


class TestPaths:
    def test_a_path_leaving_the_output_is_refused(self, tmp_path: Path) -> None:
        """Whatever names a generated file, it is never written outside the output folder."""
        output = tmp_path / "site" / "out"
        output.parent.mkdir()
        for name in (
            "../escaped.html",
            "a/../../escaped.html",
            "/tmp/escaped.html",
            "//x",
            ".",
            "",
            "..",
            "./..",
            "a/./../..",
            "a//../../x",
        ):
            with pytest.raises(ValueError):
                publish(output, {name: b"x"})
        assert sorted(p.name for p in tmp_path.rglob("*")) == ["site"]

    def test_names_that_stay_inside_are_published(self, tmp_path: Path) -> None:
        """Dots inside names, a leading dot, a ./ and a doubled slash stay in the output."""
        output = tmp_path / "out"
        names = [".nojekyll", "a/.well-known/x", "./b.html", "c//d.txt", "e/..f", "...", "g/h..i"]
        publish(output, {name: name.encode() for name in names})
        found = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()} - {
            MARKER
        }
        assert found == {
            ".nojekyll",
            "a/.well-known/x",
            "b.html",
            "c/d.txt",
            "e/..f",
            "...",
            "g/h..i",
        }


class TestFirstBuild:
    """A first build links its episode files into both back copies while the site's own pages
    render (Publisher.start)."""

    SITE = {
        "content/episodes/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nHi.\n",
        "content/episodes/a.vtt": "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello.\n",
        "content/episodes/b.md": "---\ntitle: B\ndate: 2026-01-02\n---\nYo.\n",
        "static/cover.png": b"png",
    }

    def build_twice(self, make_site: MakeSite) -> Path:
        """A first build, then a rebuild after one edit, which must reuse the back copy."""
        site = make_site(self.SITE)
        build(site)
        backs = [p for p in (root_of(site) / "back").iterdir() if p.is_dir()]
        assert [read_marker(p) for p in backs] == [read_marker(site / "output")]
        page = site / "output" / "episodes" / "a" / "index.html"
        entry = os.stat(page)
        assert entry.st_nlink == 3  # the cache entry's file, the site's and the back copy's
        assert os.path.samestat(entry, os.stat(backs[0] / "episodes" / "a" / "index.html"))
        assert not list((root_of(site) / "back").glob("*.next"))
        (site / "content" / "episodes" / "a.vtt").write_text(
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello again.\n"
        )
        build(site)
        assert b"Hello again." in (site / "output" / "episodes" / "a" / "index.html").read_bytes()
        return site

    def test_links_the_site_and_its_back_copy(self, make_site: MakeSite, tmp_path: Path) -> None:
        """The site built first and changed through the back copy is byte for byte what a
        first build into a new output folder makes."""
        site = self.build_twice(make_site)
        build(site, tmp_path / "again")
        assert snapshot(site / "output") == snapshot(tmp_path / "again")

    def test_failed_first_build_leaves_no_trusted_back_copy(self, make_site: MakeSite) -> None:
        """A first build that fails after the linking began leaves the output alone and no
        back copy a later build would trust."""
        site = make_site({**self.SITE, "static/index.html": "takes the index page's place"})
        with pytest.raises(BuildFailed):
            build(site)
        assert not (site / "output").exists()
        assert all(read_marker(p) is None for p in (root_of(site) / "back").glob("*"))
        (site / "static" / "index.html").unlink()
        build(site)
        assert (site / "output" / "episodes" / "a" / "transcript.vtt").is_file()
