"""The fast path for plain RSS 2.0 / Atom 1.0 must read documents exactly as feedparser does.

Every document either gives identical entries, metadata and warnings on both paths, or the
fast path declines it (and feedparser reads it as before).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuireader.sync import parse as parse_module
from tuireader.sync.fastfeed import parse_simple_feed
from tuireader.sync.parse import FeedParseError, bound_items, parse_feed

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 22, tzinfo=UTC)
BASE = "https://example.org/news/feed.xml"
FEED_FILES = sorted(
    path
    for folder in ("tests/fixtures/feeds", "tests/hostile/corpus", "assets/demo")
    for path in (ROOT / folder).iterdir()
    if path.suffix in (".xml", ".rss", ".atom")
)


def both_paths(body: bytes, content_type: str | None = None) -> tuple[Any, Any]:
    """parse_feed's result (or error) with feedparser only, then with the fast path."""
    results: list[tuple[Any, ...]] = []
    for fast in (False, True):
        parse_module.FAST_PATH = fast
        try:
            parsed = parse_feed(body, url=BASE, content_type=content_type, now=NOW)
            results.append((parsed.kind, parsed.meta, parsed.entries, parsed.warning,
                            parsed.total_items))
        except FeedParseError as exc:
            results.append(("error", str(exc)))
        finally:
            parse_module.FAST_PATH = True
    return results[0], results[1]


def takes(body: bytes, content_type: str | None = None) -> bool:
    return parse_simple_feed(bound_items(body, 5000).body, BASE, content_type) is not None


@pytest.mark.parametrize("path", FEED_FILES, ids=lambda p: p.name)
def test_every_corpus_feed_reads_the_same_on_both_paths(path: Path) -> None:
    by_feedparser, by_fast_path = both_paths(path.read_bytes())
    assert by_fast_path == by_feedparser


def test_the_fast_path_takes_plain_rss_and_atom() -> None:
    taken = {path.name for path in FEED_FILES if takes(path.read_bytes())}
    assert {"rss20.xml", "tagesschau.xml", "markup_injection.atom", "utf8_bom.atom"} <= taken
    # and leaves what it cannot read as feedparser does to feedparser
    assert not taken & {
        "atom03.xml", "rss091.xml", "atom10.xml", "billion_laughs.rss", "external_entity.rss",
        "itunes_media.rss", "latin1_declared_utf8.rss", "odd_dates.rss", "unclosed_tags.rss",
        "utf16_bom.rss", "xml_base_relative.atom", "control_sequences.rss", "taz.xml",
    }


# -- generated documents -----------------------------------------------------------------------

TRICKY_TEXT = st.lists(
    st.sampled_from([
        "Kim", "Jong Un", " ", "  ", "\n", "AT&T", "&amp;", "&lt;b&gt;bold&lt;/b&gt;", "<b>b</b>",
        "</p>", "&nbsp;", "&#8211;", "&bogus;", "Ã¤", "ä", "Müller", "“quoted”", "1.500",
        "<script>x()</script>", "[bold]markup[/]", "\u202e", "\t", "é", "<p>para</p>",
    ]),
    min_size=0, max_size=6,
).map("".join)

LINKS = st.sampled_from([
    None, "https://example.org/a/1", "/relative/path", "story.html", "  https://example.org/sp  ",
    "https://example.org/q?a=1&b=2", "https://example.org/q?a=1&amp;b=2", "javascript:alert(1)",
    "mailto:x@example.org", "",
])
GUIDS = st.tuples(
    st.sampled_from([None, "urn:x:1", "https://example.org/g/1", "g-relative", "", "same"]),
    st.sampled_from([None, "true", "false", "True"]),
)
RFC822_DATES = st.sampled_from([
    None, "Mon, 21 Oct 2024 13:07:00 +0200", "21 Oct 2024 13:07:00 GMT",
    "Mon, 21 Oct 2024 13:07:00 Z", "Tue, 01 Jan 2030 00:00:00 +0000",
    "Mon, 21 Oct 2024 13:07 +0200", "2024-10-21T13:07:00Z", "gestern",
])
RFC3339_DATES = st.sampled_from([
    None, "2024-10-21T13:07:00Z", "2024-10-21T13:07:00.123+02:00", "2024-10-21T13:07:00-05:00",
    "2024-10", "2099-01-01T00:00:00Z", "Mon, 21 Oct 2024 13:07:00 +0200",
])


@st.composite
def rss_items(draw: st.DrawFn) -> str:
    parts = []
    title = draw(st.one_of(st.none(), TRICKY_TEXT))
    if title is not None:
        parts.append(f"<title>{escape(title)}</title>")
    link = draw(LINKS)
    guid, permalink = draw(GUIDS)
    if guid is not None:
        attr = f' isPermaLink="{permalink}"' if permalink is not None else ""
        parts.append(f"<guid{attr}>{escape(guid)}</guid>")
    if link is not None:
        parts.insert(draw(st.integers(0, len(parts))), f"<link>{escape(link)}</link>")
    date = draw(RFC822_DATES)
    if date is not None:
        parts.append(f"<pubDate>{date}</pubDate>")
    if draw(st.booleans()):
        parts.append(f"<description>{escape(draw(TRICKY_TEXT))}</description>")
    if draw(st.booleans()):
        parts.append(f"<content:encoded><![CDATA[{draw(TRICKY_TEXT)}]]></content:encoded>")
    author = draw(st.sampled_from([None, "Redaktion", "a@b.example (A)", " Anna  Beck "]))
    if author is not None:
        parts.append(f"<dc:creator>{escape(author)}</dc:creator>")
    if draw(st.booleans()):
        parts.append("<category>Politik</category>")
    return "<item>" + "".join(parts) + "</item>"


