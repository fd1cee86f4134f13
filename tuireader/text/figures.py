"""Figures in news text: numbers, money, percentages, quantities, dates and times.

:func:`find_figures` returns non-overlapping :class:`Figure` spans with a normalised value:

* ``kind`` is one of ``number``, ``money``, ``percent``, ``quantity``, ``date``, ``time``.
* ``value`` is a number (``int`` when integral, else ``float``) for the first four kinds, an
  ISO 8601 string for dates and times.
* ``unit`` is what the number counts or measures where the text says so: the counted noun for
  plain numbers ("1.500 nordkoreanischen Soldaten" → ``Soldaten``, kind ``number``; the noun is
  *not* part of the span), an ISO 4217 code for money (``EUR``, ``USD``), ``%`` (or ``pp`` for
  percentage points) for percentages and the measurement unit for quantities (``km``,
  ``Tonnen``; kind ``quantity`` is reserved for physical measurements, spaCy-style).

Spans: the number with its scale word, currency and percent/measurement unit
("2,3 Mrd. Euro", "3,5 Prozent", "$3.5bn"); dates with the German contracted prepositions
"am"/"im" or English "on"/"in" when they introduce a weekday or month ("am Freitag", "im Juni").

Decimal separators follow the language: German "1.500" = 1500 and "3,5" = 3.5, English
"1,500" = 1500 and "3.5" = 3.5. A separator is read as a thousands separator only when exactly
three digits follow it ("1.50" is 1.5 in either language).

Relative dates are resolved against ``reference_date`` (the article's published date): a
weekday to the latest such day on or before it ("am Montag"; "kommenden Montag" looks forward),
a month or day-and-month without a year to the reference year, unless that is nine or more
months away ("im Januar" in a December article is next January; "im März" in November is this
year's March, as news mostly looks back within the year). Without
a reference date the value is the ISO 8601 truncated form: "--06" (a month), "--10-21" (day and
month), "-W-1" (a Monday of an unknown week).

Number words go through ``text2num`` ("vier" → 4, "Achtzehn" → 18, "zwölftausend" → 12000,
"twenty-one" → 21); the indefinite article ("ein", "eine", "a", "an") and English "one" alone are
never figures, because they are far more often articles and pronouns than counts ("eine
ernstzunehmende Bedrohung", "one of them").

Not taken: numbers glued to letters or to a letter and hyphen ("F-16", "G7", "COVID-19"),
German ordinals ("der 3. Platz"; the day of a date is part of the date), phone-number-like digit
runs, and figures starting inside an ``exclude`` span (pass the named entities, so "Euro 2024"
or "Agenda 2030" are not taken apart, while "1,4 Milliarden Euro" stays money even when the
model tagged "Euro").
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

__all__ = ["Figure", "find_figures", "parse_number", "resolve_reference_date"]

Value = int | float | str | None


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure: ``text == input[start:end]``."""

    start: int
    end: int
    text: str
    kind: str  # number | money | percent | quantity | date | time
    value: Value
    unit: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The CLI contract's figure object."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "value": self.value,
            "unit": self.unit,
        }


# ---------------------------------------------------------------------------------------------
# vocabularies

_MONTHS_DE = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feber": 2, "feb": 2, "märz": 3, "mär": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8,
    "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "dezember": 12, "dez": 12,
}  # fmt: skip
_MONTHS_EN = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
_FULL_MONTH_NAMES = frozenset(
    {n for n in (*_MONTHS_DE, *_MONTHS_EN) if len(n) > 4 or n in ("mai", "juni", "juli", "may",
                                                                   "june", "july", "märz")}
)
_WEEKDAYS_DE = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonnabend": 5, "sonntag": 6,
}  # fmt: skip
_WEEKDAYS_EN = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip

_SCALES = {
    "tsd.": 10**3, "tausend": 10**3, "mio.": 10**6, "mio": 10**6, "million": 10**6,
    "millionen": 10**6, "mrd.": 10**9, "mrd": 10**9, "milliarde": 10**9, "milliarden": 10**9,
    "bio.": 10**12, "billion": 10**12, "billionen": 10**12,
}  # fmt: skip
_SCALES_EN = {
    "thousand": 10**3, "million": 10**6, "millions": 10**6, "mn": 10**6, "m": 10**6,
    "bn": 10**9, "billion": 10**9, "billions": 10**9, "tn": 10**12, "trillion": 10**12,
    "k": 10**3,
}  # fmt: skip
# Scale abbreviations that only count when glued to the number or after a currency ("$3.5bn").
_GLUED_SCALES = {"m", "bn", "mn", "tn", "k"}

