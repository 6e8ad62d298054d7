"""Speaker labels written in front of speech: ``ALICE:``, ``Dr. Jane Smith:``."""

from __future__ import annotations

import re

_LABEL = re.compile(r"([^\W\d_][\w.'’()-]*(?:[ \t][\w.'’()-]+){0,7}):(?:[ \t]+|$)")


def match_speaker_label(
    text: str, start: int, end: int, max_words: int = 4
) -> tuple[str, int] | None:
    """Return ``(name, speech_start)`` when ``text[start:end]`` opens with a speaker label.

    A label is one to ``max_words`` words, each starting with a capital letter (or a
    digit after the first word, as in ``SPEAKER 2``), followed by a colon.
    """
    match = _LABEL.match(text, start, end)
    if not match:
        return None
    name = match.group(1)
    words = name.split()
    if len(words) > max_words or not words[0][0].isupper():
        return None
    if not all(word[0].isupper() or word[0].isdigit() for word in words[1:]):
        return None
    return name, match.end()
