"""Parsing and normalisation of every supported format and of hostile or broken bodies."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.plugins.server import json_feed, rss_feed, rss_item
from tuireader.sync.normalise import (
    MAX_TITLE_CHARS,
    clean_url,
    entry_identity,
    rfc3339_to_iso,
    strip_control,
    struct_time_to_iso,
)
from tuireader.sync.parse import (
    BoundedBody,
    FeedParseError,
    ParsedFeed,
    RawItems,
    bound_items,
    drop_seen_items,
    parse_feed,
    split_items,
)

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
FEED_URL = "https://feeds.example.com/news/feed.xml"


def parse_fixture(name: str, content_type: str = "application/xml", **kw: Any) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), url=FEED_URL, content_type=content_type, **kw)


def test_rss_091_and_092_with_latin1() -> None:
    parsed = parse_fixture("rss091.xml")
    assert parsed.kind.startswith("rss091")
    assert parsed.meta.title == "RSS 0.91 Kanal"
    assert parsed.meta.language == "de"
    assert [e.title for e in parsed.entries] == ["Grüße aus 0.91", "Second 0.91 item"]
    assert parsed.entries[0].entry_id == "http://example.com/091/one"  # no guid: the link
    assert parsed.entries[0].language == "de"
    latin1 = parse_fixture("rss092.xml")
    assert latin1.kind == "rss092"
    assert latin1.entries[0].title == "Grüße 0.92"


def test_rss_10_rdf() -> None:
    parsed = parse_fixture("rss10.rdf")
    assert parsed.kind == "rss10"
    (entry,) = parsed.entries
    assert entry.title == "RDF item one"
    assert entry.author == "Ann Author"
    assert entry.updated == "2024-10-21T08:00:00+00:00"  # dc:date, converted to UTC
    assert entry.language == "en-gb"


def test_rss_20_identity_links_dates_and_text() -> None:
    parsed = parse_fixture("rss20.xml")
    assert parsed.kind == "rss20"
    assert parsed.meta.title == "RSS 2.0 & friends"
    assert parsed.meta.site_url == "https://feeds.example.com/home"  # relative, resolved
    assert parsed.meta.language == "de-de"
    first, second, third = parsed.entries
    assert first.entry_id == "urn:meldung:1"
    assert first.url == "https://feeds.example.com/artikel/1"
    assert first.published == "2024-10-21T11:07:00+00:00"
    assert first.author == "Berta Beispiel"
    assert first.summary_html == "Kurzfassung"
    # The HTML is stored as sent; the readable text resolves its links against the feed.
    assert first.content_html == '<p>Der <b>ganze</b> Text mit <a href="/mehr">Link</a>.</p>'
    assert first.text.startswith("Der ganze Text mit Link")  # content wins over summary
    assert first.text.endswith("https://feeds.example.com/mehr")
    assert second.entry_id == "https://example.com/artikel/2"  # no guid: the link
    assert second.text == "Nur eine Zusammenfassung"
    assert third.entry_id.startswith("sha:")  # no guid, no link: title + date
    assert third.url is None and third.published is None
    # The hash identity is stable across parses.
    assert parse_fixture("rss20.xml").entries[2].entry_id == third.entry_id


def test_atom_03_and_10() -> None:
    old = parse_fixture("atom03.xml")
    assert old.kind == "atom03"
    assert old.meta.language == "fr"
    assert old.entries[0].published == "2024-10-21T10:00:00+00:00"
    assert old.entries[0].updated == "2024-10-21T11:00:00+00:00"
    atom = parse_fixture("atom10.xml")
    assert atom.kind == "atom10"
    assert atom.meta.title == "Atom 1.0 blog"  # type="html" title: markup stripped
    one, two = atom.entries
    assert one.url == "https://example.net/blog/posts/one"  # xml:base
    assert one.published == "2024-10-22T08:00:00+00:00"
    assert one.author == "Carla Coder"
    assert one.language == "en"
    assert one.text.endswith("https://example.net/blog/other")  # xml:base of the content
    assert two.title == "Entry two"  # xhtml title
    assert two.published is None and two.updated == "2024-10-23T08:00:00+00:00"
    assert "&lt;text&gt;" in (two.content_html or "")  # type="text" content escaped
    assert two.text == "Plain <text> content"


def test_json_feed_10_and_11() -> None:
    old = parse_fixture("jsonfeed10.json", "application/json")  # detected by its version
    assert old.kind == "json1"
    first, untitled = old.entries
    assert first.entry_id == "1" and first.author == "Old Style Author"
    assert first.published == "2024-10-21T08:00:00+00:00"
    assert first.text == "Hello JSON"
    assert untitled.entry_id == "2"
    assert untitled.title == "Untitled text item <not markup>"
    assert untitled.url == "https://feeds.example.com/2"
    new = parse_fixture("jsonfeed11.json", "application/feed+json")
    assert new.kind == "json1.1"
    assert new.meta.language == "de"
    first, external = new.entries
    assert first.author == "Item Author, Second Author"
    assert first.language == "en" and external.language == "de"
    assert first.updated == "2024-10-21T12:00:00+00:00"
    assert external.url == "https://other.example/b"
    assert new.warning is not None and "not objects" in new.warning


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        ((FEEDS / "html_page.html").read_bytes(), "not a feed: got an HTML page"),
        (b"<html><body>hi</body></html>", "got an HTML page"),
        (b"just some text", "not a feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}', "no items list"),
        (b'{"version": "https://jsonfeed.org/version/1.1", ', "invalid JSON"),
        (b'{"title": "x", "items": []}', "jsonfeed.org version"),
    ],
)
def test_not_a_feed_is_an_error(body: bytes, message: str) -> None:
    content_type = "application/feed+json" if body.startswith(b'{"title"') else None
    with pytest.raises(FeedParseError, match=message):
        parse_feed(body, url=FEED_URL, content_type=content_type)


def test_deeply_nested_json_is_refused() -> None:
    body = b'{"version": "https://jsonfeed.org/version/1", "items": ' + b"[" * 200_000
    with pytest.raises(FeedParseError, match="not a feed"):
        parse_feed(body, url=FEED_URL, content_type="application/feed+json")


@pytest.mark.parametrize("name", ["entity_bomb.xml", "external_entity.xml"])
def test_entity_declarations_are_refused_quickly(name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(FeedParseError, match=r"refused: .*<!ENTITY>"):
        parse_fixture(name)
    assert time.perf_counter() - started < 1.0


def test_bozo_feed_with_entries_is_kept_with_a_warning() -> None:
    parsed = parse_fixture("bozo_with_entries.xml")
    assert [e.title for e in parsed.entries] == ["Still here & unescaped", "Second"]
    assert parsed.warning is not None and parsed.warning.startswith("feed has errors but was read")
    assert "\n" not in parsed.warning


def test_broken_xml_without_entries_is_an_error() -> None:
    with pytest.raises(FeedParseError):
        parse_feed(b'<rss version="2.0"><channel><title>x</ti', url=FEED_URL)


def test_hostile_text_is_sanitised() -> None:
    parsed = parse_fixture("hostile.xml")
    assert parsed.meta.site_url is None  # javascript: link dropped
    for text in [parsed.meta.title or ""] + [
        value for e in parsed.entries for value in (e.title, e.author or "", e.text)
    ]:
        assert strip_control(text) == text
        assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in text)
        assert "\x1b" not in text and "\x9b" not in text and "\x85" not in text
    first, second = parsed.entries
    assert first.title == "Bold evil title [red]rich[/red]"  # markup stripped, brackets kept
    assert first.author == "mallory@example.com (Mallory)"
    assert first.url is None
    assert first.published is None  # year 2999: treated as missing, store uses first-seen
    assert "alert" not in first.text
    assert "pwned" not in second.title
    assert second.url == "https://feeds.example.com/rel/2"


def test_items_and_field_sizes_are_bounded() -> None:
    huge_title = "T" * (MAX_TITLE_CHARS * 3)
    body = rss_feed([rss_item(0, title=huge_title)] + [rss_item(i) for i in range(1, 30)])
    parsed = parse_feed(body, url=FEED_URL, max_items=10)
    assert len(parsed.entries) == 10
    assert parsed.total_items == 30
    assert parsed.warning is not None and "first 10 of 30" in parsed.warning
    assert len(parsed.entries[0].title) <= MAX_TITLE_CHARS


def test_content_hash_tracks_content_not_dates() -> None:
    base = parse_feed(rss_feed([rss_item(1)]), url=FEED_URL).entries[0]
    redated = parse_feed(
        rss_feed([rss_item(1, date=datetime(2023, 1, 1, tzinfo=UTC))]), url=FEED_URL
    ).entries[0]
    edited = parse_feed(rss_feed([rss_item(1, body="<p>Corrected</p>")]), url=FEED_URL).entries[0]
    assert base.entry_id == redated.entry_id == edited.entry_id
    assert base.content_hash == redated.content_hash
    assert base.content_hash != edited.content_hash


def test_json_feed_detection_by_body_without_content_type() -> None:
    body = json_feed([{"id": "x", "title": "<b>Title</b>", "content_text": "t"}])
    parsed = parse_feed(body, url=FEED_URL, content_type="text/plain")
    assert parsed.entries[0].title == "<b>Title</b>"  # JSON Feed titles are plain text
    assert json.loads(body)["version"].startswith("https://jsonfeed.org/version/")


def test_helpers() -> None:
    assert clean_url("/a b", "https://x.example/feed") == "https://x.example/a%20b"
    assert clean_url("javascript:alert(1)", None) is None
    assert clean_url("data:text/html,x", "https://x.example/") is None
    assert entry_identity(None, None, "t", None).startswith("sha:")
    assert entry_identity("x" * 5000, None, "t", None).startswith("sha:")
    assert entry_identity(7, None, "t", None) == "7"
    assert struct_time_to_iso(time.gmtime(0)) == "1970-01-01T00:00:00+00:00"
    assert rfc3339_to_iso("2024-10-21T10:00:00+02:00") == "2024-10-21T08:00:00+00:00"
    assert rfc3339_to_iso("yesterday") is None
    assert strip_control("a\x1b[31mb\u202ec\td\ne\x07") == "abc\td\ne"


# -- the pre-parse cut of huge item counts --------------------------------------------------------


def test_huge_item_counts_are_cut_before_feedparser_sees_them() -> None:
    body = rss_feed(2_000)
    parsed = parse_feed(body, url=FEED_URL, max_items=10)
    assert parsed.parsed_items == 10  # feedparser never saw the other 1,990 items
    assert parsed.total_items == 2_000
    assert parsed.warning is not None and "first 10 of 2000" in parsed.warning
    assert [e.entry_id for e in parsed.entries] == [f"feed-{i}" for i in range(10)]
    assert parsed.meta.title == "Loopback feed" and parsed.meta.language == "en"


def test_item_tags_inside_cdata_and_comments_are_not_counted() -> None:
    tricky = (
        rss_item(0)
        .replace("<description>", "<description><![CDATA[<item><title>fake</title></item>]]>")
        .replace("&lt;p&gt;", "<!-- <item> -->&lt;p&gt;", 1)
    )
    body = rss_feed([tricky, rss_item(1), rss_item(2)])
    bounded = bound_items(body, 2)
    assert bounded.cut and bounded.total_items == 3
    parsed = parse_feed(body, url=FEED_URL, max_items=2)
    assert [e.entry_id for e in parsed.entries] == ["feed-0", "feed-1"]
    assert parsed.parsed_items == 2 and parsed.total_items == 3
    assert "fake" in (parsed.entries[0].summary_html or "")
    assert bound_items(body, 3) == BoundedBody(body, 3, cut=False)


def test_namespaced_atom_entries_are_cut_and_the_document_stays_whole() -> None:
    entries = "".join(
        f"<a:entry><a:id>urn:e{i}</a:id><a:title>Entry {i}</a:title>"
        f"<a:updated>2024-01-0{1 + i % 9}T00:00:00Z</a:updated></a:entry>"
        for i in range(30)
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<a:feed xmlns:a="http://www.w3.org/2005/Atom">'
        f"<a:title>Prefixed</a:title><a:id>urn:feed</a:id>{entries}</a:feed>"
    ).encode()
    bounded = bound_items(body, 5)
    assert bounded.cut and bounded.total_items == 30
    assert bounded.body.endswith(b"</a:entry></a:feed>")
    parsed = parse_feed(body, url=FEED_URL, max_items=5)
    assert parsed.kind == "atom10" and parsed.meta.title == "Prefixed"
    assert [e.entry_id for e in parsed.entries] == [f"urn:e{i}" for i in range(5)]
    assert parsed.parsed_items == 5
    assert parsed.warning is not None and "first 5 of 30" in parsed.warning


def test_cut_of_a_truncated_document_still_parses() -> None:
    whole = rss_feed(20)
    body = whole[: whole.index(b"<item><title>feed story 10") + 30]  # ends inside item 10
    parsed = parse_feed(body, url=FEED_URL, max_items=3)
    assert [e.entry_id for e in parsed.entries] == ["feed-0", "feed-1", "feed-2"]
    assert parsed.total_items == 11
    assert parsed.parsed_items <= 4  # the three kept and at most the broken last one


# -- entries already stored with the same content skip the text step -----------------------------


def test_stored_unchanged_entries_are_left_out_without_making_their_text() -> None:
    first = parse_feed(rss_feed([rss_item(i) for i in range(4)]), url=FEED_URL)
    known = {entry.entry_id: entry.content_hash for entry in first.entries}
    converted: list[str] = []

    def counting_html_to_text(html: str, base: str | None) -> str:
        converted.append(html)
        return "text of " + html

    items = [rss_item(0), rss_item(1, body="<p>Corrected</p>"), rss_item(2), rss_item(3),
             rss_item(4), rss_item(4, body="<p>a repeat of item 4</p>")]
    parsed = parse_feed(
        rss_feed(items), url=FEED_URL, known_hashes=known, html_to_text=counting_html_to_text
    )
    assert [e.entry_id for e in parsed.entries] == ["feed-1", "feed-4"]
    assert parsed.unchanged == 4  # three stored as they are, one repeat of an id
    assert parsed.entries[0].text == "text of <p>Corrected</p>"
    assert parsed.entries[1].text == "text of <p>Text of feed story 4.</p>"
    # Items 0, 2 and 3 were never converted; the repeat of item 4 was (it is dropped after).
    assert "<p>Text of feed story 0.</p>" not in converted
    assert len(converted) == 3
    changed_hash = parsed.entries[0].content_hash
    assert changed_hash != known["feed-1"]


def test_without_known_hashes_every_entry_is_kept() -> None:
    body = rss_feed([rss_item(0), rss_item(0, body="<p>again</p>"), rss_item(1)])
    parsed = parse_feed(body, url=FEED_URL)
    assert [e.entry_id for e in parsed.entries] == ["feed-0", "feed-0", "feed-1"]
    assert parsed.unchanged == 0
    assert all(e.text for e in parsed.entries)


def test_json_feed_entries_use_known_hashes_too() -> None:
    items: list[dict[str, object]] = [
        {"id": "a", "content_html": "<p>A</p>"}, {"id": "b", "content_html": "<p>B</p>"}
    ]
    first = parse_feed(json_feed(items), url=FEED_URL)
    known = {entry.entry_id: entry.content_hash for entry in first.entries}
    items[1]["content_html"] = "<p>B, corrected</p>"
    parsed = parse_feed(json_feed(items), url=FEED_URL, known_hashes=known)
    assert [(e.entry_id, e.text) for e in parsed.entries] == [("b", "B, corrected")]
    assert parsed.unchanged == 1


# -- items whose raw bytes were in the last stored body skip feedparser --------------------------


def test_split_items_cuts_a_body_into_head_items_and_tail() -> None:
    tricky = rss_item(1).replace("<description>", "<description><![CDATA[<item>]]>")
    body = rss_feed([rss_item(0), tricky, rss_item(2)])
    parts = split_items(body)
    assert parts is not None
    head, chunks, tail = parts
    assert head + b"".join(chunks) + tail == body
    assert len(chunks) == 3 and chunks[1].startswith(b"<item>") and b"CDATA" in chunks[1]
    assert tail == b"</channel></rss>"
    assert split_items(rss_feed([])) is None


def test_seen_items_are_dropped_before_parsing() -> None:
    old = rss_feed([rss_item(i) for i in range(4)])
    _, seen, _ = drop_seen_items(old, None, 100)
    assert seen is not None and len(seen.items) == 4
    items = [rss_item(i) for i in range(4)]
    items[2] = rss_item(2, body="<p>Corrected</p>")
    new = rss_feed([rss_item(9), *items])
    body, current, dropped = drop_seen_items(new, seen, 100)
    assert dropped == 3 and current is not None and len(current.items) == 5
    parsed = parse_feed(body, url=FEED_URL)
    assert [e.entry_id for e in parsed.entries] == ["feed-9", "feed-2"]
    assert parsed.meta.title == "Loopback feed"
    # A changed head (title, namespaces, base...) or more items than the cap: nothing dropped.
    retitled = new.replace(b"Loopback feed", b"Renamed feed")
    assert drop_seen_items(retitled, seen, 100)[2] == 0
    assert drop_seen_items(new, seen, 4) == (new, None, 0)  # over the cap: not remembered
    json_body = json_feed([{"id": "x", "content_html": "<item>"}])
    assert drop_seen_items(json_body, seen, 100) == (json_body, None, 0)
    assert RawItems.from_json(seen.to_json()) == seen
    assert RawItems.from_json({"head": 1}) is None


def test_feed_level_dates_do_not_stop_the_dropping_but_language_and_base_do() -> None:
    def feed(stamp: str, language: str = "en") -> bytes:
        return rss_feed([rss_item(i) for i in range(3)], language=language).replace(
            b"</link>", f"</link><lastBuildDate>{stamp}</lastBuildDate>".encode(), 1
        )

    _, seen, _ = drop_seen_items(feed("Mon, 01 Jan 2024 10:00:00 GMT"), None, 100, "u")
    later = feed("Mon, 01 Jan 2024 11:00:00 GMT")
    assert drop_seen_items(later, seen, 100, "u")[2] == 3
    assert drop_seen_items(later, seen, 100, "another base URL")[2] == 0
    german = feed("Mon, 01 Jan 2024 11:00:00 GMT", language="de")
    assert drop_seen_items(german, seen, 100, "u")[2] == 0  # entries inherit the language
    body, _, dropped = drop_seen_items(later, seen, 100, "u")
    parsed = parse_feed(body, url=FEED_URL)  # a head without items still parses
    assert dropped == 3 and parsed.entries == [] and parsed.meta.language == "en"
