"""cuepress deploy with real git, and the files GitHub Pages needs in the built site.

Each test makes a repository with a bare "remote" in a temporary folder; git's identity comes
from the environment, never from the machine's global configuration.
"""

from __future__ import annotations

import hashlib
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from generator import __version__
from generator.build import build
from generator.check import LINK, scan_page
from generator.cli import main
from tests.conftest import MakeSite, record, write_files
from tests.golden import ROOT

SITE_YAML = "title: Test Show\nbase_url: https://user.github.io/show/\n"
EPISODES = {
    "content/episodes/a.md": record("Alpha", extra="transcript: ['0:00 Hello.', '0:05 More.']\n"),
    "content/episodes/b.md": record("Beta", date="2026-01-03"),
}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


@pytest.fixture
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A git with a known identity and no global or system configuration."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for kind in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{kind}_NAME", "Ana Ruiz")
        monkeypatch.setenv(f"GIT_{kind}_EMAIL", "ana@example.test")
        monkeypatch.delenv(f"GIT_{kind}_DATE", raising=False)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def repo(make_site: MakeSite, tmp_path: Path, git_env: None) -> tuple[Path, Path]:
    """A site in a git repository on ``main``, pushed to a bare remote ``origin``."""
    ignore = "/output/\n/.cache/\n"  # the build's products, ignored as in Cuepress's own repo
    work = make_site({**EPISODES, ".gitignore": ignore}, site_yaml=SITE_YAML).resolve()
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    git(work, "init", "--quiet", "--initial-branch=main")
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "--message", "The show")
    git(work, "remote", "add", "origin", str(remote))
    git(work, "push", "--quiet", "origin", "main")
    return work, remote


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (but .git) by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def published(remote: Path, tmp_path: Path, branch: str = "gh-pages") -> dict[str, bytes]:
    """What the remote's branch holds, from a fresh clone."""
    clone = tmp_path / f"clone-{len(list(tmp_path.glob('clone-*')))}"
    git(tmp_path, "clone", "--quiet", "--branch", branch, str(remote), str(clone))
    return tree(clone)


