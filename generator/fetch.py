"""The only network room: fetching a feed and its transcripts and chapters with httpx.

Every download has a timeout, a size limit (checked on the announced length, then while the body
streams in), a cap on redirects and a few retries for what a retry can fix (a dropped
connection, a timeout, 429 and 5xx answers); anything else is a :class:`FetchError` whose
message says what happened, so that one dead URL never stops an import. Only http and https
are fetched. Downloads run on a bounded pool of threads, with a progress bar on a terminal and
silence elsewhere (CI, pipes).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from generator import __version__

T = TypeVar("T")
R = TypeVar("R")
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
MAX_REDIRECTS = 8
USER_AGENT = f"Cuepress/{__version__} (podcast import)"


class FetchError(Exception):
    """A URL that could not be fetched; the message says why, for a warning."""


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # where the body came from, after redirects
    data: bytes
    content_type: str  # the media type alone, lower case ('' when not given)


class Fetcher:
    """An HTTP client for one import: shared connections, the same limits for every request."""

    def __init__(self, *, timeout: float = 30.0, retries: int = 2, workers: int = 8) -> None:
        self.timeout = timeout
        self.retries = retries
        self.workers = workers
        self.client = httpx.Client(
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_connections=workers, max_keepalive_connections=workers),
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(self, url: str, limit: int) -> Fetched:
        """The body at ``url``, at most ``limit`` bytes; :class:`FetchError` otherwise."""
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"only http and https URLs are fetched, not {scheme or 'this'}:")
        for attempt in range(self.retries + 1):
            try:
                return self._get(url, limit)
            except _Retry as exc:
                if attempt == self.retries:
                    raise FetchError(str(exc)) from None
                time.sleep(min(0.25 * 2**attempt, 2.0))
        raise AssertionError("unreachable")

    def _get(self, url: str, limit: int) -> Fetched:
        deadline = time.monotonic() + self.timeout * 4  # a body that trickles in forever
        try:
            with self.client.stream("GET", url) as response:
                if response.status_code in RETRY_STATUS:
                    raise _Retry(f"the server answered {_status(response)}")
                if response.status_code != 200:
                    raise FetchError(f"the server answered {_status(response)}")
                announced = response.headers.get("content-length", "")
                if announced.isdigit() and int(announced) > limit:
                    raise FetchError(_too_large(int(announced), limit))
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise FetchError(_too_large(None, limit))
                    if time.monotonic() > deadline:
                        raise _Retry(f"no complete answer within {self.timeout * 4:g} s")
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return Fetched(str(response.url), bytes(body), kind)
        except httpx.TooManyRedirects:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects (a redirect loop?)") from None
        except httpx.TimeoutException:
            raise _Retry(f"no answer within {self.timeout:g} s") from None
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(f"redirected to an address that is not http(s): {exc}") from None
        except httpx.TransportError as exc:
            raise _Retry(f"the connection failed ({exc or type(exc).__name__})") from None
        except httpx.HTTPError as exc:  # an invalid URL and the like
            raise FetchError(str(exc) or type(exc).__name__) from None

    def map(self, func: Callable[[T], R], items: Iterable[T], what: str) -> list[R]:
        """``func`` over ``items`` on the pool, results in order, with a progress bar on a
        terminal (never in CI or a pipe)."""
        work = list(items)
        if not work:
            return []
        show = sys.stderr.isatty() and not os.environ.get("CI")
        with ThreadPoolExecutor(self.workers) as pool:
            results = pool.map(func, work)
            if not show:
                return list(results)
            from tqdm import tqdm  # loaded only where a bar is shown

            return list(tqdm(results, total=len(work), desc=what, unit="", file=sys.stderr))


class _Retry(Exception):
    """A failure a retry may fix."""


def _status(response: httpx.Response) -> str:
    return f"{response.status_code} {response.reason_phrase}".strip()


def _too_large(size: int | None, limit: int) -> str:
    said = f" ({size / 1e6:,.0f} MB)" if size is not None else ""
    return f"the file is larger than {limit / 1e6:,.0f} MB{said}; it was not downloaded"
