"""Make hostile feed text safe to show in a terminal and to store.

Feed text can carry terminal escape sequences (to retitle the window, move the cursor, write
the clipboard through OSC 52...), raw control characters and Unicode bidi overrides that make
text read differently from what it is. :func:`strip_controls` removes all of them; every string
that came from a feed goes through it before it is shown or stored.
"""

from __future__ import annotations

import re

# Whole escape sequences, removed with their payload so no "]0;title" junk is left behind.
# Order matters: string sequences (OSC, DCS, SOS, PM, APC) first, then CSI, then short ESC ones.
_ESCAPE_SEQUENCE = re.compile(
    # 7-bit string sequence: ESC ] / ESC P / ESC X / ESC ^ / ESC _, payload up to BEL or ST
    # (ESC \ or 8-bit ST); unterminated ones end at the line break.
    r"\x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    # 8-bit string sequence: only when terminated (a lone C1 byte is just removed below).
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)"
    # CSI (7-bit or 8-bit): parameters, intermediates, final byte.
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    # Any other escape: intermediates and a final byte (ESC ( B, ESC c, ESC 7...).
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)

_ESCAPE_START = re.compile("[\x1b\x90\x98\x9b\x9d-\x9f]")

# Characters that become a line break: CR LF / CR (so a lone CR cannot overwrite a line),
# NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR.
_LINE_BREAKS = re.compile("\r\n?|[\x85\u2028\u2029]")
# Vertical tab and form feed separate words: keep them apart with a space.
_SPACE_CONTROLS = re.compile("[\x0b\x0c]")

_INVISIBLE = (
    "\x00-\x08\x0e-\x1f\x7f-\x9f"  # C0 (minus \t \n \v \f \r, handled above) and C1
    "\u00ad"  # soft hyphen (rendered inconsistently by terminals)
    "\u061c"  # Arabic letter mark
    "\u180e"  # Mongolian vowel separator
    "\u200b"  # zero width space
    "\u200e\u200f"  # left-to-right / right-to-left marks
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u2069"  # bidi isolates
    "\u206a-\u206f"  # deprecated format characters
    "\ufeff"  # byte order mark / zero width no-break space
    "\ufff9-\ufffb"  # interlinear annotation
    "\U000e0000-\U000e007f"  # tag characters (can smuggle invisible text)
)
_REMOVED = re.compile(f"[{_INVISIBLE}]+")
_SURROGATES = re.compile("[\ud800-\udfff]")

# One scan tells whether any work is needed at all (the common case for clean text).
_ANYTHING_TO_DO = re.compile(f"[{_INVISIBLE}\x0b\x0c\r\u2028\u2029\ud800-\udfff]")

_WHITESPACE = re.compile(r"\s+")

ELLIPSIS = "…"


def strip_controls(text: str) -> str:
    """Remove control characters, escape sequences and invisible format characters.

    Keeps ``\\n`` and ``\\t``; turns CR, CR LF, NEL and U+2028/U+2029 into ``\\n`` and vertical
    tab / form feed into a space. Escape sequences (CSI, OSC, DCS, APC...) go with their payload.
    Bidi overrides and isolates, zero-width and other invisible format characters are dropped;
    lone surrogates become U+FFFD so the result can always be encoded as UTF-8.
    """
    if not text or _ANYTHING_TO_DO.search(text) is None:
        return text
    if _ESCAPE_START.search(text):
        text = _ESCAPE_SEQUENCE.sub("", text)
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        text = _LINE_BREAKS.sub("\n", text)
    if "\x0b" in text or "\x0c" in text:
        text = _SPACE_CONTROLS.sub(" ", text)
    text = _REMOVED.sub("", text)
    return _SURROGATES.sub("\ufffd", text)


def clean_line(text: str, max_len: int) -> str:
    """One safe display line: controls stripped, all whitespace collapsed to single spaces,
    at most ``max_len`` characters (cut text ends with "…").
    """
    if max_len < 1:
        raise ValueError("max_len must be at least 1")
    line = _WHITESPACE.sub(" ", strip_controls(text)).strip()
    return truncate(line, max_len)


def truncate(text: str, max_len: int) -> str:
    """``text`` cut to at most ``max_len`` characters, ending with "…" when cut."""
    if len(text) <= max_len:
        return text
    return text[: max_len - 1].rstrip() + ELLIPSIS
