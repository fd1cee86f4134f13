"""Subscription lists in and out: OPML 1.0/2.0 and newsboat's ``urls`` file.

Import (:func:`parse_subscriptions`) detects the format from the content. In OPML, every folder
outline a feed sits in becomes one of its tags, and so does each entry of its ``category``
attribute. In a newsboat ``urls`` file each line is ``URL tag "tag two" "~Custom Title"``;
``#`` starts a comment, ``query:`` feeds are skipped with a warning, and so are ``exec:`` and
``filter:`` feeds (tuireader never runs commands from a subscription list). Accepted feed URLs:
``http(s)://``, ``file://`` and absolute paths (as ``tuireader feeds add`` stores them).

Export (:func:`export_opml`) writes OPML 2.0: untagged feeds at the top level, a tagged feed
once in the folder of each of its tags, every copy carrying all its tags in ``category`` — so
readers that know folders and readers that know categories both see the tags, and importing
the file again gives the same feeds, titles and tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Protocol
from xml.etree import ElementTree

from tuireader.text.sanitize import clean_line, strip_controls

MAX_FILE_BYTES = 20_000_000
MAX_TITLE_CHARS = 300
MAX_TAG_CHARS = 100
MAX_URL_CHARS = 4_000
OPML_TITLE = "tuireader subscriptions"
_ACCEPTED_SCHEMES = ("http://", "https://", "file://")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class SubscriptionListError(Exception):
    """The file is not a usable OPML or newsboat urls file (one-line message)."""


@dataclass(slots=True)
class Subscription:
    """One feed read from a subscription list."""

    url: str
    title: str | None = None
    tags: list[str] = field(default_factory=list)
    site_url: str | None = None


@dataclass(slots=True)
class ParsedList:
    """The feeds of a subscription list (each URL once, tags merged) and what was skipped."""

    format: str  # "opml" or "newsboat"
    subscriptions: list[Subscription]
    warnings: list[str]


def parse_subscriptions(data: bytes | str) -> ParsedList:
    """Read an OPML or newsboat urls file, whichever ``data`` is."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise SubscriptionListError(
                f"file too large ({len(data):,} bytes, limit {MAX_FILE_BYTES:,})"
            )
        looks_xml = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
        if looks_xml:
            return parse_opml(data)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        return parse_newsboat_urls(text)
    if data.lstrip("\ufeff \t\r\n").startswith("<"):
        return parse_opml(data.encode("utf-8", errors="replace"))
    return parse_newsboat_urls(data)


# -- OPML -----------------------------------------------------------------------------------------
def parse_opml(data: bytes) -> ParsedList:
    """Read OPML 1.0 or 2.0 safely (no entities, no external references)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SubscriptionListError(f"refusing unsafe XML ({type(exc).__name__})") from exc
    except ParseError as exc:
        raise SubscriptionListError(f"not valid XML: {clean_line(str(exc), 160)}") from exc
    if _local_name(root.tag) != "opml":
        raise SubscriptionListError(
            f"not an OPML file (root element <{clean_line(_local_name(root.tag), 40)}>)"
        )
    body = next((child for child in root if _local_name(child.tag) == "body"), None)
    if body is None:
        raise SubscriptionListError("OPML file has no <body>")
    collected = _Collector()
    # Depth-first without recursion: (element, folder titles above it).
    stack: list[tuple[ElementTree.Element, tuple[str, ...]]] = [
        (child, ()) for child in reversed(list(body))
    ]
    while stack:
        element, folders = stack.pop()
        if _local_name(element.tag) != "outline":
            continue
        attributes = {_local_name(key).lower(): value for key, value in element.attrib.items()}
        title = attributes.get("title") or attributes.get("text")
        url = attributes.get("xmlurl")
        if url:
            tags = [*folders, *_categories(attributes.get("category"))]
            collected.add(url, title, tags, attributes.get("htmlurl"), where=f"outline {title!r}")
            continue
        folder = clean_line(title or "", MAX_TAG_CHARS)
        inner = (*folders, folder) if folder else folders
        stack.extend((child, inner) for child in reversed(list(element)))
    return ParsedList("opml", collected.subscriptions(), collected.warnings)


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _categories(value: str | None) -> list[str]:
    """Tags from an OPML 2.0 ``category`` attribute: comma separated, ``/`` paths trimmed."""
    if not value:
        return []
    return [part.strip().strip("/") for part in value.split(",")]


class ExportableFeed(Protocol):
    """What :func:`export_opml` needs of a feed (``tuireader.store.Feed`` has it)."""

    @property
    def url(self) -> str: ...
    @property
    def display_title(self) -> str: ...
    @property
    def site_url(self) -> str | None: ...
    @property
    def tags(self) -> Sequence[str]: ...


def export_opml(feeds: Iterable[ExportableFeed], *, now: datetime | None = None) -> str:
    """OPML 2.0 text for ``feeds`` (objects with ``url``, ``display_title``, ``site_url``,
    ``tags``), tags as folders plus ``category`` attributes (see the module docstring)."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = OPML_TITLE
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC))
    body = ElementTree.SubElement(root, "body")
    folders: dict[str, ElementTree.Element] = {}
    feeds = list(feeds)
    for tag in sorted({tag for feed in feeds for tag in _clean_tags(feed.tags)}, key=str.casefold):
        folders[tag] = ElementTree.Element("outline", text=_xml_safe(tag), title=_xml_safe(tag))
    for feed in feeds:
        tags = _clean_tags(feed.tags)
        attributes = {"type": "rss", "text": "", "title": "", "xmlUrl": _xml_safe(feed.url)}
        title = _xml_safe(clean_line(feed.display_title or feed.url, MAX_TITLE_CHARS))
        attributes["text"] = attributes["title"] = title
        if feed.site_url:
            attributes["htmlUrl"] = _xml_safe(feed.site_url)
        if tags:
            attributes["category"] = _xml_safe(",".join(tags))
        for parent in [folders[tag] for tag in tags] or [body]:
            ElementTree.SubElement(parent, "outline", attributes)
    for tag in sorted(folders, key=str.casefold):
        body.append(folders[tag])
    ElementTree.indent(root)
    xml = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{xml}\n'


