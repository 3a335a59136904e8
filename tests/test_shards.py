"""Sharded builds (generator/shards.py, generator/merge.py): N shard builds of the demo network,
each in its own copy of the site (as on N machines), merged, give the same files, byte for
byte, as one build of the whole network; the shares are dealt by record count; a merge of
shards that do not belong together fails with a message naming the shard folder, and leaves
the last good output as it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from generator import __version__
from generator.cli import main
from generator.models import Site
from generator.shards import FORMAT, MANIFEST, Shard, deal, decode, encode, read_manifest
from tests.golden import NETWORK, ROOT

WORKFLOW = ROOT / "docs/workflows/network.yml"

Setup = tuple[Path, list[Path], Path]  # a site, its two shards, a merged output
Capsys = pytest.CaptureFixture[str]
SHARES = {  # N -> each shard's shows (records: night-shift 3, river-notes 2, quiet-stacks 1)
    1: [{"night-shift", "quiet-stacks", "river-notes"}],
    2: [{"night-shift"}, {"quiet-stacks", "river-notes"}],
    3: [{"night-shift"}, {"river-notes"}, {"quiet-stacks"}],
}
DRAFT = """---
title: The Weir in Winter
date: 2026-03-01
draft: true
guests: [Odile Marchetti]
tags: [birds]  # (a tag only a draft has crashes --drafts: related.choose, reported)
---
Not yet.
"""


def site_copy(root: Path, name: str, drafted: bool = False) -> Path:
    """A copy of the demo network (its own build cache, as on another machine)."""
    site = root / name
    shutil.copytree(NETWORK, site, ignore=shutil.ignore_patterns(".cache", "output"))
    if drafted:
        (site / "content/shows/river-notes/episodes/03-the-weir-in-winter.md").write_text(DRAFT)
    return site


def run(*args: str | Path) -> int:
    return main([str(arg) for arg in args])


def tree(folder: Path) -> dict[str, bytes]:
    """Every file of a built site by path. The writer's marker keeps its first line: its
    second is the identity of the files as published (where each was linked from), not a
    file of the site."""
    files = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    files[".cuepress"] = files[".cuepress"].split(b"\n")[0]
    return files


def build_shards(root: Path, count: int, *extra: str, drafted: bool = False) -> list[Path]:
    """Shards 1..count of the demo network, each built in its own copy of the site."""
    outputs = []
    for number in range(1, count + 1):
        site = site_copy(root, f"shard-{number}-of-{count}", drafted)
        output = root / f"out-{number}-of-{count}"
        assert run("build", "--site", site, "--shard", f"{number}/{count}", "--output", output,
                   *extra) == 0  # fmt: skip
        outputs.append(output)
    return outputs


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shards")


@pytest.fixture(scope="module")
def whole(root: Path) -> Path:
    """One plain build of the whole demo network (search on)."""
    output = root / "whole"
    assert run("build", "--site", site_copy(root, "whole-site"), "--output", output) == 0
    return output


@pytest.fixture(scope="module")
def two(root: Path) -> list[Path]:
    return build_shards(root, 2)


class TestByteIdentical:
    @pytest.mark.parametrize("count", [1, 2, 3])
    def test_shards_merged_are_the_whole_build(
        self, root: Path, whole: Path, count: int, two: list[Path]
    ) -> None:
        """N shard builds merged (in yet another copy of the site) are the plain build's files,
        byte for byte: episode pages, related episodes and people links included, the
        network's pages, the sitemap and the Pagefind index."""
        shards = two if count == 2 else build_shards(root, count)
        for shard, shows in zip(shards, SHARES[count], strict=True):
            assert set(read_manifest(shard).shows) == shows
        output = root / f"merged-{count}"
        site = site_copy(root, f"merge-site-{count}")
        given = shards if count < 3 else shards[::-1]  # in any order (a shell's glob: 1, 10, 2)
        assert run("merge", *given, "--site", site, "--output", output) == 0
        merged, built = tree(output), tree(whole)
        assert any(name.startswith("pagefind/") for name in built)  # search is on
        assert sorted(merged) == sorted(built)
        assert [name for name in built if merged[name] != built[name]] == []

    def test_drafts_too(self, root: Path) -> None:
        """With --drafts, the drafts' pages, and their part in the search index, come out the
        same merged as built whole."""
        site = site_copy(root, "drafts-whole", drafted=True)
        assert run("build", "--site", site, "--drafts", "--output", root / "drafts-whole-out") == 0
        shards = build_shards(root / "drafts", 2, "--drafts", drafted=True)
        output = root / "drafts-merged"
        site = site_copy(root, "drafts-merge", drafted=True)
        assert run("merge", *shards, "--site", site, "--output", output) == 0
        merged, built = tree(output), tree(root / "drafts-whole-out")
        assert "river-notes/episodes/03-the-weir-in-winter/index.html" in merged
        assert merged == built

    def test_a_shard_holds_its_shows_files_and_no_network_pages(self, two: list[Path]) -> None:
        """A shard's output: its shows' homes, feeds and episodes, and its manifest; the
        network's pages, assets and search are the merge's."""
        names = set(tree(two[0]))
        assert {"night-shift/index.html", "night-shift/feed.xml", MANIFEST} <= names
        assert not any(n.startswith(("river-notes/", "assets/", "pagefind/")) for n in names)
        assert not names & {"index.html", "sitemap.xml", "404.html", "search/index.html"}


