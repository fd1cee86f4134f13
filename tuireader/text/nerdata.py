"""Convert the NER corpora under ``shared/data/ner`` to one common format.

Every source becomes a list of :class:`Sentence` records: words, whether a space follows each
word, and one BIO tag per word over the labels PER/ORG/LOC/MISC. A tag of ``""`` means
*unknown* (the training loop ignores it): sources without a MISC class mark their untagged
proper nouns that way instead of teaching the model that they are not names.

Each sentence carries a stable key (document or sentence id) from which :func:`split_of`
carves deterministic train/dev/test splits.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

LABELS = ("PER", "ORG", "LOC", "MISC")

#: Sources per language, in order of priority.
SOURCES: dict[str, tuple[str, ...]] = {
    "de": ("germeval2014", "smartdata", "mobie", "europeana"),
    "en": ("wikigold", "gum", "crossner", "re3d"),
}


@dataclass(slots=True)
class Sentence:
    """One sentence (or short document) in the common format."""

    source: str
    key: str  # document or sentence id: what the split is carved by
    words: list[str]
    tags: list[str]  # BIO over LABELS, "" = unknown
    spaces: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.spaces:
            self.spaces = [True] * len(self.words)
        if self.spaces:
            self.spaces[-1] = False


def default_data_dir() -> Path:
    """``shared/data/ner`` next to the repository (the project's data location)."""
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "ner"


def split_of(sentence: Sentence) -> str:
    """Deterministic split by hash of source and key: 10 % test, 10 % dev, 80 % train.

    GUM keeps its official dev/test documents instead.
    """
    if sentence.source == "gum":
        return _GUM_SPLIT.get(sentence.key, "train")
    digest = hashlib.sha1(f"{sentence.source}:{sentence.key}".encode()).digest()
    bucket = digest[0] % 10
    return "test" if bucket == 0 else "dev" if bucket == 1 else "train"


def load_source(name: str, data_dir: Path | None = None) -> list[Sentence]:
    """All sentences of one source (see :data:`SOURCES`)."""
    root = data_dir or default_data_dir()
    loader = {
        "germeval2014": _germeval,
        "smartdata": _smartdata,
        "mobie": _mobie,
        "europeana": _europeana,
        "wikigold": _wikigold,
        "gum": _gum,
        "crossner": _crossner,
        "re3d": _re3d,
    }[name]
    return [s for s in loader(root) if s.words]


# ---------------------------------------------------------------------------------------------
# helpers


def fix_bio(tags: list[str]) -> list[str]:
    """Turn IOB1 / sloppy BIO into valid BIO (an ``I-X`` not continuing X becomes ``B-X``)."""
    out: list[str] = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and (prev in ("O", "") or prev[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def map_tags(tags: list[str], mapping: dict[str, str | None]) -> list[str]:
    """Map BIO tag types through ``mapping`` (None → O), then repair the BIO sequence."""
    out: list[str] = []
    for tag in tags:
        if tag in ("O", ""):
            out.append(tag)
            continue
        prefix, _, typ = tag.partition("-")
        target = mapping.get(typ)
        out.append(f"{prefix}-{target}" if target else "O")
    return fix_bio(out)


def _conll_blocks(path: Path, sep: str | None = None) -> Iterator[list[list[str]]]:
    """Blank-line separated blocks of split lines."""
    block: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if block:
                yield block
            block = []
            continue
        block.append(line.split(sep))
    if block:
        yield block


def _maybe_misc(pos: str, word: str, index: int) -> bool:
    """In sources without MISC: proper nouns, foreign words and capitalised adjectives inside
    a sentence may be MISC names ("Bundesliga", "Deutsche"), so their O tag is not trusted."""
    return pos in ("NE", "FM") or (pos == "ADJA" and index > 0 and word[:1].isupper())


def _mask_unannotated(tags: list[str], unknown: list[bool]) -> list[str]:
    """Set the tag of O tokens flagged ``unknown`` to "" (not annotated, no loss)."""
    return ["" if tag == "O" and unk else tag for tag, unk in zip(tags, unknown, strict=True)]


# ---------------------------------------------------------------------------------------------
# German


def _germeval(root: Path) -> Iterator[Sentence]:
    mapping: dict[str, str | None] = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "OTH": "MISC"}
    for fname in ("NER-de-dev.tsv", "NER-de-test-part1.tsv"):
        for n, block in enumerate(_conll_blocks(root / "germeval2014" / fname, "\t")):
            rows = [r for r in block if r[0] != "#" and len(r) >= 3]
            words = [r[1] for r in rows]
            tags = map_tags([r[2] for r in rows], mapping)  # -deriv/-part are not in mapping
            yield Sentence("germeval2014", f"{fname}:{n}", words, tags)


_SMARTDATA_MAP: dict[str, str | None] = {
    "PERSON": "PER",
    "ORGANIZATION": "ORG",
    "ORGANIZATION_COMPANY": "ORG",
    "LOCATION": "LOC",
    "LOCATION_CITY": "LOC",
    "LOCATION_STREET": "LOC",
    "LOCATION_STOP": "LOC",
    "LOCATION_ROUTE": None,  # "A9", "S1": not names in the news sense
}


def _json_stream(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        text = f.read()
    decoder = json.JSONDecoder()
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return
        obj, i = decoder.raw_decode(text, i)
        yield obj


def _smartdata(root: Path) -> Iterator[Sentence]:
    import spacy

    base = root / "smartdata"
    v3_ids: set[str] = set()
    for split in ("dev", "test"):
        for doc in _json_stream(base / "v3_20200302" / f"{split}.json.gz"):
            v3_ids.add(doc["id"])
            text = doc["text"]["string"]
            for sent in doc["sentences"]["array"]:
                toks = sent["tokens"]["array"]
                words = [text[t["span"]["start"] : t["span"]["end"]] for t in toks]
                spaces = [a["span"]["end"] < b["span"]["start"] for a, b in pairwise(toks)]
                spaces.append(False)
                tags = map_tags([t["ner"]["string"] for t in toks], _SMARTDATA_MAP)
                unknown = [
                    _maybe_misc(t["posTag"]["string"], w, k)
                    for k, (t, w) in enumerate(zip(toks, words, strict=True))
                ]
                tags = _mask_unannotated(tags, unknown)
                keep = [i for i, w in enumerate(words) if w.strip()]
                yield Sentence(
                    "smartdata",
                    doc["id"],
                    [words[i] for i in keep],
                    fix_bio([tags[i] for i in keep]),
                    [spaces[i] for i in keep],
                )
    nlp = spacy.blank("de")
    seen: set[str] = set()
    for split in ("train", "test"):
        for doc in _json_stream(base / "v1_20180119" / f"{split}.json.gz"):
            if doc["id"] in v3_ids or doc["id"] in seen:
                continue
            seen.add(doc["id"])
            text = doc["text"]["string"]
            mentions = []
            for m in (doc.get("conceptMentions") or {}).get("array", []):
                label = _SMARTDATA_MAP.get(m["type"].upper().replace("-", "_"))
                if label:
                    mentions.append((m["span"]["start"], m["span"]["end"], label))
            yield from _char_spans_to_sentences("smartdata", doc["id"], text, mentions, nlp)


def _char_spans_to_sentences(
    source: str, key: str, text: str, mentions: list[tuple[int, int, str]], nlp: object
) -> Iterator[Sentence]:
    """Tokenise ``text`` line by line and project character-offset mentions onto the tokens."""
    mentions = sorted(mentions, key=lambda m: (-(m[1] - m[0]), m[0]))
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.strip():
            continue
        doc = nlp.make_doc(line)  # type: ignore[attr-defined]
        tags = ["O"] * len(doc)
        for m_start, m_end, label in mentions:
            if m_start < start or m_end > end:
                continue
            span = doc.char_span(m_start - start, m_end - start, alignment_mode="expand")
            if span is None or any(tags[i] != "O" for i in range(span.start, span.end)):
                continue
            for i in range(span.start, span.end):
                tags[i] = ("B-" if i == span.start else "I-") + label
        keep = [i for i, t in enumerate(doc) if not t.is_space]
        yield Sentence(
            source,
            key,
            [doc[i].text for i in keep],
            fix_bio([tags[i] for i in keep]),
            [bool(doc[i].whitespace_) for i in keep],
        )


def _mobie(root: Path) -> Iterator[Sentence]:
    # Tweets that also occur in SmartData are skipped there: dedupe by tweet id.
    smart_ids: set[str] = set()
    base = root / "smartdata"
    for path in (
        base / "v1_20180119" / "train.json.gz",
        base / "v1_20180119" / "test.json.gz",
    ):
        for doc in _json_stream(path):
            smart_ids.add(str(doc["id"]))
    mapping = {k.lower().replace("_", "-"): v for k, v in _SMARTDATA_MAP.items()}
    for fname in ("train.conll2003", "dev.conll2003", "test.conll2003"):
        doc_id = ""
        for block in _conll_blocks(root / "mobie" / fname, "\t"):
            if block[0][0].startswith("-DOCSTART-"):
                doc_id = block[0][0].split()[1].strip("-").split("/")[0]
                continue
            if doc_id in smart_ids:
                continue
            rows = [r for r in block if len(r) >= 4]
            words = [r[0] for r in rows]
            tags = map_tags([r[3] for r in rows], mapping)
            tags = _mask_unannotated(tags, [_maybe_misc(r[1], r[0], k) for k, r in enumerate(rows)])
            yield Sentence("mobie", doc_id, words, tags)


def _europeana(root: Path) -> Iterator[Sentence]:
    mapping: dict[str, str | None] = {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}
    for path in sorted((root / "europeana-newspapers-de").glob("*.bio")):
        words: list[str] = []
        tags: list[str] = []
        n = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split(" ")
            if line.startswith("# ") or len(parts) != 2 or not parts[0]:
                continue
            tag = parts[1] if re.fullmatch(r"[BI]-(PER|ORG|LOC)|O", parts[1]) else "O"
            words.append(parts[0])
            tags.append(tag)
            if parts[0] in (".", "!", "?") or len(words) >= 60:
                yield Sentence("europeana", f"{path.name}:{n}", words, map_tags(tags, mapping))
                n += 1
                words, tags = [], []
        if words:
            yield Sentence("europeana", f"{path.name}:{n}", words, map_tags(tags, mapping))


# ---------------------------------------------------------------------------------------------
# English


def _wikigold(root: Path) -> Iterator[Sentence]:
    doc = 0
    n = 0
    for block in _conll_blocks(root / "wikigold" / "wikigold-train.conll.txt", " "):
        if block[0][0] == "-DOCSTART-":
            doc += 1
            block = block[1:]
            if not block:
                continue
        words = [r[0] for r in block]
        tags = fix_bio([r[-1] for r in block])
        # 115 documents are too few to carve by document: carve by sentence.
        yield Sentence("wikigold", f"doc{doc}:{n}", words, tags)
        n += 1


def _crossner(root: Path) -> Iterator[Sentence]:
    mapping: dict[str, str | None] = {
        "politician": "PER",
        "person": "PER",
        "politicalparty": "ORG",
        "organisation": "ORG",
        "country": "LOC",
        "location": "LOC",
        "election": "MISC",
        "event": "MISC",
        "misc": "MISC",
    }
    for split in ("train", "dev", "test"):
        path = root / "crossner-politics" / "ner_data" / "politics" / f"{split}.txt"
        for block in _conll_blocks(path, "\t"):
            words = [r[0] for r in block]
            tags = map_tags([r[-1] for r in block], mapping)
            yield Sentence("crossner", " ".join(words), words, tags)


_PRONOUNS = {
    "we", "our", "us", "it", "its", "they", "their", "them", "he", "his", "him", "she", "her",
    "i", "my", "you", "your", "this", "that", "these", "those", "who", "which",
}  # fmt: skip


def _re3d(root: Path) -> Iterator[Sentence]:
    mapping: dict[str, str | None] = {
        "Person": "PER",
        "Organisation": "ORG",
        "Location": "LOC",
        "Nationality": "MISC",
        "DocumentReference": "MISC",
    }
    for path in sorted((root / "re3d" / "data-by-source").rglob("*.conll")):
        for n, block in enumerate(_conll_blocks(path, "\t")):
            words = [r[0] for r in block]
            tags = map_tags([r[-1] for r in block], mapping)
            yield Sentence("re3d", f"{path.stem}", words, _clean_re3d(words, tags))
            del n


def _clean_re3d(words: list[str], tags: list[str]) -> list[str]:
    """Drop pronoun/nominal mentions and leading determiners (see the re3d README)."""
    out = list(tags)
    i = 0
    while i < len(out):
        if not out[i].startswith("B-"):
            i += 1
            continue
        label = out[i][2:]
        j = i + 1
        while j < len(out) and out[j] == "I-" + label:
            j += 1
        span = words[i:j]
        start = i
        while start < j and span[start - i].lower() in ("the", "a", "an", "its", "our"):
            out[start] = "O"
            start += 1
        if start < j:
            rest = words[start:j]
            named = any(w[:1].isupper() for w in rest) and rest[0].lower() not in _PRONOUNS
            if named:
                out[start] = "B-" + label
            else:
                for k in range(start, j):
                    out[k] = "O"
        i = j
    return fix_bio(out)


_GUM_SPLIT: dict[str, str] = {}


def _gum_splits(root: Path) -> None:
    split = ""
    for line in (root / "gum" / "splits.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            split = line[3:].strip()
        elif line.strip().startswith("* ") and split in ("dev", "test"):
            _GUM_SPLIT[line.strip()[2:].strip()] = split


_TITLES_EN = {
    "president", "prime", "minister", "senator", "sen.", "rep.", "representative", "dr.", "dr",
    "mr.", "mr", "mrs.", "mrs", "ms.", "ms", "professor", "prof.", "judge", "justice", "king",
    "queen", "pope", "governor", "gov.", "chairman", "ceo", "general", "gen.", "secretary",
    "mayor", "sir", "lord", "lady", "saint", "st.", "chief", "officer", "captain", "capt.",
    "colonel", "col.", "commander", "lt.", "sgt.", "agent", "detective", "chancellor",
    "emperor", "empress", "prince", "princess", "duke", "father", "rev.", "reverend", "bishop",
    "coach", "director", "vice", "deputy", "attorney", "u.s.", "us",
}  # fmt: skip
_GUM_MAP = {
    "person": "PER",
    "organization": "ORG",
    "place": "LOC",
    "event": "MISC",
    "object": "MISC",
    "abstract": "MISC",
    "substance": "MISC",
    "animal": "MISC",
    "plant": "MISC",
}
_CONNECTORS = {"of", "the", "and", "&", "for", "de", "du", "von", "van", "der", "la"}


def _parse_entity_field(value: str) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """CorefUD bracket notation → (opened (group, etype), single-token etypes, closed groups)."""
    opened: list[tuple[str, str]] = []
    singles: list[str] = []
    closed: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "(":
            j = i + 1
            while j < len(value) and value[j] not in "()":
                j += 1
            fields = value[i + 1 : j].split("-")
            etype = fields[1] if len(fields) > 1 else ""
            if j < len(value) and value[j] == ")":
                singles.append(etype)
                i = j + 1
            else:
                opened.append((fields[0], etype))
                i = j
        else:
            j = value.find(")", i)
            if j < 0:
                break
            closed.append(value[i:j])
            i = j + 1
    return opened, singles, closed


def _gum(root: Path) -> Iterator[Sentence]:
    from .gazetteer import country_names

    countries = country_names("en")
    _gum_splits(root)
    for path in sorted((root / "gum" / "dep").glob("*.conllu")):
        doc_id = path.stem
        sent_rows: list[list[str]] = []
        # mentions over document-wide token indices
        words: list[str] = []
        spaces: list[bool] = []
        upos: list[str] = []
        xpos: list[str] = []
        heads: list[int] = []  # document-wide head index, -1 for root
        sent_of: list[int] = []
        mentions: list[tuple[int, int, str]] = []
        stack: dict[str, list[tuple[int, str]]] = {}
        sent_no = 0
        for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
            if line.startswith("#"):
                continue
            if not line.strip():
                if sent_rows:
                    base = len(words)
                    for r in sent_rows:
                        words.append(r[1])
                        upos.append(r[3])
                        xpos.append(r[4])
                        heads.append(base + int(r[6]) - 1 if r[6] != "0" else -1)
                        spaces.append("SpaceAfter=No" not in r[9])
                        sent_of.append(sent_no)
                        misc = dict(kv.split("=", 1) for kv in r[9].split("|") if "=" in kv)
                        ent = misc.get("Entity")
                        if ent:
                            idx = len(words) - 1
                            opened, singles, closed = _parse_entity_field(ent)
                            for etype in singles:
                                mentions.append((idx, idx + 1, etype))
                            for grp, etype in opened:
                                stack.setdefault(grp, []).append((idx, etype))
                            for grp in closed:
                                if stack.get(grp):
                                    start, etype = stack[grp].pop()
                                    mentions.append((start, idx + 1, etype))
                    sent_no += 1
                sent_rows = []
                continue
            row = line.split("\t")
            if "-" in row[0] or "." in row[0]:
                continue
            sent_rows.append(row)
        tags = ["O"] * len(words)
        named: list[tuple[int, int, int, str]] = []  # (-outer length, start, end, label)
        time_or_qty = [False] * len(words)
        propn = [u == "PROPN" or x in ("NNP", "NNPS") for u, x in zip(upos, xpos, strict=True)]
        for start, end, etype in mentions:
            if etype in ("time", "quantity"):
                for k in range(start, end):
                    time_or_qty[k] = True
            label = _GUM_MAP.get(etype)
            if not label:
                continue
            head = next((k for k in range(start, end) if not start <= heads[k] < end), start)
            if not propn[head]:
                continue
            s, e = head, head + 1
            while s > start and propn[s - 1]:
                s -= 1
            while e < end and (
                propn[e]
                or (upos[e] == "NUM" and not words[e].isdigit())
                or (words[e].lower() in _CONNECTORS and e + 1 < end and propn[e + 1])
            ):
                e += 1
            while s < head and words[s].lower() in _TITLES_EN:
                s += 1
            if all(w.lower() in _TITLES_EN for w in words[s:e]):
                continue  # "the Secretary", "Emperor": a title, not a name
            if label == "ORG" and " ".join(words[s:e]).removeprefix("the ") in countries:
                label = "LOC"
            named.append((-(end - start), s, e, label))
        named.sort()
        for _, s, e, label in named:
            if any(tags[k] != "O" for k in range(s, e)):
                continue
            for k in range(s, e):
                tags[k] = ("B-" if k == s else "I-") + label
        # Unannotated capitalised names/adjectives (nationalities, ...) are unknown, not O.
        unknown = [
            (x in ("NNP", "NNPS") or (x == "JJ" and w[:1].isupper())) and not tq
            for w, x, tq in zip(words, xpos, time_or_qty, strict=True)
        ]
        tags = _mask_unannotated(tags, unknown)
        for sno in range(sent_no):
            members = [k for k in range(len(words)) if sent_of[k] == sno]
            if not members:
                continue
            yield Sentence(
                "gum",
                doc_id,
                [words[k] for k in members],
                fix_bio([tags[k] for k in members]),
                [spaces[k] for k in members],
            )
