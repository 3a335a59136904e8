"""The preview server under attack and under load, through a real ``cuepress serve`` process.

Requests are written as raw bytes on a socket, so no client tidies ``..`` or ``%2e`` away
first. Secrets are planted in ``site.yaml``, in a record and in files outside the site; no
response may hold any of them. Under load, 20 clients fetch pages while a record is edited every
100 ms: every answer is a whole page with status 200, the log holds no traceback and memory
stays flat. The load runs ``LOAD_SECONDS`` (30 with ``CUEPRESS_STRESS=1``, as ``make stress``).
"""

from __future__ import annotations

import http.client
import os
import random
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import MakeSite, record
from tests.test_serve import Running

STRESS = os.environ.get("CUEPRESS_STRESS") == "1"
LOAD_SECONDS = 30.0 if STRESS else 5.0
CLIENTS = 20
SECRETS = ("SECRET-SITE-YAML", "SECRET-RECORD", "SECRET-OUTSIDE", "root:x:0:0")
SITE_YAML = "# SECRET-SITE-YAML\ntitle: Preview Show\nbase_url: https://example.test/show/\n"


def raw_request(port: int, target: str, method: str = "GET") -> tuple[int, bytes]:
    """Send one request line exactly as written; return the status and the whole response."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode(
                "latin-1"
            )
        )
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", response)
    assert match, response[:200]
    return int(match.group(1)), response


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A served site with secrets planted in and beside it, and links in static/ that lead
    out of it (added after the first good build, so the preview shows its last good site)."""
    root = tmp_path_factory.mktemp("serve-security")
    (root / "secret.txt").write_text("SECRET-OUTSIDE\n")
    (root / "folder").mkdir()
    (root / "folder" / "secret.txt").write_text("SECRET-OUTSIDE\n")
    site = root / "site"
    (site / "content" / "episodes").mkdir(parents=True)
    (site / "static").mkdir()
    (site / "site.yaml").write_text(SITE_YAML)
    (site / "content" / "episodes" / "a.md").write_text(
        "---\n# SECRET-RECORD\ntitle: Alpha\ndate: 2026-01-02\n---\nHello.\n"
    )
    (site / "static" / "notes.txt").write_text("public\n")
    (root / "tmp").mkdir()
    running = Running(site, root / "tmp")
    builds = running.builds()
    (site / "static" / "leak.txt").symlink_to(root / "secret.txt")
    (site / "static" / "leakdir").symlink_to(root / "folder")
    deadline = time.monotonic() + 15
    while "is a link to a folder outside the site" not in running.output():
        assert time.monotonic() < deadline, running.output()
        time.sleep(0.05)
    assert running.builds() == builds  # the build failed: the last good site is served
    yield running
    running.stop()


TRAVERSALS = [
    "/show/../site.yaml",
    "/show/../../site.yaml",
    "/show/../../secret.txt",
    "/show/%2e%2e/site.yaml",
    "/show/%2E%2E/%2E%2E/secret.txt",
    "/show/%252e%252e/site.yaml",
    "/show/%252e%252e/%252e%252e/secret.txt",
    "/show/..%2fsite.yaml",
    "/show/..%252fsite.yaml",
    "/show/..%5csite.yaml",
    "/show/..%5c..%5csecret.txt",
    "/show/%5c..%5c..%5csecret.txt",
    "/show/..\\site.yaml",
    "/show/..\\..\\secret.txt",
    "/show/episodes/a/../../../site.yaml",
    "/show/episodes/%2e%2e/%2e%2e/%2e%2e/content/episodes/a.md",
    "/show/./../site.yaml",
    "/show/....//....//site.yaml",
    "/show/..%00/site.yaml",
    "/show/%00",
    "//etc/passwd",
    "/show//etc/passwd",
    "/show/%2fetc%2fpasswd",
    "/etc/passwd",
    "/site.yaml",
    "/content/episodes/a.md",
    "/show/content/episodes/a.md",
    "/show/site.yaml",
    "/show/.cuepress",
    "/show/.cache/cuepress/state.pickle",
    "/show/../.cache/cuepress/state.pickle",
    "http://127.0.0.1/show/../site.yaml",
    "http://127.0.0.1/../../secret.txt",
    "/show/leak.txt",
    "/show/leakdir/secret.txt",
    "/show/leakdir/",
    "/show/" + "a" * 300,
    "/show/" + "a/" * 3000,
]


