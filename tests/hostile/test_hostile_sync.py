"""Hostile and malformed feeds through the real sync into a real cache (file:// URLs)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.hostile.helpers import CORPUS, assert_no_controls, corpus_copy
from tuireader.store import Store
from tuireader.sync import sync_feeds


def sync_file(store: Store, tmp_path: Path, name: str):  # type: ignore[no-untyped-def]
    feed = store.add_feed(corpus_copy(tmp_path, name).as_uri())
    summary = sync_feeds(store, [feed.id], extract=False)
    return store.get_feed(feed.id), summary.feeds[0]


def titles(store: Store) -> list[str]:
    return sorted(a.title for a in store.page_articles(limit=1000))


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in CORPUS.iterdir() if p.suffix in {".rss", ".atom", ".json", ".rdf"}),
)
def test_no_control_sequence_or_bidi_override_is_stored(store: Store, tmp_path: Path,
                                                         name: str) -> None:
    sync_file(store, tmp_path, name)
    assert_no_controls(store)


def test_control_sequences_are_removed_with_their_payload(store: Store, tmp_path: Path) -> None:
    feed, result = sync_file(store, tmp_path, "control_sequences.rss")
    assert result.status == "new" and result.new == 13
    assert feed.title is not None and "pwned" not in feed.title and "]0;" not in feed.title
    raw_titles = [a.title for a in store.page_articles(limit=100) if a.title.startswith("Raw")]
    assert len(raw_titles) == 8
    for title in raw_titles:
        for payload in ("]52;", "[2J", "]0;", "]8;", "P+q", "_Gf"):
            assert payload not in title, (payload, title)


def test_markup_in_feed_text_is_stored_literally(store: Store, tmp_path: Path) -> None:
    feed, result = sync_file(store, tmp_path, "markup_injection.atom")
    assert result.new == 6
    assert feed.title == "[bold]Markup[/bold] feed [@click=app.quit]x[/]"
    assert "Markup [@click=app.quit]quit[/] in title" in titles(store)
    authors = {a.author for a in store.page_articles(limit=100)}
    assert "Author [link=file:///etc/passwd]secret[/link]" in authors


def test_json_feed_escapes_are_stripped(store: Store, tmp_path: Path) -> None:
    feed, result = sync_file(store, tmp_path, "controls.json")
    assert result.new == 2 and feed.language == "en"
    texts = [store.get_article(a.id).text for a in store.page_articles()]  # type: ignore[union-attr]
    assert any("Hello" in t and "world" in t for t in texts)


@pytest.mark.parametrize("name", ["billion_laughs.rss", "external_entity.rss"])
def test_entity_declarations_are_refused_quickly(store: Store, tmp_path: Path, name: str) -> None:
    started = time.perf_counter()
    feed, result = sync_file(store, tmp_path, name)
    assert time.perf_counter() - started < 5
    assert result.status == "error"
    assert feed.last_error and "entit" in feed.last_error.lower()
    assert "\n" not in feed.last_error
    assert store.count_articles() == 0
    assert "root:" not in " ".join(titles(store))


@pytest.mark.parametrize("name", ["html_page.html", "empty.xml"])
def test_html_or_empty_body_is_an_error_not_zero_articles(store: Store, tmp_path: Path,
                                                           name: str) -> None:
    feed, result = sync_file(store, tmp_path, name)
    assert result.status == "error" and feed.last_error and feed.error_count == 1


def test_wrong_declared_encoding_is_recovered(store: Store, tmp_path: Path) -> None:
    feed, result = sync_file(store, tmp_path, "latin1_declared_utf8.rss")
    assert result.status == "new"
    assert titles(store)[0].startswith("Südkorea bestellt Botschafter ein")
    assert feed.title == "Falsch kodiert: Grüße"


@pytest.mark.parametrize(("name", "title"), [("utf16_bom.rss", "Nordkorea – Pjöngjang"),
                                             ("utf8_bom.atom", "Mit BOM: Moskau")])
def test_byte_order_marks(store: Store, tmp_path: Path, name: str, title: str) -> None:
    sync_file(store, tmp_path, name)
    assert titles(store) == [title]


def test_xml_base_resolves_relative_links(store: Store, tmp_path: Path) -> None:
    sync_file(store, tmp_path, "xml_base_relative.atom")
    article = store.get_article(store.page_articles()[0].id)
    assert article is not None
    assert article.url == "https://news.example/world/articles/nordkorea.html"
    assert "https://news.example/world/maps/korea.html" in article.text
    assert "[image: Seoul]" in article.text


def test_namespaced_feeds_keep_authors_and_dates(store: Store, tmp_path: Path) -> None:
    sync_file(store, tmp_path, "itunes_media.rss")
    sync_file(store, tmp_path, "rss091_namespaces.rdf")
    by_title = {a.title: a for a in store.page_articles()}
    assert by_title["Episode 1"].author == "Dana Creator"
    assert by_title["Episode 1"].sort_date == "2024-10-21T11:07:00+00:00"
    assert by_title["RDF item"].author == "RDF Author"


def test_dates_in_any_format_and_missing_dates(store: Store, tmp_path: Path) -> None:
    sync_file(store, tmp_path, "odd_dates.rss")
    by_title = {a.title: store.get_article(a.id) for a in store.page_articles()}
    no_date = by_title["No date"]
    assert no_date is not None and no_date.published is None
    assert no_date.sort_date == no_date.first_seen
    iso = by_title["ISO date"]
    assert iso is not None and iso.published == "2024-10-21T11:07:00+00:00"
    future = by_title["Far future"]
    assert future is not None and future.sort_date <= future.first_seen, (
        "a date far in the future must not pin an article to the top of the list"
    )


def test_duplicate_guids_inside_one_feed_are_stored_once(store: Store, tmp_path: Path) -> None:
    sync_file(store, tmp_path, "duplicate_guids.rss")
    assert store.count_articles() == 3
    feed = store.list_feeds()[0]
    sync_feeds(store, [feed.id], extract=False, force=True)
    assert store.count_articles() == 3


def test_malformed_feed_is_parsed_with_a_warning(store: Store, tmp_path: Path) -> None:
    feed, result = sync_file(store, tmp_path, "unclosed_tags.rss")
    assert result.status == "new" and store.count_articles() == 2
    assert feed.last_error is None and feed.last_warning
    assert "\n" not in feed.last_warning


def test_cdata_and_double_escaped_html(store: Store, tmp_path: Path) -> None:
    sync_file(store, tmp_path, "cdata_double_escaped.rss")
    texts = {a.title: store.get_article(a.id).text for a in store.page_articles()}  # type: ignore[union-attr]
    assert "Kim & Rutte meet" in texts
    assert "alert(1)" not in texts["Kim & Rutte meet"]
    assert "<tag>" in texts["Kim & Rutte meet"] or "&lt;tag&gt;" in texts["Kim & Rutte meet"]
