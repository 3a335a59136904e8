"""The live preview: the WSGI app's answers, and the real server driving real Chromium."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from generator.serve import Preview
from tests.conftest import MakeSite, record

SITE_YAML = "title: Preview Show\nbase_url: https://example.test/show/\n"


def call(
    app: Preview, path: str, headers: dict[str, str] | None = None
) -> tuple[str, dict[str, str], bytes]:
    """Call the WSGI app the way tornado's container does (PATH_INFO already unquoted)."""
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(response_headers)

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path}
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()})
    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


@pytest.fixture
def preview(make_site: MakeSite) -> Iterator[Preview]:
    site = make_site(
        {
            "content/episodes/a.md": record("Alpha"),
            "static/audio/a.mp3": bytes(range(256)) * 4,
            "static/notes.txt": "public",
        },
        site_yaml=SITE_YAML,
    )
    app = Preview(site)
    assert app.rebuild()
    yield app
    app.close()


class TestPreviewApp:
    def test_serves_under_base_path_and_redirects_root(self, preview: Preview) -> None:
        """/ redirects to the base_url path; pages are served under it with the theme."""
        status, headers, _ = call(preview, "/")
        assert (status, headers["Location"]) == ("302 Found", "/show/")
        status, headers, body = call(preview, "/show/episodes/a/")
        assert status == "200 OK"
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert b"<h1>Alpha</h1>" in body
        assert call(preview, "/show/episodes/a")[1]["Location"] == "/show/episodes/a/"

    def test_misses_get_the_site_404_page(self, preview: Preview) -> None:
        """An unknown path gets the site's own 404 page with status 404."""
        status, _, body = call(preview, "/show/nothing/here")
        assert status == "404 Not Found"
        assert b"There is nothing at this address" in body

    @pytest.mark.parametrize(
        "path",
        [
            "/show/../site.yaml",
            "/show/%2e%2e/site.yaml",
            "/show/..%2fsite.yaml",
            "/show/..\\\\site.yaml",
            "/site.yaml",
            "/show/../../../etc/passwd",
            "/show//etc/passwd",
            "/show/.cuepress",
            "/show/episodes/a/\0",
            "/content/episodes/a.md",
        ],
    )
    def test_nothing_outside_the_built_site(self, preview: Preview, path: str) -> None:
        """Traversal, encoded traversal, backslashes, absolute paths: all 404, nothing leaked."""
        status, _, body = call(preview, path)
        assert status == "404 Not Found"
        assert b"base_url" not in body and b"root:" not in body

    def test_byte_ranges_for_audio(self, preview: Preview) -> None:
        """Audio is served in ranges, so the player can seek."""
        status, headers, body = call(preview, "/show/audio/a.mp3", {"Range": "bytes=10-19"})
        assert status == "206 Partial Content"
        assert headers["Content-Range"] == "bytes 10-19/1024"
        assert body == bytes(range(10, 20))
        assert call(preview, "/show/audio/a.mp3", {"Range": "bytes=5000-"})[0].startswith("416")

    def test_failed_build_keeps_last_good_site_with_overlay(self, preview: Preview) -> None:
        """A broken record keeps the old page, with an overlay naming file and line."""
        (preview.site_dir / "content/episodes/a.md").write_text(
            "---\ntitle: Beta\ndate: 2026-02-30\n---\n"
        )
        assert not preview.rebuild()
        _, _, body = call(preview, "/show/episodes/a/")
        assert b"<h1>Alpha</h1>" in body
        assert b'id="cuepress-errors"' in body
        assert b"content/episodes/a.md:3: &#x27;date&#x27; is not a real date" in body
        (preview.site_dir / "content/episodes/a.md").write_text(record("Beta"))
        assert preview.rebuild()
        _, _, body = call(preview, "/show/episodes/a/")
        assert b"<h1>Beta</h1>" in body and b"cuepress-errors" not in body

    def test_builds_outside_the_site(self, preview: Preview) -> None:
        """The preview never writes into the site's output/ folder."""
        assert not (preview.site_dir / "output").exists()
        assert preview.output.is_relative_to(preview.workdir)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Running:
    """A real `cuepress serve` process on a free port."""

    def __init__(self, site: Path, tmp: Path, *extra: str) -> None:
        self.port = free_port()
        self.site = site
        self.tmp = tmp
        self.log = tmp / "serve.log"
        env = {**os.environ, "TMPDIR": str(tmp)}
        self.log_file = self.log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "generator",
                "serve",
                "--site",
                str(site),
                "--port",
                str(self.port),
                *extra,
            ],
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            env=env,
        )
        root = f"http://127.0.0.1:{self.port}/"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(root, timeout=1) as response:
                    self.url = response.url  # where / redirects: the base_url path
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(self.output()) from None
                time.sleep(0.05)

    def output(self) -> str:
        return self.log.read_text()

    def builds(self) -> int:
        return len(re.findall(r"^Built in", self.output(), re.M))

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=10)
        self.log_file.close()
        return code


