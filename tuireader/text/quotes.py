"""Quotes and who said them.

:func:`find_quotes` finds quoted spans: German „…“ and ‚…‘, English “…” and ‘…’, guillemets
»…« and «…», straight "…", and straight '…' only when it clearly quotes (at word boundaries,
two words or more). Quotes do not cross paragraph breaks; a quote inside another one is part of
the outer quote. Offsets are those of the quoted text *without* the quote marks (and without
surrounding spaces or a trailing comma, semicolon or colon), so ``text[start:end]`` is exactly
what was said.

:func:`attribute_quotes` attaches each quote to the actor who said it, trying in order:

1. a speech verb right after the quote: ``"…", sagte X`` / ``so X (weiter)`` / ``erklärte X`` /
   ``betonte X`` / ``schrieb er`` / ``said X`` / ``X said`` / ``he said``;
2. a colon introduction or the subject of the quote's sentence: the first person named in the
   sentence before the quote (``X sagte: „…“``, ``Außenminister Kim Hong Kyun habe "…"
   ausgedrückt``, ``Laut X …``, ``according to X, "…"``);
3. a person named after the quote in the same sentence when the sentence reports speech
   (``…, hieß es aus Yoons Büro``);
4. a subject pronoun in the sentence before the quote (``Er habe zudem betont, dass "…"``, "er",
   "sie", "he", "she", "dieser"): the last person named before the quote; a title as the
   subject or after the speech verb (``Der Außenminister betonte, "…"``, ``"…", sagte der
   Kanzler``): the one person of the article with that role;
5. an organisation named before the quote in a sentence with a speech verb (``Die
   Nachrichtenagentur Yonhap hatte berichtet, Pjöngjang wolle "…"``).

Pronouns in a speech-verb phrase (``schrieb er``) resolve to the last person named before the
quote. Quotes none of these rules attributes (headlines, scare quotes without a speaker) are
left out.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tuireader.text.actors import Actor, title_base

__all__ = ["Quote", "attribute_quotes", "find_quotes", "sentence_bounds"]


@dataclass(frozen=True, slots=True)
class Quote:
    """A quoted span: ``start``/``end`` without the marks, ``outer_*`` with them."""

    start: int
    end: int
    text: str
    outer_start: int
    outer_end: int

    def as_dict(self) -> dict[str, object]:
        """The CLI contract's quote object."""
        return {"start": self.start, "end": self.end, "text": self.text}


_QUOTE_PATTERNS = (
    re.compile(r"„([^„“”\n]{1,3000}?)[“”]"),
    re.compile(r"“([^“”\n]{1,3000}?)”"),
    re.compile(r"»([^»«\n]{1,3000}?)«"),
    re.compile(r"«([^«»\n]{1,3000}?)»"),
    re.compile(r"‚([^‚‘’\n]{1,1000}?)[‘’](?![^\W\d_])"),
    re.compile(r"(?<![^\W_])\"([^\"\n]{1,3000}?)\"(?![^\W_])"),
    re.compile(r"(?<![^\W_])‘([^‘’\n]*?\s[^‘’\n]*?)’(?![^\W_])"),
    re.compile(r"(?<![^\W_'’])'(?=[^\W\d_])([^'\n]*?\s[^'\n]*?)(?<=[^\s])'(?![^\W_])"),
)


def find_quotes(text: str) -> list[Quote]:
    """Quoted spans in ``text``, outermost only, in text order."""
    found: list[tuple[int, int, int, int]] = []
    for pattern in _QUOTE_PATTERNS:
        for match in pattern.finditer(text):
            inner_start, inner_end = match.start(1), match.end(1)
            while inner_start < inner_end and text[inner_start].isspace():
                inner_start += 1
            while inner_end > inner_start and (
                text[inner_end - 1].isspace() or text[inner_end - 1] in ",;:"
            ):  # "…escalation," Rutte said: the comma is punctuation, not speech
                inner_end -= 1
            if inner_end - inner_start < 1 or not any(
                c.isalnum() for c in text[inner_start:inner_end]
            ):
                continue
            found.append((match.start(), match.end(), inner_start, inner_end))
    found.sort(key=lambda q: (q[0], -q[1]))
    quotes: list[Quote] = []
    last_end = -1
    for outer_start, outer_end, start, end in found:
        if outer_start < last_end:
            continue  # nested in or overlapping an earlier quote
        quotes.append(Quote(start, end, text[start:end], outer_start, outer_end))
        last_end = outer_end
    return quotes


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ABBREVIATIONS = _words(
    "mrd mio tsd bzw ca dr prof nr str st jh jhd usw vgl z.b u.a d.h z.t sog evtl ggf inkl "
    "mr mrs ms jr sr gen col lt sgt capt rep sen gov dept no vs etc e.g i.e approx fig u.s "
    "jan feb mär apr jun jul aug sep sept okt oct nov dez dec"
)
_BOUNDARY = re.compile(r"[.!?…]+[\"'”“»«’)]*(?=\s+[\"„“»«'(‚‘]?[^\W_])|\n\s*\n|\n")


