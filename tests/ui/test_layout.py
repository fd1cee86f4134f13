"""Layout, list rendering and the reader view at 80x24 and 120x40."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tests.ui.helpers import screen_text
from tuireader.ui.components.article_list import ArticleList
from tuireader.ui.components.main_screen import MainScreen
from tuireader.ui.components.reader import ReaderView
from tuireader.ui.components.sidebar import ActorSidebar


async def test_wide_terminal_shows_all_three_panes(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.query_one(ArticleList).region.width > 0
        assert screen.query_one(ReaderView).region.height > 0
        assert screen.query_one(ActorSidebar).region.width > 0
        text = screen_text(app)
        assert "all articles" in text
        assert "14 unread of 14" in text


async def test_narrow_terminal_folds_sidebar_behind_i(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        sidebar = app.screen.query_one(ActorSidebar)
        articles = app.screen.query_one(ArticleList)
        reader = app.screen.query_one(ReaderView)
        assert sidebar.region.width == 0
        assert articles.region.y < reader.region.y, "list on top, reader below"
        await pilot.press("i")
        await pilot.pause()
        assert sidebar.region.width > 0
        assert app.focused is not None and sidebar in app.focused.ancestors
        await pilot.press("i")
        await pilot.pause()
        assert sidebar.region.width == 0
        assert app.focused is articles


async def test_z_maximises_reader_and_escape_restores(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "z")
        await pilot.pause()
        reader = app.screen.query_one(ReaderView)
        assert app.screen.maximized is reader
        assert reader.region.height >= 20
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.maximized is None
        await pilot.press("z", "z")
        assert app.screen.maximized is None


async def test_list_is_newest_first_with_absolute_dates_and_markers(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        taz = next(i for i, line in enumerate(lines) if "Nordkoreas Soldaten" in line)
        tagesschau = next(i for i, line in enumerate(lines) if "Südkorea fordert" in line)
        assert taz < tagesschau
        assert "2024-10-21 16:30" in lines[taz]
        assert "2024-10-21 13:07" in lines[tagesschau]
        assert lines[tagesschau].lstrip().startswith("●")


async def test_rows_keep_columns_aligned_with_wide_characters(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        articles = app.screen.query_one(ArticleList)
        width = articles.scrollable_content_region.width
        title_columns = set()
        for index in range(len(articles.ids)):
            row = articles.summary(index)
            assert row is not None
            text = articles.render_row(row, width)
            assert text.cell_len == width
            title = row.title
            plain = text.plain
            if title[:4] in plain:
                title_columns.add(cell_len(plain[: plain.index(title[:4])]))
        assert any("東京" in (articles.summary(i).title) for i in range(len(articles.ids)))
        assert len(title_columns) == 1, "every title starts in the same column"


async def test_unread_rows_are_bold_and_read_rows_are_not(make_app, ui_store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        articles = app.screen.query_one(ArticleList)
        row = articles.summary(1)
        assert row is not None and not row.read
        unread_text = articles.render_row(row, 100)
        assert unread_text.style.bold
        row.read = True
        assert not articles.render_row(row, 100).style.bold


async def test_empty_cache_shows_a_hint(make_app, tmp_path) -> None:
    from tuireader.store import Store

    with Store(tmp_path / "empty.db") as empty:
        app = make_app(empty)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert "no articles yet: press r to sync" in screen_text(app)
            await pilot.press("enter", "j", "n", "s", "m", "y")
            await pilot.pause()
            assert app.is_running


@pytest.mark.parametrize("size", [(20, 6), (40, 12), (200, 60)])
async def test_odd_terminal_sizes_do_not_break(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter", "i", "z", "z", "question_mark", "escape", "f", "escape")
        await pilot.pause()
        assert app.is_running
        for line in screen_text(app).splitlines():
            assert cell_len(line) == size[0]
