"""Name lists for the NER post-processing: countries, capitals, demonyms, titles, first names.

Countries and continents come from CLDR (via babel) and ISO 3166 (via pycountry); demonym
adjectives are derived from CLDR language names and checked against the word list that ships in
spacy-lookups-data. Titles, agencies and acronym organisations are short curated lists: no
library provides them. Everything is built lazily and cached.
"""

from __future__ import annotations

import functools
import re

# CLDR region codes that are places (continents and world regions) rather than groupings.
_REGION_CODES = (
    "002", "019", "142", "150", "009", "005", "013", "021", "029", "030", "034", "035",
    "039", "143", "145", "151", "154", "155", "419", "053", "054", "057", "061", "011",
    "014", "015", "017", "018",
)  # fmt: skip

# Exonyms and short forms that CLDR does not use as the main name.
_EXTRA_COUNTRIES = {
    "de": ("USA", "Großbritannien", "England", "Schottland", "Wales", "Nordirland", "Holland",
           "Weißrussland", "Tschechien", "Kongo", "Burma", "Taiwan", "Palästina", "Kosovo",
           "Elfenbeinküste", "Sowjetunion", "DDR", "BRD", "Türkei", "Krim", "Donbass", "Gaza",
           "Gazastreifen", "Westjordanland", "Tibet", "Kaschmir", "Kurdistan", "Tschetschenien"),
    "en": ("USA", "U.S.", "US", "America", "Britain", "Great Britain", "UK", "England",
           "Scotland", "Wales", "Northern Ireland", "Holland", "Burma", "Taiwan", "Palestine",
           "Kosovo", "Ivory Coast", "Soviet Union", "Czech Republic", "Crimea", "Donbas",
           "Gaza", "Gaza Strip", "West Bank", "Tibet", "Kashmir", "Kurdistan", "Chechnya"),
}  # fmt: skip

# Capital cities that must be known even without the model (CLDR has no capitals). The model
# gets most of them from the Brown clusters; these are the ones news text leans on.
_CAPITALS = {
    "de": ("Pjöngjang", "Seoul", "Peking", "Moskau", "Kiew", "Kyjiw", "Washington", "Berlin",
           "Paris", "London", "Rom", "Warschau", "Prag", "Wien", "Brüssel", "Den Haag",
           "Amsterdam", "Madrid", "Lissabon", "Athen", "Ankara", "Teheran", "Bagdad", "Damaskus",
           "Beirut", "Jerusalem", "Kairo", "Tokio", "Taipeh", "Neu-Delhi", "Islamabad", "Kabul",
           "Minsk", "Vilnius", "Riga", "Tallinn", "Helsinki", "Stockholm", "Oslo", "Kopenhagen",
           "Budapest", "Bukarest", "Sofia", "Belgrad", "Zagreb", "Ljubljana", "Bratislava",
           "Bern", "Tiflis", "Eriwan", "Baku", "Hanoi", "Bangkok", "Manila", "Jakarta",
           "Canberra", "Ottawa", "Mexiko-Stadt", "Brasília", "Buenos Aires", "Riad", "Doha",
           "Abu Dhabi", "Chisinau", "Luxemburg", "Dublin", "Reykjavík", "Valletta", "Nikosia"),
    "en": ("Pyongyang", "Seoul", "Beijing", "Moscow", "Kyiv", "Kiev", "Washington", "Berlin",
           "Paris", "London", "Rome", "Warsaw", "Prague", "Vienna", "Brussels", "The Hague",
           "Amsterdam", "Madrid", "Lisbon", "Athens", "Ankara", "Tehran", "Baghdad", "Damascus",
           "Beirut", "Jerusalem", "Cairo", "Tokyo", "Taipei", "New Delhi", "Islamabad", "Kabul",
           "Minsk", "Vilnius", "Riga", "Tallinn", "Helsinki", "Stockholm", "Oslo", "Copenhagen",
           "Budapest", "Bucharest", "Sofia", "Belgrade", "Zagreb", "Ljubljana", "Bratislava",
           "Bern", "Tbilisi", "Yerevan", "Baku", "Hanoi", "Bangkok", "Manila", "Jakarta",
           "Canberra", "Ottawa", "Mexico City", "Brasília", "Buenos Aires", "Riyadh", "Doha",
           "Abu Dhabi", "Chisinau", "Luxembourg", "Dublin", "Reykjavík", "Valletta", "Nicosia"),
}  # fmt: skip

