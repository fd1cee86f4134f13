"""Every key path of the main screen, driven through the real app with Pilot."""

from __future__ import annotations

import webbrowser

from tests.ui.helpers import screen_text
from tuireader.store import ArticleFilter
from tuireader.ui.components.article_list import ArticleList
from tuireader.ui.components.main_screen import MainScreen
from tuireader.ui.components.reader import ReaderView
from tuireader.ui.components.sidebar import ActorOptions


def main(app) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def test_j_k_and_arrows_move_the_cursor(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        articles = app.screen.query_one(ArticleList)
        assert articles.cursor == 0
        await pilot.press("j", "j", "down")
        assert articles.cursor == 3
        await pilot.press("k", "up")
        assert articles.cursor == 1
        await pilot.press("k", "k", "k")
        assert articles.cursor == 0
        await pilot.press("G")
        assert articles.cursor == len(articles.ids) - 1
        await pilot.press("j")
        assert articles.cursor == len(articles.ids) - 1


async def test_enter_opens_article_and_marks_it_read(make_app, ui_store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "enter")
        await pilot.pause()
        screen = main(app)
        opened = screen.articles.ids[1]
        assert screen.open_id == opened
        article = ui_store.get_article(opened)
        assert article is not None and article.read
        assert "Südkorea fordert Rückkehr" in screen_text(app)
        assert "13 unread of 14" in screen_text(app)


async def test_space_and_b_page_the_text(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "enter")
        reader = app.screen.query_one(ReaderView)
        assert reader.line_count > reader.size.height * 2
        await pilot.press("space")
        await pilot.pause()
        first_page = reader.scroll_offset.y
        assert first_page > 0
        await pilot.press("space")
        await pilot.pause()
        assert reader.scroll_offset.y > first_page
        await pilot.press("b", "b")
        await pilot.pause()
        assert reader.scroll_offset.y == 0


async def test_n_and_shift_n_go_to_next_and_previous_unread(make_app, ui_store) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = main(app)
        ids = screen.articles.ids
        ui_store.set_read(ids[1:4], True)
        screen.reload(keep=ids[0])
        await pilot.press("n")
        assert screen.articles.cursor == 4
        assert screen.open_id == ids[4]
        await pilot.press("N")
        assert screen.articles.cursor == 0
        assert screen.open_id == ids[0]
        await pilot.press("N")
        assert screen.articles.cursor == 0  # nothing before: stays


async def test_tab_cycles_the_panes(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        assert app.focused is screen.articles
        await pilot.press("tab")
        assert app.focused is screen.reader
        await pilot.press("tab")
        assert isinstance(app.focused, ActorOptions)
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is screen.articles


async def test_slash_searches_full_text(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"Rutte", "enter")
        await pilot.pause()
        screen = main(app)
        assert screen.filter.search == "Rutte"
        assert len(screen.articles.ids) == 2
        assert "search 'Rutte'" in screen_text(app)
        await pilot.press("escape")
        assert screen.filter == ArticleFilter()
        assert len(screen.articles.ids) == 14


async def test_search_with_fts_syntax_is_inert(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*'"NEAR( *', "enter")
        await pilot.pause()
        assert app.is_running
        assert "no articles match" in screen_text(app)


async def test_f_filters_by_feed_and_by_tag(make_app, ui_store) -> None:
    taz = next(f for f in ui_store.list_feeds() if f.title is None and "taz" in f.url)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        await pilot.pause()
        assert "1 unread / 1" in screen_text(app)
        await pilot.press(*"taz", "enter")
        await pilot.pause()
        screen = main(app)
        assert screen.filter.feed_id == taz.id
        assert len(screen.articles.ids) == 1
        assert "feed #" in screen_text(app) and "(taz)" in screen_text(app)
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"#news", "enter")
        await pilot.pause()
        assert screen.filter.tag == "news" and screen.filter.feed_id is None
        assert len(screen.articles.ids) == 2


async def test_a_filters_by_actor(make_app, ui_store) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert "2 articles" in screen_text(app)
        await pilot.press(*"rutte", "enter")
        await pilot.pause()
        screen = main(app)
        rutte = next(a for a in ui_store.top_actors() if a.name == "Mark Rutte")
        assert screen.filter.actor_id == rutte.id
        assert len(screen.articles.ids) == 2
        assert "(Mark Rutte)" in screen_text(app)


async def test_escape_in_picker_changes_nothing(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "escape", "f", "escape", "slash", "escape")
        await pilot.pause()
        assert main(app).filter == ArticleFilter()


async def test_u_toggles_unread_only(make_app, ui_store) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "u")
        await pilot.pause()
        screen = main(app)
        assert screen.filter.unread_only
        assert len(screen.articles.ids) == 13
        await pilot.press("u")
        assert len(screen.articles.ids) == 14


