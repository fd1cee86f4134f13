"""Parse a downloaded feed body into normalised entries (runs in a worker, off the event loop).

RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 go through feedparser; JSON Feed 1.0/1.1 (which feedparser
does not know) is detected by content type or by its ``version`` URL and read with ``json``.
Bodies that are empty, HTML pages, or declare XML entities are refused with a one-line reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tuireader.store.models import EntryData
from tuireader.sync.fastfeed import parse_simple_feed
from tuireader.sync.normalise import (
    MAX_WARNING_CHARS,
    FeedMeta,
    TextMaker,
    feedparser_entry,
    feedparser_meta,
    jsonfeed_entry,
    jsonfeed_meta,
    one_line,
)

JSONFEED_VERSION_PREFIX = "https://jsonfeed.org/version/"

_BOM = b"\xef\xbb\xbf"
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>])", re.I | re.S)
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.I)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
# An item/entry start tag (any namespace prefix), or a CDATA section or comment, which are
# matched only so that an "<item" written inside them is not counted.
_ITEM_START_OR_SKIPPED = re.compile(
    rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]", re.S | re.I
)
_ITEM_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>", re.I)
# Feed-level dates in a body's head: they change with every new item and never reach an
# entry, so they are left out of the head's fingerprint.
_HEAD_DATE = re.compile(
    rb"(<(?:[A-Za-z_][\w.-]*:)?(?:lastBuildDate|pubDate|updated|published|modified|date)\b"
    rb"[^>]*>)[^<]*(</)",
    re.I,
)

#: Read plain RSS 2.0 and Atom 1.0 with :mod:`tuireader.sync.fastfeed` (feedparser reads the
#: rest); off, feedparser reads everything (the tests compare the two).
FAST_PATH = True


class FeedParseError(Exception):
    """The body is not a usable feed (message is one line, shown to the user)."""


@dataclass(slots=True)
class ParsedFeed:
    """What a body yielded: feed fields, entries (bounded) and a non-fatal warning."""

    kind: str
    meta: FeedMeta
    entries: list[EntryData] = field(default_factory=list)
    warning: str | None = None
    total_items: int = 0
    parsed_items: int = 0  # entries the parser produced (after the pre-parse cut)
    unchanged: int = 0  # entries left out because they are stored with the same content
    raw_items: RawItems | None = None  # the body's item fingerprints, to remember once stored


def default_html_to_text() -> TextMaker:
    """The project's HTML-to-text converter (``tuireader.text.html.html_to_text``)."""
    from tuireader.text.html import html_to_text

    return html_to_text


def looks_like_json_feed(body: bytes, content_type: str | None) -> bool:
    """True for ``application/feed+json`` or a JSON object whose version is a jsonfeed.org URL."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in ("application/feed+json", "application/json+feed"):
        return True
    start = body.lstrip(_BOM + b" \t\r\n")[:1]
    if start != b"{":
        return False
    return b"jsonfeed.org/version/" in body[:4096]


def looks_like_html_page(body: bytes) -> bool:
    """True when the body starts like an HTML document rather than a feed."""
    return bool(_HTML_START.match(body[:4096].lstrip(_BOM)))


def refuse_entity_declarations(body: bytes) -> None:
    """Raise if the document's DOCTYPE declares entities (entity bombs, external entities)."""
    doctype = _DOCTYPE.search(body, 0, 65_536)
    if doctype and _ENTITY_DECLARATION.search(body, doctype.start()):
        raise FeedParseError(
            "refused: the feed declares XML entities (<!ENTITY>), which can be used for "
            "entity-expansion or external-entity attacks"
        )


def _item_starts(body: bytes) -> list[int]:
    """Offsets of the item/entry start tags (not those inside CDATA sections or comments)."""
    return [
        match.start() for match in _ITEM_START_OR_SKIPPED.finditer(body)
        if match.group()[1:2] != b"!"
    ]


