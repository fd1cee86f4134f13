"""``tuireader feeds add|list|remove``, ``import`` and ``export`` through the real entry point."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.conftest import Page, PageServer, RunCli, seed_articles
from tests.plugins.store import FIXTURES
from tuireader.store import EntryData, Store

OPML_DIR = FIXTURES / "opml"
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>"""


def page_with_links(*links: str, base: str = "") -> bytes:
    head = "".join(links)
    base_tag = f'<base href="{base}">' if base else ""
    return f"<!doctype html><html><head>{base_tag}{head}</head><body>Hi</body></html>".encode()


def feed_urls(db_path: Path) -> list[str]:
    with Store(db_path) as store:
        return [feed.url for feed in store.list_feeds()]


# -- feeds add: local -------------------------------------------------------------------------
def test_add_local_path_with_title_and_tags(run: RunCli, db_path: Path, tmp_path: Path) -> None:
    feed_file = tmp_path / "feed.xml"
    feed_file.write_bytes(RSS)
    result = run("feeds", "add", str(feed_file), "--title", "Lokal", "--tag", "b", "--tag", "a b")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"added feed 1: Lokal ({feed_file.as_uri()})\n"
    with Store(db_path) as store:
        feed = store.get_feed(1)
    assert (feed.url, feed.user_title, feed.tags) == (feed_file.as_uri(), "Lokal", ["a b", "b"])


def test_add_relative_path_is_stored_absolute(
    run: RunCli, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "feeds dir").mkdir()
    (tmp_path / "feeds dir" / "ä.xml").write_bytes(RSS)
    monkeypatch.chdir(tmp_path)
    assert run("feeds", "add", "feeds dir/ä.xml").exit_code == 0
    assert feed_urls(db_path) == [(tmp_path / "feeds dir" / "ä.xml").as_uri()]
    again = run("feeds", "add", str(tmp_path / "feeds dir" / "ä.xml"))
    assert again.exit_code == 1 and "already subscribed" in again.stderr


def test_add_file_url_is_stored_as_is(run: RunCli, db_path: Path, tmp_path: Path) -> None:
    feed_file = tmp_path / "feed.xml"
    feed_file.write_bytes(RSS)
    url = feed_file.as_uri()
    assert run("feeds", "add", url).exit_code == 0
    assert feed_urls(db_path) == [url]


def test_add_missing_local_file_is_one_line_error(run: RunCli, db_path: Path) -> None:
    result = run("feeds", "add", "/nonexistent/feed.xml")
    assert result.exit_code == 1
    assert result.stderr == "error: no such file: /nonexistent/feed.xml\n"
    assert feed_urls(db_path) == []


def test_add_web_address_without_scheme_gets_a_hint(run: RunCli, db_path: Path) -> None:
    result = run("feeds", "add", "www.tagesschau.de/xml/rss2")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no such file: www.tagesschau.de/xml/rss2 "
        "(for a web address, write https://www.tagesschau.de/xml/rss2)\n"
    )
    assert feed_urls(db_path) == []


def test_add_twice_is_one_line_error(run: RunCli, tmp_path: Path) -> None:
    feed_file = tmp_path / "feed.xml"
    feed_file.write_bytes(RSS)
    assert run("feeds", "add", str(feed_file)).exit_code == 0
    result = run("feeds", "add", str(feed_file))
    assert result.exit_code == 1
    assert result.stderr == f"error: already subscribed: {feed_file.as_uri()}\n"


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "javascript:alert(1)", "exec:ls"])
def test_add_unsupported_scheme(run: RunCli, url: str) -> None:
    result = run("feeds", "add", url)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unsupported URL")
    assert result.stderr.count("\n") == 1


def test_add_requires_a_url(run: RunCli) -> None:
    assert run("feeds", "add").exit_code == 2


