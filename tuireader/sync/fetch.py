"""Download feeds concurrently with httpx: bounded in connections, time and size.

A global semaphore (``SyncConfig.jobs``) and one per host (``SyncConfig.per_host``) limit
concurrency; connect/read timeouts come from ``SyncConfig.timeout`` and the whole download of
one feed (including one retry) from ``SyncConfig.total_timeout``. Bodies are streamed and
abandoned as soon as they grow past ``SyncConfig.max_bytes`` (after gzip/deflate decoding, so
a compression bomb is cut off too). ``file://`` URLs and plain paths are read from disk with the
same bound. Every failure becomes a one-line :class:`FetchOutcome` error, never an exception.
"""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import mimetypes
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

# httpx's __init__ imports its command-line tool (httpx._main: click, rich's syntax
# highlighting, pygments), 0.1-0.2 s of every sync's start-up for nothing. A None entry makes
# that import fail, which httpx expects (it then defines a stub ``httpx.main``).
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import httpx

from tuireader import __version__
from tuireader.config import SyncConfig
from tuireader.sync.decide import FetchOutcome
from tuireader.sync.normalise import one_line

USER_AGENT = f"tuireader/{__version__} (+https://github.com/tuireader/tuireader; feed reader)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
# Pause before the single retry of a timeout or a 5xx answer.
RETRY_DELAY_SECONDS = 1.0
# A Retry-After up to this long is waited out (then retried once); longer ones are recorded
# as the feed's next_fetch_after instead.
MAX_RETRY_AFTER_SLEEP_SECONDS = 5.0
MAX_REDIRECTS = 10
_KEPT_HEADERS = ("content-type", "content-location", "etag", "last-modified")
_PERMANENT_REDIRECTS = (301, 308)


@dataclass(slots=True)
class FetchRequest:
    """One feed to download, with the validators for a conditional GET."""

    url: str
    headers: Mapping[str, str]


def is_local(url: str) -> bool:
    """True for ``file://`` URLs and plain filesystem paths (no URL scheme)."""
    scheme = urlsplit(url).scheme.lower()
    return scheme == "file" or scheme == "" or (len(scheme) == 1 and os.name == "nt")


def local_path(url: str) -> Path:
    """The filesystem path of a ``file://`` URL or plain path (``~`` expanded)."""
    parts = urlsplit(url)
    if parts.scheme.lower() == "file":
        return Path(url2pathname(parts.path))
    return Path(url).expanduser()


def read_local(url: str, max_bytes: int) -> FetchOutcome:
    """Read a local feed file, refusing files larger than ``max_bytes``."""
    path = local_path(url)
    try:
        with path.open("rb") as handle:
            body = handle.read(max_bytes + 1)
    except FileNotFoundError:
        return FetchOutcome(url, error=f"file not found: {path}")
    except IsADirectoryError:
        return FetchOutcome(url, error=f"not a file: {path}")
    except OSError as exc:
        return FetchOutcome(url, error=f"cannot read {path}: {exc.strerror or exc}")
    if len(body) > max_bytes:
        return FetchOutcome(url, error=f"file larger than {max_bytes:,} bytes: {path}")
    media_type = mimetypes.guess_type(path.name)[0]
    if path.suffix.lower() in (".rss", ".atom", ".rdf", ".xml"):
        media_type = "application/xml"
    headers = {"content-type": media_type} if media_type else {}
    return FetchOutcome(
        url, status_code=200, body=body, headers=headers, final_url=path.resolve().as_uri()
    )


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), 10**7))
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def _permanent_target(response: httpx.Response) -> str | None:
    """Where the leading run of permanent redirects (301/308) points, if there is one."""
    chain = [*response.history, response]
    target = None
    for hop, following in itertools.pairwise(chain):
        if hop.status_code not in _PERMANENT_REDIRECTS:
            break
        target = str(following.url)
    return target


def _http_error(response: httpx.Response) -> str:
    reason = one_line(response.reason_phrase or "", 80)
    return f"HTTP {response.status_code}{' ' + reason if reason else ''}"


