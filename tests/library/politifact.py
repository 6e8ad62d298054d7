"""PolitiFact fact-checks of CheckThat! 2021 Task 2B as schema.org ClaimReview, for tests.

The data stays in ``../shared/claims/`` (research data, never copied into the project);
tests read a slice of it straight from the archive and skip when it is absent.
"""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from pathlib import Path

ARCHIVE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "claims"
    / "ct21-2b"
    / "politifact-vclaims.tar.gz"
)
SITE = "https://www.politifact.com"
_STATED = re.compile(r"stated on ([A-Z][a-z]+ \d{1,2}, \d{4})")
_PUBLISHED = re.compile(r"/factchecks/(\d{4})/([a-z]{3})/(\d{1,2})/")


def vclaims(limit: int | None = None) -> Iterator[dict]:
    """The archive's fact-checks as they are stored (``vclaim_id``, ``vclaim``, ``title``…)."""
    with tarfile.open(ARCHIVE) as archive:
        members = (
            member for member in archive if member.isfile() and member.name.endswith(".json")
        )
        for member in islice(members, limit):
            yield json.load(archive.extractfile(member))


def claim_review(vclaim: dict) -> dict:
    """One PolitiFact fact-check as the ClaimReview object a feed would publish."""
    url = vclaim["url"]
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url if url.startswith("http") else SITE + url,
        "identifier": vclaim["vclaim_id"],
        "claimReviewed": vclaim["vclaim"],
        "headline": vclaim.get("title") or "",
        "author": {"@type": "Organization", "name": "PolitiFact", "url": SITE},
        "inLanguage": "en",
        "reviewRating": {"@type": "Rating", "alternateName": vclaim.get("truth_label") or ""},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": vclaim.get("speaker") or ""},
        },
    }
    stated = _STATED.search(vclaim.get("date") or "")
    if stated:
        day = datetime.strptime(stated.group(1), "%B %d, %Y").date()
        review["itemReviewed"]["datePublished"] = day.isoformat()
    published = _PUBLISHED.search(url)
    if published:
        year, month, day = published.groups()
        review["datePublished"] = (
            datetime.strptime(f"{year} {month} {day}", "%Y %b %d").date().isoformat()
        )
    return review
