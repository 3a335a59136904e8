"""Writing the built site: into a staging folder beside the target, then swapped in at once.

A failed or killed build never touches the last good output. Cuepress only deletes folders that
carry its marker file, and refuses an output folder that holds the site or its content.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path, PurePosixPath

from generator.errors import OutputError

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


def write_site(output: Path, files: Mapping[str, bytes | Path], inputs: str) -> None:
    """Make ``output`` hold exactly ``files`` (relative path -> bytes, or a file to link or
    copy), atomically; the marker records ``inputs``, the digest of what it was built from."""
    output = output.resolve()
    _remove_stale_staging(output)
    staging = output.parent / f".{output.name}.staging-{os.getpid()}"
    _remove_marked(staging)
    staging.mkdir()
    (staging / MARKER).write_bytes(MARKER_TEXT + inputs.encode() + b"\n")
    try:
        made: set[Path] = {staging}
        for relative, data in sorted(files.items()):
            parts = PurePosixPath(relative).parts
            if not parts or parts[0] == "/" or ".." in parts:  # never outside the site
                raise ValueError(f"refusing to write {relative!r}: it leaves the output folder")
            target = staging / relative
            _mkdirs(target.parent, made)
            if isinstance(data, Path):
                _link(data, target)
            else:
                target.write_bytes(data)
        _swap(staging, output)
    finally:
        _remove_marked(staging)


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