class TestNothingOutsideTheSite:
    @pytest.mark.parametrize("target", TRAVERSALS)
    def test_traversal_gets_404_and_leaks_nothing(self, server: Running, target: str) -> None:
        """``..`` plain, encoded and double-encoded, backslashes, absolute paths and forms,
        NUL, names too long, links in static/ that lead out: 404, and no secret in the body."""
        status, response = raw_request(server.port, target)
        assert status == 404, response[:300]
        for secret in SECRETS:
            assert secret.encode() not in response
        assert b"Traceback" not in response

    @pytest.mark.parametrize("method", ["HEAD", "POST", "PUT", "DELETE", "OPTIONS"])
    def test_other_methods_leak_nothing(self, server: Running, method: str) -> None:
        """Any method on a traversal answers without a secret (GET/HEAD 404, the rest 405)."""
        status, response = raw_request(server.port, "/show/../site.yaml", method)
        assert status in (404, 405)
        for secret in SECRETS:
            assert secret.encode() not in response

    def test_the_site_itself_is_served(self, server: Running) -> None:
        """The same server answers the site's own files (so the 404s above mean something)."""
        status, response = raw_request(server.port, "/show/episodes/a/")
        assert status == 200 and b"<h1>Alpha</h1>" in response
        status, response = raw_request(server.port, "/show/notes.txt")
        assert status == 200 and response.endswith(b"public\n")

    def test_log_holds_no_traceback(self, server: Running) -> None:
        """None of the hostile requests raised inside the server."""
        for target in TRAVERSALS[:5]:
            raw_request(server.port, target)
        assert "Traceback" not in server.output()


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    assert match
    return int(match.group(1))


class TestUnderLoad:
    def test_pages_stay_whole_while_a_record_is_edited(
        self, make_site: MakeSite, tmp_path: Path
    ) -> None:
        """20 clients fetch pages for LOAD_SECONDS while a record changes every 100 ms: every
        response is 200 and a whole page, no traceback is logged, and memory stays flat."""
        files = {f"content/episodes/e{n:02d}.md": record(f"Episode {n}") for n in range(20)}
        site = make_site(files, site_yaml=SITE_YAML)
        (tmp_path / "tmp").mkdir()
        server = Running(site, tmp_path / "tmp")
        paths = ["/show/", "/show/404.html"] + [f"/show/episodes/e{n:02d}/" for n in range(20)]
        stop = threading.Event()
        failures: list[str] = []
        counts = [0] * CLIENTS

        def client(index: int) -> None:
            rng = random.Random(index)
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            while not stop.is_set():
                path = rng.choice(paths)
                try:
                    connection.request("GET", path)
                    response = connection.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    failures.append(f"{path}: {exc!r}")
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                    continue
                if response.status != 200 or not body.startswith(b"<!doctype html>"):
                    failures.append(f"{path}: {response.status} {body[:80]!r}")
                elif not body.endswith(b"</html>\n"):
                    failures.append(f"{path}: incomplete page ending {body[-80:]!r}")
                counts[index] += 1
            connection.close()

        def editor() -> None:
            number = 0
            while not stop.is_set():
                number += 1
                (site / "content/episodes/e00.md").write_text(record(f"Episode 0, edit {number}"))
                time.sleep(0.1)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        threads.append(threading.Thread(target=editor))
        for thread in threads:
            thread.start()
        time.sleep(min(1.0, LOAD_SECONDS / 5))
        memory_before = rss_kb(server.process.pid)
        time.sleep(LOAD_SECONDS)
        memory_after = rss_kb(server.process.pid)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        builds = server.builds()
        code = server.stop()
        log = server.output()
        assert failures == []
        assert code == 0
        assert "Traceback" not in log and "[E " not in log  # tornado marks errors "[E"
        assert builds >= 2, log[-2000:]  # the edits were rebuilt while the clients read
        assert min(counts) > 0
        assert memory_after < memory_before + 50_000, (memory_before, memory_after)
        print(
            f"{sum(counts)} pages in {LOAD_SECONDS:.0f} s, {builds} builds, "
            f"RSS {memory_before // 1024} -> {memory_after // 1024} MB"
        )
