"""The main screen: article list, reader view and actor sidebar, with every reader action.

All bindings carry ids, so users can rebind them from ``[keys]`` in the config file.
Every change (read, starred, cursor, filter) is written to the store at once.
"""

from __future__ import annotations

import dataclasses
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from tuireader.store import ArticleFilter, FeedNotFoundError, Store, StoreError
from tuireader.ui.components.article_list import ArticleList
from tuireader.ui.components.picker import PickerScreen, actor_choices, feed_choices
from tuireader.ui.components.reader import ReaderView
from tuireader.ui.components.search import SearchScreen
from tuireader.ui.components.sidebar import ActorOptions, ActorSidebar
from tuireader.ui.components.status import StatusHeader
from tuireader.ui.errors import notify_store_errors
from tuireader.ui.formatting import one_line
from tuireader.ui.keys import MAIN_BINDINGS, KeyHelpRows, describe_bindings, find_binding

if TYPE_CHECKING:
    from tuireader.ui.app import ReaderApp

FILTER_STATE = "ui.filter"
CURSOR_STATE = "ui.cursor"
WIDE_COLUMNS = 120


class MainScreen(Screen[None]):
    """Three panes: list (top left), reader (bottom left), actors (right; folds below 120)."""

    BINDINGS: ClassVar[list[BindingType]] = MAIN_BINDINGS

    def __init__(self, store: Store, *, timezone: tzinfo | None = None) -> None:
        super().__init__()
        self.store = store
        self.timezone = timezone
        self.filter = ArticleFilter()
        self.open_id: int | None = None
        self.undo_ids: list[int] = []
        self.sidebar_toggled = False
        self.activity = ""
        self._cursor_timer: Timer | None = None
        self.header = StatusHeader(store, id="status")
        self.articles = ArticleList(store, timezone=timezone, id="articles")
        self.reader = ReaderView(timezone=timezone, id="reader")
        self.sidebar = ActorSidebar(id="sidebar")

    @property
    def reader_app(self) -> ReaderApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield self.header
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield self.articles
                yield self.reader
            yield self.sidebar
        yield Footer()

    # -- start-up and state ----------------------------------------------------------------------
    @notify_store_errors
    def on_mount(self) -> None:
        self.filter = _filter_from_state(self.store.get_state(FILTER_STATE))
        self.reload(keep=self.store.get_state(CURSOR_STATE))
        self.sidebar.show([], [])
        self.articles.focus()
        self._apply_width(self.app.size.width)

    def on_resize(self) -> None:
        self._apply_width(self.app.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < WIDE_COLUMNS, "-narrow")

    def reload(self, keep: int | None = None, *, search_keep: bool = True) -> None:
        """Re-read the current view's ids from the store, keeping the cursor on ``keep``
        (see :meth:`ArticleList.load` for ``search_keep``)."""
        self.articles.empty_message = (
            "no articles yet: press r to sync" if self.filter == ArticleFilter()
            else "no articles match this view (escape clears it)"
        )
        try:
            self.articles.load(self.filter, keep=keep, search_keep=search_keep)
        except StoreError as exc:  # e.g. busy or unreadable: show an empty list, keep running
            self.app.notify(one_line(str(exc)), severity="error", markup=False)
            self.articles.set_ids([])
        self.refresh_status()

    @on(ArticleList.Loaded)
    def _on_articles_loaded(self) -> None:
        self.refresh_status()

    @notify_store_errors
    def refresh_status(self) -> None:
        """Redraw the header and count the view again (see :class:`StatusHeader`)."""
        ids = self.articles.ids if self.articles.complete else None
        self.header.recount(self.filter, self.describe_filter(), self.activity, ids)

    @notify_store_errors
    def adjust_unread(self, change: int) -> None:
        """This view's unread count moved by ``change``."""
        if not self.header.adjust_unread(change):
            self.refresh_status()

    def describe_filter(self) -> str:
        """``ArticleFilter.describe()`` plus the feed's or actor's name."""
        text = self.filter.describe()
        if self.filter.feed_id is not None:
            try:
                feed = self.store.get_feed(self.filter.feed_id)
            except FeedNotFoundError:
                pass  # removed meanwhile: the plain description stands
            else:
                text += f" ({one_line(feed.display_title)})"
        if self.filter.actor_id is not None:
            actor = self.store.get_actor(self.filter.actor_id)
            if actor is not None:
                text += f" ({one_line(actor.name)})"
        return text

    @notify_store_errors
    def set_filter(self, new_filter: ArticleFilter) -> None:
        """Show ``new_filter``'s articles and remember the filter."""
        self.filter = new_filter
        self.store.set_state(FILTER_STATE, dataclasses.asdict(new_filter))
        self.reload(keep=self.articles.current_id, search_keep=False)

    @notify_store_errors
    def save_cursor(self) -> None:
        """Write the cursor's article id to the store."""
        if self._cursor_timer is not None:
            self._cursor_timer.stop()
            self._cursor_timer = None
        self.store.set_state(CURSOR_STATE, self.articles.current_id)

    @notify_store_errors
    def _cursor_settled(self) -> None:
        self._cursor_timer = None
        self.save_cursor()

    def on_unmount(self) -> None:
        self.save_cursor()

    # -- messages from the panes -----------------------------------------------------------------
    @on(ArticleList.Highlighted)
    def _highlighted(self) -> None:
        # Written half a second after the cursor stops (and on open and exit), not per key.
        if self._cursor_timer is None:
            self._cursor_timer = self.set_timer(0.5, self._cursor_settled)
        else:
            self._cursor_timer.reset()

    @on(ArticleList.Opened)
    @notify_store_errors
    def _opened(self, event: ArticleList.Opened) -> None:
        self.open_article(event.article_id)

    @notify_store_errors
    def open_article(self, article_id: int) -> None:
        """Show an article in the reader and its actors in the sidebar; mark it read."""
        article = self.store.get_article(article_id)
        if article is None:
            self.app.notify("That article is gone from the cache.", severity="warning")
            self.reload()
            return
        mentions = self.store.mentions(article_id)
        self.open_id = article_id
        self.reader.show_article(article, mentions)
        self.sidebar.show(self.store.article_actors(article_id), mentions)
        if not article.read:
            self.store.set_read([article_id], True)
            self.articles.update_flags([article_id], read=True)
            self.adjust_unread(-1)
        self.save_cursor()

    @notify_store_errors
    def refresh_open_article(self) -> None:
        """Re-read the open article's text, names and actors (after a sync or extraction)."""
        if self.open_id is None:
            return
        article = self.store.get_article(self.open_id)
        if article is None:
            return
        mentions = self.store.mentions(self.open_id)
        self.reader.show_article(article, mentions, keep_scroll=True)
        self.sidebar.show(self.store.article_actors(self.open_id), mentions)

    @on(ActorSidebar.ActorHighlighted)
    def _actor_highlighted(self, event: ActorSidebar.ActorHighlighted) -> None:
        self.reader.select_actor(event.actor_id)

    @on(ActorSidebar.ActorChosen)
    @notify_store_errors
    def _actor_chosen(self, event: ActorSidebar.ActorChosen) -> None:
        self.set_filter(dataclasses.replace(self.filter, actor_id=event.actor_id))
        self.articles.focus()

    # -- actions ---------------------------------------------------------------------------------
    @notify_store_errors
    def action_page_text(self, direction: int) -> None:
        """Page the reader's text down (1) or up (-1)."""
        if direction > 0:
            self.reader.action_page_text_down()
        else:
            self.reader.action_page_text_up()

    @notify_store_errors
    def action_next_unread(self, direction: int) -> None:
        """Open the next (1) or previous (-1) unread article in the list."""
        index = self.articles.find_unread(forward=direction > 0)
        if index is None:
            self.app.notify("No more unread articles in this view.")
            return
        self.articles.cursor = index
        self.open_article(self.articles.ids[index])

    @notify_store_errors
    def action_search(self) -> None:
        """Ask for search words; the results become the list."""

        def searched(words: str | None) -> None:
            if words is not None:
                self.set_filter(dataclasses.replace(self.filter, search=words or None))

        self.app.push_screen(SearchScreen(self.filter.search or ""), searched)

    @notify_store_errors
    def action_pick_feed(self) -> None:
        """Filter the list by one feed or tag, picked from a list with unread counts."""
        choices = feed_choices(self.store)

        def picked(value: tuple[str, Any] | None) -> None:
            if value is None:
                return
            kind, key = value
            self.set_filter(
                dataclasses.replace(
                    self.filter,
                    feed_id=key if kind == "feed" else None,
                    tag=key if kind == "tag" else None,
                )
            )

        self.app.push_screen(
            PickerScreen("Filter by feed or tag", choices, empty="no feeds yet"), picked
        )

    @notify_store_errors
    def action_pick_actor(self) -> None:
        """Filter the list by an actor, picked from the most-named ones."""
        choices = actor_choices(self.store)

        def picked(actor_id: int | None) -> None:
            if actor_id is not None:
                self.set_filter(dataclasses.replace(self.filter, actor_id=actor_id))

        self.app.push_screen(
            PickerScreen("Filter by actor", choices, empty="no actors yet"), picked
        )

    @notify_store_errors
    def action_toggle_unread_only(self) -> None:
        """Show only unread articles, or all again."""
        self.set_filter(dataclasses.replace(self.filter, unread_only=not self.filter.unread_only))

    def _target_id(self) -> int | None:
        """The article an action applies to: the one under the cursor, else the open one."""
        return self.articles.current_id or self.open_id

    @notify_store_errors
    def action_toggle_star(self) -> None:
        """Star or unstar the article under the cursor."""
        article_id = self._target_id()
        row = self.articles.summary(self.articles.cursor) if article_id is not None else None
        if article_id is None or row is None:
            return
        self.store.set_starred([article_id], not row.starred)
        self.articles.update_flags([article_id], starred=not row.starred)

    @notify_store_errors
    def action_toggle_read(self) -> None:
        """Mark the article under the cursor read or unread."""
        article_id = self._target_id()
        row = self.articles.summary(self.articles.cursor) if article_id is not None else None
        if article_id is None or row is None:
            return
        was_read = row.read
        self.store.set_read([article_id], not was_read)
        self.articles.update_flags([article_id], read=not was_read)
        self.adjust_unread(1 if was_read else -1)

    @notify_store_errors
    def action_mark_all_read(self) -> None:
        """Mark every article in the view read (undo restores them)."""
        ids = self.store.mark_all_read(self.filter)
        if not ids:
            self.app.notify("Nothing unread in this view.")
            return
        self.undo_ids = ids
        self.articles.update_flags(ids, read=True)
        self.refresh_status()
        found = find_binding(self._binding_sections(), "undo")
        undo_key = self.app.get_key_display(found[1]) if found else "undo"
        self.app.notify(f"Marked {len(ids)} read. Press {undo_key} to undo.", markup=False)

    @notify_store_errors
    def action_undo(self) -> None:
        """Undo the last mark-all-read."""
        if not self.undo_ids:
            self.app.notify("Nothing to undo.")
            return
        ids, self.undo_ids = self.undo_ids, []
        self.store.set_read(ids, False)
        self.articles.update_flags(ids, read=False)
        self.refresh_status()
        self.app.notify(f"Marked {len(ids)} unread again.", markup=False)

    def _binding_sections(self) -> tuple[tuple[str, Any], ...]:
        return (
            ("Everywhere", self),
            ("Article list", self.articles),
            ("Reader", self.reader),
            ("Actor sidebar", self.query_one(ActorOptions)),
        )

    def run_binding(self, binding_id: str) -> bool:
        """Run the action bound to ``binding_id`` (for the command palette); False if unknown."""
        found = find_binding(self._binding_sections(), binding_id)
        if found is None:
            return False
        node, binding = found
        self.app.call_later(self.app.run_action, binding.action, node)
        return True

    def key_help(self) -> KeyHelpRows:
        """Every binding id with its current keys and description, grouped by pane."""
        return describe_bindings(self._binding_sections())

    @notify_store_errors
    def action_copy_link(self) -> None:
        """Copy the article's link to the clipboard (OSC 52)."""
        url = self._current_url()
        if url:
            self.app.copy_to_clipboard(url)
            self.app.notify(f"Copied {url}", markup=False)

    @notify_store_errors
    def action_open_link(self) -> None:
        """Open the article's link in the system browser, if there is one."""
        url = self._current_url()
        if url:
            self.reader_app.open_in_browser(url)

    def _current_url(self) -> str | None:
        article_id = self._target_id()
        article = self.store.get_article(article_id) if article_id is not None else None
        url = one_line(article.url) if article else ""
        if not url:
            self.app.notify("This article has no link.", severity="warning")
            return None
        return url

    @notify_store_errors
    def action_clear_filter(self) -> None:
        """Back to all articles."""
        if self.screen.maximized is not None:
            self.minimize()
            return
        if self.filter != ArticleFilter():
            self.set_filter(ArticleFilter())

    @notify_store_errors
    def action_toggle_sidebar(self) -> None:
        """Show or hide the actor sidebar (it folds away below 120 columns)."""
        self.sidebar_toggled = not self.sidebar_toggled
        self.set_class(self.sidebar_toggled, "-sidebar-toggled")
        if self.sidebar_visible:
            self.query_one(ActorOptions).focus()
        elif self.focused is None or self.sidebar in self.focused.ancestors_with_self:
            self.articles.focus()

    @property
    def sidebar_visible(self) -> bool:
        """Whether the sidebar shows: by default only when wide, ``i`` flips that."""
        return self.has_class("-narrow") == self.sidebar_toggled

    @notify_store_errors
    def action_toggle_zoom(self) -> None:
        """Let the reader fill the screen, or go back to the panes."""
        if self.maximized is not None:
            self.minimize()
        else:
            self.maximize(self.reader, container=False)
            self.reader.focus()

    @notify_store_errors
    def action_jump_mention(self, direction: int) -> None:
        """Scroll the reader to the next (1) or previous (-1) mention of the selected actor."""
        if not self.reader.jump_to_mention(forward=direction > 0):
            self.app.notify("No names to jump to in this article.")


def _filter_from_state(saved: object) -> ArticleFilter:
    """The filter saved in the store, or all articles when missing or unreadable."""
    if not isinstance(saved, dict):
        return ArticleFilter()
    names = {field.name for field in dataclasses.fields(ArticleFilter)}
    try:
        return ArticleFilter(**{k: v for k, v in saved.items() if k in names})
    except TypeError:
        return ArticleFilter()
