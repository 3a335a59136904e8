"""YAML with line numbers, duplicate-key errors and no surprising type conversions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import yamlfile
from generator.errors import CuepressError
from generator.yamlfile import Mapping, Sequence, load

ROOT = Path(__file__).resolve().parent.parent


def with_lines(value: Any) -> Any:
    """A loaded value with every line it remembers, for comparing two loaders."""
    if isinstance(value, Mapping):
        items = {k: with_lines(v) for k, v in value.items()}
        return ("map", value.line, value.lines, items)
    if isinstance(value, Sequence):
        return ("seq", value.line, value.lines, [with_lines(v) for v in value])
    return (type(value).__name__, value)


def both_loaders(text: str, first_line: int = 1) -> tuple[Any, Any]:
    """What libyaml made of ``text`` (or the marker that it declined), and the pure parser."""
    fast = yamlfile._load_fast(text, first_line)
    try:
        pure = yamlfile._load_pure(text, "f.yaml", first_line)
    except CuepressError as exc:
        pure = exc
    return fast, pure


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
    st.sampled_from(["1:23", "2023-02-30", "yes", "~", "0x1F", "1e3", "*x", "&a", "- a", "#"]),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4),
    ),
    max_leaves=20,
)


class TestTwoParsers:
    """libyaml reads plain records faster; it must never read anything differently."""

    @settings(max_examples=300, deadline=None)
    @given(DOCUMENTS, st.booleans(), st.integers(1, 30))
    def test_libyaml_reads_what_the_pure_parser_reads(
        self, data: Any, flow: bool, first_line: int
    ) -> None:
        text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
        fast, pure = both_loaders(text, first_line)
        if fast is not yamlfile._UNREAD:
            assert with_lines(fast) == with_lines(pure)

    @pytest.mark.parametrize(
        "record",
        sorted(
            p.relative_to(ROOT).as_posix()
            for folder in ("content", "tests/broken")
            for p in (ROOT / folder).rglob("*")
            if p.suffix in (".md", ".yaml", ".yml")
        ),
    )
    def test_every_record_and_broken_case_reads_the_same(self, record: str) -> None:
        """On every record of the demo and every broken case: the same data and lines, or
        libyaml declines and the pure parser gives its message."""
        text = (ROOT / record).read_text(encoding="utf-8", errors="replace")
        if record.endswith(".md") and text.startswith("---\n") and "\n---" in text[3:]:
            text = text[4 : text.index("\n---", 3) + 1]
        fast, pure = both_loaders(text)
        if fast is not yamlfile._UNREAD:
            assert with_lines(fast) == with_lines(pure)
        assert isinstance(pure, CuepressError) <= (fast is yamlfile._UNREAD)


class TestLoad:
    def test_mappings_and_sequences_remember_lines(self) -> None:
        """Each key and each list item knows the line it was written on."""
        data = load("title: x\nlist:\n  - a\n  - b\n", "f.yaml", first_line=2)
        assert isinstance(data, Mapping)
        assert data.line_of("title") == 2
        assert data.line_of("list") == 3
        assert isinstance(data["list"], Sequence)
        assert data["list"].lines == [4, 5]

    def test_dates_and_clock_times_stay_text(self) -> None:
        """2023-02-30 does not crash the loader and 1:23 is not turned into base-60 83."""
        data = load("date: 2023-02-30\nstart: 1:23\nn: 7\nf: 7.5\n", "f.yaml")
        assert data == {"date": "2023-02-30", "start": "1:23", "n": 7, "f": 7.5}

    def test_duplicate_key_is_an_error(self) -> None:
        """YAML 1.1 silently keeps the last of two keys; Cuepress names both lines."""
        with pytest.raises(CuepressError) as info:
            load("title: a\ndate: 2026-01-01\ntitle: b\n", "f.yaml", first_line=2)
        assert str(info.value) == (
            "f.yaml:4: invalid YAML: duplicate key 'title' (first written on line 2; keep one)"
        )

    def test_syntax_error_names_line(self) -> None:
        """An unterminated quote is reported at its line in the file."""
        with pytest.raises(CuepressError) as info:
            load('title: "open\ndate: 2026-01-01\n', "f.yaml", first_line=2)
        assert str(info.value).startswith("f.yaml:")
        assert "invalid YAML" in str(info.value)


class TestHostileYaml:
    def test_alias_bomb_is_refused_quickly(self) -> None:
        """Nine levels of nine aliases (the "billion laughs") are refused at once, at the line
        where the expansion passes the limit."""
        lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
            lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        with pytest.raises(CuepressError) as info:
            load("\n".join(lines) + "\n", "f.yaml")
        assert str(info.value) == (
            "f.yaml:6: invalid YAML: aliases (*name) expand this to over a million values "
            "(write the values out instead)"
        )

    def test_a_few_aliases_and_merge_keys_still_work(self) -> None:
        """Ordinary anchors, aliases and merge keys load, with lines offset into the file."""
        data = load("base: &b {k: 1}\nm:\n  <<: *b\n  z: 2\nl: [*b, *b]\n", "f.yaml", 3)
        assert data == {"base": {"k": 1}, "m": {"k": 1, "z": 2}, "l": [{"k": 1}, {"k": 1}]}
        assert data.lines == {"base": 3, "m": 4, "l": 7}
        assert data["m"].lines == {"k": 3, "z": 6}

    def test_alias_inside_itself_is_refused(self) -> None:
        """An alias to the list it is in would make a value without end."""
        with pytest.raises(CuepressError) as info:
            load("title: x\ntags: &t [a, *t]\n", "f.yaml")
        assert str(info.value) == (
            "f.yaml:2: invalid YAML: an alias (*name) refers to a value it is part of (a value "
            "cannot hold itself)"
        )

    @pytest.mark.parametrize(
        "text", ["deep: " + "[" * 5000 + "]" * 5000, "deep: " + "{a: " * 5000 + "1" + "}" * 5000]
    )
    def test_deep_nesting_is_refused_before_recursion_fails(self, text: str) -> None:
        """5,000 levels of nesting give a message, not a RecursionError."""
        with pytest.raises(CuepressError) as info:
            load("title: x\n" + text + "\n", "f.yaml", first_line=2)
        assert str(info.value) == (
            "f.yaml:3: invalid YAML: nested more than 50 levels deep (flatten it; a record "
            "needs a few)"
        )

    def test_control_character_is_named_at_its_line(self) -> None:
        """A NUL (which YAML does not allow) is reported at its line, in one line."""
        with pytest.raises(CuepressError) as info:
            load("title: x\ndate: 2026\0-01-01\n", "f.yaml", first_line=2)
        assert str(info.value) == (
            "f.yaml:3: invalid YAML: the character U+0000 is not allowed (remove it)"
        )

    def test_second_document_and_python_tags(self) -> None:
        """A second document and a !!python tag each get a message saying what to do."""
        with pytest.raises(CuepressError) as info:
            load("title: x\n---\ntitle: y\n", "f.yaml")
        assert str(info.value) == (
            "f.yaml:2: invalid YAML: a second document starts here (a file holds one; remove "
            "the '---')"
        )
        with pytest.raises(CuepressError) as info:
            load("title: !!python/object/apply:os.system [ls]\n", "f.yaml")
        assert str(info.value).endswith(
            "(tags like !!python/... are not allowed; write plain text, numbers and lists)"
        )
