"""A podcast host on 127.0.0.1 for import tests and the import benchmark.

It serves the files under a folder (``tests/feeds/``), with ``{{BASE}}`` in text files replaced by
its own address, as a real host's feed names its own URLs; files can also be added in memory.
Besides, it answers the ways real servers fail:

- ``/dynamic/huge.vtt`` announces 2 GB; ``/dynamic/endless.vtt`` streams without a length, forever;
- ``/dynamic/loop`` redirects to itself; ``/dynamic/slow.vtt`` never answers in time;
- ``/dynamic/flaky/NAME`` answers 503 the first time, then serves ``NAME``;
- ``/dynamic/moved/NAME`` redirects (301) to ``NAME``;
- ``/dynamic/file-redirect`` redirects to ``file:///etc/passwd``;
- anything else that is not a file is a 404.
"""

from __future__ import annotations

import mimetypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

FEEDS = Path(__file__).parent / "feeds"
TYPES = {
    ".xml": "application/rss+xml",
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".json": "application/json",
    ".html": "text/html",
    ".txt": "text/plain",
}
SLOW_SECONDS = 5.0


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.files: dict[str, bytes] = {}  # path -> body, served before the folder's files
        self.requests: list[str] = []
        self.flaky_seen: set[str] = set()
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def body(self, path: str) -> bytes | None:
        if path in self.files:
            return self.files[path]
        file = (self.root / path).resolve()
        if not file.is_relative_to(self.root.resolve()) or not file.is_file():
            return None
        data = file.read_bytes()
        if file.suffix in TYPES:
            data = data.replace(b"{{BASE}}", self.base.encode())
        return data


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):  # the client hung up, as it should
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = unquote(urlsplit(self.path).path).lstrip("/")
        with self.server.lock:
            self.server.requests.append(path)
        if path == "dynamic/huge.vtt":
            self.send_response(200)
            self.send_header("Content-Type", "text/vtt")
            self.send_header("Content-Length", str(2 * 1024**3))
            self.end_headers()
            self._stream(b"WEBVTT\n\n" + b"x" * 65536)
        elif path == "dynamic/endless.vtt":
            self.send_response(200)
            self.send_header("Content-Type", "text/vtt")
            self.send_header("Connection", "close")
            self.end_headers()
            self._stream(b"WEBVTT\n\n" + b"x" * 65536)
        elif path == "dynamic/loop":
            self._redirect("/dynamic/loop")
        elif path == "dynamic/file-redirect":
            self._redirect("file:///etc/passwd")
        elif path.startswith("dynamic/moved/"):
            self._redirect("/" + path.removeprefix("dynamic/moved/"))
        elif path == "dynamic/slow.vtt":
            time.sleep(SLOW_SECONDS)
            self._send(200, b"WEBVTT\n\n00:00.000 --> 00:01.000\ntoo late\n", "text/vtt")
        elif path.startswith("dynamic/flaky/"):
            with self.server.lock:
                first = path not in self.server.flaky_seen
                self.server.flaky_seen.add(path)
            if first:
                self._send(503, b"busy", "text/plain")
            else:
                self._file(path.removeprefix("dynamic/flaky/"))
        else:
            self._file(path)

    def _file(self, path: str) -> None:
        body = self.server.body(path)
        if body is None:
            self._send(404, b"<html><body><h1>Not Found</h1></body></html>", "text/html")
            return
        kind = TYPES.get(Path(path).suffix) or mimetypes.guess_type(path)[0] or "text/plain"
        self._send(200, body, kind)

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _stream(self, chunk: bytes) -> None:
        self.close_connection = True
        try:
            for _ in range(40_000):  # at most 2.6 GB, for a client that never stops reading
                self.wfile.write(chunk)
        except OSError:  # the client hung up, as it should
            pass


@contextmanager
def serve(root: Path = FEEDS) -> Iterator[FeedServer]:
    """A :class:`FeedServer` for ``root`` on a free port of 127.0.0.1, stopped afterwards."""
    server = FeedServer(root)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
