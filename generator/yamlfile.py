"""The only PyYAML room: load YAML that remembers the line of every key.

Differences from ``yaml.safe_load``, each to give users exact messages instead of surprises:
- mappings are :class:`Mapping` objects whose ``lines`` say where each key was written;
- a duplicate key is an error (YAML 1.1 silently keeps the last one);
- dates and times stay strings (``2023-02-30`` would otherwise crash the loader, and
  ``1:23`` would silently become the base-60 number 83); the record reader validates them;
- hostile input is refused with a message, never a hang or a crash: nesting deeper than
  ``MAX_DEPTH`` (PyYAML recurses once per level), aliases that expand to far more data than the
  file holds (the "billion laughs"), aliases that refer to themselves, control characters.

Speed: a record is read with libyaml (PyYAML's C parser) when the text cannot trip any of those
limits; whenever libyaml finds fault, or the text is unusual (tabs, deep indentation, many
brackets), the pure-Python parser reads it again, so every message and every limit is the pure
parser's. An archive of 560 records spends 0.2 s less this way.
"""

from __future__ import annotations

import re
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


MAX_DEPTH = 50  # levels of nesting; a record needs three or four
MAX_ALIAS_GROWTH = 1_000_000  # values and characters that aliases may add beyond the file's own


class _Loader(yaml.SafeLoader):
    def __init__(self, text: str, first_line: int) -> None:
        super().__init__(text)
        self.first_line = first_line  # the line of the file that the text starts on
        self.depth = 0
        self.aliases = 0

    def line_of(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + self.first_line

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """PyYAML's composer, counting aliases and refusing deep nesting before Python's
        recursion limit does (with a traceback)."""
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
        elif self.depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"nested more than {MAX_DEPTH} levels deep (flatten it; a record needs a few)",
                self.peek_event().start_mark,  # type: ignore[no-untyped-call]
            )
        self.depth += 1
        try:
            node: yaml.Node | None = super().compose_node(parent, index)
            return node
        finally:
            self.depth -= 1


def _check_aliases(root: yaml.Node, limit: int) -> None:
    """Refuse a document whose aliases expand it beyond ``limit`` values and characters, or
    that holds an alias to a node it is inside of. Each node is sized once, without recursion."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            own = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            sizes[id(node)] = size = 1 + own + sum(sizes[id(child)] for child in children)
            if size > limit:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    "aliases (*name) expand this to over a million values (write the values "
                    "out instead)",
                    node.start_mark,
                )
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            raise yaml.composer.ComposerError(
                None,
                None,
                "an alias (*name) refers to a value it is part of (a value cannot hold itself)",
                node.start_mark,
            )
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _construct_sequence(loader: _Loader | _CLoader, node: yaml.SequenceNode) -> Sequence:
    sequence = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = loader.line_of(node)
    sequence.lines = [loader.line_of(child) for child in node.value]
    return sequence


def _construct_mapping(loader: _Loader | _CLoader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    mapping = Mapping()
    mapping.line = loader.line_of(node)
    mapping.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = loader.line_of(key_node)
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


def _construct_plain(loader: _Loader | _CLoader, node: yaml.ScalarNode) -> Any:
    """Integers and floats as usual, but base-60 forms like ``1:23`` stay strings."""
    value = loader.construct_scalar(node)
    if ":" in str(value):
        return value
    if node.tag.endswith(":int"):
        return loader.construct_yaml_int(node)
    return loader.construct_yaml_float(node)


def _construct_text(loader: _Loader | _CLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _construct_str(loader: _Loader | _CLoader, node: yaml.ScalarNode) -> str:
    """Text as usual, but an escape that gives half a character (``"\\ud83d"``: PyYAML does
    not pair UTF-16 surrogates) is refused here, at its line, rather than failing when the
    page is written out as UTF-8."""
    value = str(loader.construct_scalar(node))
    if _SURROGATE.search(value):
        raise yaml.constructor.ConstructorError(
            None,
            None,
            "an escape like \\ud83d gives half a character (a lone UTF-16 surrogate); write the "
            "character itself, or escape it whole, as \\U0001F600",
            node.start_mark,
        )
    return value


try:
    from yaml._yaml import CParser  # libyaml, which PyYAML's wheels include
except ImportError:  # pragma: no cover - a PyYAML built without libyaml reads everything in Python
    CParser = None  # type: ignore[assignment,misc]
_PARSER: tuple[type, ...] = () if CParser is None else (CParser,)


class _CLoader(
    *_PARSER,  # type: ignore[misc]
    yaml.constructor.SafeConstructor,
    yaml.resolver.Resolver,
):
    """libyaml's parser with the same constructors: for text :func:`_plain_enough` passes."""

    def __init__(self, text: str, first_line: int) -> None:
        _PARSER[0].__init__(self, text)  # type: ignore[misc]
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.first_line = first_line

    def line_of(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + self.first_line


def _register(loader: Any) -> None:
    loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
    loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
    loader.add_constructor("tag:yaml.org,2002:int", _construct_plain)
    loader.add_constructor("tag:yaml.org,2002:float", _construct_plain)
    loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)
    loader.add_constructor("tag:yaml.org,2002:str", _construct_str)


