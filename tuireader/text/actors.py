"""Actors: the people, organisations and places an article is about, with their roles.

:func:`build_actors` merges one article's entity mentions into :class:`Actor` objects:

* **Persons.** Every distinct full form (the longest name forms, e.g. "Kim Hong Kyun", "Kim Jong
  Un") is its own actor. A shorter form ("Rutte", "Kim", "Putins", "Yoon's") links to the full
  name that contains it, the most recent such name before the mention; when none precedes it
  and exactly one full name in the article contains it, to that one; when several do, the short
  form stays its own actor (never guess across two Kims). German genitives ("Putins", "Yoons",
  "Scholz'") and English possessives ("Biden's") are folded to the name.
* **Organisations, places, other names** merge by case-folded name with genitive folding
  ("Russlands" → "Russland", "NATO"/"Nato"). A demonym adjective the NER labelled
  ("nordkoreanischen") joins the country actor it derives from when that country is named.
* **Canonical name**: the longest form in the article (ties: the most frequent, then the first).
* **Role**: the title in front of a person's name ("Außenminister Kim Hong Kyun",
  "NATO-Generalsekretär Mark Rutte", "Secretary of State Antony Blinken", "NATO chief Mark
  Rutte") or in an apposition right after it ("Mark Rutte, der Generalsekretär der Nato"), from
  curated title words and title suffixes ("…minister", "…sekretär", "…sprecher", "…chef"), with
  hyphen compounds kept whole and German inflection folded ("Präsidenten" → "Präsident").
  Titles the NER included in a person span are cut off the mention and become the role.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "Actor",
    "EntityLike",
    "Mention",
    "build_actors",
    "clean_entities",
    "generic_institution",
    "title_base",
    "title_role",
]


class EntityLike(Protocol):
    """What :func:`build_actors` needs of an entity (``tuireader.text.ner.Entity`` fits)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def label(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention after clean-up (``text == input[start:end]``)."""

    start: int
    end: int
    text: str
    label: str

    def as_dict(self) -> dict[str, object]:
        """The CLI contract's entity object."""
        return {"start": self.start, "end": self.end, "text": self.text, "label": self.label}


@dataclass(slots=True)
class Actor:
    """One person, organisation or place of an article."""

    name: str
    label: str
    role: str | None = None
    mentions: list[tuple[int, int]] = field(default_factory=list)
    quotes: list[dict[str, object]] = field(default_factory=list)

    @property
    def first(self) -> int:
        """Where the actor is first mentioned."""
        return min(start for start, _ in self.mentions) if self.mentions else 0

    def as_dict(self) -> dict[str, object]:
        """The CLI contract's actor object."""
        return {
            "name": self.name,
            "label": self.label,
            "role": self.role,
            "mentions": [[start, end] for start, end in sorted(self.mentions)],
            "quotes": sorted(self.quotes, key=lambda q: int(q["start"])),  # type: ignore[call-overload]
        }


# ---------------------------------------------------------------------------------------------
# titles

_TITLE_WORDS = {
    "de": frozenset(
        (
            "präsident", "präsidentin", "kanzler", "kanzlerin", "botschafter", "botschafterin",
            "machthaber", "machthaberin", "staatschef", "staatschefin", "regierungschef",
            "regierungschefin", "bürgermeister", "bürgermeisterin", "general", "generalin",
            "generalleutnant", "generalmajor", "generaloberst", "oberst", "admiral", "papst",
            "könig", "königin", "prinz", "prinzessin", "kaiser", "diktator", "diktatorin",
            "premier", "premierministerin", "senator", "senatorin", "abgeordneter",
            "abgeordnete", "gouverneur", "gouverneurin", "vorsitzender", "vorsitzende",
            "anführer", "anführerin", "chef", "chefin", "sprecher", "sprecherin", "minister",
            "ministerin", "sekretär", "sekretärin", "kommandeur", "kommandeurin",
            "befehlshaber", "oppositionsführer", "oppositionsführerin", "kardinal", "bischof",
            "richter", "richterin", "staatsanwalt", "staatsanwältin", "professor", "professorin",
            "gesandter", "gesandte", "diplomat", "diplomatin", "regierungssprecher", "emir",
            "scheich", "kronprinz", "ministerpräsident", "ministerpräsidentin", "vize",
            "vizepräsident", "vizepräsidentin", "vizekanzler", "vizekanzlerin",
        )
    ),
    "en": frozenset(
        (
            "president", "minister", "secretary", "chief", "leader", "spokesman",
            "spokeswoman", "spokesperson", "ambassador", "chancellor", "mayor", "governor",
            "senator", "sen.", "rep.", "representative", "general", "gen.", "admiral",
            "colonel", "col.", "commander", "king", "queen", "prince", "princess", "pope",
            "premier", "chairman", "chairwoman", "chair", "director", "envoy", "diplomat",
            "ceo", "dictator", "judge", "justice", "prosecutor", "cardinal", "bishop",
            "emir", "sheikh", "secretary-general", "speaker", "head", "lt.", "sgt.", "captain",
            "capt.", "lieutenant", "sergeant", "major",
        )
    ),
}  # fmt: skip
_TITLE_SUFFIXES = {
    "de": (
        "minister", "ministerin", "sekretär", "sekretärin", "sprecher", "sprecherin", "chef",
        "chefin", "präsident", "präsidentin", "kanzler", "kanzlerin", "botschafter",
        "botschafterin", "führer", "führerin", "leiter", "leiterin", "kommandeur",
        "kommandeurin", "befehlshaber", "befehlshaberin", "vorsitzender", "vorsitzende",
        "beauftragter", "beauftragte", "bürgermeister", "bürgermeisterin", "direktor",
        "direktorin", "berater", "beraterin", "gesandter", "diplomat", "diplomatin",
        "general", "machthaber", "senator", "senatorin", "gouverneur", "gouverneurin",
        "politiker", "politikerin", "experte", "expertin", "analyst", "analystin", "aktivist",
        "aktivistin", "journalist", "journalistin", "forscher", "forscherin", "ökonom",
        "ökonomin", "historiker", "historikerin", "anwalt", "anwältin", "trainer", "trainerin",
        "kommissar", "kommissarin", "offizier", "offizierin", "kandidat", "kandidatin",
        "abgeordneter", "abgeordnete", "funktionär", "funktionärin", "vertreter", "vertreterin",
    ),
    "en": ("minister", "president", "secretary", "spokesman", "spokeswoman", "-general",
           "politician", "analyst", "expert", "activist", "journalist", "lawmaker", "candidate",
           "official", "commissioner", "economist", "coach", "founder", "adviser", "advisor",
           "negotiator", "researcher", "historian", "lawyer", "attorney", "officer"),
}  # fmt: skip
# Address forms and academic titles: skipped in front of names, never a role.
_HONORIFICS = frozenset(
    {"herr", "frau", "dr.", "prof.", "mr.", "mrs.", "ms.", "mr", "mrs", "ms", "dr", "sir", "dame"}
)
_EN_ROLE_MODIFIERS = (
    r"former|acting|deputy|vice|prime|foreign|defen[cs]e|interior|finance|state|home|justice|"
    r"health|trade|economy|economic|security|army|military|opposition|party|group|alliance|"
    r"national|federal|UN|EU|U\.S\.|US|UK|NATO|Nato|Kremlin|White House|Pentagon|"
    r"[A-Z]{2,6}|Supreme|Chief|Joint|Staff|Foreign|Defense|Defence|Prime|Vice|Deputy|Interior|"
    r"Finance|Home|State|Acting|Former"
)
_EN_HEADS = "|".join(
    re.escape(w)
    for w in sorted(
        {*_TITLE_WORDS["en"], *(s for s in _TITLE_SUFFIXES["en"] if s[0].isalpha())},
        key=len,
        reverse=True,
    )
)
_EN_ROLE_BEFORE = re.compile(
    rf"(?<![\w.])((?:(?:{_EN_ROLE_MODIFIERS})[\s-]+){{0,3}}(?i:{_EN_HEADS})(?![\w])"
    rf"(?:\s+of\s+(?:the\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)?)\s+$"
)
_EN_HEAD_WORDS = frozenset(
    {*_TITLE_WORDS["en"], *(s for s in _TITLE_SUFFIXES["en"] if s[0].isalpha())}
)
_TITLE_OF_BEFORE = re.compile(
    r"(?P<role>(?P<head>[^\W\d_][\w.-]*)\s+(?:des|der|of|for)\s+(?:the\s+)?"
    r"[A-ZÄÖÜ][\w-]*(?:\s+[A-ZÄÖÜ][\w-]*)?),\s+$"
)
_WORDCHARS = r"[^\W\d_]"
_DE_TOKEN_BEFORE = re.compile(rf"((?:{_WORDCHARS}|[.\-])+)\s+$")
_TOKEN_RUN = re.compile(rf"(?:{_WORDCHARS}|[.\-])+")


def _last_token(before: str) -> tuple[str, int] | None:
    """What ``_DE_TOKEN_BEFORE.search(before)`` finds, as (group 1, start), without its cost:
    the regex search retries at every position of the 80-character window (quadratic in the
    word lengths); the token is the run of letters, dots and hyphens that ends where the
    trailing white space begins, found by matching the reversed text."""
    stripped = before.rstrip()  # str.isspace() is the regex's \s
    if len(stripped) == len(before):
        return None
    run = _TOKEN_RUN.match(stripped[::-1])
    if run is None:
        return None
    start = len(stripped) - run.end()
    return stripped[start:], start
_APPOSITION = re.compile(
    rf",\s+(?:(?:der|die|the|a|an|ein|eine|seit\s+\S+)\s+)?"
    rf"((?:{_WORDCHARS}|[.\-])+(?:\s+(?:of|des|der)\s+(?:the\s+)?{_WORDCHARS}+)?)"
)


@functools.lru_cache(maxsize=65536)
def _title_base(word: str, lang: str) -> str | None:
    """The title a (possibly hyphenated, possibly inflected) word is, or None.

    "NATO-Generalsekretär" → "NATO-Generalsekretär"; "Präsidentn"/"Präsidenten" → "Präsident".
    """
    if lang not in _TITLE_WORDS:
        return None
    head = word.rsplit("-", 1)[-1].lower()
    if not head or not word[:1].isalpha():
        return None
    if lang == "de" and not word[0].isupper():
        return None  # German titles are nouns: capitalised
    words, suffixes = _TITLE_WORDS[lang], _TITLE_SUFFIXES[lang]
    for trim in ("", "en", "n", "s", "es"):
        if trim and (lang != "de" or not head.endswith(trim)):
            continue
        stem = head[: len(head) - len(trim)] if trim else head
        if stem in words or (len(stem) > 3 and stem.endswith(suffixes)):
            return word[: len(word) - len(trim)] if trim else word
    return None


def title_base(word: str, lang: str) -> str | None:
    """The title ``word`` is, inflection folded ("Präsidenten" → "Präsident"), or None."""
    return _title_base(word, lang)


def title_role(text: str, start: int, end: int, lang: str) -> str | None:
    """The role a title right before ``text[start:end]`` (a name) or in an apposition right
    after it gives, or None."""
    before = text[max(0, start - 80) : start]
    if lang == "en":
        match = _EN_ROLE_BEFORE.search(before)
        if match:
            role = " ".join(match.group(1).split())
            if role.lower() not in _HONORIFICS:
                return role
    elif lang == "de":
        token = _last_token(before)
        if token:
            word: str = token[0].strip(".")
            if word.lower() in _HONORIFICS or word.lower() + "." in _HONORIFICS:
                earlier = _last_token(before[: token[1]])
                word = earlier[0].strip(".") if earlier else ""
            title = _title_base(word, lang) if word else None
            if title:
                return title
    # the pattern ends in ",\s+$": only a window ending in a comma and white space can match
    stripped = before.rstrip()
    leading = (
        _TITLE_OF_BEFORE.search(before)
        if stripped.endswith(",") and len(stripped) < len(before)
        else None
    )
    if leading:  # "Der Sprecher des Kremls, Dmitri Peskow"; "the head of the IAEA, Rafael Grossi"
        head = leading.group("head")
        if (lang == "de" and _title_base(head, lang)) or (
            lang == "en" and head.lower() in _EN_HEAD_WORDS
        ):
            return " ".join(leading.group("role").split())
    after = _APPOSITION.match(text, end)
    if after:
        candidate = after.group(1)
        first = candidate.split()[0].strip(".")
        if lang == "de":
            return _title_base(first, lang)
        if lang == "en" and _EN_ROLE_BEFORE.search(candidate + " "):
            return " ".join(candidate.split())
    return None


_TOKEN = re.compile(r"\S+")


def _cut_at_lowercase_word(mention: Mention, lang: str) -> Mention:
    """End a span the model ran on into the sentence before its first lower-case word that is
    no name particle ("Mark Rutte warned North Korea" → "Mark Rutte", "Rutte said" → "Rutte").
    German organisation and other names keep theirs ("Institut für Weltwirtschaft")."""
    if " " not in mention.text:
        return mention
    if lang == "de" and mention.label != "PER":
        return _cut_german_name_at_time_phrase(mention)
    for token in _TOKEN.finditer(mention.text):
        if token.start() == 0:
            continue
        word = token.group()
        if word[:1].islower() and word.lower() not in _NAME_PARTICLES:
            cut = mention.text[: token.start()].rstrip()
            return Mention(mention.start, mention.start + len(cut), cut, mention.label)
    return mention


def _cut_german_name_at_time_phrase(mention: Mention) -> Mention:
    """German organisation names keep their lower-case words ("Institut für Weltwirtschaft"),
    but a span the model ran on into a time phrase ends before it ("Statistische Bundesamt am
    Donnerstag um 8.00" → "Statistische Bundesamt"): cut at the first lower-case word followed
    by a number, weekday, month or "Uhr"."""
    tokens = list(_TOKEN.finditer(mention.text))
    for token, following in itertools.pairwise(tokens[1:]):
        word, after = token.group(), following.group()
        if not word[:1].islower():
            continue
        if after[:1].isdigit() or after.lower().rstrip(".,;:") in _GERMAN_TIME_WORDS:
            cut = mention.text[: token.start()].rstrip()
            return Mention(mention.start, mention.start + len(cut), cut, mention.label)
    return mention


def _strip_leading_title(entity: Mention, lang: str) -> tuple[Mention, str | None]:
    """Cut titles and honorifics the NER put into a person span ("Außenminister Kim ...")."""
    role = None
    text, start = entity.text, entity.start
    while True:
        match = re.match(r"(\S+)(\s+)", text)
        if match is None:
            break
        word = match.group(1)
        if word.lower() in _HONORIFICS:
            pass
        elif (title := _title_base(word, lang)) is not None:
            role = role or title
        else:
            break
        text, start = text[match.end() :], start + match.end()
    if start == entity.start:
        return entity, None
    return Mention(start, start + len(text), text, entity.label), role


# ---------------------------------------------------------------------------------------------
# clean-up and keys

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GERMAN_TIME_WORDS = _words(
    "montag dienstag mittwoch donnerstag freitag samstag sonntag januar februar märz april mai "
    "juni juli august september oktober november dezember uhr"
)


_PRONOUNS = _words(
    "er sie es ihn ihm ihr wir ich du man he she it him her they them we i you his its their "
    "dieser diese dieses der die das this that these those the a an according however but and "
    "meanwhile after before while although if when as yet so also"
)
# Lower-case words that may sit inside a name ("Bank of England", "Ursula von der Leyen").
_NAME_PARTICLES = _words(
    "of the and for de del della di da do dos du la le les von van der den zu zur vom y al el "
    "bin ibn ben af av st. für und"
)


def clean_entities(
    text: str, entities: Sequence[EntityLike], lang: str
) -> tuple[list[Mention], dict[int, str]]:
    """Entities made fit for linking.

    Spans are checked against ``text`` and trimmed of surrounding space and punctuation; titles
    are cut off person spans; non-names are dropped (pronouns, bare titles, single characters,
    German abstract nouns such as "Militärkooperation" labelled as a place, hyphen compounds of
    places labelled as a person such as "Pjöngjang-Moskau"); a person span directly followed by
    the rest of the name ("Yoon Suk" + "Yeol") is joined; and untagged occurrences of a short
    person name the model tagged elsewhere in the article ("Yoon", also as "Yoons") are added.

    Returns the mentions (sorted, non-overlapping) and the roles found inside person spans,
    keyed by the mention's start.
    """
    out: list[Mention] = []
    roles: dict[int, str] = {}
    last_end = -1
    for entity in sorted(entities, key=lambda e: (e.start, -e.end)):
        start, end = int(entity.start), int(entity.end)
        if not 0 <= start < end <= len(text):
            continue
        span = text[start:end]
        lead = len(span) - len(span.lstrip(" \t\n\"'„“”»«‚‘’(["))
        trail = len(span) - len(span.rstrip(" \t\n\"'„“”»«‚‘’)],;:!?"))
        start, end = start + lead, end - trail
        if end - start < 2 or start < last_end:
            continue
        mention = Mention(start, end, text[start:end], str(entity.label))
        mention = _cut_at_lowercase_word(mention, lang)
        if mention.label == "PER":
            mention, role = _strip_leading_title(mention, lang)
            if role:
                roles[mention.start] = role
        word = mention.text
        if len(word) < 2 or word.lower() in _PRONOUNS or word.lower() in _HONORIFICS:
            continue
        if " " not in word and _title_base(word, lang) is not None:
            continue  # a bare title ("Außenminister") is not a name
        if (
            lang == "de"
            and mention.label in ("LOC", "MISC", "PER")
            and _abstract_noun(word)
            and _demonym_stem(word, lang) is None
        ):
            continue
        out.append(mention)
        last_end = end
    out = _join_split_names(text, out)
    out = _drop_place_compounds(out, lang)
    out = _relabel(text, out, lang, roles)
    out = _add_short_name_occurrences(text, out, lang)
    return out, roles


def _relabel(text: str, mentions: list[Mention], lang: str, roles: dict[int, str]) -> list[Mention]:
    """Fix labels the rules are sure about: a known country or capital is a place; a name
    (not a known place, not an acronym) right after a person's title is a person
    ("Secretary of State Antony Blinken" tagged LOC)."""
    if not any(m.label != "PER" for m in mentions):
        return mentions
    places = _gazetteer_places(lang)
    out = []
    for mention in mentions:
        folded = _fold(mention.text)
        if mention.label in ("MISC", "ORG") and folded in places:
            mention = Mention(mention.start, mention.end, mention.text, "LOC")
        elif (
            mention.label != "PER"
            and folded not in places
            and not mention.text.isupper()
            and mention.text[:1].isupper()
            and (role := title_role(text, mention.start, mention.end, lang)) is not None
        ):
            mention = Mention(mention.start, mention.end, mention.text, "PER")
            roles.setdefault(mention.start, role)
        out.append(mention)
    return out


# German derivational suffixes of abstract/common nouns and of participles/adjectives
# ("Ernstzunehmende" at the start of a headline): never the end of a place or a name.
_ABSTRACT_SUFFIX = re.compile(
    r"(?:ung|heit|keit|schaft|tion|ismus|tät|nahme|ierung|kooperation|politik|krieg|krise"
    r"|ende|enden|ender|endem|endes|lichen|licher|liches|ischen|ischer|isches)$"
)


def _abstract_noun(word: str) -> bool:
    """A single German word that is a common noun by its suffix ("Militärkooperation")."""
    if " " in word or "-" in word:
        return False
    match = _ABSTRACT_SUFFIX.search(word)
    return match is not None and match.start() >= 5


# Heads of German compounds naming an institution generically ("Außenministerium",
# "Geheimdienst"): which country's is only clear from the context, so they are not actors.
_GENERIC_INSTITUTION_DE = re.compile(
    r"(?:ministerium|geheimdienst|nachrichtendienst|botschaft|regierung|behörde|armee|"
    r"streitkräfte|polizei|staatsanwaltschaft|militär|parlament|opposition|außenamt|"
    r"verteidigungsamt)(?:s|es)?$"
)
_GENERIC_INSTITUTION_EN = re.compile(
    r"(?:the\s+)?(?:(?:Foreign|Defen[cs]e|Interior|Finance|Justice|Health|Home|Economy|"
    r"Trade|Education|Intelligence)\s+)?(?:Ministry|Government|Embassy|Army|Military|Police|"
    r"Parliament|Opposition|Intelligence|Spy\s+Agency|Intelligence\s+Service)"
)


def generic_institution(name: str, lang: str) -> bool:
    """Whether ``name`` is a generic institution noun rather than a proper name
    ("Außenministerium", "Geheimdienst", "Foreign Ministry"; not "Bundesregierung",
    "Kreml", "Ministry of Defence")."""
    if lang == "de":
        if " " in name or "-" in name or name.startswith("Bundes"):
            return False
        return _GENERIC_INSTITUTION_DE.search(name.lower()) is not None
    if lang == "en":
        return _GENERIC_INSTITUTION_EN.fullmatch(name) is not None
    return False


def _join_split_names(text: str, mentions: list[Mention]) -> list[Mention]:
    """Join a person span and the single name word right after it ("Yoon Suk" "Yeol")."""
    joined: list[Mention] = []
    for mention in mentions:
        if joined:
            previous = joined[-1]
            gap = text[previous.end : mention.start]
            if (
                previous.label == "PER"
                and gap == " "
                and mention.label in ("PER", "ORG", "MISC")
                and " " not in mention.text
                and mention.text[:1].isupper()
            ):
                joined[-1] = Mention(
                    previous.start, mention.end, text[previous.start : mention.end], "PER"
                )
                continue
        joined.append(mention)
    return joined


def _known_places(mentions: Sequence[Mention], lang: str) -> set[str]:
    """Folded names of the article's places and of the gazetteer's countries and capitals."""
    return {_fold(m.text) for m in mentions if m.label == "LOC"} | _gazetteer_places(lang)


@functools.cache
def _gazetteer_places(lang: str) -> frozenset[str]:
    try:
        from tuireader.text import gazetteer

        names = set(gazetteer.country_names(lang)) | set(gazetteer.capital_names(lang))
    except (ImportError, AttributeError, LookupError, OSError, ValueError):
        return frozenset()  # the article's own places still count
    return frozenset(_fold(name) for name in names)


def _drop_place_compounds(mentions: list[Mention], lang: str) -> list[Mention]:
    """Drop person spans that are hyphen compounds of places ("Achse Pjöngjang-Moskau")."""
    candidates = [m for m in mentions if m.label == "PER" and "-" in m.text and " " not in m.text]
    if not candidates:
        return mentions
    places = _known_places(mentions, lang)
    drop = {
        m for m in candidates if all(_fold(part) in places for part in m.text.split("-") if part)
    }
    return [m for m in mentions if m not in drop]


def _add_short_name_occurrences(text: str, mentions: list[Mention], lang: str) -> list[Mention]:
    """Add untagged occurrences of a person's short name, where they overlap no mention:

    * a one-word name the model tagged alone elsewhere in the article ("Yoon"), also as a
      genitive ("Yoons");
    * the first or last word of a full name ("Kim" of "Kim Hong Kyun", "Rutte" of "Mark
      Rutte"; three letters or more, not a known place or an organisation of the article) when
      it stands alone: as a genitive, or not followed by another capitalised word (so the
      "Kim" of an untagged "Kim Jong Un" is not taken for Kim Hong Kyun).
    """
    persons = [m for m in mentions if m.label == "PER"]
    full_names = [m.text.split() for m in persons if " " in m.text]
    full_tokens = {t for words in full_names for t in words}
    tagged_alone = {m.text for m in persons if " " not in m.text and m.text in full_tokens}
    places = _known_places(mentions, lang) if full_names else set()
    others = {_fold(m.text) for m in mentions if m.label != "PER"}
    edges = {
        word
        for words in full_names
        for word in (words[0], words[-1])
        if len(word) >= 3
        and word[0].isupper()
        and not word.isupper()
        and word.isalpha()
        and _fold(word) not in places
        and _fold(word) not in others
    }
    short = tagged_alone | edges
    if not short:
        return mentions
    taken = bytearray(len(text) + 1)
    for mention in mentions:
        taken[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
    alternatives = "|".join(re.escape(name) for name in sorted(short, key=len, reverse=True))
    genitive = "(?:s|'s|’s|'|’)?" if lang in ("de", "en") else ""
    added = []
    pattern = re.compile(rf"(?<![\w-])(?P<name>{alternatives})(?P<gen>{genitive})(?![\w-])")
    for match in pattern.finditer(text):
        if any(taken[match.start() : match.end()]):
            continue
        if match["name"] not in tagged_alone and not match["gen"]:
            following = _NEXT_CAPITALISED.match(text, match.end())
            if following is not None:
                continue
        added.append(Mention(match.start(), match.end(), match.group(), "PER"))
    if not added:
        return mentions
    return sorted([*mentions, *added], key=lambda m: m.start)


_NEXT_CAPITALISED = re.compile(r"[ \t]+[A-ZÄÖÜ]")


def _fold(name: str) -> str:
    return " ".join(name.casefold().replace("’", "'").split())


def _possessive_stem(word: str, lang: str) -> str | None:
    """The name a genitive/possessive form is built on, if it is one ("Putins" → "Putin")."""
    if lang == "en":
        for tail in ("'s", "’s"):
            if word.endswith(tail):
                return word[: -len(tail)]
        if word.endswith(("s'", "s’")):
            return word[:-1]
        return None
    if word.endswith(("'", "’")) and word[-2:-1] in ("s", "x", "z", "ß"):
        return word[:-1]
    if word.endswith("s") and len(word) > 3:
        return word[:-1]
    return None


_DEMONYM_DE = re.compile(r"(?i)([^\W\d_]{3,}?)(?:an|n|es)?isch(?:e|en|er|es|em)?")
_DEMONYM_EN = re.compile(r"((?:[A-Z][^\W\d_]+ )?[A-Z][^\W\d_]{2,}?)(?:an|ian|ese|ish|i|n)")


def _gazetteer_demonym(word: str, lang: str) -> bool:
    """Whether the NER gazetteer knows ``word`` as a demonym ("North Korean", "russischen")."""
    try:
        from tuireader.text import gazetteer

        return gazetteer.demonym_pattern(lang).fullmatch(word) is not None
    except (ImportError, AttributeError, LookupError, OSError, ValueError):
        return False


def _demonym_stem(word: str, lang: str) -> str | None:
    """The country stem of a demonym adjective ("nordkoreanischen" → "nordkore")."""
    pattern = _DEMONYM_DE if lang == "de" else _DEMONYM_EN
    match = pattern.fullmatch(word)
    return match.group(1).casefold() if match else None


# ---------------------------------------------------------------------------------------------
# building actors


def _tokens(name: str) -> tuple[str, ...]:
    return tuple(_fold(name).split())


def _contains(full: tuple[str, ...], part: tuple[str, ...]) -> bool:
    if len(part) >= len(full):
        return False
    return any(full[i : i + len(part)] == part for i in range(len(full) - len(part) + 1))


def build_actors(
    text: str,
    mentions: Sequence[Mention],
    lang: str,
    roles: dict[int, str] | None = None,
) -> list[Actor]:
    """Merge an article's (cleaned) mentions into actors, ordered by first mention."""
    roles = roles or {}
    persons = [m for m in mentions if m.label == "PER"]
    others = [m for m in mentions if m.label != "PER"]

    # person name forms, with possessives folded when the stem is a name in the article
    single_tokens = {t for m in persons for t in _tokens(m.text)}
    forms: dict[Mention, tuple[str, ...]] = {}
    for mention in persons:
        tokens = _tokens(mention.text)
        stem = _possessive_stem(mention.text.split()[-1], lang)
        if stem:
            stem_folded = _fold(stem)
            known = stem_folded in single_tokens  # a word of some person's name here
            next_word = re.match(r"\s+(\S)", text[mention.end : mention.end + 3])
            genitive_shape = (
                lang == "en"
                or mention.text.endswith(("'", "’"))
                or (
                    len(tokens) == 1
                    and next_word is not None
                    and next_word.group(1).isupper()
                    and stem[-1:].lower() not in "aeiouäöüsxzy"
                )
            )
            if known or genitive_shape:
                tokens = (*tokens[:-1], stem_folded)
        forms[mention] = tokens

    unique_forms = set(forms.values())
    full_forms = {f for f in unique_forms if not any(_contains(g, f) for g in unique_forms)}
    actors: list[Actor] = []
    by_form: dict[tuple[str, ...], Actor] = {}
    surface: dict[int, list[str]] = {}  # id(actor) -> surface names (folded possessives fixed)

    def actor_for(form: tuple[str, ...], label: str) -> Actor:
        actor = by_form.get(form)
        if actor is None:
            actor = Actor(name="", label=label)
            by_form[form] = actor
            actors.append(actor)
        return actor

    last_full_before: dict[tuple[str, ...], int] = {}
    for mention in sorted(persons, key=lambda m: m.start):
        form = forms[mention]
        if form in full_forms:
            target_form = form
        else:
            containing = [f for f in full_forms if _contains(f, form)]
            before = [f for f in containing if f in last_full_before]
            if before:
                target_form = max(before, key=lambda f: last_full_before[f])
            elif len(containing) == 1:
                target_form = containing[0]
            else:
                target_form = form
        actor = actor_for(target_form, "PER")
        actor.mentions.append((mention.start, mention.end))
        name = _surface_name(mention.text, form)
        surface.setdefault(id(actor), []).append(name)
        if form in full_forms:
            last_full_before[form] = mention.start

    # single-token non-person mentions that are a token of exactly one person's full name
    person_tokens: dict[str, set[tuple[str, ...]]] = {}
    for form in full_forms:
        if len(form) > 1:
            for token in form:
                person_tokens.setdefault(token, set()).add(form)
    remaining: list[Mention] = []
    for mention in others:
        folded = _fold(mention.text)
        stem = _possessive_stem(mention.text, lang)
        owners = person_tokens.get(folded) or (person_tokens.get(_fold(stem)) if stem else None)
        if " " not in mention.text and owners and len(owners) == 1 and mention.label != "LOC":
            actor = by_form[next(iter(owners))]
            actor.mentions.append((mention.start, mention.end))
            continue
        remaining.append(mention)

    # organisations, places, other names: by folded name, possessives folded to a known stem
    keys = {_fold(m.text) for m in remaining}
    groups: dict[tuple[str, str], Actor] = {}
    demonyms: list[Mention] = []
    for mention in remaining:
        if generic_institution(mention.text, lang):
            continue  # an entity to highlight, but not an actor: which ministry is it?
        key = _fold(mention.text)
        stem = _possessive_stem(mention.text, lang)
        if stem and (
            lang == "en" or _fold(stem) in keys or _fold(stem) in _gazetteer_places(lang)
        ):  # "South Korea's"; "Russlands" when "Russland" is named or a known place
            key = _fold(stem)
        if _demonym_stem(mention.text, lang) is not None and (
            mention.label == "MISC"
            or (mention.label == "LOC" and _gazetteer_demonym(mention.text, lang))
        ):
            demonyms.append(mention)
            continue
        group = groups.get((mention.label, key))
        if group is None:
            group = Actor(name="", label=mention.label)
            groups[(mention.label, key)] = group
            actors.append(group)
        group.mentions.append((mention.start, mention.end))
        name = stem if stem and _fold(stem) == key else mention.text
        surface.setdefault(id(group), []).append(name)

    places = [a for (label, _), a in groups.items() if label == "LOC"]
    for mention in demonyms:
        stem = _demonym_stem(mention.text, lang) or ""
        place: Actor | None = next(
            (
                a
                for a in places
                if any(_fold(n).startswith(stem) for n in surface.get(id(a), []))
            ),
            None,
        )
        if place is None:
            group_key = ("MISC", "demonym:" + stem)
            place = groups.get(group_key)
            if place is None:
                place = groups[group_key] = Actor(name="", label="MISC")
                actors.append(place)
            surface.setdefault(id(place), []).append(mention.text)
        place.mentions.append((mention.start, mention.end))

    for actor in actors:
        actor.name = _canonical(surface.get(id(actor), []))
        if actor.label == "PER":
            for start, end in sorted(actor.mentions):
                role = roles.get(start) or title_role(text, start, end, lang)
                if role:
                    actor.role = role
                    break
    actors = [a for a in actors if a.name]
    actors.sort(key=lambda a: a.first)
    return actors


def _surface_name(text: str, form: tuple[str, ...]) -> str:
    """The mention's text with a folded possessive undone ("Putins" → "Putin")."""
    words = text.split()
    if words and _fold(words[-1]) != form[-1]:
        last = words[-1]
        words[-1] = last[: len(form[-1])] if _fold(last).startswith(form[-1]) else last
    return " ".join(words)


def _canonical(names: list[str]) -> str:
    """The longest form (then the most frequent, then the first)."""
    if not names:
        return ""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    order = {name: i for i, name in reversed(list(enumerate(names)))}
    return max(counts, key=lambda n: (len(n.split()), len(n), counts[n], -order[n]))
