"""Times: the forms users write, the labels pages show, and time-derived anchors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.timecodes import clock, make_anchors, parse_time, seconds_text


class TestParseTime:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (42, 42_000),
            (7.5, 7_500),
            ("42", 42_000),
            ("7.5", 7_500),
            ("1:23", 83_000),
            ("0:07.5", 7_500),
            ("1:02:03", 3_723_000),
            ("01:02:03.250", 3_723_250),
            ("00:00:04,500", 4_500),
            ("  1:23 ", 83_000),
            ("90", 90_000),
        ],
    )
    def test_accepted_forms(self, value: object, expected: int) -> None:
        """Seconds, M:SS and H:MM:SS, each with an optional fraction, become milliseconds."""
        assert parse_time(value) == expected

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("1:75", "seconds must be 0-59 in a clock time, got '1:75'"),
            (-3, "a time cannot be negative, got -3"),
            ("-0:03", "a time cannot be negative, got '-0:03'"),
            (
                "soon",
                "expected seconds (42, 7.5) or a clock time (1:23, 1:02:03, 0:07.5), got 'soon'",
            ),
            (
                "1:2:3:4",
                "expected seconds (42, 7.5) or a clock time (1:23, 1:02:03, 0:07.5), got '1:2:3:4'",
            ),
            (True, "expected seconds (42, 7.5) or a clock time (1:23, 1:02:03, 0:07.5), got True"),
            (
                [1],
                "expected seconds (42, 7.5) or a clock time (1:23, 1:02:03, 0:07.5), got list [1]",
            ),
        ],
    )
    def test_rejected_forms(self, value: object, message: str) -> None:
        """Impossible or malformed times are refused with a reason."""
        with pytest.raises(ValueError) as info:
            parse_time(value)
        assert str(info.value) == message

    @given(st.integers(min_value=0, max_value=50 * 3600 * 1000))
    def test_exact_clock_round_trips(self, ms: int) -> None:
        """An exact clock label reads back as the same millisecond."""
        assert parse_time(clock(ms, exact=True)) == ms


class TestLabels:
    @pytest.mark.parametrize(
        ("ms", "label"), [(0, "0:00"), (7_900, "0:07"), (83_400, "1:23"), (3_723_000, "1:02:03")]
    )
    def test_clock(self, ms: int, label: str) -> None:
        """Labels are whole seconds, floored, with hours only when needed."""
        assert clock(ms) == label

    def test_seconds_text_is_shortest(self) -> None:
        """Decimal seconds drop trailing zeros."""
        assert [seconds_text(v) for v in (83_000, 83_400, 83_450, 83_001)] == [
            "83",
            "83.4",
            "83.45",
            "83.001",
        ]


class TestAnchors:
    def test_whole_second_first_then_shortest_decimal(self) -> None:
        """The first segment in a second gets t=S; later ones the shortest unique decimal."""
        starts = [83_000, 83_400, 83_450, 84_900, 85_000]
        assert make_anchors(starts) == ["t=83", "t=83.4", "t=83.45", "t=84", "t=85"]

    def test_first_in_its_second_is_whole_even_with_fraction(self) -> None:
        """A segment starting at 83.4 alone in its second is t=83."""
        assert make_anchors([83_400, 83_900]) == ["t=83", "t=83.9"]

    def test_identical_starts_take_next_free_millisecond(self) -> None:
        """Duplicate start times still get unique ids."""
        assert make_anchors([5_000, 5_000, 5_000]) == ["t=5", "t=5.001", "t=5.002"]

    def test_ids_do_not_depend_on_neighbours_in_other_seconds(self) -> None:
        """A regenerated transcript with an extra line elsewhere keeps the other ids."""
        before = make_anchors([1_000, 10_000, 20_000])
        after = make_anchors([1_000, 4_000, 10_000, 20_000])
        assert set(before) <= set(after)

    @given(st.lists(st.integers(min_value=0, max_value=10_000_000), max_size=200).map(sorted))
    def test_unique_and_never_after_start(self, starts: list[int]) -> None:
        """Every anchor is unique and names a time at or before its segment's start."""
        anchors = make_anchors(starts)
        assert len(set(anchors)) == len(anchors)
        for start, anchor in zip(starts, anchors, strict=True):
            value = parse_time(anchor.removeprefix("t="))
            assert value <= start or value - start <= len(starts)
