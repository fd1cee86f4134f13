"""``tuireader articles``, ``show`` and ``mark`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.cli.conftest import RunCli, seed_articles
from tests.plugins.store import FIXTURES
from tuireader.store import EntryData, Store

TAZ = (FIXTURES / "seeds" / "taz-2024-10-nordkorea-soldaten.txt").read_text(encoding="utf-8")


def entry(n: int, title: str, *, day: int, text: str = "", **extra: str) -> EntryData:
    return EntryData(
        entry_id=f"id-{n}", title=title, url=f"https://news.example/{n}",
        published=f"2024-10-{day:02d}T08:30:00+00:00", text=text or f"Text {n}",
        content_hash=f"hash-{n}", **extra,
    )


@pytest.fixture
def seeded(db_path: Path) -> dict[str, list[int]]:
    """Two feeds: a German one with three articles and a Japanese one with one."""
    german = seed_articles(
        db_path, "https://taz.example/rss",
        [
            entry(1, "Nordkorea schickt Soldaten", day=21, text=TAZ, author="Fabian Kretschmer"),
            entry(2, "Rutte spricht von Eskalation", day=22),
            entry(3, "Ältere Meldung", day=1),
        ],
        title="taz", tags=["de"],
    )
    japanese = seed_articles(
        db_path, "https://jp.example/rss", [entry(4, "北朝鮮がロシアに派兵", day=20)],
        title="東京新聞",
    )
    return {"taz": german, "jp": japanese}


def test_articles_json_newest_first(run: RunCli, seeded: dict[str, list[int]]) -> None:
    result = run("articles", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [a["title"] for a in data] == [
        "Rutte spricht von Eskalation", "Nordkorea schickt Soldaten", "北朝鮮がロシアに派兵",
        "Ältere Meldung",
    ]
    assert data[1] == {
        "id": seeded["taz"][0], "feed_id": 1, "feed_title": "taz",
        "title": "Nordkorea schickt Soldaten", "url": "https://news.example/1",
        "author": "Fabian Kretschmer", "published": "2024-10-21T08:30:00+00:00",
        "read": False, "starred": False,
    }


def test_articles_plain_columns_align_by_cell_width(
    run: RunCli, seeded: dict[str, list[int]]
) -> None:
    result = run("articles")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    titles = ["Rutte", "Nordkorea", "北朝鮮", "Ältere"]
    starts = {
        cell_len(line[: line.index(title)]) for line, title in zip(lines, titles, strict=True)
    }
    assert len(starts) == 1
    assert lines[2].startswith(f"{seeded['jp'][0]}  N   2024-10-20 08:30  東京新聞")


def test_articles_filters(run: RunCli, db_path: Path, seeded: dict[str, list[int]]) -> None:
    first, second, _third = seeded["taz"]
    with Store(db_path) as store:
        store.set_read([second], True)
        store.set_starred([first], True)

    def ids(*args: str) -> list[int]:
        result = run("articles", "--json", *args)
        assert result.exit_code == 0, result.stderr
        return [a["id"] for a in json.loads(result.stdout)]

    assert second not in ids("--unread")
    assert ids("--starred") == [first]
    assert ids("--feed", "2") == seeded["jp"]
    assert ids("--feed", "https://jp.example/rss") == seeded["jp"]
    assert ids("--tag", "de") == [second, first, seeded["taz"][2]]
    assert ids("--search", "Pjöngjang") == [first]
    assert ids("--search", '"Rutte" * (') == [second, first]  # FTS syntax is inert
    assert ids("--limit", "2") == [second, first]


def test_articles_unknown_feed(run: RunCli, seeded: dict[str, list[int]]) -> None:
    result = run("articles", "--feed", "99")
    assert (result.exit_code, result.stderr) == (1, "error: no such feed: 99\n")


def test_articles_limit_must_be_positive(run: RunCli) -> None:
    assert run("articles", "--limit", "0").exit_code == 2


def test_articles_sanitise_hostile_titles(run: RunCli, db_path: Path) -> None:
    seed_articles(
        db_path, "https://evil.example/rss",
        [entry(1, "[bold]Boo[/bold]\x1b]0;pwned\x07\n\u202eTitel", day=2,
               author="\x1b[31mAuthor")],
        title="Evil\x9b2J feed",
    )
    plain = run("articles").stdout
    assert "[bold]Boo[/bold] Titel" in plain
    assert "Evil feed" in plain
    for forbidden in ("\x1b", "\x07", "\x9b", "\u202e", "pwned"):
        assert forbidden not in plain
    data = json.loads(run("articles", "--json").stdout)
    assert data[0]["title"] == "[bold]Boo[/bold]\nTitel"
    assert data[0]["author"] == "Author"
    assert data[0]["feed_title"] == "Evil feed"


def test_show_prints_header_and_text(run: RunCli, seeded: dict[str, list[int]]) -> None:
    result = run("show", str(seeded["taz"][0]))
    assert result.exit_code == 0
    header, _, body = result.stdout.partition("\n\n")
    assert header.splitlines() == [
        "Nordkorea schickt Soldaten",
        "Feed: taz",
        "Author: Fabian Kretschmer",
        "Date: 2024-10-21 08:30",
        "Link: https://news.example/1",
    ]
    assert body.rstrip("\n") == TAZ.rstrip("\n")


def test_show_falls_back_to_html_when_no_text(run: RunCli, db_path: Path) -> None:
    (article_id,) = seed_articles(
        db_path, "https://x.example/rss",
        [EntryData(entry_id="a", title="Nur HTML", content_html="<p>Eins</p><p>Zwei</p>",
                   content_hash="h")],
    )
    result = run("show", str(article_id))
    assert result.stdout.endswith("\n\nEins\n\nZwei\n")
    assert "Author:" not in result.stdout and "Link:" not in result.stdout


def test_show_strips_controls_from_stored_text(run: RunCli, db_path: Path) -> None:
    (article_id,) = seed_articles(
        db_path, "https://x.example/rss",
        [entry(1, "T", day=3, text="Absatz\x1b]52;c;Zm9v\x07 eins\n\n[red]zwei[/red]")],
    )
    out = run("show", str(article_id)).stdout
    assert out.endswith("\n\nAbsatz eins\n\n[red]zwei[/red]\n")


@pytest.mark.parametrize("ref", ["999", "-1"])
def test_show_unknown_article(run: RunCli, seeded: dict[str, list[int]], ref: str) -> None:
    result = run("show", "--", ref)
    assert result.exit_code == 1
    assert result.stderr == f"error: no such article: {ref}\n"


def test_show_needs_a_number(run: RunCli) -> None:
    assert run("show", "abc").exit_code == 2


def flags(db_path: Path, article_id: int) -> tuple[bool, bool]:
    with Store(db_path) as store:
        article = store.get_article(article_id)
        assert article is not None
        return article.read, article.starred


def test_mark_read_unread_star_unstar(
    run: RunCli, db_path: Path, seeded: dict[str, list[int]]
) -> None:
    first, second, third = seeded["taz"]
    result = run("mark", str(first), str(second), str(first), "--read")
    assert (result.exit_code, result.stdout) == (0, "marked 2 articles read\n")
    assert [flags(db_path, i) for i in (first, second, third)] == [
        (True, False), (True, False), (False, False)
    ]
    assert run("mark", str(second), "--unread").stdout == "marked 1 article unread\n"
    assert run("mark", str(third), "--star").stdout == "marked 1 article starred\n"
    assert [flags(db_path, i) for i in (first, second, third)] == [
        (True, False), (False, False), (False, True)
    ]
    assert run("mark", str(third), "--unstar").exit_code == 0
    assert flags(db_path, third) == (False, False)


@pytest.mark.parametrize("options", [[], ["--read", "--star"], ["--read", "--unread"]])
def test_mark_needs_exactly_one_action(
    run: RunCli, db_path: Path, seeded: dict[str, list[int]], options: list[str]
) -> None:
    first = seeded["taz"][0]
    result = run("mark", str(first), *options)
    assert result.exit_code == 2
    assert "exactly one of --read, --unread, --star, --unstar" in result.stderr
    assert flags(db_path, first) == (False, False)


def test_mark_needs_ids(run: RunCli) -> None:
    assert run("mark", "--read").exit_code == 2


def test_mark_unknown_id_changes_nothing(
    run: RunCli, db_path: Path, seeded: dict[str, list[int]]
) -> None:
    first = seeded["taz"][0]
    result = run("mark", str(first), "4242", "--read")
    assert result.exit_code == 1
    assert result.stderr == "error: no such article: 4242 (nothing was changed)\n"
    assert flags(db_path, first) == (False, False)
