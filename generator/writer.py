"""Publishing the built site: the output folder comes to hold exactly the new files, at once.
This module is its one owner: no other module writes into an output folder.

Its words:

- The **output** is the folder the site is published in (``output/``). Cuepress marks it with
  a ``.cuepress`` file that holds the site's **identity**, a digest of every file's name and
  content name (a file of the build cache is named by its content). Cuepress only deletes
  folders that carry the marker, and refuses an output folder that holds the site or its
  sources (:func:`check_output`).
- To **publish** is to make the output hold exactly a set of files (path -> bytes, or a file
  to hard-link), in one atomic swap (``renameat2(RENAME_EXCHANGE)``): a failed or killed
  build never leaves a mix of two sites. When the output already has the identity of the new
  files, publishing touches nothing.
- The **back copy** is a second copy of the site in a room of the build cache on the output's
  disk (:class:`Publisher`). Publishing brings it to the new files, changing only the files
  that differ from its **manifest** (what each of its files holds), then swaps it with the
  output; the old site becomes the next back copy. A one-file edit of a large site touches
  one file. A back copy's marker is removed before it is changed and written after, so a
  build killed meanwhile leaves one the next build rebuilds rather than trusts.
- A **first build** (no site in the output and no back copy to trust) makes both copies:
  :meth:`Publisher.start` links the files known early (the episodes' and the static files)
  into the back copy and into the **next** back copy in a background thread, while the build
  renders the site's own pages.
- Without a room on the output's disk, the site is written into a **staging** folder beside
  the output and swapped in. **Leftovers** (staging folders, a site moved aside by a swap
  without the atomic exchange) are what builds killed beside the output left; every publish
  removes them first.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import os
import pickle
import shutil
import threading
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from types import TracebackType

from generator.errors import OutputError

MARKER = ".cuepress"
MARKER_TEXT = b"This folder was built by Cuepress; the next build replaces it.\n"
SOURCE_FOLDERS = ("content", "layouts", "static")

Files = Mapping[str, bytes | Path]  # relative path -> its bytes, or a file to hard-link
Manifest = dict[str, str]  # relative path -> what it holds (a file's name, a digest of bytes)


def check_output(output: Path, site_dir: Path) -> None:
    """Refuse an output folder that is (or contains) the site or its sources, or that Cuepress
    did not build."""
    out, site = output.resolve(), site_dir.resolve()
    if out == site or site.is_relative_to(out):
        raise OutputError(
            str(output), None, "the output folder contains the site itself (choose e.g. output/)"
        )
    for name in SOURCE_FOLDERS:
        if out.is_relative_to(site / name):
            raise OutputError(
                str(output), None, f"the output folder is inside {name}/ (choose e.g. output/)"
            )
    if out.exists():
        if not out.is_dir():
            raise OutputError(str(output), None, "the output path is a file, not a folder")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise OutputError(
                str(output),
                None,
                "the folder exists and was not built by Cuepress; it is left alone "
                "(empty it or choose another --output)",
            )


@contextmanager
def locked(*folders: Path) -> Iterator[None]:
    """Hold an exclusive lock on each folder (created if missing): one build at a time per site
    and per output. A second build waits for the first."""
    with ExitStack() as stack:
        for folder in sorted({f.resolve() for f in folders}):
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder, os.O_RDONLY)
            stack.callback(os.close, fd)  # closing releases the lock
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield


def read_marker(folder: Path) -> str | None:
    """The identity of the site in ``folder``, if Cuepress built it."""
    try:
        lines = (folder / MARKER).read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[1] if len(lines) > 1 else None


def publish(output: Path, files: Files, room: Path | None = None) -> bool:
    """Make ``output`` hold exactly ``files``, atomically (through a back copy in ``room``
    when it is on the output's disk); False when it already did, and nothing was touched."""
    with Publisher(output, room) as publisher:
        return publisher.publish(files)


class Publisher:
    """Publishes one output folder, with its back copy in ``room`` (a folder of the build cache)
    when that is on the output's disk. Use it as a context manager around the build's last
    steps: a build that fails after :meth:`start` waits for its thread on the way out."""

    def __init__(self, output: Path, room: Path | None = None) -> None:
        self.output = output.resolve()
        self.back: Path | None = None
        self.base = ""  # files below this folder are named relative to it (see _manifest)
        if room is not None:
            self.base = str(room.parent) + os.sep
            if _same_disk(room, self.output.parent):
                self.back = room / hashlib.sha256(str(self.output).encode()).hexdigest()[:32]
        self._early: _Early | None = None

    def __enter__(self) -> Publisher:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._early is not None:  # its folders stay unmarked: the next build makes them again
            with suppress(Exception):
                self._early.wait()

    def start(self, files: Mapping[str, Path]) -> None:
        """Some of the site's files, each a file to link, known before the rest: on a first
        build they are linked into both back copies meanwhile (else nothing happens here)."""
        back = self.back
        if back is None or read_marker(self.output) is not None:
            return
        if read_marker(back) in _manifests(back):
            return  # a back copy to trust: only changed files will be touched
        (back / MARKER).unlink(missing_ok=True)
        self._early = _Early(back, files)

    def publish(self, files: Files) -> bool:
        """Make the output hold exactly ``files``; False when it already did (nothing is
        touched then)."""
        for relative in files:  # never outside the site (strings: thousands of files)
            if relative and relative[0] not in "./" and "/." not in relative:
                continue  # no part is empty at the start, ".", or "..": most names
            parts = [part for part in relative.split("/") if part not in ("", ".")]
            if not parts or relative.startswith("/") or ".." in parts:
                raise ValueError(f"refusing to write {relative!r}: it leaves the output folder")
        manifest = self._manifest(files)
        identity = _identity(manifest)
        _remove_leftovers(self.output)
        if read_marker(self.output) == identity:
            return False
        if self.back is not None:
            self._through_back(files, manifest, identity)
        else:
            _through_staging(self.output, files, identity)
        return True

    def _manifest(self, files: Files) -> Manifest:
        """What each file holds: a linked file is named by its path (relative to the folder
        holding the room, so a site moved with its cache keeps its identity), bytes by their
        digest."""
        cut = len(self.base)
        return {
            name: (
                (str(data)[cut:] if str(data).startswith(self.base) else str(data))
                if isinstance(data, Path)
                else hashlib.blake2b(data).hexdigest()
            )
            for name, data in files.items()
        }

    def _through_back(self, files: Files, new: Manifest, identity: str) -> None:
        """Bring the back copy to exactly ``files``, swap it with the output, keep the old site
        as the next back copy."""
        back = self.back
        assert back is not None
        early, self._early = self._early, None
        manifests = _manifests(back)
        old = manifests.get(read_marker(back) or "")
        (back / MARKER).unlink(missing_ok=True)
        following = _next_of(back)
        rest = dict(files)
        if early is not None:
            early.wait()
            if any(files.get(name) != path for name, path in early.files.items()):
                raise ValueError("the files linked early are not this site's")
            rest = {name: data for name, data in files.items() if name not in early.files}
            old = None
        elif following.exists():
            shutil.rmtree(following, ignore_errors=True)  # a killed first build's
        if old is None:  # no back copy, or one that cannot be trusted: make it whole
            if early is None:
                shutil.rmtree(back, ignore_errors=True)
                back.mkdir(parents=True)
            _fill(back, rest)
        else:
            for name in old.keys() - new.keys():
                (back / name).unlink(missing_ok=True)
                _prune(back / name, back)
            changed = {name: files[name] for name, held in new.items() if old.get(name) != held}
            for name in changed:
                (back / name).unlink(missing_ok=True)
            _fill(back, changed)
        _mark(back, identity)
        previous = read_marker(self.output)
        if self.output.exists():
            _swap(back, self.output)
        else:
            os.rename(back, self.output)
        kept = {identity: new}
        if previous is not None and previous in manifests and back.exists():
            kept[previous] = manifests[previous]
        file = _manifests_file(back)
        temporary = file.with_name(file.name + f".{os.getpid()}")
        temporary.write_bytes(pickle.dumps(kept))
        os.replace(temporary, file)
        if not back.exists():  # a first build: the next back copy is a second tree of links
            if early is not None:
                _fill(following, {name: self.output / name for name in rest})
                os.link(self.output / MARKER, following / MARKER)
                os.rename(following, back)
            else:
                shutil.copytree(self.output, back, copy_function=os.link)


def _identity(manifest: Manifest) -> str:
    """The site's identity: a digest of every file's name and what it holds."""
    parts = [f"{name}\0{held}".encode() for name, held in sorted(manifest.items())]
    data = b"".join(len(part).to_bytes(8, "little") + part for part in parts)  # one update
    return hashlib.sha256(data).hexdigest()[:32]


class _Early:
    """A first build's early links: ``files`` linked into the back copy and the next back copy
    in a background thread, while the build renders the site's own pages.

    Linking thousands of files is system calls, which run while the build's thread renders:
    on a disk where making a file takes tens of microseconds this takes a tenth of a second
    off a cold build. Neither folder is marked until the site is published, so a failed or
    killed build leaves folders the next build rebuilds rather than trusts.
    """

    def __init__(self, back: Path, files: Mapping[str, Path]) -> None:
        self.back = back
        self.files = dict(files)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="cuepress-early", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            folders = (self.back, _next_of(self.back))
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
            for folder in folders:
                _fill(folder, self.files)
        except BaseException as exc:  # noqa: BLE001 - handed to the build's thread in wait()
            self._error = exc

    def wait(self) -> None:
        """Wait for the thread; raise what it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error


def _next_of(back: Path) -> Path:
    """Where a first build makes the next back copy: a second tree of links."""
    return back.with_name(back.name + ".next")


def _manifests_file(back: Path) -> Path:
    """Where the manifests of a back copy and of the site it was swapped with are kept."""
    return back.with_name(back.name + ".manifests")


def _manifests(back: Path) -> dict[str, Manifest]:
    """The manifest of each site identity the back copy's manifests file knows."""
    try:
        manifests: dict[str, Manifest] = pickle.loads(_manifests_file(back).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        return {}
    return manifests


def _through_staging(output: Path, files: Files, identity: str) -> None:
    """Write the whole site into a staging folder beside ``output`` and swap it in."""
    staging = output.parent / f".{output.name}.staging-{os.getpid()}"
    _remove_marked(staging)
    staging.mkdir()
    _mark(staging, identity)
    try:
        _fill(staging, files)
        _swap(staging, output)
    finally:
        _remove_marked(staging)


def _mark(folder: Path, identity: str) -> None:
    (folder / MARKER).write_bytes(MARKER_TEXT + identity.encode() + b"\n")


def _fill(folder: Path, files: Files) -> None:
    made: set[Path] = {folder}
    for relative, data in sorted(files.items()):
        target = folder / relative
        _mkdirs(target.parent, made)
        if isinstance(data, Path):
            _link(data, target)
        else:
            target.write_bytes(data)


def _prune(path: Path, root: Path) -> None:
    """Remove the now empty folders above a removed file, up to ``root``."""
    folder = path.parent
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _same_disk(a: Path, b: Path) -> bool:
    try:
        a.mkdir(parents=True, exist_ok=True)
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


def _link(source: Path, target: Path) -> None:
    """Hard-link ``source`` (a file in the build cache) to ``target``; copy across devices."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _mkdirs(folder: Path, made: set[Path]) -> None:
    if folder not in made:
        folder.mkdir(parents=True, exist_ok=True)
        made.add(folder)


def _swap(staging: Path, output: Path) -> None:
    """Put ``staging`` in place of ``output``; the old site ends up at ``staging``."""
    if not output.exists():
        os.rename(staging, output)
        return
    if _exchange(staging, output):
        return
    # No atomic exchange on this system: two renames, with the old site kept until the end.
    old = output.parent / f".{output.name}.old-{os.getpid()}"
    os.rename(output, old)
    os.rename(staging, output)
    os.rename(old, staging)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux ``renameat2(RENAME_EXCHANGE)``; False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _remove_leftovers(output: Path) -> None:
    """Remove the leftovers of builds killed beside ``output``, restoring a site moved aside."""
    output = output.resolve()
    if not output.exists():
        for old in sorted(output.parent.glob(f".{output.name}.old-*")):
            if (old / MARKER).is_file():
                os.rename(old, output)
                break
    for prefix in (f".{output.name}.staging-", f".{output.name}.old-"):
        for folder in output.parent.glob(prefix + "*"):
            _remove_marked(folder)
            if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
                folder.rmdir()  # killed between making it and marking it, or at the very end


def _remove_marked(folder: Path) -> None:
    """Delete ``folder`` only if Cuepress built it. The marker goes last, so that a build killed
    meanwhile leaves a folder the next build still knows it may delete."""
    if folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file():
        for child in folder.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            elif child.name != MARKER:
                child.unlink()
        (folder / MARKER).unlink()
        folder.rmdir()
