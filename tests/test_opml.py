"""OPML and newsboat urls parsing and OPML export (the CLI round trip is in tests/cli)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.plugins.store import FIXTURES
from tuireader.opml import (
    MAX_FILE_BYTES,
    SubscriptionListError,
    export_opml,
    parse_newsboat_urls,
    parse_subscriptions,
)
from tuireader.text.sanitize import clean_line

OPML_DIR = FIXTURES / "opml"


@dataclass
class FakeFeed:
    """The attributes export_opml reads (as tuireader.store.Feed has them)."""

    url: str
    display_title: str
    site_url: str | None = None
    tags: list[str] = field(default_factory=list)


def test_format_is_detected_from_content() -> None:
    assert parse_subscriptions((OPML_DIR / "nested-folders.opml").read_bytes()).format == "opml"
    assert parse_subscriptions((OPML_DIR / "newsboat-urls").read_bytes()).format == "newsboat"
    assert parse_subscriptions("\ufeff  \n<opml version='1.0'><body/></opml>").format == "opml"
    assert parse_subscriptions(b"\xef\xbb\xbfhttps://a.example/f\n").format == "newsboat"


def test_nested_folders_become_tags_and_duplicates_merge() -> None:
    parsed = parse_subscriptions((OPML_DIR / "nested-folders.opml").read_bytes())
    by_url = {s.url: s for s in parsed.subscriptions}
    tagesschau = by_url["https://www.tagesschau.de/xml/rss2/"]
    assert tagesschau.title == "Tagesschau"  # title wins over text; first copy's title kept
    assert tagesschau.site_url == "https://www.tagesschau.de/"
    assert tagesschau.tags == ["Auch in Nachrichten", "Deutschland", "Nachrichten"]
    assert by_url["https://rss.dw.com/rdf/rss-de-all"].tags == ["Nachrichten"]
    assert len(parsed.subscriptions) == 6


def test_opml_namespaced_attributes_and_case() -> None:
    data = (
        b'<opml version="2.0"><body><outline TEXT="t" xmlurl="https://a.example/f"/>'
        b'<outline text="u" xmlUrl="  https://b.example/f \n"/></body></opml>'
    )
    parsed = parse_subscriptions(data)
    assert [(s.url, s.title) for s in parsed.subscriptions] == [
        ("https://a.example/f", "t"), ("https://b.example/f", "u")
    ]


def test_deeply_nested_opml_does_not_recurse() -> None:
    depth = 5000
    data = (
        '<opml version="2.0"><body>' + '<outline text="d">' * depth
        + '<outline text="f" xmlUrl="https://a.example/f"/>' + "</outline>" * depth
        + "</body></opml>"
    ).encode()
    (subscription,) = parse_subscriptions(data).subscriptions
    assert subscription.tags == ["d"]


def test_huge_file_is_refused() -> None:
    with pytest.raises(SubscriptionListError, match="too large"):
        parse_subscriptions(b" " * (MAX_FILE_BYTES + 1))


@pytest.mark.parametrize(
    ("line", "url", "title", "tags"),
    [
        ("https://a.example/f", "https://a.example/f", None, []),
        ('https://a.example/f a "b c" "~T i t l e"', "https://a.example/f", "T i t l e",
         ["a", "b c"]),
        ("   https://a.example/f\ttab  ", "https://a.example/f", None, ["tab"]),
        ('https://a.example/f "~x" "~y"', "https://a.example/f", "y", []),
        ('https://a.example/f "unterminated tag', "https://a.example/f", None,
         ["unterminated tag"]),
        ("https://a.example/f#frag x #comment y", "https://a.example/f#frag", None, ["x"]),
        ('"https://a.example/quoted" t', "https://a.example/quoted", None, ["t"]),
        ('https://a.example/f "!" "~"', "https://a.example/f", None, []),
    ],
)
def test_newsboat_lines(line: str, url: str, title: str | None, tags: list[str]) -> None:
    parsed = parse_newsboat_urls(line)
    assert parsed.warnings == []
    assert [(s.url, s.title, s.tags) for s in parsed.subscriptions] == [(url, title, tags)]


def test_newsboat_comments_blank_lines_and_skips() -> None:
    parsed = parse_newsboat_urls(
        "# only a comment\n\n   \n\"query:All:age < 2\"\nexec:rm -rf /\nftp://old.example/f\n"
    )
    assert parsed.subscriptions == []
    assert parsed.warnings == [
        "line 4: query feed skipped (not supported)",
        "line 5: exec: feed skipped (commands are never run)",
        "line 6: skipped unsupported URL ftp://old.example/f",
    ]


def test_controls_in_titles_and_tags_are_stripped() -> None:
    parsed = parse_newsboat_urls('https://a.example/f "~T\x1b]0;x\x07itel" "t\u202eag"')
    (subscription,) = parsed.subscriptions
    assert (subscription.title, subscription.tags) == ("Titel", ["tag"])


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_newsboat_parser_never_raises(text: str) -> None:
    parsed = parse_newsboat_urls(text)
    for subscription in parsed.subscriptions:
        assert subscription.url.startswith(("http://", "https://", "file://", "/", "~/"))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_fail_cleanly(data: bytes) -> None:
    try:
        parse_subscriptions(data)
    except SubscriptionListError as exc:
        assert "\n" not in str(exc)


def test_export_structure() -> None:
    text = export_opml(
        [
            FakeFeed("https://a.example/f", "A", "https://a.example/", ["x", "y"]),
            FakeFeed("https://b.example/f", "https://b.example/f"),
        ]
    )
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    parsed = parse_subscriptions(text.encode())
    # Untagged feeds first, then one folder per tag.
    assert [(s.url, s.title, s.tags, s.site_url) for s in parsed.subscriptions] == [
        ("https://b.example/f", None, [], None),
        ("https://a.example/f", "A", ["x", "y"], "https://a.example/"),
    ]


tag_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cc", "Cs", "Cf", "Zl", "Zp"]), min_size=1,
    max_size=20,
).map(lambda t: " ".join(t.replace(",", " ").split()).strip("/")).filter(
    # Text the sanitiser changes (e.g. only unassigned or invisible characters) is not meant to
    # round-trip: feed text is cleaned on the way in.
    lambda t: bool(t) and clean_line(t, 100) == t
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.from_regex(r"https://[a-z]{1,10}\.example/[a-z0-9?=&]{0,10}", fullmatch=True),
            tag_text,
            st.lists(tag_text, max_size=4),
        ),
        max_size=6,
        unique_by=lambda item: item[0],
    )
)
def test_export_then_import_round_trips(items: list[tuple[str, str, list[str]]]) -> None:
    feeds = [FakeFeed(url, title, None, tags) for url, title, tags in items]
    parsed = parse_subscriptions(export_opml(feeds).encode())
    got = {s.url: (s.title or s.url, s.tags) for s in parsed.subscriptions}
    assert got == {f.url: (f.display_title, sorted(set(f.tags))) for f in feeds}
