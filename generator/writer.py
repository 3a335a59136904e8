"""Writing the built site: into a staging folder beside the target, then swapped in at once.

A failed or killed build never touches the last good output. Cuepress only deletes folders that
carry its marker file, and refuses an output folder that holds the site or its content.
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
from contextlib import ExitStack, contextmanager
from pathlib import Path, PurePosixPath

from generator.errors import OutputError
from generator.speedups import native

MARKER = ".cuepress"
MARKER_TEXT = b"This folder was built by Cuepress; the next build replaces it.\n"
SOURCE_FOLDERS = ("content", "layouts", "static")


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


def read_marker(output: Path) -> str | None:
    """The inputs digest the site in ``output`` was built from, if Cuepress built it."""
    try:
        lines = (output / MARKER).read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[1] if len(lines) > 1 else None


class Prefill:
    """The first build of a site (no site in the output folder, no spare to reuse) links its
    episode files into the spare folder and into the next spare's seed in a background thread,
    while the build renders the site's own pages; :func:`write_site` then adds the rest.

    Linking thousands of files is system calls, which run while the build's thread renders:
    on a disk where making a file takes tens of microseconds this takes a tenth of a second
    off a cold build. Neither folder is marked until the site is written, so a failed or
    killed build leaves folders the next build rebuilds rather than trusts.
    """

    def __init__(self, spare: Path, files: Mapping[str, Path]) -> None:
        self.spare = spare
        self.files = dict(files)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="cuepress-prefill", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for folder in (self.spare, _seed_of(self.spare)):
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
            if native is None or not hasattr(native, "link_all"):
                for folder in (self.spare, _seed_of(self.spare)):
                    _fill(folder, self.files)
                return
            # In C without the GIL: a Python loop would wait for the build's thread to let go
            # of the GIL at every file, and run barely at all beside it.
            pairs = [
                (source, folder / name)
                for folder in (self.spare, _seed_of(self.spare))
                for name, source in self.files.items()
            ]
            failed = native.link_all(
                [os.fsencode(source) for source, _ in pairs],
                [os.fsencode(target) for _, target in pairs],
            )
            for index in failed:  # another disk, say: copied, or the error raised
                source, target = pairs[index]
                target.parent.mkdir(parents=True, exist_ok=True)
                _link(source, target)
        except BaseException as exc:  # noqa: BLE001 - handed to the build's thread in wait()
            self._error = exc

    def wait(self) -> None:
        """Wait for the thread; raise what it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error


def prefill(output: Path, spare: Path, files: Mapping[str, Path]) -> Prefill | None:
    """Start linking ``files`` (some of the site's, each a file to link) for a first build of
    ``output`` through ``spare``; None when this is not one (a site or a usable spare is
    there, so only changed files will be touched) or the two are on different disks."""
    output = output.resolve()
    if read_marker(output) is not None or not _same_disk(spare.parent, output.parent):
        return None
    if read_marker(spare) in _manifests(spare):
        return None
    (spare / MARKER).unlink(missing_ok=True)
    return Prefill(spare, files)


def _seed_of(spare: Path) -> Path:
    """Where the next spare is made on a first build: a second tree of links."""
    return spare.with_name(spare.name + ".seed")