# -- feeds add: discovery ---------------------------------------------------------------------
def test_add_feed_url_directly(run: RunCli, db_path: Path, page_server: PageServer) -> None:
    page_server.pages["/rss.xml"] = Page(RSS, content_type="application/rss+xml")
    url = page_server.url("/rss.xml")
    result = run("feeds", "add", url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"added feed 1: {url}\n"
    assert feed_urls(db_path) == [url]
    assert page_server.requested == ["/rss.xml"]


def test_add_feed_served_as_text_html_is_recognised(
    run: RunCli, db_path: Path, page_server: PageServer
) -> None:
    page_server.pages["/feed"] = Page(RSS, content_type="text/html")
    assert run("feeds", "add", page_server.url("/feed")).exit_code == 0
    assert feed_urls(db_path) == [page_server.url("/feed")]


def test_add_web_page_discovers_its_feed(
    run: RunCli, db_path: Path, page_server: PageServer
) -> None:
    page_server.pages["/news/"] = Page(
        page_with_links(
            '<link rel="stylesheet" href="/style.css">',
            '<link rel="alternate" type="text/html" hreflang="en" href="/en/">',
            '<link rel="Alternate" type="application/RSS+xml" title="Alle" href="feed.rss">',
            '<link rel="alternate" type="application/atom+xml" href="/comments.atom">',
        )
    )
    result = run("feeds", "add", page_server.url("/news/"), "--tag", "news")
    assert result.exit_code == 0, result.stderr
    feed_url = page_server.url("/news/feed.rss")
    assert result.stdout == (
        f"added feed 1: {feed_url}, found on {page_server.url('/news/')}\n"
    )
    assert feed_urls(db_path) == [feed_url]
    # Only the user's URL was fetched: no probing of the discovered feed or guessed paths.
    assert page_server.requested == ["/news/"]


@pytest.mark.parametrize(
    ("link_type", "expected_path"),
    [("application/atom+xml", "/atom"), ("application/feed+json", "/feed.json")],
)
def test_discovery_knows_atom_and_json_feed(
    run: RunCli, db_path: Path, page_server: PageServer, link_type: str, expected_path: str
) -> None:
    page_server.pages["/"] = Page(
        page_with_links(f'<link rel="alternate" type="{link_type}" href="{expected_path}">')
    )
    assert run("feeds", "add", page_server.url("/")).exit_code == 0
    assert feed_urls(db_path) == [page_server.url(expected_path)]


def test_discovery_follows_redirects_and_base_href(
    run: RunCli, db_path: Path, page_server: PageServer
) -> None:
    page_server.pages["/old"] = Page(status=301, location="/blog/")
    page_server.pages["/blog/"] = Page(
        page_with_links(
            '<link rel="alternate" type="application/rss+xml" href="rss">', base="/base/"
        )
    )
    assert run("feeds", "add", page_server.url("/old")).exit_code == 0
    assert feed_urls(db_path) == [page_server.url("/base/rss")]
    assert page_server.requested == ["/old", "/blog/"]


def test_discovery_ignores_dangerous_link_targets(
    run: RunCli, db_path: Path, page_server: PageServer
) -> None:
    page_server.pages["/"] = Page(
        page_with_links(
            '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">',
            '<link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">',
        )
    )
    result = run("feeds", "add", page_server.url("/"))
    assert result.exit_code == 1
    assert "no feed found" in result.stderr
    assert feed_urls(db_path) == []


def test_page_without_feed_is_one_line_error(
    run: RunCli, db_path: Path, page_server: PageServer
) -> None:
    page_server.pages["/plain"] = Page(page_with_links())
    result = run("feeds", "add", page_server.url("/plain"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: no feed found on {page_server.url('/plain')}")
    assert result.stderr.count("\n") == 1
    assert feed_urls(db_path) == []


def test_no_discover_adds_the_page_url_as_is(
    run: RunCli, db_path: Path, page_server: PageServer
) -> None:
    url = page_server.url("/plain")
    assert run("feeds", "add", "--no-discover", url).exit_code == 0
    assert feed_urls(db_path) == [url]
    assert page_server.requested == []


def test_http_error_is_one_line(run: RunCli, page_server: PageServer) -> None:
    result = run("feeds", "add", page_server.url("/missing"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {page_server.url('/missing')}: HTTP 404")
    assert result.stderr.count("\n") == 1


def test_unreachable_server_is_one_line(run: RunCli) -> None:
    # Nothing listens on the loopback discard port.
    result = run("feeds", "add", "http://127.0.0.1:9/feed")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot fetch http://127.0.0.1:9/feed")
    assert result.stderr.count("\n") == 1


def test_slow_server_times_out(run: RunCli, page_server: PageServer, tmp_path: Path) -> None:
    config = tmp_path / "fast.toml"
    config.write_text("[sync]\ntimeout = 0.3\n")
    page_server.pages["/slow"] = Page(RSS, delay=2.0)
    result = run("--config", str(config), "feeds", "add", page_server.url("/slow"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {page_server.url('/slow')}: timed out")
    assert result.stderr.count("\n") == 1


def test_neither_feed_nor_page(run: RunCli, page_server: PageServer) -> None:
    page_server.pages["/logo.png"] = Page(b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    result = run("feeds", "add", page_server.url("/logo.png"))
    assert result.exit_code == 1
    assert "neither a feed nor a web page (content type image/png)" in result.stderr


def test_discovered_feed_already_subscribed(
    run: RunCli, db_path: Path, page_server: PageServer
) -> None:
    page_server.pages["/"] = Page(
        page_with_links('<link rel="alternate" type="application/rss+xml" href="/rss">')
    )
    seed_articles(db_path, page_server.url("/rss"), [])
    result = run("feeds", "add", page_server.url("/"))
    assert result.exit_code == 1
    assert result.stderr == f"error: already subscribed: {page_server.url('/rss')}\n"


def test_already_subscribed_url_is_not_fetched(
    run: RunCli, db_path: Path, page_server: PageServer
) -> None:
    seed_articles(db_path, page_server.url("/rss"), [])
    assert run("feeds", "add", page_server.url("/rss")).exit_code == 1
    assert page_server.requested == []


def test_discovery_reads_a_bounded_amount(
    run: RunCli, db_path: Path, page_server: PageServer, tmp_path: Path
) -> None:
    config = tmp_path / "small.toml"
    config.write_text("[sync]\nmax_bytes = 2000\n")
    late_link = '<link rel="alternate" type="application/rss+xml" href="/late">'
    page_server.pages["/big"] = Page(
        b"<html><head>" + b"<meta name=x content=y>" * 200 + late_link.encode() + b"</head></html>"
    )
    result = run("--config", str(config), "feeds", "add", page_server.url("/big"))
    assert result.exit_code == 1
    assert "no feed found" in result.stderr


# -- feeds list -------------------------------------------------------------------------------
def entries(count: int, *, title: str = "Artikel") -> list[EntryData]:
    return [
        EntryData(entry_id=f"e{i}", title=f"{title} {i}", published=f"2024-10-2{i}T10:00:00+00:00",
                  text=f"Text {i}", content_hash=f"h{i}")
        for i in range(count)
    ]


def test_list_plain_aligns_columns_with_wide_characters(run: RunCli, db_path: Path) -> None:
    seed_articles(db_path, "https://a.example/rss", entries(3), title="東京ニュース", tags=["jp"])
    seed_articles(db_path, "https://b.example/rss", entries(1), title="Tagesschau")
    with Store(db_path) as store:
        store.update_feed(2, last_error="HTTP 500 Internal\x1b[31m Server Error")
        store.set_read([4], True)
    result = run("feeds", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "TITLE", "UNREAD/TOTAL", "TAGS", "URL", "LAST", "ERROR"]
    from rich.cells import cell_len

    # The URL column starts at the same terminal cell in every line.
    starts = [cell_len(line[: line.index("http")]) for line in lines[1:]]
    assert len(set(starts)) == 1
    assert "3/3" in lines[1] and "jp" in lines[1]
    assert "0/1" in lines[2]
    assert lines[2].endswith("HTTP 500 Internal Server Error")
    assert "\x1b" not in result.stdout


def test_list_json(run: RunCli, db_path: Path) -> None:
    seed_articles(db_path, "https://a.example/rss", entries(2), title="A\u202eB", tags=["x", "y"])
    result = run("feeds", "list", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == [{
        "id": 1, "title": "AB", "url": "https://a.example/rss", "site_url": None,
        "tags": ["x", "y"], "unread": 2, "total": 2, "last_checked": None, "last_error": None,
    }]


def test_list_empty(run: RunCli) -> None:
    assert run("feeds", "list", "--json").stdout.strip() == "[]"
    assert "no feeds yet" in run("feeds", "list").stdout


def test_list_titles_are_not_markup(run: RunCli, db_path: Path) -> None:
    seed_articles(db_path, "https://a.example/rss", [], title="[bold red]Nope[/] \x1b]0;t\x07")
    result = run("feeds", "list")
    assert "[bold red]Nope[/]" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


# -- feeds remove -----------------------------------------------------------------------------
def test_remove_by_id_deletes_articles(run: RunCli, db_path: Path) -> None:
    seed_articles(db_path, "https://a.example/rss", entries(2), title="A")
    seed_articles(db_path, "https://b.example/rss", entries(1), title="B")
    result = run("feeds", "remove", "1")
    assert result.exit_code == 0
    assert result.stdout == "removed feed 1: A (https://a.example/rss) and its 2 articles\n"
    with Store(db_path) as store:
        assert [f.url for f in store.list_feeds()] == ["https://b.example/rss"]
        assert store.count_articles() == 1


def test_remove_by_url(run: RunCli, db_path: Path) -> None:
    seed_articles(db_path, "https://a.example/rss", [])
    assert run("feeds", "remove", "https://a.example/rss").exit_code == 0
    assert feed_urls(db_path) == []


@pytest.mark.parametrize("ref", ["42", "https://nope.example/rss"])
def test_remove_unknown_is_one_line_error(run: RunCli, ref: str) -> None:
    result = run("feeds", "remove", ref)
    assert result.exit_code == 1
    assert result.stderr == f"error: no such feed: {ref}\n"


# -- import / export --------------------------------------------------------------------------
def feeds_by_url(db_path: Path) -> dict[str, tuple[str | None, list[str]]]:
    with Store(db_path) as store:
        return {f.url: (f.user_title, f.tags) for f in store.list_feeds()}


def test_import_nested_opml(run: RunCli, db_path: Path) -> None:
    result = run("import", str(OPML_DIR / "nested-folders.opml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "imported 6 feeds from OPML file, 0 already subscribed, 1 skipped\n"
    )
    assert result.stderr == (
        "warning: outline 'Böse': skipped unsupported URL javascript:alert(1)\n"
    )
    feeds = feeds_by_url(db_path)
    assert feeds["https://www.tagesschau.de/xml/rss2/"] == (
        "Tagesschau", ["Auch in Nachrichten", "Deutschland", "Nachrichten"]
    )
    assert feeds["https://taz.de/!p4608;rss/"] == (
        "taz.de", ["Berlin", "Deutschland", "Links/Tageszeitung", "Nachrichten"]
    )
    assert feeds["https://feeds.arstechnica.com/arstechnica/index"] == (
        'Ars "Technica"', ["Tech & Wissen"]
    )
    assert feeds["https://feeds.bbci.co.uk/news/rss.xml"] == ("BBC News", [])


def test_import_opml1_latin1(run: RunCli, db_path: Path) -> None:
    result = run("import", str(OPML_DIR / "opml1.opml"))
    assert result.exit_code == 0
    assert feeds_by_url(db_path) == {
        "http://news.com.com/2547-1_3-0-5.xml": ("CNET News.com", []),
        "http://www.scripting.com/rss.xml": ("Scripting News", []),
        "https://rss.sueddeutsche.de/rss/Topthemen": ("Süddeutsche", ["Zeitungen"]),
    }
    with Store(db_path) as store:
        assert store.get_feed(1).site_url == "http://news.com.com/"


def test_import_newsboat_urls(run: RunCli, db_path: Path) -> None:
    result = run("import", str(OPML_DIR / "newsboat-urls"))
    assert result.exit_code == 0
    assert result.stdout == (
        "imported 5 feeds from newsboat urls file, 0 already subscribed, 3 skipped\n"
    )
    warnings = result.stderr.splitlines()
    assert warnings == [
        "warning: line 8: query feed skipped (not supported)",
        "warning: line 9: exec: feed skipped (commands are never run)",
        "warning: line 10: filter: feed skipped (commands are never run)",
    ]
    assert feeds_by_url(db_path) == {
        "https://www.tagesschau.de/xml/rss2/": (
            "Tagesschau", ["deutschland", "doppelt", "nachrichten"]
        ),
        "https://taz.de/!p4608;rss/": ("die tageszeitung", ["links liberal", "nachrichten"]),
        "https://feeds.bbci.co.uk/news/rss.xml": (None, ["english"]),
        "https://www.heise.de/rss/heise-atom.xml": (None, ["tech"]),
        "https://example.org/with#fragment": ('Hash "quoted" title', ['tag with "quotes"']),
    }


def test_import_skips_already_subscribed(run: RunCli, db_path: Path) -> None:
    seed_articles(db_path, "https://feeds.bbci.co.uk/news/rss.xml", [], title="Mine")
    result = run("import", str(OPML_DIR / "newsboat-urls"))
    assert result.stdout.startswith(
        "imported 4 feeds from newsboat urls file, 1 already subscribed"
    )
    assert feeds_by_url(db_path)["https://feeds.bbci.co.uk/news/rss.xml"] == ("Mine", [])
    again = run("import", str(OPML_DIR / "newsboat-urls"))
    assert again.stdout.startswith("imported 0 feeds from newsboat urls file, 5 already subscribed")


def test_import_from_stdin(run: RunCli, db_path: Path) -> None:
    result = run("import", "-", input="https://x.example/feed tag\n")
    assert result.exit_code == 0
    assert feeds_by_url(db_path) == {"https://x.example/feed": (None, ["tag"])}


@pytest.mark.parametrize("name", ["billion-laughs.opml", "external-entity.opml"])
def test_import_refuses_unsafe_xml(run: RunCli, db_path: Path, name: str) -> None:
    result = run("import", str(OPML_DIR / name))
    assert result.exit_code == 1
    assert "refusing unsafe XML" in result.stderr
    assert result.stderr.count("\n") == 1
    assert feed_urls(db_path) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<opml><body><outline", "not valid XML"),
        (b"<html><body>no</body></html>", "not an OPML file (root element <html>)"),
        (b"<opml version='2.0'><head/></opml>", "OPML file has no <body>"),
    ],
)
def test_import_broken_files(run: RunCli, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "broken.opml"
    path.write_bytes(content)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_import_missing_file(run: RunCli) -> None:
    result = run("import", "/nonexistent.opml")
    assert (result.exit_code, result.stderr) == (1, "error: no such file: /nonexistent.opml\n")


def test_export_is_valid_opml2_with_tags(run: RunCli, db_path: Path) -> None:
    seed_articles(db_path, "https://a.example/rss?x=1&y=2", [], title='A & "B"', tags=["z", "k"])
    seed_articles(db_path, "https://b.example/rss", [])
    result = run("export")
    assert result.exit_code == 0
    from defusedxml.ElementTree import fromstring

    root = fromstring(result.stdout.encode())
    assert root.tag == "opml" and root.get("version") == "2.0"
    body = root.find("body")
    assert body is not None
    top = list(body)
    assert [o.get("text") for o in top] == ["https://b.example/rss", "k", "z"]
    assert top[0].get("xmlUrl") == "https://b.example/rss" and top[0].get("category") is None
    for folder in top[1:]:
        (feed,) = list(folder)
        assert feed.get("xmlUrl") == "https://a.example/rss?x=1&y=2"
        assert feed.get("title") == 'A & "B"'
        assert feed.get("category") == "k,z"


@pytest.mark.parametrize("fixture", ["nested-folders.opml", "opml1.opml", "newsboat-urls"])
def test_import_export_import_round_trip(
    run: RunCli, db_path: Path, tmp_path: Path, fixture: str
) -> None:
    assert run("import", str(OPML_DIR / fixture)).exit_code == 0
    first = feeds_by_url(db_path)
    exported = run("export").stdout
    other_db = tmp_path / "other.db"
    exported_file = tmp_path / "export.opml"
    exported_file.write_text(exported, encoding="utf-8")
    from tuireader.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(other_db), "import", str(exported_file)])
    assert exit_info.value.code == 0
    assert feeds_by_url(other_db) == first


def test_exported_feed_with_hostile_title_is_clean_xml(run: RunCli, db_path: Path) -> None:
    seed_articles(db_path, "https://a.example/rss", [], title="Evil\x1b]0;x\x07\ufffe\x0c title")
    exported = run("export").stdout
    assert re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", exported) is None
    assert 'title="Evil title"' in exported
