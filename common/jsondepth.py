"""JSON parsing with a bound on how deep arrays and objects nest.

Python's json module recurses once per level, so untrusted text nested 100,000
deep raises RecursionError (which no caller expects), and a few hundred levels that
do parse break orjson (255 levels) and ``repr`` later on. :func:`loads` measures
the nesting first, without recursion, and refuses what is deeper than asked.

The measure runs at C speed, with no Python step per character: escapes are cut
out, then everything but quotes and brackets, then what lies between quotes (its
brackets are text); the running depth of the brackets left is summed by
``itertools``. Text with no more brackets than the limit cannot be too deep and is
not measured at all, which is every body a client of this API normally sends.
"""

from __future__ import annotations

import json
from array import array
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64

_QUOTES_AND_BRACKETS = b'"[]{}'
_EVERYTHING_ELSE = bytes(byte for byte in range(256) if byte not in _QUOTES_AND_BRACKETS)
# As signed bytes: an opening bracket +1, a closing one -1.
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


class TooDeep(ValueError):
    """The JSON nests deeper than allowed (a ValueError, as json's own errors are)."""

    def __init__(self, depth: int, max_depth: int):
        super().__init__(f"the JSON is nested {depth} levels deep; at most {max_depth} are allowed")
        self.depth = depth
        self.max_depth = max_depth


def nesting_depth(text: str | bytes) -> int:
    """How deep arrays and objects nest in JSON ``text``; brackets in strings don't count.

    For valid JSON this is exact. For invalid JSON it is at least the depth json's
    parser reaches before it fails: both read the same strings up to the error.
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    # Escaped backslashes first (a run of them pairs off from the left, as JSON reads
    # it), then escaped quotes; no backslash left can then hide a quote.
    data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    data = data.translate(None, _EVERYTHING_ELSE)
    # Quotes now open and close strings in turn: every other piece is outside them.
    outside = b"".join(data.split(b'"')[::2])
    return max(accumulate(array("b", outside.translate(_STEPS))), default=0)


def check_depth(text: str, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise :class:`TooDeep` when ``text`` nests deeper than ``max_depth``."""
    if text.count("[") + text.count("{") <= max_depth:
        return
    depth = nesting_depth(text)
    if depth > max_depth:
        raise TooDeep(depth, max_depth)


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, **kwargs: Any) -> Any:
    """``json.loads(text, **kwargs)``, refusing nesting deeper than ``max_depth``.

    Bytes are read as UTF-8. Raises :class:`TooDeep` or json's own
    ``JSONDecodeError``, both ValueErrors.
    """
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8")
    check_depth(text, max_depth=max_depth)
    return json.loads(text, **kwargs)
