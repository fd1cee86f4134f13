"""SVG snapshots of the main screen, help and pickers (update with --snapshot-update)."""

from __future__ import annotations


def test_main_screen_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_main_screen_120x40_with_article_open(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), press=["j", "enter"])


def test_reader_maximised_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["enter", "z"])


def test_help_screen(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(100, 40), press=["question_mark"])


def test_feed_picker(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["f"])


def test_actor_picker(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["j", "enter", "a"])