#: News agencies and acronym organisations: always ORG.
ORGANISATIONS = (
    "Yonhap", "KCNA", "KCNA", "dpa", "AFP", "AP", "Reuters", "Interfax", "Tass", "TASS", "RIA",
    "Ria Nowosti", "RIA Novosti", "Xinhua", "Kyodo", "Anadolu", "Bloomberg", "epd", "KNA",
    "NATO", "Nato", "UN", "UNO", "EU", "OSZE", "OSCE", "WHO", "IAEA", "IAEO", "IWF", "IMF",
    "G7", "G20", "BRICS", "OPEC", "ASEAN", "UNHCR", "UNICEF", "UNESCO", "WTO", "EZB", "ECB",
    "Bundeswehr", "Bundestag", "Bundesrat", "Kreml", "Pentagon", "CIA", "FBI", "BND", "NSA",
    "SPD", "CDU", "CSU", "FDP", "AfD", "BSW", "Grüne", "Grünen", "Linke", "ARD", "ZDF", "BBC",
    "CNN", "taz", "tagesschau", "Hamas", "Hisbollah", "Hezbollah", "Taliban",
)  # fmt: skip

#: Words that introduce a person's name ("Außenminister Kim Hong Kyun"), lower case; a token
#: ending in one of TITLE_SUFFIXES ("Verteidigungsminister", "NATO-Generalsekretär") counts too.
TITLES = {
    "de": ("herr", "frau", "dr.", "prof.", "präsident", "präsidentin", "kanzler", "kanzlerin",
           "botschafter", "botschafterin", "sprecher", "sprecherin", "machthaber", "diktator",
           "staatschef", "staatschefin", "regierungschef", "regierungschefin", "papst",
           "könig", "königin", "general", "generalin", "oberst", "admiral", "senator",
           "senatorin", "abgeordnete", "abgeordneter", "bürgermeister", "bürgermeisterin",
           "vorsitzende", "vorsitzender", "parteichef", "parteichefin", "premier",
           "oppositionsführer", "oppositionsführerin", "anführer", "gouverneur", "gouverneurin"),
    "en": ("mr.", "mrs.", "ms.", "dr.", "prof.", "president", "chancellor", "ambassador",
           "spokesman", "spokeswoman", "spokesperson", "leader", "dictator", "pope", "king",
           "queen", "general", "gen.", "colonel", "admiral", "senator", "sen.", "rep.",
           "governor", "mayor", "chairman", "chairwoman", "premier", "secretary", "minister"),
}  # fmt: skip
TITLE_SUFFIXES = {
    "de": ("minister", "ministerin", "präsident", "präsidentin", "sprecher", "sprecherin",
           "sekretär", "sekretärin", "kanzler", "kanzlerin", "botschafter", "botschafterin",
           "chef", "chefin", "führer", "führerin", "leiter", "leiterin", "kommandeur"),
    "en": ("minister", "president", "secretary", "spokesman", "spokeswoman"),
}  # fmt: skip


@functools.cache
def country_names(lang: str) -> frozenset[str]:
    """Country, territory and continent names in ``lang`` (CLDR, ISO 3166, a few exonyms)."""
    import gettext

    import pycountry
    from babel import Locale

    names: set[str] = set(_EXTRA_COUNTRIES.get(lang, ()))
    territories = Locale(lang).territories
    codes = {c.alpha_2 for c in pycountry.countries}
    for code, name in territories.items():
        if code in codes or code in _REGION_CODES:
            names.add(name)
    translate = (
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]).gettext
        if lang != "en"
        else (lambda s: s)
    )
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value:
                names.add(translate(value))
    return frozenset(n for n in names if n and not re.search(r"[(),]", n))