_register(_Loader)
_register(_CLoader)
_NOT_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
_DEEP_LINE = re.compile(r"^[ \t?:-]{20,}", re.M)  # indentation and "- " marks: nesting
_UNREAD = object()


def _plain_enough(text: str) -> bool:
    """Whether libyaml may read ``text``: no tab or character the pure parser refuses, and
    too few brackets and too little indentation to nest anywhere near ``MAX_DEPTH`` (libyaml
    has no nesting limit of its own and recurses in C). A block level takes at least one more
    column of indentation or "- " (an indentless sequence, then its items' two columns), and a
    flow level a bracket: under 20 columns and 16 brackets stays well under 50 levels."""
    return (
        "\t" not in text
        and text.count("[") + text.count("{") < 16
        and not _DEEP_LINE.search(text)
        and not _NOT_PRINTABLE.search(text)
    )


def _load_fast(text: str, first_line: int) -> Any:
    """``text`` read by libyaml, or ``_UNREAD`` if it is not plain enough or has any fault."""
    if not _PARSER or not _plain_enough(text):
        return _UNREAD
    loader = _CLoader(text, first_line)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" in text:
            _check_aliases(node, len(text) + MAX_ALIAS_GROWTH)
        return loader.construct_document(node)
    except yaml.YAMLError:
        return _UNREAD  # the pure parser reads it again and says exactly what is wrong
    finally:
        loader.dispose()


def load(text: str, path: str | Path, first_line: int = 1) -> Any:
    """Parse YAML ``text`` read from ``path``; its first line is line ``first_line`` of the file.

    Raises :class:`CuepressError` naming the file and line of a syntax error.
    """
    data = _load_fast(text, first_line)
    return _load_pure(text, path, first_line) if data is _UNREAD else data


def _load_pure(text: str, path: str | Path, first_line: int) -> Any:
    """``text`` read by the pure-Python parser, with its exact messages and limits."""
    try:
        loader = _Loader(text, first_line)  # checks every character first
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + first_line
        message = f"invalid YAML: the character U+{exc.character:04X} is not allowed (remove it)"
        raise CuepressError(path, line, message) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if loader.aliases:
            _check_aliases(node, len(text) + MAX_ALIAS_GROWTH)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise CuepressError(path, *_explain(exc, first_line)) from None
    except yaml.YAMLError as exc:
        raise CuepressError(path, first_line, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


_HINTS = {
    "found character '\\t' that cannot start any token": "indent with spaces, not tabs",
    "found unexpected end of stream": "close the quote",
}
_SECOND_DOCUMENT = "but found another document"


def _explain(exc: yaml.MarkedYAMLError, first_line: int) -> tuple[int | None, str]:
    """The line and message for a YAML syntax error, pointing where the fix goes."""
    problem = exc.problem or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    if problem == "found unexpected end of stream" and exc.context_mark:
        mark = exc.context_mark  # an unclosed quote: point at where it opens
    message = f"invalid YAML: {problem}"
    if problem == _SECOND_DOCUMENT:
        message = "invalid YAML: a second document starts here (a file holds one; remove the '---')"
    elif exc.context and "scanning for the next token" not in exc.context:
        message = f"invalid YAML {exc.context}: {problem}"
    hint = _HINTS.get(problem)
    if problem.startswith("could not determine a constructor for the tag"):
        hint = "tags like !!python/... are not allowed; write plain text, numbers and lists"
    if hint:
        message += f" ({hint})"
    return (mark.line + first_line if mark else None), message


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's emitter where PyYAML has it (the same text as the pure one, ten times faster),
    writing text of several lines as a ``|`` block, as a person would."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump(data: dict[str, Any]) -> str:
    """``data`` as block YAML in the order given, short lists and mappings on one line, every
    string quoted where YAML would read it as something else (``'1:02:03'``, ``'yes'``)."""
    return "".join(
        yaml.dump(
            {key: value},
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=None if isinstance(value, list | dict) else False,
            width=100,
        )
        for key, value in data.items()
    )