_CURRENCY_SYMBOLS = {
    "us$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW", "₽": "RUB",
    "₴": "UAH", "eur": "EUR", "usd": "USD", "gbp": "GBP", "chf": "CHF", "jpy": "JPY",
    "cny": "CNY", "rub": "RUB", "krw": "KRW", "uah": "UAH", "sfr.": "CHF", "fr.": "CHF",
}  # fmt: skip
_CURRENCY_WORDS = {
    "€": "EUR", "euro": "EUR", "euros": "EUR", "eur": "EUR", "dollar": "USD", "dollars": "USD",
    "us-dollar": "USD", "usd": "USD", "pfund": "GBP", "pounds": "GBP", "pound": "GBP",
    "gbp": "GBP", "franken": "CHF", "chf": "CHF", "rubel": "RUB", "rubles": "RUB",
    "roubles": "RUB", "yuan": "CNY", "renminbi": "CNY", "yen": "JPY", "won": "KRW",
    "hrywnja": "UAH", "hrywnja.": "UAH", "hryvnia": "UAH", "hryvnias": "UAH", "cent": None,
}  # fmt: skip

_PERCENT_WORDS = {"%": "%", "prozent": "%", "percent": "%", "per cent": "%",
                  "prozentpunkte": "pp", "prozentpunkten": "pp", "percentage points": "pp",
                  "percentage point": "pp", "prozentpunkt": "pp"}  # fmt: skip

_MEASURES = (
    "km²", "km2", "qkm", "km/h", "mph", "km", "kilometer", "kilometern", "kilometres",
    "kilometers", "meter", "metern", "metres", "meters", "m²", "cm", "mm", "kg", "kilogramm",
    "kilograms", "tonnen", "tonnes", "tons", "t", "liter", "litern", "litres", "liters",
    "grad", "degrees", "°c", "°f", "°", "quadratkilometer", "quadratkilometern", "hektar",
    "hectares", "ha", "meilen", "miles", "mile", "seemeilen", "feet", "ft", "barrel", "barrels",
    "mw", "gw", "kw", "kwh", "mwh", "gwh", "twh", "megawatt", "gigawatt",
)  # fmt: skip

