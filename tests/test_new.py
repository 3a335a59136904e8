"""`cuepress new DIR`: a new site that builds without a warning, passes `check` and actionlint,
never writes over anything, pins Cuepress as it was installed, and works from an installed wheel.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from generator import __version__, scaffold
from generator.build import build
from generator.cli import main
from generator.config import KNOWN, load_site
from generator.errors import CuepressError, Problems
from generator.scaffold import Pin, new_site, pin_for
from tests.golden import ROOT

FILES = [
    ".github/workflows/pages.yml",
    ".gitignore",
    "README.md",
    "content/episodes/welcome.md",
    "content/episodes/welcome.vtt",
    "requirements.txt",
    "site.yaml",
]
VERSION_PIN = Pin(f"cuepress=={__version__}", exact=False)
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "--silent", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


class TestNewSite:
    def test_builds_without_warnings_and_checks(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The new site builds with no warning at all, passes `check`, and its example episode
        has a page with the transcript's anchors, chapters and voices."""
        site = tmp_path / "my-show"
        assert main(["new", str(site)]) == 0
        assert files_in(site) == FILES
        result = build(site)
        assert result.warnings == ()
        assert [episode.slug for episode in result.episodes] == ["welcome"]
        capsys.readouterr()
        assert main(["check", "--site", str(site)]) == 0
        assert "all resolve" in capsys.readouterr().err
        page = (site / "output/episodes/welcome/index.html").read_text(encoding="utf-8")
        anchors = re.findall(r'<p class="seg[^"]*" id="(t=[\d.]+)"', page)
        assert anchors == ["t=0", "t=6", "t=12", "t=20", "t=27", "t=35", "t=44", "t=51"]
        assert 'href="#t=20"' in page  # the chapter "Where the files live"
        assert "Ada Quill" in page and "Sam Ortega" in page
        assert (site / "output/episodes/welcome/transcript.vtt").is_file()
        # Without audio the example has a page but no item in the feed: it never reaches apps.
        assert "<item>" not in (site / "output/feed.xml").read_text(encoding="utf-8")

    def test_strict_build_from_the_cli(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`cuepress build --strict` (every warning an error) passes on the new site."""
        site = tmp_path / "show"
        assert main(["new", str(site)]) == 0
        capsys.readouterr()
        assert main(["build", "--strict", "--site", str(site)]) == 0
        assert capsys.readouterr().err.startswith("Built 1 episode (")

    def test_prints_what_was_made_and_what_to_do_next(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        monkeypatch.setattr(scaffold, "installed_pin", lambda: VERSION_PIN)
        assert main(["new", "my show"]) == 0
        out, err = capsys.readouterr()
        assert out == ""
        assert err == (
            "Made a new site for 'My Show' in my show:\n"
            + "".join(f"  {name}\n" for name in FILES)
            + f"requirements.txt pins cuepress=={__version__}, which is not on PyPI: before you "
            "publish, replace it with where the site should install Cuepress from (see its "
            "comment).\n"
            "Next:\n"
            "  cd 'my show'\n"
            "  cuepress serve   # preview it at http://127.0.0.1:8000/, reloading on every save\n"
            "  cuepress build   # build it into output/\n"
            "  cuepress check   # check every link and anchor\n"
            "Then set base_url in site.yaml, and see README.md there to publish on GitHub "
            "Pages.\n"
        )

    def test_exact_pin_needs_no_advice_and_dot_needs_no_cd(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`cuepress new .` in an empty folder: no `cd` line; a pinned commit needs no advice."""
        monkeypatch.chdir(tmp_path)
        line = f"cuepress @ git+https://github.com/o/cuepress@{COMMIT}"
        monkeypatch.setattr(scaffold, "installed_pin", lambda: Pin(line, exact=True))
        assert main(["new", "."]) == 0
        err = capsys.readouterr().err
        assert "\n  cd " not in err and "not on PyPI" not in err
        assert (tmp_path / "requirements.txt").read_text().splitlines()[-1] == line

    @pytest.mark.parametrize(
        ("folder", "title", "base_url"),
        [
            ("my-show", "My Show", "https://example.github.io/my-show/"),
            ("the_long.loan", "The Long Loan", "https://example.github.io/the_long.loan/"),
            (
                "Café: \"ça\" #1 'x'",
                "Café: \"ça\" #1 'x'",
                "https://example.github.io/cafe-ca-1-x/",
            ),
            ("---", "My Podcast", "https://example.github.io/---/"),
            ("日本", "日本", "https://example.github.io/my-podcast/"),
        ],
    )
    def test_title_and_base_url_from_the_folder(
        self, tmp_path: Path, folder: str, title: str, base_url: str
    ) -> None:
        """The title comes from the folder's name and reads back as written, whatever it holds;
        base_url is a valid URL."""
        site = tmp_path / folder
        made = new_site(site, pin=VERSION_PIN)
        assert (made.title, made.base_url) == (title, base_url)
        problems = Problems()
        loaded = load_site(site, problems)
        assert loaded is not None, problems.errors
        assert (loaded.title, loaded.base_url, problems.warnings) == (title, base_url, [])
        assert (site / "README.md").read_text().startswith(f"# {title}\n")

    def test_date_and_no_blank_left(self, tmp_path: Path) -> None:
        """The example is dated the day the site was made; no @BLANK@ is left in any file."""
        site = tmp_path / "show"
        new_site(site, today=dt.date(2031, 4, 5), pin=VERSION_PIN)
        assert "\ndate: 2031-04-05\n" in (site / "content/episodes/welcome.md").read_text()
        for name in FILES:
            assert not re.search(r"@[A-Z_]+@", (site / name).read_text()), name

    def test_makes_missing_parents_and_uses_an_empty_folder(self, tmp_path: Path) -> None:
        new_site(tmp_path / "a" / "b" / "show", pin=VERSION_PIN)
        assert files_in(tmp_path / "a" / "b" / "show") == FILES
        empty = tmp_path / "empty"
        empty.mkdir()
        new_site(empty, pin=VERSION_PIN)
        assert files_in(empty) == FILES

    def test_a_folder_with_only_git_is_used_and_git_kept(self, tmp_path: Path) -> None:
        """A fresh `git init` (or a clone of an empty repository) may become the site."""
        site = tmp_path / "show"
        (site / ".git").mkdir(parents=True)
        (site / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
        new_site(site, pin=VERSION_PIN)
        assert files_in(site) == sorted([".git/HEAD", *FILES])
        assert (site / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"


class TestRefusals:
    def test_refuses_a_folder_that_is_not_empty(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Exit 1, the exact message naming the folder, and nothing written or changed."""
        site = tmp_path / "show"
        site.mkdir()
        (site / "notes.txt").write_text("mine")
        assert main(["new", str(site)]) == 1
        assert capsys.readouterr().err == (
            f"{site}: already exists and is not empty (it holds notes.txt); cuepress new writes "
            "only into a new or empty folder, and wrote nothing\n"
        )
        assert files_in(site) == ["notes.txt"]
        assert (site / "notes.txt").read_text() == "mine"

    def test_counts_what_the_folder_holds(self, tmp_path: Path) -> None:
        site = tmp_path / "show"
        (site / ".git").mkdir(parents=True)
        (site / "site.yaml").write_text("title: Mine\n")
        (site / ".env").write_text("SECRET=1\n")
        with pytest.raises(CuepressError) as info:
            new_site(site, pin=VERSION_PIN)
        assert info.value.problem.message.startswith(
            "already exists and is not empty (it holds .env and 1 more);"
        )
        assert (site / "site.yaml").read_text() == "title: Mine\n"

    def test_refuses_a_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        target = tmp_path / "show"
        target.write_text("mine")
        assert main(["new", str(target)]) == 1
        assert capsys.readouterr().err == (
            f"{target}: is not a folder (give the name of a new folder)\n"
        )
        assert target.read_text() == "mine"

    def test_usage_error_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as info:
            main(["new"])
        assert info.value.code == 2
        assert "the following arguments are required: DIR" in capsys.readouterr().err

    def test_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as info:
            main(["new", "--help"])
        assert info.value.code == 0
        assert "usage: cuepress new [-h] DIR" in capsys.readouterr().out

    def test_a_file_that_appears_meanwhile_is_never_overwritten(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Files are created exclusively: one that appears after the folder was found empty is
        left as it is, the error names it, and what was written is removed again."""
        site = tmp_path / "show"
        site.mkdir()
        refuse = scaffold.refuse_if_used

        def then_a_file_appears(folder: Path) -> None:
            refuse(folder)
            (folder / "requirements.txt").write_text("theirs\n")

        monkeypatch.setattr(scaffold, "refuse_if_used", then_a_file_appears)
        with pytest.raises(CuepressError) as info:
            new_site(site, pin=VERSION_PIN)
        assert str(info.value) == (
            f"{site / 'requirements.txt'}: cannot be written (it already exists); "
            "the new site was not made"
        )
        assert files_in(site) == ["requirements.txt"]
        assert (site / "requirements.txt").read_text() == "theirs\n"
        assert [p.name for p in site.iterdir()] == ["requirements.txt"]  # no folders left


class TestSiteYaml:
    def test_every_key_is_there_and_explained(self, tmp_path: Path) -> None:
        """Every key config.py knows is in site.yaml once, after a comment line: title and
        base_url set, the others commented out."""
        site = tmp_path / "show"
        new_site(site, pin=VERSION_PIN)
        lines = (site / "site.yaml").read_text().splitlines()
        keys = {}
        for number, line in enumerate(lines):
            if found := re.match(r"(# )?(\w+): ", line):
                assert lines[number - 1].startswith("# "), f"no explanation above {line!r}"
                keys[found[2]] = found[1] is None
        assert keys == {key: key in ("title", "base_url") for key in KNOWN.split(", ")}
        assert yaml.safe_load("\n".join(lines)) == {
            "title": "Show",
            "base_url": "https://example.github.io/show/",
        }

    @pytest.mark.parametrize(
        "key", [k for k in KNOWN.split(", ") if k not in ("title", "base_url")]
    )
    def test_each_example_value_is_valid(self, tmp_path: Path, key: str) -> None:
        """Each commented-out key, uncommented as shown, loads without an error or warning."""
        site = tmp_path / "show"
        new_site(site, pin=VERSION_PIN)
        path = site / "site.yaml"
        wanted = {key, "owner"} if key == "locked" else {key}  # locked needs the owner
        text = re.sub(
            r"^# (\w+): ",
            lambda m: f"{m[1]}: " if m[1] in wanted else m[0],
            path.read_text(),
            flags=re.M,
        )
        path.write_text(text)
        problems = Problems()
        base_url = "https://podcast.example.com/" if key == "cname" else None
        assert load_site(site, problems, base_url) is not None
        assert (problems.errors, problems.warnings) == ([], [])


class TestRequirements:
    @pytest.mark.parametrize(
        ("direct_url", "line"),
        [
            (  # pip install git+https://github.com/o/cuepress@v0.1.0
                {
                    "url": "https://github.com/o/cuepress",
                    "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "v0.1"},
                },
                f"cuepress @ git+https://github.com/o/cuepress@{COMMIT}",
            ),
            (
                {
                    "url": "ssh://git@github.com/o/mono.git",
                    "vcs_info": {"vcs": "git", "commit_id": COMMIT},
                    "subdirectory": "cuepress",
                },
                f"cuepress @ git+ssh://git@github.com/o/mono.git@{COMMIT}#subdirectory=cuepress",
            ),
            (  # a release's wheel, downloaded by URL: pinned with its hash
                {
                    "url": "https://example.org/cuepress-0.1.0-py3-none-any.whl",
                    "archive_info": {
                        "hashes": {"sha256": "ab" * 32},
                        "hash": "sha256=" + "ab" * 32,
                    },
                },
                "cuepress @ https://example.org/cuepress-0.1.0-py3-none-any.whl#sha256="
                + "ab" * 32,
            ),
            (
                {"url": "https://example.org/cuepress.tar.gz", "archive_info": {}},
                "cuepress @ https://example.org/cuepress.tar.gz",
            ),
        ],
    )
    def test_an_install_from_a_url_is_pinned_exactly(
        self, direct_url: dict[str, Any], line: str
    ) -> None:
        assert pin_for(json.dumps(direct_url), "0.1.0") == Pin(line, exact=True)
        requirement = Requirement(line)  # as pip reads requirements.txt (PEP 508)
        assert (requirement.name, requirement.url) == ("cuepress", line.split(" @ ")[1])

    @pytest.mark.parametrize(
        "direct_url",
        [
            None,  # from a package index
            '{"url": "file:///home/me/cuepress", "dir_info": {"editable": true}}',  # pip -e .
            '{"url": "file:///home/me/cuepress", "dir_info": {}}',
            '{"url": "file:///tmp/cuepress-0.1.0-cp311.whl", "archive_info": {}}',
            f'{{"url": "file:///home/me/cuepress", "vcs_info": {{"vcs": "git", '
            f'"commit_id": "{COMMIT}"}}}}',  # a local clone: no other machine reaches it
            f'{{"url": "https://me:hunter2@git.example.org/cuepress", "vcs_info": '
            f'{{"vcs": "git", "commit_id": "{COMMIT}"}}}}',  # a password is never written out
            '{"url": "https://github.com/o/cuepress", "vcs_info": {"vcs": "git"}}',
            '{"url": "https://github.com/o/cuepress", "vcs_info": {"vcs": "git", '
            '"commit_id": "abc def"}}',
            "not json",
            "[]",
        ],
    )
    def test_anything_else_is_pinned_by_version(self, direct_url: str | None) -> None:
        assert pin_for(direct_url, "0.1.0") == Pin("cuepress==0.1.0", exact=False)

    def test_the_running_install_is_read(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """installed_pin() reads the distribution's direct_url.json (PEP 610)."""

        class Distribution:
            version = "9.9"

            def read_text(self, name: str) -> str | None:
                assert name == "direct_url.json"
                return json.dumps(
                    {
                        "url": "https://github.com/o/cuepress",
                        "vcs_info": {"vcs": "git", "commit_id": COMMIT},
                    }
                )

        monkeypatch.setattr(metadata, "distribution", lambda name: Distribution())
        line = f"cuepress @ git+https://github.com/o/cuepress@{COMMIT}"
        assert scaffold.installed_pin() == Pin(line, exact=True)

    def test_not_installed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Run from a checkout without an install: the package's own version."""

        def missing(name: str) -> None:
            raise metadata.PackageNotFoundError(name)

        monkeypatch.setattr(metadata, "distribution", missing)
        assert scaffold.installed_pin() == VERSION_PIN

    def test_requirements_txt(self, tmp_path: Path) -> None:
        """An exact pin is the file's one requirement; a version pin comes with the comment
        that says to replace it."""
        exact = f"cuepress @ git+https://github.com/o/cuepress@{COMMIT}"
        new_site(tmp_path / "a", pin=Pin(exact, exact=True))
        text = (tmp_path / "a/requirements.txt").read_text()
        assert [line for line in text.splitlines() if not line.startswith("#")] == [exact]
        assert "not on PyPI" not in text
        new_site(tmp_path / "b", pin=VERSION_PIN)
        lines = (tmp_path / "b/requirements.txt").read_text().splitlines()
        assert lines[-3:] == [
            "# Cuepress is not on PyPI: replace the next line with where this site should "
            "install it",
            "# from, for example: cuepress @ git+https://github.com/OWNER/cuepress@TAG",
            f"cuepress=={__version__}",
        ]


@pytest.fixture(scope="module")
def workflow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("new") / "show"
    new_site(site, pin=VERSION_PIN)
    return site / ".github" / "workflows" / "pages.yml"


class TestWorkflow:
    def test_passes_actionlint(self, workflow: Path) -> None:
        """actionlint (run for real, as `make actionlint` runs it) finds nothing."""
        installed = make("actionlint-install")
        assert installed.returncode == 0, f"could not install actionlint: {installed.stderr}"
        done = make("actionlint", f"WORKFLOWS={workflow}")
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")

    def test_installs_the_pinned_cuepress_then_builds_and_checks(self, workflow: Path) -> None:
        data = yaml.safe_load(workflow.read_text())
        assert data[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
        steps = data["jobs"]["build"]["steps"]
        runs = [step.get("run") for step in steps if "run" in step]
        assert runs == [
            "python -m pip install -r requirements.txt",
            'cuepress build --base-url "$BASE_URL"',
            'cuepress check --base-url "$BASE_URL"',
        ]
        python = next(step for step in steps if step.get("uses") == "actions/setup-python@v5")
        assert python["with"]["cache-dependency-path"] == "requirements.txt"
        assert steps[-1] == {
            "name": "Upload the site",
            "uses": "actions/upload-pages-artifact@v3",
            "with": {"path": "output/"},
        }
        assert data["jobs"]["deploy"]["steps"][0]["uses"] == "actions/deploy-pages@v4"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env() -> dict[str, str]:
    """This environment without anything that points Python at this checkout or its venv;
    pip keeps its usual cache (the tests move XDG_CACHE_HOME, which pip would follow)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PIP_TARGET")
    }
    env.setdefault("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(args: list[str | Path], cwd: Path, timeout: float = 600) -> str:
    done = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}{done.stderr}"
    return done.stderr


class TestFromAWheel:
    def test_new_build_check_and_serve_from_an_installed_wheel(self, tmp_path: Path) -> None:
        """The wheel ships the skeleton: in a clean virtual environment holding only the wheel
        and its dependencies, `cuepress new`, `build`, `check` and `serve` work, run outside
        the repository."""
        source = tmp_path / "source"  # the repository's files: pip builds in the tree it is given
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for name in filter(None, listed.split("\0")):
            if (ROOT / name).is_file():
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                (source / name).write_bytes((ROOT / name).read_bytes())
        wheels = tmp_path / "wheels"
        run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, source],
            tmp_path,
        )
        (wheel,) = wheels.glob("cuepress-*.whl")
        venv = tmp_path / "venv"
        run([sys.executable, "-m", "venv", venv], tmp_path)
        run([venv / "bin/python", "-m", "pip", "install", "--quiet", wheel], tmp_path)
        cuepress = venv / "bin" / "cuepress"

        made = run([cuepress, "new", "show"], tmp_path)
        assert "Made a new site for 'Show' in show:" in made
        site = tmp_path / "show"
        assert files_in(site) == FILES
        # Installed from a local file: the version, and the comment saying where to point it.
        assert (site / "requirements.txt").read_text().splitlines()[
            -1
        ] == f"cuepress=={__version__}"
        built = run([cuepress, "build", "--site", "show"], tmp_path)
        assert "warning" not in built and built.startswith("Built 1 episode (")
        assert (site / "output/episodes/welcome/index.html").is_file()
        assert "all resolve" in run([cuepress, "check"], site)

        port = free_port()
        with (tmp_path / "serve.log").open("w") as log:
            server = subprocess.Popen(
                [cuepress, "serve", "--port", str(port)],
                cwd=site,
                env=clean_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                page = self.fetch(f"http://127.0.0.1:{port}/show/episodes/welcome/", server)
                assert 'id="t=20"' in page
            finally:
                server.send_signal(signal.SIGINT)
                assert server.wait(timeout=20) == 0, (tmp_path / "serve.log").read_text()

    @staticmethod
    def fetch(url: str, server: subprocess.Popen[bytes]) -> str:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    return str(response.read().decode())
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
