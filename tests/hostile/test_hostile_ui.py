"""Hostile feeds through the real sync into the real app (Pilot): every control stripped,
every piece of markup shown literally and never acted on — list, reader, sidebar, pickers,
notifications — and property tests over the shared rendering helpers."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from tests.hostile.helpers import FORBIDDEN, corpus_copy
from tests.ui.helpers import screen_text
from tuireader.store import Store
from tuireader.sync import sync_feeds
from tuireader.ui.app import ReaderApp
from tuireader.ui.components.article_list import ArticleList
from tuireader.ui.formatting import fit, one_line, plain, safe_body

HOSTILE_FILES = ("control_sequences.rss", "markup_injection.atom", "controls.json", "bidi.rss",
                 "cdata_double_escaped.rss")


def hostile_store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "hostile.db")
    for name in HOSTILE_FILES:
        store.add_feed(corpus_copy(tmp_path, name).as_uri())
    summary = sync_feeds(store, extract=False)
    assert summary.errors == 0
    store.set_state("demo_offered", True)
    return store


def assert_clean_screen(app: ReaderApp) -> str:
    text = screen_text(app)
    match = FORBIDDEN.search(text)
    assert match is None, f"control {match.group()!r} reached the screen"
    return text


async def test_every_hostile_article_renders_literally(tmp_path: Path) -> None:
    store = hostile_store(tmp_path)
    seen = ""
    app = ReaderApp(store, timezone=UTC, theme="textual-dark", extract=False)
    async with app.run_test(size=(120, 40)) as pilot:
        articles = app.screen.query_one(ArticleList)
        for _ in range(len(articles.ids)):
            await pilot.press("enter")
            await pilot.pause()
            seen += assert_clean_screen(app)
            articles.focus()
            await pilot.press("j")
        for picker_key in ("f", "a"):
            await pilot.press(picker_key)
            await pilot.pause()
            seen += assert_clean_screen(app)
            await pilot.press("escape")
        assert app.is_running, "markup in feed text must never run an action"
    assert "[@click=app.quit]quit[/]" in seen
    assert "[link=file:///etc/passwd]secret[/link]" in seen
    assert "[bold]Markup[/bold] feed" in seen
    store.close()


async def test_sync_notifications_show_feed_text_literally(tmp_path: Path) -> None:
    store = hostile_store(tmp_path)
    broken = tmp_path / "[bold]broken[@click=app.quit]x.xml"
    broken.write_text("<html>not a feed</html>", encoding="utf-8")
    store.add_feed(broken.as_uri(), title="[@click=app.quit]Quitter[/]")
    app = ReaderApp(store, timezone=UTC, theme="textual-dark", extract=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        for _ in range(100):
            await pilot.pause(0.05)
            if not app.sync_running:
                break
        await pilot.pause(0.2)
        assert app.is_running
        assert_clean_screen(app)
        notifications = list(app._notifications)
        assert any("not a feed" in n.message for n in notifications)
        for notification in notifications:
            assert not notification.markup or "[" not in notification.message, (
                "a notification that carries feed text must not be parsed as markup"
            )
        assert "bold" in screen_text(app) or "%5Bbold%5D" in screen_text(app)
    store.close()


feed_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200
) | st.sampled_from([
    "[bold]x[/]", "[@click=app.quit]q[/]", "\x1b]52;c;Zm9v\x07", "\x1b[2J", "\x9b1m",
    "[link=file:///etc/passwd]p[/link]", "\u202eevil", "東京🚀", "\\[escaped]", "[/]",
])


@settings(max_examples=200, deadline=None)
@given(feed_text)
def test_rendering_helpers_never_emit_controls_or_interpret_markup(value: str) -> None:
    line = plain(value)
    assert isinstance(line, Text) and not line.spans
    assert FORBIDDEN.search(line.plain) is None
    assert line.plain == one_line(value)
    body, _ = safe_body(value)
    assert FORBIDDEN.search(body) is None
    fitted = fit(line, 30)
    assert fitted.cell_len == 30
    console = Console(width=400, record=True, force_terminal=True, color_system="256",
                      file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(line)
    exported = console.export_text(styles=False)
    assert exported.rstrip("\n").rstrip() == line.plain.rstrip()
    console.file.close()
