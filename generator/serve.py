"""The live preview, ``cuepress serve``: the only livereload room.

How it avoids the ``livereload`` package's known pitfalls:
- Watching: inotify through ``watchfiles`` (plugged in as livereload's watcher, whose ``start``
  hook exists for this) instead of polling every 0.8 s; a burst of saves (a ``git checkout``, an
  editor's swap file) settles into one batch and one rebuild. Idle CPU is near zero.
- Reloading: a finished build calls ``reload_waiters`` itself, so livereload's 3-second
  ``DEFAULT_RELOAD_TIME`` can never drop a reload.
- Serving: our own WSGI app serves the last good build under the site's ``base_url`` path,
  answers misses with the site's 404 page, byte ranges for audio, and nothing outside the site.
- Building: each build writes a staging folder in a private temporary folder and swaps it in,
  in a worker thread, so the server keeps answering and never shows a half-built page; a failed
  build keeps the last good site and shows its errors in an overlay on every page.
"""

from __future__ import annotations

import html
import mimetypes
import os
import queue
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import watchfiles
from livereload import Server
from livereload.handlers import LiveReloadHandler
from livereload.watcher import Watcher
from tornado.ioloop import IOLoop

from generator import search
from generator.build import BuildResult, build
from generator.cache import make_root, room_of
from generator.errors import BuildFailed, Problem
from generator.writer import locked

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
SOURCES = ("content", "layouts", "static")
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class Preview:
    """Builds the site into a private folder and knows what to serve from it."""

    def __init__(self, site_dir: Path, *, drafts: bool = False) -> None:
        self.site_dir = site_dir
        self.drafts = drafts
        # Beside the build cache, on the same disk, so pages are hard-linked, not copied. The
        # cache is checked first (an untrusted one is emptied), under the lock builds take.
        with locked(site_dir):
            make_root(site_dir)
            room = room_of(site_dir, "preview")
        for stale in room.glob("serve-*-*"):  # left by a preview that was killed
            pid = stale.name.split("-")[1]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(stale, ignore_errors=True)
        self.workdir = Path(tempfile.mkdtemp(prefix=f"serve-{os.getpid()}-", dir=room))
        self.output = self.workdir / "site"
        self.prefix = "/"
        self.errors: list[Problem] = []
        self.built_once = False
        self.result: BuildResult | None = None  # the last build, until its search index is made
        self.interrupt = threading.Event()  # set when a change comes in: indexing stops for it

    def rebuild(self) -> bool:
        """Build once; on failure keep the last good site and remember the errors."""
        started = time.perf_counter()
        try:
            # The search index is left out here and made by index() after the reload. Only
            # the first build may fork worker processes: later ones run beside the server's
            # threads, where forking is unsafe (and the cache leaves little to render).
            result = build(
                self.site_dir,
                self.output,
                drafts=self.drafts,
                preview=True,
                jobs=None if not self.built_once else 1,
            )
        except BuildFailed as failed:
            self.errors = failed.errors
            for problem in failed.errors:
                print(f"{problem}", file=sys.stderr)
            print("Build failed; still serving the last good site.", file=sys.stderr)
            return False
        self.errors = []
        self.result = result
        self.prefix = result.site.path
        self.built_once = True
        for problem in result.warnings:
            print(
                f"{problem.path}:{problem.line or ''}: warning: {problem.message}", file=sys.stderr
            )
        print(f"Built in {time.perf_counter() - started:.2f} s.", file=sys.stderr)
        return True

    def index(self) -> None:
        """Make the search index of the site just built (which browsers already show): only
        the index parts whose episodes changed are made again."""
        result, self.result = self.result, None
        if result is None or not result.site.search:
            return
        started = time.perf_counter()
        try:
            site, episodes = result.site, result.episodes
            search.write_bundle(self.output, site, episodes, self.site_dir, self.interrupt)
        except search.Interrupted:
            print("Search index: stopped for a newer change.", file=sys.stderr)
            return
        except (OSError, RuntimeError, EOFError) as exc:
            print(f"warning: the search index was not made: {exc}", file=sys.stderr)
            return
        print(f"Search index made in {time.perf_counter() - started:.2f} s.", file=sys.stderr)

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    # The WSGI application -------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = self.answer(environ, start_response)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return [b""]  # the headers of a GET, no body (tornado refuses to send one)
        return body

    def answer(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """The response to a GET (or HEAD) of a file of the built site."""
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return _respond(start_response, "405 Method Not Allowed", b"", "text/plain")
        raw = environ.get("PATH_INFO", "/")
        path = raw.encode("latin-1").decode("utf-8", "replace") if isinstance(raw, str) else raw
        if path in ("", "/") and self.prefix != "/":
            return _redirect(start_response, self.prefix)
        try:
            file = self.resolve(path)
            if file is not None and file.is_dir():
                if not path.endswith("/"):
                    return _redirect(start_response, quote(path) + "/")
                file = file / "index.html"
            if file is None or not file.is_file():
                return self.not_found(start_response)
            return self.send_file(file, environ, start_response)
        except OSError:  # a name too long for the file system, a page gone in a rebuild
            return self.not_found(start_response)

    def resolve(self, path: str) -> Path | None:
        """The file inside the built site that ``path`` names, or None for anything else."""
        if not path.startswith(self.prefix) or "\\" in path or "\0" in path:
            return None
        parts = [p for p in path[len(self.prefix) :].split("/") if p]
        if any(part in (".", "..") or part.startswith(".") for part in parts):
            return None
        root = self.output.resolve()
        candidate = root.joinpath(*parts)
        try:
            resolved = candidate.resolve()
        except OSError:
            return None
        return resolved if resolved.is_relative_to(root) else None

    def not_found(self, start_response: StartResponse) -> Iterable[bytes]:
        page = self.output / "404.html"
        body = page.read_bytes() if page.is_file() else b"<!doctype html><title>Not found</title>"
        return _respond(start_response, "404 Not Found", self.decorate(body), "text/html")

    def send_file(
        self, file: Path, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        data = file.read_bytes()
        if kind == "text/html":
            data = self.decorate(data)
        match = _RANGE.fullmatch(environ.get("HTTP_RANGE", ""))
        if match and (match.group(1) or match.group(2)):
            size = len(data)
            if match.group(1):
                start = int(match.group(1))
                end = min(int(match.group(2) or size - 1), size - 1)
            else:
                start, end = max(0, size - int(match.group(2))), size - 1
            if start > end or start >= size:
                return _respond(start_response, "416 Range Not Satisfiable", b"", "text/plain")
            headers = [("Content-Range", f"bytes {start}-{end}/{size}")]
            return _respond(
                start_response, "206 Partial Content", data[start : end + 1], kind, headers
            )
        return _respond(start_response, "200 OK", data, kind, [("Accept-Ranges", "bytes")])

    def decorate(self, page: bytes) -> bytes:
        """Add the error overlay to an HTML page while the last build has failed."""
        if not self.errors:
            return page
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in self.errors)
        overlay = (
            '<div id="cuepress-errors" role="alert" style="position:fixed;inset:auto 0 0 0;'
            "z-index:99;max-height:60vh;overflow:auto;margin:0;padding:1rem 1.5rem;"
            "background:#3b0a0a;color:#fff;font:15px/1.5 ui-monospace,monospace;"
            'border-top:4px solid #ff6b6b"><strong>Build failed; this is the last good site.'
            f'</strong><ul style="margin:.5rem 0 0;padding-left:1.2rem">{items}</ul></div>'
        ).encode()
        if b"</body>" in page:
            return page.replace(b"</body>", overlay + b"</body>", 1)
        return page + overlay


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _respond(
    start_response: StartResponse,
    status: str,
    body: bytes,
    kind: str,
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        kind += "; charset=utf-8"
    start_response(
        status,
        [
            ("Content-Type", kind),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *(headers or []),
        ],
    )
    return [body]


def _redirect(start_response: StartResponse, location: str) -> list[bytes]:
    start_response("302 Found", [("Location", location), ("Content-Length", "0")])
    return [b""]


class SourceWatcher(Watcher):  # type: ignore[misc]
    """livereload's watcher, backed by inotify: rebuilds in a worker thread, then reloads."""

    def __init__(self, preview: Preview) -> None:
        super().__init__()
        self.preview = preview
        self.stop = threading.Event()
        self.changes: queue.Queue[set[str]] = queue.Queue()

    def start(self, callback: Callable[[], None]) -> bool:
        """Start watching; True tells livereload not to poll."""
        loop = IOLoop.current()
        threading.Thread(target=self._watch_sources, daemon=True).start()
        threading.Thread(target=self._watch_top, daemon=True).start()
        self.builder = threading.Thread(target=self._build_loop, args=(loop,), daemon=True)
        self.builder.start()
        return True

    def finish(self, timeout: float = 30) -> None:
        """Stop watching, stop a search index being made, and wait for a build under way to
        end, so that nothing writes into the preview's folder while it is removed."""
        self.stop.set()
        self.preview.interrupt.set()
        builder = getattr(self, "builder", None)
        if builder is not None:
            builder.join(timeout)

    def _watch_sources(self) -> None:
        folders = [self.preview.site_dir / name for name in SOURCES]
        existing = [f for f in folders if f.is_dir()]
        if existing:
            for batch in watchfiles.watch(
                *existing, stop_event=self.stop, debounce=1600, step=20, raise_interrupt=False
            ):
                self.changes.put({path for _, path in batch})
                self.preview.interrupt.set()  # a search index being made is out of date

    def _watch_top(self) -> None:
        """site.yaml, and source folders created after the start."""
        site_dir = self.preview.site_dir

        def wanted(_: watchfiles.Change, path: str) -> bool:
            name = Path(path).name
            return name == "site.yaml" or name in SOURCES

        for batch in watchfiles.watch(
            site_dir,
            watch_filter=wanted,
            recursive=False,
            stop_event=self.stop,
            debounce=1600,
            step=20,
            raise_interrupt=False,
        ):
            self.changes.put({path for _, path in batch})
            self.preview.interrupt.set()  # a search index being made is out of date

    def _build_loop(self, loop: IOLoop) -> None:
        self.preview.index()  # of the first build, made before the server started
        while not self.stop.is_set():
            try:
                changed = self.changes.get(timeout=0.5)
            except queue.Empty:
                continue
            while True:  # fold changes that arrived meanwhile into this one build
                try:
                    changed |= self.changes.get_nowait()
                except queue.Empty:
                    break
            self.preview.interrupt.clear()  # every change so far is in this build
            shown = ", ".join(sorted(_relative(p, self.preview.site_dir) for p in changed))
            print(f"Changed: {shown}", file=sys.stderr)
            self.preview.rebuild()
            loop.add_callback(LiveReloadHandler.reload_waiters, "*")
            if self.stop.is_set():
                break
            self.preview.index()  # after the reload, so a reload never waits for it


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def serve(
    site_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    drafts: bool = False,
) -> int:
    """Build, serve and rebuild on change until interrupted. Returns an exit code."""
    preview = Preview(site_dir, drafts=drafts)
    watcher = SourceWatcher(preview)
    try:
        preview.rebuild()
        if host not in ("127.0.0.1", "localhost", "::1"):
            print(
                f"warning: serving on {host}: the preview can be reached from the network",
                file=sys.stderr,
            )
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        url = f"http://{shown_host}:{port}{preview.prefix}"
        print(f"Serving {site_dir.resolve()} at {url} (Ctrl-C to stop)", file=sys.stderr)
        if open_browser:
            threading.Timer(0.5, webbrowser.open, args=(url,)).start()
        server = Server(app=preview, watcher=watcher)
        server.watch(
            str(site_dir)
        )  # registered for livereload's bookkeeping; inotify does the work
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop cleanly, like Ctrl-C
        server.serve(port=port, host=host, debug=False, restart_delay=0)
    finally:
        watcher.finish()
        preview.close()
    print("Stopped.", file=sys.stderr)
    return 0
