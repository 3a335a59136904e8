# Types of the optional C module generator/_speedups.c (see generator/speedups.py).
from collections.abc import Callable

from generator.models import Segment
from generator.transcripts.cues import Cue

def render_all(
    segments: tuple[Segment, ...], finishes: list[int], headings: list[tuple[int, str]]
) -> tuple[str, bytes, bytes, bytes, bytes] | None: ...
def parse_vtt(
    text: str, cue: type[Cue], cue_text: Callable[[str], tuple[str | None, str]]
) -> list[Cue] | None: ...
def normalise(
    cues: list[Cue], segment: type[Segment], names: dict[str, str] | None
) -> tuple[tuple[Segment, ...], list[int]] | None: ...
def link_all(sources: list[bytes], targets: list[bytes]) -> list[int]: ...
