"""Actors: linking name forms within an article, roles from titles, places and organisations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.text.helpers import TAGESSCHAU, TAGESSCHAU_NAMES, TAZ, TAZ_NAMES, entities_for, seed_text
from tuireader.text.actors import (
    Actor,
    build_actors,
    clean_entities,
    generic_institution,
    title_role,
)
from tuireader.text.ner import Entity


def actors_of(text: str, names: list[tuple[str, str]], lang: str = "de") -> list[Actor]:
    mentions, roles = clean_entities(text, entities_for(text, names), lang)
    return build_actors(text, mentions, lang, roles)


def by_name(actors: list[Actor]) -> dict[str, Actor]:
    return {actor.name: actor for actor in actors}


def test_short_forms_link_to_the_full_name_before_them() -> None:
    text = (
        "NATO-Generalsekretär Mark Rutte warnte. Rutte sagte, Putins Krieg sei gefährlich. "
        "Putin schwieg. Südkoreas Präsident Yoon Suk Yeol telefonierte, hieß es aus Yoons Büro."
    )
    actors = by_name(
        actors_of(
            text,
            [("Mark Rutte", "PER"), ("Rutte", "PER"), ("Putins", "PER"), ("Putin", "PER"),
             ("Yoon Suk Yeol", "PER"), ("Yoons", "PER")],
        )
    )  # fmt: skip
    assert set(actors) == {"Mark Rutte", "Putin", "Yoon Suk Yeol"}
    assert len(actors["Mark Rutte"].mentions) == 2
    assert len(actors["Putin"].mentions) == 2
    assert len(actors["Yoon Suk Yeol"].mentions) == 2


def test_a_lone_genitive_before_a_noun_is_folded_to_the_name() -> None:
    text = "Machthaber Kim Jong Un schickt Soldaten für Putins Angriffskrieg."
    actors = by_name(actors_of(text, [("Kim Jong Un", "PER"), ("Putins", "PER")]))
    assert set(actors) == {"Kim Jong Un", "Putin"}
    start, end = actors["Putin"].mentions[0]
    assert text[start:end] == "Putins"


def test_names_ending_in_s_are_not_cut_without_evidence() -> None:
    text = "Der Sänger Klaus sang. Danach sprach Markus."
    actors = by_name(actors_of(text, [("Klaus", "PER"), ("Markus", "PER")]))
    assert set(actors) == {"Klaus", "Markus"}


def test_two_different_kims_are_never_merged() -> None:
    text = (
        "Außenminister Kim Hong Kyun bestellte den Botschafter ein. Kim sagte, Machthaber "
        "Kim Jong Un schicke Soldaten. Kim Jong Un schweigt. Später sagte Kim, es reiche."
    )
    actors = actors_of(text, [("Kim Hong Kyun", "PER"), ("Kim Jong Un", "PER"), ("Kim", "PER")])
    named = by_name(actors)
    assert set(named) == {"Kim Hong Kyun", "Kim Jong Un"}
    hong = [text[s:e] for s, e in named["Kim Hong Kyun"].mentions]
    jong = [text[s:e] for s, e in named["Kim Jong Un"].mentions]
    assert hong == ["Kim Hong Kyun", "Kim"]  # the first "Kim": only Kim Hong Kyun came before
    assert jong == ["Kim Jong Un", "Kim Jong Un", "Kim"]  # the last: Kim Jong Un is most recent
    assert named["Kim Hong Kyun"].role == "Außenminister"
    assert named["Kim Jong Un"].role == "Machthaber"


def test_an_ambiguous_short_form_with_no_name_before_it_stays_alone() -> None:
    text = "Kim reiste ab. Kim Hong Kyun und Kim Jong Un trafen sich nicht."
    named = by_name(
        actors_of(text, [("Kim Hong Kyun", "PER"), ("Kim Jong Un", "PER"), ("Kim", "PER")])
    )
    assert set(named) == {"Kim", "Kim Hong Kyun", "Kim Jong Un"}
    assert len(named["Kim"].mentions) == 1


def test_a_short_form_before_the_only_full_name_links_to_it() -> None:
    text = "Rutte warnt vor Eskalation\n\nNATO-Generalsekretär Mark Rutte warnte Nordkorea."
    named = by_name(
        actors_of(text, [("Mark Rutte", "PER"), ("Rutte", "PER"), ("Nordkorea", "LOC")])
    )
    assert len(named["Mark Rutte"].mentions) == 2
    assert named["Mark Rutte"].role == "NATO-Generalsekretär"


@pytest.mark.parametrize(
    ("lang", "text", "name", "role"),
    [
        ("de", "Dann sagte Außenminister Kim Hong Kyun etwas.", "Kim Hong Kyun", "Außenminister"),
        ("de", "Es warnte NATO-Generalsekretär Mark Rutte.", "Mark Rutte", "NATO-Generalsekretär"),
        ("de", "Insgesamt soll Machthaber Kim Jong Un Soldaten schicken.", "Kim Jong Un",
         "Machthaber"),
        ("de", "US-Verteidigungsminister Lloyd Austin ist in Kyjiw.", "Lloyd Austin",
         "US-Verteidigungsminister"),
        ("de", "Yoon hat mit Nato-Chef Mark Rutte telefoniert.", "Mark Rutte", "Nato-Chef"),
        ("de", "Südkoreas Präsident Yoon Suk Yeol hat sich geäußert.", "Yoon Suk Yeol",
         "Präsident"),
        ("de", "mit dem südkoreanischen Präsidenten Yoon Suk Yeol telefoniert", "Yoon Suk Yeol",
         "Präsident"),
        ("de", "mit dem südkoreanischen Präsidentn Yoon Suk Yeol telefoniert", "Yoon Suk Yeol",
         "Präsident"),
        ("de", "Als Außenamtssprecher Lin Jian gefragt wird", "Lin Jian", "Außenamtssprecher"),
        ("de", "erklärte, Botschafter Georgy Sinowjew habe versichert", "Georgy Sinowjew",
         "Botschafter"),
        ("de", "Das sagte Bundeskanzlerin Angela Merkel.", "Angela Merkel", "Bundeskanzlerin"),
        ("de", "Das sagte Frau Dr. Anna Weber.", "Anna Weber", None),
        ("de", "Das sagte Mark Rutte, der Generalsekretär der Nato.", "Mark Rutte",
         "Generalsekretär"),
        ("de", "Das sagte der Mann von Anna Weber gestern.", "Anna Weber", None),
        ("en", "Secretary of State Antony Blinken said.", "Antony Blinken", "Secretary of State"),
        ("en", "Then President Joe Biden spoke.", "Joe Biden", "President"),
        ("en", "NATO chief Mark Rutte warned.", "Mark Rutte", "NATO chief"),
        ("en", "Defense Secretary Lloyd Austin arrived.", "Lloyd Austin", "Defense Secretary"),
        ("en", "South Korean President Yoon Suk Yeol said.", "Yoon Suk Yeol", "President"),
        ("en", "Prime Minister Keir Starmer said.", "Keir Starmer", "Prime Minister"),
        ("en", "It was Mr. John Smith who came.", "John Smith", None),
        ("en", "Yesterday John Smith came.", "John Smith", None),
        ("de", "sagte der SPD-Politiker Lars Klingbeil", "Lars Klingbeil", "SPD-Politiker"),
        ("de", "sagte Militärexperte Carlo Masala", "Carlo Masala", "Militärexperte"),
        ("en", "said US official John Kirby", "John Kirby", "US official"),
        ("en", "said spokesman John Kirby", "John Kirby", "spokesman"),
        ("de", "Der Sprecher des Kremls, Dmitri Peskow, sagte", "Dmitri Peskow",
         "Sprecher des Kremls"),
        ("en", "The head of the IAEA, Rafael Grossi, said", "Rafael Grossi", "head of the IAEA"),
        ("de", "Die Lage in der Ukraine, Mark Rutte zufolge, ist ernst", "Mark Rutte", None),
    ],
)  # fmt: skip
def test_roles_come_from_the_title_before_the_name(
    lang: str, text: str, name: str, role: str | None
) -> None:
    actors = by_name(actors_of(text, [(name, "PER")], lang))
    assert actors[name].role == role


def test_a_title_inside_the_person_span_becomes_the_role() -> None:
    text = "Dann sagte Außenminister Kim Hong Kyun etwas."
    start = text.index("Außenminister")
    entity = Entity(start, start + len("Außenminister Kim Hong Kyun"), "", "PER")
    mentions, roles = clean_entities(text, [entity], "de")
    assert [m.text for m in mentions] == ["Kim Hong Kyun"]
    actors = build_actors(text, mentions, "de", roles)
    assert (actors[0].name, actors[0].role) == ("Kim Hong Kyun", "Außenminister")


def test_bare_titles_pronouns_and_broken_spans_are_not_names() -> None:
    text = "Der Außenminister sagte, er komme. Sie auch."
    entities = [
        Entity(4, 17, "Außenminister", "PER"),
        Entity(text.index("er "), text.index("er ") + 2, "er", "PER"),
        Entity(text.index("Sie"), text.index("Sie") + 3, "Sie", "PER"),
        Entity(40, 400, "out of range", "ORG"),
    ]
    mentions, _ = clean_entities(text, entities, "de")
    assert mentions == []


def test_places_and_organisations_merge_by_name() -> None:
    text = (
        " ".join(["Nordkorea schickt Soldaten."] * 10)
        + " Die NATO und die Nato. Russlands Krieg in Russland."
    )
    actors = actors_of(
        text,
        [
            ("Nordkorea", "LOC"),
            ("NATO", "ORG"),
            ("Nato", "ORG"),
            ("Russlands", "LOC"),
            ("Russland", "LOC"),
        ],
    )
    named = by_name(actors)
    assert len(named["Nordkorea"].mentions) == 10
    assert named["Nordkorea"].label == "LOC"
    assert len([a for a in actors if a.label == "ORG"]) == 1
    assert len(named["Russland"].mentions) == 2
    assert "Russlands" not in named


def test_demonyms_the_ner_labels_join_their_country() -> None:
    text = "Nordkorea schickt Truppen. Die nordkoreanischen Soldaten sind in Russland."
    actors = actors_of(
        text, [("Nordkorea", "LOC"), ("nordkoreanischen", "MISC"), ("Russland", "LOC")]
    )
    named = by_name(actors)
    assert set(named) == {"Nordkorea", "Russland"}
    assert [text[s:e] for s, e in named["Nordkorea"].mentions] == ["Nordkorea", "nordkoreanischen"]


def test_a_person_token_tagged_otherwise_joins_the_person() -> None:
    text = "Mark Rutte warnte. Rutte sprach dann."
    actors = actors_of(text, [("Mark Rutte", "PER"), ("Rutte", "ORG")])
    assert [(a.name, a.label, len(a.mentions)) for a in actors] == [("Mark Rutte", "PER", 2)]


def test_title_role_reads_only_the_words_next_to_the_name() -> None:
    text = "Der Präsident kam. Gestern sprach Anna Weber."
    start = text.index("Anna")
    assert title_role(text, start, start + len("Anna Weber"), "de") is None


def test_seed_tagesschau_persons_links_and_roles() -> None:
    text = seed_text(TAGESSCHAU)
    named = by_name(actors_of(text, TAGESSCHAU_NAMES))
    persons = {a.name: (a.role, len(a.mentions)) for a in named.values() if a.label == "PER"}
    assert persons == {
        "Kim Hong Kyun": ("Außenminister", 3),
        "Georgy Sinowjew": ("Botschafter", 1),
        "Mark Rutte": ("NATO-Generalsekretär", 3),
        "Yoon Suk Yeol": ("Präsident", 3),
    }
    assert len(named["Russland"].mentions) == 12  # "Russland" and "Russlands"
    assert len(named["Südkorea"].mentions) == 7


def test_seed_taz_persons_links_and_roles() -> None:
    text = seed_text(TAZ)
    named = by_name(actors_of(text, TAZ_NAMES))
    persons = {a.name: (a.role, len(a.mentions)) for a in named.values() if a.label == "PER"}
    assert persons == {
        "Yoon Suk Yeol": ("Präsident", 2),
        "Mark Rutte": ("Nato-Chef", 2),
        "Kim Jong Un": ("Machthaber", 1),
        "Putin": (None, 1),
        "Lin Jian": ("Außenamtssprecher", 1),
        "Lloyd Austin": ("US-Verteidigungsminister", 1),
    }


def test_a_person_span_cut_short_is_joined_with_the_rest_of_the_name() -> None:
    text = "Rutte telefonierte mit Präsident Yoon Suk Yeol. Yoon sagte, es reiche."
    start = text.index("Yoon Suk")
    entities = [
        Entity(start, start + 8, "Yoon Suk", "PER"),
        Entity(start + 9, start + 13, "Yeol", "ORG"),
        Entity(text.index("Yoon sagte"), text.index("Yoon sagte") + 4, "Yoon", "PER"),
    ]
    mentions, roles = clean_entities(text, entities, "de")
    assert [(m.text, m.label) for m in mentions] == [("Yoon Suk Yeol", "PER"), ("Yoon", "PER")]
    actors = build_actors(text, mentions, "de", roles)
    assert [(a.name, a.role, len(a.mentions)) for a in actors] == [
        ("Yoon Suk Yeol", "Präsident", 2)
    ]


def test_untagged_genitives_of_a_tagged_short_name_are_added() -> None:
    text = "Präsident Yoon Suk Yeol telefonierte. Yoon sagte das, hieß es aus Yoons Büro."
    names = [("Yoon Suk Yeol", "PER"), ("Yoon", "PER")]
    mentions, _ = clean_entities(text, entities_for(text, names), "de")
    assert [m.text for m in mentions] == ["Yoon Suk Yeol", "Yoon", "Yoons"]


def test_common_nouns_and_place_compounds_tagged_as_names_are_dropped() -> None:
    text = "Die Achse Pjöngjang-Moskau und die Militärkooperation mit Moskau und Pjöngjang."
    names = [
        ("Pjöngjang-Moskau", "PER"),
        ("Militärkooperation", "LOC"),
        ("Moskau", "LOC"),
        ("Pjöngjang", "LOC"),
    ]
    mentions, _ = clean_entities(text, entities_for(text, names), "de")
    assert [m.text for m in mentions] == ["Moskau", "Pjöngjang"]


def test_a_capitalised_adjective_tagged_as_a_name_is_dropped() -> None:
    text = '"Ernstzunehmende Bedrohung"\n\nDas sagte Kim.'
    mentions, _ = clean_entities(
        text, entities_for(text, [("Ernstzunehmende", "PER"), ("Kim", "PER")]), "de"
    )
    assert [m.text for m in mentions] == ["Kim"]


def test_the_edge_words_of_a_full_name_are_found_alone() -> None:
    text = (
        "Außenminister Kim Hong Kyun protestierte. Später sagte Kim, es reiche. Machthaber "
        "Kim Jong Un schwieg, und in Kims Umfeld hieß es nichts."
    )
    names = [("Kim Hong Kyun", "PER"), ("Kim Jong Un", "PER")]
    mentions, roles = clean_entities(text, entities_for(text, names), "de")
    assert [m.text for m in mentions] == ["Kim Hong Kyun", "Kim", "Kim Jong Un", "Kims"]
    actors = by_name(build_actors(text, mentions, "de", roles))
    assert len(actors["Kim Hong Kyun"].mentions) == 2
    assert len(actors["Kim Jong Un"].mentions) == 2


def test_an_untagged_full_name_is_not_split_into_another_persons_short_name() -> None:
    text = "Außenminister Kim Hong Kyun protestierte. Kim Jong Un schwieg."
    mentions, _ = clean_entities(text, entities_for(text, [("Kim Hong Kyun", "PER")]), "de")
    assert [m.text for m in mentions] == ["Kim Hong Kyun"]


def test_hyphenated_person_names_stay() -> None:
    text = "Annegret Kramp-Karrenbauer sprach. Kramp-Karrenbauer ging."
    names = [("Annegret Kramp-Karrenbauer", "PER"), ("Kramp-Karrenbauer", "PER")]
    actors = actors_of(text, names)
    assert [(a.name, len(a.mentions)) for a in actors] == [("Annegret Kramp-Karrenbauer", 2)]


@pytest.mark.parametrize(
    ("name", "lang", "generic"),
    [
        ("Außenministerium", "de", True),
        ("Verteidigungsministeriums", "de", True),
        ("Geheimdienst", "de", True),
        ("Regierung", "de", True),
        ("Bundesregierung", "de", False),
        ("Kreml", "de", False),
        ("NATO", "de", False),
        ("Yonhap", "de", False),
        ("UN-Sicherheitsrat", "de", False),
        ("Foreign Ministry", "en", True),
        ("the Government", "en", True),
        ("Ministry of Defence", "en", False),
        ("Pentagon", "en", False),
    ],
)
def test_generic_institution_nouns(name: str, lang: str, generic: bool) -> None:
    assert generic_institution(name, lang) is generic


def test_generic_institutions_stay_entities_but_are_not_actors() -> None:
    text = "Das Außenministerium in Seoul teilte mit, der Kreml schweige."
    mentions, roles = clean_entities(
        text,
        entities_for(text, [("Außenministerium", "ORG"), ("Seoul", "LOC"), ("Kreml", "ORG")]),
        "de",
    )
    assert [m.text for m in mentions] == ["Außenministerium", "Seoul", "Kreml"]
    assert [a.name for a in build_actors(text, mentions, "de", roles)] == ["Seoul", "Kreml"]


def test_english_demonyms_the_ner_labels_join_their_country() -> None:
    text = "North Korea sent troops. The North Korean soldiers are in Russia, a Russian said."
    names = [
        ("North Korea", "LOC"),
        ("North Korean", "MISC"),
        ("Russia", "LOC"),
        ("Russian", "MISC"),
    ]
    named = by_name(actors_of(text, names, "en"))
    assert set(named) == {"North Korea", "Russia"}
    assert len(named["North Korea"].mentions) == 2
    assert len(named["Russia"].mentions) == 2


@pytest.mark.parametrize(
    ("span", "label", "lang", "kept"),
    [
        ("Mark Rutte warned North Korea", "PER", "en", "Mark Rutte"),
        ("Rutte said", "MISC", "en", "Rutte"),
        ("Pyongyang plans to", "MISC", "en", "Pyongyang"),
        ("Bank of England", "ORG", "en", "Bank of England"),
        ("Ursula von der Leyen", "PER", "de", "Ursula von der Leyen"),
        ("Institut für Weltwirtschaft", "ORG", "de", "Institut für Weltwirtschaft"),
        ("Mark Rutte warnte", "PER", "de", "Mark Rutte"),
    ],
)
def test_spans_running_into_the_sentence_are_cut(
    span: str, label: str, lang: str, kept: str
) -> None:
    text = f"Gestern: {span} heute."
    mentions, _ = clean_entities(text, entities_for(text, [(span, label)]), lang)
    assert [m.text for m in mentions] == [kept]


def test_capitalised_function_words_are_not_names() -> None:
    text = "This is it. According to Mark Rutte, it is bad."
    names = [("This", "MISC"), ("According", "PER"), ("Mark Rutte", "PER")]
    mentions, _ = clean_entities(text, entities_for(text, names), "en")
    assert [m.text for m in mentions] == ["Mark Rutte"]


def test_labels_the_rules_are_sure_about_are_fixed() -> None:
    text = "Secretary of State Antony Blinken said Pyongyang plans more. NATO chief NATO spoke."
    names = [("Antony Blinken", "LOC"), ("Pyongyang", "MISC"), ("NATO", "ORG")]
    mentions, roles = clean_entities(text, entities_for(text, names), "en")
    assert [(m.text, m.label) for m in mentions] == [
        ("Antony Blinken", "PER"),
        ("Pyongyang", "LOC"),
        ("NATO", "ORG"),
        ("NATO", "ORG"),
    ]
    actors = by_name(build_actors(text, mentions, "en", roles))
    assert actors["Antony Blinken"].role == "Secretary of State"


def test_a_demonym_tagged_as_a_place_joins_its_country() -> None:
    text = "North Korea sent 3,000 North Korean soldiers to Kherson."
    names = [("North Korea", "LOC"), ("North Korean", "LOC"), ("Kherson", "LOC")]
    named = by_name(actors_of(text, names, "en"))
    assert set(named) == {"North Korea", "Kherson"}
    assert len(named["North Korea"].mentions) == 2


def test_english_possessives_of_places_fold_to_the_place() -> None:
    text = "According to South Korea's spy agency, troops moved."
    named = by_name(actors_of(text, [("South Korea's", "LOC")], "en"))
    assert list(named) == ["South Korea"]


@pytest.mark.parametrize(
    ("span", "kept"),
    [
        ("Statistische Bundesamt am Donnerstag um 8.00", "Statistische Bundesamt"),
        ("Bank für Internationalen Zahlungsausgleich am Montag",
         "Bank für Internationalen Zahlungsausgleich"),
        ("Institut für Weltwirtschaft", "Institut für Weltwirtschaft"),
        ("Bündnis 90/Die Grünen", "Bündnis 90/Die Grünen"),
    ],
)
def test_german_organisation_spans_end_before_a_time_phrase(span: str, kept: str) -> None:
    text = f"Laut {span} stieg die Zahl."
    start = text.index(span)
    mentions, _ = clean_entities(text, [Entity(start, start + len(span), span, "ORG")], "de")
    assert [m.text for m in mentions] == [kept]


_WINDOW_PIECES = [
    *"aZäß.-_ 09,\n\t",
    *("\u00a0", "\u2009", "\u0301", "\x1c", "\x85", "\u2028", "ǅ", "²"),
    *("des ", "der ", "of the ", "Sprecher ", "Minister ", "Herr ", "Dr. ", ", "),
]
_WINDOW_TEXT = st.lists(st.sampled_from(_WINDOW_PIECES), max_size=30).map("".join)


@given(_WINDOW_TEXT)
@settings(max_examples=400, deadline=None)
def test_last_token_is_what_the_title_regex_finds(window: str) -> None:
    from tuireader.text import actors

    match = actors._DE_TOKEN_BEFORE.search(window)
    assert actors._last_token(window) == ((match.group(1), match.start()) if match else None)
    if actors._TITLE_OF_BEFORE.search(window):  # the shortcut never skips a match
        assert window.rstrip().endswith(",") and window != window.rstrip()
