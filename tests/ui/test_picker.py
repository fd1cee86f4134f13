"""The picker draws at most MAX_SHOWN choices and narrows all of them as the user types."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import OptionList

from tuireader.ui.components.picker import MAX_SHOWN, Choice, PickerScreen


async def test_long_lists_draw_the_best_choices_and_typing_reaches_the_rest(make_app: Any) -> None:
    choices = [Choice(Text(f"Person {k:03d}"), k) for k in range(MAX_SHOWN + 50)]
    picked: list[Any] = []
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(PickerScreen("People", choices), picked.append)
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels[:MAX_SHOWN] == [f"Person {k:03d}" for k in range(MAX_SHOWN)]
        assert labels[MAX_SHOWN:] == ["… 50 more: type to narrow"]
        assert options.get_option_at_index(MAX_SHOWN).disabled
        await pilot.press(*f"Person {MAX_SHOWN + 42}", "enter")  # one beyond the first hundred
        await pilot.pause()
    assert picked == [MAX_SHOWN + 42]