@functools.cache
def capital_names(lang: str) -> frozenset[str]:
    """Capital cities (curated: CLDR has no capitals)."""
    return frozenset(_CAPITALS.get(lang, ()))


@functools.cache
def language_adjectives(lang: str) -> frozenset[str]:
    """Language names from CLDR ("Russisch", "Russian"): also the demonym adjectives' stems."""
    from babel import Locale

    out = set()
    for name in Locale(lang).languages.values():
        if " " not in name and name[:1].isupper():
            out.add(name)
    return frozenset(out)


@functools.cache
def misc_names(lang: str) -> frozenset[str]:
    """German MISC words by the GermEval guidelines: currencies and language names (CLDR)."""
    from babel import Locale

    if lang != "de":
        return frozenset()
    names = {"Cent", "Dollar", "Euro", "Yen", "Rubel", "Pfund", "Franken", "Yuan", "Won"}
    for name in Locale(lang).currencies.values():
        if "(" not in name and len(name.split()) <= 2:
            names.add(name)
            names.add(name.split()[-1])
    names |= {n for n in language_adjectives(lang) if " " not in n}
    return frozenset(n for n in names if n[:1].isupper())


_DE_ENDINGS = ("", "e", "en", "er", "es", "em")


@functools.cache
def demonym_pattern(lang: str) -> re.Pattern[str]:
    """A regex matching demonym adjectives: German in any inflection and case ("russischen",
    "Nordkoreanische"), English capitalised ("Russian", "North Korean", "British")."""
    stems = set()
    if lang == "de":
        for name in language_adjectives("de"):
            if name.endswith("sch"):  # "Russisch", "Deutsch"
                stems.add(name.lower())
        stems.update(("europäisch", "asiatisch", "sowjetisch", "westeuropäisch"))
        for country in country_names("de"):
            low = country.lower()
            if " " in low or "-" in low:
                continue
            for form in (low + "nisch", low + "isch", low[:-1] + "isch", low + "anisch"):
                stems.add(form)
        alternatives = "|".join(sorted((re.escape(s) for s in stems), key=len, reverse=True))
        return re.compile(rf"(?i:(?:nord|süd|ost|west)?(?:{alternatives})(?:e|en|er|es|em)?)")
    for name in language_adjectives("en"):
        stems.add(name)
    for country in country_names("en"):
        for suffix in ("n", "an", "ian", "ese", "i"):
            stems.add(country + suffix)
            if country.endswith(("a", "e", "o", "y")):
                stems.add(country[:-1] + suffix)
    stems.update(
        (
            "British",
            "Dutch",
            "French",
            "Swiss",
            "Welsh",
            "Scottish",
            "Irish",
            "Thai",
            "Filipino",
            "Kurdish",
            "Palestinian",
            "Soviet",
            "European",
            "African",
            "Asian",
            "Arab",
            "Turkish",
            "Polish",
            "Danish",
            "Swedish",
            "Finnish",
            "Spanish",
            "Greek",
            "Israeli",
            "Pakistani",
            "Iraqi",
            "Saudi",
            "Yemeni",
            "Kuwaiti",
            "Qatari",
            "Emirati",
            "Afghan",
            "Uzbek",
            "Kazakh",
            "Tajik",
        )
    )
    alternatives = "|".join(sorted((re.escape(s) for s in stems), key=len, reverse=True))
    return re.compile(rf"(?:{alternatives})")


def is_demonym(word: str, lang: str, known: frozenset[str] | None = None) -> bool:
    """Whether ``word`` is a demonym adjective; ``known`` (a word list) filters out the
    derived forms that are not real words."""
    if not demonym_pattern(lang).fullmatch(word):
        return False
    return known is None or word in known or word.lower() in known
