"""Deterministic generator of realistic German and English news feeds for the benchmarks.

Every item is 300-900 words of HTML (paragraphs, sub-heads, quotes, links) full of people,
organisations, places, figures and dates, in the number and date conventions of its language.
The same ``(seed, feed, item)`` always gives the same item, so two runs, two clients and two
processes (the feed server and the cache writer) see byte-identical articles.

A feed is a sliding window over its items: at generation ``g`` feed ``f`` shows items
``g * new_per_generation`` ... ``g * new_per_generation + items - 1``, newest first, so bumping
the generation gives every feed ``new_per_generation`` new items.

Run it to look at one feed: ``python benchmarks/feedgen.py --feed 3 --items 2``.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache

BASE_TIME = datetime(2026, 6, 1, tzinfo=UTC)
ITEM_SPACING = timedelta(minutes=41)
MIN_WORDS, MAX_WORDS = 300, 900

# --------------------------------------------------------------------------------------------
# Vocabulary: real public names (as news would carry them), organisations and places.
# --------------------------------------------------------------------------------------------
DE_PEOPLE = [
    "Olaf Scholz", "Friedrich Merz", "Annalena Baerbock", "Robert Habeck", "Christian Lindner",
    "Boris Pistorius", "Nancy Faeser", "Karl Lauterbach", "Markus Söder", "Hendrik Wüst",
    "Manuela Schwesig", "Ursula von der Leyen", "Frank-Walter Steinmeier", "Bärbel Bas",
    "Saskia Esken", "Lars Klingbeil", "Ricarda Lang", "Sahra Wagenknecht", "Joachim Nagel",
    "Clemens Fuest", "Marcel Fratzscher", "Wolodymyr Selenskyj", "Wladimir Putin",
    "Emmanuel Macron", "Kim Jong Un", "Yoon Suk Yeol", "Mark Rutte", "Giorgia Meloni",
    "Kai Wegner", "Michael Kretschmer", "Daniel Günther", "Anke Rehlinger", "Cem Özdemir",
]
EN_PEOPLE = [
    "Keir Starmer", "Rachel Reeves", "Kemi Badenoch", "Joe Biden", "Kamala Harris",
    "Donald Trump", "Jerome Powell", "Janet Yellen", "Christine Lagarde", "Andrew Bailey",
    "Elon Musk", "Tim Cook", "Satya Nadella", "Sundar Pichai", "Volodymyr Zelensky",
    "Vladimir Putin", "Emmanuel Macron", "Olaf Scholz", "Xi Jinping", "Narendra Modi",
    "Justin Trudeau", "Anthony Albanese", "Antonio Guterres", "Mark Rutte", "Sadiq Khan",
    "Yvette Cooper", "David Lammy", "Nancy Pelosi", "Chuck Schumer", "Mike Johnson",
    "Kristalina Georgieva", "Jensen Huang", "Mary Barra",
]
DE_ORGS = [
    "Bundesregierung", "Bundestag", "Bundesrat", "Deutsche Bahn", "Siemens", "Volkswagen",
    "BASF", "Deutsche Bank", "Bundesbank", "Europäische Zentralbank", "Nato", "Vereinte Nationen",
    "EU-Kommission", "Verdi", "IG Metall", "Statistische Bundesamt", "ifo-Institut",
    "Bundesagentur für Arbeit", "Bundesverfassungsgericht", "SPD", "CDU", "Grünen", "FDP",
    "Lufthansa", "Deutsche Telekom", "Allianz", "Bosch", "Mercedes-Benz", "DIW",
]
EN_ORGS = [
    "Federal Reserve", "Bank of England", "European Central Bank", "Nato", "United Nations",
    "Apple", "Microsoft", "Tesla", "Boeing", "Amazon", "Labour Party", "Conservative Party",
    "Congress", "Pentagon", "International Monetary Fund", "World Bank", "Treasury",
    "Office for National Statistics", "Supreme Court", "Nvidia", "General Motors", "BP",
    "HSBC", "Barclays", "Rolls-Royce", "BBC", "NHS", "European Commission", "Google",
]
DE_PLACES = [
    "Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main", "Dresden", "Leipzig",
    "Stuttgart", "Düsseldorf", "Hannover", "Bremen", "Brüssel", "Paris", "Kiew", "Moskau",
    "Seoul", "Washington", "Peking", "Wien", "Zürich", "Warschau", "Rom", "Magdeburg", "Erfurt",
]
EN_PLACES = [
    "London", "Washington", "New York", "Brussels", "Paris", "Berlin", "Kyiv", "Moscow",
    "Beijing", "Tokyo", "Seoul", "Manchester", "Chicago", "Los Angeles", "Edinburgh", "Cardiff",
    "Ottawa", "Sydney", "Delhi", "Geneva", "Frankfurt", "San Francisco", "Texas", "Ohio",
]
DE_ROLES = [
    "Bundeskanzler", "Außenministerin", "Wirtschaftsminister", "Finanzminister", "Parteichef",
    "Ministerpräsident", "Sprecherin", "Vorstandschef", "Präsident", "Gewerkschaftschefin",
    "Ökonom", "Oppositionsführer", "Verteidigungsminister", "Innenministerin",
]
EN_ROLES = [
    "Prime Minister", "Chancellor", "Foreign Secretary", "chief executive", "spokeswoman",
    "President", "economist", "party leader", "Governor", "Home Secretary", "chairman",
    "minister", "senator", "analyst",
]
DE_TOPICS = [
    "Haushalt", "Schuldenbremse", "Energiewende", "Rente", "Migration", "Wohnungsbau",
    "Digitalisierung", "Inflation", "Bahnstreik", "Klimaschutz", "Bundeswehr", "Mindestlohn",
    "Gasversorgung", "Industriepolitik", "Krankenhausreform", "Ukraine-Hilfe",
]
EN_TOPICS = [
    "budget", "interest rates", "inflation", "housing", "immigration", "energy prices",
    "defence spending", "the NHS", "tariffs", "climate policy", "artificial intelligence",
    "rail strikes", "the minimum wage", "tax cuts", "public debt", "Ukraine aid",
]
DE_MONTHS = [
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
]
EN_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
DE_WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
EN_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DE_UNITS = ["Euro", "Millionen Euro", "Milliarden Euro", "Prozent", "Kilometer", "Tonnen",
            "Menschen", "Soldaten", "Stellen", "Wohnungen"]
EN_UNITS = ["million pounds", "billion dollars", "per cent", "miles", "tonnes", "people",
            "troops", "jobs", "homes", "barrels a day"]

# Sentence templates. Slots: {p} {p2} person, {r} role, {o} {o2} organisation, {pl} {pl2} place,
# {n} count, {pc} percent, {m} money, {q} quantity, {d} date, {wd} weekday, {t} topic, {y} year.
DE_SENTENCES = [
    "{r} {p} kündigte am {wd} in {pl} an, die Mittel für {t} um {pc} zu erhöhen.",
    "Nach Angaben des {o} stieg die Zahl im Vergleich zum Vorjahr um {pc} auf {n}.",
    "„Wir werden das nicht hinnehmen“, sagte {p} am {d} vor Journalisten in {pl}.",
    "Die Kosten belaufen sich nach Schätzungen der {o} auf rund {m}.",
    "{p} und {p2} trafen sich am {wd} in {pl}, um über {t} zu beraten.",
    "Seit dem {d} haben mehr als {n} Menschen in {pl} gegen die Pläne protestiert.",
    "Der {o} rechnet für {y} mit einem Wachstum von {pc}.",
    "Kritik kam von {p2}: Die Pläne seien „unausgegoren und viel zu teuer“.",
    "In {pl} und {pl2} sollen bis {y} insgesamt {q} bereitgestellt werden.",
    "Die Verhandlungen zwischen {o} und {o2} sollen am {d} fortgesetzt werden.",
    "Nach Informationen aus Kreisen der {o} geht es um ein Volumen von {m}.",
    "{r} {p} sprach von einem „wichtigen Signal für {pl}“.",
    "Bereits im {month} hatte die {o} vor steigenden Kosten für {t} gewarnt.",
    "Laut einer Umfrage des {o} halten {pc} der Befragten die Reform für richtig.",
    "{p} betonte, die Entscheidung über {t} falle frühestens am {d}.",
    "Die Arbeitslosenquote lag zuletzt bei {pc}, wie die {o} am {wd} mitteilte.",
    "Gegen {h} Uhr erreichte die Delegation aus {pl} den Tagungsort.",
    "Das entspricht etwa {q} mehr als im Jahr {y}.",
    "Die Opposition wirft {p} vor, beim Thema {t} zu zögern.",
    "„Die Lage ist ernst, aber beherrschbar“, erklärte {p2} von der {o}.",
    "Nach dem Treffen in {pl} sagte {p}, man sei sich in den Grundzügen einig.",
    "Insgesamt sind für das Projekt {m} vorgesehen, davon {pc} aus Bundesmitteln.",
    "Ein Sprecher der {o} bestätigte den Vorgang am {wd}, nannte aber keine Details.",
    "Die Zahl der Betroffenen wird auf {n} geschätzt.",
]
EN_SENTENCES = [
    "{r} {p} said on {wd} in {pl} that spending on {t} would rise by {pc}.",
    "According to the {o}, the figure rose by {pc} year on year to {n}.",
    "\u201cWe will not accept this,\u201d {p} told reporters in {pl} on {d}.",
    "The cost is estimated by the {o} at around {m}.",
    "{p} and {p2} met in {pl} on {wd} to discuss {t}.",
    "Since {d}, more than {n} people in {pl} have protested against the plans.",
    "The {o} expects growth of {pc} in {y}.",
    "{p2} was critical, calling the plans \u201chalf-baked and far too expensive\u201d.",
    "A total of {q} is to be delivered to {pl} and {pl2} by {y}.",
    "Talks between the {o} and the {o2} are due to resume on {d}.",
    "People familiar with the {o}'s plans put the deal at {m}.",
    "{r} {p} called it \u201can important signal for {pl}\u201d.",
    "As early as {month} the {o} had warned of rising costs for {t}.",
    "In a poll by the {o}, {pc} of respondents backed the reform.",
    "{p} stressed that no decision on {t} would be taken before {d}.",
    "Unemployment stood at {pc}, the {o} said on {wd}.",
    "The delegation from {pl} arrived shortly after {h} o'clock.",
    "That is about {q} more than in {y}.",
    "Critics accuse {p} of dragging their feet on {t}.",
    "\u201cThe situation is serious but manageable,\u201d said {p2} of the {o}.",
    "After the meeting in {pl}, {p} said both sides agreed on the broad outline.",
    "The project has a budget of {m}, {pc} of it from central government.",
    "A spokesperson for the {o} confirmed the move on {wd} but gave no details.",
    "The number of people affected is estimated at {n}.",
]
DE_TITLES = [
    "{p} will {t} neu regeln", "{o} erwartet {pc} mehr", "Streit um {t} in {pl} eskaliert",
    "{p} trifft {p2} in {pl}", "{m} für {t}: Was die Pläne bedeuten",
    "{o}: Zahl der Fälle steigt auf {n}", "Was {p} zum Thema {t} sagt",
    "{pl}: {n} Menschen demonstrieren gegen {t}",
]
EN_TITLES = [
    "{p} vows to overhaul {t}", "{o} expects {pc} rise", "Row over {t} escalates in {pl}",
    "{p} meets {p2} in {pl}", "{m} for {t}: what the plans mean",
    "{o}: cases climb to {n}", "What {p} said about {t}",
    "{pl}: {n} people protest against {t}",
]
DE_SUBHEADS = ["Kritik aus der Opposition", "Wie es weitergeht", "Die Zahlen im Überblick",
               "Reaktionen aus {pl}", "Hintergrund"]
EN_SUBHEADS = ["Opposition criticism", "What happens next", "The figures", "Reaction in {pl}",
               "Background"]


@dataclass(frozen=True, slots=True)
class Language:
    """Vocabulary and number/date conventions of one language."""

    code: str
    people: list[str]
    orgs: list[str]
    places: list[str]
    roles: list[str]
    topics: list[str]
    months: list[str]
    weekdays: list[str]
    units: list[str]
    sentences: list[str]
    titles: list[str]
    subheads: list[str]
    thousands: str
    decimal: str


LANGUAGES = {
    "de": Language("de", DE_PEOPLE, DE_ORGS, DE_PLACES, DE_ROLES, DE_TOPICS, DE_MONTHS,
                   DE_WEEKDAYS, DE_UNITS, DE_SENTENCES, DE_TITLES, DE_SUBHEADS, ".", ","),
    "en": Language("en", EN_PEOPLE, EN_ORGS, EN_PLACES, EN_ROLES, EN_TOPICS, EN_MONTHS,
                   EN_WEEKDAYS, EN_UNITS, EN_SENTENCES, EN_TITLES, EN_SUBHEADS, ",", "."),
}


@dataclass(frozen=True, slots=True)
class Item:
    """One generated news item."""

    feed: int
    number: int
    guid: str
    title: str
    link: str
    author: str
    published: datetime
    summary: str
    html: str
    text: str
    words: int
    language: str


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """The fixed properties of one feed."""

    index: int
    language: str
    format: str  # "rss" or "atom"
    title: str


def feed_info(index: int, languages: str = "de,en") -> FeedInfo:
    """Language, format and title of feed ``index`` (60 % German, formats alternating).

    ``languages`` "de" or "en" makes every feed that language (e.g. to benchmark an extractor
    that has only one language's model).
    """
    mixed = "en" if index % 5 in (1, 3) else "de"
    language = languages if languages in LANGUAGES else mixed
    fmt = "rss" if index % 2 == 0 else "atom"
    if language == "de":
        title = f"Nachrichten {index:04d} – {DE_PLACES[index % len(DE_PLACES)]}"
    else:
        title = f"News {index:04d} – {EN_PLACES[index % len(EN_PLACES)]}"
    return FeedInfo(index, language, fmt, title)


def item_time(feed: int, number: int) -> datetime:
    """Publication time of item ``number`` of ``feed`` (later numbers are newer)."""
    return BASE_TIME + number * ITEM_SPACING + timedelta(seconds=(feed * 7) % 1800)


def window(generation: int, items: int, new_per_generation: int) -> range:
    """Item numbers a feed shows at ``generation``."""
    first = generation * new_per_generation
    return range(first, first + items)


def _format_int(value: int, lang: Language) -> str:
    return f"{value:,}".replace(",", lang.thousands)


def _format_decimal(value: float, lang: Language) -> str:
    return f"{value:.1f}".replace(".", lang.decimal)


class _Filler(dict[str, str]):
    """Template slots filled lazily from a seeded random generator."""

    def __init__(self, rng: random.Random, lang: Language, people: list[str], when: datetime):
        super().__init__()
        self.rng = rng
        self.lang = lang
        self.people = people
        self.when = when

    def __missing__(self, key: str) -> str:
        rng, lang = self.rng, self.lang
        if key == "p":
            return rng.choice(self.people)
        if key == "p2":
            return rng.choice([name for name in self.people if name != self.get("p")])
        if key == "r":
            return rng.choice(lang.roles)
        if key in ("o", "o2"):
            return rng.choice(lang.orgs)
        if key in ("pl", "pl2"):
            return rng.choice(lang.places)
        if key == "t":
            return rng.choice(lang.topics)
        if key == "n":
            return _format_int(rng.choice((12, 48, 250, 1500, 3200, 12000, 48000, 125000)) +
                               rng.randrange(0, 9), lang)
        if key == "pc":
            value = rng.uniform(0.3, 48)
            return (f"{_format_decimal(value, lang)} Prozent" if lang.code == "de"
                    else f"{_format_decimal(value, lang)} per cent")
        if key == "m":
            amount = _format_decimal(rng.uniform(1.2, 950), lang)
            if lang.code == "de":
                return f"{amount} {rng.choice(('Millionen', 'Milliarden'))} Euro"
            return rng.choice((f"£{amount}m", f"${amount}bn", f"{amount} billion euros"))
        if key == "q":
            return f"{_format_int(rng.randrange(20, 90000), lang)} {rng.choice(lang.units)}"
        if key == "d":
            day = self.when - timedelta(days=rng.randrange(0, 60))
            if lang.code == "de":
                return f"{day.day}. {lang.months[day.month - 1]} {day.year}"
            return f"{lang.months[day.month - 1]} {day.day}, {day.year}"
        if key == "h":
            return str(rng.randrange(7, 23))
        if key == "wd":
            return lang.weekdays[rng.randrange(7)]
        if key == "month":
            return lang.months[rng.randrange(12)]
        if key == "y":
            return str(self.when.year + rng.randrange(-2, 4))
        raise KeyError(key)

    def fill(self, template: str) -> str:
        """``template`` with fresh random values in every slot."""
        self.clear()
        text = template.format_map(self)
        return text[0].upper() + text[1:]


@lru_cache(maxsize=200_000)
def make_item(seed: int, feed: int, number: int, base_url: str = "http://127.0.0.1:9",
              languages: str = "de,en") -> Item:
    """Item ``number`` of ``feed``: the same arguments always give the same item."""
    info = feed_info(feed, languages)
    lang = LANGUAGES[info.language]
    rng = random.Random(f"{seed}:{feed}:{number}")
    when = item_time(feed, number)
    # Each story has a small cast, so names recur within it as in real news.
    people = rng.sample(lang.people, 4)
    filler = _Filler(rng, lang, people, when)
    title = filler.fill(rng.choice(lang.titles))
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    paragraphs: list[str] = []
    html_parts: list[str] = []
    words = 0
    while words < target:
        if paragraphs and rng.random() < 0.12:
            subhead = filler.fill(rng.choice(lang.subheads))
            html_parts.append(f"<h2>{html.escape(subhead)}</h2>")
            paragraphs.append(subhead)
            words += len(subhead.split())
        sentences: list[str] = []
        for _ in range(rng.randint(2, 5)):
            sentence = filler.fill(rng.choice(lang.sentences))
            sentences.append(sentence)
            words += len(sentence.split())
            if words >= target:
                break
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        escaped = html.escape(paragraph, quote=False)
        roll = rng.random()
        if roll < 0.08:
            html_parts.append(f"<blockquote><p>{escaped}</p></blockquote>")
        elif roll < 0.2:
            anchor = html.escape(rng.choice(people))
            escaped = escaped.replace(
                anchor, f'<a href="{base_url}/topic/{rng.randrange(1000)}">{anchor}</a>', 1
            )
            html_parts.append(f"<p>{escaped}</p>")
        elif roll < 0.3:
            html_parts.append(f"<p><strong>{escaped}</strong></p>")
        else:
            html_parts.append(f"<p>{escaped}</p>")
    author = rng.choice(lang.people[-8:]) if rng.random() < 0.3 else (
        "Redaktion" if lang.code == "de" else "Staff reporter")
    return Item(
        feed=feed,
        number=number,
        guid=f"urn:tuireader-bench:{seed}:{feed}:{number}",
        title=title,
        link=f"{base_url}/article/{feed}/{number}",
        author=author,
        published=when,
        summary=paragraphs[0],
        html="\n".join(html_parts),
        text="\n\n".join(paragraphs),
        words=words,
        language=lang.code,
    )


def _rss_item(item: Item) -> str:
    return (
        "<item>"
        f"<title>{html.escape(item.title, quote=False)}</title>"
        f"<link>{html.escape(item.link)}</link>"
        f'<guid isPermaLink="false">{item.guid}</guid>'
        f"<pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>"
        f"<dc:creator>{html.escape(item.author, quote=False)}</dc:creator>"
        f"<description>{html.escape(item.summary, quote=False)}</description>"
        f"<content:encoded><![CDATA[{item.html}]]></content:encoded>"
        "</item>"
    )


def _atom_entry(item: Item) -> str:
    stamp = item.published.isoformat().replace("+00:00", "Z")
    return (
        "<entry>"
        f"<title>{html.escape(item.title, quote=False)}</title>"
        f'<link rel="alternate" href="{html.escape(item.link)}"/>'
        f"<id>{item.guid}</id>"
        f"<published>{stamp}</published><updated>{stamp}</updated>"
        f"<author><name>{html.escape(item.author, quote=False)}</name></author>"
        f"<summary>{html.escape(item.summary, quote=False)}</summary>"
        f'<content type="html">{html.escape(item.html, quote=False)}</content>'
        "</entry>"
    )


def render_feed(
    seed: int,
    feed: int,
    generation: int,
    items: int,
    new_per_generation: int,
    base_url: str = "http://127.0.0.1:9",
    languages: str = "de,en",
) -> tuple[str, datetime]:
    """The XML document of ``feed`` at ``generation`` and its newest item's time."""
    info = feed_info(feed, languages)
    numbers = list(reversed(window(generation, items, new_per_generation)))
    entries = [make_item(seed, feed, n, base_url, languages) for n in numbers]
    newest = entries[0].published
    self_url = f"{base_url}/feed/{feed}.xml"
    if info.format == "rss":
        body = "".join(_rss_item(e) for e in entries)
        xml = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>{html.escape(info.title, quote=False)}</title>"
            f"<link>{base_url}/site/{feed}</link>"
            f"<description>Generated benchmark feed {feed}</description>"
            f"<language>{info.language}</language>"
            f"<lastBuildDate>{format_datetime(newest, usegmt=True)}</lastBuildDate>"
            f"{body}</channel></rss>\n"
        )
    else:
        body = "".join(_atom_entry(e) for e in entries)
        stamp = newest.isoformat().replace("+00:00", "Z")
        xml = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{info.language}">'
            f"<title>{html.escape(info.title, quote=False)}</title>"
            f'<link rel="alternate" href="{base_url}/site/{feed}"/>'
            f'<link rel="self" href="{self_url}"/>'
            f"<id>urn:tuireader-bench:feed:{seed}:{feed}</id><updated>{stamp}</updated>"
            f"{body}</feed>\n"
        )
    return xml, newest


def content_digest(xml: str) -> str:
    """A strong ETag value for a document."""
    return '"' + hashlib.blake2b(xml.encode(), digest_size=12).hexdigest() + '"'


def main() -> None:
    """Print one generated feed (for looking at the output)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--feed", type=int, default=0)
    parser.add_argument("--items", type=int, default=3)
    parser.add_argument("--generation", type=int, default=0)
    parser.add_argument("--stats", action="store_true", help="print word counts instead")
    args = parser.parse_args()
    if args.stats:
        counts = [make_item(args.seed, args.feed, n).words for n in range(args.items)]
        print(f"items={len(counts)} mean_words={sum(counts) / len(counts):.0f} "
              f"min={min(counts)} max={max(counts)}")
        return
    xml, _ = render_feed(args.seed, args.feed, args.generation, args.items, 1)
    print(xml)


if __name__ == "__main__":
    main()
