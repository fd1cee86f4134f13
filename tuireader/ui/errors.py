"""Store failures in the UI become one-line error notifications, never a crash or traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from tuireader.store import StoreError
from tuireader.ui.formatting import one_line

Method = TypeVar("Method", bound=Callable[..., Any])


def notify_store_errors(method: Method) -> Method:
    """Wrap a widget/screen method: a ``StoreError`` is shown as an error notification."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except StoreError as exc:
            self.app.notify(one_line(str(exc)), severity="error", timeout=10, markup=False)
            return None

    return wrapper  # type: ignore[return-value]
