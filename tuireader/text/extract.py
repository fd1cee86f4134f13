"""The extraction pipeline: language, named entities, figures, actors and quotes of a text.

:func:`extract_document` returns the object ``tuireader extract`` prints (the CLI contract)::

    {"id": ..., "lang": "de",
     "entities": [{"start", "end", "text", "label"}],
     "figures": [{"start", "end", "text", "kind", "value", "unit"}],
     "actors": [{"name", "label", "role", "mentions": [[start, end]],
                 "quotes": [{"start", "end", "text"}]}]}

Every offset is a Python ``str`` index into the input text: ``text[start:end] == span text``.
Named entities come from :mod:`tuireader.text.ner` (the statistical model plus its gazetteer
rules; loaded once per process, lazily); the rest are the rules in :mod:`figures`,
:mod:`actors` and :mod:`quotes`. Only German and English get entities, actors and quotes;
other languages get figures only. :func:`extract_documents` batches many texts through the
model; :func:`extract_and_store` runs the pipeline over cached articles and saves the results.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future
from typing import TYPE_CHECKING, Any

from tuireader.text.actors import Mention, build_actors, clean_entities
from tuireader.text.figures import find_figures
from tuireader.text.lang import detect_language, normalise_language
from tuireader.text.quotes import attribute_quotes

if TYPE_CHECKING:
    from tuireader.store import Store
    from tuireader.text.actors import EntityLike

__all__ = [
    "ENTITY_LANGUAGES",
    "EXTRACTION_VERSION",
    "ExtractionError",
    "analyse",
    "extract_and_store",
    "extract_document",
    "extract_documents",
]

#: Bump whenever the models or rules change what extraction produces: ``tuireader reindex``
#: (and sync) re-extract articles saved with an older version.
EXTRACTION_VERSION = 1

#: Languages with a named-entity model (the others get figures only).
ENTITY_LANGUAGES = ("de", "en")

_BATCH_SIZE = 32
# Batches handed to an executor before the oldest one's results are saved (keeps two worker
# processes busy while this thread saves).
_BATCHES_AHEAD = 4


class ExtractionError(Exception):
    """Extraction cannot run (e.g. the named-entity model is missing); one-line message."""


def _resolve_lang(text: str, lang: str | None) -> str:
    if lang is None or lang == "auto" or not lang.strip():
        return detect_language(text, None)
    return normalise_language(lang) or detect_language(text, None)


def analyse(
    text: str,
    lang: str,
    entities: Sequence[EntityLike],
    *,
    reference_date: str | None = None,
    doc_id: object = None,
) -> dict[str, Any]:
    """The contract object for ``text`` given its named entities (the rule-based part of the
    pipeline; :func:`extract_document` adds language detection and the model)."""
    mentions: list[Mention] = []
    roles: dict[int, str] = {}
    if lang in ENTITY_LANGUAGES:
        mentions, roles = clean_entities(text, entities, lang)
    figures = find_figures(
        text,
        lang,
        reference_date=reference_date,
        exclude=[(m.start, m.end) for m in mentions],
    )
    if figures and mentions:  # "Euro" in "1,4 Milliarden Euro" is part of a figure, not a name
        covered = bytearray(len(text) + 1)
        for figure in figures:
            covered[figure.start : figure.end] = b"\x01" * (figure.end - figure.start)
        mentions = [m for m in mentions if not all(covered[m.start : m.end])]
    actors_out: list[dict[str, object]] = []
    if lang in ENTITY_LANGUAGES:
        actors = build_actors(text, mentions, lang, roles)
        attribute_quotes(text, actors, lang)
        actors_out = [actor.as_dict() for actor in actors]
    return {
        "id": doc_id,
        "lang": lang,
        "entities": [m.as_dict() for m in mentions],
        "figures": [f.as_dict() for f in figures],
        "actors": actors_out,
    }


def _entities_batch(texts: Sequence[str], lang: str) -> list[list[Any]]:
    """Named entities of each text (the model is loaded on first use, once per process)."""
    from tuireader.text import ner

    path = ner.model_path(lang)
    if not path.exists():
        raise ExtractionError(
            f"the named-entity model for {lang!r} is missing ({path}); reinstall tuireader"
        )
    try:
        return list(ner.find_entities_batch(list(texts), lang))
    except (OSError, ImportError) as exc:
        raise ExtractionError(f"cannot load the named-entity model for {lang!r}: {exc}") from exc


def extract_document(
    text: str,
    lang: str = "auto",
    *,
    reference_date: str | None = None,
    doc_id: object = None,
) -> dict[str, Any]:
    """Extract one document (see the module docstring for the returned object).

    ``lang`` is "de", "en", another language code (figures only) or "auto" (detected from the
    text); ``reference_date`` (ISO 8601, the article's published time) resolves relative
    dates such as "am Montag"; ``doc_id`` is copied to the result's ``id``.
    """
    return next(
        extract_documents(
            [{"id": doc_id, "text": text, "lang": lang, "reference_date": reference_date}]
        )
    )


Document = str | Mapping[str, Any]


def extract_documents(
    documents: Iterable[Document],
    lang: str = "auto",
    *,
    reference_date: str | None = None,
    batch_size: int = _BATCH_SIZE,
) -> Iterator[dict[str, Any]]:
    """Extract many documents, running the model over batches of ``batch_size``; yields the
    results in input order, lazily (a batch is read only when its first result is needed).

    Each document is a string or a mapping with ``text`` and optional ``id``, ``lang`` and
    ``reference_date``; ``lang``/``reference_date`` arguments are the defaults.
    """
    batch: list[tuple[object, str, str, str | None]] = []
    for document in documents:
        if isinstance(document, str):
            doc_id, text, doc_lang, ref = None, document, lang, reference_date
        else:
            doc_id = document.get("id")
            text = document.get("text") or ""
            doc_lang = document.get("lang") or lang
            ref = document.get("reference_date") or reference_date
        batch.append((doc_id, text, _resolve_lang(text, doc_lang), ref))
        if len(batch) >= max(1, batch_size):
            yield from _run_batch(batch)
            batch = []
    if batch:
        yield from _run_batch(batch)


def _run_batch(batch: Sequence[tuple[object, str, str, str | None]]) -> list[dict[str, Any]]:
    entities: dict[int, list[Any]] = {}
    for lang in ENTITY_LANGUAGES:
        indexes = [i for i, item in enumerate(batch) if item[2] == lang and item[1].strip()]
        if indexes:
            found = _entities_batch([batch[i][1] for i in indexes], lang)
            entities.update(zip(indexes, found, strict=True))
    return [
        analyse(text, lang, entities.get(i, []), reference_date=ref, doc_id=doc_id)
        for i, (doc_id, text, lang, ref) in enumerate(batch)
    ]


def extract_and_store(
    store: Store,
    article_ids: Sequence[int],
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> int:
    """Extract the given cached articles and save the results (with
    :data:`EXTRACTION_VERSION`); returns how many were saved. Missing ids are skipped.
    ``progress(done, total)`` is called after each article.

    With an ``executor`` (a process pool: the sync starts one for a large batch) batches of
    articles are extracted in its processes, each loading the models once, while this
    thread reads the articles and saves the results; should the pool break, the rest is
    extracted here.
    """
    total = len(article_ids)
    saved = 0
    done = 0
    pending: deque[tuple[int, list[dict[str, Any]], Future[Any] | None]] = deque()

    def save_oldest() -> None:
        nonlocal saved, done
        chunk_size, documents, future = pending.popleft()
        for result in _results(documents, future):
            if result is not None:
                store.save_extraction(int(result["id"]), result, EXTRACTION_VERSION)
                saved += 1
        done += chunk_size
        if progress is not None:
            progress(done, total)

    for offset in range(0, total, _BATCH_SIZE):
        chunk = article_ids[offset : offset + _BATCH_SIZE]
        documents = _documents(store, chunk)
        future = None
        if executor is not None and documents:
            try:
                future = executor.submit(_extract_isolated, documents)
            except (BrokenExecutor, RuntimeError):  # broken or shut down: extract here
                executor = None
        pending.append((len(chunk), documents, future))
        while len(pending) > (_BATCHES_AHEAD if executor is not None else 0):
            save_oldest()
    while pending:
        save_oldest()
    return saved


def _documents(store: Store, article_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The extractor's input for cached articles (missing ids are left out)."""
    documents: list[dict[str, Any]] = []
    for article_id in article_ids:
        article = store.get_article(article_id)
        if article is None:
            continue
        documents.append(
            {
                "id": article.id,
                "text": article.text or "",
                "lang": detect_language(article.text or "", article.language),
                "reference_date": article.published or article.updated,
            }
        )
    return documents


def _results(
    documents: list[dict[str, Any]], future: Future[Any] | None
) -> list[dict[str, Any] | None]:
    """A batch's results: from its worker process if it had one (here if that broke)."""
    if future is not None:
        try:
            return list(future.result())
        except BrokenExecutor:
            pass
    return _extract_isolated(documents) if documents else []


def _extract_isolated(documents: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """Results for a batch; if the batch fails, each document alone, None for those that fail.

    One article that trips the extractor must not cost the rest of the sync their extraction;
    it stays unextracted (``tuireader reindex`` retries it). A missing model is not an article's
    fault and is raised.
    """
    try:
        return list(extract_documents(documents, batch_size=_BATCH_SIZE))
    except ExtractionError:
        raise
    except Exception:
        if len(documents) == 1:
            return [None]
    results: list[dict[str, Any] | None] = []
    for document in documents:
        results.extend(_extract_isolated([document]))
    return results
