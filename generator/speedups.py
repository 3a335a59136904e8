"""The optional C speedups (``generator/_speedups.c``) for the loops that run once per cue.

``native`` is the compiled module, or None where it was not built (no C compiler when Cuepress
was installed) or where ``CUEPRESS_NO_SPEEDUPS`` is set in the environment. Callers then take
their Python code, which gives the same output; the C functions return None for anything they
do not cover, and the caller takes its Python code then too.
"""

from __future__ import annotations

import os
from types import ModuleType


def _load() -> ModuleType | None:
    if os.environ.get("CUEPRESS_NO_SPEEDUPS"):
        return None
    try:
        from generator import _speedups
    except ImportError:
        return None
    return _speedups


native = _load()