async def test_s_stars_and_m_toggles_read_at_once(make_app, ui_store) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = main(app)
        first = screen.articles.ids[0]
        await pilot.press("s")
        assert ui_store.get_article(first).starred
        await pilot.press("m")
        assert ui_store.get_article(first).read
        await pilot.press("m", "s")
        article = ui_store.get_article(first)
        assert not article.read and not article.starred


async def test_shift_a_marks_view_read_and_u_undoes(make_app, ui_store) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("A")
        await pilot.pause()
        assert ui_store.count_unread() == 0
        assert "0 unread" in screen_text(app)
        await pilot.press("U")
        await pilot.pause()
        assert ui_store.count_unread() == 14
        await pilot.press("A", "ctrl+z")
        assert ui_store.count_unread() == 14


async def test_y_copies_link_with_notification(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "https://taz.de/Nordkorea-Soldaten/!6040000/"
        assert any("Copied https://taz.de" in str(n.message) for n in app._notifications)


async def test_o_opens_graphical_browser_or_says_there_is_none(make_app, monkeypatch) -> None:
    opened: list[str] = []

    class FakeBrowser(webbrowser.BackgroundBrowser):
        def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
            opened.append(url)
            return True

    monkeypatch.setattr(webbrowser, "get", lambda using=None: FakeBrowser("fake"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert opened == ["https://taz.de/Nordkorea-Soldaten/!6040000/"]

    def no_browser(using=None):
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", no_browser)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("No graphical browser" in str(n.message) for n in app._notifications)


async def test_terminal_browser_is_not_started(make_app, monkeypatch) -> None:
    monkeypatch.setattr(webbrowser, "get", lambda using=None: webbrowser.GenericBrowser("lynx"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("No graphical browser" in str(n.message) for n in app._notifications)


async def test_q_quits(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_command_palette_runs_reader_actions(make_app, ui_store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        first = main(app).articles.ids[0]
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Star", "enter")
        await pilot.pause()
        await pilot.pause()
        assert ui_store.get_article(first).starred


async def test_help_screen_lists_bindings_with_ids(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for binding_id in ("next_unread", "mark_all_read", "undo", "toggle_sidebar", "star"):
            assert binding_id in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_keymap_from_config_rebinds_keys(make_app, ui_store) -> None:
    app = make_app(keymap={"star": "x", "next_unread": "space"})
    async with app.run_test(size=(80, 40)) as pilot:
        first = main(app).articles.ids[0]
        await pilot.press("s")
        assert not ui_store.get_article(first).starred
        await pilot.press("x")
        assert ui_store.get_article(first).starred
        await pilot.press("question_mark")
        await pilot.pause()
        star_line = next(line for line in screen_text(app).splitlines() if " star " in line)
        assert " x " in star_line


async def test_unknown_binding_ids_in_config_are_reported(make_app) -> None:
    app = make_app(keymap={"star": "x", "no_such_action": "z", "[bold]": "w"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("Unknown key binding ids in [keys]: [bold], no_such_action" in m
                   for m in messages)
        assert "star" in app.binding_ids()


async def test_store_failures_are_one_line_notifications(make_app, ui_store, monkeypatch) -> None:
    from tuireader.store import StoreError

    def read_only(*args, **kwargs):
        raise StoreError("database cache.db is read-only (attempt to write a readonly database)")

    monkeypatch.setattr(ui_store, "set_starred", read_only)
    monkeypatch.setattr(ui_store, "set_read", read_only)
    monkeypatch.setattr(ui_store, "mark_all_read", read_only)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "enter", "A")
        await pilot.pause()
        assert app.is_running
        messages = [str(n.message) for n in app._notifications]
        assert len(messages) == 3
        assert all(m.startswith("database cache.db is read-only") for m in messages)


async def test_list_rows_survive_a_busy_cache(make_app, ui_store, monkeypatch) -> None:
    from tuireader.store import StoreError

    real_summaries = ui_store.summaries
    busy = True

    def maybe_busy(ids):
        if busy:
            raise StoreError("database is busy")
        return real_summaries(ids)

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        articles = main(app).articles
        monkeypatch.setattr(ui_store, "summaries", maybe_busy)
        articles.set_ids(list(articles.ids))
        await pilot.pause()
        assert app.is_running
        assert "Nordkoreas Soldaten" not in screen_text(app)
        busy = False
        articles.refresh()
        await pilot.pause()
        assert "Nordkoreas Soldaten" in screen_text(app)