@pytest.fixture
def running(make_site: MakeSite, tmp_path: Path) -> Iterator[Running]:
    site = make_site({"content/episodes/a.md": record("Alpha")}, site_yaml=SITE_YAML)
    (tmp_path / "tmp").mkdir()
    server = Running(site, tmp_path / "tmp")
    yield server
    if server.process.poll() is None:
        server.stop()


class TestLiveReload:
    def test_edit_reloads_open_page(self, running: Running, browser: Browser) -> None:
        """Saving a record makes the open page show the new text, untouched by hand."""
        page = browser.new_page()
        page.goto(running.url + "episodes/a/")
        expect(page.locator("h1")).to_have_text("Alpha")
        page.wait_for_function("() => window.LiveReload !== undefined")
        site = running.site
        (site / "content/episodes/a.md").write_text(record("Alpha, revised"))
        expect(page.locator("h1")).to_have_text("Alpha, revised", timeout=10_000)
        page.close()

    def test_error_overlay_then_fix(self, running: Running, browser: Browser) -> None:
        """A broken record shows an overlay with file and line over the old page; a fix ends it."""
        page = browser.new_page()
        page.goto(running.url + "episodes/a/")
        page.wait_for_function("() => window.LiveReload !== undefined")
        site = running.site
        (site / "content/episodes/a.md").write_text("---\ntitle: Broken\ndate: 2026-13-01\n---\n")
        overlay = page.locator("#cuepress-errors")
        expect(overlay).to_contain_text(
            "content/episodes/a.md:3: 'date' is not a real date", timeout=10_000
        )
        expect(page.locator("h1")).to_have_text("Alpha")
        (site / "content/episodes/a.md").write_text(record("Fixed"))
        expect(page.locator("h1")).to_have_text("Fixed", timeout=10_000)
        expect(overlay).to_have_count(0)
        page.close()

    def test_many_saves_at_once_give_one_rebuild(self, running: Running) -> None:
        """Twenty files written together (a checkout) cause one rebuild, not a storm."""
        site = running.site
        before = running.builds()
        for n in range(20):
            (site / f"content/episodes/e{n}.md").write_text(record(f"E{n}"))
        deadline = time.monotonic() + 10
        while running.builds() == before and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        assert running.builds() == before + 1
        assert b"E19" in urllib.request.urlopen(running.url).read()

    def test_ctrl_c_stops_cleanly(self, running: Running) -> None:
        """Ctrl-C ends the server with status 0 and leaves no temporary folder behind."""
        folders = running.site / ".cache" / "cuepress" / "preview"
        assert list(folders.glob("serve-*"))
        assert running.stop() == 0
        assert not list(folders.glob("serve-*"))
        assert "Traceback" not in running.output()


class TestHost:
    def test_network_host_warns(self, make_site: MakeSite, tmp_path: Path) -> None:
        """Listening beyond loopback says so."""
        site = make_site({"content/episodes/a.md": record()}, site_yaml=SITE_YAML)
        server = Running(site, tmp_path, "--host", "0.0.0.0")
        server.stop()
        assert (
            "warning: serving on 0.0.0.0: the preview can be reached from the network"
            in server.output()
        )
