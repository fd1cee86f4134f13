"""strip_controls and clean_line: nothing that can drive a terminal or spoof text gets through."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuireader.text.sanitize import clean_line, strip_controls, truncate

FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x1b]0;evil title\x07b", "ab"),  # OSC window title, BEL-terminated
        ("a\x1b]52;c;Zm9vYmFy\x1b\\b", "ab"),  # OSC 52 clipboard write, ST-terminated
        ("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # OSC 8 hyperlink
        ("\x1b[31mred\x1b[0m", "red"),  # SGR
        ("\x1b[2J\x1b[H\x1b[?1049hscreen", "screen"),  # clear, home, alt screen
        ("x\x9b31my", "xy"),  # 8-bit CSI
        ("x\x9d0;t\x9cy", "xy"),  # 8-bit OSC with 8-bit ST
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),  # DCS (sixel)
        ("a\x1b_Gpayload\x1b\\b", "ab"),  # APC (kitty graphics)
        ("a\x1b(Bb", "ab"),  # charset designation
        ("a\x1bcb", "ab"),  # full reset
        ("a\x1b]0;unterminated\nnext line", "a\nnext line"),
        ("bell\x07 null\x00 del\x7f", "bell null del"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("windows\r\nline\rold mac", "windows\nline\nold mac"),
        ("line\u2028sep\u2029para\x85nel", "line\nsep\npara\nnel"),
        ("vertical\x0btab\x0cfeed", "vertical tab feed"),
        ("\u202egnp.exe\u202c", "gnp.exe"),  # right-to-left override spoof
        ("\u2066isolate\u2069 \u200fmark\u200e", "isolate mark"),
        ("zero\u200bwidth\ufeff soft\u00adhyphen", "zerowidth softhyphen"),
        ("hidden\U000e0041\U000e0042tags", "hiddentags"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("Grüße, 東京 — “quotes” 🇩🇪 👩‍👩‍👧", "Grüße, 東京 — “quotes” 🇩🇪 👩‍👩‍👧"),
    ],
)
def test_strip_controls(raw: str, expected: str) -> None:
    assert strip_controls(raw) == expected


def test_strip_controls_returns_clean_text_unchanged() -> None:
    text = "Nordkorea schickt Truppen\n\nZweiter Absatz\tmit Tab."
    assert strip_controls(text) is text


@given(st.text())
def test_strip_controls_never_leaves_a_control(text: str) -> None:
    assert FORBIDDEN.search(strip_controls(text)) is None


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_strip_controls_is_idempotent(text: str) -> None:
    once = strip_controls(text)
    assert strip_controls(once) == once


@given(st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cf", "Cs", "Zl", "Zp"])))
def test_strip_controls_keeps_ordinary_text(text: str) -> None:
    assert strip_controls(text) == text


def test_clean_line_collapses_whitespace_and_controls() -> None:
    assert clean_line("  Breaking:\n\n  \x1b[1mNews\x1b[0m\tnow  ", 100) == "Breaking: News now"


def test_clean_line_bounds_length_with_ellipsis() -> None:
    line = clean_line("word " * 50, 20)
    assert len(line) == 20
    assert line.endswith("…")
    assert clean_line("short", 5) == "short"
    assert clean_line("longer", 5) == "long…"


def test_clean_line_rejects_zero_length() -> None:
    with pytest.raises(ValueError):
        clean_line("x", 0)


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_clean_line_is_one_bounded_safe_line(text: str, max_len: int) -> None:
    line = clean_line(text, max_len)
    assert len(line) <= max_len
    assert "\n" not in line and "\t" not in line
    assert FORBIDDEN.search(line) is None
    assert line == line.strip()


def test_truncate() -> None:
    assert truncate("abcdef", 6) == "abcdef"
    assert truncate("abc def", 5) == "abc…"