# Capitalised German words after a number that are not counted nouns.
_NOT_UNITS_DE = {"uhr", "prozent", "euro", "dollar", "jahr", "jahrhundert", "mal"}

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Lower-case German words with adjective endings that are not adjectives (so they end the
# search for the counted noun instead of being skipped like "nordkoreanischen").
_DE_ADJECTIVE = re.compile(r"[a-zäöüß-]+(?:e|en|er|es|em)")
_DE_NOT_ADJECTIVES = _words(
    "der die das des dem den ein eine einer eines einem einen kein keine keiner keinen keinem "
    "seien haben werden wurden waren sollen wollen können müssen dürfen unter über wieder aber "
    "oder immer jeder jede jedes jeden jedem hinter weiter vorher nachher später außer diese "
    "dieser dieses diesem diesen jene jener sie wir ihre ihrer ihren ihrem seine seiner seinen "
    "seinem unsere unserer euer eure alle allen aller alles andere anderen anderer beide beiden "
    "mehrere mehreren wenige wenigen viele vielen einige einigen manche manchen gegen ohne wegen "
    "während seit oder sondern bevor nachdem sobald hatte hatten wäre wären gewesen worden"
)
_EN_STOPWORDS = _words(
    "a an the of to in on at by for from with and or but as is are was were be been being "
    "has have had do does did will would shall should can could may might must that this these "
    "those than then there here it its they them their he she his her we our you your i me my "
    "not no nor so if when while after before since until into onto over under about per each "
    "more most less least some any all both other such only also just up down out off who "
    "which what where why how percent per cent"
)
_EN_ADJECTIVE = re.compile(
    r"(?:North|South|East|West|Central|[A-Z][a-z]+(?:an|ese|ish|ian|i|ic)|[a-z]+(?:ed|al|ive|ous|ful|ern|ic|ing|an)"
    r"|more|new|additional|other|further|extra)$"
)

_ARTICLE_FORMS = {
    "de": {"ein", "eine", "einen", "einem", "einer", "eines", "eins"},
    "en": {"a", "an", "one"},
}
_ORDINAL_CONTEXT_DE = {
    "der", "die", "das", "dem", "den", "des", "am", "im", "zum", "zur", "vom", "beim", "ins",
    "sein", "seine", "seinem", "seinen", "seiner", "ihr", "ihre", "ihrem", "ihren", "ihrer",
    "jeder", "jede", "jedes", "jeden", "jedem", "unser", "unsere", "dieser", "diese", "dieses",
}  # fmt: skip
_YEAR_CONTEXT = {
    "im", "jahr", "jahre", "jahres", "seit", "bis", "von", "vor", "nach", "ab", "anfang", "ende",
    "mitte", "frühjahr", "sommer", "herbst", "winter", "in", "since", "by", "until", "year",
    "early", "late", "mid", "spring", "summer", "autumn", "fall", "before", "after", "from",
    "during", "während", "zwischen", "between", "and", "und", "of",
}  # fmt: skip

_NUMBER_WORD_PARTS_DE = (
    "null", "eins", "ein", "zwei", "zwo", "drei", "vier", "fünf", "sechs", "sech", "sieben",
    "sieb", "acht", "neun", "zehn", "elf", "zwölf", "zwanzig", "dreißig", "dreissig", "zig",
    "hundert", "tausend", "und", "e",
)  # fmt: skip
_NUMBER_WORDS_EN = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand",
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# regexes (compiled once)

_W = r"A-Za-zÄÖÜäöüßÀ-ÿ"
_NUM = re.compile(rf"(?<![\w.,/+\-−–])(?<![{_W}]-)(?>\d+(?:[.,]\d+)*)(?!/\d)")
_SEP_NUM_DE = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_SEP_NUM_EN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_WORD = re.compile(rf"[{_W}]+(?:-[{_W}]+)*")
_SPACE = r"[ \u00a0\u202f]"
_NEXT_WORD = re.compile(rf"{_SPACE}+({_WORD.pattern})")

_PHONE = re.compile(
    r"(?<![\w.,])(?:\+\d{1,3}[ \u00a0/-]?(?:\(0\)[ ]?)?\d[\d \u00a0/-]{5,24}\d"
    r"|0\d{2,5}[ \u00a0]?[/-][ \u00a0]?\d[\d \u00a0-]{2,20}\d"
    r"|0\d{2,5}[ \u00a0]\d{3,12}(?:[ \u00a0-]\d{2,6}){0,4}"
    r"|\d{9,})(?![\w])"
)
_ISO_DATE = re.compile(r"(?<![\w.-])(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ](\d{2}):(\d{2}))?(?![\w-])")
_NUMERIC_DATE = re.compile(
    r"(?<![\w.,])(\d{1,2})\.[ \u00a0]?(\d{1,2})\.(?:[ \u00a0]?(\d{4}|\d{2})(?![\w.,]\d))?"
)
_SLASH_DATE = re.compile(r"(?<![\w/.])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\w/])")
_TIME_DE = re.compile(
    rf"(?<![\w.,:])([01]?\d|2[0-3])(?:[:.]([0-5]\d))?{_SPACE}?Uhr(?:{_SPACE}?(MESZ|MEZ|UTC))?\b"
)
_TIME_EN = re.compile(
    rf"(?<![\w.,:])(1[0-2]|0?[1-9])(?::([0-5]\d))?{_SPACE}?([ap])\.?m\.?(?![\w])", re.I
)
_TIME_COLON = re.compile(
    rf"(?<![\w.,:])([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?(?:{_SPACE}?(UTC|GMT|MEZ|MESZ))?(?![\w:])"
)


@functools.cache
def _month_pattern(lang: str) -> str:
    months = _MONTHS_DE if lang == "de" else _MONTHS_EN
    names = sorted(months, key=len, reverse=True)
    full = _FULL_MONTH_NAMES
    return "|".join(re.escape(n) if n in full else rf"{re.escape(n)}\.?" for n in names)


@functools.cache
def _textual_date_patterns(lang: str) -> tuple[re.Pattern[str], ...]:
    month = _month_pattern(lang)
    if lang == "de":
        day_month = re.compile(
            rf"(?<![\w.,])(?P<day>\d{{1,2}})\.{_SPACE}?(?P<month>{month})(?![\w])"
            rf"(?:{_SPACE}(?P<year>\d{{4}})(?![\w.,]\d))?",
            re.I,
        )
        month_year = re.compile(
            rf"(?<![\w])(?:(?P<prep>im){_SPACE})?(?P<month>{month})(?![\w])"
            rf"{_SPACE}(?P<year>\d{{4}})(?![\w.,]\d)",
            re.I,
        )
        bare_month = re.compile(
            rf"(?<![\w])(?:(?P<prep>im)|(?:seit|bis|ab|anfang|mitte|ende|vom|von|zum|nach|"
            rf"vor|für|letzten|vergangenen|kommenden|nächsten|diesen)){_SPACE}"
            rf"(?P<month>{month})(?![\w])",
            re.I,
        )
        return (day_month, month_year, bare_month)
    month_day = re.compile(
        rf"(?<![\w])(?P<month>{month})(?![\w]){_SPACE}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
        rf"(?![\w])(?:,?{_SPACE}(?P<year>\d{{4}})(?![\w.,]\d))?",
        re.I,
    )
    day_month = re.compile(
        rf"(?<![\w.,])(?P<day>\d{{1,2}})(?:st|nd|rd|th)?{_SPACE}(?:of{_SPACE})?"
        rf"(?P<month>{month})(?![\w])(?:,?{_SPACE}(?P<year>\d{{4}})(?![\w.,]\d))?",
        re.I,
    )
    month_year = re.compile(
        rf"(?<![\w])(?:(?P<prep>in){_SPACE})?(?P<month>{month})(?![\w]),?{_SPACE}"
        rf"(?P<year>\d{{4}})(?![\w.,]\d)",
        re.I,
    )
    bare_month = re.compile(
        rf"(?<![\w])(?:(?P<prep>in)|(?:since|until|till|by|from|early|mid|late|last|next|"
        rf"this|through|during|before|after)){_SPACE}(?P<month>{month})(?![\w])",
        re.I,
    )
    return (month_day, day_month, month_year, bare_month)


_TIME_SCANNER = re.compile(r"\d(?::\d|[ \u00a0\u202f]?(?:Uhr|[ap]\.?m))", re.I)


@functools.cache
def _month_scanner(lang: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?=[jfmasond])(?:{_month_pattern(lang)})(?![\w])", re.I)


@functools.cache
def _weekday_scanner(lang: str) -> re.Pattern[str]:
    days = _WEEKDAYS_DE if lang == "de" else _WEEKDAYS_EN
    return re.compile(rf"(?=[mdfsotw])(?:{'|'.join(days)})", re.I)


@functools.cache
def _weekday_pattern(lang: str) -> re.Pattern[str]:
    if lang == "de":
        days = "|".join(_WEEKDAYS_DE)
        return re.compile(
            rf"(?<![\w])(?:(?P<prep>am){_SPACE}(?:(?P<mod>kommenden|nächsten|vergangenen|"
            rf"letzten|vorigen){_SPACE})?)?(?P<day>(?:{days})(?:morgen|vormittag|mittag|"
            rf"nachmittag|abend|nacht)?)(?![\w])",
            re.I,
        )
    days = "|".join(_WEEKDAYS_EN)
    return re.compile(
        rf"(?<![\w])(?:(?P<prep>on){_SPACE})?(?:(?P<mod>next|last|this|coming|past)"
        rf"{_SPACE})?(?P<day>(?:{days}))(?:{_SPACE}(?:morning|afternoon|evening|night))?"
        rf"(?![\w])",
        re.I,
    )


@functools.cache
def _suffix_pattern(lang: str) -> re.Pattern[str]:
    """What may follow a number: scale word, then currency / percent / measurement unit."""
    scales = sorted({*_SCALES, *_SCALES_EN}, key=len, reverse=True)
    scale_alt = "|".join(re.escape(s) for s in scales)
    currencies = sorted(_CURRENCY_WORDS, key=len, reverse=True)
    currency_alt = "|".join(re.escape(c) for c in currencies)
    percents = sorted(_PERCENT_WORDS, key=len, reverse=True)
    percent_alt = "|".join(re.escape(p).replace(r"\ ", _SPACE) for p in percents)
    measure_alt = "|".join(re.escape(m) for m in sorted(_MEASURES, key=len, reverse=True))
    return re.compile(
        rf"(?P<sgap>{_SPACE}?)(?P<scale>{scale_alt})(?![\w])(?:(?<=\.)|(?<!\.))"
        rf"|(?P<cgap>{_SPACE}?)(?P<currency>{currency_alt})(?![\w])"
        rf"|{_SPACE}?(?P<percent>{percent_alt})(?![\w])"
        rf"|{_SPACE}?(?P<measure>{measure_alt})(?![\w²/])",
        re.I,
    )


_PREFIX_CURRENCY = re.compile(
    rf"(?:US\$|\$|€|£|¥|₩|₽|₴|(?:EUR|USD|GBP|CHF|JPY|CNY|RUB|KRW|UAH|Sfr\.|Fr\.){_SPACE}?)$",
    re.I,
)


# ---------------------------------------------------------------------------------------------
# number parsing


def _to_value(number: Decimal) -> int | float:
    integral = number.to_integral_value()
    if number == integral:
        return int(integral)
    return float(number)


def parse_number(token: str, lang: str) -> Decimal | None:
    """The value of a digit string with separators, read the way ``lang`` writes numbers.

    >>> parse_number("1.500", "de"), parse_number("3,5", "de"), parse_number("1,500", "en")
    (Decimal('1500'), Decimal('3.5'), Decimal('1500'))
    """
    english = lang in _DOT_DECIMAL_LANGS
    try:
        if english:
            if _SEP_NUM_EN.fullmatch(token):
                return Decimal(token.replace(",", ""))
            if token.count(",") == 1 and "." not in token:
                return Decimal(token.replace(",", "."))
            if token.count(".") <= 1 and "," not in token:
                return Decimal(token)
            if _SEP_NUM_DE.fullmatch(token):  # "1.500.000" in English text: still unambiguous
                return Decimal(token.replace(".", "").replace(",", "."))
            return None
        if _SEP_NUM_DE.fullmatch(token):
            return Decimal(token.replace(".", "").replace(",", "."))
        if token.count(",") == 1 and "." not in token:
            return Decimal(token.replace(",", "."))
        if token.count(".") == 1 and "," not in token:
            return Decimal(token)
        if token.isdigit():
            return Decimal(token)
        if _SEP_NUM_EN.fullmatch(token):  # "1,500,000" in German text: still unambiguous
            return Decimal(token.replace(",", ""))
        return None
    except InvalidOperation:
        return None


# Languages that write a decimal point (the rest are read German-style, decimal comma).
_DOT_DECIMAL_LANGS = frozenset({"en", "zh", "ja", "ko", "he", "hi", "th", "ms", "tl", "ga"})


@functools.cache
def _number_word_value(word: str, lang: str) -> int | None:
    """``text2num``'s value for one number word (cached); None when it is not one."""
    from text_to_num import text2num

    try:
        return int(text2num(word.lower(), lang))
    except (ValueError, TypeError, IndexError, KeyError):
        return None


_DE_NUMBER_WORD = re.compile(
    rf"(?i:(?:{'|'.join(sorted(_NUMBER_WORD_PARTS_DE, key=len, reverse=True))})+)"
)
_EN_NUMBER_WORD = re.compile(
    rf"(?i:(?:{'|'.join(_NUMBER_WORDS_EN)})(?:-(?:{'|'.join(_NUMBER_WORDS_EN)}))?)"
)
_EN_NUMBER_CONTINUATION = re.compile(
    rf"\s+(?:and\s+)?({_EN_NUMBER_WORD.pattern})(?![\w-])", re.I
)


@functools.cache
def _number_word_scanner(lang: str) -> re.Pattern[str]:
    """Number words (and "a dozen"/"ein Dutzend") as whole words, not inside compounds."""
    words = _DE_NUMBER_WORD if lang == "de" else _EN_NUMBER_WORD
    return re.compile(
        rf"(?<![\w-])(?:(?P<dozen>(?:a|an|one|ein)\s+(?:dozen|dutzend))|(?P<word>{words.pattern}))"
        rf"(?![\w-])",
        re.I,
    )


# ---------------------------------------------------------------------------------------------
# reference dates


def resolve_reference_date(value: str | date | datetime | None) -> date | None:
    """A ``date`` from an ISO 8601 string/date/datetime (the article's published time), or None
    when it is missing or unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _nearest_month(month: int, ref: date) -> int:
    """The year a month without one means: the reference year, unless the month is nine or
    more months away in it (then the neighbouring year: "im Januar" in a December article)."""
    diff = month - ref.month
    if diff >= 9:
        return ref.year - 1
    if diff <= -9:
        return ref.year + 1
    return ref.year


def _nearest_day(month: int, day: int, ref: date) -> int | None:
    """The year a day and month without one means (as :func:`_nearest_month`)."""
    year = _nearest_month(month, ref)
    try:
        date(year, month, day)
    except ValueError:
        return None
    return year


def _date_value(year: int | None, month: int, day: int | None, ref: date | None) -> str | None:
    """ISO 8601 for a (partial) date, completed from ``ref`` when the year is missing."""
    if not 1 <= month <= 12:
        return None
    if day is not None:
        if not 1 <= day <= 31:
            return None
        if year is None and ref is not None:
            year = _nearest_day(month, day, ref)
            if year is None:
                return None
        if year is None:
            return f"--{month:02d}-{day:02d}" if day <= (29 if month == 2 else 31) else None
        if day > calendar.monthrange(year, month)[1]:
            return None
        return f"{year:04d}-{month:02d}-{day:02d}"
    if year is None:
        year = _nearest_month(month, ref) if ref is not None else None
    return f"--{month:02d}" if year is None else f"{year:04d}-{month:02d}"


def _two_digit_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


# ---------------------------------------------------------------------------------------------
# the finder


class _Spans:
    """Taken character ranges (a mask: news articles are small)."""

    __slots__ = ("mask",)

    def __init__(self, length: int) -> None:
        self.mask = bytearray(length)

    def free(self, start: int, end: int) -> bool:
        return not any(self.mask[start:end])

    def take(self, start: int, end: int) -> None:
        self.mask[start:end] = b"\x01" * (end - start)


class _Finder:
    def __init__(self, text: str, lang: str, ref: date | None, exclude: Sequence[tuple[int, int]]):
        self.text = text
        self.lang = lang if lang in ("de", "en") else ("en" if lang in _DOT_DECIMAL_LANGS else "de")
        self.number_lang = lang
        self.ref = ref
        self.taken = _Spans(len(text))
        self.blocked = _Spans(len(text))  # junk (phone numbers, ordinals): never in a figure
        self.names = _Spans(len(text))  # excluded spans: no figure starts inside one
        for start, end in exclude:
            self.names.take(max(0, start), min(len(text), end))
        self.figures: list[Figure] = []

    def add(self, start: int, end: int, kind: str, value: Value, unit: str | None = None) -> bool:
        if start >= end or value is None:
            return False
        if not self.taken.free(start, end) or not self.blocked.free(start, end):
            return False
        if not self.names.free(start, start + 1):
            return False
        self.taken.take(start, end)
        self.figures.append(Figure(start, end, self.text[start:end], kind, value, unit))
        return True

    # -- passes ---------------------------------------------------------------------------------
    def run(self) -> list[Figure]:
        words = self.number_lang in ("de", "en")  # word lists exist for German and English only
        if not any(ch.isdigit() for ch in self.text):
            if words:
                self.weekdays()
                self.textual_dates()
                self.number_words()
            return sorted(self.figures, key=lambda f: f.start)
        self.junk()
        self.iso_dates()
        self.numeric_dates()
        if words:
            self.textual_dates()
        self.times()
        if words:
            self.weekdays()
        self.numbers()
        if words:
            self.number_words()
        return sorted(self.figures, key=lambda f: f.start)

    def junk(self) -> None:
        for match in _PHONE.finditer(self.text):
            self.blocked.take(match.start(), match.end())
        if self.lang == "de":
            for match in re.finditer(r"(?<![\w.,])(\d{1,3})\.(?=[ \u00a0]+([\w]+))", self.text):
                before = self.text[max(0, match.start() - 20) : match.start()].split()
                following = match.group(2)
                month_like = following.lower().rstrip(".") in _MONTHS_DE
                if month_like:
                    continue
                if (before and before[-1].lower() in _ORDINAL_CONTEXT_DE) or following[
                    0
                ].islower():
                    self.blocked.take(match.start(), match.end())

    def iso_dates(self) -> None:
        for match in _ISO_DATE.finditer(self.text):
            year, month, day = int(match[1]), int(match[2]), match[3]
            value = _date_value(year, month, int(day) if day else None, None)
            if value is None or not 1000 <= year <= 2999:
                continue
            if match[4] is not None:
                if int(match[4]) > 23 or int(match[5]) > 59:
                    continue
                value = f"{value}T{match[4]}:{match[5]}"
                self.add(match.start(), match.end(), "date", value)
            else:
                self.add(match.start(), match.end(), "date", value)

    def numeric_dates(self) -> None:
        for match in _NUMERIC_DATE.finditer(self.text):
            day, month = int(match[1]), int(match[2])
            year = _two_digit_year(match[3]) if match[3] else None
            if year is None and match.end() < len(self.text) and self.text[match.end()].isdigit():
                continue
            value = _date_value(year, month, day, self.ref)
            if value is not None:
                self.add(match.start(), match.end(), "date", value)
        for match in _SLASH_DATE.finditer(self.text):
            first, second, year = int(match[1]), int(match[2]), _two_digit_year(match[3])
            if self.lang == "en" and first <= 12:
                month, day = first, second
            else:
                day, month = first, second
            value = _date_value(year, month, day, None)
            if value is not None:
                self.add(match.start(), match.end(), "date", value)

    def _windows(self, scanner: re.Pattern[str]) -> list[tuple[int, int]]:
        """Text windows around the hits of a cheap scanner (the full patterns run only there)."""
        windows: list[tuple[int, int]] = []
        for hit in scanner.finditer(self.text):
            start, end = max(0, hit.start() - 40), min(len(self.text), hit.end() + 40)
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], end)
            else:
                windows.append((start, end))
        return windows

    def _matches(
        self, pattern: re.Pattern[str], windows: list[tuple[int, int]]
    ) -> list[re.Match[str]]:
        """``pattern``'s matches inside ``windows``, re-matched against the whole text (so a
        window's end never cuts a match short)."""
        found = []
        for start, end in windows:
            for match in pattern.finditer(self.text, start, end):
                full = pattern.match(self.text, match.start())
                if full is not None:
                    found.append(full)
        return found

    def textual_dates(self) -> None:
        months = _MONTHS_DE if self.lang == "de" else _MONTHS_EN
        windows = self._windows(_month_scanner(self.lang))
        if not windows:
            return
        for pattern in _textual_date_patterns(self.lang):
            for match in self._matches(pattern, windows):
                groups = match.groupdict()
                month = months[groups["month"].lower().rstrip(".")]
                day = groups.get("day")
                year = int(groups["year"]) if groups.get("year") else None
                start = match.start()
                if groups.get("prep") is None and pattern is _textual_date_patterns(self.lang)[-1]:
                    start = match.start("month")
                value = _date_value(year, month, int(day) if day else None, self.ref)
                self.add(start, match.end(), "date", value)

    def times(self) -> None:
        windows = self._windows(_TIME_SCANNER)
        if not windows:
            return
        for pattern in (_TIME_DE, _TIME_EN, _TIME_COLON):
            for match in self._matches(pattern, windows):
                hour = int(match[1])
                minute = int(match[2]) if match[2] else 0
                zone = None
                if pattern is _TIME_EN:
                    hour = hour % 12 + (12 if match[3].lower() == "p" else 0)
                elif match.lastindex and match.lastindex >= 3 and match[3]:
                    zone = match[3].upper()
                value = f"{hour:02d}:{minute:02d}"
                if zone in ("UTC", "GMT"):
                    value += "Z"
                elif zone == "MEZ":
                    value += "+01:00"
                elif zone == "MESZ":
                    value += "+02:00"
                self.add(match.start(), match.end(), "time", value)

    def weekdays(self) -> None:
        days = _WEEKDAYS_DE if self.lang == "de" else _WEEKDAYS_EN
        windows = self._windows(_weekday_scanner(self.lang))
        for match in self._matches(_weekday_pattern(self.lang), windows):
            word = match["day"].lower()
            weekday = next(v for k, v in days.items() if word.startswith(k))
            modifier = (match["mod"] or "").lower()
            start = match.start() if match["prep"] else match.start("mod" if modifier else "day")
            if self.ref is None:
                value = f"-W-{weekday + 1}"
            else:
                back = (self.ref.weekday() - weekday) % 7
                if modifier in ("kommenden", "nächsten", "next", "coming"):
                    target = self.ref + timedelta(days=(weekday - self.ref.weekday()) % 7 or 7)
                elif modifier in ("vergangenen", "letzten", "vorigen", "last", "past"):
                    target = self.ref - timedelta(days=back or 7)
                else:
                    target = self.ref - timedelta(days=back)
                value = target.isoformat()
            self.add(start, match.end(), "date", value)

    def numbers(self) -> None:
        text = self.text
        suffix = _suffix_pattern(self.lang)
        for match in _NUM.finditer(text):
            token = match.group()
            start, end = match.start(), match.end()
            if not self.taken.free(start, end) or not self.blocked.free(start, end):
                continue
            if end < len(text) and text[end].isalpha() and not suffix.match(text, end):
                continue  # "5G", "3D", "10er"
            number = parse_number(token, self.number_lang)
            if number is None:
                continue
            self.number_figure(start, end, number, year_like=_is_year_token(token))

    def number_words(self) -> None:
        text = self.text
        articles = _ARTICLE_FORMS[self.lang]
        for match in _number_word_scanner(self.lang).finditer(text):
            if match["dozen"] is not None:
                self.number_figure(match.start(), match.end(), Decimal(12), year_like=False)
                continue
            word = match["word"]
            low = word.lower()
            if low in articles or low in ("und", "e", "zig", "sech", "sieb"):
                continue
            value = _number_word_value(word, self.lang)
            if value is None:
                continue
            previous = _previous_word(text, match.start()).lower() if word[0].isupper() else ""
            if self.lang == "de" and low == "acht" and previous in ("außer", "in", "acht"):
                continue  # "außer Acht lassen", "in Acht nehmen"
            if self.lang == "de" and low == "elf" and previous in ("die", "der", "deutsche"):
                continue  # "die Elf": the football team
            start, end = match.start(), match.end()
            if self.lang == "en":  # "two hundred fifty", "one hundred and twenty"
                words = [word]
                while (more := _EN_NUMBER_CONTINUATION.match(text, end)) is not None:
                    joined = _number_phrase_value([*words, more.group(1)])
                    if joined is None:
                        break
                    words.append(more.group(1))
                    value, end = joined, more.end()
            self.number_figure(start, end, Decimal(value), year_like=False)

    def number_figure(self, start: int, end: int, number: Decimal, *, year_like: bool) -> None:
        """Extend a number with scale, currency, percent or unit and record it."""
        text = self.text
        suffix = _suffix_pattern(self.lang)
        kind, unit = "number", None
        scaled = False
        prefix = _PREFIX_CURRENCY.search(text, max(0, start - 5), start)
        if prefix is not None:
            kind, unit = "money", _CURRENCY_SYMBOLS[prefix.group().strip().lower()]
            start = prefix.start()
        pos = end
        for _ in range(2):
            m = suffix.match(text, pos)
            if m is None:
                break
            if m["scale"] is not None and not scaled:
                scale_word = m["scale"].lower()
                if scale_word in _GLUED_SCALES and m["sgap"] and kind != "money":
                    break
                if scale_word in _GLUED_SCALES and kind != "money" and not _currency_follows(
                    text, m.end()
                ):
                    break
                factor = _SCALES.get(scale_word) or _SCALES_EN.get(scale_word)
                if factor is None:
                    break
                number *= factor
                scaled, pos = True, m.end()
                continue
            if m["currency"] is not None and kind == "number":
                code = _CURRENCY_WORDS[m["currency"].lower()]
                if code is None:
                    break
                kind, unit, pos = "money", code, m.end()
                break
            if m["percent"] is not None and kind == "number":
                percent_word = " ".join(m["percent"].lower().split())
                kind, unit, pos = "percent", _PERCENT_WORDS[percent_word], m.end()
                break
            if m["measure"] is not None and kind == "number":
                if m["measure"].lower() in ("t", "m") and self.lang == "de" and not scaled:
                    break
                kind, unit, pos = "quantity", m["measure"], m.end()
                break
            break
        if kind == "number" and year_like and not scaled:
            year = int(number)
            if self.is_year_context(start, pos):
                self.add(start, pos, "date", f"{year:04d}")
                return
        if kind == "number":
            unit = self.counted_noun(pos)
        self.add(start, pos, kind, _to_value(number), unit)

    def is_year_context(self, start: int, end: int) -> bool:
        previous = _previous_word(self.text, start).lower()
        if previous in _YEAR_CONTEXT:
            return True
        # a bare year-like number with no counted noun: a year
        return self.counted_noun(end) is None

    def counted_noun(self, pos: int) -> str | None:
        """The noun a number counts ("1.500 nordkoreanischen Soldaten" → "Soldaten")."""
        text = self.text
        skipped = 0
        while skipped <= 2:
            m = _NEXT_WORD.match(text, pos)
            if m is None:
                return None
            word = m.group(1)
            low = word.lower()
            if self.lang == "de":
                if word[0].isupper():
                    if low in _NOT_UNITS_DE or low.rstrip(".") in _MONTHS_DE or low in _WEEKDAYS_DE:
                        return None
                    if not self.names.free(m.start(1), m.end(1)):
                        return None  # a name ("1.500 Russland"?): not a counted noun
                    return word
                if _DE_ADJECTIVE.fullmatch(word) and low not in _DE_NOT_ADJECTIVES:
                    skipped += 1
                    pos = m.end(1)
                    continue
                return None
            if low in _EN_STOPWORDS or low in _MONTHS_EN or low in _WEEKDAYS_EN:
                return None
            if low in _CURRENCY_WORDS or low in _SCALES_EN:
                return None
            if _EN_ADJECTIVE.match(word) and skipped < 2:
                nxt = _NEXT_WORD.match(text, m.end(1))
                if nxt is not None and nxt.group(1).lower() not in _EN_STOPWORDS:
                    skipped += 1
                    pos = m.end(1)
                    continue
            if word[0].isupper() and not self.names.free(m.start(1), m.end(1)):
                return None
            if word[0].isupper() and skipped == 0 and word.isalpha() and not word.islower():
                # capitalised words after a number in English are usually names
                # ("Flight 17 Amsterdam"), except demonym-led counted nouns handled above
                return None
            return word
        return None


def _currency_follows(text: str, pos: int) -> bool:
    return re.match(rf"{_SPACE}?(?:€|\$|euros?|dollars?|pounds?|EUR|USD)(?![\w])", text[pos:],
                    re.I) is not None


def _is_year_token(token: str) -> bool:
    return len(token) == 4 and token.isdigit() and 1800 <= int(token) <= 2199


def _previous_word(text: str, pos: int) -> str:
    m = re.search(rf"({_WORD.pattern})\W*$", text[max(0, pos - 40) : pos])
    return m.group(1) if m else ""


def _number_phrase_value(words: list[str]) -> int | None:
    from text_to_num import text2num

    try:
        return int(text2num(" ".join(w.lower() for w in words), "en"))
    except (ValueError, TypeError, IndexError, KeyError):
        return None


def find_figures(
    text: str,
    lang: str,
    *,
    reference_date: str | date | datetime | None = None,
    exclude: Sequence[tuple[int, int]] = (),
) -> list[Figure]:
    """Figures in ``text`` (non-overlapping, sorted by start).

    ``lang`` picks the number notation and the word lists ("de"; "en"; any other code reads
    digits only: German-style unless the language writes a decimal point, no number words,
    month or weekday names). ``reference_date`` (ISO 8601 or a date) resolves relative dates;
    ``exclude`` lists spans (e.g. named entities) that must not hold a figure.
    """
    if not text:
        return []
    finder = _Finder(text, lang, resolve_reference_date(reference_date), exclude)
    return finder.run()
