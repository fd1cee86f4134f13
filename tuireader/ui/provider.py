"""Command palette provider: every reader action, found by its description."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tuireader.ui.components.main_screen import MainScreen


class ReaderCommands(Provider):
    """The main screen's key actions, offered in the command palette (ctrl+p)."""

    def _commands(self) -> list[tuple[str, str, str]]:
        screen = self.screen
        if not isinstance(screen, MainScreen):
            return []
        commands = []
        for title, rows in screen.key_help():
            for keys, description, binding_id in rows:
                label = description if title == "Everywhere" else f"{title}: {description}"
                commands.append((label, keys, binding_id))
        return commands

    def _run(self, binding_id: str) -> None:
        screen = self.screen
        if isinstance(screen, MainScreen):
            screen.run_binding(binding_id)

    async def discover(self) -> Hits:
        for description, keys, binding_id in self._commands():
            yield DiscoveryHit(description, partial(self._run, binding_id), help=f"key: {keys}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, keys, binding_id in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(description), partial(self._run, binding_id),
                    text=description, help=f"key: {keys}",
                )
