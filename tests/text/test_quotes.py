"""Quotes: finding quoted spans and attributing them to speakers."""

from __future__ import annotations

import pytest

from tests.text.helpers import TAGESSCHAU, TAGESSCHAU_NAMES, TAZ, TAZ_NAMES, entities_for, seed_text
from tuireader.text.actors import Actor, build_actors, clean_entities
from tuireader.text.quotes import attribute_quotes, find_quotes, sentence_bounds


def quotes_by_speaker(
    text: str, names: list[tuple[str, str]], lang: str = "de"
) -> dict[str, list[str]]:
    mentions, roles = clean_entities(text, entities_for(text, names), lang)
    actors: list[Actor] = build_actors(text, mentions, lang, roles)
    attribute_quotes(text, actors, lang)
    out: dict[str, list[str]] = {}
    for actor in actors:
        for quote in actor.quotes:
            assert text[int(quote["start"]) : int(quote["end"])] == quote["text"]  # type: ignore[call-overload]
            out.setdefault(actor.name, []).append(str(quote["text"]))
    return out


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Er sagte „Wir kommen“ und ging.", "Wir kommen"),
        ("Er sagte “We will come” and left.", "We will come"),
        ("Er sagte »Wir kommen« und ging.", "Wir kommen"),
        ("Il a dit « Nous venons » hier.", "Nous venons"),
        ('Er sagte "Wir kommen" und ging.', "Wir kommen"),
        ("He said 'we will come back' and left.", "we will come back"),
        ("He said ‘we will come back’ and left.", "we will come back"),
        ("Er sagte ‚wir kommen‘ und ging.", "wir kommen"),
    ],
)
def test_quote_styles(text: str, quoted: str) -> None:
    quotes = find_quotes(text)
    assert [q.text for q in quotes] == [quoted]
    assert text[quotes[0].start : quotes[0].end] == quoted


@pytest.mark.parametrize(
    "text",
    [
        "Scholz' Rede und Merkels Buch, it's John's car, don't go.",
        "Das ist der 'beste' Weg.",  # a single word in straight single quotes: not clearly a quote
        "Rock 'n' roll never dies",
        "Er sagte „ohne Ende\n\nund weiter“ nichts.",  # never across paragraphs
    ],
)
def test_apostrophes_and_non_quotes_are_not_quotes(text: str) -> None:
    assert find_quotes(text) == []


def test_nested_quotes_belong_to_the_outer_quote() -> None:
    text = "Er sagte: „Sie nannten es ‚einen großen Erfolg‘, aber das stimmt nicht.“"
    assert [q.text for q in find_quotes(text)] == [
        "Sie nannten es ‚einen großen Erfolg‘, aber das stimmt nicht."
    ]


def test_sentences_do_not_break_inside_quotes_or_after_day_numbers() -> None:
    text = (
        'Am 21. Oktober sagte er: "Es ist spät. Wir gehen." Dann ging er. Er kam 2.000 Mio. später.'
    )
    quotes = find_quotes(text)
    bounds = sentence_bounds(text, [(q.outer_start, q.outer_end) for q in quotes])
    sentences = [text[s:e].strip() for s, e in bounds]
    assert sentences == [
        'Am 21. Oktober sagte er: "Es ist spät. Wir gehen."',
        "Dann ging er.",
        "Er kam 2.000 Mio. später.",
    ]


def test_tagesschau_quotes_are_attributed() -> None:
    text = seed_text(TAGESSCHAU)
    quotes = quotes_by_speaker(text, TAGESSCHAU_NAMES)
    kim = quotes.pop("Kim Hong Kyun")
    assert (
        kim[0]
        == "ernste Besorgnis über die jüngste Entsendung nordkoreanischer Truppen nach Russland"
    )
    assert kim[1] == "sofortigen Abzug"
    assert kim[2].startswith("eine ernstzunehmende Sicherheitsbedrohung")  # sagte Kim ..., dass
    assert kim[3].startswith("solche Handlungen")  # Er habe zudem betont, dass "..."
    assert kim[4].startswith("Wir werden gemeinsam")  # "...", so Kim weiter
    assert len(kim) == 5
    assert quotes.pop("Georgy Sinowjew") == [
        "nicht gegen die Sicherheitsinteressen Südkoreas gerichtet"
    ]
    assert quotes.pop("Mark Rutte") == ["würde eine erhebliche Eskalation bedeuten"]  # schrieb er
    assert quotes.pop("Yonhap")[0].startswith("vier Brigaden mit 12.000 Soldaten")
    assert quotes.pop("Yoon Suk Yeol") == ["rücksichtslose"]  # hieß es aus Yoons Büro
    assert quotes == {}  # the headline "Ernstzunehmende Bedrohung" has no speaker


