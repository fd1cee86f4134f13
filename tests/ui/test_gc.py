"""The app keeps full garbage collections off keypresses while it runs, and undoes it after."""

from __future__ import annotations

import gc
from typing import Any

from tuireader.ui.app import FULL_COLLECTION_THRESHOLD


async def test_collector_settings_hold_while_running_and_are_restored(make_app: Any) -> None:
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert gc.get_threshold()[2] == FULL_COLLECTION_THRESHOLD
        assert gc.get_freeze_count() > frozen_before
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
