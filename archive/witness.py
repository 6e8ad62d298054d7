"""The witness: one line per seal, appended to a file the database cannot reach.

A signed seal proves a range of events was not rewritten, but it cannot prove it
is the newest one: whoever can write the database can delete the newest seals and
their events, or restore an older backup, and what is left still verifies. So each
seal's head (number, last event, hash, signature) is also appended, fsynced, to
``CLAIMTRAIL_LEDGER_WITNESS``, in the spirit of Certificate Transparency's signed
tree heads. ``verify_ledger --witness FILE`` then finds every witnessed seal in the
database, unchanged. ``seal_ledger`` prints the same line, for cron to ship off the
machine (a log host, an e-mail, a notary); any copy of those lines is a witness.

The file is only ever opened with ``O_APPEND``; on Linux ``chattr +a`` makes the
kernel refuse anything else, even to the app's own user.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FIELDS = ("number", "last_sequence", "events", "digest", "hash", "sealed_at", "key_id", "signature")


def configured_path() -> Path | None:
    path = getattr(settings, "CLAIMTRAIL_LEDGER_WITNESS", None)
    return Path(path) if path else None


def line_of(seal) -> str:
    """The seal's head as one JSON line (keys sorted, no spaces)."""
    head = {name: getattr(seal, name) for name in FIELDS}
    head["sealed_at"] = seal.sealed_at.isoformat()
    return json.dumps(head, sort_keys=True, separators=(",", ":"))


def record(seal, path: Path | None = None) -> None:
    """Append the seal's head to the witness file (when one is configured) and fsync it."""
    path = path or configured_path()
    if path is None:
        return
    data = (line_of(seal) + "\n").encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, data)  # one write with O_APPEND: concurrent sealers never interleave
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class WitnessedSeal:
    line: int
    number: int
    last_sequence: int
    hash: str


class WitnessError(ValueError):
    pass


def read(path: Path) -> list[WitnessedSeal]:
    """Every seal head in a witness file, in file order; a line that is not one is an error."""
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise WitnessError(f"cannot read the witness {path}: {error}") from None
    heads = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            head = json.loads(raw)
            heads.append(
                WitnessedSeal(
                    number, int(head["number"]), int(head["last_sequence"]), str(head["hash"])
                )
            )
        except (ValueError, KeyError, TypeError):
            raise WitnessError(f"{path} line {number} is not a seal head") from None
    return heads
