"""The build cache (``SITE/.cache/cuepress/``): what each page was made from, and rooms for
the modules that keep files between builds. This module is its one owner: no other module
looks into its folders or its state.

Its words:

- An **entry** is a folder of files made from known inputs and named by their digest, its
  *key*. It is written whole or not at all (:func:`write_entry`) and never changed after, so
  the built site can hard-link its files. Three kinds: an episode's page and downloads
  (``entries/KEY/``, found by :meth:`Cache.lookup`, made by :meth:`Cache.write` and
  :meth:`Cache.add`), the site's own pages (``site/KEY/``, :meth:`Cache.site_pages`), and a
  copy of a file published as it is (``files/DIGEST``, :meth:`Cache.copy_of`), so that the
  built site never shares a file with anything the user wrote.
- The **inputs** of an entry are the site's files it depends on (the record, its transcript,
  its local audio) with their digests, plus the build's own key (:meth:`Cache.depends_on`:
  the Cuepress version, the libraries, ``site.yaml``, the layouts). A file's content is
  digested again only when its size or modification time changed since the last build, and
  the inputs in a folder whose every file has the size and time the last build saw are not
  looked at one by one (a folder's *fingerprint*: one listing for hundreds of records).
- An entry a build looked up or made is **used**; :meth:`Cache.close` saves the state and
  **drops** every entry not used: renamed aside first (so no build finds part of one under
  its name), then deleted. :meth:`Cache.drop_unused` starts that early for episode entries,
  in a background process, while the build goes on.
- A **room** is a folder lent to one other module, which keeps what it likes there and
  manages it itself: the writer's back copies (``back/``), the search index (``search/``),
  the compiled layouts (``templates/``) and the live preview's sites (``preview/``). The
  cache never looks inside a room; it removes any other folder it does not know.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import hmac
import os
import pickle
import secrets
import shutil
import stat
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import TracebackType
from typing import Any

from generator import __version__, pickling
from generator.errors import CuepressError
from generator.paths import files_under

FORMAT = 9  # bump when the cache layout, the digests or the pickled classes change
ROOMS = ("back", "search", "templates", "preview")  # see room()
LAYOUT = {"entries", "site", "files", *ROOMS}  # the cache's folders; any other is dropped
DROPPED = ".dropped-"  # folders being deleted, renamed aside: .dropped-NAME-PID
NOTE = ".note.pickle"  # what making an entry of the site's pages said (its warnings)

State = tuple[int, int, str]  # a file's size, modification time and content digest
Inputs = tuple[tuple[str, State | None], ...]  # an entry's input files and their states


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
    """One episode record's entry: its inputs' digests and its key. What made it returned is
    kept with the other results of the record's folder (:attr:`Saved.results`)."""

    deps: dict[str, str | None]  # path relative to the site -> content digest (None: absent)
    key: str  # the entry folder's name


@dataclass
class Saved:
    """What the cache remembers between builds: the entries a build used and its inputs."""

    global_key: str = ""
    stats: dict[str, State] = field(default_factory=dict)  # path -> its state when digested
    entries: dict[str, Entry] = field(default_factory=dict)  # record path -> its entry
    copies: dict[str, str] = field(default_factory=dict)  # source path -> digest in files/
    site: str = ""  # the entry of the site's own pages (index, feed ...)
    folders: dict[str, str] = field(default_factory=dict)  # folder -> its fingerprint
    # What made each entry returned (the episode stage's results, files excluded), one pickle
    # for the records of each folder: records folder -> pickled {record: result}. Kept pickled
    # as made, so a rebuild after an edit pickles again only the edited folder's; one pickle a
    # folder loads in half the time of one a record (6,000 episodes: 0.08 s against 0.18 s).
    results: dict[str, bytes] = field(default_factory=dict)


_SAVED = [f.name for f in fields(Saved)]


