"""Rebuild ``assets/demo/`` from the two seed articles in ``../shared/seeds/``.

Usage: ``python tools/build_demo.py [SEEDS_DIR]``. Nothing is invented: titles, rubric and
dates come from each seed's first line; where a seed has no title its first sentence is used.
Paragraphs become ``<p>``; short lines without a closing full stop are the outlet's subheadings
and become ``<h2>``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "assets" / "demo"
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class Seed:
    """One seed article as the demo feeds present it."""

    title: str
    rubric: str | None
    published: str  # RFC 822 for RSS or W3C-DTF for Atom
    paragraphs: list[str]


def read_paragraphs(path: Path) -> tuple[str, list[str]]:
    """The seed's metadata line and its paragraphs."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].strip()
    body = "\n".join(lines[1:])
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    return header, paragraphs


def is_subheading(paragraph: str) -> bool:
    """Outlets' subheadings: short, one line, not ending like a sentence."""
    return len(paragraph) <= 80 and "\n" not in paragraph and not paragraph.endswith((".", ":"))


def to_html(paragraphs: list[str]) -> str:
    """Paragraphs and subheadings as HTML."""
    parts = []
    for paragraph in paragraphs:
        tag = "h2" if is_subheading(paragraph) else "p"
        parts.append(f"<{tag}>{escape(paragraph, quote=False)}</{tag}>")
    return "\n".join(parts)


def tagesschau(path: Path) -> Seed:
    """The tagesschau seed: header 'date YYYY-MM <rubric> <title> Stand: DD.MM.YYYY HH:MM Uhr'."""
    header, paragraphs = read_paragraphs(path)
    match = re.search(r"Stand: (\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}) Uhr", header)
    assert match, header
    day, month, year, hour, minute = map(int, match.groups())
    stamp = datetime(year, month, day, hour, minute, tzinfo=BERLIN)
    words = header[: match.start()].split()[2:]  # drop "date YYYY-MM"
    # The header runs rubric and title together; tagesschau's rubric here is the dossier name.
    rubric_words = "Russlands Krieg gegen die Ukraine".split()
    assert words[: len(rubric_words)] == rubric_words, words
    title = " ".join(words[len(rubric_words) :])
    return Seed(title, " ".join(rubric_words), format_datetime(stamp), paragraphs)


def taz(path: Path) -> Seed:
    """The taz seed: header 'date YYYY-MM' then the text itself (no title)."""
    header, paragraphs = read_paragraphs(path)
    match = re.match(r"date (\d{4})-(\d{2}) (.*)", header, re.S)
    assert match, header
    year, month, first = match.groups()
    paragraphs.insert(0, first.strip())
    lead = re.sub(r"^Berlin taz \| ", "", first.strip())
    title = re.split(r"(?<=[.!?])\s", lead, maxsplit=1)[0]
    return Seed(title, None, f"{year}-{month}", paragraphs)


def rss(seed: Seed) -> str:
    """An RSS 2.0 feed with the tagesschau article as its one item."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>tagesschau (Demo)</title>
    <link>https://www.tagesschau.de/</link>
    <description>Demo feed built from a tagesschau article of 21 October 2024</description>
    <language>de</language>
    <item>
      <title>{escape(seed.title)}</title>
      <guid isPermaLink="false">tuireader-demo:tagesschau-2024-10-21-nordkorea-truppen</guid>
      <category>{escape(seed.rubric or "")}</category>
      <pubDate>{seed.published}</pubDate>
      <description>{escape(seed.paragraphs[0])}</description>
      <content:encoded><![CDATA[{to_html(seed.paragraphs)}]]></content:encoded>
    </item>
  </channel>
</rss>
"""


def atom(seed: Seed) -> str:
    """An Atom 1.0 feed with the taz article as its one entry."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
  <title>taz (Demo)</title>
  <link rel="alternate" href="https://taz.de/"/>
  <id>tuireader-demo:taz</id>
  <updated>{seed.published}</updated>
  <entry>
    <title>{escape(seed.title)}</title>
    <id>tuireader-demo:taz-2024-10-nordkorea-soldaten</id>
    <published>{seed.published}</published>
    <updated>{seed.published}</updated>
    <content type="html">{escape(to_html(seed.paragraphs))}</content>
  </entry>
</feed>
"""


def main() -> None:
    """Write both demo feeds."""
    seeds = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "seeds"
    DEMO.mkdir(parents=True, exist_ok=True)
    (DEMO / "tagesschau.xml").write_text(
        rss(tagesschau(seeds / "tagesschau-2024-10-21-nordkorea-truppen.txt")), encoding="utf-8"
    )
    (DEMO / "taz.xml").write_text(
        atom(taz(seeds / "taz-2024-10-nordkorea-soldaten.txt")), encoding="utf-8"
    )
    print(f"wrote {DEMO / 'tagesschau.xml'} and {DEMO / 'taz.xml'}")


if __name__ == "__main__":
    main()
