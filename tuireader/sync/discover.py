"""Feed discovery for ``tuireader feeds add``: a web page's URL becomes its feed's URL.

Only the user's URL (and the redirects it answers with) is fetched, with connect/read timeouts,
a deadline for the whole download and a byte limit. A feed is returned as is; an HTML page is
searched for ``<link rel="alternate" type="application/rss+xml|atom+xml|feed+json">``.
No other URLs are guessed or probed.
"""

from __future__ import annotations

import os
import re
import time
from urllib.parse import urljoin, urlsplit

from tuireader import __version__
from tuireader.text.sanitize import clean_line, strip_controls

USER_AGENT = f"tuireader/{__version__} (feed discovery)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)
MAX_REDIRECTS = 5
FEED_LINK_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
_FEED_CONTENT_TYPES = ("rss", "atom", "rdf", "feed+json", "/json", "/xml")
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE)
_SNIFF_BYTES = 4096


class DiscoveryError(Exception):
    """The URL could not be turned into a feed URL (one-line message for the user)."""


def is_local(url: str) -> bool:
    """True for ``file://`` URLs and plain filesystem paths (no URL scheme)."""
    scheme = urlsplit(url).scheme.lower()
    return scheme in ("", "file") or (len(scheme) == 1 and os.name == "nt")


def is_web(url: str) -> bool:
    """True for ``http://`` and ``https://`` URLs with a host."""
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def discover_feed_url(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    total_timeout: float | None = None,
    user_agent: str | None = None,
) -> str:
    """The feed URL for ``url``: ``url`` itself if it serves a feed, else the page's feed link.

    ``timeout`` bounds connecting and each read, ``total_timeout`` (default ``timeout``) the
    whole download, ``max_bytes`` the body read (a page's ``<head>`` comes first, so a cut page
    is still searched). Raises :class:`DiscoveryError` with a one-line message.
    """
    import httpx

    if not is_web(url):
        raise DiscoveryError(f"not an http(s) URL: {clean_line(url, 200)}")
    deadline = time.monotonic() + (total_timeout or timeout)
    headers = {"User-Agent": user_agent or USER_AGENT, "Accept": ACCEPT}
    try:
        with (
            httpx.Client(
                follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout,
                headers=headers,
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                reason = clean_line(response.reason_phrase or "", 80)
                raise DiscoveryError(f"{url}: HTTP {response.status_code} {reason}".rstrip())
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) >= max_bytes:
                    del body[max_bytes:]
                    break
                if time.monotonic() > deadline:
                    raise DiscoveryError(f"{url}: timed out reading the page")
            final_url = str(response.url)
            content_type = response.headers.get("content-type", "").lower()
            charset = response.charset_encoding
    except httpx.TimeoutException as exc:
        raise DiscoveryError(f"{url}: timed out") from exc
    except httpx.TooManyRedirects as exc:
        raise DiscoveryError(f"{url}: too many redirects (more than {MAX_REDIRECTS})") from exc
    except httpx.HTTPError as exc:
        detail = clean_line(str(exc) or type(exc).__name__, 160)
        raise DiscoveryError(f"cannot fetch {url}: {detail}") from exc
    return _feed_url_from_response(url, final_url, content_type, bytes(body), charset)


def _feed_url_from_response(
    url: str, final_url: str, content_type: str, body: bytes, charset: str | None
) -> str:
    head = body[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    mime = content_type.split(";")[0].strip()
    if _FEED_ROOT.search(head) or head.startswith(b"{"):
        return url
    is_html = "html" in mime or _HTML_ROOT.search(head) is not None
    if is_html:
        text = body.decode(charset or "utf-8", errors="replace")
        candidates = feed_links(text, final_url)
        if not candidates:
            raise DiscoveryError(
                f"no feed found on {url} (the page links no RSS, Atom or JSON feed)"
            )
        return candidates[0]
    if any(kind in mime for kind in _FEED_CONTENT_TYPES):
        return url
    shown = clean_line(mime or "unknown", 80)
    raise DiscoveryError(f"{url} is neither a feed nor a web page (content type {shown})")


def feed_links(html: str, page_url: str) -> list[str]:
    """The feed URLs a page announces, in document order, resolved and without duplicates."""
    from selectolax.lexbor import LexborHTMLParser

    parser = LexborHTMLParser(html)
    base = page_url
    base_node = parser.css_first("base[href]")
    if base_node is not None:
        try:
            base = urljoin(page_url, (base_node.attributes.get("href") or "").strip())
        except ValueError:
            base = page_url
    found: list[str] = []
    for link in parser.css("link"):
        attributes = link.attributes
        rel = (attributes.get("rel") or "").lower().split()
        kind = (attributes.get("type") or "").split(";")[0].strip().lower()
        href = "".join(strip_controls(attributes.get("href") or "").split())
        if "alternate" not in rel or kind not in FEED_LINK_TYPES or not href:
            continue
        try:
            feed_url = urljoin(base, href)
        except ValueError:
            continue
        if is_web(feed_url) and feed_url not in found:
            found.append(feed_url)
    return found
