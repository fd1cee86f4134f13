"""Turning stored feed data into safe, plain ``rich.text.Text`` and strips for the screen.

Feed text is hostile: it is never parsed as markup (only ``Text(str)`` / ``Text.append``) and
control characters are stripped before anything reaches the terminal.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from tuireader.text.sanitize import strip_controls


def one_line(value: str | None) -> str:
    """Feed text for a single-line field (title, feed name): controls stripped, spaces folded."""
    if not value:
        return ""
    return " ".join(strip_controls(value).split())


def safe_body(text: str) -> tuple[str, bool]:
    """The article text ready to show, and whether stored character offsets still apply.

    Text from the cache is normally clean already; if it is not, the cleaned text is shown
    and highlighting is dropped, because mention offsets no longer match.
    """
    cleaned = strip_controls(text or "")
    if "\t" in cleaned:
        cleaned = cleaned.replace("\t", " ")  # same length: offsets stay valid
    return cleaned, cleaned == (text or "").replace("\t", " ")


def format_date(value: str | None, timezone: tzinfo | None = None) -> str:
    """An ISO timestamp as ``YYYY-MM-DD HH:MM`` in ``timezone`` (local time when None)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return one_line(value)[:16]
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(timezone).strftime("%Y-%m-%d %H:%M")


def fit(text: Text, width: int) -> Text:
    """``text`` cut or padded to exactly ``width`` terminal cells (wide characters included)."""
    fitted = text.copy()
    fitted.truncate(max(width, 0), overflow="ellipsis", pad=True)
    return fitted


def plain(value: str | None, style: str = "") -> Text:
    """Feed text as a ``Text`` with no markup interpretation, on one line."""
    return Text(one_line(value), style=style, no_wrap=True, end="")


_NULL_STYLE = Style()


def text_to_strip(text: Text, console: Console) -> Strip:
    """One line of ``text`` as a Strip: no trailing newline, every segment styled, no meta.

    Textual's colour filters (NO_COLOR, 256 colours) expect a style on every segment.
    """
    text.end = ""
    segments = [
        Segment(
            segment.text,
            _NULL_STYLE if segment.style is None
            else segment.style.clear_meta_and_links() if segment.style.meta
            else segment.style,
        )
        for segment in text.render(console)
        if segment.text
    ]
    return Strip(segments)
