"""html_to_text / html_to_plain_line: readable, safe text from hostile feed HTML."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.plugins.store import FIXTURES
from tuireader.text.html import (
    MAX_BLOCK_NESTING,
    MAX_HTML_CHARS,
    MAX_TEXT_CHARS,
    html_to_plain_line,
    html_to_text,
)
from tuireader.text.sanitize import strip_controls

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
BASE = "https://news.example/politik/artikel.html"


def test_paragraphs_are_separated_by_blank_lines() -> None:
    html = "<p>Erster   Absatz\nmit Umbruch.</p><p>Zweiter <b>Absatz</b>.</p>"
    assert html_to_text(html) == "Erster Absatz mit Umbruch.\n\nZweiter Absatz."


def test_divs_and_sections_are_blocks() -> None:
    html = "<div><div>eins</div><section>zwei</section></div>drei"
    assert html_to_text(html) == "eins\n\nzwei\n\ndrei"


def test_headings_stand_on_their_own_lines() -> None:
    html = "<h1>Titel</h1>Text direkt danach<h2>Unter</h2><p>Absatz</p>"
    assert html_to_text(html) == "Titel\n\nText direkt danach\n\nUnter\n\nAbsatz"


def test_unordered_and_ordered_lists() -> None:
    html = (
        "<p>Vorher</p><ul><li>eins</li><li><p>zwei</p></li></ul>"
        "<ol><li>erstens</li><li>zweitens</li></ol><p>Nachher</p>"
    )
    assert html_to_text(html) == (
        "Vorher\n\n- eins\n- zwei\n\n1. erstens\n2. zweitens\n\nNachher"
    )


def test_nested_list_is_indented_and_start_attribute_counts() -> None:
    html = "<ul><li>oben<ol start='3'><li>drei</li><li>vier</li></ol></li><li>unten</li></ul>"
    assert html_to_text(html) == "- oben\n  3. drei\n  4. vier\n- unten"


def test_blockquote_lines_are_prefixed() -> None:
    html = "<p>Er sagte:</p><blockquote><p>Satz eins.</p><p>Satz zwei.</p></blockquote><p>Ende</p>"
    assert html_to_text(html) == "Er sagte:\n\n> Satz eins.\n>\n> Satz zwei.\n\nEnde"


def test_nested_blockquote() -> None:
    html = "<blockquote>außen<blockquote>innen</blockquote></blockquote>"
    assert html_to_text(html) == "> außen\n>\n> > innen"


def test_br_is_a_line_break_and_two_make_a_paragraph() -> None:
    assert html_to_text("eins<br>zwei<br/><br>drei") == "eins\nzwei\n\ndrei"


def test_pre_keeps_its_whitespace() -> None:
    html = "<p>Code:</p><pre>def f():\n    return  1\n\tdone</pre><p>weiter</p>"
    assert html_to_text(html) == "Code:\n\ndef f():\n    return  1\n\tdone\n\nweiter"


def test_links_are_numbered_resolved_and_shared() -> None:
    html = (
        '<p>Siehe <a href="/a">hier</a> und <a href="https://other.example/x">dort</a>, '
        'nochmal <a href="https://news.example/a">hier</a>.</p>'
    )
    assert html_to_text(html, BASE) == (
        "Siehe hier[1] und dort[2], nochmal hier[1].\n\n"
        "Links:\n[1] https://news.example/a\n[2] https://other.example/x"
    )


def test_relative_links_resolve_against_the_article_directory() -> None:
    text = html_to_text('<a href="bild.html">Bild</a>', BASE)
    assert text.endswith("[1] https://news.example/politik/bild.html")


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", " JavaScript:alert(1)", "java\nscript:alert(1)", "data:text/html,x",
     "vbscript:x", "#anchor", ""],
)
def test_dangerous_or_useless_links_are_dropped(href: str) -> None:
    text = html_to_text(f'<p>klick <a href="{href}">mich</a></p>', BASE)
    assert text == "klick mich"


def test_link_without_text_gets_no_number() -> None:
    assert html_to_text('<p>x<a href="https://a.example/"></a> y</p>') == "x y"


def test_link_number_keeps_following_space() -> None:
    assert html_to_text('<a href="https://a.example/">Link </a>Text') == (
        "Link[1] Text\n\nLinks:\n[1] https://a.example/"
    )


def test_mailto_links_are_kept() -> None:
    assert html_to_text('<a href="mailto:red@x.example">Mail</a>').endswith(
        "[1] mailto:red@x.example"
    )


def test_images_show_their_alt_text() -> None:
    html = '<p>Foto: <img src="a.jpg" alt="Kim  Jong\nUn"> und <img src="b.jpg"></p>'
    assert html_to_text(html) == "Foto: [image: Kim Jong Un] und [image]"


@pytest.mark.parametrize(
    "img",
    ['<img src="t.gif" width="1" height="1">', '<img src="t.gif" width="0">',
     '<img src="t.gif" height="1px" alt="pixel">',
     '<img src="t.gif" style="width:1px;height:1px">'],
)
def test_tracking_pixels_are_dropped(img: str) -> None:
    assert html_to_text(f"<p>Text{img}</p>") == "Text"


def test_invisible_elements_and_comments_are_dropped() -> None:
    html = (
        "<p>sichtbar</p><script>alert('x')</script><style>p{color:red}</style>"
        "<noscript>kein js</noscript><iframe src='x'>rahmen</iframe><template>vorlage</template>"
        "<!-- kommentar --><p hidden>versteckt</p><div style='display: none'>weg</div><p>ende</p>"
    )
    assert html_to_text(html) == "sichtbar\n\nende"


def test_entities_are_decoded_exactly_once() -> None:
    html = "<p>a &lt; b &amp;&amp; c &gt; d, Stra&szlig;e &#8364; &amp;lt;tag&amp;gt;</p>"
    assert html_to_text(html) == "a < b && c > d, Straße € &lt;tag&gt;"


def test_escaped_markup_is_shown_as_text_not_parsed() -> None:
    html = "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert html_to_text(html) == "<script>alert(1)</script>"


def test_plain_text_is_passed_through_with_whitespace_normalised() -> None:
    text = "  Erster   Satz.\nZweite Zeile.\n\n\n\nNeuer   Absatz &amp; mehr.  "
    assert html_to_text(text) == "Erster Satz.\nZweite Zeile.\n\nNeuer Absatz & mehr."


def test_plain_text_with_a_lone_less_than_sign() -> None:
    assert html_to_text("a < b and 3<4") == "a < b and 3<4"


def test_tables_become_rows_of_cells() -> None:
    html = (
        "<table><tr><th>Land</th><th>Soldaten</th></tr>"
        "<tr><td>Nordkorea</td><td>12.000</td></tr></table>"
    )
    assert html_to_text(html) == "Land | Soldaten\nNordkorea | 12.000"


def test_full_document_uses_the_body_only() -> None:
    html = (
        "<html><head><title>Kopf</title><meta charset=utf-8></head>"
        "<body><p>Rumpf</p></body></html>"
    )
    assert html_to_text(html) == "Rumpf"


@pytest.mark.parametrize(
    "html",
    [
        "<p>Titel\x1b]0;pwned\x07 ok</p>",
        "<p>Titel&#27;]0;pwned&#7; ok</p>",
        "<p>Titel\x1b[2J\x1b[31m ok</p>",
        "<p>Titel&#x9b;2J ok</p>",
    ],
)
def test_escape_sequences_never_survive(html: str) -> None:
    text = html_to_text(html)
    assert CONTROL.search(text) is None
    assert "pwned" not in text
    assert text.startswith("Titel") and text.endswith("ok")


def test_bidi_overrides_are_removed() -> None:
    assert html_to_text("<p>\u202eevil\u202c text</p>") == "evil text"


def test_link_targets_are_sanitised() -> None:
    text = html_to_text('<a href="https://x.example/\x1b[31m a">x</a>')
    assert text.endswith("[1] https://x.example/a")


def test_deeply_nested_inline_markup_does_not_exhaust_the_stack() -> None:
    depth = 20_000
    html = "<span><b>" * depth + "tief" + "</b></span>" * depth
    assert html_to_text(html) == "tief"


@pytest.mark.parametrize("opening", ["<div>", "<ul><li>", "<ol><li>", "<blockquote>", "<section>"])
def test_deeply_nested_blocks_are_cut_at_a_bounded_depth(opening: str) -> None:
    # HTML5 tree building is quadratic in block nesting; a hostile entry is cut instead.
    html = "<p>Vorher</p>" + (opening + "x") * 100_000
    text = html_to_text(html)
    assert text.startswith("Vorher\n\n")
    assert text.endswith("[…]")
    assert text.count("x") == MAX_BLOCK_NESTING


def test_many_shallow_blocks_are_not_cut() -> None:
    html = "<div><p>Absatz</p></div>" * 2000
    text = html_to_text(html)
    assert text.count("Absatz") == 2000
    assert not text.endswith("[…]")


def test_input_cut_never_leaves_half_a_tag() -> None:
    html = "<p>" + "x" * (MAX_HTML_CHARS - 10) + '<a href="https://a.example/very/long/link">'
    text = html_to_text(html)
    assert text.endswith("x\n\n[…]")
    assert "<" not in text


def test_huge_input_is_cut_before_parsing() -> None:
    html = "<p>" + "wort " * (MAX_HTML_CHARS // 5 + 1000) + "ENDE</p>"
    text = html_to_text(html)
    assert "ENDE" not in text
    assert len(text) <= MAX_TEXT_CHARS + 10
    assert text.endswith("[…]")


def test_output_is_bounded() -> None:
    html = "<p>" + "abcdefghi " * (MAX_TEXT_CHARS // 10 + 100) + "</p>"
    text = html_to_text(html)
    assert len(text) <= MAX_TEXT_CHARS + 10
    assert text.endswith("[…]")


def test_seed_articles_round_trip_as_paragraphs() -> None:
    for path in sorted((FIXTURES / "seeds").glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        paragraphs = [p.strip() for p in raw.split("\n\n") if p.strip()]
        html = "".join(f"<p>{p}</p>" for p in paragraphs)
        assert html_to_text(html) == "\n\n".join(" ".join(p.split()) for p in paragraphs)


def test_empty_and_whitespace_only() -> None:
    assert html_to_text("") == ""
    assert html_to_text("   \n ") == ""
    assert html_to_text("<p> </p><div></div>") == ""


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_safe_output(raw: str) -> None:
    text = html_to_text(raw, BASE)
    assert CONTROL.search(text) is None
    assert strip_controls(text) == text


tag_names = st.sampled_from(
    ["p", "div", "a", "b", "ul", "ol", "li", "blockquote", "pre", "br", "img", "script", "h2",
     "table", "tr", "td", "span", "iframe"]
)
fragments = st.one_of(
    st.text(max_size=20),
    st.builds(lambda t: f"<{t}>", tag_names),
    st.builds(lambda t: f"</{t}>", tag_names),
    st.builds(lambda h: f'<a href="{h}">', st.text(max_size=15)),
    st.builds(lambda a: f'<img alt="{a}" width="{len(a)}">', st.text(max_size=10)),
    st.sampled_from(["&amp;", "&lt;", "&#27;", "&#x9b;", "&#0;", "&nbsp;", "\x1b]0;x", "\x07"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(fragments, max_size=40).map("".join))
def test_any_markup_gives_safe_output(raw: str) -> None:
    text = html_to_text(raw, BASE)
    assert CONTROL.search(text) is None
    assert "\n\n\n" not in text
    assert text == text.strip("\n")


def test_plain_line_strips_tags_and_decodes_entities() -> None:
    assert html_to_plain_line("<b>Tom</b> &amp; <i>Jerry</i>\n  <br>spielen") == (
        "Tom & Jerry spielen"
    )
    assert html_to_plain_line("A &amp;amp; B") == "A &amp; B"
    assert html_to_plain_line('Hier <a href="https://x.example/">Link</a>') == "Hier Link"


def test_plain_line_drops_scripts_and_controls() -> None:
    assert html_to_plain_line("<script>x()</script>Titel\x1b]0;p\x07 \u202eA") == "Titel A"


def test_plain_line_is_bounded() -> None:
    line = html_to_plain_line("wort " * 100, max_len=30)
    assert len(line) == 30 and line.endswith("…")


@given(st.text(), st.integers(min_value=1, max_value=200))
def test_plain_line_is_always_one_safe_line(raw: str, max_len: int) -> None:
    line = html_to_plain_line(raw, max_len)
    assert "\n" not in line and len(line) <= max_len
    assert CONTROL.search(line) is None
