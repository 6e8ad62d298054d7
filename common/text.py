"""Text for people: one way to shorten a quote or a value for a message or a page."""

from __future__ import annotations

ELLIPSIS = "…"
# A cut between words may give back at most this share of the limit; past it (one
# long word, a URL, a hash) the text is cut inside the word instead.
_WORD_SLACK = 0.3


def shorten(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, otherwise its start, cut between
    words where one is near, with "…" at the end (``limit`` characters in all)."""
    if len(text) <= limit:
        return text
    # A space right after the last character kept (at limit - 1) ends a whole word too.
    space = max(text.rfind(blank, 0, limit) for blank in " \n\t")
    head = text[:space] if space >= limit * (1 - _WORD_SLACK) else text[: limit - 1]
    return head.rstrip(" \n\t,.;:") + ELLIPSIS
