"""The help screen: every key binding, its current key (after the user's keymap) and its id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KeyHelp = Sequence[tuple[str, Sequence[tuple[str, str, str]]]]


class HelpScreen(ModalScreen[None]):
    """Keys grouped by pane; ids are what ``[keys]`` in the config file rebinds."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help_close"),
        Binding("j,down", "scroll(1)", "Down", show=False),
        Binding("k,up", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, sections: KeyHelp) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Keys (escape closes)", style="bold"), id="help-title")
            yield Static(self._table(), id="help-table")
            yield Static(
                Text(
                    "Rebind in config.toml:  [keys]  binding_id = \"key\"  "
                    "(several keys: comma separated)",
                    style="dim",
                ),
                id="help-footnote",
            )

    def _table(self) -> Table:
        table = Table(box=None, show_header=True, expand=True, padding=(0, 1))
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Action")
        table.add_column("Id", style="dim", no_wrap=True)
        for title, rows in self.sections:
            table.add_row(Text(title, style="underline"), Text(""), Text(""))
            for keys, description, binding_id in rows:
                table.add_row(Text(keys), Text(description), Text(binding_id))
        return table

    def action_scroll(self, lines: int) -> None:
        """Scroll the list of keys."""
        self.query_one("#help", VerticalScroll).scroll_relative(y=lines, animate=False)

    async def action_dismiss(self, result: None = None) -> None:
        """Close the help screen."""
        self.dismiss(result)
