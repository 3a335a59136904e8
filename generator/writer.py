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
from contextlib import contextmanager
from pathlib import Path

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
def locked(output: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output's parent folder: one build at a time per site."""
    parent = output.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def write_site(output: Path, files: Mapping[str, bytes], copies: Mapping[str, Path]) -> None:
    """Write ``files`` (relative path -> bytes) and ``copies`` (relative path -> source file) as
    the new content of ``output``, atomically."""
    output = output.resolve()
    _remove_stale_staging(output)
    staging = output.parent / f".{output.name}.staging-{os.getpid()}"
    _remove_marked(staging)
    staging.mkdir()
    (staging / MARKER).write_bytes(MARKER_TEXT)
    try:
        made: set[Path] = {staging}
        for relative, data in sorted(files.items()):
            target = staging / relative
            _mkdirs(target.parent, made)
            target.write_bytes(data)
        for relative, source in sorted(copies.items()):
            target = staging / relative
            _mkdirs(target.parent, made)
            shutil.copyfile(source, target)
        _swap(staging, output)
    finally:
        _remove_marked(staging)


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


def _remove_marked(folder: Path) -> None:
    """Delete ``folder`` only if Cuepress built it."""
    if folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file():
        shutil.rmtree(folder)