@dataclass(slots=True)
class BoundedBody:
    """An XML body cut down to a number of items before parsing, and how many it had."""

    body: bytes
    total_items: int
    cut: bool


def bound_items(body: bytes, max_items: int) -> BoundedBody:
    """Cut ``body`` after its first ``max_items`` ``<item>``/``<entry>`` elements.

    feedparser reads the whole document before anything can be capped, which for a hostile
    feed of 100,000 items costs half a minute. Here the bytes are scanned for item start tags
    (CDATA sections and comments skipped); when there are more than ``max_items``, everything
    from the next item's start tag up to the end of the last item is dropped, so the document
    keeps its own closing tags (``</channel></rss>``, ``</feed>``) and parses as before.
    ``total_items`` counts every item start tag, for the "first N of M" warning.
    """
    starts = _item_starts(body)
    total = len(starts)
    if total <= max_items:
        return BoundedBody(body, total, cut=False)
    cut_at = starts[max_items]
    tail_start = max((end.end() for end in _ITEM_END.finditer(body, cut_at)), default=None)
    # Without a closing item tag after the cut, feedparser gets the open end and copes.
    tail = body[tail_start:] if tail_start is not None else b""
    return BoundedBody(body[:cut_at] + tail, total, cut=True)


@dataclass(slots=True)
class RawItems:
    """Fingerprints of a body's raw bytes: its head (everything before the first item) and
    each item (from its start tag to the next item's), to recognise items seen before."""

    head: str
    items: list[str]

    def to_json(self) -> dict[str, Any]:
        """For ``Store.set_state``."""
        return {"head": self.head, "items": self.items}

    @classmethod
    def from_json(cls, value: object) -> RawItems | None:
        """Back from ``Store.get_state`` (None for anything malformed)."""
        if not isinstance(value, Mapping):
            return None
        head, items = value.get("head"), value.get("items")
        if not isinstance(head, str) or not isinstance(items, list):
            return None
        return cls(head, [item for item in items if isinstance(item, str)])


def _fingerprint(chunk: bytes) -> str:
    return hashlib.blake2b(chunk, digest_size=16).hexdigest()


def split_items(body: bytes) -> tuple[bytes, list[bytes], bytes] | None:
    """An XML body as (head, item chunks, tail), None when it has no items.

    Chunk *i* runs from item *i*'s start tag to item *i+1*'s; the last one to the end of the
    last item end tag, the tail is the rest (closing tags). Start tags inside CDATA sections
    and comments do not count. Joining head, any subset of the chunks and tail gives a
    document with just those items.
    """
    starts = _item_starts(body)
    if not starts:
        return None
    last_end = max((end.end() for end in _ITEM_END.finditer(body, starts[-1])), default=None)
    if last_end is None:
        return None
    bounds = [*starts, last_end]
    chunks = [body[bounds[i]:bounds[i + 1]] for i in range(len(starts))]
    return body[: starts[0]], chunks, body[last_end:]


