"""The header line: current view, unread count and sync progress (plain text only)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusHeader(Static):
    """One line at the top: ``tuireader │ <view> │ <n> unread of <m> │ <sync state>``."""

    def show(self, view: str, counts: tuple[int, int] | None, activity: str = "") -> None:
        """Redraw with the view description, (unread, total) counts (None: still counting)
        and activity note."""
        text = Text(" tuireader", style="bold", end="")
        text.append(" │ ")
        text.append(view)
        text.append(" │ ")
        if counts is None:
            text.append("counting…", style="dim")
        else:
            unread, total = counts
            text.append(f"{unread:,} unread", style="bold")
            text.append(f" of {total:,}")
        if activity:
            text.append(" │ ")
            text.append(activity, style="italic")
        self.update(text)