def _manifests(spare: Path) -> dict[str, Manifest]:
    try:
        manifests: dict[str, Manifest] = pickle.loads(_book_of(spare).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        return {}
    return manifests


def _book_of(spare: Path) -> Path:
    return spare.with_name(spare.name + ".manifests")


def write_site(
    output: Path,
    files: Mapping[str, bytes | Path],
    inputs: str,
    spare: Path | None = None,
    early: Prefill | None = None,
) -> None:
    """Make ``output`` hold exactly ``files`` (relative path -> bytes, or a file to link or
    copy), atomically; the marker records ``inputs``, the digest of what it was built from.

    With ``spare`` (a folder in the build cache on the same disk as ``output``), the site is
    assembled there instead and the old site is kept there after the swap: the next build then
    changes only the files that differ, which makes a one-file rebuild of a large site fast.
    ``early`` is the :func:`prefill` of a first build, which has linked some of ``files``.
    """
    output = output.resolve()
    for relative in files:
        parts = PurePosixPath(relative).parts
        if not parts or parts[0] == "/" or ".." in parts:  # never outside the site
            raise ValueError(f"refusing to write {relative!r}: it leaves the output folder")
    if spare is not None and _same_disk(spare.parent, output.parent):
        _write_through_spare(output, files, inputs, spare, early)
        return
    _remove_stale_staging(output)
    staging = output.parent / f".{output.name}.staging-{os.getpid()}"
    _remove_marked(staging)
    staging.mkdir()
    (staging / MARKER).write_bytes(MARKER_TEXT + inputs.encode() + b"\n")
    try:
        _fill(staging, files)
        _swap(staging, output)
    finally:
        _remove_marked(staging)


def _fill(folder: Path, files: Mapping[str, bytes | Path]) -> None:
    made: set[Path] = {folder}
    for relative, data in sorted(files.items()):
        target = folder / relative
        _mkdirs(target.parent, made)
        if isinstance(data, Path):
            _link(data, target)
        else:
            target.write_bytes(data)


Manifest = dict[str, str]  # relative path -> what it holds (a cache file, or a digest of bytes)


def _manifest(files: Mapping[str, bytes | Path]) -> Manifest:
    return {
        name: str(data) if isinstance(data, Path) else hashlib.blake2b(data).hexdigest()
        for name, data in files.items()
    }


def _write_through_spare(
    output: Path,
    files: Mapping[str, bytes | Path],
    inputs: str,
    spare: Path,
    early: Prefill | None = None,
) -> None:
    """Bring the spare tree to exactly ``files``, swap it with ``output``, keep the old site as
    the next spare. The spare's marker is removed before it is touched and written after, so a
    build killed meanwhile leaves a spare the next build rebuilds rather than trusts."""
    book = _book_of(spare)
    manifests = _manifests(spare)
    new = _manifest(files)
    old = manifests.get(read_marker(spare) or "")
    (spare / MARKER).unlink(missing_ok=True)
    seed = _seed_of(spare)
    rest = dict(files)
    if early is not None:
        early.wait()
        if early.spare != spare or any(files.get(n) != p for n, p in early.files.items()):
            raise ValueError("the prefilled files are not this site's")
        rest = {name: data for name, data in files.items() if name not in early.files}
        old = None
    elif seed.exists():
        shutil.rmtree(seed, ignore_errors=True)  # a killed first build's
    if old is None:  # no spare, or one that cannot be trusted: build it whole
        if early is None:
            shutil.rmtree(spare, ignore_errors=True)
            spare.mkdir(parents=True)
        _fill(spare, rest)
    else:
        for name in old.keys() - new.keys():
            (spare / name).unlink(missing_ok=True)
            _prune(spare / name, spare)
        changed = {name: files[name] for name, held in new.items() if old.get(name) != held}
        for name in changed:
            (spare / name).unlink(missing_ok=True)
        _fill(spare, changed)
    (spare / MARKER).write_bytes(MARKER_TEXT + inputs.encode() + b"\n")
    previous = read_marker(output)
    if output.exists():
        if not _exchange(spare, output):
            _swap(spare, output)
    else:
        os.rename(spare, output)
    kept = {inputs: new}
    if previous is not None and previous in manifests and spare.exists():
        kept[previous] = manifests[previous]
    temporary = book.with_name(book.name + f".{os.getpid()}")
    temporary.write_bytes(pickle.dumps(kept))
    os.replace(temporary, book)
    if not spare.exists():  # the first build: the next spare is a second tree of links
        if early is not None:
            _fill(seed, {name: output / name for name in rest})
            os.link(output / MARKER, seed / MARKER)
            os.rename(seed, spare)
        else:
            shutil.copytree(output, spare, copy_function=os.link)


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


def remove_leftovers(output: Path) -> None:
    """Remove what builds killed beside ``output`` left (a build that writes does it too)."""
    _remove_stale_staging(output.resolve())


def _remove_stale_staging(output: Path) -> None:
    """Remove staging folders left by builds that were killed (restoring a moved-away site)."""
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
