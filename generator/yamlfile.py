"""The only PyYAML room: load YAML that remembers the line of every key.

Differences from ``yaml.safe_load``, each to give users exact messages instead of surprises:
- mappings are :class:`Mapping` objects whose ``lines`` say where each key was written;
- a duplicate key is an error (YAML 1.1 silently keeps the last one);
- dates and times stay strings (``2023-02-30`` would otherwise crash the loader, and
  ``1:23`` would silently become the base-60 number 83); the record reader validates them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.errors import CuepressError


class Mapping(dict[Any, Any]):
    """A dict that knows the line each key was written on (1-based)."""

    line: int
    lines: dict[Any, int]

    def line_of(self, key: object) -> int:
        return self.lines.get(key, self.line)


class Sequence(list[Any]):
    """A list that knows the line each item was written on (1-based)."""

    line: int
    lines: list[int]

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Sequence:
    sequence = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text", key_node.start_mark
            ) from None
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first written on line {mapping.lines[key]}; keep one)",
                key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


def _construct_plain(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """Integers and floats as usual, but base-60 forms like ``1:23`` stay strings."""
    value = loader.construct_scalar(node)
    if ":" in str(value):
        return value
    if node.tag.endswith(":int"):
        return loader.construct_yaml_int(node)
    return loader.construct_yaml_float(node)


def _construct_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_plain)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_plain)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)


def load(text: str, path: str | Path, first_line: int = 1) -> Any:
    """Parse YAML ``text`` read from ``path``; its first line is line ``first_line`` of the file.

    Raises :class:`CuepressError` naming the file and line of a syntax error.
    """
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        raise CuepressError(path, *_explain(exc, first_line)) from None
    except yaml.YAMLError as exc:
        raise CuepressError(path, first_line, f"invalid YAML: {exc}") from None
    _shift_lines(data, first_line - 1)
    return data


_HINTS = {
    "found character '\\t' that cannot start any token": "indent with spaces, not tabs",
    "found unexpected end of stream": "close the quote",
}


def _explain(exc: yaml.MarkedYAMLError, first_line: int) -> tuple[int | None, str]:
    """The line and message for a YAML syntax error, pointing where the fix goes."""
    problem = exc.problem or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    if problem == "found unexpected end of stream" and exc.context_mark:
        mark = exc.context_mark  # an unclosed quote: point at where it opens
    message = f"invalid YAML: {problem}"
    if exc.context and "scanning for the next token" not in exc.context:
        message = f"invalid YAML {exc.context}: {problem}"
    hint = _HINTS.get(problem)
    if hint:
        message += f" ({hint})"
    return (mark.line + first_line if mark else None), message


def _shift_lines(data: Any, offset: int) -> None:
    if not offset:
        return
    if isinstance(data, Mapping):
        data.line += offset
        data.lines = {k: v + offset for k, v in data.lines.items()}
        for value in data.values():
            _shift_lines(value, offset)
    elif isinstance(data, Sequence):
        data.line += offset
        data.lines = [line + offset for line in data.lines]
        for value in data:
            _shift_lines(value, offset)
