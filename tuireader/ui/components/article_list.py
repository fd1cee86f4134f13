"""The article list: a virtual list that renders only the visible rows from SQLite pages.

It holds the ids of the current view (cheap even for 100,000 articles) and fetches list rows
(``Store.summaries``) for the visible window only, through a small bounded cache. No widget
per article, never every row in memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import tzinfo
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuireader.store import ArticleFilter, ArticleSummary, Store, StoreError
from tuireader.ui.formatting import fit, format_date, plain, text_to_strip

PAGE_ROWS = 200  # rows fetched from SQLite at once around the visible window
FIRST_ROWS = 200  # rows shown before the whole view's ids are loaded in the background
CACHE_ROWS = 2_000  # list rows kept in memory at most
# Drawn rows kept (a few screens): each strip holds some 70 objects that the garbage
# collector's full passes walk, and 2,000 of them made those passes take 100-250 ms.
CACHE_STRIPS = 300
DATE_WIDTH = 16
MARKER_WIDTH = 2


class ArticleList(ScrollView, can_focus=True):
    """Newest-first list of article rows: markers, date, feed and title."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list_page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list_page_up"),
        Binding("home,g", "first", "First", show=False, id="list_first"),
        Binding("end,G", "last", "Last", show=False, id="list_last"),
        Binding("enter", "open", "Open", id="open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-list--cursor",
        "article-list--unread",
        "article-list--read",
        "article-list--date",
        "article-list--feed",
        "article-list--marker",
        "article-list--empty",
    }

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved to another article."""

        def __init__(self, article_id: int | None) -> None:
            self.article_id = article_id
            super().__init__()

    class Opened(Message):
        """The user opened the article under the cursor."""

        def __init__(self, article_id: int) -> None:
            self.article_id = article_id
            super().__init__()

    def __init__(
        self,
        store: Store,
        *,
        timezone: tzinfo | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        self.timezone = timezone
        self.ids: list[int] = []
        self._view = ArticleFilter()
        self.complete = True  # False while a view's ids are still loading
        self._rows: OrderedDict[int, ArticleSummary] = OrderedDict()
        self._strips: OrderedDict[tuple[object, ...], Strip] = OrderedDict()
        self._styles: dict[str, Style] = {}
        self.empty_message = "no articles"

    class Loaded(Message):
        """Every id of the view is loaded (the count in the header can be trusted)."""

    # -- data ------------------------------------------------------------------------------------
    def load(
        self, view: ArticleFilter, *, keep: int | None = None, search_keep: bool = True
    ) -> None:
        """Show ``view``: its newest rows at once, every id after a background query.

        The first screen then costs one small indexed query whatever the cache size. The
        cursor stays on article ``keep`` if it is among the newest rows; if it is further
        down, ``search_keep`` waits for the whole list to find it (a restored cursor, a
        reload after a sync), else the cursor starts at the top (a new search or filter,
        which should not wait 20-30 ms for 11,000 ids).
        """
        self._view = view
        self.complete = False
        first = self.store.article_ids(view, limit=FIRST_ROWS)
        if len(first) < FIRST_ROWS or (search_keep and keep is not None and keep not in first):
            self.set_ids(self.store.article_ids(view), keep=keep)
            self.complete = True
            self.post_message(self.Loaded())
            return
        self.set_ids(first, keep=keep)
        self._load_all_ids(view)

    @work(thread=True, exclusive=True, group="article-ids", exit_on_error=False)
    def _load_all_ids(self, view: ArticleFilter) -> None:
        try:
            ids = self.store.article_ids(view)
        except StoreError:
            return  # the first page stays; the next reload tries again
        self.app.call_from_thread(self._all_ids_loaded, view, ids)

    def _all_ids_loaded(self, view: ArticleFilter, ids: list[int]) -> None:
        if view != self._view:
            return  # the user changed the view meanwhile
        self.set_ids(ids, keep=self.current_id, rows_current=True)
        self.complete = True
        self.post_message(self.Loaded())

    def set_ids(
        self, ids: Sequence[int], *, keep: int | None = None, rows_current: bool = False
    ) -> None:
        """Show ``ids``; put the cursor on article ``keep`` if present, else the first row.

        ``rows_current``: the rows already read are still right (the rest of a view whose
        first page was just read), so they need not be read and drawn again.
        """
        self.ids = list(ids)
        if not rows_current:
            self._rows.clear()
            self._strips.clear()
        self.virtual_size = Size(self.size.width, len(self.ids))
        index = 0
        if keep is not None:
            try:
                index = self.ids.index(keep)
            except ValueError:
                index = 0
        self.cursor = index
        self.refresh()

    @property
    def current_id(self) -> int | None:
        """The article id under the cursor, if any."""
        if 0 <= self.cursor < len(self.ids):
            return self.ids[self.cursor]
        return None

    def summary(self, index: int) -> ArticleSummary | None:
        """The list row at ``index``, fetched with its neighbours on a cache miss."""
        if not 0 <= index < len(self.ids):
            return None
        article_id = self.ids[index]
        row = self._rows.get(article_id)
        if row is not None:
            self._rows.move_to_end(article_id)
            return row
        start = max(0, index - PAGE_ROWS // 4)
        try:
            fetched_rows = self.store.summaries(self.ids[start : start + PAGE_ROWS])
        except StoreError:  # e.g. the cache is busy: draw the row blank, try again next frame
            return None
        for fetched in fetched_rows:
            self._rows[fetched.id] = fetched
        while len(self._rows) > CACHE_ROWS:
            self._rows.popitem(last=False)
        return self._rows.get(article_id)

    def update_flags(
        self, ids: Sequence[int], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Reflect a read/starred change already written to the store."""
        for article_id in ids:
            row = self._rows.get(article_id)
            if row is None:
                continue
            if read is not None:
                row.read = read
            if starred is not None:
                row.starred = starred
        self.refresh()

    def find_unread(self, forward: bool = True) -> int | None:
        """Index of the next (or previous) unread article after the cursor, across the list."""
        step = PAGE_ROWS
        if forward:
            position = self.cursor + 1
            while position < len(self.ids):
                chunk = self.ids[position : position + step]
                for offset, row in enumerate(self._summaries_in_order(chunk)):
                    if row is not None and not row.read:
                        return position + offset
                position += step
        else:
            position = self.cursor
            while position > 0:
                start = max(0, position - step)
                chunk = self.ids[start:position]
                rows = self._summaries_in_order(chunk)
                for offset in range(len(rows) - 1, -1, -1):
                    row = rows[offset]
                    if row is not None and not row.read:
                        return start + offset
                position = start
        return None

    def _summaries_in_order(self, chunk: list[int]) -> list[ArticleSummary | None]:
        missing = [i for i in chunk if i not in self._rows]
        fetched = {row.id: row for row in self.store.summaries(missing)} if missing else {}
        return [self._rows.get(i) or fetched.get(i) for i in chunk]

    # -- cursor ----------------------------------------------------------------------------------
    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self.ids) - 1)) if self.ids else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self.scroll_to_region(
            Region(0, new, 1, 1), animate=False, immediate=True, force=True
        )
        self.post_message(self.Highlighted(self.current_id))

    def _refresh_row(self, index: int) -> None:
        y = index - self.scroll_offset.y
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def action_cursor_down(self) -> None:
        """Move the cursor one row down."""
        self.cursor += 1

    def action_cursor_up(self) -> None:
        """Move the cursor one row up."""
        self.cursor -= 1

    def action_page_down(self) -> None:
        """Move the cursor one screen down."""
        self.cursor += max(1, self.size.height - 1)

    def action_page_up(self) -> None:
        """Move the cursor one screen up."""
        self.cursor -= max(1, self.size.height - 1)

    def action_first(self) -> None:
        """Move the cursor to the newest article."""
        self.cursor = 0

    def action_last(self) -> None:
        """Move the cursor to the oldest article."""
        self.cursor = len(self.ids) - 1

    def action_open(self) -> None:
        """Open the article under the cursor."""
        if self.current_id is not None:
            self.post_message(self.Opened(self.current_id))

    async def _on_click(self, event: events.Click) -> None:
        row = event.y + self.scroll_offset.y
        if 0 <= row < len(self.ids):
            self.cursor = row
            if event.chain >= 2:
                self.action_open()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.ids))

    # -- rendering -------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    def on_focus(self) -> None:
        self._styles.clear()
        self._strips.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._styles.clear()
        self._strips.clear()
        self.refresh()

    def _style(self, name: str, partial: bool = True) -> Style:
        key = f"{name}:{partial}"
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self.get_component_rich_style(name, partial=partial)
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = y + self.scroll_offset.y
        base = self._styles.get("base")
        if base is None:
            base = self._styles["base"] = self.rich_style
        if not self.ids:
            if y == 0:
                style = base + self._style("article-list--empty", partial=False)
                return Strip([Segment(fit(Text(self.empty_message), width).plain, style)])
            return Strip.blank(width, base)
        row = self.summary(index)
        if row is None:
            return Strip.blank(width, base)
        is_cursor = index == self.cursor
        key = (row.id, width, is_cursor, row.read, row.starred)
        strip = self._strips.get(key)
        if strip is None:
            text = self.render_row(row, width)
            if is_cursor:
                text.stylize(self._style("article-list--cursor", partial=False))
            strip = text_to_strip(text, self.app.console).crop_extend(0, width, base).simplify()
            self._strips[key] = strip
            if len(self._strips) > CACHE_STRIPS:
                self._strips.popitem(last=False)
        return strip

    def render_row(self, row: ArticleSummary, width: int) -> Text:
        """One list row as cells: unread/star markers, date, feed, title."""
        row_style = self._style("article-list--read" if row.read else "article-list--unread")
        feed_width = max(6, min(18, width // 6))
        marker = ("●" if not row.read else " ") + ("★" if row.starred else " ")
        text = Text(no_wrap=True, end="", style=row_style)
        text.append(marker, self._style("article-list--marker"))
        text.append(" ")
        date = Text(format_date(row.published or row.sort_date, self.timezone))
        date.stylize(self._style("article-list--date"))
        text.append_text(fit(date, DATE_WIDTH))
        text.append(" ")
        feed = plain(row.feed_title)
        feed.stylize(self._style("article-list--feed"))
        text.append_text(fit(feed, feed_width))
        text.append(" ")
        title_width = width - MARKER_WIDTH - 1 - DATE_WIDTH - 1 - feed_width - 1
        text.append_text(fit(plain(row.title or "(untitled)"), title_width))
        return text
