"""Publishing a built site to a branch (``gh-pages``) with ghp-import: the only git room.

ghp-import writes the branch with ``git fast-import``: one commit holding exactly the output
folder, on top of the remote branch's history, without checking anything out. The user's
branch, index and working tree are never touched (no checkout, no stash, no reset). Cuepress
then makes sure the commit holds exactly the built files, and pushes that one branch.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.check import site_files
from generator.errors import DeployError

_IDENT = re.compile(r"^(?P<name>.*) <(?P<email>.*)> \d+ [+-]\d{4}$")


@dataclass(frozen=True)
class Target:
    """Where a site goes: a branch of a remote of the repository holding the site."""

    repo: Path  # the top of the working tree
    remote: str
    remote_url: str
    branch: str
    message: str  # the default commit message: what the site was built from
    env: Mapping[str, str]  # for git: the user's environment, with the committer spelt out


@dataclass(frozen=True)
class Published:
    commit: str  # the branch's commit that holds the site
    files: int
    pushed: bool  # False when the branch already held exactly this site
    first: bool  # the branch did not exist on the remote before


def prepare(site_dir: Path, remote: str, branch: str) -> Target:
    """Check, before anything is built, that the site can be published to ``remote/branch``."""
    try:
        top = _git(site_dir, "rev-parse", "--show-toplevel")
    except FileNotFoundError:
        raise DeployError(str(site_dir), None, "git is not installed (deploy needs git)") from None
    if top.returncode != 0:
        raise DeployError(
            str(site_dir),
            None,
            "is not in a git repository (deploy publishes to a branch of the site's repository: "
            "git init, then git remote add origin URL)",
        )
    repo = Path(top.stdout.strip())
    shown = str(repo)
    if _git(repo, "check-ref-format", "--branch", branch).returncode != 0:
        raise DeployError("--branch", None, f"{branch!r} is not a valid branch name")
    url = _git(repo, "remote", "get-url", remote)
    if url.returncode != 0:
        raise DeployError(
            shown,
            None,
            f"has no git remote named {remote!r} "
            f"(add one with: git remote add {remote} URL; or pass --remote)",
        )
    _refuse_checked_out(repo, branch)
    ident = _git(repo, "var", "GIT_COMMITTER_IDENT")
    match = _IDENT.match(ident.stdout.strip()) if ident.returncode == 0 else None
    if match is None:
        raise DeployError(
            shown, None, "git does not know who you are (set git config user.name and user.email)"
        )
    env = dict(os.environ)
    env.setdefault("GIT_COMMITTER_NAME", match["name"])  # ghp-import reads only these or config
    env.setdefault("GIT_COMMITTER_EMAIL", match["email"])
    return Target(repo, remote, url.stdout.strip(), branch, _source_message(repo), env)


def publish(target: Target, output: Path, message: str | None = None) -> Published:
    """Commit ``output`` to the target branch with ghp-import and push that branch.

    The local branch is rebuilt on the remote's; if the site is unchanged nothing is pushed.
    """
    repo, remote, branch = target.repo, target.remote, target.branch
    remote_ref = f"refs/remotes/{remote}/{branch}"
    first = _fetch(target, remote_ref)
    if first and _rev(repo, remote_ref):
        _git(repo, "update-ref", "-d", remote_ref)  # stale: the remote no longer has the branch
    before = _rev(repo, f"refs/heads/{branch}")
    parent = _rev(repo, remote_ref) or before  # what ghp-import builds on
    command = [sys.executable, "-m", "ghp_import", "--remote", remote, "--branch", branch]
    command += ["--message", message or target.message, str(output.resolve())]
    done = subprocess.run(
        command, cwd=repo, env=target.env, capture_output=True, text=True, check=False
    )
    commit = _rev(repo, f"refs/heads/{branch}")
    files = site_files(output)
    try:
        if done.returncode != 0 or commit is None or commit == parent:
            why = _git_error(done.stderr) or _git_error(done.stdout) or "it made no commit"
            raise DeployError(str(repo), None, f"ghp-import could not write {branch}: {why}")
        listed = _git(repo, "ls-tree", "-r", "-z", "--name-only", commit).stdout
        if set(listed.split("\0")) - {""} != files or _rev(repo, commit + "^") != parent:
            raise DeployError(
                str(repo),
                None,
                f"the commit ghp-import wrote on {branch} does not hold exactly {output} "
                "(nothing was pushed; please report this)",
            )
    except DeployError:
        _set_branch(repo, branch, before)
        raise
    remote_tip = None if first else _rev(repo, remote_ref)
    if remote_tip and _rev(repo, commit + "^{tree}") == _rev(repo, remote_tip + "^{tree}"):
        _set_branch(repo, branch, remote_tip)  # the remote has this very site: no empty commit
        return Published(remote_tip, len(files), pushed=False, first=False)
    pushed = _git(repo, "push", "--quiet", remote, f"refs/heads/{branch}:refs/heads/{branch}")
    if pushed.returncode != 0:
        raise DeployError(
            str(repo),
            None,
            f"git push {remote} {branch} failed: {_git_error(pushed.stderr)} "
            "(the remote was not changed)",
        )
    return Published(commit, len(files), pushed=True, first=first)


def _fetch(target: Target, remote_ref: str) -> bool:
    """Bring the remote's branch into ``remote_ref``; True if the remote has no such branch."""
    repo, remote, branch = target.repo, target.remote, target.branch
    listed = _git(repo, "ls-remote", "--exit-code", "--heads", remote, f"refs/heads/{branch}")
    if listed.returncode == 2:
        return True
    if listed.returncode != 0:
        raise DeployError(
            str(repo),
            None,
            f"cannot reach the remote {remote} ({target.remote_url}): {_git_error(listed.stderr)}",
        )
    fetched = _git(
        repo, "fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{branch}:{remote_ref}"
    )
    if fetched.returncode != 0:
        raise DeployError(
            str(repo), None, f"cannot fetch {branch} from {remote}: {_git_error(fetched.stderr)}"
        )
    return False


