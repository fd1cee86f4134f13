"""The ``extract`` / ``reindex`` / ``actors`` commands through the real entry point."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.text.helpers import TAGESSCHAU, TAGESSCHAU_NAMES, entities_for, seed_text
from tuireader.store import Store
from tuireader.store.models import EntryData
from tuireader.text import ner
from tuireader.text.extract import EXTRACTION_VERSION, analyse

needs_model = pytest.mark.skipif(
    not ner.model_path("de").exists(), reason="the German NER model is not in assets/models yet"
)
needs_english_model = pytest.mark.skipif(
    not ner.model_path("en").exists(), reason="the English NER model is not in assets/models yet"
)

FRENCH = (
    "Le gouvernement a annoncé lundi l'envoi de 1.500 soldats et une aide de 2,5 milliards "
    "d'euros. Selon le ministère, les troupes sont arrivées le 21.10.2024 à 13:07."
)


def run(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    return subprocess.run(
        [sys.executable, "-m", "tuireader", *args],
        input=data,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def lines(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


def assert_offsets_slice(text: str, result: dict[str, Any]) -> None:
    for entity in result["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"]
        assert entity["label"] in {"PER", "ORG", "LOC", "MISC"}
    for figure in result["figures"]:
        assert text[figure["start"] : figure["end"]] == figure["text"]
        assert figure["kind"] in {"number", "money", "percent", "date", "time", "quantity"}
        assert isinstance(figure["value"], int | float | str)
    for actor in result["actors"]:
        assert set(actor) == {"name", "label", "role", "mentions", "quotes"}
        for start, end in actor["mentions"]:
            assert 0 <= start < end <= len(text)
        for quote in actor["quotes"]:
            assert text[quote["start"] : quote["end"]] == quote["text"]


def test_file_mode_prints_one_object_per_file_with_its_path_as_id(tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(FRENCH, encoding="utf-8")
    second.write_text("Il y avait 3,5 % de plus.", encoding="utf-8")
    result = run("extract", str(first), str(second))
    assert result.returncode == 0, result.stderr
    objects = lines(result)
    assert [o["id"] for o in objects] == [str(first), str(second)]
    assert set(objects[0]) == {"id", "lang", "entities", "figures", "actors"}
    assert objects[0]["lang"] == "fr"
    assert objects[0]["entities"] == [] and objects[0]["actors"] == []
    assert_offsets_slice(FRENCH, objects[0])
    values = {f["text"]: (f["kind"], f["value"]) for f in objects[0]["figures"]}
    assert values["1.500"] == ("number", 1500)
    assert values["21.10.2024"] == ("date", "2024-10-21")
    assert values["13:07"] == ("time", "13:07")
    assert objects[1]["figures"][0]["value"] == 3.5


def test_stdin_is_one_document_with_a_null_id() -> None:
    result = run("extract", stdin=FRENCH)
    assert result.returncode == 0, result.stderr
    [obj] = lines(result)
    assert obj["id"] is None
    assert_offsets_slice(FRENCH, obj)


def test_file_offsets_index_the_text_as_python_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"Ligne un.\r\nIl y avait 1.500 soldats le 21.10.2024.\r\n")
    [obj] = lines(run("extract", str(path)))
    text = path.read_text(encoding="utf-8")
    assert_offsets_slice(text, obj)
    assert [f["text"] for f in obj["figures"]] == ["1.500", "21.10.2024"]


def test_a_file_that_is_not_utf8_gets_an_error_object_and_exit_1(tmp_path: Path) -> None:
    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_bytes(b"Le \xff\xfe texte")
    good.write_text(FRENCH, encoding="utf-8")
    result = run("extract", str(bad), str(good))
    assert result.returncode == 1
    objects = lines(result)
    assert objects[0]["id"] == str(bad) and "UTF-8" in objects[0]["error"]
    assert objects[1]["id"] == str(good) and "figures" in objects[1]
    assert b"Traceback" not in result.stderr


def test_jsonl_mode_keeps_order_and_reports_bad_lines_in_place() -> None:
    stdin = "\n".join(
        [
            json.dumps({"id": 1, "text": FRENCH, "lang": "fr"}),
            "{not json",
            "",
            json.dumps({"id": "zwei", "lang": "fr"}),
            json.dumps([1, 2]),
            json.dumps({"id": 3, "text": "Il y avait 1.500 soldats.", "lang": "fr-FR"}),
        ]
    )
    result = run("extract", "--jsonl", stdin=stdin)
    assert result.returncode == 0, result.stderr
    objects = lines(result)
    assert [o["id"] for o in objects] == [1, None, "zwei", None, 3]
    assert "error" in objects[1] and "JSON" in objects[1]["error"]
    assert "text" in objects[2]["error"]
    assert "object" in objects[3]["error"]
    assert objects[4]["lang"] == "fr"
    assert objects[4]["figures"][0]["value"] == 1500
    assert_offsets_slice(FRENCH, objects[0])
    assert b"Traceback" not in result.stderr


def test_jsonl_mode_streams_one_answer_per_line_as_it_arrives() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tuireader", "extract", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        for n in range(3):
            text = f"Il y avait {n + 1}.500 soldats le {n + 10}.10.2024."
            process.stdin.write((json.dumps({"id": n, "text": text}) + "\n").encode())
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], 120)
            assert ready, "no answer within 120 s: the line was not streamed"
            answer = json.loads(process.stdout.readline())
            assert answer["id"] == n
            assert answer["figures"][0]["value"] == (n + 1) * 1000 + 500
            assert_offsets_slice(text, answer)
    finally:
        process.stdin.close()
        process.wait(timeout=60)
        process.stdout.close()
        if process.stderr is not None:
            process.stderr.close()
    assert process.returncode == 0


def test_jsonl_reference_date_resolves_relative_dates() -> None:
    line = {"id": 1, "text": "Ils sont arrivés le 21.10.", "lang": "fr", "published": "2024-11-02"}
    [obj] = lines(run("extract", "--jsonl", stdin=json.dumps(line)))
    assert obj["figures"][0]["value"] == "2024-10-21"


@pytest.mark.parametrize(
    "args",
    [
        ["extract", "--lang", "xx"],
        ["extract", "--jsonl", "somefile.txt"],
        ["extract", "--date", "not-a-date"],
        ["extract", "/no/such/file.txt"],
        ["actors", "--limit", "0"],
    ],
)
def test_usage_errors_exit_2_without_traceback(args: list[str]) -> None:
    result = run(*args, stdin="")
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr


def _add_articles(db: Path, texts: list[tuple[str, str | None]]) -> list[int]:
    with Store(db) as store:
        feed = store.add_feed("https://example.org/feed.xml", title="Example")
        entries = [
            EntryData(
                entry_id=f"e{n}",
                title=f"Article {n}",
                text=text,
                language=language,
                published="2024-10-21T13:07:00+02:00",
                content_hash=f"h{n}",
            )
            for n, (text, language) in enumerate(texts)
        ]
        return store.write_entries(feed.id, entries).new_ids


def test_reindex_extracts_what_is_missing_then_everything_with_all(db_path: Path) -> None:
    ids = _add_articles(db_path, [(FRENCH, "fr"), ("Il y avait 3,5 % de plus.", "fr-FR")])
    result = run("--db", str(db_path), "reindex")
    assert result.returncode == 0, result.stderr
    assert "reindexed 2 articles" in result.stdout.decode()
    assert result.stderr.decode() == "extracting 2 articles\n"  # no bar when not a terminal
    with Store(db_path) as store:
        assert store.articles_needing_extraction(EXTRACTION_VERSION) == []
        figures = [(m.text, m.label, m.value) for m in store.mentions(ids[0])]
        assert ("1.500", "number", "1500") in figures
        assert ("21.10.2024", "date", "2024-10-21") in figures
    again = run("--db", str(db_path), "reindex")
    assert again.returncode == 0 and "nothing to reindex" in again.stdout.decode()
    everything = run("--db", str(db_path), "reindex", "--all")
    assert "reindexed 2 articles" in everything.stdout.decode()
    with Store(db_path) as store:  # replaced, not duplicated
        assert len([m for m in store.mentions(ids[0]) if m.text == "1.500"]) == 1


def test_actors_lists_the_most_named_actors_as_json_and_text(db_path: Path) -> None:
    text = seed_text(TAGESSCHAU)
    ids = _add_articles(db_path, [(text, "de"), (text, "de")])
    with Store(db_path) as store:
        for article_id in ids:
            extraction = analyse(text, "de", entities_for(text, TAGESSCHAU_NAMES))
            store.save_extraction(article_id, extraction, EXTRACTION_VERSION)
    result = run("--db", str(db_path), "actors", "--json", "--limit", "3")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows] == ["Russland", "Ukraine", "Südkorea"]
    assert rows[0] == {
        "id": rows[0]["id"],
        "name": "Russland",
        "label": "LOC",
        "articles": 2,
        "mentions": 24,
    }
    persons = json.loads(run("--db", str(db_path), "actors", "--json", "--label", "PER").stdout)
    assert {p["name"] for p in persons} == {
        "Kim Hong Kyun",
        "Mark Rutte",
        "Yoon Suk Yeol",
        "Georgy Sinowjew",
    }
    table = run("--db", str(db_path), "actors", "--limit", "2").stdout.decode()
    assert "Russland" in table and "Ukraine" in table and "Südkorea" not in table


def test_actors_on_an_empty_cache_says_so(db_path: Path) -> None:
    result = run("--db", str(db_path), "actors")
    assert result.returncode == 0
    assert "no actors yet" in result.stdout.decode()
    assert json.loads(run("--db", str(db_path), "actors", "--json").stdout) == []


@needs_model
def test_seed_through_the_cli_in_both_modes() -> None:
    text = seed_text(TAGESSCHAU)
    [from_file] = lines(run("extract", "--lang", "de", str(TAGESSCHAU)))
    assert from_file["id"] == str(TAGESSCHAU)
    assert from_file["lang"] == "de"
    assert_offsets_slice(text, from_file)
    persons = {a["name"]: a["role"] for a in from_file["actors"] if a["label"] == "PER"}
    assert persons["Kim Hong Kyun"] == "Außenminister"
    stdin = "\n".join(
        json.dumps({"id": n, "text": text if n % 2 == 0 else FRENCH}) for n in range(4)
    )
    objects = lines(run("extract", "--jsonl", stdin=stdin))
    assert [o["id"] for o in objects] == [0, 1, 2, 3]
    assert [o["lang"] for o in objects] == ["de", "fr", "de", "fr"]
    assert objects[0]["actors"] == from_file["actors"] == objects[2]["actors"]
    assert objects[0]["figures"] == from_file["figures"]


@needs_english_model
def test_english_through_the_cli() -> None:
    english = "NATO chief Mark Rutte said on Monday that 1,500 North Korean soldiers had arrived."
    [obj] = lines(run("extract", "--jsonl", stdin=json.dumps({"id": "en", "text": english})))
    assert obj["lang"] == "en"
    assert_offsets_slice(english, obj)
    persons = [a for a in obj["actors"] if a["label"] == "PER"]
    assert [(p["name"], p["role"]) for p in persons] == [("Mark Rutte", "NATO chief")]


@needs_model
def test_reindex_with_the_model_stores_actors(db_path: Path) -> None:
    ids = _add_articles(db_path, [(seed_text(TAGESSCHAU), "de-DE")])
    assert run("--db", str(db_path), "reindex").returncode == 0
    with Store(db_path) as store:
        actors = {a.name: a for a in store.article_actors(ids[0])}
        assert actors["Kim Hong Kyun"].role == "Außenminister"
        assert actors["Kim Hong Kyun"].quotes
        assert any(m.kind == "entity" and m.actor_id for m in store.mentions(ids[0]))
        dates = [m.value for m in store.mentions(ids[0]) if m.label == "date"]
        assert "2024-10-18" in dates  # "am Freitag" before the published Monday


def test_jsonl_lone_surrogates_come_back_as_valid_json() -> None:
    line = '{"id": 7, "text": "Il y avait 1.500 soldats \\ud800 le 3.11.2024."}'
    result = run("extract", "--jsonl", stdin=line)
    assert result.returncode == 0, result.stderr
    [obj] = lines(result)
    text = json.loads(line)["text"]
    assert obj["id"] == 7
    assert_offsets_slice(text, obj)


def test_output_lines_survive_unicode_line_separators() -> None:
    text = "Il y avait 1.500 soldats\u2028le 3.11.2024\x85et\u2029plus."
    result = run("extract", "--jsonl", stdin=json.dumps({"id": 1, "text": text}))
    decoded = result.stdout.decode("utf-8")
    assert len(decoded.splitlines()) == 1
    [obj] = lines(result)
    assert_offsets_slice(text, obj)
    assert [f["text"] for f in obj["figures"]] == ["1.500", "3.11.2024"]


def test_jsonl_tolerates_a_byte_order_mark_and_crlf_lines() -> None:
    stdin = (
        "\ufeff"
        + json.dumps({"id": 1, "text": FRENCH})
        + "\r\n"
        + json.dumps({"id": 2, "text": "x"})
    )
    objects = lines(run("extract", "--jsonl", stdin=stdin))
    assert [o["id"] for o in objects] == [1, 2]
    assert "error" not in objects[0]
