"""YAML with line numbers, duplicate-key errors and no surprising type conversions."""

from __future__ import annotations

import pytest

from generator.errors import CuepressError
from generator.yamlfile import Mapping, Sequence, load


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
            "f.yaml:4: invalid YAML: duplicate key 'title' (first written on line 1; keep one)"
        )

    def test_syntax_error_names_line(self) -> None:
        """An unterminated quote is reported at its line in the file."""
        with pytest.raises(CuepressError) as info:
            load('title: "open\ndate: 2026-01-01\n', "f.yaml", first_line=2)
        assert str(info.value).startswith("f.yaml:")
        assert "invalid YAML" in str(info.value)