def _refuse_checked_out(repo: Path, branch: str) -> None:
    """Refuse a branch that is checked out in any working tree of the repository."""
    where = str(repo)
    for line in _git(repo, "worktree", "list", "--porcelain").stdout.splitlines():
        if line.startswith("worktree "):
            where = line.removeprefix("worktree ")
        elif line == f"branch refs/heads/{branch}":
            raise DeployError(
                where,
                None,
                f"has the branch {branch} checked out; publishing would rewrite those files "
                "(switch to your source branch, or pass --branch)",
            )


def _source_message(repo: Path) -> str:
    """``Site built from 1a2b3c4d5e6f by Cuepress 0.1.0`` (noting uncommitted changes)."""
    head = _rev(repo, "HEAD^{commit}")
    # --no-optional-locks: status must not refresh (rewrite) the user's index.
    dirty = _git(repo, "--no-optional-locks", "status", "--porcelain").stdout.strip()
    source = f" from {head[:12]}" if head else ""
    changes = " plus uncommitted changes" if head and dirty else ""
    return f"Site built{source}{changes} by Cuepress {__version__}"


def _set_branch(repo: Path, branch: str, commit: str | None) -> None:
    if commit is None:
        _git(repo, "update-ref", "-d", f"refs/heads/{branch}")
    else:
        _git(repo, "update-ref", f"refs/heads/{branch}", commit)


def _rev(repo: Path, name: str) -> str | None:
    done = _git(repo, "rev-parse", "--verify", "--quiet", name)
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def _git_error(text: str) -> str:
    """The line of git's (or ghp-import's) output that says what went wrong."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line.removeprefix(prefix)
    return lines[-1] if lines else ""