class Cache:
    """The build cache of one site, opened once per build (under the build's lock) and closed
    at its end: on success :meth:`close` saves what this build used and drops the rest; on
    failure the state is left as the last good build saved it. Use it as a context manager.

    Raises :class:`CacheError` for a cache this user's builds did not make (see
    :func:`make_root`).

    What it unpickles (its state, the cached episodes) is frozen for Python's cycle collector
    as it is made (:func:`generator.pickling.loads`), and so is what a build freezes while the
    cache is open (its episodes, ``gc.freeze``): kept to the build's end, they need not be
    walked again and again while the rest of the build makes its files (without this, a fifth
    of a one-episode rebuild of 6,000 episodes: 0.14 s in making 25,000 paths, 0.09 s in
    sorting the warnings). They are given back to the collector when the cache closes, by an
    error too (the live preview builds again and again in one process)."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.root = make_root(site_dir)
        self.global_key = ""
        self.old = self._load()
        # Each record's last entry, even one made with other layouts or settings: a file in it
        # that comes out the same again is linked, not written (see write_entry).
        self.previous = {record: entry.key for record, entry in self.old.entries.items()}
        self.new = Saved()
        self._dropping: subprocess.Popen[bytes] | None = None
        # Each folder's file names, listed once: most inputs looked for (a record's possible
        # sidecars, ep.srt, ep.json ...) do not exist, and one listing answers for all of them.
        self._listed: dict[str, frozenset[str] | None] = {}
        self._kept: frozenset[str] | None = None  # the entries' folders, when listed
        self._same: dict[str, bool] = {}  # folder -> as the last build saw it (fingerprint)
        self._loaded: dict[str, dict[str, Any]] = {}  # records folder -> its results, unpickled
        self._made: dict[str, dict[str, Any]] = {}  # records folder -> results of this build
        self._entries = self.root / "entries"

    def __enter__(self) -> Cache:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if kind is None:
                self.close()
            else:  # a failed build saves nothing; only the deletion it started is waited for
                self._wait()
        finally:
            gc.unfreeze()  # see the class's docstring

    def _load(self) -> Saved:
        try:
            with (self.root / "state.pickle").open("rb") as handle:
                state = pickling.load(handle)
            if not isinstance(state, Saved) or any(not hasattr(state, f) for f in _SAVED):
                return Saved()  # not a state, or one an older Cuepress saved
            return state
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return Saved()

    def room(self, name: str) -> Path:
        """The folder lent to the module that keeps ``name`` (one of ``ROOMS``), made if
        missing."""
        return room_of(self.site_dir, name)

    def depends_on(self, key: str) -> None:
        """What every entry depends on besides its own inputs (the build's key): entries made
        under another key are not used, though their input digests stay valid."""
        self.global_key = digest_bytes(__version__.encode(), str(FORMAT).encode(), key.encode())
        if self.old.global_key != self.global_key:
            self.old = Saved(stats=self.old.stats)
        self.new.global_key = self.global_key

    # Episodes: one entry each, looked up here, made in worker processes, added here -------------

    def lookup(self, record: str) -> tuple[Any, Path] | None:
        """What made the record's entry returned, and the entry's folder, when none of its
        inputs changed; the entry is then used."""
        entry = self.old.entries.get(record)
        if entry is None or entry.key not in self._entries_kept():
            return None
        if not self._unchanged(entry.deps):
            for path, value in entry.deps.items():
                if self._digest(path) != value:
                    return None
        folder = record.rpartition("/")[0]
        results = self._loaded.get(folder)
        if results is None:
            packed = self.old.results.get(folder)
            results = self._loaded[folder] = {} if packed is None else pickling.loads(packed)
        if record not in results:
            return None
        self.new.entries[record] = entry
        self._made.setdefault(folder, {})[record] = results[record]
        return results[record], self._entry(entry.key)

    def _unchanged(self, deps: Mapping[str, str | None]) -> bool:
        """Whether ``deps`` are as the last build saw them, by their folders' fingerprints
        alone (then their states are carried over to this build's): False means they must be
        digested one by one."""
        folders = {path.rpartition("/")[0] for path in deps}
        if not all(map(self._same_folder, folders)):
            return False
        old, new = self.old.stats, self.new.stats
        carried = []
        for path, value in deps.items():
            if value is not None:
                state = old.get(path)
                if state is None or state[2] != value:
                    return False
                carried.append((path, state))
        new.update(carried)
        return True

    def fingerprint(self, folders: Iterable[str]) -> None:
        """Take the fingerprints of ``folders`` (relative to the site) now, before any file in
        them is read: a file that changes after this differs from the fingerprint saved, so
        the next build looks at it. :meth:`lookup` takes those of other folders itself."""
        for folder in sorted(folders):
            self._same_folder(folder)

    def _same_folder(self, folder: str) -> bool:
        """Whether every file in ``folder`` (relative to the site) has the name, size and time
        the last build saw: then no input in it changed, appeared or went. Listed once."""
        same = self._same.get(folder)
        if same is None:
            found = self._fingerprint(folder)
            if found is not None:
                self.new.folders[folder] = found
            same = self._same[folder] = found is not None and self.old.folders.get(folder) == found
        return same

    def _fingerprint(self, folder: str) -> str | None:
        """A digest of each name in ``folder`` with its kind, size and modification time (a
        file's, through a link; a folder by its name alone); None when it cannot be listed. The
        names answer :meth:`_digest` for files that are not there."""
        rows, names = [], []
        try:
            with os.scandir(os.path.join(self.site_dir, folder)) as listing:
                for item in listing:
                    names.append(item.name)
                    try:
                        st = item.stat()
                    except OSError:  # a broken link
                        rows.append(f"{item.name}\0-")
                        continue
                    if stat.S_ISDIR(st.st_mode):
                        rows.append(f"{item.name}\0d")
                    else:
                        rows.append(f"{item.name}\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}")
        except OSError:
            return None
        self._listed.setdefault(folder, frozenset(names))
        rows.sort()
        return digest_bytes("\n".join(rows).encode())

    def records_before(self) -> set[str]:
        """The records whose entries the last successful build kept."""
        return set(self.previous)

    def inputs(self, paths: Iterable[str]) -> Inputs:
        """The state of each of ``paths`` (relative to the site; None for a missing file)."""
        return tuple(
            (path, self.new.stats[path] if self._digest(path) is not None else None)
            for path in paths
        )

    def write(
        self, record: str, inputs: Inputs, files: Mapping[str, str | bytes], also: str = ""
    ) -> None:
        """Write the entry of ``record`` made from ``inputs`` (in a worker process too);
        ``also`` digests what else it was made from that is no file (another record's title,
        say), and is part of its key."""
        key = self._key_of(_digests(inputs), also)
        previous = self.previous.get(record)
        write_entry(
            self._entry(key), files, previous=None if previous is None else self._entry(previous)
        )

    def add(self, record: str, inputs: Inputs, result: Any, also: str = "") -> Path:
        """Remember the entry :meth:`write` made (in this process or a worker, with the same
        ``also``) as used, with what made it returned; its folder."""
        for path, state in inputs:
            if state is not None:
                self.new.stats[path] = state
        deps = _digests(inputs)
        key = self._key_of(deps, also)
        self.new.entries[record] = Entry(deps, key)
        self._made.setdefault(record.rpartition("/")[0], {})[record] = result
        return self._entry(key)

    # The site's own pages: one entry, named by what they show -----------------------------------

    def site_pages(self, about: str) -> tuple[dict[str, Path], Any] | None:
        """The site's pages made for ``about`` (a digest of what they show) and the note kept
        with them, when there is such an entry; it is then used."""
        folder = self.root / "site" / self._key_of({"site": about})
        try:
            note = pickle.loads((folder / NOTE).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError):
            return None
        self.new.site = folder.name
        return _listing(folder), note

    def write_site_pages(
        self, about: str, files: Mapping[str, bytes], note: Any
    ) -> dict[str, Path]:
        """Keep the site's pages made for ``about`` with ``note``: the files, by path."""
        folder = self.root / "site" / self._key_of({"site": about})
        write_entry(folder, files, pickle.dumps(note))
        self.new.site = folder.name
        return _listing(folder)

    # Files published as they are ----------------------------------------------------------------

    def copy_of(self, source: Path) -> Path:
        """The cache's copy of ``source`` (a site or theme file), made if missing."""
        source = Path(os.path.abspath(source))  # --site may be relative to the working folder
        value = self._digest(str(source))
        if value is None:
            raise FileNotFoundError(source)
        target = self.root / "files" / value
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{value}.{os.getpid()}")
            shutil.copyfile(source, temporary)
            os.replace(temporary, target)
        self.new.copies[str(source)] = value
        return target

    # The end of a build -------------------------------------------------------------------------

    def drop_unused(self) -> None:
        """Start dropping the episode entries no record uses, once every record has been looked
        up or added: each is renamed into one folder, which a background process deletes while
        the build goes on (:meth:`close` waits for it). After a layout change that is every
        old entry, 2,800 files for 560 episodes, whose deletion would otherwise come last."""
        used = {entry.key for entry in self.new.entries.values()}
        dropped = self.root / f"{DROPPED}{os.getpid()}"
        moved = False
        try:
            names = os.listdir(self._entries)  # names, not paths: thousands of entries
        except OSError:
            names = []
        for name in names:
            if name not in used:
                dropped.mkdir(exist_ok=True)
                try:
                    os.rename(self._entries / name, dropped / name)
                    moved = True
                except OSError:
                    drop(self._entries / name)
        if not moved:
            return
        self._wait()  # a deletion started earlier in this build, of the same folder
        try:
            self._dropping = subprocess.Popen(
                ["rm", "-rf", "--", str(dropped)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:  # no rm (Windows): delete it here
            shutil.rmtree(dropped, ignore_errors=True)

    def close(self) -> None:
        """Save what this build used and drop everything else: unused entries, folders left by
        killed builds or by older versions of the cache."""
        self.new.results = self._packed()
        temporary = self.root / f".state.{os.getpid()}"
        with temporary.open("wb") as handle:
            pickle.dump(self.new, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.root / "state.pickle")
        self.drop_unused()  # finds nothing left when the build dropped them already
        self._wait()
        for child in self.root.iterdir():
            if child.name.startswith(DROPPED):  # rm's leftovers, or a killed build's
                shutil.rmtree(child, ignore_errors=True)
            elif child.name.startswith(".state."):  # a killed build's
                child.unlink(missing_ok=True)
            elif child.name not in LAYOUT and child.is_dir() and not child.is_symlink():
                drop(child)  # an older layout's folder
        for folder in (self.root / "site").glob("*"):
            if folder.name != self.new.site:
                drop(folder)
        copies = set(self.new.copies.values())
        for file in (self.root / "files").glob("*"):
            if file.name not in copies and not file.name.startswith("."):
                file.unlink(missing_ok=True)

    def _packed(self) -> dict[str, bytes]:
        """The results this build used, one pickle a folder: the last build's bytes where a
        folder's results are all the ones it loaded from them, else pickled again."""
        packed = {}
        for folder, made in self._made.items():
            loaded = self._loaded.get(folder)
            if (
                loaded is not None
                and made.keys() == loaded.keys()
                and all(made[record] is loaded[record] for record in made)
            ):
                packed[folder] = self.old.results[folder]
            else:
                packed[folder] = pickle.dumps(dict(sorted(made.items())), pickle.HIGHEST_PROTOCOL)
        return packed

    def _wait(self) -> None:
        """Wait for the deletion :meth:`drop_unused` started, if any."""
        if self._dropping is not None:
            self._dropping.wait()
            self._dropping = None

    # Inside the cache ---------------------------------------------------------------------------

    def _entries_kept(self) -> frozenset[str]:
        """The entries' folders there are, listed once (a rebuild looks up thousands)."""
        if self._kept is None:
            try:
                self._kept = frozenset(os.listdir(self._entries))
            except OSError:
                self._kept = frozenset()
        return self._kept

    def _digest(self, relative: str) -> str | None:
        """The content digest of a file (a path relative to the site, or absolute), or None if
        it does not exist."""
        seen = self.new.stats.get(relative)  # digested already in this build (a show.yaml)
        if seen is not None:
            return seen[2]
        folder, _, name = relative.rpartition("/")  # strings: thousands per rebuild
        names = self._listed.get(folder, ())
        if names == ():
            try:
                names = self._listed[folder] = frozenset(
                    os.listdir(os.path.join(self.site_dir, folder))
                )
            except OSError:
                names = self._listed[folder] = None
        if names is not None and name not in names:
            return None
        path = os.path.join(self.site_dir, relative)
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

    def _key_of(self, deps: Mapping[str, str | None], also: str = "") -> str:
        flat = "\n".join(f"{path}\0{value}" for path, value in sorted(deps.items()))
        return digest_bytes(self.global_key.encode(), flat.encode(), also.encode())

    def _entry(self, key: str) -> Path:
        return self._entries / key


def _digests(inputs: Inputs) -> dict[str, str | None]:
    return {path: state[2] if state else None for path, state in inputs}


def _listing(folder: Path) -> dict[str, Path]:
    """The files of an entry folder, by path relative to it."""
    return {name: path for name, path in files_under(folder) if path.name != NOTE}


class CacheError(CuepressError):
    """The build cache cannot be made, or cannot be trusted."""


def root_of(site_dir: Path) -> Path:
    """Where the build cache of the site in ``site_dir`` lives."""
    return site_dir / ".cache" / "cuepress"


def room_of(site_dir: Path, name: str) -> Path:
    """The room ``name`` of the build cache of the site in ``site_dir``, made if missing: for a
    module that keeps files between builds without a :class:`Cache` at hand (the preview)."""
    if name not in ROOMS:
        raise ValueError(f"no room {name!r} in the build cache")
    room = root_of(site_dir) / name
    room.mkdir(parents=True, exist_ok=True)
    return room


def make_root(site_dir: Path) -> Path:
    """The cache folder of the site in ``site_dir``, made if missing, marked as a cache and
    ignored by git and tools that honour ``.gitignore``.

    The cache is trusted: its pages are published as they are, its state is unpickled and its
    compiled layouts run. So a cache this user's builds did not make is never used: one whose
    ``owner`` seal does not match this user's key (copied in from elsewhere) is dropped and
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
            drop(root)
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


def drop(folder: Path) -> None:
    """Delete a folder so that no build can find part of it under its name: it is renamed aside
    first (one atomic step), then removed. A build killed while removing it leaves a
    ``.dropped-`` folder that the next clean-up removes; a build that wants the same entry
    again makes it afresh instead of trusting a half-deleted one."""
    aside = folder.with_name(f"{DROPPED}{folder.name.lstrip('.')}-{os.getpid()}")
    try:
        os.rename(folder, aside)
    except OSError:
        return
    shutil.rmtree(aside, ignore_errors=True)


def write_entry(
    folder: Path,
    files: Mapping[str, str | bytes],
    note: bytes = b"",
    previous: Path | None = None,
) -> None:
    """Write an entry folder whole or not at all (a killed build leaves no half entry).
    ``files`` are by path relative to the folder; a ``note`` is kept beside them.

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
    if note:
        (temporary / NOTE).write_bytes(note)
    try:
        os.rename(temporary, folder)
    except OSError:  # another build made the same entry meanwhile
        shutil.rmtree(temporary, ignore_errors=True)
