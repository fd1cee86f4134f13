"""Turn feed HTML into readable plain text for the reader view and the search index.

Uses selectolax (lexbor) to parse, then walks the tree once without recursion (so deeply nested
hostile markup cannot exhaust the stack). Paragraphs are separated by blank lines, list items
become ``- item`` / ``1. item``, quotes are prefixed ``> ``, links get numbered references with a
``Links:`` list at the end, images become ``[image: alt]``. Everything that leaves this module has
been through :func:`tuireader.text.sanitize.strip_controls`.
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tuireader.text.sanitize import clean_line, strip_controls, truncate

MAX_HTML_CHARS = 2_000_000
"""Input longer than this is cut before parsing."""
MAX_TEXT_CHARS = 500_000
"""The readable text (without the link list) is cut to this length."""
MAX_LINKS = 500
"""At most this many distinct links are numbered."""
MAX_URL_CHARS = 2_000
"""Longer link targets are not listed."""
MAX_ALT_CHARS = 200
"""Image descriptions are cut to this length."""
MAX_BLOCK_NESTING = 256
"""Input is cut where block elements nest deeper than this (see :func:`_nesting_limit`)."""
MAX_SHOWN_NESTING = 8
"""Quotes and lists nested deeper than this are not indented further."""
TRUNCATED_MARK = "[…]"

# Subtrees whose content is never shown.
_SKIPPED_TAGS = frozenset({
    "script", "style", "noscript", "iframe", "template", "head", "title", "meta", "link",
    "object", "embed", "svg", "math", "canvas", "select", "textarea", "button", "input",
    "map", "frameset", "frame", "param", "source", "track",
})
# Elements that start and end a paragraph (blank line around them).
_PARAGRAPH_TAGS = frozenset({
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "figure",
    "figcaption", "address", "details", "summary", "form", "fieldset", "legend", "center",
    "table", "caption", "dl", "hgroup", "body", "html", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "menu", "dir", "blockquote", "pre", "hr", "picture",
})
# Elements that only need their own line.
_LINE_TAGS = frozenset({"li", "dt", "dd", "tr", "thead", "tbody", "tfoot", "option"})
_LIST_TAGS = frozenset({"ul", "ol", "menu", "dir"})
_CELL_TAGS = frozenset({"td", "th"})
_MEDIA_TAGS = {"video": "[video]", "audio": "[audio]"}

_DROPPED_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "about", "blob"})
# Start/end tags of the block elements whose nesting makes HTML5 tree building slow.
_BLOCK_TAG = re.compile(
    r"<(/?)(?:address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset|"
    r"figcaption|figure|footer|form|header|hgroup|h[1-6]|listing|main|menu|nav|ol|pre|search|"
    r"section|summary|table|ul|xmp)(?=[\s/>])",
    re.IGNORECASE,
)
_HTML_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
_LOOKS_LIKE_MARKUP = re.compile(r"<[A-Za-z!/?]")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_PIXEL_STYLE = re.compile(r"(?:^|;)\s*(?:width|height)\s*:\s*[01](?:\.0*)?(?:px)?\s*(?:;|$)", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

_NO_BREAK, _LINE_BREAK, _PARAGRAPH_BREAK = 0, 1, 2
_UNLIMITED = 1 << 30


def html_to_text(html: str, base_url: str | None = None) -> str:
    """Readable plain text of an HTML fragment or document (see the module docstring).

    Link targets are resolved against ``base_url``; ``javascript:`` and ``data:`` links are
    dropped. Entities are decoded exactly once. Text without any markup is passed through with
    its whitespace normalised. Never raises on any ``str`` input.
    """
    if not html:
        return ""
    input_cut = len(html) > MAX_HTML_CHARS
    if input_cut:
        html = html[:MAX_HTML_CHARS]
        open_tag = html.rfind("<", MAX_HTML_CHARS - 1000)
        if open_tag > 0 and ">" not in html[open_tag:]:
            html = html[:open_tag]  # no half tag at the cut
    html = strip_controls(html)
    if _LOOKS_LIKE_MARKUP.search(html) is None:
        text = _plain_text(html_lib.unescape(html))
        return text if not input_cut or text.endswith(TRUNCATED_MARK) else _mark_cut(text)
    nesting_cut = _nesting_limit(html)
    if nesting_cut is not None:
        html, input_cut = html[:nesting_cut], True
    parser = LexborHTMLParser(html)
    root = parser.body or parser.root
    if root is None:
        return ""
    writer = _TextWriter(base_url)
    writer.walk(root)
    writer.full = writer.full or input_cut
    return writer.result()


def html_to_plain_line(html: str, max_len: int = 500) -> str:
    """One line of text from a title or author field that may contain markup or entities."""
    if not html:
        return ""
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
    html = strip_controls(html)
    if _LOOKS_LIKE_MARKUP.search(html) is None:
        text = html_lib.unescape(html)
    else:
        parser = LexborHTMLParser(html)
        root = parser.body or parser.root
        writer = _TextWriter(None, number_links=False)
        if root is not None:
            writer.walk(root)
        text = writer.result()
    return clean_line(text, max_len)


def _plain_text(text: str) -> str:
    """Normalise the whitespace of markup-free text, keeping paragraph breaks."""
    lines = [" ".join(_HTML_WHITESPACE.split(line)).strip() for line in text.split("\n")]
    joined = _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")
    return strip_controls(_cut(joined))


def _cut(text: str) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut = text[:MAX_TEXT_CHARS]
    space = cut.rfind(" ", MAX_TEXT_CHARS - 200)
    if space > 0:
        cut = cut[:space]
    return _mark_cut(cut)


def _nesting_limit(html: str) -> int | None:
    """Where block elements nest deeper than :data:`MAX_BLOCK_NESTING` (None: they don't).

    HTML5 tree building checks the open-element stack at every block start tag, so thousands of
    nested blocks make parsing quadratic (20,000 nested lists take seconds); hostile markup is
    cut at that depth instead. Only documents with enough tags to get there are scanned.
    """
    if html.count("<") <= MAX_BLOCK_NESTING:
        return None
    depth = 0
    for match in _BLOCK_TAG.finditer(html):
        if match.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > MAX_BLOCK_NESTING:
                return match.start()
    return None


def _mark_cut(text: str) -> str:
    return f"{text.rstrip()}\n\n{TRUNCATED_MARK}" if text else TRUNCATED_MARK


def _int_attribute(value: str | None) -> int | None:
    if not value:
        return None
    digits = re.match(r"\s*(\d{1,6})", value)
    return int(digits.group(1)) if digits else None


class _TextWriter:
    """Accumulates output text while the tree is walked; tracks breaks, prefixes and links."""

    def __init__(self, base_url: str | None, *, number_links: bool = True) -> None:
        self.base_url = base_url
        self.number_links = number_links
        self.parts: list[str] = []
        self.size = 0
        self.full = False
        self.pending_break = _NO_BREAK
        self.pending_space = False
        self.at_line_start = True
        self.quote_depth = 0
        self.break_quote_depth = _UNLIMITED
        self.pre_depth = 0
        # One entry per open list: its kind ("ul"/"ol") and the next item number.
        self.lists: list[list] = []
        self.pending_marker: str | None = None
        self.link_numbers: dict[str, int] = {}
        # Open links: (resolved URL or None, output size when the link opened).
        self.open_links: list[tuple[str | None, int]] = []
        self.row_has_cell: list[bool] = []

    # -- tree walk ------------------------------------------------------------------------------
    def walk(self, root: LexborNode) -> None:
        """Visit every node below ``root`` in document order without recursion."""
        node = root.child
        depth = 1
        while node is not None and depth > 0:
            if self.full:
                return
            descend = self.enter(node)
            child = node.child if descend else None
            if child is not None:
                node = child
                depth += 1
                continue
            if descend:
                self.leave(node)
            while node is not None and node.next is None:
                node = node.parent
                depth -= 1
                if depth <= 0 or node is None:
                    return
                self.leave(node)
            if node is None:
                return
            node = node.next

    def enter(self, node: LexborNode) -> bool:
        """Handle an opening node; True when its children (and later its end) should be seen."""
        tag = node.tag
        if tag == "-text":
            text = node.text_content
            if text:
                self.text(text)
            return False
        if tag is None or tag.startswith(("!", "_")) or tag in _SKIPPED_TAGS:
            return False
        attributes = node.attributes
        style = attributes.get("style")
        if "hidden" in attributes or (style and _HIDDEN_STYLE.search(style)):
            return False
        if tag == "br":
            self.line_break()
            return False
        if tag == "img":
            self.image(attributes)
            return False
        if tag in _MEDIA_TAGS:
            self.inline(_MEDIA_TAGS[tag])
            return False
        if tag == "hr":
            self.block(_PARAGRAPH_BREAK)
            return False
        if tag == "a":
            self.open_links.append((self.resolve(attributes.get("href")), self.size))
            return True
        if tag in _PARAGRAPH_TAGS:
            self.block(_PARAGRAPH_BREAK)
            if tag == "blockquote":
                self.quote_depth += 1
            elif tag == "pre":
                self.pre_depth += 1
            elif tag in _LIST_TAGS:
                self.lists.append([tag, _int_attribute(attributes.get("start")) or 1])
            return True
        if tag in _LINE_TAGS:
            self.block(_LINE_BREAK)
            if tag == "li":
                self.list_item()
            elif tag == "tr":
                self.row_has_cell.append(False)
            return True
        if tag in _CELL_TAGS:
            if self.row_has_cell:
                if self.row_has_cell[-1]:
                    self.inline(" |")
                self.row_has_cell[-1] = True
            self.pending_space = True
            return True
        return True

    def leave(self, node: LexborNode) -> None:
        """Handle the end of an element whose children were visited."""
        tag = node.tag
        if tag == "a":
            if self.open_links:
                url, size_at_open = self.open_links.pop()
                has_text = self.size > size_at_open
                number = self.link_number(url) if has_text and self.number_links else None
                if number is not None:
                    self.attached(f"[{number}]")
            return
        if tag in _PARAGRAPH_TAGS:
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
            elif tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
            elif tag in _LIST_TAGS and self.lists:
                self.lists.pop()
            self.block(_PARAGRAPH_BREAK)
        elif tag in _LINE_TAGS:
            if tag == "li":
                self.pending_marker = None
            elif tag == "tr" and self.row_has_cell:
                self.row_has_cell.pop()
            self.block(_LINE_BREAK)

    # -- output ---------------------------------------------------------------------------------
    def block(self, strength: int) -> None:
        """Ask for a line break (1) or blank line (2) before the next text."""
        if self.lists and strength == _PARAGRAPH_BREAK:
            strength = _LINE_BREAK  # paragraphs inside lists keep the list tight
        if strength > self.pending_break:
            self.pending_break = strength
        # A blank line between quoted paragraphs is quoted, one before or after the quote is not.
        self.break_quote_depth = min(self.break_quote_depth, self.quote_depth)
        self.pending_space = False

    def line_break(self) -> None:
        """A ``<br>``: the next text starts on a new line (several in a row add blank lines)."""
        if self.size == 0:
            return
        if self.pending_break >= _LINE_BREAK or self.at_line_start:
            self.pending_break = _PARAGRAPH_BREAK
        else:
            self.pending_break = _LINE_BREAK
        self.pending_space = False

    def list_item(self) -> None:
        if not self.lists:
            self.pending_marker = "- "
            return
        kind, number = self.lists[-1]
        if kind == "ol":
            self.pending_marker = f"{number}. "
            self.lists[-1][1] = number + 1
        else:
            self.pending_marker = "- "

    def line_prefix(self) -> str:
        quote = "> " * min(self.quote_depth, MAX_SHOWN_NESTING)
        indent = "  " * min(max(0, len(self.lists) - 1), MAX_SHOWN_NESTING)
        if self.pending_marker is not None:
            marker, self.pending_marker = self.pending_marker, None
            return quote + indent + marker
        if self.lists:
            indent += "  "
        return quote + indent

    def emit(self, text: str) -> None:
        if self.size + len(text) > MAX_TEXT_CHARS:
            text = text[: max(0, MAX_TEXT_CHARS - self.size)]
            self.full = True
        self.parts.append(text)
        self.size += len(text)

    def start_text(self) -> None:
        """Write any pending break, prefix or space before new text."""
        if self.pending_break and self.size:
            quote = "> " * min(self.break_quote_depth, self.quote_depth, MAX_SHOWN_NESTING)
            if self.pending_break == _PARAGRAPH_BREAK:
                self.emit("\n" + quote.rstrip() + "\n")
            else:
                self.emit("\n")
            self.at_line_start = True
        self.pending_break = _NO_BREAK
        self.break_quote_depth = _UNLIMITED
        if self.at_line_start:
            self.emit(self.line_prefix())
            self.at_line_start = False
            self.pending_space = False
        elif self.pending_space:
            self.emit(" ")
        self.pending_space = False

    def text(self, raw: str) -> None:
        """A text node: whitespace collapsed (kept as is inside ``<pre>``)."""
        if self.pre_depth:
            self.preformatted(raw)
            return
        if not ("  " in raw or "\n" in raw or "\t" in raw or "\r" in raw or "\f" in raw):
            # Only single spaces (most text nodes): the same result without the regex split.
            if raw[0] == " ":
                self.pending_space = True
            words_only = raw.strip(" ")
            if not words_only:
                return
            self.start_text()
            self.emit(words_only)
            self.pending_space = raw[-1] == " "
            return
        words = _HTML_WHITESPACE.split(raw)
        if words[0] == "":
            self.pending_space = True
            words = words[1:]
        trailing_space = bool(words) and words[-1] == ""
        if trailing_space:
            words = words[:-1]
        if not words:
            return
        self.start_text()
        self.emit(" ".join(words))
        self.pending_space = trailing_space

    def preformatted(self, raw: str) -> None:
        for index, line in enumerate(raw.split("\n")):
            if index:
                self.emit("\n")
                self.at_line_start = True
            if line:
                self.start_text()
                self.emit(line)

    def inline(self, text: str) -> None:
        """Generated inline text such as ``[image: alt]``, spaced like a word."""
        self.start_text()
        self.emit(text)

    def attached(self, text: str) -> None:
        """Generated text glued to what precedes it (a link number), keeping a pending space."""
        if self.pending_break or self.at_line_start:
            self.start_text()
        self.emit(text)

    def image(self, attributes: dict[str, str | None]) -> None:
        width = _int_attribute(attributes.get("width"))
        height = _int_attribute(attributes.get("height"))
        if (width is not None and width <= 1) or (height is not None and height <= 1):
            return
        style = attributes.get("style")
        if style and _PIXEL_STYLE.search(style):
            return
        alt = clean_line(attributes.get("alt") or "", MAX_ALT_CHARS)
        self.inline(f"[image: {alt}]" if alt else "[image]")

    # -- links ----------------------------------------------------------------------------------
    def link_number(self, url: str | None) -> int | None:
        """The reference number of a resolved link target (None: not listed)."""
        if url is None:
            return None
        number = self.link_numbers.get(url)
        if number is None:
            if len(self.link_numbers) >= MAX_LINKS:
                return None
            number = len(self.link_numbers) + 1
            self.link_numbers[url] = number
        return number

    def resolve(self, href: str | None) -> str | None:
        if not href:
            return None
        href = "".join(strip_controls(href).split())
        if not href or href.startswith("#") or len(href) > MAX_URL_CHARS:
            return None
        try:
            url = urljoin(self.base_url, href) if self.base_url else href
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            return None
        if scheme in _DROPPED_SCHEMES:
            return None
        return url

    def result(self) -> str:
        text = strip_controls("".join(self.parts))
        # (the substring tests are much faster than the regular expressions finding nothing)
        if " \n" in text or "\t\n" in text:
            text = _TRAILING_SPACE.sub("\n", text)
        if "\n\n\n" in text:
            text = _MANY_BLANK_LINES.sub("\n\n", text)
        text = text.strip("\n").rstrip()
        if self.full:
            text = _mark_cut(text)
        if self.link_numbers:
            listing = "\n".join(f"[{n}] {url}" for url, n in self.link_numbers.items())
            text = f"{text}\n\nLinks:\n{listing}" if text else f"Links:\n{listing}"
        return text


__all__ = ["MAX_HTML_CHARS", "MAX_TEXT_CHARS", "html_to_plain_line", "html_to_text", "truncate"]
