# Types of the optional C module generator/_speedups.c (see generator/speedups.py).
from generator.models import Segment

def render_all(
    segments: tuple[Segment, ...], finishes: list[int], headings: list[tuple[int, str]]
) -> tuple[str, bytes, bytes, bytes, bytes] | None: ...
