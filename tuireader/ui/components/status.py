"""The header line: current view, unread count and sync progress (plain text only).

The header owns its numbers. A small view is counted at once; a large one (its ids still
loading, or more than :data:`COUNT_AT_ONCE`) in a worker, because counting 11,000 search hits
at 100,000 articles takes 20-30 ms that a keypress should not wait for. Until a count arrives
the header keeps the view's previous numbers, or shows none for a new view: never another
view's. Reading an article here moves the unread count without counting again.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.widgets import Static
from textual.worker import Worker, get_current_worker

from tuireader.store import ArticleFilter, Store

#: Views up to this many articles are counted at once (a few ms); larger ones in a worker.
COUNT_AT_ONCE = 500


class StatusHeader(Static):
    """One line at the top: ``tuireader │ <view> │ <n> unread of <m> │ <sync state>``."""

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.view = ArticleFilter()
        self.description = ""
        self.activity = ""
        # (view, unread, total) as last counted
        self.counts: tuple[ArticleFilter, int, int] | None = None
        self._counting: Worker[None] | None = None

    def recount(
        self, view: ArticleFilter, description: str, activity: str, ids: list[int] | None
    ) -> None:
        """Show ``view`` and count it again; ``ids`` are all of its ids if they are loaded."""
        self.view, self.description, self.activity = view, description, activity
        if ids is not None and len(ids) <= COUNT_AT_ONCE:
            self.counts = (view, self.store.count_unread(view), len(ids))
        else:
            if self.counts is not None and self.counts[0] != view:
                self.counts = None
            self._counting = self._count_in_background(
                view, len(ids) if ids is not None else None
            )
        self.redraw()

    def adjust_unread(self, change: int) -> bool:
        """The shown view's unread count moved by ``change`` (its articles marked read or
        unread): update it without counting again, which at 100,000 articles would cost
        every opened article a 5-20 ms query. False when that cannot be done (an
        unread-only view, whose total changes too, or one not counted yet): count again."""
        counts = self.counts
        if counts is None or counts[0] != self.view or self.view.unread_only:
            return False
        view, unread, total = counts
        self.counts = (view, max(0, min(total, unread + change)), total)
        if self._counting is not None and self._counting.is_running:
            return False  # that count may predate this change: count again
        self.redraw()
        return True

    @work(thread=True, exclusive=True, group="header-counts", exit_on_error=False)
    def _count_in_background(self, view: ArticleFilter, total: int | None) -> None:
        unread = self.store.count_unread(view)
        if total is None:
            total = self.store.count_articles(view)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._counted, view, unread, total)

    def _counted(self, view: ArticleFilter, unread: int, total: int) -> None:
        if view == self.view:
            self.counts = (view, unread, total)
            self.redraw()

    def redraw(self) -> None:
        """Draw the view description, the counts (or that they are coming) and activity."""
        text = Text(" tuireader", style="bold", end="")
        text.append(" │ ")
        text.append(self.description)
        text.append(" │ ")
        if self.counts is None:
            text.append("counting…", style="dim")
        else:
            _, unread, total = self.counts
            text.append(f"{unread:,} unread", style="bold")
            text.append(f" of {total:,}")
        if self.activity:
            text.append(" │ ")
            text.append(self.activity, style="italic")
        self.update(text)
