"""The build cache: every kind of edit shows up, and an incremental build equals a cold one
byte for byte."""

from __future__ import annotations

import gc
import json
import pickle
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import build as build_module
from generator.build import build
from generator.errors import BuildFailed
from tests.conftest import MakeSite, record

VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ana>First words.\n\n{extra}"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cold(site: Path, scratch: Path) -> dict[str, bytes]:
    """The site as a build with no cache and no previous output makes it."""
    copy = scratch / "cold-site"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".cache", "output"))
    build(copy, jobs=1)
    return tree(copy / "output")


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    root = make_site(
        {
            "content/episodes/a.md": record("Alpha", "2026-01-01"),
            "content/episodes/a.vtt": VTT.format(extra=""),
            "content/episodes/b.md": record("Beta", "2026-02-01"),
            "static/notes.txt": "first notes\n",
        },
        site_yaml="title: Cache Show\nbase_url: https://example.test/show/\nsearch: false\n",
    )
    build(root, jobs=1)
    return root


def edit_transcript(site: Path) -> str:
    (site / "content/episodes/a.vtt").write_text(
        VTT.format(extra="00:00:05.000 --> 00:00:06.000\nA new line.\n")
    )
    return "A new line."


def edit_record(site: Path) -> str:
    (site / "content/episodes/b.md").write_text(record("Beta, renamed", "2026-02-01"))
    return "Beta, renamed"


def edit_layout(site: Path) -> str:
    layout = (Path(__file__).parent.parent / "layouts" / "episode.html").read_text()
    (site / "layouts").mkdir(exist_ok=True)
    (site / "layouts/episode.html").write_text(layout.replace("<article", "<!-- mine --><article"))
    return "<!-- mine -->"


def edit_settings(site: Path) -> str:
    text = (site / "site.yaml").read_text().replace("Cache Show", "Cache Show Renamed")
    (site / "site.yaml").write_text(text)
    return "Cache Show Renamed"


def edit_static(site: Path) -> str:
    (site / "static/notes.txt").write_text("second notes\n")
    return "second notes"


EDITS: dict[str, Callable[[Path], str]] = {
    "transcript": edit_transcript,
    "record": edit_record,
    "layout": edit_layout,
    "site.yaml": edit_settings,
    "static file": edit_static,
}


