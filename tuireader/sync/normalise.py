"""Turn parsed feed entries (feedparser or JSON Feed) into bounded, sanitised ``EntryData``.

Everything that comes out of here is safe to store and to show: titles and authors are plain
text without markup, control characters or bidi overrides; URLs are absolute http(s) URLs;
dates are UTC ISO 8601 strings; every text field has a size bound.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

from tuireader.store.models import EntryData

MAX_TITLE_CHARS = 1_000
MAX_AUTHOR_CHARS = 300
MAX_URL_CHARS = 4_000
MAX_ENTRY_ID_CHARS = 1_000
MAX_LANGUAGE_CHARS = 35
MAX_SUMMARY_CHARS = 200_000
MAX_CONTENT_CHARS = 2_000_000
MAX_TEXT_CHARS = 1_000_000
MAX_WARNING_CHARS = 300
# A date further in the future than this is treated as missing (it would pin the entry on top).
MAX_FUTURE_SKEW = timedelta(days=2)

_ALLOWED_URL_SCHEMES = ("http", "https")


def strip_control(text: str) -> str:
    """Remove C0/C1 control characters (keeping ``\\n`` and ``\\t``), escape sequences and
    bidi overrides/isolates (``tuireader.text.sanitize.strip_controls``)."""
    from tuireader.text.sanitize import strip_controls

    return strip_controls(text)


def one_line(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """Control characters removed, all whitespace runs collapsed to one space, bounded."""
    from tuireader.text.sanitize import clean_line

    return clean_line(text, limit)


def clean_inline(value: object, *, is_html: bool, limit: int) -> str:
    """A title-like value as one line of plain text (``is_html`` strips markup first)."""
    if value is None:
        return ""
    text = str(value)
    if is_html:
        from tuireader.text.html import html_to_plain_line

        return html_to_plain_line(text, limit)
    return one_line(text, limit)


def clean_url(value: object, base: str | None) -> str | None:
    """An absolute http(s) URL resolved against ``base``, or None for anything else."""
    if not isinstance(value, str):
        return None
    raw = one_line(value, MAX_URL_CHARS * 2).replace(" ", "%20")
    if not raw:
        return None
    url = urljoin(base, raw) if base else raw
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _ALLOWED_URL_SCHEMES or not parts.netloc:
        return None
    if len(url) > MAX_URL_CHARS:
        return None
    return url


def clean_language(value: object) -> str | None:
    """A language tag such as ``de`` or ``en-us`` (lower case), or None."""
    if not isinstance(value, str):
        return None
    tag = one_line(value, MAX_LANGUAGE_CHARS).replace("_", "-").lower()
    if not tag or not re.fullmatch(r"[a-z]{1,8}(-[a-z0-9]{1,8})*", tag):
        return None
    return tag


def struct_time_to_iso(
    value: time.struct_time | None, *, now: datetime | None = None
) -> str | None:
    """feedparser's ``*_parsed`` (UTC struct_time) as ISO 8601, None if invalid or far future."""
    if value is None:
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None
    return _bounded_iso(moment, now)


def rfc3339_to_iso(value: object, *, now: datetime | None = None) -> str | None:
    """A JSON Feed (RFC 3339) date as UTC ISO 8601, None if invalid or far future."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _bounded_iso(moment, now)


def _bounded_iso(moment: datetime, now: datetime | None) -> str | None:
    now = now or datetime.now(UTC)
    if moment > now + MAX_FUTURE_SKEW or moment.year < 1970:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def short_hash(*parts: str | None) -> str:
    """A stable hex digest of the given fields (None and "" are distinct)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(b"\x00" if part is None else b"\x01" + part.encode("utf-8", "replace"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:32]


def content_hash(entry: EntryData) -> str:
    """What decides "this entry changed": title, link, author, summary and content.

    Dates are left out on purpose: many feeds restamp every item on each request, which would
    otherwise turn every sync into a flood of "updated" articles.
    """
    return short_hash(entry.title, entry.url, entry.author, entry.summary_html, entry.content_html)


def entry_identity(
    raw_id: object, link: str | None, title: str, date: str | None
) -> str:
    """The entry's stable identity: its id/guid, else its link, else a hash of title + date."""
    if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool):
        ident = one_line(str(raw_id), MAX_ENTRY_ID_CHARS * 4)
        if ident:
            if len(ident) > MAX_ENTRY_ID_CHARS:
                return "sha:" + short_hash(ident)
            return ident
    if link:
        return link if len(link) <= MAX_ENTRY_ID_CHARS else "sha:" + short_hash(link)
    return "sha:" + short_hash(title, date)


