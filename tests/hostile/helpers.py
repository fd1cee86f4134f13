"""Checks shared by the hostile-input tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tuireader.store import Store

CORPUS = Path(__file__).resolve().parent / "corpus"

# Every C0/C1 control except tab and newline, DEL, and the bidi overrides and isolates.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def corpus_copy(tmp_path: Path, name: str) -> Path:
    """A copy of one corpus file in the test's own directory."""
    target = tmp_path / name
    shutil.copyfile(CORPUS / name, target)
    return target


def displayed_strings(store: Store) -> list[str]:
    """Every stored value that is ever shown to a user (lists, reader, sidebar, CLI)."""
    values: list[str] = []
    for feed in store.list_feeds():
        values += [feed.title or "", feed.site_url or "", feed.last_error or "",
                   feed.last_warning or "", *feed.tags]
    for summary in store.page_articles(limit=1_000_000):
        article = store.get_article(summary.id)
        assert article is not None
        values += [article.title, article.author or "", article.url or "", article.text,
                   article.feed_title]
        for mention in store.mentions(summary.id):
            values += [mention.text, mention.unit or "", mention.value or ""]
    return values


def assert_no_controls(store: Store) -> None:
    """No displayed value holds a terminal control or a bidi override."""
    for value in displayed_strings(store):
        match = FORBIDDEN.search(value)
        assert match is None, f"control {match.group()!r} survived in {value!r}"
