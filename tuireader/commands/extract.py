"""``tuireader extract``, ``tuireader reindex`` and ``tuireader actors``.

``extract`` is a script-facing contract (keep it stable):

* ``tuireader extract [--lang de|en|auto] [FILE ...]`` reads each FILE (``-`` or none: stdin)
  as one UTF-8 document, read the way Python reads text files (universal newlines: "\\r\\n"
  becomes "\\n"), and prints one JSON object per document, one per line. ``id`` is the file
  path, ``null`` for stdin.
* ``tuireader extract --jsonl [--lang ...]`` reads JSON objects ``{"id", "text", "lang"?,
  "published"?}`` from stdin, one per line, and prints one result per line in input order,
  flushing after each; lines are processed as they arrive (a few at a time when more are
  already waiting), so it works as a pipe co-process. Offsets index the ``text`` string as
  given. Blank lines are skipped.
* Result: ``{"id", "lang", "entities": [{"start", "end", "text", "label"}], "figures":
  [{"start", "end", "text", "kind", "value", "unit"}], "actors": [{"name", "label", "role",
  "mentions": [[start, end]], "quotes": [{"start", "end", "text"}]}]}``; see
  :mod:`tuireader.text.extract`.
* Errors for one input (a line that is not a JSON object with a string ``text``, a file that is
  not UTF-8) are printed in its place as ``{"id": <id or null>, "error": "<one line>"}`` and
  processing continues; ``--jsonl`` then still exits 0 (the errors are in-band), FILE mode
  exits 1 after the last file. A missing model is fatal: ``error: ...`` on stderr, exit 1.
* ``--date`` (or a line's ``published``) is the reference date for relative dates ("am
  Montag"); without it they keep partial ISO values ("-W-1", "--06").
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from typing import IO, Any

import click

_MAX_BATCH = 32
_MAX_LINE_BYTES = 50_000_000


def register(group: click.Group) -> None:
    """Add ``extract``, ``reindex`` and ``actors`` to the CLI."""
    group.add_command(extract_command)
    group.add_command(reindex_command)
    group.add_command(actors_command)


def _write(out: IO[bytes], obj: dict[str, Any]) -> None:
    """One JSON line, flushed. Characters that some line readers split at (U+0085, U+2028,
    U+2029) and lone surrogates are written as \\u escapes, so one object is one line."""
    try:
        data = json.dumps(obj, ensure_ascii=False).translate(_LINE_BREAK_ESCAPES).encode("utf-8")
    except UnicodeEncodeError:
        data = json.dumps(obj).encode("ascii")
    out.write(data + b"\n")
    out.flush()


_LINE_BREAK_ESCAPES = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


@click.command("extract")
@click.option(
    "--lang",
    type=click.Choice(["de", "en", "auto"]),
    default="auto",
    show_default=True,
    help="Language of the documents (auto: per document, from the text or the line's lang).",
)
@click.option("--jsonl", is_flag=True, help='Read {"id", "text", "lang"?} objects from stdin.')
@click.option(
    "--date",
    "reference_date",
    default=None,
    metavar="YYYY-MM-DD",
    help="Reference date for relative dates such as 'am Montag' (default: none).",
)
@click.argument(
    "files", nargs=-1, type=click.Path(exists=True, dir_okay=False, allow_dash=True)
)
def extract_command(
    lang: str, jsonl: bool, reference_date: str | None, files: tuple[str, ...]
) -> None:
    """Print names, figures, actors and quotes of each document as one JSON line.

    Each FILE (or stdin) is one UTF-8 document; with --jsonl, stdin holds one
    {"id", "text", "lang"?, "published"?} object per line and each answer is written as
    soon as its line is processed. Output: {"id", "lang", "entities", "figures",
    "actors"}; offsets are Python string indices into the text. An input that cannot be
    read becomes {"id", "error"} in its place.
    """
    from tuireader.text.extract import ExtractionError
    from tuireader.text.figures import resolve_reference_date

    if reference_date is not None and resolve_reference_date(reference_date) is None:
        raise click.BadParameter(f"not an ISO 8601 date: {reference_date!r}", param_hint="--date")
    if jsonl and files:
        raise click.UsageError("--jsonl reads stdin; do not name FILEs with it")
    out = sys.stdout.buffer
    try:
        if jsonl:
            _extract_jsonl(sys.stdin.buffer, out, lang, reference_date)
            return
        failed = _extract_files(files or ("-",), out, lang, reference_date)
    except ExtractionError as exc:
        raise click.ClickException(str(exc)) from exc
    if failed:
        sys.exit(1)


def _extract_files(
    files: tuple[str, ...], out: IO[bytes], lang: str, reference_date: str | None
) -> int:
    from tuireader.text.extract import extract_document

    failed = 0
    for name in files:
        doc_id = None if name == "-" else name
        try:
            if name == "-":
                raw: IO[bytes] = sys.stdin.buffer
                text = io.TextIOWrapper(raw, encoding="utf-8", newline=None).read()
            else:
                with open(name, encoding="utf-8", newline=None) as handle:
                    text = handle.read()
        except UnicodeDecodeError as exc:
            _write(out, {"id": doc_id, "error": f"not UTF-8 text: {_one_line(exc)}"})
            failed += 1
            continue
        except OSError as exc:
            _write(out, {"id": doc_id, "error": f"cannot read: {exc.strerror or exc}"})
            failed += 1
            continue
        _write(out, extract_document(text, lang, reference_date=reference_date, doc_id=doc_id))
    return failed


def _ready_without_blocking(stream: IO[bytes]) -> bool:
    """Whether another whole line can be read from ``stream`` right now."""
    try:
        fileno = stream.fileno()
    except (OSError, AttributeError, ValueError):
        return True  # an in-memory stream never blocks
    try:
        import select

        readable, _, _ = select.select([fileno], [], [], 0)
    except (OSError, ValueError):
        return False
    if not readable:
        return False
    peek = getattr(stream, "peek", None)
    if peek is None:
        return False
    try:
        return b"\n" in peek(1)
    except (OSError, ValueError):
        return False


def _read_line(stream: IO[bytes]) -> bytes | None:
    """The next line; a line longer than the limit is read to its end and returned as
    :data:`_TOO_LONG`; None at the end of input."""
    line = stream.readline(_MAX_LINE_BYTES + 1)
    if not line:
        return None
    if len(line) > _MAX_LINE_BYTES and not line.endswith(b"\n"):
        while (rest := stream.readline(_MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
            pass
        return _TOO_LONG
    return line


_TOO_LONG = b"\x00too long\x00"


def _line_batches(stream: IO[bytes]) -> Iterator[list[bytes]]:
    """Lines of ``stream`` in small batches: one line, plus those already waiting."""
    while True:
        line = _read_line(stream)
        if line is None:
            return
        batch = [line]
        while len(batch) < _MAX_BATCH and _ready_without_blocking(stream):
            more = _read_line(stream)
            if more is None:
                break
            batch.append(more)
        yield batch


def _parse_line(line: bytes, lang: str, reference_date: str | None) -> dict[str, Any]:
    """A document mapping for :func:`extract_documents`, or ``{"error": ...}``."""
    from tuireader.text.figures import resolve_reference_date

    if line is _TOO_LONG:
        return {"id": None, "error": f"line longer than {_MAX_LINE_BYTES:,} bytes"}
    try:
        obj = json.loads(line.decode("utf-8-sig"))  # a BOM on the first line is harmless
    except UnicodeDecodeError as exc:
        return {"id": None, "error": f"line is not UTF-8: {_one_line(exc)}"}
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"invalid JSON: {_one_line(exc)}"}
    if not isinstance(obj, dict):
        return {"id": None, "error": "expected a JSON object with a text field"}
    doc_id = obj.get("id")
    text = obj.get("text")
    if not isinstance(text, str):
        return {"id": doc_id, "error": "missing or non-string text field"}
    doc_lang = obj.get("lang")
    if doc_lang is not None and not isinstance(doc_lang, str):
        return {"id": doc_id, "error": "lang must be a string"}
    published = obj.get("published", obj.get("reference_date"))
    if not isinstance(published, str) or resolve_reference_date(published) is None:
        published = reference_date
    return {
        "id": doc_id,
        "text": text,
        "lang": doc_lang or lang,
        "reference_date": published,
    }


def _extract_jsonl(
    stream: IO[bytes], out: IO[bytes], lang: str, reference_date: str | None
) -> None:
    from tuireader.text.extract import extract_documents

    for lines in _line_batches(stream):
        documents = [
            _parse_line(line, lang, reference_date) for line in lines if line.strip()
        ]
        good = [d for d in documents if "error" not in d]
        results = iter(extract_documents(good, lang, batch_size=_MAX_BATCH))
        for document in documents:
            _write(out, document if "error" in document else next(results))


@click.command("reindex")
@click.option("--all", "all_articles", is_flag=True, help="Re-extract every article.")
@click.pass_obj
def reindex_command(app: Any, all_articles: bool) -> None:
    """Extract names, figures and actors of articles not yet extracted by this version."""
    from tuireader.text.extract import EXTRACTION_VERSION, ExtractionError, extract_and_store

    store = app.store()
    ids = store.articles_needing_extraction(EXTRACTION_VERSION, all_articles=all_articles)
    if not ids:
        click.echo("nothing to reindex")
        return
    err = sys.stderr
    try:
        if err.isatty():
            with click.progressbar(
                length=len(ids), label="extracting", file=err, show_pos=True
            ) as bar:
                state = {"done": 0}

                def progress(done: int, total: int) -> None:
                    bar.update(done - state["done"])
                    state["done"] = done

                count = extract_and_store(store, ids, progress)
        else:  # logs and pipes get one line, not a bar's carriage returns
            click.echo(f"extracting {len(ids)} article{'s' if len(ids) != 1 else ''}", err=True)
            count = extract_and_store(store, ids)
    except ExtractionError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"reindexed {count} article{'s' if count != 1 else ''}")


@click.command("actors")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=50, show_default=True, help="How many."
)
@click.option(
    "--label", type=click.Choice(["PER", "ORG", "LOC", "MISC"]), default=None, help="Only these."
)
@click.pass_obj
def actors_command(app: Any, as_json: bool, limit: int, label: str | None) -> None:
    """The most-named people, organisations and places across the cache."""
    from tuireader.text.sanitize import clean_line

    stats = app.store().top_actors(limit, label=label)
    if as_json:
        rows = [
            {
                "id": s.id,
                "name": s.name,
                "label": s.label,
                "articles": s.article_count,
                "mentions": s.mention_count,
            }
            for s in stats
        ]
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not stats:
        click.echo("no actors yet (run `tuireader sync` or `tuireader reindex`)")
        return
    width = max(len(clean_line(s.name, 40)) for s in stats)
    click.echo(f"{'id':>6}  {'name':<{width}}  label  articles  mentions")
    for s in stats:
        name = clean_line(s.name, 40)
        click.echo(
            f"{s.id:>6}  {name:<{width}}  {s.label:<5}  {s.article_count:>8}  {s.mention_count:>8}"
        )
