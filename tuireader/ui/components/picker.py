"""A modal picker: a list of labelled choices narrowed by typing, returning the chosen value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tuireader.store import Store
from tuireader.ui.formatting import one_line

#: Options drawn at once (each costs its layout; 500 took about 50 ms). Typing narrows the
#: whole list, and the best matches are drawn.
MAX_SHOWN = 100


@dataclass(frozen=True, slots=True)
class Choice:
    """One entry of a picker: what it shows (plain text, never markup) and what it returns."""

    label: Text
    value: Any
    search_text: str = ""


class PickerScreen(ModalScreen[Any]):
    """Pick one of ``choices``; dismisses with its value, or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker_cancel"),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
    ]

    def __init__(self, title: str, choices: Sequence[Choice], *, empty: str = "nothing") -> None:
        super().__init__()
        self.picker_title = title
        self.choices = list(choices)
        self.empty = empty
        self._shown: list[Choice] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(Text(self.picker_title, style="bold"), id="picker-title")
            yield Input(placeholder="type to narrow, enter to pick", id="picker-input")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        needle = query.casefold().strip()
        self._shown = [
            choice
            for choice in self.choices
            if not needle or needle in (choice.search_text or choice.label.plain).casefold()
        ]
        hidden = len(self._shown) - MAX_SHOWN
        self._shown = self._shown[:MAX_SHOWN]
        options = self.query_one(OptionList)
        options.clear_options()
        if not self._shown:
            options.add_option(Option(Text(self.empty, style="italic"), disabled=True))
            return
        options.add_options(Option(choice.label) for choice in self._shown)
        if hidden > 0:
            more = Text(f"… {hidden:,} more: type to narrow", style="italic dim")
            options.add_option(Option(more, disabled=True))
        options.highlighted = 0

    @on(Input.Changed, "#picker-input")
    def _narrow(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-input")
    def _submit(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self._shown):
            self.dismiss(self._shown[index].value)

    @on(OptionList.OptionSelected, "#picker-options")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self._shown):
            self.dismiss(self._shown[event.option_index].value)

    def action_move(self, step: int) -> None:
        """Move the highlight while typing in the input."""
        options = self.query_one(OptionList)
        if not self._shown:
            return
        current = options.highlighted or 0
        options.highlighted = max(0, min(len(self._shown) - 1, current + step))

    def action_cancel(self) -> None:
        """Close without picking."""
        self.dismiss(None)


def feed_choices(store: Store) -> list[Choice]:
    """"All feeds", every feed with unread/total counts, then every tag with its unread count.

    Values are ``("all", None)``, ``("feed", feed_id)`` or ``("tag", name)``.
    """
    choices = [Choice(Text("All feeds"), ("all", None))]
    for feed in store.list_feeds():
        label = Text(one_line(feed.display_title), end="")
        label.append(f"  {feed.unread} unread / {feed.total}", style="dim")
        choices.append(Choice(label, ("feed", feed.id)))
    for tag, unread in store.tags():
        label = Text("#" + one_line(tag), style="italic", end="")
        label.append(f"  {unread} unread", style="dim")
        choices.append(Choice(label, ("tag", tag)))
    return choices


def actor_choices(store: Store, limit: int = 500) -> list[Choice]:
    """The most-named actors with label and article counts; values are actor ids."""
    choices = []
    for actor in store.top_actors(limit=limit):
        label = Text(one_line(actor.name), end="")
        label.append(f"  {actor.label}  {actor.article_count} articles", style="dim")
        choices.append(Choice(label, actor.id))
    return choices
