"""Times: reading the forms users write, and the labels and anchors pages show.

Times are kept as whole milliseconds (``int``) so that comparisons, anchors and exports are exact
and builds are reproducible; floats appear only at the edges (JSON, templates).
"""

from __future__ import annotations

import re

# 42, 7.5, 1:23, 0:07.5, 1:02:03, 01:02:03.250; a comma before the fraction is accepted (SRT habit).
_CLOCK = re.compile(r"^(?:(?:(\d+):)?([0-5]?\d):)?(\d+)(?:[.,](\d{1,9}))?$")

EXPECTED = "seconds (42, 7.5) or a clock time (1:23, 1:02:03, 0:07.5)"


def parse_time(value: object) -> int:
    """Return milliseconds for ``value``; raise ``ValueError`` with a readable reason."""
    if isinstance(value, bool):
        raise ValueError(f"expected {EXPECTED}, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a time cannot be negative, got {value}")
        return value * 1000
    if isinstance(value, float):
        if value != value or value * 1000 in (float("inf"), float("-inf")):  # 1e308 s too
            raise ValueError(f"expected {EXPECTED}, got {value!r}")
        if value < 0:
            raise ValueError(f"a time cannot be negative, got {value}")
        return round(value * 1000)
    if not isinstance(value, str):
        raise ValueError(f"expected {EXPECTED}, got {type(value).__name__} {value!r}")
    text = value.strip()
    if text.startswith("-"):
        raise ValueError(f"a time cannot be negative, got {value!r}")
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(f"expected {EXPECTED}, got {value!r}")
    hours, minutes, seconds, fraction = match.groups()
    secs = int(seconds)
    if minutes is not None and secs > 59:
        raise ValueError(f"seconds must be 0-59 in a clock time, got {value!r}")
    millis = round(int(fraction) / 10 ** len(fraction) * 1000) if fraction else 0
    total = (int(hours or 0) * 60 + int(minutes or 0)) * 60 + secs
    return total * 1000 + millis


def clock(ms: int, *, exact: bool = False) -> str:
    """The label a listener reads: ``0:07``, ``1:23``, ``1:02:03`` (whole seconds, floored).

    With ``exact``, a fraction of a second is kept: ``1:23.4``.
    """
    total, millis = divmod(ms, 1000)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    label = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    if exact and millis:
        label += f".{millis:03d}".rstrip("0")
    return label


def seconds_text(ms: int) -> str:
    """Milliseconds as the shortest decimal seconds: ``83``, ``83.4``, ``83.45``."""
    whole, frac = divmod(ms, 1000)
    if not frac:
        return str(whole)
    return f"{whole}.{frac:03d}".rstrip("0")


def make_anchors(starts: list[int], taken: set[int] | None = None) -> list[str]:
    """Time-derived ids (``t=83``, ``t=83.4``) for segments with these start times, in order.

    A segment's id is its start floored to whole seconds; a segment whose id is taken gets the
    start floored to the fewest decimals (1, 2, then 3) that makes it unique, so ids follow time,
    not line numbers, and survive a regenerated transcript. Identical starts take the next free
    millisecond.
    """
    taken = set() if taken is None else taken  # anchor values already given, in milliseconds
    anchors = []
    for start in starts:
        value = start - start % 1000
        if value in taken:  # rare: another segment in the same second
            for step in (100, 10, 1):
                value = start - start % step
                if value not in taken:
                    break
            else:
                value = start
                while value in taken:
                    value += 1
        taken.add(value)
        anchors.append(f"t={value // 1000}" if value % 1000 == 0 else "t=" + seconds_text(value))
    return anchors