def drop_seen_items(
    body: bytes, seen: RawItems | None, max_items: int, context: str = ""
) -> tuple[bytes, RawItems | None, int]:
    """``body`` without the items whose raw bytes ``seen`` (the last parsed body) had too.

    Returns the body to parse, the fingerprints of the whole ``body`` (to remember once its
    entries are stored) and how many items were dropped. Same bytes under the same head
    (namespaces, xml:base, language; feed-level dates aside) and the same ``context`` (the
    URL and headers relative links resolve against) give the same entry, so a dropped item
    is one already stored as it is. Nothing is dropped when the head or context changed, or
    when the body has more than ``max_items`` items (the cap keeps the first ones of the
    document, which dropping would change).
    """
    if looks_like_json_feed(body, None):
        return body, None, 0
    parts = split_items(body)
    if parts is None:
        return body, None, 0
    head, chunks, tail = parts
    if len(chunks) > max_items:  # nothing to drop, and nothing worth remembering
        return body, None, 0
    undated_head = _HEAD_DATE.sub(rb"\1\2", head)
    head_key = _fingerprint(context.encode("utf-8", "replace") + b"\0" + undated_head)
    current = RawItems(head_key, [_fingerprint(chunk) for chunk in chunks])
    if seen is None or seen.head != current.head:
        return body, current, 0
    known = set(seen.items)
    kept = [chunk for chunk, key in zip(chunks, current.items, strict=True) if key not in known]
    if len(kept) == len(chunks):
        return body, current, 0
    return head + b"".join(kept) + tail, current, len(chunks) - len(kept)


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    content_location: str | None = None,
    max_items: int = 5_000,
    html_to_text: TextMaker | None = None,
    now: datetime | None = None,
    known_hashes: Mapping[str, str] | None = None,
) -> ParsedFeed:
    """Parse ``body`` fetched from ``url`` into a :class:`ParsedFeed`.

    ``known_hashes`` is the feed's stored ``{entry_id: content_hash}``
    (``Store.entry_hashes``): entries found there with the same hash are left out of
    ``entries`` (counted in ``unchanged``) without being converted to text, and so are
    repeats of an entry id (the store keeps the first). Raises :class:`FeedParseError` for
    an empty body, an HTML page, entity declarations, invalid JSON Feed, or XML that yields
    no feed at all.
    """
    if not body.strip():
        raise FeedParseError("not a feed: the response was empty")
    html_to_text = html_to_text or default_html_to_text()
    now = now or datetime.now(UTC)
    base = content_location or url
    if looks_like_json_feed(body, content_type):
        parsed = _parse_json_feed(body, base, max_items, html_to_text, now, known_hashes)
    else:
        if looks_like_html_page(body):
            raise FeedParseError("not a feed: got an HTML page")
        refuse_entity_declarations(body)
        parsed = _parse_xml_feed(
            body, url, content_type, base, max_items, html_to_text, now, known_hashes
        )
    if known_hashes is not None:
        parsed.entries, parsed.unchanged = _without_stored(parsed.entries, known_hashes)
    return parsed


def _without_stored(
    entries: Sequence[EntryData], known_hashes: Mapping[str, str]
) -> tuple[list[EntryData], int]:
    """The entries the store would write (new or changed, first of each id) and the rest's
    count."""
    kept: list[EntryData] = []
    seen: set[str] = set()
    for entry in entries:
        if entry.entry_id in seen:
            continue
        seen.add(entry.entry_id)
        if known_hashes.get(entry.entry_id) != entry.content_hash:
            kept.append(entry)
    return kept, len(entries) - len(kept)


def _parse_xml_feed(
    body: bytes,
    url: str,
    content_type: str | None,
    base: str,
    max_items: int,
    html_to_text: TextMaker,
    now: datetime,
    known_hashes: Mapping[str, str] | None,
) -> ParsedFeed:
    bounded = bound_items(body, max_items)
    body = bounded.body
    headers = {"content-location": base}
    if content_type:
        headers["content-type"] = content_type
    simple = parse_simple_feed(body, base, content_type) if FAST_PATH else None
    if simple is not None:
        version, raw_entries, problem = simple.version, list(simple.entries), None
        feed: Mapping[str, Any] = simple.feed
    else:
        version, raw_entries, feed, problem = _feedparser(body, headers)
    if not version and not raw_entries:
        if problem:
            raise FeedParseError(f"not a feed: {problem}")
        raise FeedParseError("not a feed: no RSS, Atom or JSON Feed document found")
    if not raw_entries and problem:
        raise FeedParseError(f"broken feed with no readable entries: {problem}")
    meta = feedparser_meta(feed, base)
    entries = [
        feedparser_entry(
            raw, base=base, feed_language=meta.language, html_to_text=html_to_text, now=now,
            known_hashes=known_hashes,
        )
        for raw in raw_entries[:max_items]
    ]
    total_items = bounded.total_items if bounded.cut else len(raw_entries)
    warning = _warning(problem, total_items, max_items)
    return ParsedFeed(
        kind=version or "xml", meta=meta, entries=entries, warning=warning,
        total_items=total_items, parsed_items=len(raw_entries),
    )


