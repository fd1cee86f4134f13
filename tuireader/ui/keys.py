"""Key bindings as the user has them: defaults with the config's ``[keys]`` keymap applied."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

KeyHelpRows = list[tuple[str, list[tuple[str, str, str]]]]

# The main screen's keys. Every binding has an id: ``[keys] <id> = "key"`` in config.toml
# rebinds it (several keys: comma separated).
MAIN_BINDINGS: list[BindingType] = [
    Binding("q", "app.quit", "Quit", id="quit"),
    Binding("question_mark", "app.show_help", "Help", id="help"),
    Binding("tab", "app.focus_next", "Next pane", show=False, id="next_pane"),
    Binding("shift+tab", "app.focus_previous", "Previous pane", show=False,
            id="previous_pane"),
    Binding("space", "page_text(1)", "Page down", show=False, id="page_down"),
    Binding("b", "page_text(-1)", "Page up", show=False, id="page_up"),
    Binding("n", "next_unread(1)", "Next unread", id="next_unread"),
    Binding("N", "next_unread(-1)", "Previous unread", show=False, id="previous_unread"),
    Binding("slash", "search", "Search", id="search"),
    Binding("f", "pick_feed", "Feed/tag", id="filter_feed"),
    Binding("a", "pick_actor", "Actor", id="filter_actor"),
    Binding("u", "toggle_unread_only", "Unread only", show=False, id="unread_only"),
    Binding("s", "toggle_star", "Star", show=False, id="star"),
    Binding("m", "toggle_read", "Read/unread", show=False, id="toggle_read"),
    Binding("A", "mark_all_read", "Mark view read", show=False, id="mark_all_read"),
    Binding("U,ctrl+z", "undo", "Undo mark read", show=False, id="undo"),
    Binding("r", "app.sync", "Sync", id="sync"),
    Binding("y", "copy_link", "Copy link", show=False, id="copy_link"),
    Binding("o", "open_link", "Open in browser", show=False, id="open_link"),
    Binding("escape", "clear_filter", "Clear filter", show=False, id="clear_filter"),
    Binding("i", "toggle_sidebar", "Actors", show=False, id="toggle_sidebar"),
    Binding("z", "toggle_zoom", "Zoom reader", show=False, id="zoom"),
    Binding("right_square_bracket", "jump_mention(1)", "Next mention", show=False,
            id="next_mention"),
    Binding("left_square_bracket", "jump_mention(-1)", "Previous mention", show=False,
            id="previous_mention"),
]


def keymapped_bindings(node: DOMNode) -> list[tuple[str, Binding]]:
    """``node``'s bindings with the app's keymap applied, as (key, binding) pairs."""
    bindings = node._bindings.copy()
    bindings.apply_keymap(node.app._keymap)
    return list(bindings)


def find_binding(
    sections: Sequence[tuple[str, DOMNode]], binding_id: str
) -> tuple[DOMNode, Binding] | None:
    """The node and binding with id ``binding_id`` in ``sections``, if any."""
    for _title, node in sections:
        for _key, binding in keymapped_bindings(node):
            if binding.id == binding_id:
                return node, binding
    return None


def describe_bindings(sections: Sequence[tuple[str, DOMNode]]) -> KeyHelpRows:
    """Per section: (keys as displayed, description, binding id) for every binding with an id."""
    result: KeyHelpRows = []
    for title, node in sections:
        keys_by_id: dict[str, tuple[list[str], str]] = {}
        for _key, binding in keymapped_bindings(node):
            if binding.id is None:
                continue
            keys, _description = keys_by_id.setdefault(binding.id, ([], binding.description))
            display = node.app.get_key_display(binding)
            if display not in keys:
                keys.append(display)
        result.append((
            title,
            [(", ".join(keys), description, binding_id)
             for binding_id, (keys, description) in keys_by_id.items()],
        ))
    return result
