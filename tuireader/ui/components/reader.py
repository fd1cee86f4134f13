"""The reader view: article head and readable text, names and figures highlighted by type.

The text is wrapped into lines once per width and drawn with the Line API, so a mention's line
is known exactly and the view can jump to it. Feed text is only ever ``rich.text.Text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuireader.store import Article, Mention
from tuireader.ui.formatting import format_date, one_line, safe_body, text_to_strip

ENTITY_CLASSES = {
    "PER": "reader--person",
    "ORG": "reader--organisation",
    "LOC": "reader--place",
    "MISC": "reader--other",
}
FIGURE_CLASS = "reader--figure"
_MENTION_KEY = "tuireader-mention"
MAX_BODY_CHARS = 200_000  # longer texts are cut: wrapping megabytes would stall the screen


class ReaderView(ScrollView, can_focus=True):
    """Scrollable view of one article with highlighted mentions."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Scroll down", show=False, id="reader_down"),
        Binding("k,up", "scroll_up", "Scroll up", show=False, id="reader_up"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reader--title",
        "reader--meta",
        "reader--link",
        "reader--placeholder",
        "reader--selected",
        FIGURE_CLASS,
        *ENTITY_CLASSES.values(),
    }

    def __init__(
        self,
        *,
        timezone: tzinfo | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.timezone = timezone
        self.article: Article | None = None
        self.mentions: list[Mention] = []
        self.selected_actor: int | None = None
        self._lines: list[Strip] = []
        self._mention_lines: dict[int, int] = {}  # mention index -> first line
        self._wrapped_width = -1

    # -- content ---------------------------------------------------------------------------------
    def show_article(
        self, article: Article | None, mentions: Sequence[Mention] = (), *,
        keep_scroll: bool = False,
    ) -> None:
        """Show ``article`` (None for the placeholder), from the top unless ``keep_scroll``."""
        self.article = article
        self.mentions = list(mentions)
        if not keep_scroll:
            self.selected_actor = None
        self._rewrap()
        if not keep_scroll:
            self.scroll_to(0, 0, animate=False, immediate=True)

    def select_actor(self, actor_id: int | None) -> None:
        """Emphasise every mention of ``actor_id`` (None: no actor selected)."""
        if actor_id != self.selected_actor:
            self.selected_actor = actor_id
            self._rewrap()

    def actor_lines(self, actor_id: int | None = None) -> list[int]:
        """Lines holding mentions of ``actor_id`` (every name when None), top to bottom."""
        lines = {
            line
            for index, line in self._mention_lines.items()
            if self.mentions[index].kind == "entity"
            and (actor_id is None or self.mentions[index].actor_id == actor_id)
        }
        return sorted(lines)

    def jump_to_mention(self, forward: bool = True) -> bool:
        """Scroll to the next (previous) line naming the selected actor; False if none."""
        lines = self.actor_lines(self.selected_actor)
        if not lines:
            return False
        top = round(self.scroll_offset.y)
        anchor = top + 2  # mentions are placed two lines below the top edge
        if forward:
            targets = [line for line in lines if line > anchor] or lines[:1]
            target = targets[0]
        else:
            targets = [line for line in lines if line < anchor] or lines[-1:]
            target = targets[-1]
        self.scroll_to(y=max(0, target - 2), animate=False, immediate=True)
        return True

    @property
    def line_count(self) -> int:
        """How many wrapped lines the current article has."""
        return len(self._lines)

    def _build_text(self) -> Text:
        article = self.article
        if article is None:
            style = self.get_component_rich_style("reader--placeholder", partial=True)
            return Text("Select an article and press enter to read it.", style=style)
        text = Text(end="")
        text.append(one_line(article.title) or "(untitled)",
                    self.get_component_rich_style("reader--title", partial=True))
        meta_style = self.get_component_rich_style("reader--meta", partial=True)
        meta = [one_line(article.feed_title)]
        if article.author:
            meta.append(one_line(article.author))
        meta.append(format_date(article.published or article.sort_date, self.timezone))
        text.append("\n" + " · ".join(part for part in meta if part), meta_style)
        if article.url:
            text.append("\n" + one_line(article.url),
                        self.get_component_rich_style("reader--link", partial=True))
        text.append("\n\n")
        body, offsets_valid = safe_body(article.text)
        if not body.strip():
            text.append("(this article has no text)", meta_style)
            return text
        cut = len(body) > MAX_BODY_CHARS
        if cut:
            body = body[:MAX_BODY_CHARS]
        head_length = len(text)
        text.append(body)
        if offsets_valid:
            self._highlight(text, head_length, len(body))
        if cut:
            text.append(f"\n\n(text cut at {MAX_BODY_CHARS:,} characters)", meta_style)
        return text

    def _highlight(self, text: Text, offset: int, body_length: int) -> None:
        selected = self.get_component_rich_style("reader--selected", partial=True)
        for index, mention in enumerate(self.mentions):
            if not 0 <= mention.start < mention.end <= body_length:
                continue
            if mention.kind == "figure":
                class_name = FIGURE_CLASS
            else:
                class_name = ENTITY_CLASSES.get(mention.label, "reader--other")
            style = self.get_component_rich_style(class_name, partial=True)
            if self.selected_actor is not None and mention.actor_id == self.selected_actor:
                style = style + selected
            style = style + Style(meta={_MENTION_KEY: index})
            text.stylize(style, offset + mention.start, offset + mention.end)

    def _rewrap(self) -> None:
        width = max(1, self.scrollable_content_region.width)
        self._wrapped_width = width
        console = self.app.console
        wrapped = self._build_text().wrap(console, width, overflow="fold")
        self._lines = []
        self._mention_lines = {}
        for number, line in enumerate(wrapped):
            for span in line.spans:
                meta = span.style.meta if isinstance(span.style, Style) else {}
                index = meta.get(_MENTION_KEY)
                if index is not None and index not in self._mention_lines:
                    self._mention_lines[index] = number
            self._lines.append(text_to_strip(line, console))
        self.virtual_size = Size(width, len(self._lines))
        self.refresh()

    # -- Line API --------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self._rewrap()

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._wrapped_width:
            self._rewrap()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self.is_mounted:
            self._rewrap()

    def render_line(self, y: int) -> Strip:
        index = y + round(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        if 0 <= index < len(self._lines):
            return self._lines[index].crop_extend(0, width, self.rich_style)
        return Strip.blank(width, self.rich_style)

    def action_page_text_down(self) -> None:
        """Page the text down."""
        self.scroll_page_down(animate=False)

    def action_page_text_up(self) -> None:
        """Page the text up."""
        self.scroll_page_up(animate=False)
