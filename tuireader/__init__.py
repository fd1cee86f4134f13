"""tuireader: a fast, keyboard-first terminal news reader.

The core (``store``, ``sync``, ``text``) imports without the TUI; only ``tuireader.ui`` imports
Textual.
"""

__version__ = "0.1.0"
