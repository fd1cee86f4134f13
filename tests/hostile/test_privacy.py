"""Privacy: only the user's feed URLs (and their redirects) are ever requested; images,
scripts, frames and tracking pixels in articles are never fetched, by sync or by the reader."""

from __future__ import annotations

from datetime import UTC

from tests.plugins.server import FeedServer, rss_feed, rss_item
from tests.ui.helpers import screen_text
from tuireader.store import Store
from tuireader.sync import sync_feeds
from tuireader.ui.app import ReaderApp


def tracking_content(server: FeedServer) -> str:
    other = server.url("/other-host.gif", host="localhost")
    return (
        f'<p>Seoul <img src="{server.url("/pixel.gif")}" width="1" height="1">'
        f'<img src="{server.url("/photo.jpg")}" alt="Pjöngjang"></p>'
        f'<script src="{server.url("/tracker.js")}"></script>'
        f'<iframe src="{server.url("/frame.html")}"></iframe>'
        f'<link rel="stylesheet" href="{server.url("/style.css")}">'
        f'<video poster="{server.url("/poster.jpg")}"></video><img src="{other}">'
        f'<p style="background:url({server.url("/bg.png")})">Moskau</p>'
    )


async def test_only_feed_urls_and_redirects_are_requested(store: Store,
                                                          feed_server: FeedServer) -> None:
    body = rss_feed([rss_item(0, body=tracking_content(feed_server), title="Tracked")])
    feed_server.route("/real-feed.xml", body)
    moved = feed_server.route("/old-feed.xml", redirect_to=feed_server.url("/real-feed.xml"),
                              status=302)
    store.add_feed(moved)
    summary = sync_feeds(store, extract=False)
    assert summary.new == 1
    app = ReaderApp(store, timezone=UTC, theme="textual-dark", extract=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert "[image: Pjöngjang]" in screen_text(app)
        await pilot.press("y")  # copying a link must not fetch it either
        await pilot.pause(0.1)
    paths = [request.path for request in feed_server.requests]
    assert paths == ["/old-feed.xml", "/real-feed.xml"], paths
