"""Real-browser test support: a static server for a built site under its sub-path, and
headless Chromium (Debian's ``chromium``) driven by Playwright.

The server answers byte ranges, as real hosts do, so that the audio element can seek.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        raise RuntimeError("chromium is not installed: `make test` installs Debian's chromium")
    return path


@contextmanager
def launch() -> Iterator[tuple[Playwright, Browser]]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield playwright, browser
        finally:
            browser.close()


COMPRESSED = frozenset({".html", ".css", ".js", ".json", ".xml", ".txt", ".vtt", ".srt"})


class _Handler(SimpleHTTPRequestHandler):
    prefix = "/"
    compress = False  # gzip text files for clients that accept it, as GitHub Pages does

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(self.prefix):
            return os.path.join(self.directory, ".missing", "nothing")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_head(self) -> Any:
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"  # a folder's page is gzipped too, as Pages does
        if (
            self.compress
            and not match
            and "gzip" in self.headers.get("Accept-Encoding", "")
            and path.suffix in COMPRESSED
            and path.is_file()
        ):
            body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        if not match or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start = int(match.group(1))
        end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
        if start > end:
            self.send_error(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            return None
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def copyfile(self, source: Any, outputfile: Any) -> None:
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            super().copyfile(source, outputfile)
            return
        while remaining > 0:
            chunk = source.read(min(65536, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that stops reading (an audio seek) is normal; anything else is raised."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(root: Path, prefix: str, *, compress: bool = False) -> Iterator[str]:
    """Serve the folder ``root`` at ``http://127.0.0.1:PORT{prefix}``; yields that URL.
    ``compress``: gzip pages, styles and scripts, as GitHub Pages does (for Lighthouse)."""
    handler = type("Handler", (_Handler,), {"prefix": prefix, "compress": compress})

    def make(*args: Any) -> _Handler:
        return handler(*args, directory=str(root))

    server = _QuietServer(("127.0.0.1", 0), make)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


# -- Where a page comes to rest ----------------------------------------------------------------
#
# Tests of scrolling assert where an element ends up once the page has stopped moving and how
# long the move took, never which functions ran. ``settle`` reads the page's clock and
# ``scrollY`` every 10 ms until ``scrollY`` has been still for ``QUIET_MS``; a page still moving
# after ``SETTLE_LIMIT_MS`` is an error, not a pass, so a slow landing fails, however slow. With
# ``WATCH_SCROLLS`` as an init script (pages with JavaScript on), every scroll event is logged
# with its time too, which dates a jump made before the first reading; with JavaScript off the
# readings alone (every 10 ms or so) date the moves they see.

QUIET_MS = 200
SETTLE_LIMIT_MS = 8000

WATCH_SCROLLS = """
window.__scrolls = [];
addEventListener("scroll", (event) => {
  if (event.target === document) window.__scrolls.push([performance.now(), scrollY]);
}, {capture: true, passive: true});
"""

_READ = "[performance.now(), scrollY]"
_LOG = """(since) => {
  const nav = performance.getEntriesByType("navigation")[0];
  const log = window.__scrolls ? window.__scrolls.filter((s) => s[0] >= since) : null;
  return {log, load: nav ? nav.loadEventEnd : null};
}"""


@dataclass(frozen=True)
class Rest:
    """Where a page came to rest: ``y`` (scrollY), how many moves were seen and, in ms on the
    page's clock, the first and last of them (None if it never moved) and the end of its load
    event."""

    y: float
    moves: int
    first: float | None
    last: float | None
    load: float | None

    @property
    def took_ms(self) -> float:
        """From the first scroll to the last: how long the move took (0 if it was one jump)."""
        return 0.0 if self.first is None or self.last is None else self.last - self.first

    def after_load_ms(self) -> float:
        """How long after the load event the page stopped moving (negative: before it)."""
        assert self.load, "the page has not finished loading"
        return (self.last if self.last is not None else 0.0) - self.load


@dataclass(frozen=True)
class Mark:
    """The page's clock and scroll position at a moment, to pass to :func:`settle`."""

    time: float
    y: float


def mark(page: Page) -> Mark:
    time_ms, y = page.evaluate(_READ)
    return Mark(float(time_ms), float(y))


def settle(page: Page, since: Mark | None = None) -> Rest:
    """Wait until the page has stopped scrolling and say when it moved (since ``since``, or
    since it was opened); fail if it is still moving after ``SETTLE_LIMIT_MS``."""
    began = time.monotonic()
    now, y = page.evaluate(_READ)
    seen: list[float] = []
    if since is not None and y != since.y:
        seen.append(now)  # it moved between the mark and the first reading
    still = now
    while now - still < QUIET_MS:
        time.sleep(0.01)
        now, new_y = page.evaluate(_READ)
        if new_y != y:
            y, still = new_y, now
            seen.append(now)
        if time.monotonic() - began > SETTLE_LIMIT_MS / 1000:
            raise AssertionError(f"the page was still scrolling after {SETTLE_LIMIT_MS} ms")
    found = page.evaluate(_LOG, since.time if since is not None else 0)
    times = [entry[0] for entry in found["log"]] if found["log"] is not None else seen
    return Rest(
        float(y),
        len(times),
        times[0] if times else None,
        times[-1] if times else None,
        found["load"],
    )
