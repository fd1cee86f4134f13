"""Text processing: HTML to readable text, named entities, figures, actors (no TUI imports)."""
