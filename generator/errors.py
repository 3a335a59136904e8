"""The exception hierarchy and the problem list a build collects.

Every problem a user can fix is reported as ``path:line: what is wrong (what would be right)``.
Readers raise a :class:`CuepressError` for a problem that stops them reading a file, and add
warnings (and further errors) to a :class:`Problems` list; ``build()`` reports them all together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.pickling import by_fields


@by_fields
@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning, tied to a file and (where known) a line."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class CuepressError(Exception):
    """A problem in something the user wrote; carries the file and line it is about."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.problem = Problem(str(path), line, message)
        super().__init__(str(self.problem))


class ConfigError(CuepressError):
    """``site.yaml`` is missing or holds a wrong value."""


class ContentError(CuepressError):
    """An episode record is broken."""


class TranscriptError(ContentError):
    """A transcript cannot be read."""


class TemplateError(CuepressError):
    """A layout does not compile or fails while rendering."""


class OutputError(CuepressError):
    """The output folder cannot be written safely."""


class DeployError(CuepressError):
    """The site cannot be published: git, the remote or the branch is not as it must be."""


class BuildFailed(Exception):
    """The build found errors; nothing was written. Holds every problem found."""

    def __init__(self, errors: list[Problem], warnings: list[Problem]) -> None:
        self.errors = errors
        self.warnings = warnings
        super().__init__("\n".join(str(p) for p in errors))


@dataclass
class Problems:
    """Errors and warnings gathered while reading and rendering a site."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, path: str | Path, line: int | None, message: str) -> None:
        self.errors.append(Problem(str(path), line, message))

    def warn(self, path: str | Path, line: int | None, message: str) -> None:
        self.warnings.append(Problem(str(path), line, message))

    def add(self, exc: CuepressError) -> None:
        self.errors.append(exc.problem)

    def extend(self, other: Problems) -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)

    def raise_if_failed(self, *, strict: bool = False) -> None:
        """Raise :class:`BuildFailed` if there are errors (or, when strict, warnings)."""
        errors = self.errors + (self.warnings if strict else [])
        if errors:
            raise BuildFailed(in_order(errors), [] if strict else in_order(self.warnings))


def in_order(problems: list[Problem]) -> list[Problem]:
    """Problems sorted by file, then line, so a report reads top to bottom."""
    return sorted(problems, key=lambda p: (p.path, p.line or 0))
