"""bench/RESULTS.md: each benchmark owns one section between its two markers."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(name: str, title: str, lines: list[str]) -> None:
    """Put ``lines`` under ``## title`` between ``<!-- bench-name:start/end -->``,
    replacing that section when it is there, else adding it at the end."""
    start, end = f"<!-- bench-{name}:start -->", f"<!-- bench-{name}:end -->"
    text = RESULTS.read_text()
    section = "\n".join([start, f"## {title}", "", *lines, end])
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)