@dataclass(slots=True)
class FeedMeta:
    """The feed-level fields stored on the feed row."""

    title: str | None = None
    site_url: str | None = None
    language: str | None = None


TextMaker = Callable[[str, str | None], str]


def make_entry(
    *,
    raw_id: object,
    title: str,
    link: str | None,
    author: str | None,
    published: str | None,
    updated: str | None,
    summary_html: str | None,
    content_html: str | None,
    language: str | None,
    html_to_text: TextMaker,
    base: str | None = None,
    known_hashes: Mapping[str, str] | None = None,
) -> EntryData:
    """Assemble one bounded ``EntryData`` with its identity, readable text and content hash.

    ``base`` is the URL that relative links in the HTML are relative to (xml:base, the
    feed's URL); the entry's own link is the fallback. When ``known_hashes`` (the stored
    ``{entry_id: content_hash}`` of the feed) already has this entry with this hash, the
    text is left empty: the entry is stored as it is and will not be written again, so the
    HTML-to-text conversion (a good part of the parse time) is skipped.
    """
    summary_html = _bounded(summary_html, MAX_SUMMARY_CHARS)
    content_html = _bounded(content_html, MAX_CONTENT_CHARS)
    entry = EntryData(
        entry_id=entry_identity(raw_id, link, title, published or updated),
        title=title,
        url=link,
        author=author or None,
        published=published,
        updated=updated,
        summary_html=summary_html,
        content_html=content_html,
        language=language,
    )
    entry.content_hash = content_hash(entry)
    if known_hashes is not None and known_hashes.get(entry.entry_id) == entry.content_hash:
        return entry
    source = content_html or summary_html or ""
    if source:
        entry.text = strip_control(html_to_text(source, base or link))[:MAX_TEXT_CHARS]
    return entry


def _bounded(html: str | None, limit: int) -> str | None:
    if not html:
        return None
    html = strip_control(html)
    return html[:limit] or None


# -- feedparser ------------------------------------------------------------------------------


def _detail_is_html(detail: Mapping[str, Any] | None) -> bool:
    if not detail:
        return True
    return "html" in str(detail.get("type", "text/html"))


def feedparser_meta(feed: Mapping[str, Any], base: str | None) -> FeedMeta:
    """Title, site link and language of a feedparser ``feed`` mapping."""
    title = clean_inline(
        feed.get("title"), is_html=_detail_is_html(feed.get("title_detail")), limit=MAX_TITLE_CHARS
    )
    return FeedMeta(
        title=title or None,
        site_url=clean_url(feed.get("link"), base),
        language=clean_language(feed.get("language")),
    )


def _entry_html(entry: Mapping[str, Any]) -> tuple[str | None, str | None]:
    summary = entry.get("summary")
    content_parts = entry.get("content") or []
    content = None
    for part in content_parts:
        value = part.get("value") if isinstance(part, Mapping) else None
        if value and "html" in str(part.get("type", "text/html")):
            content = value
            break
    if content is None:
        for part in content_parts:
            value = part.get("value") if isinstance(part, Mapping) else None
            if value:
                # Plain-text content: escape it so that it is shown, not interpreted.
                import html as html_module

                content = "<pre>" + html_module.escape(value) + "</pre>"
                break
    if summary and not _detail_is_html(entry.get("summary_detail")):
        import html as html_module

        summary = html_module.escape(summary)
    if summary == content:
        summary = None
    return (summary or None), (content or None)


def _html_base(entry: Mapping[str, Any], feed_base: str | None) -> str | None:
    """The base URL of an entry's HTML: the content's xml:base, else the feed's."""
    for part in [*(entry.get("content") or []), entry.get("summary_detail")]:
        if isinstance(part, Mapping) and isinstance(part.get("base"), str) and part["base"]:
            return str(part["base"])
    return feed_base


def _entry_language(entry: Mapping[str, Any], feed_language: str | None) -> str | None:
    for key in ("content",):
        for part in entry.get(key) or []:
            if isinstance(part, Mapping) and (lang := clean_language(part.get("language"))):
                return lang
    for key in ("summary_detail", "title_detail"):
        detail = entry.get(key)
        if isinstance(detail, Mapping) and (lang := clean_language(detail.get("language"))):
            return lang
    return feed_language


