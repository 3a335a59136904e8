"""The build cache (``SITE/.cache/cuepress/``): what each episode's pages were made from.

Each episode's rendered files are kept in an entry folder named by a digest of everything they
depend on: the Cuepress version, ``site.yaml``, the layouts, the record, its transcript file(s)
and its local audio. A later build reuses an entry whose inputs are unchanged and hard-links its
files into the new site, so one edit re-renders one episode and the atomic swap stays cheap.

File contents are digested only when a file's size or modification time changed since the last
build. Files copied as they are (``static/``, theme assets) are kept here as copies too, so the
built site never shares a file with anything the user wrote.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import pickle
import secrets
import shutil
import stat
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import __version__
from generator.errors import CuepressError

TRASH = ".trash-"  # entry folders being deleted: SITE/.cache/cuepress/.trash-PID
FORMAT = 3  # bump when the cache layout, the digests or the pickled classes change


def digest_bytes(*parts: bytes) -> str:
    """A digest of ``parts`` (SHA-256, which processors compute in hardware: twice as fast as
    BLAKE2 here, and a cold build digests every transcript), as 32 hex digits."""
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()[:32]


@dataclass
class Entry:
    """One episode record's cached result: its inputs' digests and what it produced."""

    deps: dict[str, str | None]  # path relative to the site -> content digest (None: absent)
    key: str  # the entry folder's name
    result: Any  # the episode stage's result, files excluded


@dataclass
class State:
    global_key: str = ""
    # path -> (size, mtime, digest)
    stats: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)  # record path -> entry
    stash: dict[str, str] = field(default_factory=dict)  # source path -> digest kept in files/
    site: str = ""  # the entry of the site's own pages (index, feed ...)


class Cache:
    """Opened once per build; ``save()`` keeps what this build used and drops the rest."""

    def __init__(self, site_dir: Path, global_key: str) -> None:
        self.site_dir = site_dir
        self.root = root_of(site_dir)
        self.global_key = digest_bytes(
            __version__.encode(), str(FORMAT).encode(), global_key.encode()
        )
        self.old = self._load()
        # Each record's last entry folder, even one made with other layouts or settings: a file
        # in it that comes out the same again is linked, not written (see write_entry).
        self.previous = {record: entry.key for record, entry in self.old.entries.items()}
        if self.old.global_key != self.global_key:
            self.old = State(stats=self.old.stats)  # file digests stay valid; entries do not
        self.new = State(global_key=self.global_key)
        self._sweeper: subprocess.Popen[bytes] | None = None

    def _load(self) -> State:
        try:
            with (self.root / "state.pickle").open("rb") as handle:
                state = pickle.load(handle)
            return state if isinstance(state, State) else State()
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return State()

    def digest(self, relative: str) -> str | None:
        """The content digest of a file (a path relative to the site, or absolute), or None if
        it does not exist."""
        path = os.path.join(self.site_dir, relative)  # strings: thousands per rebuild
        try:
            st = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None  # a folder named like a sidecar (ep.vtt/) is no input
        known = self.old.stats.get(relative)
        if known and known[0] == st.st_size and known[1] == st.st_mtime_ns:
            value = known[2]
        else:
            with open(path, "rb") as handle:
                value = digest_bytes(handle.read())
        self.new.stats[relative] = (st.st_size, st.st_mtime_ns, value)
        return value

    def lookup(self, record: str) -> Entry | None:
        """The cached entry for a record whose inputs are all unchanged."""
        entry = self.old.entries.get(record)
        if entry is None or not os.path.isdir(os.path.join(self.root, "entries", entry.key)):
            return None
        for path, value in entry.deps.items():
            if self.digest(path) != value:
                return None
        self.new.entries[record] = entry
        return entry

    def key_for(self, deps: dict[str, str | None]) -> str:
        flat = "\n".join(f"{path}\0{value}" for path, value in sorted(deps.items()))
        return digest_bytes(self.global_key.encode(), flat.encode())

    def entry_dir(self, key: str) -> Path:
        return self.root / "entries" / key

    def previous_entry(self, record: str) -> Path | None:
        """The record's entry folder in the last build, whatever its layouts and settings."""
        key = self.previous.get(record)
        return None if key is None else self.entry_dir(key)

    def store(self, record: str, entry: Entry) -> None:
        self.new.entries[record] = entry

    def stashed(self, source: Path) -> Path:
        """A copy of ``source`` (a site or theme file) kept in the cache, made if missing."""
        value = self.digest(str(source))
        if value is None:
            raise FileNotFoundError(source)
        target = self.root / "files" / value
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{value}.{os.getpid()}")
            shutil.copyfile(source, temporary)
            os.replace(temporary, target)
        self.new.stash[str(source)] = value
        return target

    def sweep(self) -> None:
        """Start removing the entry folders no record uses any more, once every record has
        been looked up or rendered: each is renamed into a trash folder (so no build finds it
        by name), which a background process deletes while the build goes on; :meth:`save`
        waits for it. After a layout change that is every old entry, 2,800 files for 560
        episodes, whose deletion would otherwise come last."""
        keep = {entry.key for entry in self.new.entries.values()}
        trash = self.root / f"{TRASH}{os.getpid()}"
        moved = False
        for folder in (self.root / "entries").glob("*"):
            if folder.name not in keep:
                trash.mkdir(exist_ok=True)
                try:
                    os.rename(folder, trash / folder.name)
                    moved = True
                except OSError:
                    discard(folder)
        if not moved:
            return
        self.wait()  # a deletion started earlier in this build, of the same trash folder
        try:
            self._sweeper = subprocess.Popen(
                ["rm", "-rf", "--", str(trash)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:  # no rm (Windows): delete it here
            shutil.rmtree(trash, ignore_errors=True)

    def save(self) -> None:
        """Write the new state and remove entries and files no longer used."""
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / f".state.{os.getpid()}"
        with temporary.open("wb") as handle:
            pickle.dump(self.new, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.root / "state.pickle")
        self.sweep()  # finds nothing left when the build swept already
        self.wait()
        for trash in self.root.glob(TRASH + "*"):  # a killed build's, or rm's leftovers
            shutil.rmtree(trash, ignore_errors=True)
        for folder in (self.root / "site").glob("*"):
            if folder.name != self.new.site:
                discard(folder)
        files = set(self.new.stash.values())
        for file in (self.root / "files").glob("*"):
            if file.name not in files and not file.name.startswith("."):
                file.unlink(missing_ok=True)

    def wait(self) -> None:
        """Wait for the deletion :meth:`sweep` started, if any."""
        if self._sweeper is not None:
            self._sweeper.wait()
            self._sweeper = None


class CacheError(CuepressError):
    """The build cache cannot be made, or cannot be trusted."""


def root_of(site_dir: Path) -> Path:
    """Where the build cache of the site in ``site_dir`` lives."""
    return site_dir / ".cache" / "cuepress"


def make_root(site_dir: Path) -> Path:
    """The cache folder of the site in ``site_dir``, made if missing, marked as a cache and
    ignored by git and tools that honour ``.gitignore``.

    The cache is trusted: its pages are published as they are, its state is unpickled and its
    compiled layouts run. So a cache this user's builds did not make is never used: one whose
    ``owner`` seal does not match this user's key (copied in from elsewhere) is discarded and
    made afresh, and one holding files git tracks (committed, perhaps by a pull request) stops
    the build with a :class:`CacheError`, before any of it is read.
    """
    root = root_of(site_dir)
    tracked = _tracked_by_git(site_dir, ".cache")
    if tracked:
        raise CacheError(
            ".cache",
            None,
            f"git tracks files in the build cache ({tracked}); Cuepress will not use a cache "
            "that came from a repository (run: git rm -r --cached .cache, and commit)",
        )
    seal = _seal()
    owner = root / "owner"
    try:
        trusted = owner.read_bytes() == seal
    except OSError:
        trusted = False
    try:
        if not trusted and root.is_dir():
            discard(root)
        if not trusted:
            root.mkdir(parents=True, exist_ok=True)
            owner.write_bytes(seal)
        ignore = root.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Made by Cuepress: the build cache is never committed.\n*\n")
        tag = root / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# Cuepress build cache; safe to delete.\n"
            )
    except OSError as exc:
        raise CacheError(
            ".cache",
            None,
            f"the build cache cannot be made there ({exc.strerror}); .cache must be a folder "
            "Cuepress can write to (delete it, and it is made again)",
        ) from None
    return root


def _tracked_by_git(site_dir: Path, name: str) -> str | None:
    """The first file below ``site_dir/name`` that git tracks, if any (None outside a git
    work tree, or without git)."""
    if not os.path.lexists(site_dir / name):
        return None
    try:
        listed = subprocess.run(
            ["git", "-C", str(site_dir), "ls-files", "-z", "--", name],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if listed.returncode != 0 or not listed.stdout:
        return None
    return listed.stdout.split(b"\0")[0].decode(errors="replace")


def _key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cuepress" / "key"


@functools.cache
def _key() -> bytes:
    """This user's secret key (``~/.cache/cuepress/key``), made on first use. Without a
    writable home a key for this process alone: each build then starts its cache afresh."""
    path = _key_file()
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    made = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".key.{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(made)
        try:
            os.link(temporary, path)  # never replaces a key another build made meanwhile
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
        key = path.read_bytes()
    except OSError:
        return made
    return key if len(key) == 32 else made


def _seal() -> bytes:
    """What the ``owner`` file of a cache made by this user holds."""
    return hmac.new(_key(), b"cuepress build cache", hashlib.sha256).hexdigest().encode()


def _same(path: Path, data: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``data``."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def discard(folder: Path) -> None:
    """Delete a cache folder so that no build can find part of it under its name: it is
    renamed aside first (one atomic step), then removed. A build killed while removing it
    leaves a dot-named folder that the next clean-up removes; a build that wants the same
    entry again makes it afresh instead of trusting a half-deleted one."""
    trash = folder.with_name(f".discarded-{folder.name.lstrip('.')}-{os.getpid()}")
    try:
        os.rename(folder, trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def write_entry(
    folder: Path,
    files: Mapping[str, str | bytes],
    warnings: bytes = b"",
    previous: Path | None = None,
) -> None:
    """Write a cache entry folder whole or not at all (a killed build leaves no half entry).
    ``files`` are by path relative to the folder; ``warnings`` are kept beside them.

    A file identical to the one of that name in ``previous`` (the record's last entry) is
    hard-linked from there instead of written: after a layout change a record's downloads come
    out the same, and linking them spares writing and deleting 400 kB per episode."""
    if folder.is_dir():
        return
    temporary = folder.with_name(f".{folder.name}.{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    made = {temporary}
    for name, content in files.items():
        target = temporary / name
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        data = content.encode() if isinstance(content, str) else content
        if previous is not None and _same(previous / name, data):
            try:
                os.link(previous / name, target)
                continue
            except OSError:
                pass  # removed meanwhile, or a file system without links: write it
        target.write_bytes(data)
    if warnings:
        (temporary / ".warnings.pickle").write_bytes(warnings)
    try:
        os.rename(temporary, folder)
    except OSError:  # another build made the same entry meanwhile
        shutil.rmtree(temporary, ignore_errors=True)