def _feedparser(
    body: bytes, headers: dict[str, str]
) -> tuple[str, list[Any], Mapping[str, Any], str | None]:
    """feedparser's version, entries, feed mapping and problem (None if none) for ``body``."""
    import feedparser

    try:
        # No sanitising or link rewriting inside feedparser: its sgmllib passes cost a third
        # of the parse time, and the HTML is never rendered as HTML. What is shown is
        # html_to_text's output, which drops scripts and resolves links against the base.
        parsed = feedparser.parse(
            body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as exc:  # feedparser may raise on pathological input
        raise FeedParseError(f"not a feed: parser failed ({_describe(exc)})") from exc
    bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
    # Content-type and declared-encoding mismatches are feedparser trivia, not feed problems.
    benign = isinstance(bozo, feedparser.ThingsNobodyCaresAboutButMe)
    problem = _describe(bozo) if bozo is not None and not benign else None
    return (
        str(parsed.get("version") or ""), list(parsed.get("entries") or []),
        parsed.get("feed") or {}, problem,
    )


def _parse_json_feed(
    body: bytes,
    base: str,
    max_items: int,
    html_to_text: TextMaker,
    now: datetime,
    known_hashes: Mapping[str, str] | None,
) -> ParsedFeed:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedParseError("not a feed: JSON Feed is not valid UTF-8") from exc
    try:
        document = json.loads(text)
    except RecursionError as exc:  # the C decoder bounds nesting by the recursion limit
        raise FeedParseError("not a feed: JSON nested too deeply") from exc
    except ValueError as exc:
        raise FeedParseError(f"not a feed: invalid JSON ({_describe(exc)})") from exc
    if not isinstance(document, Mapping):
        raise FeedParseError("not a feed: JSON Feed must be an object")
    version = document.get("version")
    if not isinstance(version, str) or not version.startswith(JSONFEED_VERSION_PREFIX):
        raise FeedParseError("not a feed: JSON without a jsonfeed.org version")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedParseError("not a feed: JSON Feed has no items list")
    meta = jsonfeed_meta(document, base)
    valid_items = [item for item in items if isinstance(item, Mapping)]
    entries = [
        jsonfeed_entry(
            item, document, base=base, feed_language=meta.language, html_to_text=html_to_text,
            now=now, known_hashes=known_hashes,
        )
        for item in valid_items[:max_items]
    ]
    problem = None
    if len(valid_items) != len(items):
        problem = f"{len(items) - len(valid_items)} items are not objects and were skipped"
    kind = "json" + version[len(JSONFEED_VERSION_PREFIX):][:8]
    return ParsedFeed(
        kind=kind, meta=meta, entries=entries,
        warning=_warning(problem, len(valid_items), max_items), total_items=len(valid_items),
        parsed_items=len(valid_items),
    )


def _warning(problem: str | None, total: int, max_items: int) -> str | None:
    parts = []
    if problem:
        parts.append(f"feed has errors but was read: {problem}")
    if total > max_items:
        parts.append(f"only the first {max_items} of {total} items were kept")
    return one_line("; ".join(parts), MAX_WARNING_CHARS) if parts else None


def _describe(exc: object) -> str:
    if exc is None:
        return "unknown problem"
    text = str(exc) or type(exc).__name__
    return one_line(text, MAX_WARNING_CHARS)


def parse_feed_job(job: dict[str, Any]) -> ParsedFeed:
    """Picklable entry point for a process pool: ``parse_feed(**job)``."""
    return parse_feed(**job)
