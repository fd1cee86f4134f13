"""Small helpers for reading what the app shows."""

from __future__ import annotations

from textual.app import App


def screen_text(app: App) -> str:
    """Everything on the terminal as plain text, one line per row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)
