"""Where a file really is: links followed. Only files inside the site, and in none of its hidden
folders, are read or published. A link to ``~/.ssh/id_rsa``, or to ``.git/config`` (where CI
checkouts keep their token), is refused before a byte of it is read.
"""

from __future__ import annotations

from pathlib import Path


def link_problem(path: Path, root: Path, kind: str = "file") -> str | None:
    """Why ``path`` (a ``kind``: file or folder) may not be read, or None if it may: its real
    place is outside ``root``, or in a hidden file or folder below it."""
    real, base = path.resolve(), root.resolve()
    if not real.is_relative_to(base):
        return f"is a link to a {kind} outside the site (copy the {kind} in)"
    if any(part.startswith(".") for part in real.relative_to(base).parts):
        return f"is a link to a hidden {kind} (like .git or .env), which is never read"
    return None
