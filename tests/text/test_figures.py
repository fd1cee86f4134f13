"""Figures: German and English notation, number words, money, percentages, dates and times."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.text.figures import find_figures, parse_number

# (lang, text, figure text, kind, value, unit)
POSITIVE = [
    ("de", "Entsendung von 1.500 nordkoreanischen Soldaten", "1.500", "number", 1500, "Soldaten"),
    ("de", "bis zu 12.000 Mann zur Unterstützung", "12.000", "number", 12000, "Mann"),
    ("de", "insgesamt vier Brigaden", "vier", "number", 4, "Brigaden"),
    ("de", "Achtzehn nordkoreanische Soldaten seien", "Achtzehn", "number", 18, "Soldaten"),
    ("de", "Es kamen zwölftausend Menschen", "zwölftausend", "number", 12000, "Menschen"),
    ("de", "Das Plus lag bei 3,5 Prozent.", "3,5 Prozent", "percent", 3.5, "%"),
    ("de", "ein Minus von 0,2 Prozentpunkten", "0,2 Prozentpunkten", "percent", 0.2, "pp"),
    ("de", "Hilfen über 2,3 Mrd. Euro", "2,3 Mrd. Euro", "money", 2_300_000_000, "EUR"),
    ("de", "Es kostet 20 € im Monat", "20 €", "money", 20, "EUR"),
    ("de", "rund 50 Mio. Menschen", "50 Mio.", "number", 50_000_000, "Menschen"),
    ("de", "zwei Millionen Euro", "zwei Millionen Euro", "money", 2_000_000, "EUR"),
    ("de", "Die Front ist 1.000 Kilometer lang", "1.000 Kilometer", "quantity", 1000, "Kilometer"),
    ("de", "1.500.000 Einwohner", "1.500.000", "number", 1_500_000, "Einwohner"),
    ("de", "Stand: 21.10.2024 13:07 Uhr", "21.10.2024", "date", "2024-10-21", None),
    ("de", "Stand: 21.10.2024 13:07 Uhr", "13:07 Uhr", "time", "13:07", None),
    ("de", "gegen 9 Uhr morgens", "9 Uhr", "time", "09:00", None),
    ("de", "Am 21. Oktober 2024 begann es", "21. Oktober 2024", "date", "2024-10-21", None),
    ("de", "Das Treffen war im Juni.", "im Juni", "date", "--06", None),
    ("de", "Das Treffen war im Juni 2023.", "im Juni 2023", "date", "2023-06", None),
    ("de", "hatte am Freitag mitgeteilt", "am Freitag", "date", "-W-5", None),
    ("de", "seit 2022 im Amt", "2022", "date", "2022", None),
    ("de", "im Jahr 2023 gewählt", "2023", "date", "2023", None),
    ("de", "2000 Soldaten wurden verlegt", "2000", "number", 2000, "Soldaten"),
    ("de", "nach Artikel 5 des NATO-Vertrags", "5", "number", 5, None),
    ("de", "Er hat elf Tore geschossen", "elf", "number", 11, "Tore"),
    ("de", "Sie ist 1,75 Meter groß", "1,75 Meter", "quantity", 1.75, "Meter"),
    ("de", "Seit dem 24. Februar 2022", "24. Februar 2022", "date", "2022-02-24", None),
    ("de", "Um 13.07 Uhr", "13.07 Uhr", "time", "13:07", None),
    ("de", "date 2024-10 Russlands Krieg", "2024-10", "date", "2024-10", None),
    ("en", "sent 1,500 soldiers to Russia", "1,500", "number", 1500, "soldiers"),
    ("en", "sent 1,500 North Korean soldiers", "1,500", "number", 1500, "soldiers"),
    ("en", "a package worth $3.5bn was signed", "$3.5bn", "money", 3_500_000_000, "USD"),
    ("en", "prices rose 3.5% last year", "3.5%", "percent", 3.5, "%"),
    ("en", "a ticket costs €20 now", "€20", "money", 20, "EUR"),
    ("en", "about £5 million in aid", "£5 million", "money", 5_000_000, "GBP"),
    ("en", "a dozen eggs", "a dozen", "number", 12, "eggs"),
    ("en", "twenty-one people died", "twenty-one", "number", 21, "people"),
    ("en", "two hundred and fifty troops", "two hundred and fifty", "number", 250, "troops"),
    ("en", "It happened on Oct. 21 in Seoul", "Oct. 21", "date", "--10-21", None),
    ("en", "on October 21, 2024, he said", "October 21, 2024", "date", "2024-10-21", None),
    ("en", "on 21 October 2024 he said", "21 October 2024", "date", "2024-10-21", None),
    ("en", "They met on Monday in Seoul", "on Monday", "date", "-W-1", None),
    ("en", "The vote is at 3 pm today", "3 pm", "time", "15:00", None),
    ("en", "It began at 3:30 p.m. sharp", "3:30 p.m.", "time", "15:30", None),
    ("en", "a 12 km long convoy", "12 km", "quantity", 12, "km"),
]


@pytest.mark.parametrize(("lang", "text", "span", "kind", "value", "unit"), POSITIVE)
def test_figure_is_found_with_value_and_unit(
    lang: str, text: str, span: str, kind: str, value: object, unit: str | None
) -> None:
    figures = find_figures(text, lang)
    match = [f for f in figures if f.text == span]
    assert match, f"{span!r} not found in {[f.text for f in figures]}"
    figure = match[0]
    assert text[figure.start : figure.end] == span
    assert (figure.kind, figure.value, figure.unit) == (kind, value, unit)
    assert type(figure.value) is type(value)


# (lang, text, texts that must NOT be (part of) a figure)
NEGATIVE = [
    ("de", "Das ist eine ernstzunehmende Bedrohung", ["eine"]),
    ("de", "Sie absolvieren ein Training im Osten", ["ein"]),
    ("de", "einmal mehr zeigt sich", ["einmal"]),
    ("de", "Die F-16 und die MiG-29 kamen", ["16", "29"]),
    ("de", "Corona, also COVID-19, und die G7", ["19", "7"]),
    ("de", "Er erreichte den 3. Platz", ["3"]),
    ("de", "Rufen Sie an: 030 1234567 oder +49 30 1234567", ["030", "1234567", "49", "30"]),
    ("de", "Das lassen wir außer Acht", ["Acht"]),
    ("de", "in den vergangenen Jahren und den beiden Ländern", ["Jahren", "beiden"]),
    ("de", "Er rief 0800/123 456 an", ["0800", "123", "456"]),
    ("de", "Die Elf von Trainer Nagelsmann", ["Elf"]),
    ("en", "one of them said no one knew", ["one"]),
    ("en", "since 9/11 and 24/7 news", ["9", "11", "24", "7"]),
    ("en", "in the 1990s and the 27-year-old", ["1990"]),
    ("en", "an F-35 and 5G networks", ["35", "5"]),
    ("en", "dozens of people were there", ["dozens"]),
    ("en", "Rutte may speak in March", ["may"]),
]


@pytest.mark.parametrize(("lang", "text", "forbidden"), NEGATIVE)
def test_non_figures_are_not_taken(lang: str, text: str, forbidden: list[str]) -> None:
    figures = find_figures(text, lang)
    for word in forbidden:
        start = text.index(word)
        overlapping = [f for f in figures if f.start < start + len(word) and start < f.end]
        assert not overlapping, f"{word!r} taken as {overlapping}"


def test_four_brigades_with_twelve_thousand_soldiers_are_two_figures() -> None:
    text = 'Pjöngjang wolle "vier Brigaden mit 12.000 Soldaten" schicken'
    figures = find_figures(text, "de")
    assert [(f.text, f.value, f.unit) for f in figures] == [
        ("vier", 4, "Brigaden"),
        ("12.000", 12000, "Soldaten"),
    ]


def test_day_of_a_date_is_not_taken_twice() -> None:
    text = "Am 21. Oktober 2024 und am 3.11. trafen sie sich."
    figures = find_figures(text, "de")
    assert [(f.text, f.kind) for f in figures] == [("21. Oktober 2024", "date"), ("3.11.", "date")]


def test_years_inside_names_are_excluded_by_entity_spans() -> None:
    text = "Die Euro 2024 fand in Deutschland statt, im Jahr 2024."
    name = text.index("Euro 2024")
    figures = find_figures(text, "de", exclude=[(name, name + len("Euro 2024"))])
    assert [(f.text, f.value) for f in figures] == [("2024", "2024")]
    assert figures[0].start > name + len("Euro 2024")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("am Montag", "2024-10-21"),  # the reference date is a Monday
        ("am Freitag", "2024-10-18"),
        ("am kommenden Freitag", "2024-10-25"),
        ("am vergangenen Montag", "2024-10-14"),
        ("im Juni", "2024-06"),
        ("im Januar", "2025-01"),
        ("im Dezember", "2024-12"),
        ("am 3. Januar", "2025-01-03"),
        ("am 21.10.", "2024-10-21"),
    ],
)
def test_relative_dates_resolve_against_the_reference_date(text: str, expected: str) -> None:
    figures = find_figures(text, "de", reference_date="2024-10-21T13:07:00+02:00")
    assert [f.value for f in figures if f.kind == "date"] == [expected]


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("hatte bereits im März erklärt", "2024-11-07", "2024-03"),
        ("im Januar", "2024-12-10", "2025-01"),
        ("im Dezember", "2025-01-10", "2024-12"),
        ("am 15. März", "2024-11-07", "2024-03-15"),
    ],
)
def test_months_without_a_year_mean_the_reference_year_unless_far_away(
    text: str, reference: str, expected: str
) -> None:
    figures = find_figures(text, "de", reference_date=reference)
    assert [f.value for f in figures] == [expected]


def test_a_figure_may_end_in_a_name_span_but_not_start_in_one() -> None:
    text = "ein Paket von 1,4 Milliarden Euro zur Euro 2024"
    euro = text.index("Euro z")
    tournament = text.index("Euro 2024")
    spans = [(euro, euro + 4), (tournament, tournament + 9)]
    figures = find_figures(text, "de", exclude=spans)
    assert [(f.text, f.kind, f.value, f.unit) for f in figures] == [
        ("1,4 Milliarden Euro", "money", 1_400_000_000, "EUR")
    ]


def test_english_relative_dates_resolve_too() -> None:
    figures = find_figures("They met on Friday and in June.", "en", reference_date="2024-10-21")
    assert [(f.text, f.value) for f in figures] == [
        ("on Friday", "2024-10-18"),
        ("in June", "2024-06"),
    ]


@pytest.mark.parametrize(
    ("token", "lang", "value"),
    [
        ("1.500", "de", "1500"),
        ("3,5", "de", "3.5"),
        ("1.50", "de", "1.50"),
        ("1,500", "en", "1500"),
        ("3.5", "en", "3.5"),
        ("1.500", "en", "1.500"),
        ("1,500,000.25", "en", "1500000.25"),
        ("1.500.000,25", "de", "1500000.25"),
        ("1,5", "fr", "1.5"),
    ],
)
def test_decimal_separators_follow_the_language(token: str, lang: str, value: str) -> None:
    from decimal import Decimal

    assert parse_number(token, lang) == Decimal(value)


def test_other_languages_get_figures_with_their_notation() -> None:
    figures = find_figures("Il y avait 1.500 soldats et 3,5 % de plus.", "fr")
    assert [(f.text, f.value) for f in figures] == [("1.500", 1500), ("3,5 %", 3.5)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789.,:/ -+€$%Uhram Juni vier ein\n"), max_size=60))
def test_spans_always_slice_the_input_and_never_overlap(text: str) -> None:
    for lang in ("de", "en"):
        figures = find_figures(text, lang, reference_date="2024-10-21")
        previous_end = -1
        for figure in figures:
            assert text[figure.start : figure.end] == figure.text
            assert figure.start >= previous_end
            previous_end = figure.end
            assert figure.kind in {"number", "money", "percent", "quantity", "date", "time"}


def test_other_languages_get_digit_figures_but_no_german_words() -> None:
    text = "Le 7 mai, acht personnes et vier amis sont venus le 21.10.2024 à 13:07."
    figures = find_figures(text, "fr")
    assert [f.text for f in figures] == ["7", "21.10.2024", "13:07"]  # not "acht", "vier"
