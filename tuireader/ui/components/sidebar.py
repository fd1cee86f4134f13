"""The actor sidebar: who the open article is about, grouped by kind, and its key figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tuireader.store import ActorInArticle, Mention
from tuireader.ui.formatting import one_line

GROUPS: tuple[tuple[str, str], ...] = (
    ("PER", "People"),
    ("ORG", "Organisations"),
    ("LOC", "Places"),
    ("MISC", "Other"),
)
MAX_FIGURES = 30
MAX_QUOTES = 2  # quotes shown under an actor; the rest are counted
QUOTE_CHARS = 80


class ActorOptions(OptionList):
    """The selectable actor rows (group headings are disabled options)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="actors_down"),
        Binding("k", "cursor_up", "Up", show=False, id="actors_up"),
    ]


class ActorSidebar(Vertical):
    """Actors of the open article with role and counts, then the key figures."""

    class ActorHighlighted(Message):
        """An actor was selected in the sidebar (None: none selected)."""

        def __init__(self, actor_id: int | None) -> None:
            self.actor_id = actor_id
            super().__init__()

    class ActorChosen(Message):
        """The user pressed enter on an actor: show every article naming it."""

        def __init__(self, actor_id: int, name: str) -> None:
            self.actor_id = actor_id
            self.name = name
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.actors: list[ActorInArticle] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("Actors"), classes="sidebar-title")
        yield ActorOptions(id="actor-options")
        with VerticalScroll(id="figures-scroll"):
            yield Static(Text(""), id="figures")

    def show(self, actors: Sequence[ActorInArticle], mentions: Sequence[Mention]) -> None:
        """Show the actors and figures of one article (empty sequences: nothing to show)."""
        self.actors = list(actors)
        options = self.query_one(ActorOptions)
        options.clear_options()
        if not self.actors:
            options.add_option(Option(Text("no actors yet", style="italic"), disabled=True))
        for label, heading in GROUPS:
            group = [a for a in self.actors if _group_of(a.label) == label]
            if not group:
                continue
            options.add_option(
                Option(Text(f"{heading} ({len(group)})", style="bold"), disabled=True)
            )
            for actor in group:
                options.add_option(Option(_actor_prompt(actor), id=f"actor-{actor.actor_id}"))
        self.query_one("#figures", Static).update(_figures_text(mentions))

    @property
    def selected_actor(self) -> ActorInArticle | None:
        """The actor under the sidebar's cursor, if any."""
        options = self.query_one(ActorOptions)
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        if not option_id:
            return None
        actor_id = int(option_id.removeprefix("actor-"))
        return next((a for a in self.actors if a.actor_id == actor_id), None)

    @on(OptionList.OptionHighlighted, "#actor-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        actor = self.selected_actor
        self.post_message(self.ActorHighlighted(actor.actor_id if actor else None))

    @on(OptionList.OptionSelected, "#actor-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        actor = self.selected_actor
        if actor is not None:
            self.post_message(self.ActorChosen(actor.actor_id, actor.name))


def _group_of(label: str) -> str:
    return label if label in {"PER", "ORG", "LOC"} else "MISC"


def _actor_prompt(actor: ActorInArticle) -> Text:
    text = Text(one_line(actor.name), style="bold", end="")
    if actor.role:
        text.append("\n  " + one_line(actor.role), style="italic")
    articles = "article" if actor.article_count == 1 else "articles"
    text.append(f"\n  {actor.mention_count}× here · {actor.article_count} {articles}",
                style="dim")
    for quote in actor.quotes[:MAX_QUOTES]:
        said = one_line(str(quote.get("text", "")))
        if len(said) > QUOTE_CHARS:
            said = said[: QUOTE_CHARS - 1].rstrip() + "…"
        if said:
            text.append(f"\n  „{said}“", style="italic dim")
    if len(actor.quotes) > MAX_QUOTES:
        text.append(f"\n  … {len(actor.quotes) - MAX_QUOTES} more quotes", style="dim")
    return text


def _figures_text(mentions: Sequence[Mention]) -> Text:
    figures = [m for m in mentions if m.kind == "figure"]
    text = Text("Key figures", style="bold", end="")
    if not figures:
        text.append("\nnone found", style="italic dim")
        return text
    seen: set[tuple[str, str]] = set()
    shown = 0
    for figure in figures:
        key = (figure.label, figure.text)
        if key in seen:
            continue
        seen.add(key)
        shown += 1
        if shown > MAX_FIGURES:
            text.append(f"\n… {len(figures) - MAX_FIGURES} more", style="dim")
            break
        text.append("\n" + one_line(figure.text))
        detail = " ".join(one_line(part) for part in (figure.value, figure.unit) if part)
        text.append(f"  {figure.label}" + (f" = {detail}" if detail else ""), style="dim")
    return text