class TestIncrementalBuilds:
    @pytest.mark.parametrize("kind", sorted(EDITS))
    def test_edit_shows_and_equals_cold_build(self, site: Path, tmp_path: Path, kind: str) -> None:
        """After each kind of edit the rebuilt site shows it and is byte for byte what a cold
        build of the same input makes."""
        text = EDITS[kind](site)
        result = build(site, jobs=1)
        assert result.changed
        built = tree(site / "output")
        assert any(text.encode() in data for data in built.values()), f"{kind} edit missing"
        assert built == cold(site, tmp_path)

    def test_deleting_an_episode_removes_its_pages(self, site: Path, tmp_path: Path) -> None:
        """A removed record's folder is gone from the next build, which equals a cold one."""
        (site / "content/episodes/a.md").unlink()
        (site / "content/episodes/a.vtt").unlink()
        build(site, jobs=1)
        assert not (site / "output/episodes/a").exists()
        assert tree(site / "output") == cold(site, tmp_path)

    def test_many_rebuilds_in_a_row_stay_equal_to_cold(self, site: Path, tmp_path: Path) -> None:
        """Edits one after another (the back copy is reused each time) never drift."""
        for kind in ("transcript", "record", "static file", "layout"):
            EDITS[kind](site)
            build(site, jobs=1)
        (site / "content/episodes/c.md").write_text(record("Gamma", "2026-03-01"))
        build(site, jobs=1)
        assert tree(site / "output") == cold(site, tmp_path)

    def test_nothing_changed_touches_nothing(self, site: Path) -> None:
        """A rebuild with no change leaves every output file as it was, modification time too."""
        before = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*") if p.is_file()}
        result = build(site, jobs=1)
        assert not result.changed
        after = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*") if p.is_file()}
        assert after == before

    def test_a_build_killed_while_removing_old_entries_leaves_none_half_removed(
        self, site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Killed part-way through deleting an unused entry, a build leaves nothing under that
        entry's name; when the entry is wanted again (the edit undone), it is made afresh, not
        taken half-deleted."""
        original = (site / "content/episodes/a.vtt").read_text()
        real_rmtree = shutil.rmtree

        def killed_midway(path: str | Path, *args: object, **kwargs: object) -> None:
            pages = sorted(Path(path).rglob("index.html"))
            if not pages:
                real_rmtree(path, ignore_errors=True)
                return
            pages[0].unlink()  # one file gone, then the process dies
            raise SystemExit("killed")

        edit_transcript(site)
        monkeypatch.setattr(shutil, "rmtree", killed_midway)
        with pytest.raises(SystemExit):
            build(site, jobs=1)
        monkeypatch.undo()
        (site / "content/episodes/a.vtt").write_text(original)
        build(site, tmp_path / "elsewhere", jobs=1)  # no old site to borrow files from
        assert tree(tmp_path / "elsewhere") == cold(site, tmp_path)

    def test_a_cache_made_elsewhere_is_emptied_not_used(self, site: Path, tmp_path: Path) -> None:
        """A cache without this user's seal (copied in, or made under another key) is thrown
        away whole: a page planted in it is never published."""
        for page in (site / ".cache/cuepress/entries").rglob("index.html"):
            page.unlink()  # the cache's files are links of the published ones
            page.write_text("<script>planted</script>")
        (site / ".cache/cuepress/owner").write_bytes(b"someone else")
        edit_transcript(site)
        build(site, tmp_path / "elsewhere", jobs=1)
        assert tree(tmp_path / "elsewhere") == cold(site, tmp_path)
        assert not any(
            b"planted" in p.read_bytes() for p in (site / ".cache").rglob("*") if p.is_file()
        )

    def test_a_cache_tracked_by_git_stops_the_build(self, site: Path) -> None:
        """Files of the cache in git (committed by mistake, or by a pull request) are never
        trusted; the build says what to do and writes nothing."""
        git = ["git", "-C", str(site), "-c", "user.name=T", "-c", "user.email=t@example.test"]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "-f", ".cache/cuepress/state.pickle"], check=True)
        before = tree(site / "output")
        edit_transcript(site)
        with pytest.raises(BuildFailed) as failed:
            build(site, jobs=1)
        assert [str(p) for p in failed.value.errors] == [
            ".cache: git tracks files in the build cache (.cache/cuepress/state.pickle); "
            "Cuepress will not use a cache that came from a repository (run: git rm -r "
            "--cached .cache, and commit)"
        ]
        assert tree(site / "output") == before

    def test_a_layout_change_links_the_downloads_it_makes_again(
        self, site: Path, tmp_path: Path
    ) -> None:
        """After a layout change every page is rendered again, but a download that comes out
        byte for byte the same is linked from the last build's entry, not written anew."""
        output = site / "output/episodes/a"
        before = {p.name: p.stat().st_ino for p in output.iterdir()}
        edit_layout(site)
        build(site, jobs=1)
        after = {p.name: p.stat().st_ino for p in output.iterdir()}
        assert after["transcript.vtt"] == before["transcript.vtt"]
        assert after["transcript.json"] == before["transcript.json"]
        assert after["index.html"] != before["index.html"]
        assert tree(site / "output") == cold(site, tmp_path)

    def test_entries_no_record_uses_are_dropped_and_nothing_is_left(self, site: Path) -> None:
        """After a layout change every old entry is deleted (by a process running beside the
        build); a folder a killed build left half-deleted goes too, and so does a folder of
        an older layout of the cache, while the rooms and the cache's own files stay."""
        cache = site / ".cache/cuepress"
        before = {p.name for p in (cache / "entries").iterdir()}
        (cache / ".dropped-1").mkdir()
        (cache / ".dropped-1" / "half-deleted").write_text("a killed build's")
        (cache / "spare" / "old").mkdir(parents=True)  # where an older layout kept back copies
        edit_layout(site)
        build(site, jobs=1)
        after = {p.name for p in (cache / "entries").iterdir()}
        assert len(after) == len(before) == 2
        assert before.isdisjoint(after)
        assert sorted(p.name for p in cache.iterdir()) == [
            "CACHEDIR.TAG", "back", "entries", "files", "owner", "site", "state.pickle",
            "templates",
        ]  # fmt: skip

    def test_a_transcript_edit_after_a_parallel_build_keeps_the_site_pages(
        self, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The index, feed and sitemap are rendered again only when what they show changes:
        not after a cue's text changes, even the first time after a build whose episodes
        came from worker processes (their key once hung on pickle's bytes, which differ with
        where an episode was made)."""
        # Enough records that workers send them in chunks of two or more, whose episodes
        # then share one "audio/mpeg" string (the type guessed from the audio's name).
        files: dict[str, str | bytes] = {
            f"content/episodes/e{n:03d}.md": record(
                f"E{n}", f"2026-01-{n % 28 + 1:02d}", f"audio: https://x.test/{n}.mp3\n"
            )
            for n in range(130)
        }
        files["content/episodes/e000.vtt"] = VTT.format(extra="")
        site = make_site(files)
        build(site, jobs=2)
        rendered: list[int] = []
        real = build_module.render_site
        monkeypatch.setattr(
            build_module, "render_site", lambda *a, **k: rendered.append(1) or real(*a, **k)
        )
        vtt = site / "content/episodes/e000.vtt"
        vtt.write_text(vtt.read_text().replace("First words.", "First words, edited."))
        build(site, jobs=2)
        assert b"edited" in (site / "output/episodes/e000/transcript.vtt").read_bytes()
        assert rendered == []

    def test_a_failed_build_keeps_the_cached_site_pages(self, site: Path) -> None:
        """A build that fails while rendering the site's own pages leaves the cache's copy of
        the last good ones, so the next build after the fix need not render them again."""
        kept = {p.name for p in (site / ".cache/cuepress/site").iterdir()}
        (site / "layouts").mkdir(exist_ok=True)
        (site / "layouts/index.html").write_text("{% if %}broken")
        edit_layout(site)  # every episode renders again too, and old entries are swept
        with pytest.raises(BuildFailed):
            build(site, jobs=1)
        assert {p.name for p in (site / ".cache/cuepress/site").iterdir()} == kept

    def test_nothing_stays_frozen_after_a_build(self, site: Path) -> None:
        """What a build keeps is frozen for Python's cycle collector only while it runs: after
        a rebuild from the cache, and after a failed build, nothing is left frozen (the live
        preview builds again and again in one process)."""
        edit_transcript(site)
        build(site, jobs=1)  # the state and the cached episodes unpickled, the rest rendered
        assert gc.get_freeze_count() == 0
        (site / "layouts").mkdir(exist_ok=True)
        (site / "layouts/index.html").write_text("{% if %}broken")
        with pytest.raises(BuildFailed):
            build(site, jobs=1)
        assert gc.get_freeze_count() == 0

    def test_a_library_upgrade_renders_again(
        self, site: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Pages made by an older Markdown (or Jinja, nh3, PyYAML, Python) are not reused: the
        cache key holds their versions."""
        import markdown

        entries = site / ".cache/cuepress/entries"
        before = {p.name for p in entries.iterdir()}
        monkeypatch.setattr(markdown, "__version__", "99.0")
        build(site, jobs=1)
        after = {p.name for p in entries.iterdir()}
        assert after and not after & before

    def test_parallel_build_equals_serial(self, site: Path, tmp_path: Path) -> None:
        """The episode stage on two processes makes the same site as on one."""
        for n in range(20):  # enough records for the stage to use a second process
            (site / f"content/episodes/e{n:02d}.md").write_text(record(f"E{n}", "2026-04-01"))
        shutil.rmtree(site / ".cache")
        build(site, jobs=2)
        assert tree(site / "output") == cold(site, tmp_path)

    def test_a_damaged_cache_is_rebuilt(self, site: Path, tmp_path: Path) -> None:
        """A cache whose state file is garbage is ignored, not trusted."""
        (site / ".cache/cuepress/state.pickle").write_bytes(b"not a pickle")
        edit_transcript(site)
        build(site, jobs=1)
        assert tree(site / "output") == cold(site, tmp_path)

    def test_a_state_an_older_cuepress_saved_is_not_trusted(
        self, site: Path, tmp_path: Path
    ) -> None:
        """A state pickled by a Cuepress whose state had fewer fields (no per-folder results)
        is ignored, not half used."""
        from generator import cache as cache_module

        state_file = site / ".cache/cuepress/state.pickle"
        with state_file.open("rb") as handle:
            state = pickle.load(handle)
        del state.results
        state_file.write_bytes(pickle.dumps(state))
        edit_transcript(site)
        build(site, jobs=1)
        assert tree(site / "output") == cold(site, tmp_path)
        with state_file.open("rb") as handle:
            assert isinstance(pickle.load(handle).results, dict)
        assert cache_module.FORMAT >= 9

    def test_a_transcript_added_beside_a_record_is_found(self, site: Path, tmp_path: Path) -> None:
        """A sidecar that appears beside an unchanged record (its folder's listing changes, no
        file it had changes) is read: the rebuild shows it and equals a cold build."""
        (site / "content/episodes/b.vtt").write_text(
            VTT.format(extra="00:00:05.000 --> 00:00:06.000\nBeta has words now.\n")
        )
        build(site, jobs=1)
        page = (site / "output/episodes/b/index.html").read_text()
        assert "Beta has words now." in page
        assert tree(site / "output") == cold(site, tmp_path)
        (site / "content/episodes/b.vtt").unlink()  # and gone again
        build(site, jobs=1)
        assert "Beta has words now." not in (site / "output/episodes/b/index.html").read_text()
        assert tree(site / "output") == cold(site, tmp_path)

    def test_the_segments_setting_is_part_of_the_key(self, site: Path, tmp_path: Path) -> None:
        """segments: in site.yaml and in a record each change the word-level episode's pages
        (merged, or one word per segment), and each rebuild equals a cold build."""
        words = [
            {"startTime": n * 0.3, "endTime": n * 0.3 + 0.25, "body": f"word{n}"} for n in range(12)
        ]
        (site / "content/episodes/w.md").write_text(record("Words", "2026-03-01"))
        (site / "content/episodes/w.json").write_text(json.dumps({"segments": words}))

        def segments() -> int:
            data = json.loads((site / "output/episodes/w/transcript.json").read_text())
            return len(data["segments"])

        build(site, jobs=1)
        assert segments() == 1
        yaml = site / "site.yaml"
        yaml.write_text(yaml.read_text() + "segments: as-is\n")
        build(site, jobs=1)
        assert segments() == 12
        assert tree(site / "output") == cold(site, tmp_path)
        extra = "segments: readable\n"
        (site / "content/episodes/w.md").write_text(record("Words", "2026-03-01", extra))
        build(site, jobs=1)
        assert segments() == 1
        assert tree(site / "output") == cold(site, tmp_path)


def test_no_other_module_reaches_into_the_cache() -> None:
    """The cache has one owner: other modules use its interface (entries, rooms), never its
    folders by name or its state."""
    reaches = re.compile(
        r"(?:root_of|make_root)\([^)]*\)\s*/"  # a path built inside the cache's folder
        r"|\bcache\.(?:root|new|old|previous|global_key)\b"  # its folder, its state
        r"|\bfrom generator\.cache import [^\n]*\b(?:Entry|Saved|FORMAT|LAYOUT)\b"
    )
    generator = Path(__file__).resolve().parent.parent / "generator"
    found = [
        f"{module.name}: {match.group()}"
        for module in sorted(generator.rglob("*.py"))
        if module.name != "cache.py"
        for match in reaches.finditer(module.read_text())
    ]
    assert found == []
