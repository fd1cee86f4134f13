"""Reader highlighting, the actor sidebar, hostile feed text and state across restarts."""

from __future__ import annotations

import pytest
from rich.style import Style
from rich.text import Text

from tests.plugins.ui import EXTRACTION_VERSION
from tests.ui.helpers import screen_text
from tuireader.store import ArticleFilter, EntryData
from tuireader.ui.components.main_screen import MainScreen
from tuireader.ui.components.reader import ENTITY_CLASSES, FIGURE_CLASS, ReaderView
from tuireader.ui.components.sidebar import ActorOptions, ActorSidebar


def main(app) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def styled_words(reader: ReaderView, word: str) -> list[Style]:
    """The styles of every rendered segment that is exactly ``word``."""
    styles = []
    for strip in reader._lines:
        for segment in strip:
            if segment.text == word and segment.style is not None:
                styles.append(segment.style)
    return styles


async def test_names_and_figures_are_highlighted_by_type(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")  # the taz article
        await pilot.pause()
        reader = app.screen.query_one(ReaderView)
        person = styled_words(reader, "Mark Rutte")
        place = styled_words(reader, "Seoul")
        figure = styled_words(reader, "1.500")
        assert person and place and figure
        assert person[0].bold and not person[0].underline
        assert place[0].underline
        assert figure[0].bold and figure[0].underline
        plain = styled_words(reader, "Interessant")
        assert not plain


async def test_highlight_styles_stay_distinct_without_colour(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)):
        widget = app.screen.query_one(ReaderView)
        classes = [*ENTITY_CLASSES.values(), FIGURE_CLASS]
        attributes = {
            name: tuple(
                bool(getattr(widget.get_component_rich_style(name), attr))
                for attr in ("bold", "italic", "underline", "reverse")
            )
            for name in classes
        }
        assert len(set(attributes.values())) == len(classes), attributes


async def test_plain_text_until_extraction_exists(make_app, ui_store) -> None:
    feed = ui_store.list_feeds()[0]
    ui_store.write_entries(feed.id, [EntryData(
        entry_id="fresh", title="Frisch", published="2030-01-01T00:00:00+00:00",
        text="Angela Merkel sprach in Berlin.", content_hash="x",
    )])
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert "Angela Merkel sprach in Berlin." in screen_text(app)
        assert "no actors yet" in screen_text(app)
        assert "none found" in screen_text(app)


async def test_sidebar_groups_actors_with_role_and_counts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "enter")  # tagesschau
        await pilot.pause()
        text = screen_text(app)
        for heading in ("People", "Organisations", "Places", "Other"):
            assert heading in text
        assert "NATO-Generalsekretär" in text
        assert "2 articles" in text
        assert "Key figures" in text and "1.500" in text


async def test_selecting_an_actor_highlights_and_brackets_jump(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "enter")  # tagesschau: Rutte near the end
        await pilot.pause()
        screen = main(app)
        reader = screen.reader
        sidebar = screen.sidebar
        options = sidebar.query_one(ActorOptions)
        options.focus()
        rutte_index = next(
            i for i in range(options.option_count)
            if options.get_option_at_index(i).id
            and "Rutte" in str(options.get_option_at_index(i).prompt)
        )
        options.highlighted = rutte_index
        await pilot.pause()
        rutte = sidebar.selected_actor
        assert rutte is not None and rutte.name == "Mark Rutte"
        assert reader.selected_actor == rutte.actor_id
        assert any(style.reverse for style in styled_words(reader, "Mark Rutte"))
        lines = reader.actor_lines(rutte.actor_id)
        assert len(lines) >= 2
        await pilot.press("right_square_bracket")
        await pilot.pause()
        top = round(reader.scroll_offset.y)
        assert top <= lines[0] < top + reader.size.height
        await pilot.press("right_square_bracket")
        await pilot.pause()
        second_top = round(reader.scroll_offset.y)
        assert second_top <= lines[1] < second_top + reader.size.height
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert round(reader.scroll_offset.y) <= lines[0]
        await pilot.press("enter")
        await pilot.pause()
        assert screen.filter.actor_id == rutte.actor_id
        assert len(screen.articles.ids) == 2