def test_taz_quotes_are_attributed() -> None:
    text = seed_text(TAZ)
    quotes = quotes_by_speaker(text, TAZ_NAMES)
    assert set(quotes) == {"Yoon Suk Yeol", "Lin Jian"}
    assert quotes["Yoon Suk Yeol"][0].startswith("Russlands Einmarsch in der Ukraine")
    assert quotes["Lin Jian"][0].startswith("China hat in der Ukraine-Krise")


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('"We will respond," said Antony Blinken on Monday.', "Antony Blinken"),
        ('"We will respond," Antony Blinken said.', "Antony Blinken"),
        ('Antony Blinken said: "We will respond."', "Antony Blinken"),
        ('According to Antony Blinken, "we will respond".', "Antony Blinken"),
        ('Antony Blinken spoke. "We will respond," he said.', "Antony Blinken"),
        ('Antony Blinken spoke. He stressed that "we will respond".', "Antony Blinken"),
        ("„Wir reagieren“, sagte Antony Blinken.", "Antony Blinken"),
        ("Antony Blinken sagte: „Wir reagieren.“", "Antony Blinken"),
        ("Laut Antony Blinken „reagieren wir“.", "Antony Blinken"),
        ("„Wir reagieren“, erklärte Antony Blinken.", "Antony Blinken"),
        ("„Wir reagieren“, teilte Antony Blinken mit.", "Antony Blinken"),
        ("„Wir reagieren“, betonte Antony Blinken.", "Antony Blinken"),
    ],
)
def test_speech_patterns(text: str, speaker: str) -> None:
    lang = "de" if "„" in text else "en"
    assert list(quotes_by_speaker(text, [(speaker, "PER")], lang)) == [speaker]


def test_the_nearest_speech_verb_wins_over_the_sentence_subject() -> None:
    text = "Antony Blinken traf Mark Rutte. „Wir reagieren“, sagte Rutte."
    quotes = quotes_by_speaker(
        text, [("Antony Blinken", "PER"), ("Mark Rutte", "PER"), ("Rutte", "PER")]
    )
    assert quotes == {"Mark Rutte": ["Wir reagieren"]}


def test_names_inside_the_quote_are_not_speakers() -> None:
    text = "„Mark Rutte hat recht“, sagte sie."
    assert quotes_by_speaker(text, [("Mark Rutte", "PER")]) == {}


def test_unattributable_quotes_are_left_out() -> None:
    text = '"Ernstzunehmende Bedrohung"\n\nDas Wetter war "schön".'
    assert quotes_by_speaker(text, [("Mark Rutte", "PER")]) == {}


@pytest.mark.parametrize(
    "text",
    [
        "Außenminister Kim Hong Kyun protestierte. „Das ist inakzeptabel“, sagte der Minister.",
        "Außenminister Kim Hong Kyun protestierte. „Das ist inakzeptabel“, sagte der "
        "südkoreanische Außenminister.",
        "Außenminister Kim Hong Kyun protestierte. Der Außenminister betonte: „Das ist "
        "inakzeptabel.“",
    ],
)
def test_a_title_in_place_of_the_name_finds_the_person_with_that_role(text: str) -> None:
    quotes = quotes_by_speaker(text, [("Kim Hong Kyun", "PER")])
    assert list(quotes) == ["Kim Hong Kyun"]


def test_a_title_two_people_share_is_left_alone() -> None:
    text = (
        "Präsident Yoon Suk Yeol und Präsident Joe Biden telefonierten. "
        "„Das ist gut“, sagte der Präsident."
    )
    assert quotes_by_speaker(text, [("Yoon Suk Yeol", "PER"), ("Joe Biden", "PER")]) == {}


def test_a_trailing_comma_inside_the_quote_marks_is_not_part_of_the_quote() -> None:
    text = '"We will respond," Antony Blinken said.'
    assert quotes_by_speaker(text, [("Antony Blinken", "PER")], "en") == {
        "Antony Blinken": ["We will respond"]
    }