def feedparser_entry(
    entry: Mapping[str, Any],
    *,
    base: str | None,
    feed_language: str | None,
    html_to_text: TextMaker,
    now: datetime | None = None,
    known_hashes: Mapping[str, str] | None = None,
) -> EntryData:
    """One feedparser entry as ``EntryData`` (see :func:`make_entry` for ``known_hashes``)."""
    title = clean_inline(
        entry.get("title"), is_html=_detail_is_html(entry.get("title_detail")),
        limit=MAX_TITLE_CHARS,
    )
    link = clean_url(entry.get("link"), base)
    if link is None:
        for candidate in entry.get("links") or []:
            if isinstance(candidate, Mapping) and candidate.get("rel", "alternate") == "alternate":
                link = clean_url(candidate.get("href"), base)
                if link:
                    break
    author = clean_inline(entry.get("author"), is_html=True, limit=MAX_AUTHOR_CHARS)
    if "<" in author:  # escaped markup in a text field: names never contain tags
        author = clean_inline(author, is_html=True, limit=MAX_AUTHOR_CHARS)
    published = struct_time_to_iso(entry.get("published_parsed"), now=now)
    # Not entry.get(): feedparser's get() falls back from updated to published (deprecated).
    updated_parsed = dict.get(entry, "updated_parsed") if isinstance(entry, dict) else None
    updated = struct_time_to_iso(updated_parsed, now=now)
    summary_html, content_html = _entry_html(entry)
    if not title:
        title = _title_from_text(summary_html or content_html)
    return make_entry(
        base=_html_base(entry, base),
        raw_id=entry.get("id"),
        title=title,
        link=link,
        author=author,
        published=published,
        updated=updated,
        summary_html=summary_html,
        content_html=content_html,
        language=_entry_language(entry, feed_language),
        html_to_text=html_to_text,
        known_hashes=known_hashes,
    )


def _title_from_text(html: str | None, limit: int = 120) -> str:
    """A stand-in title for untitled entries (tweets, microblogs): the start of the text."""
    if not html:
        return ""
    text = clean_inline(html, is_html=True, limit=limit * 2)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- JSON Feed ---------------------------------------------------------------------------------


def jsonfeed_meta(document: Mapping[str, Any], base: str | None) -> FeedMeta:
    """Title, home page and language of a JSON Feed document."""
    return FeedMeta(
        title=clean_inline(document.get("title"), is_html=False, limit=MAX_TITLE_CHARS) or None,
        site_url=clean_url(document.get("home_page_url"), base),
        language=clean_language(document.get("language")),
    )


def _jsonfeed_author(item: Mapping[str, Any], document: Mapping[str, Any]) -> str | None:
    for source in (item, document):
        authors = source.get("authors")
        if isinstance(authors, list):
            names = [
                str(a["name"]) for a in authors
                if isinstance(a, Mapping) and isinstance(a.get("name"), str) and a["name"].strip()
            ]
            if names:
                return clean_inline(", ".join(names), is_html=False, limit=MAX_AUTHOR_CHARS)
        author = source.get("author")  # JSON Feed 1.0
        if isinstance(author, Mapping) and isinstance(author.get("name"), str):
            return clean_inline(author["name"], is_html=False, limit=MAX_AUTHOR_CHARS)
    return None


def jsonfeed_entry(
    item: Mapping[str, Any],
    document: Mapping[str, Any],
    *,
    base: str | None,
    feed_language: str | None,
    html_to_text: TextMaker,
    now: datetime | None = None,
    known_hashes: Mapping[str, str] | None = None,
) -> EntryData:
    """One JSON Feed item as ``EntryData`` (see :func:`make_entry` for ``known_hashes``)."""
    import html as html_module

    link = clean_url(item.get("url"), base) or clean_url(item.get("external_url"), base)
    content_html = item.get("content_html") if isinstance(item.get("content_html"), str) else None
    if content_html is None and isinstance(item.get("content_text"), str):
        content_html = "<pre>" + html_module.escape(item["content_text"]) + "</pre>"
    summary = item.get("summary") if isinstance(item.get("summary"), str) else None
    summary_html = html_module.escape(summary) if summary else None
    title = clean_inline(item.get("title"), is_html=False, limit=MAX_TITLE_CHARS)
    if not title:
        title = _title_from_text(summary_html or content_html)
    return make_entry(
        base=base,
        raw_id=item.get("id"),
        title=title,
        link=link,
        author=_jsonfeed_author(item, document),
        published=rfc3339_to_iso(item.get("date_published"), now=now),
        updated=rfc3339_to_iso(item.get("date_modified"), now=now),
        summary_html=summary_html,
        content_html=content_html,
        language=clean_language(item.get("language")) or feed_language,
        html_to_text=html_to_text,
        known_hashes=known_hashes,
    )
