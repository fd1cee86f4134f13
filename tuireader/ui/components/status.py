"""The header line: current view, unread count and sync progress (plain text only)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusHeader(Static):
    """One line at the top: ``tuireader │ <view> │ <n> unread of <m> │ <sync state>``."""

    def show(self, view: str, unread: int, total: int, activity: str = "") -> None:
        """Redraw with the given view description, counts and activity note."""
        text = Text(" tuireader", style="bold", end="")
        text.append(" │ ")
        text.append(view)
        text.append(" │ ")
        text.append(f"{unread:,} unread", style="bold")
        text.append(f" of {total:,}")
        if activity:
            text.append(" │ ")
            text.append(activity, style="italic")
        self.update(text)
