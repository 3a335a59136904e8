"""Names as URL path segments: one rule for records made by import, people and tags."""

from __future__ import annotations

import hashlib
import re
import unicodedata

WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{device}{n}" for device in ("com", "lpt") for n in range(10)
}


def ascii_slug(text: str, limit: int = 60) -> str:
    """ASCII letters, digits and hyphens, at most ``limit`` characters, cut at a hyphen;
    '' when nothing is left (a title of emoji). Safe as a file name on every system."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] or slug[:limit]
    if slug in WINDOWS_RESERVED:
        slug += "-episode"
    return slug


def segment(text: str) -> str:
    """A page's path segment for a person's or a tag's name: its ASCII slug, or, for a name in
    another script, its letters and digits as they are (``山田-太郎``); '' for a name with
    neither."""
    slug = ascii_slug(text, 80)
    if slug:
        return slug
    unicode = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", text).lower()).strip("-")
    return unicode[:80]


def fallback(text: str, prefix: str) -> str:
    """A segment for a name that makes none: ``prefix-`` and a digest of the name."""
    return f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"
