"""The optional C primitives (``generator/_speedups.c``): code with no podcast rules in it, such
as linking the site's files without holding the GIL.

``native`` is the compiled module, or None where it was not built (no C compiler when Cuepress
was installed) or where ``CUEPRESS_NO_SPEEDUPS`` is set in the environment. Callers then take
their Python code, which gives the same output.
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