class TestShares:
    def test_dealt_largest_first_to_the_least_loaded(self, tmp_path: Path) -> None:
        """Shows go out by record count, largest first (ties by address), each to the shard
        with the fewest records so far (ties: the first)."""
        counts = {"a": 1, "b": 5, "c": 3, "d": 3, "e": 4, "f": 0}
        shows = []
        for name, count in counts.items():
            folder = tmp_path / "content/shows" / name / "episodes"
            folder.mkdir(parents=True)
            for n in range(count):
                (folder / f"{n}.md").write_text("---\ntitle: x\ndate: 2026-01-01\n---\n")
            shows.append(Site(title=name, base_url="https://x.test/", show=name,
                              source=f"content/shows/{name}/show.yaml"))  # fmt: skip
        # b(5) -> 1; e(4) -> 2; c(3) -> 2 (4 < 5); d(3) -> 1 (5 < 7); a(1) -> 2 (7 < 8);
        # f(0) -> 1 (8 = 8: the first)
        assert deal(tmp_path, shows, 2) == [{"b", "d", "f"}, {"e", "c", "a"}]
        assert deal(tmp_path, shows, 3) == [{"b", "f"}, {"e", "a"}, {"c", "d"}]
        assert deal(tmp_path, shows, 8)[6:] == [set(), set()]  # more shards than shows: empty

    @pytest.mark.parametrize(
        ("text", "shard"), [("1/1", Shard(1, 1)), ("2/3", Shard(2, 3)), ("10/12", Shard(10, 12))]
    )
    def test_shard_option(self, text: str, shard: Shard) -> None:
        assert Shard.parse(text) == shard
        assert str(shard) == text

    @pytest.mark.parametrize("text", ["0/2", "3/2", "1", "1/0", "a/b", "1/2/3", " 1/2"])
    def test_shard_option_refused(self, text: str, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as exited:
            run("build", "--shard", text)
        assert exited.value.code == 2
        assert capsys.readouterr().err.splitlines()[-1] == (
            f"cuepress build: error: argument --shard: {text!r} is not K/N with 1 <= K <= N "
            "(say 2/3: the 2nd of 3)"
        )

    def test_a_shard_reads_only_its_shows_records(self, tmp_path: Path, capsys: Capsys) -> None:
        """A broken record of another shard's show does not stop a shard (it is never read);
        the shard that holds it fails on it."""
        site = site_copy(tmp_path, "site")
        broken = site / "content/shows/river-notes/episodes/02-eels-in-the-dark.md"
        broken.write_text("no front matter\n")
        assert run("build", "--site", site, "--shard", "1/2", "--output", tmp_path / "1") == 0
        assert set(read_manifest(tmp_path / "1").shows) == {"night-shift"}
        assert run("build", "--site", site, "--shard", "2/2", "--output", tmp_path / "2") == 1
        assert "content/shows/river-notes/episodes/02-eels-in-the-dark.md:1: " in (
            capsys.readouterr().err
        )

    def test_an_empty_shard_merges(self, root: Path, whole: Path) -> None:
        """More shards than shows: the extra shard holds nothing, and still merges."""
        shards = build_shards(root / "four", 4)
        assert read_manifest(shards[3]).shows == ()
        assert set(tree(shards[3])) == {".cuepress", MANIFEST}
        output = root / "merged-4"
        assert run("merge", *shards, "--site", site_copy(root, "merge-4"), "--output", output) == 0
        assert tree(output) == tree(whole)

    def test_a_one_show_site_has_no_shards(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        site = tmp_path / "site"
        site.mkdir()
        (site / "site.yaml").write_text("title: One\nbase_url: https://x.test/\n")
        assert run("build", "--site", site, "--shard", "1/2") == 1
        assert capsys.readouterr().err.splitlines()[0] == (
            "site.yaml: --shard 1/2 builds a share of a network's shows, and this site has one "
            "show (content/episodes/); build it whole"
        )
        assert not (site / "output").exists()


class TestManifest:
    def test_episodes_come_back_equal(self, two: list[Path]) -> None:
        """Every episode read back from the manifests equals the one the build read, field
        for field (dates, chapters, transcripts' voices ...)."""
        episodes = [e for shard in two for e in read_manifest(shard).episodes]
        assert len(episodes) == 6
        for episode in episodes:
            assert decode(type(episode), json.loads(json.dumps(encode(episode)))) == episode
        assert any(e.chapters for e in episodes) and all(e.transcript for e in episodes)

    def test_format_and_version_are_written(self, two: list[Path]) -> None:
        data = json.loads((two[1] / MANIFEST).read_text())
        assert (data["format"], data["cuepress"], data["shard"]) == (FORMAT, __version__, [2, 2])
        assert data["shows"] == ["quiet-stacks", "river-notes"]
        assert "river-notes/feed.xml" in data["files"] and MANIFEST not in data["files"]


class TestMergeErrors:
    """Each refusal names the shard folder, changes nothing, and exits 1."""

    @pytest.fixture
    def setup(self, two: list[Path], tmp_path: Path) -> Setup:
        """A site, copies of its two shards, and a good merged output already there."""
        site = site_copy(tmp_path, "site")
        shards = [tmp_path / "s1", tmp_path / "s2"]
        for source, target in zip(two, shards, strict=True):
            shutil.copytree(source, target)
        output = tmp_path / "out"
        assert run("merge", *shards, "--site", site, "--output", output) == 0
        return site, shards, output

    def refused(
        self,
        setup: Setup,
        shards: list[Path],
        capsys: Capsys,
        *extra: str,
    ) -> list[str]:
        """The merge of ``shards`` fails, leaving the output as it was; its error lines."""
        site, _, output = setup
        before = tree(output)
        capsys.readouterr()
        assert run("merge", *shards, "--site", site, "--output", output, *extra) == 1
        assert tree(output) == before
        lines = capsys.readouterr().err.splitlines()
        assert lines[-1].startswith("Merge failed: ") and "the output was not changed" in lines[-1]
        return lines[:-1]

    def edit(self, shard: Path, **changes: object) -> None:
        data = json.loads((shard / MANIFEST).read_text())
        data.update(changes)
        (shard / MANIFEST).write_text(json.dumps(data))

    def test_a_shard_missing(self, setup: Setup, capsys: Capsys) -> None:
        s1, s2 = setup[1]
        assert self.refused(setup, [s2], capsys) == [
            f"{s2}: is shard 2/2, and no folder given holds shard 1/2: give the output of "
            "every shard"
        ]

    def test_a_shard_twice(self, setup: Setup, capsys: Capsys, tmp_path: Path) -> None:
        s1, s2 = setup[1]
        again = tmp_path / "s1-again"
        shutil.copytree(s1, again)
        assert self.refused(setup, [s1, s2, again], capsys) == [
            f"{again}: is shard 1/2, which {s1} is too: give each shard once"
        ]

    def test_shards_of_different_counts(self, setup: Setup, capsys: Capsys, root: Path) -> None:
        s1, s2 = setup[1]
        other = root / "out-3-of-3"  # built by the N = 3 test, or now
        if not other.exists():
            other = build_shards(root / "again", 3)[2]
        assert self.refused(setup, [s1, s2, other], capsys) == [
            f"{other}: is shard 3/3 and {s1} is shard 1/2: shards of different counts do not "
            "merge; build every shard from one commit with one version of Cuepress, and merge "
            "them all"
        ]

    def test_other_settings(self, setup: Setup, capsys: Capsys) -> None:
        """A shard built with another base URL (or layouts, or show.yaml) than the merge's."""
        s1, s2 = setup[1]
        self.edit(s2, key="0" * 32)
        assert self.refused(setup, [s1, s2], capsys) == [
            f"{s2}: was built with other settings than this site has now (site.yaml, a "
            "show.yaml, the layouts, --base-url, or Python's or a library's version differ); "
            "build every shard from one commit with one version of Cuepress, and merge them all"
        ]
        other = self.refused(setup, [s1, setup[1][1]], capsys, "--base-url", "https://o.test/")
        assert [line.split(":")[0] for line in other] == [str(s1), str(s2)]

    def test_another_version(self, setup: Setup, capsys: Capsys) -> None:
        s1, s2 = setup[1]
        self.edit(s1, cuepress="0.0.1")
        assert self.refused(setup, [s1, s2], capsys) == [
            f"{s1}: was built by Cuepress 0.0.1, and this is Cuepress {__version__}; build every "
            "shard from one commit with one version of Cuepress, and merge them all"
        ]

    def test_another_format(self, setup: Setup, capsys: Capsys) -> None:
        s1, s2 = setup[1]
        self.edit(s1, format=FORMAT + 1)
        assert self.refused(setup, [s1, s2], capsys) == [
            f"{s1}: {MANIFEST} is format {FORMAT + 1}, and this Cuepress ({__version__}) reads "
            f"format {FORMAT}: build every shard and merge with one version of Cuepress"
        ]

    def test_overlapping_files(self, setup: Setup, capsys: Capsys) -> None:
        s1, s2 = setup[1]
        data = json.loads((s2 / MANIFEST).read_text())
        self.edit(s2, files=sorted([*data["files"], "night-shift/feed.xml"]))
        (s2 / "night-shift").mkdir()
        shutil.copyfile(s1 / "night-shift/feed.xml", s2 / "night-shift/feed.xml")
        assert self.refused(setup, [s1, s2], capsys) == [
            f"{s2}: holds night-shift/feed.xml, and so does {s1}: shards must not overlap; "
            "build every shard from one commit with one version of Cuepress, and merge them all"
        ]

    def test_not_a_shard_and_incomplete(self, setup: Setup, capsys: Capsys, tmp_path: Path) -> None:
        s1, s2 = setup[1]
        (s2 / "river-notes/feed.xml").unlink()
        empty = tmp_path / "empty"
        empty.mkdir()
        assert self.refused(setup, [s1, s2, empty, tmp_path / "nowhere"], capsys) == [
            f"{empty}: no {MANIFEST}: not the output of cuepress build --shard K/N (or not all "
            "of it)",
            f"{tmp_path / 'nowhere'}: no such folder (a shard's output was expected)",
        ]
        assert self.refused(setup, [s1, s2], capsys) == [
            f"{s2}: is incomplete: river-notes/feed.xml, listed in its {MANIFEST}, is missing "
            "(copy or download the shard's whole output)"
        ]

    def test_no_shards_given(self, setup: Setup) -> None:
        """The command needs one folder at least (argparse); the function says so too."""
        from generator.errors import BuildFailed
        from generator.merge import merge

        with pytest.raises(BuildFailed) as failed:
            merge(setup[0], [], setup[2])
        assert [str(p) for p in failed.value.errors] == [
            ".: no shard folders given (cuepress merge SHARD_DIR...)"
        ]

    def test_a_show_added_since(self, setup: Setup, capsys: Capsys) -> None:
        site, (s1, s2), _ = setup
        added = site / "content/shows/zither-hour"
        shutil.copytree(site / "content/shows/quiet-stacks", added)
        (added / "show.yaml").write_text("title: Zither Hour\n")
        lines = self.refused(setup, [s1, s2], capsys)
        assert lines[0].startswith(f"{s1}: was built with other settings")  # show.yaml is one
        assert lines[1].startswith(f"{s2}: was built with other settings")


class TestWorkflow:
    """docs/workflows/network.yml (linted by make actionlint, as tests/test_workflow.py runs it)."""

    def test_linted_by_make_actionlint(self) -> None:
        makefile = (ROOT / "Makefile").read_text()
        assert "WORKFLOWS ?= .github/workflows/*.yml docs/workflows/*.yml\n" in makefile

    def test_shards_as_a_matrix_then_merge_then_deploy(self) -> None:
        """Each matrix job builds shard K of N (N: the matrix's length) for the URL Pages
        reports and uploads it; the merge job downloads every shard into its own folder,
        merges, checks and uploads the site; deploy publishes it."""
        jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
        assert list(jobs) == ["configure", "shard", "merge", "deploy"]
        shard = jobs["shard"]
        assert shard["strategy"]["matrix"] == {"shard": [1, 2, 3, 4]}
        build = next(step for step in shard["steps"] if "--shard" in step.get("run", ""))
        assert build["env"]["SHARD"] == "${{ matrix.shard }}/${{ strategy.job-total }}"
        assert (
            build["run"] == 'cuepress build --shard "$SHARD" --base-url "$BASE_URL" --output shard/'
        )
        upload = shard["steps"][-1]
        assert (upload["uses"], upload["with"]["path"]) == ("actions/upload-artifact@v4", "shard/")
        merge = jobs["merge"]
        assert merge["needs"] == ["configure", "shard"]
        runs = [step.get("uses") or step["run"] for step in merge["steps"]]
        assert runs[3:] == [
            "actions/download-artifact@v4",
            'cuepress merge shards/shard-* --base-url "$BASE_URL"',
            'cuepress check --base-url "$BASE_URL"',
            "actions/upload-pages-artifact@v3",
        ]
        assert merge["steps"][3]["with"] == {"pattern": "shard-*", "path": "shards/"}
        assert jobs["deploy"]["steps"][0]["uses"] == "actions/deploy-pages@v4"