@st.composite
def rss_documents(draw: st.DrawFn) -> bytes:
    items = draw(st.lists(rss_items(), min_size=0, max_size=4))
    title = escape(draw(TRICKY_TEXT))
    language = draw(st.sampled_from(["", "<language>de</language>", "<language>EN_us</language>"]))
    link = draw(st.sampled_from(["", "<link>https://example.org/</link>", "<link>/home</link>"]))
    declaration = draw(st.sampled_from([
        '<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0"?>', "",
        "\ufeff<?xml version='1.0' encoding='UTF-8'?>",
    ]))
    return (
        f'{declaration}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        f' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>{title}</title>{link}'
        f"<description>d</description>{language}{''.join(items)}</channel></rss>"
    ).encode()


@st.composite
def atom_documents(draw: st.DrawFn) -> bytes:
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        parts = []
        for element in ("title", "summary", "content"):
            if draw(st.booleans()):
                kind = draw(st.sampled_from([None, "text", "html"]))
                attr = f' type="{kind}"' if kind else ""
                parts.append(f"<{element}{attr}>{escape(draw(TRICKY_TEXT))}</{element}>")
        for _ in range(draw(st.integers(0, 3))):
            rel = draw(st.sampled_from([None, "alternate", "self", "enclosure"]))
            kind = draw(st.sampled_from([None, "text/html", "audio/mpeg", "html"]))
            href = draw(LINKS.filter(lambda v: v is not None))
            attrs = "".join(
                f' {name}="{escape(value)}"'
                for name, value in (("rel", rel), ("type", kind), ("href", href))
                if value is not None
            )
            parts.append(f"<link{attrs}/>")
        if draw(st.booleans()):
            parts.append(f"<id>{escape(draw(st.sampled_from(['urn:a:1', 'rel/id', ''])))}</id>")
        for element in ("published", "updated"):
            date = draw(RFC3339_DATES)
            if date is not None:
                parts.append(f"<{element}>{date}</{element}>")
        if draw(st.booleans()):
            name = escape(draw(st.sampled_from(["Staff", " Anna Beck ", "Ã¤rger"])))
            parts.append(f"<author><name>{name}</name></author>")
        entries.append("<entry>" + "".join(parts) + "</entry>")
    lang = draw(st.sampled_from(["", ' xml:lang="de"', ' xml:lang="en_GB"', ' xml:lang=""']))
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"{lang}>'
        f"<title>{escape(draw(TRICKY_TEXT))}</title>"
        '<link rel="alternate" href="https://example.org/"/><id>urn:feed</id>'
        f"<updated>2024-10-21T13:07:00Z</updated>{''.join(entries)}</feed>"
    ).encode()


CONTENT_TYPES = st.sampled_from([
    None, "application/rss+xml; charset=utf-8", "application/xml", "text/xml",
    "text/xml; charset=UTF-8", "application/atom+xml; charset=iso-8859-1",
    "text/html; charset=utf-8", "application/octet-stream",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=rss_documents(), content_type=CONTENT_TYPES)
def test_generated_rss_reads_the_same_on_both_paths(body: bytes, content_type: str | None) -> None:
    by_feedparser, by_fast_path = both_paths(body, content_type)
    assert by_fast_path == by_feedparser


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=atom_documents(), content_type=CONTENT_TYPES)
def test_generated_atom_reads_the_same_on_both_paths(
    body: bytes, content_type: str | None
) -> None:
    by_feedparser, by_fast_path = both_paths(body, content_type)
    assert by_fast_path == by_feedparser


def _plain_rss(item: str = "<item><title>T</title><link>https://e.org/1</link></item>") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
        f"<channel><title>F</title>{item}</channel></rss>"
    ).encode()


def declined() -> Iterator[tuple[str, bytes, str | None]]:
    yield "itunes summary", _plain_rss(
        "<item><title>T</title><itunes:summary>S</itunes:summary></item>"
    ), None
    yield "rss author e-mail", _plain_rss("<item><author>a@b.example (A)</author></item>"), None
    yield "latin-1", _plain_rss().replace(b"utf-8", b"iso-8859-1"), None
    yield "text/xml without charset", _plain_rss(), "text/xml"
    yield "http charset", _plain_rss(), "application/rss+xml; charset=windows-1252"
    yield "served as html", _plain_rss(), "text/html; charset=utf-8"
    yield "doctype", _plain_rss().replace(b"<rss", b"<!DOCTYPE rss><rss"), None
    yield "c1 control", _plain_rss("<item><title>a\u0085b</title></item>"), None
    yield "malformed", _plain_rss("<item><title>T</item>"), None
    yield "xml:base", _plain_rss('<item xml:base="https://e.org/"><title>T</title></item>'), None
    yield "rss 0.92", _plain_rss().replace(b'version="2.0"', b'version="0.92"'), None
    yield "repeated title", _plain_rss("<item><title>A</title><title>B</title></item>"), None
    yield "markup child", _plain_rss("<item><title>A<b>B</b></title></item>"), None
    yield "xhtml atom", (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="xhtml">'
        b'<div xmlns="http://www.w3.org/1999/xhtml">x</div></content></entry></feed>'
    ), None
    yield "out-of-line content", (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        b'<content src="https://e.org/x"/></entry></feed>'
    ), None


@pytest.mark.parametrize(("why", "body", "content_type"), list(declined()),
                         ids=[case[0] for case in declined()])
def test_the_fast_path_declines_what_only_feedparser_reads_right(
    why: str, body: bytes, content_type: str | None
) -> None:
    assert not takes(body, content_type), why
    by_feedparser, by_fast_path = both_paths(body, content_type)
    assert by_fast_path == by_feedparser