def user_state(work: Path) -> dict[str, object]:
    """Everything of the user's that deploy must leave alone: HEAD, the index, and every file
    of the working tree, tracked or untracked (all but what .gitignore ignores)."""
    names = git(work, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return {
        "head": git(work, "symbolic-ref", "HEAD"),
        "main": git(work, "rev-parse", "refs/heads/main"),
        "index": hashlib.sha256((work / ".git" / "index").read_bytes()).hexdigest(),
        "status": git(work, "--no-optional-locks", "status", "--porcelain", "--untracked=all"),
        "files": {name: (work / name).read_bytes() for name in names.split("\0") if name},
        "remote main": git(work, "ls-remote", "origin", "refs/heads/main"),
    }


def deploy(work: Path, *args: str) -> int:
    return main(["deploy", "--site", str(work), *args])


class TestFirstDeploy:
    def test_branch_holds_exactly_the_site_and_nothing_else_moves(
        self, repo: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The remote's gh-pages holds exactly the built output; the user's HEAD, index, working
        tree (staged, unstaged and untracked changes) and main branch are untouched."""
        work, remote = repo
        write_files(work, {"notes.txt": "tracked\n"})
        git(work, "add", "notes.txt")
        git(work, "commit", "--quiet", "--message", "Notes")
        write_files(work, {"notes.txt": "edited, not staged\n", "scratch.txt": "untracked\n"})
        write_files(work, {"staged.txt": "staged\n"})
        git(work, "add", "staged.txt")
        before = user_state(work)

        assert deploy(work) == 0

        assert user_state(work) == before
        site = tree(work / "output")
        assert published(remote, tmp_path) == site
        assert {".nojekyll", "404.html", "index.html", "episodes/a/index.html"} <= set(site)
        commit = git(remote, "rev-parse", "gh-pages")
        head = before["main"]
        assert git(remote, "log", "--format=%s", "gh-pages") == (
            f"Site built from {str(head)[:12]} plus uncommitted changes by Cuepress {__version__}"
        )
        assert capsys.readouterr().err.splitlines()[1:] == [
            f"Pushed output/ ({len(site)} files) to the gh-pages branch of origin ({remote}) "
            f"as commit {commit[:12]}.",
            "First deploy: in the repository's Settings > Pages, set Source to "
            "'Deploy from a branch', branch gh-pages, folder / (root).",
        ]

    def test_other_remote_branch_and_message(self, repo: tuple[Path, Path], tmp_path: Path) -> None:
        """--remote, --branch and --message choose where it goes and what the commit says."""
        work, remote = repo
        git(work, "remote", "add", "pages", str(remote))
        assert deploy(work, "--remote", "pages", "--branch", "site", "--message", "Hello") == 0
        assert published(remote, tmp_path, "site") == tree(work / "output")
        assert git(remote, "log", "--format=%s", "site") == "Hello"


class TestLaterDeploys:
    def test_one_change_adds_one_commit(
        self, repo: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A second deploy after one change adds exactly one commit, with only what changed."""
        work, remote = repo
        assert deploy(work) == 0
        first = git(remote, "rev-parse", "gh-pages")
        write_files(work, {"content/episodes/a.md": EPISODES["content/episodes/a.md"] + "More.\n"})
        git(work, "commit", "--quiet", "--all", "--message", "More words")

        assert deploy(work) == 0

        assert git(remote, "rev-list", "--count", "gh-pages") == "2"
        second = git(remote, "rev-parse", "gh-pages")
        assert git(remote, "rev-parse", "gh-pages^") == first
        changed = git(remote, "diff", "--name-only", first, second).splitlines()
        assert "episodes/a/index.html" in changed
        assert "episodes/b/index.html" not in changed
        assert published(remote, tmp_path) == tree(work / "output")

    def test_no_change_pushes_nothing(
        self, repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Deploying the same site again makes no empty commit and pushes nothing."""
        work, remote = repo
        assert deploy(work) == 0
        commit = git(remote, "rev-parse", "gh-pages")
        capsys.readouterr()
        assert deploy(work) == 0
        assert git(remote, "rev-parse", "gh-pages") == commit
        assert git(work, "rev-parse", "gh-pages") == commit
        assert capsys.readouterr().err.splitlines()[-1] == (
            f"The gh-pages branch of origin ({remote}) already holds this site "
            f"(commit {commit[:12]}); nothing was pushed."
        )

    def test_deleted_remote_branch_is_pushed_again(
        self, repo: tuple[Path, Path], tmp_path: Path
    ) -> None:
        """If the remote lost the branch, the same site is pushed again (the local branch
        alone does not count as published)."""
        work, remote = repo
        assert deploy(work) == 0
        git(work, "push", "--quiet", "origin", "--delete", "gh-pages")
        assert deploy(work) == 0
        assert published(remote, tmp_path) == tree(work / "output")

    def test_builds_on_what_the_remote_has(self, repo: tuple[Path, Path], tmp_path: Path) -> None:
        """A deploy from another clone is fetched first, so the next one adds to it (no
        rejected push, no lost history)."""
        work, remote = repo
        other = tmp_path / "other"
        git(tmp_path, "clone", "--quiet", "--branch", "main", str(remote), str(other))
        assert deploy(other) == 0
        theirs = git(remote, "rev-parse", "gh-pages")
        write_files(work, {"content/episodes/b.md": record("Beta, revised", date="2026-01-03")})
        assert deploy(work) == 0
        assert git(remote, "rev-list", "--count", "gh-pages") == "2"
        assert git(remote, "rev-parse", "gh-pages^") == theirs
        assert published(remote, tmp_path) == tree(work / "output")


class TestRefusals:
    def test_failed_build_is_not_deployed(
        self, repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A build with errors is not published, and says so."""
        work, remote = repo
        write_files(work, {"content/episodes/c.md": "---\ntitle: C\ndate: 2026-02-31\n---\n"})
        assert deploy(work) == 1
        assert capsys.readouterr().err == (
            "content/episodes/c.md:3: 'date' is not a real date: '2026-02-31' "
            "(check the day and month)\n"
            "Deploy refused: the build failed with 1 error; nothing was pushed.\n"
        )
        assert git(work, "ls-remote", "origin", "refs/heads/gh-pages") == ""
        assert git(work, "branch", "--list", "gh-pages") == ""

    def test_broken_links_are_not_deployed(
        self, repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A site whose check fails is not published: every broken link is listed."""
        work, remote = repo
        write_files(
            work,
            {"layouts/404.html": '<!doctype html>\n<title>x</title>\n<a href="/home/">home</a>\n'},
        )
        assert deploy(work) == 1
        assert capsys.readouterr().err == (
            "output/404.html:3: /home/ -> is outside the site's path /show/ (write /show/home/)\n"
            "Deploy refused: 1 broken link; nothing was pushed.\n"
        )
        assert git(work, "ls-remote", "origin", "refs/heads/gh-pages") == ""

    def test_not_a_repository(
        self, make_site: MakeSite, git_env: None, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A site outside git cannot be published to a branch."""
        site = make_site(EPISODES, site_yaml=SITE_YAML)
        assert deploy(site) == 1
        assert capsys.readouterr().err == (
            f"{site}: is not in a git repository (deploy publishes to a branch of the site's "
            "repository: git init, then git remote add origin URL)\n"
            "Deploy refused; nothing was pushed.\n"
        )
        assert not (site / "output").exists()

    def test_no_such_remote(
        self, repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The remote must exist."""
        work, _ = repo
        assert deploy(work, "--remote", "upstream") == 1
        assert capsys.readouterr().err == (
            f"{work}: has no git remote named 'upstream' "
            "(add one with: git remote add upstream URL; or pass --remote)\n"
            "Deploy refused; nothing was pushed.\n"
        )

    def test_branch_checked_out(
        self, repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Publishing to the branch the user has checked out would rewrite their files."""
        work, _ = repo
        assert deploy(work, "--branch", "main") == 1
        assert capsys.readouterr().err == (
            f"{work}: has the branch main checked out; publishing would rewrite those files "
            "(switch to your source branch, or pass --branch)\n"
            "Deploy refused; nothing was pushed.\n"
        )

    def test_bad_branch_name(
        self, repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A branch name git would refuse is refused first."""
        work, _ = repo
        assert deploy(work, "--branch", "gh pages") == 1
        assert capsys.readouterr().err == (
            "--branch: 'gh pages' is not a valid branch name\nDeploy refused; nothing was pushed.\n"
        )

    def test_unknown_identity(
        self,
        repo: tuple[Path, Path],
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Without a name and email git cannot commit: say how to set them."""
        work, _ = repo
        for kind in ("AUTHOR", "COMMITTER"):
            monkeypatch.delenv(f"GIT_{kind}_NAME")
            monkeypatch.delenv(f"GIT_{kind}_EMAIL")
        git(work, "config", "user.useConfigOnly", "true")
        assert deploy(work) == 1
        assert capsys.readouterr().err == (
            f"{work}: git does not know who you are (set git config user.name and user.email)\n"
            "Deploy refused; nothing was pushed.\n"
        )

    def test_unreachable_remote(
        self, repo: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A remote that cannot be reached is reported with git's reason."""
        work, _ = repo
        gone = tmp_path / "gone.git"
        git(work, "remote", "set-url", "origin", str(gone))
        assert deploy(work) == 1
        assert capsys.readouterr().err.splitlines()[-1] == (
            f"{work}: cannot reach the remote origin ({gone}): "
            f"'{gone}' does not appear to be a git repository"
        )

    def test_rejected_push(
        self, repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A push the remote rejects leaves the remote as it was, and says so."""
        work, remote = repo
        hook = remote / "hooks" / "pre-receive"
        hook.write_text("#!/bin/sh\necho 'no pushes today' >&2\nexit 1\n")
        hook.chmod(0o755)
        assert deploy(work) == 1
        assert capsys.readouterr().err.splitlines()[-1] == (
            f"{work}: git push origin gh-pages failed: failed to push some refs to "
            f"'{remote}' (the remote was not changed)"
        )
        assert git(work, "ls-remote", "origin", "refs/heads/gh-pages") == ""

    def test_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown option is a usage error: exit 2."""
        with pytest.raises(SystemExit) as info:
            main(["deploy", "--bogus"])
        assert info.value.code == 2

    def test_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        """cuepress deploy --help names every option."""
        with pytest.raises(SystemExit) as info:
            main(["deploy", "--help"])
        assert info.value.code == 0
        out = capsys.readouterr().out
        options = ("--site DIR", "--remote", "--branch", "--message", "--strict")
        assert all(option in out for option in options)


class TestPagesFiles:
    def test_nojekyll_always_cname_when_set(self, make_site: MakeSite, tmp_path: Path) -> None:
        """The site carries an empty .nojekyll, and CNAME only when site.yaml sets cname."""
        site = make_site(EPISODES, site_yaml=SITE_YAML)
        output = build(site).output
        assert (output / ".nojekyll").read_bytes() == b""
        assert not (output / "CNAME").exists()
        custom = "title: T\nbase_url: https://podcast.example.com/\ncname: Podcast.Example.com\n"
        write_files(site, {"site.yaml": custom})
        assert (build(site).output / "CNAME").read_text() == "podcast.example.com\n"

    def test_cname_is_deployed(self, repo: tuple[Path, Path], tmp_path: Path) -> None:
        """The branch carries the CNAME, so GitHub Pages keeps the custom domain."""
        work, remote = repo
        custom = "title: T\nbase_url: https://pod.example.com/\ncname: pod.example.com\n"
        write_files(work, {"site.yaml": custom})
        assert deploy(work) == 0
        assert published(remote, tmp_path)["CNAME"] == b"pod.example.com\n"

    def test_404_page_works_from_any_depth(self, tmp_path: Path) -> None:
        """Served as GitHub Pages does, for a miss deep under the sub-path, the 404 page's
        stylesheet, links and images all load."""
        output = build(ROOT, tmp_path / "out").output
        with pages_server(output, "/borrowed-hammer/") as origin:
            deep = origin + "/borrowed-hammer/no/such/deep/page/"
            status, body = fetch(deep)
            assert (status, body) == (404, (output / "404.html").read_bytes())
            scan = scan_page(str(output / "404.html"), "404.html")
            links = [urljoin(deep, url) for _, url, kind in scan.links if kind == LINK]
            local = [url for url in links if url.startswith(origin)]
            assert origin + "/borrowed-hammer/assets/cuepress.css" in local
            assert origin + "/borrowed-hammer/" in local
            assert {url: fetch(url)[0] for url in local} == {url: 200 for url in local}


@contextmanager
def pages_server(root: Path, prefix: str) -> Iterator[str]:
    """Serve ``root`` under ``prefix`` as GitHub Pages does: folder URLs serve index.html, a
    folder without its slash redirects, anything missing gets 404.html with status 404."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            path = unquote(urlsplit(self.path).path)
            rel = path[len(prefix) :] if path.startswith(prefix) else None
            target = root / rel if rel is not None else None
            if target is not None and target.is_dir() and not path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", path + "/")
                self.end_headers()
                return
            if target is not None and target.is_dir():
                target = target / "index.html"
            found = target is not None and target.is_file() and root in target.resolve().parents
            body = (target if found and target else root / "404.html").read_bytes()
            self.send_response(HTTPStatus.OK if found else HTTPStatus.NOT_FOUND)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    root = root.resolve()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read()