def sentence_bounds(text: str, protected: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of ``text``; no boundary falls inside a ``protected`` span
    (quotes), none after abbreviations or day numbers ("am 21. Oktober")."""
    inside = bytearray(len(text) + 1)
    for start, end in protected:
        inside[start:end] = b"\x01" * (end - start)
    cuts = [0]
    for match in _BOUNDARY.finditer(text):
        pos = match.end()
        if inside[pos]:
            continue  # inside a quote: its sentences belong to the quoting sentence
        if match.group().startswith("."):
            word = re.search(r"([^\s(]*)$", text[max(0, match.start() - 12) : match.start()])
            before = word.group(1).lower() if word else ""
            if before.rstrip(".") in _ABBREVIATIONS or (len(before) == 1 and before.isalpha()):
                continue
            if before.isdigit() and len(before) <= 2:
                continue  # "am 21. Oktober", "der 3. Platz"
            following = text[pos : pos + 2].strip()
            if following[:1].islower():
                continue
        cuts.append(pos)
    cuts.append(len(text))
    bounds = []
    for start, end in itertools.pairwise(cuts):
        if text[start:end].strip():
            bounds.append((start, end))
    return bounds


_SPEECH_VERBS_AFTER = (
    r"sagte|sagt|sagten|so|erklärte|erklärt|erklärten|betonte|betont|schrieb|schreibt|"
    r"teilte|teilt|meinte|meint|fügte|ergänzte|warnte|warnt|kritisierte|forderte|fordert|"
    r"bekräftigte|versicherte|unterstrich|hieß es|heißt es|zitiert|zitierte|berichtete|"
    r"said|says|told|added|wrote|writes|stated|declared|warned|insisted|explained|noted|"
    r"according to|laut|tweeted|posted"
)
_AFTER_VERB = re.compile(rf"\s*[,:]?\s*(?:{_SPEECH_VERBS_AFTER})(?![\w])", re.I)
_AFTER_NAME_VERB = re.compile(
    r"\s*,?\s*(?P<name>[^,.;:!?\"„“”]{1,60}?)\s+(?:said|says|told|added|wrote|sagte|sagt)(?![\w])"
)
_PRONOUN = re.compile(r"(?i)(?<![\w])(er|sie|he|she|dieser)(?![\w])")
_PRONOUN_AFTER_VERB = re.compile(r"\s+(?:er|sie|he|she|dieser)(?![\w])", re.I)
_SPEECH_MARKERS = re.compile(
    rf"(?i)(?<![\w])(?:{_SPEECH_VERBS_AFTER}|mitgeteilt|berichtet|erklärt|gesagt|betont|"
    r"versichert|zufolge|reported|announced|told|said)(?![\w])"
)


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    actor: Actor


def attribute_quotes(text: str, actors: Sequence[Actor], lang: str) -> list[Quote]:
    """Attach each quote in ``text`` to its speaker's ``Actor.quotes``; returns the quotes that
    were attributed."""
    quotes = find_quotes(text)
    if not quotes or not actors:
        return []
    inside = bytearray(len(text) + 1)
    for quote in quotes:
        length = quote.outer_end - quote.outer_start
        inside[quote.outer_start : quote.outer_end] = b"\x01" * length
    mentions = sorted(
        (
            _Mention(start, end, actor)
            for actor in actors
            for start, end in actor.mentions
            if not inside[start]
        ),
        key=lambda m: m.start,
    )
    sentences = sentence_bounds(text, [(q.outer_start, q.outer_end) for q in quotes])
    attributed: list[Quote] = []
    sentence_index = 0
    for quote in quotes:
        last = len(sentences) - 1
        while sentence_index < last and sentences[sentence_index][1] <= quote.outer_start:
            sentence_index += 1
        s_start, s_end = sentences[sentence_index] if sentences else (0, len(text))
        speaker = _speaker(
            text, quote, mentions, quotes, s_start, max(s_end, quote.outer_end), actors, lang
        )
        if speaker is not None:
            speaker.quotes.append(quote.as_dict())
            attributed.append(quote)
    return attributed


def _last_person_before(mentions: Sequence[_Mention], pos: int) -> Actor | None:
    """The person named last before ``pos``, among the 200 mentions before it (``mentions``
    are sorted by start)."""
    index = bisect.bisect_left(mentions, pos, key=lambda m: m.start)
    for mention in reversed(mentions[max(0, index - 200) : index]):
        if mention.actor.label == "PER":
            return mention.actor
    return None


def _actor_with_title(
    actors: Sequence[Actor], words: Sequence[str | None], lang: str
) -> Actor | None:
    """The one person whose role is the title among ``words`` ("der Minister", "der
    südkoreanische Außenminister" → the actor with role "Außenminister"); None when no person
    or several have it."""
    for word in words:
        title = title_base(word, lang) if word else None
        if title is None:
            continue
        key = title.rsplit("-", 1)[-1].casefold()
        found = [a for a in actors if a.label == "PER" and a.role and _role_has(a.role, key)]
        return found[0] if len(found) == 1 else None
    return None


def _role_has(role: str, key: str) -> bool:
    """Whether ``role`` is (a compound of) the title ``key``: "NATO-Generalsekretär" has
    "generalsekretär", "Außenminister" has "minister", "Secretary of State" has "secretary"."""
    words = [w.rsplit("-", 1)[-1].casefold() for w in role.split()]
    return any(w == key or (len(key) >= 4 and w.endswith(key)) for w in words)


_TITLE_AFTER_VERB = re.compile(
    r"\s+(?:der|die|the)\s+([^\W\d_][\w-]*)(?:\s+([^\W\d_][\w-]*))?", re.I
)
_TITLE_SUBJECT = re.compile(r"\s*(?:Der|Die|The)\s+([^\W\d_][\w-]*)(?:\s+([^\W\d_][\w-]*))?")


def _speaker(
    text: str,
    quote: Quote,
    mentions: Sequence[_Mention],
    quotes: Sequence[Quote],
    s_start: int,
    s_end: int,
    actors: Sequence[Actor],
    lang: str,
) -> Actor | None:
    # the part of the sentence after this quote, up to the next quote
    next_quote = next((q.outer_start for q in quotes if q.outer_start >= quote.outer_end), s_end)
    after_end = min(s_end, next_quote)
    first = bisect.bisect_left(mentions, s_start, key=lambda m: m.start)
    last = bisect.bisect_left(mentions, s_end, key=lambda m: m.start)
    in_sentence = mentions[first:last]

    # 1. speech verb right after the quote
    verb = _AFTER_VERB.match(text, quote.outer_end, after_end)
    if verb is not None:
        if _PRONOUN_AFTER_VERB.match(text, verb.end(), after_end):
            return _last_person_before(mentions, quote.outer_start)
        window_end = min(after_end, verb.end() + 80)
        following = [m for m in in_sentence if verb.end() <= m.start < window_end]
        persons = [m for m in following if m.actor.label == "PER"]
        if persons:
            return persons[0].actor
        titled = _TITLE_AFTER_VERB.match(text, verb.end(), after_end)
        if titled is not None:  # "..., sagte der Außenminister"
            person = _actor_with_title(actors, titled.groups(), lang)
            if person is not None:
                return person
        organisations = [m for m in following if m.actor.label == "ORG"]
        if organisations:
            return organisations[0].actor
    named = _AFTER_NAME_VERB.match(text, quote.outer_end, after_end)
    if named is not None:
        name_start = named.start("name")
        name_end = named.end("name")
        if _PRONOUN.fullmatch(named.group("name").strip()):
            return _last_person_before(mentions, quote.outer_start)
        for mention in in_sentence:
            if name_start <= mention.start < name_end:
                return mention.actor

    before = [m for m in in_sentence if m.start < quote.outer_start]
    # 2. the first person named in the sentence before the quote
    persons_before = [m for m in before if m.actor.label == "PER"]
    if persons_before:
        return persons_before[0].actor
    sentence_text = text[s_start:s_end]
    reports_speech = _SPEECH_MARKERS.search(sentence_text) is not None
    # 3. a person named after the quote in a sentence reporting speech
    if reports_speech:
        persons_after = [
            m for m in in_sentence if m.start >= quote.outer_end and m.actor.label == "PER"
        ]
        if persons_after:
            return persons_after[0].actor
    # 4. a subject pronoun before the quote: the last person named; a titled subject ("Der
    #    Außenminister habe betont, ...") the one person with that role
    lead = text[s_start : quote.outer_start]
    subject = _TITLE_SUBJECT.match(lead)
    if subject is not None:
        person = _actor_with_title(actors, subject.groups(), lang)
        if person is not None:
            return person
    if _PRONOUN.search(lead):
        person = _last_person_before(mentions, quote.outer_start)
        if person is not None:
            return person
    # 5. an organisation reporting
    if reports_speech:
        organisations = [m for m in before if m.actor.label == "ORG"]
        if organisations:
            return organisations[0].actor
    return None
