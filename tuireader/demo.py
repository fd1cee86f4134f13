"""The bundled demo: two feeds built from the seed articles, added on a new user's first run."""

from __future__ import annotations

from tuireader.paths import demo_dir
from tuireader.store import FeedExistsError, Store

DEMO_FEEDS: tuple[tuple[str, str], ...] = (
    ("tagesschau.xml", "tagesschau (Demo)"),
    ("taz.xml", "taz (Demo)"),
)
_OFFERED_KEY = "demo_offered"


def demo_feed_urls() -> list[str]:
    """``file://`` URLs of the bundled demo feeds."""
    return [(demo_dir() / name).as_uri() for name, _ in DEMO_FEEDS]


def ensure_demo(store: Store) -> bool:
    """On a new, empty cache add the demo feeds and sync them offline; True if it did.

    It happens once: a user who removes the demo feeds does not get them back.
    """
    if store.get_state(_OFFERED_KEY, False) or store.feed_count():
        return False
    feed_ids = []
    for (_file_name, title), url in zip(DEMO_FEEDS, demo_feed_urls(), strict=True):
        try:
            feed_ids.append(store.add_feed(url, title=title, tags=["demo"]).id)
        except FeedExistsError:
            continue
    store.set_state(_OFFERED_KEY, True)
    from tuireader.sync import sync_feeds

    sync_feeds(store, feed_ids)
    return True