def _clean_tags(tags: Iterable[str]) -> list[str]:
    # Commas separate categories, so a tag cannot contain one.
    cleaned = {clean_line(tag.replace(",", " "), MAX_TAG_CHARS) for tag in tags}
    return sorted((tag for tag in cleaned if tag), key=str.casefold)


def _xml_safe(text: str) -> str:
    return _XML_INVALID.sub("", strip_controls(text))


# -- newsboat urls ---------------------------------------------------------------------------------
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"?|(\S+)')


def parse_newsboat_urls(text: str) -> ParsedList:
    """Read newsboat's ``urls`` file: ``URL [tag | "tag with spaces" | "~Title"]...``."""
    collected = _Collector()
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = _tokenize(line)
        if not tokens:
            continue
        url, *words = tokens
        where = f"line {number}"
        lowered = url.lower()
        if lowered.startswith("query:"):
            collected.warnings.append(f"{where}: query feed skipped (not supported)")
            continue
        if lowered.startswith(("exec:", "filter:")):
            collected.warnings.append(
                f"{where}: {lowered.split(':')[0]}: feed skipped (commands are never run)"
            )
            continue
        title: str | None = None
        tags: list[str] = []
        for word in words:
            if word.startswith("~"):
                title = word[1:]
            elif word.startswith("!"):
                continue  # newsboat's "hide this feed" marker, not a tag
            else:
                tags.append(word)
        collected.add(url, title, tags, None, where=where)
    return ParsedList("newsboat", collected.subscriptions(), collected.warnings)


def _tokenize(line: str) -> list[str]:
    """Split one urls line into words; double quotes group, ``#`` outside quotes comments."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(line):
        quoted, bare = match.group(1), match.group(2)
        if bare is not None:
            if bare.startswith("#"):
                break
            tokens.append(bare)
        else:
            tokens.append(re.sub(r"\\(.)", r"\1", quoted or ""))
    return tokens


# -- shared ---------------------------------------------------------------------------------------
class _Collector:
    """Validates and merges entries: each URL once, the union of its tags, the first title."""

    def __init__(self) -> None:
        self.by_url: dict[str, Subscription] = {}
        self.warnings: list[str] = []

    def add(
        self,
        url: str,
        title: str | None,
        tags: Iterable[str],
        site_url: str | None,
        *,
        where: str,
    ) -> None:
        url = "".join(strip_controls(url).split())
        accepted = url.lower().startswith(_ACCEPTED_SCHEMES) or url.startswith(("/", "~/"))
        if not accepted or len(url) > MAX_URL_CHARS:
            shown = clean_line(url, 80) or "(empty)"
            self.warnings.append(f"{clean_line(where, 100)}: skipped unsupported URL {shown}")
            return
        clean_title = clean_line(title or "", MAX_TITLE_CHARS) or None
        if clean_title == url:
            clean_title = None
        clean_tags = [t for t in (clean_line(tag, MAX_TAG_CHARS) for tag in tags) if t]
        site = "".join(strip_controls(site_url or "").split()) or None
        known = self.by_url.get(url)
        if known is None:
            self.by_url[url] = Subscription(url, clean_title, sorted(set(clean_tags)), site)
            return
        known.tags = sorted(set(known.tags) | set(clean_tags))
        known.title = known.title or clean_title
        known.site_url = known.site_url or site

    def subscriptions(self) -> list[Subscription]:
        return list(self.by_url.values())
