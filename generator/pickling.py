"""Fast pickling for frozen, slotted dataclasses (the models and problems), and of the build state.

Python pickles a slotted dataclass through ``__getstate__``/``__setstate__`` written in Python,
which look up the class's fields for every object; the build cache holds hundreds of episodes
and the episode stage sends each one between processes, so that came to a tenth of a rebuild.
With :func:`by_fields` an object pickles as its class and its field values, and unpickles
through the class's own ``__init__``.
"""

from __future__ import annotations

import dataclasses
import gc
import pickle
from operator import attrgetter
from typing import IO, Any, TypeVar

T = TypeVar("T")


def by_fields(cls: type[T]) -> type[T]:
    """Make instances of the dataclass ``cls`` pickle as ``(cls, field values)``."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    values = attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)

    def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


def load(handle: IO[bytes]) -> Any:
    """:func:`loads` of a file's bytes."""
    return loads(handle.read())


def loads(data: bytes) -> Any:
    """``pickle.loads`` of what a build keeps to its end (its cache state, the cached episodes):
    Python's cycle collector is paused while the objects are made, and they are frozen after
    (``gc.freeze``), so that it never walks them. A large archive's are hundreds of thousands
    of objects, which it would otherwise walk again and again: half of the state's load, and a
    tenth of a one-episode rebuild of 6,000 episodes. The build cache gives them back to the
    collector when it closes (:class:`generator.cache.Cache`)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        gc.freeze()
        if paused:
            gc.enable()
