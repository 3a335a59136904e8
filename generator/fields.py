"""Typed reading of YAML mappings (``site.yaml`` and episode records), collecting every problem.

A :class:`Fields` reader hands out values of the right type, or records an error at the key's
line saying what would be right and returns a default, so one pass finds every mistake.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

from generator.errors import Problems
from generator.timecodes import EXPECTED as TIME_EXPECTED
from generator.timecodes import parse_time
from generator.yamlfile import Mapping, Sequence

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def describe(value: object) -> str:
    """A short description of a wrong value for messages: ``a list``, ``the number 3``."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return repr(value[:60])
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class Fields:
    """Reads typed values from ``data`` (a YAML mapping read from ``path``)."""

    def __init__(self, data: Mapping, path: str, problems: Problems) -> None:
        self.data = data
        self.path = path
        self.problems = problems
        self.seen: set[str] = set()

    def line(self, key: str) -> int:
        return self.data.line_of(key)

    def error(self, key: str, message: str) -> None:
        self.problems.error(self.path, self.line(key), message)

    def get(self, key: str) -> Any:
        self.seen.add(key)
        return self.data.get(key)

    def warn_unknown(self, known: str) -> None:
        """Warn about each key that was never asked for."""
        for key in self.data:
            if key not in self.seen:
                self.problems.warn(
                    self.path,
                    self.line(key),
                    f"unknown key {key!r} is ignored (known keys: {known})",
                )

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.get(key)
        if value is None:
            if required:
                self.problems.error(
                    self.path, self.data.line, f"'{key}' is required (add {key}: ...)"
                )
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.error(key, f"'{key}' must be text, got {describe(value)}")
            return None
        if required and not value.strip():
            self.error(key, f"'{key}' must not be empty")
            return None
        return value.strip()

    def boolean(self, key: str) -> bool | None:
        value = self.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.error(key, f"'{key}' must be true or false, got {describe(value)}")
        return None

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        """One of the words in ``allowed``; anything else is an error naming them all."""
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.strip() in allowed:
            return value.strip()
        names = ", ".join(allowed[:-1]) + f" or {allowed[-1]}" if len(allowed) > 1 else allowed[0]
        self.error(key, f"'{key}' must be {names}, got {describe(value)}")
        return None

    def integer(self, key: str, *, minimum: int = 0) -> int | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"'{key}' must be a whole number, got {describe(value)}")
            return None
        if value < minimum:
            self.error(key, f"'{key}' must be at least {minimum}, got {value}")
            return None
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of text; a single string is taken as a list of one."""
        value = self.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),) if value.strip() else ()
        if not isinstance(value, Sequence):
            self.error(key, f"'{key}' must be a list of text, got {describe(value)}")
            return ()
        result = []
        for index, item in enumerate(value):
            if isinstance(item, int) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.problems.error(
                    self.path,
                    value.line_of(index),
                    f"'{key}' must be a list of text; item {index + 1} is {describe(item)}",
                )
                continue
            result.append(item.strip())
        return tuple(result)

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.get(key)
        if value is None:
            if required:
                self.problems.error(
                    self.path, self.data.line, f"'{key}' is required (add {key}: YYYY-MM-DD)"
                )
            return None
        if isinstance(value, str) and _DATE.fullmatch(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.error(key, f"'{key}' is not a real date: {value!r} (check the day and month)")
                return None
        self.error(key, f"'{key}' must be a date written YYYY-MM-DD, got {describe(value)}")
        return None

    def duration(self, key: str) -> int | None:
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.error(key, f"'{key}' must be a time ({TIME_EXPECTED}), got {describe(value)}")
            return None
        try:
            return parse_time(value)
        except ValueError as exc:
            self.error(key, f"'{key}': {exc}")
            return None

    def url(self, key: str, *, absolute: bool = False) -> str | None:
        """A URL: absolute http(s), or (unless ``absolute``) a path relative to the site root."""
        value = self.text(key)
        if value is None:
            return None
        if not url_ok(value, absolute=absolute):
            what = "an absolute http(s) URL" if absolute else "an http(s) URL or a path"
            self.error(key, f"'{key}' must be {what}, got {value!r}")
            return None
        return value


def url_ok(value: str, *, absolute: bool = False) -> bool:
    """True for an http(s) URL with a host, or a plain relative path (no scheme, no ``..``)."""
    if any(ch.isspace() for ch in value) or not value:
        return False
    parts = urlsplit(value)
    if parts.scheme:
        return parts.scheme in ("http", "https") and bool(parts.netloc)
    if absolute or parts.netloc or value.startswith("/"):
        return False
    return ".." not in parts.path.split("/")
