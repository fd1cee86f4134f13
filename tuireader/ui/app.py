"""The Textual app: opens the main screen, runs sync in a background thread, owns the keymap."""

from __future__ import annotations

import gc
import webbrowser
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from tuireader.config import SyncConfig
from tuireader.store import Store
from tuireader.ui.components.help import HelpScreen
from tuireader.ui.components.main_screen import MainScreen
from tuireader.ui.formatting import one_line
from tuireader.ui.provider import ReaderCommands

SYNC_WORKER = "sync"
BROWSER_WORKER = "browser"
MODAL_BINDING_IDS = frozenset({"picker_cancel", "search_cancel", "help_close"})
RELOAD_INTERVAL = 1.0  # seconds between list reloads while a sync reports progress


#: Collections of the middle generation between two full ones (Python's default is 10).
FULL_COLLECTION_THRESHOLD = 100


class ReaderApp(App[None]):
    """tuireader's reader: list, reader view and actor sidebar over one SQLite cache."""

    CSS_PATH = "app.tcss"
    TITLE = "tuireader"
    COMMANDS: ClassVar = App.COMMANDS | {ReaderCommands}
    BINDINGS: ClassVar = [Binding("ctrl+p", "command_palette", "Commands", show=False)]

    def __init__(
        self,
        store: Store,
        *,
        keymap: Mapping[str, str] | None = None,
        timezone: tzinfo | None = None,
        theme: str | None = None,
        sync_config: SyncConfig | None = None,
        extract: bool = True,
    ) -> None:
        super().__init__()
        self.store = store
        self.timezone = timezone
        self.user_keymap = dict(keymap or {})
        if theme:
            self.theme = theme
        self.sync_config = sync_config
        self.extract = extract
        self.sync_running = False
        self.last_sync_errors: list[str] = []
        self._reload_timer: Timer | None = None
        self._reload_pending = False
        self._saved_gc_threshold: tuple[int, int, int] | None = None  # while frozen

    async def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        await self.push_screen(MainScreen(self.store, timezone=self.timezone))
        self.call_after_refresh(self._freeze_startup_objects)
        unknown = sorted(set(self.user_keymap) - self.binding_ids())
        if unknown:
            self.notify(
                "Unknown key binding ids in [keys]: " + ", ".join(unknown)
                + " (press ? for the list)",
                severity="warning", markup=False,
            )

    def _freeze_startup_objects(self) -> None:
        """Keep the garbage collector's full passes off keypresses.

        A full pass walks every tracked object (a quarter of a million here, most of them
        Textual's cached strips) and stalled a keypress by 50-250 ms now and then: at 100,000
        articles bench_tui measured search p95 59 ms and the actor picker 123 ms, against 25
        and 36 ms with collection off. What start-up made (Textual, widgets, styles: alive
        until exit) is exempted from the passes, and full passes are made ten times rarer
        (young objects are still collected as often as before). Runs after the first screen
        is drawn, so it does not delay it.
        """
        gc.collect()
        gc.freeze()
        self._saved_gc_threshold = gc.get_threshold()
        young, middle, _ = self._saved_gc_threshold
        gc.set_threshold(young, middle, FULL_COLLECTION_THRESHOLD)

    def on_unmount(self) -> None:
        """Give the collector back its default behaviour (for whoever runs the app in-process,
        such as the tests: what was frozen becomes collectable again)."""
        if self._saved_gc_threshold is not None:
            gc.set_threshold(*self._saved_gc_threshold)
            gc.unfreeze()
            self._saved_gc_threshold = None

    def binding_ids(self) -> set[str]:
        """Every binding id the user can rebind (main screen, panes and dialogs)."""
        ids = {
            binding_id
            for _title, rows in self.main_screen.key_help()
            for _keys, _description, binding_id in rows
        }
        return ids | MODAL_BINDING_IDS

    @property
    def main_screen(self) -> MainScreen:
        """The main screen (below any open picker)."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("the main screen is not open")

    # -- help ------------------------------------------------------------------------------------
    def action_show_help(self) -> None:
        """Show every key binding with its current key."""
        self.push_screen(HelpScreen(self.main_screen.key_help()))

    # -- sync ------------------------------------------------------------------------------------
    def action_sync(self) -> None:
        """Fetch every feed in a background thread; the list updates as feeds finish."""
        if self.sync_running:
            self.notify("A sync is already running.")
            return
        self.sync_running = True
        self.last_sync_errors = []
        self._set_activity("syncing…")
        self.sync_worker()

    @work(thread=True, exclusive=True, exit_on_error=False, group=SYNC_WORKER, name=SYNC_WORKER)
    def sync_worker(self) -> Any:
        """Run ``tuireader.sync.sync_feeds`` on its own store connection."""
        from tuireader.sync import sync_feeds

        with Store(self.store.path) as thread_store:
            return sync_feeds(
                thread_store, config=self.sync_config, extract=self.extract,
                progress=self._feed_synced_from_thread,
            )

    def _feed_synced_from_thread(self, result: Any) -> None:
        self.call_from_thread(self._feed_synced, result)

    def _feed_synced(self, result: Any) -> None:
        if getattr(result, "error", None):
            self.last_sync_errors.append(
                f"{one_line(str(result.url))}: {one_line(str(result.error))}"
            )
        screen = self.main_screen
        screen.activity = f"syncing… {one_line(str(result.url))}"
        if getattr(result, "new", 0) or getattr(result, "updated", 0):
            # Re-reading 100,000 ids per finished feed would stall the UI: at most once a second.
            if self._reload_timer is None:
                screen.reload(keep=screen.articles.current_id)
                self._reload_timer = self.set_timer(RELOAD_INTERVAL, self._reload_settled)
            else:
                self._reload_pending = True
        screen.refresh_status()

    def _reload_settled(self) -> None:
        self._reload_timer = None
        if self._reload_pending:
            self._reload_pending = False
            screen = self.main_screen
            screen.reload(keep=screen.articles.current_id)

    def _set_activity(self, activity: str) -> None:
        screen = self.main_screen
        screen.activity = activity
        screen.refresh_status()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where background work's results and failures are handled."""
        worker = event.worker
        if worker.name == SYNC_WORKER:
            if event.state == WorkerState.SUCCESS:
                self.sync_running = False
                summary = worker.result
                message = (
                    f"Sync done: {getattr(summary, 'new', 0)} new, "
                    f"{getattr(summary, 'updated', 0)} updated"
                )
                errors = getattr(summary, "errors", 0)
                if errors:
                    message += f", {errors} failed"
                if self.last_sync_errors:
                    message += "\n" + "\n".join(self.last_sync_errors[:5])
                self.notify(message, severity="warning" if errors else "information",
                            markup=False)
                self._set_activity("")
                self._reload_pending = False
                screen = self.main_screen
                screen.reload(keep=screen.articles.current_id)
                screen.refresh_open_article()
            elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
                self.sync_running = False
                self._set_activity("")
                error = worker.error
                if isinstance(error, ImportError):
                    text = "Sync is not available in this installation."
                else:
                    text = f"Sync failed: {one_line(str(error)) or type(error).__name__}"
                self.notify(text, severity="error", markup=False)
        elif worker.name == BROWSER_WORKER and event.state == WorkerState.ERROR:
            self.notify(
                f"Could not open the browser: {one_line(str(worker.error))}",
                severity="error", markup=False,
            )

    # -- browser ---------------------------------------------------------------------------------
    def open_in_browser(self, url: str) -> None:
        """Open ``url`` with a graphical browser if the system has one, else say so."""
        self.browser_worker(url)

    @work(thread=True, exit_on_error=False, group=BROWSER_WORKER, name=BROWSER_WORKER)
    def browser_worker(self, url: str) -> None:
        """Find a browser that does not take over this terminal and open ``url`` in it."""
        try:
            browser = webbrowser.get()
        except webbrowser.Error:
            browser = None
        # Text browsers (lynx, w3m...) would fight the reader for the terminal: refuse them.
        terminal_browser = type(browser) is webbrowser.GenericBrowser
        if browser is None or terminal_browser or not browser.open(url):
            self.call_from_thread(
                self.notify,
                "No graphical browser found; press y to copy the link instead.",
                severity="warning",
            )
            return
        self.call_from_thread(self.notify, f"Opened {url}", markup=False)