def _describe_exception(exc: BaseException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out connecting"
    if isinstance(exc, httpx.ReadTimeout):
        return "timed out waiting for data"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"too many redirects (more than {MAX_REDIRECTS})"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "unsupported URL scheme (use http, https or file)"
    if isinstance(exc, httpx.InvalidURL):
        return f"invalid URL ({one_line(str(exc), 120)})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({one_line(str(exc) or 'connection failed', 120)})"
    if isinstance(exc, httpx.DecodingError):
        return "cannot decode the response (broken compression)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"broken HTTP response ({one_line(str(exc) or 'protocol error', 120)})"
    text = one_line(str(exc), 160)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Fetcher:
    """Concurrent, bounded feed downloads over one shared ``httpx.AsyncClient``."""

    def __init__(self, config: SyncConfig, *, transport: httpx.AsyncBaseTransport | None = None):
        self.config = config
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._global = asyncio.Semaphore(max(1, config.jobs))
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        timeout = httpx.Timeout(
            connect=self.config.timeout, read=self.config.timeout, write=self.config.timeout,
            pool=None,
        )
        self._client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            headers={"User-Agent": self.config.user_agent or USER_AGENT, "Accept": ACCEPT},
            limits=httpx.Limits(
                max_connections=max(1, self.config.jobs),
                max_keepalive_connections=max(1, self.config.jobs),
            ),
            transport=self._transport,
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _host_limit(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(max(1, self.config.per_host))
        return self._hosts[host]

    async def fetch(self, request: FetchRequest) -> FetchOutcome:
        """Download one feed within the global, per-host, time and size limits."""
        if is_local(request.url):
            async with self._global:
                return await asyncio.to_thread(read_local, request.url, self.config.max_bytes)
        async with self._global, self._host_limit(request.url):
            try:
                async with asyncio.timeout(self.config.total_timeout):
                    return await self._fetch_with_retry(request)
            except TimeoutError:
                return FetchOutcome(
                    request.url,
                    error=f"timed out: no complete response within {self.config.total_timeout:g} s",
                    transient=True,
                )

    async def _fetch_with_retry(self, request: FetchRequest) -> FetchOutcome:
        outcome = await self._fetch_once(request)
        if outcome.error is None:
            return outcome
        if outcome.retry_after is not None:
            if outcome.retry_after > MAX_RETRY_AFTER_SLEEP_SECONDS:
                return outcome
            await asyncio.sleep(outcome.retry_after)
        elif outcome.transient:
            await asyncio.sleep(RETRY_DELAY_SECONDS)
        else:
            return outcome
        return await self._fetch_once(request)

    async def _fetch_once(self, request: FetchRequest) -> FetchOutcome:
        assert self._client is not None, "use Fetcher as an async context manager"
        url = request.url
        max_bytes = self.config.max_bytes
        try:
            async with self._client.stream("GET", url, headers=dict(request.headers)) as response:
                headers = {
                    name: one_line(response.headers[name], 1000)
                    for name in _KEPT_HEADERS
                    if name in response.headers
                }
                if "content-location" in headers:
                    headers["content-location"] = urljoin(
                        str(response.url), headers["content-location"]
                    )
                outcome = FetchOutcome(
                    url,
                    status_code=response.status_code,
                    headers=headers,
                    final_url=str(response.url),
                    permanent_url=_permanent_target(response),
                )
                status = response.status_code
                if status == 304:
                    return outcome
                if status >= 300:
                    outcome.error = _http_error(response)
                    if 300 <= status < 400:
                        outcome.error += " (redirect without a usable Location)"
                    outcome.transient = status >= 500
                    if status in (429, 503):
                        outcome.retry_after = parse_retry_after(
                            response.headers.get("retry-after")
                        )
                        if outcome.retry_after is not None:
                            outcome.error += f" (retry after {outcome.retry_after:.0f} s)"
                    return outcome
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes and not response.headers.get(
                    "content-encoding"
                ):
                    outcome.error = _too_large(max_bytes)
                    return outcome
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        outcome.error = _too_large(max_bytes)
                        return outcome
                    chunks.append(chunk)
                outcome.body = b"".join(chunks)
                return outcome
        except httpx.TimeoutException as exc:
            return FetchOutcome(url, error=_describe_exception(exc), transient=True)
        except httpx.HTTPError as exc:
            return FetchOutcome(url, error=_describe_exception(exc))
        except (ValueError, OSError) as exc:  # e.g. a malformed URL httpx did not classify
            return FetchOutcome(url, error=_describe_exception(exc))


def _too_large(max_bytes: int) -> str:
    return f"response larger than {max_bytes:,} bytes; download aborted"