async def test_feed_text_is_never_markup(make_app, ui_store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[bold]x[/]" in text
        assert "[@click=app.quit]quit me[/]" in text
        assert "[red]Hostile…" in text
        screen = main(app)
        index = next(
            i for i in range(len(screen.articles.ids))
            if (row := screen.articles.summary(i)) and row.title.startswith("[@click")
        )
        screen.articles.cursor = index
        await pilot.press("enter", "y")
        await pilot.pause()
        assert app.is_running
        await pilot.click(ReaderView, offset=(3, 0))
        await pilot.pause()
        assert app.is_running
        await pilot.press("f")
        await pilot.pause()
        assert "[red]Hostile[/] feed" in screen_text(app)


async def test_control_characters_never_reach_the_terminal(make_app, ui_store) -> None:
    feed = ui_store.list_feeds()[0]
    ui_store.write_entries(feed.id, [EntryData(
        entry_id="evil", title="Evil\x1b]52;c;ZXZpbA==\x07 title\x1b[2J",
        published="2030-01-01T00:00:00+00:00", author="\x1b[31mred\x1b[0m",
        text="Body \x1b]0;pwned\x07 text\x9b31m here.", content_hash="evil",
    )])
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
        assert "Evil title" in text
        assert "Body  text" in text


async def test_cursor_and_filter_survive_a_restart(make_app, ui_store) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"#news", "enter", "j", "enter")
        await pilot.pause()
        chosen = main(app).articles.current_id
    assert ui_store.get_state("ui.cursor") == chosen
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = main(app)
        assert screen.filter == ArticleFilter(tag="news")
        assert screen.articles.current_id == chosen
        assert "tag news" in screen_text(app).splitlines()[0]


async def test_broken_saved_state_falls_back_to_all_articles(make_app, ui_store) -> None:
    ui_store.set_state("ui.filter", {"actor_id": "nonsense", "bogus": 1})
    ui_store.set_state("ui.cursor", 987654)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = main(app)
        assert app.is_running
        assert screen.articles.cursor == 0


async def test_sidebar_refreshes_when_extraction_changes(make_app, ui_store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        first = screen.articles.ids[0]
        ui_store.save_extraction(first, {"entities": [], "figures": [], "actors": []},
                                 EXTRACTION_VERSION)
        await pilot.press("enter")
        await pilot.pause()
        assert "no actors yet" in screen_text(app)
        assert isinstance(screen.sidebar, ActorSidebar)
        assert Text("x").plain == "x"


async def test_no_color_keeps_highlights_distinct(make_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert app.no_color
        reader = app.screen.query_one(ReaderView)
        person = styled_words(reader, "Mark Rutte")[0]
        place = styled_words(reader, "Seoul")[0]
        figure = styled_words(reader, "1.500")[0]
        signatures = {
            (style.bold, style.italic, style.underline) for style in (person, place, figure)
        }
        assert len(signatures) == 3


async def test_cursor_position_is_saved_after_moving(make_app, ui_store) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "j", "j")
        expected = main(app).articles.ids[3]
        assert ui_store.get_state("ui.cursor") != expected, "not written on every key"
        for _ in range(100):  # written once the cursor has rested for half a second
            await pilot.pause(0.05)
            if ui_store.get_state("ui.cursor") == expected:
                break
        assert ui_store.get_state("ui.cursor") == expected


@pytest.mark.parametrize("theme", ["textual-light", "ansi-dark", "nord"])
async def test_other_themes_render_highlights(make_app, theme) -> None:
    app = make_app(theme=theme)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        reader = app.screen.query_one(ReaderView)
        assert styled_words(reader, "Mark Rutte")[0].bold
        assert styled_words(reader, "Seoul")[0].underline
        assert "Mark Rutte" in screen_text(app)


async def test_huge_text_is_cut_and_stays_responsive(make_app, ui_store) -> None:
    from tuireader.ui.components.reader import MAX_BODY_CHARS

    feed = ui_store.list_feeds()[0]
    ui_store.write_entries(feed.id, [EntryData(
        entry_id="huge", title="Riesig", published="2031-01-01T00:00:00+00:00",
        text="Wort " * (MAX_BODY_CHARS // 2), content_hash="huge",
    )])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        reader = app.screen.query_one(ReaderView)
        await pilot.press("z", "end")
        await pilot.pause()
        assert f"(text cut at {MAX_BODY_CHARS:,} characters)" in screen_text(app)
        assert reader.line_count < MAX_BODY_CHARS // 40


async def test_sidebar_shows_what_an_actor_said(make_app, ui_store) -> None:
    from tests.plugins.ui import EXTRACTION_VERSION as VERSION

    article_id = ui_store.page_articles()[1].id
    article = ui_store.get_article(article_id)
    quote_start = article.text.index("ernste Besorgnis")
    quote_end = article.text.index('"', quote_start)
    quotes = [{"start": quote_start, "end": quote_end, "text": article.text[quote_start:quote_end]},
              {"start": 0, "end": 5, "text": "[bold]zweites[/] Zitat " + "lang " * 40},
              {"start": 0, "end": 5, "text": "drittes"}]
    result = {
        "entities": [], "figures": [],
        "actors": [{"name": "Kim Hong Kyun", "label": "PER", "role": "Außenminister",
                    "mentions": [], "quotes": quotes}],
    }
    ui_store.save_extraction(article_id, result, VERSION)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "„ernste Besorgnis über die" in text and "Truppen nach Russ…“" in text
        assert "[bold]zweite" in text  # literal, never markup
        assert "drittes" not in text and "1 more quotes" in text
        assert "1 article" in text
