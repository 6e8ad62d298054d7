"""manage.py demo — the sample transcript, the three demo users and a few annotations.

Safe to run again: it reuses what exists and duplicates nothing. The users' passwords
come last, in a frame, so they stay easy to find above the server's own output.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from annotate import services
from annotate.datasets import exporters
from annotate.datasets import service as datasets
from annotate.models import Annotation
from archive import ledger
from archive.services import source_import
from common.errors import NotConfigured
from common.roles import Role

SAMPLE = Path(settings.BASE_DIR) / "fixtures" / "sample_liveblog.txt"
DEMO_USERS = (("annotator", Role.ANNOTATOR), ("reviewer", Role.REVIEWER), ("editor", Role.EDITOR))
# (words to find in a segment, claim type, claim restated, verdict, submit it?)
SAMPLE_CLAIMS = (
    (
        "4.2 percent",
        "quantity",
        "The 2026 draft budget is 4.2% larger than the adopted 2025 budget.",
        "mostly-true",
        True,
    ),
    (
        "According to the 2024 audit",
        "attribution",
        "The 2024 audit found the council ended 2024 with a 1.8 million euro surplus.",
        "",
        False,
    ),
)


class Command(BaseCommand):
    help = "Create the demo users, import the sample transcript and add sample annotations."

    def handle(self, *args, **options):
        users, logins = self._users()
        result = source_import(
            data=SAMPLE.read_bytes(), actor=users["editor"], filename=SAMPLE.name
        )
        verb = "imported" if result.created else "already imported"
        self.stdout.write(
            f"sample transcript {verb}: {result.transcript.title} ({result.segment_count} segments)"
        )
        self._sample_annotations(result.transcript, users)
        ledger.seal()  # the History pages then show the sample's events as sealed
        self.stdout.write(_publisher_line())
        self.stdout.write(_framed(["Demo users (log in at /admin/):", "", *logins]))

    def _users(self):
        """The demo users, and the lines to show last: each one's password if it was
        created now, else that it exists (only a hash is stored), and then how to set a
        new password."""
        User = get_user_model()
        users, logins, existing = {}, [], False
        fixed_password = os.environ.get("CLAIMTRAIL_DEMO_PASSWORD")
        width = max(len(username) for username, _ in DEMO_USERS)
        for username, role in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            label = f"{username:<{width}}  {role.value:<9}"
            if user is None:
                password = fixed_password or secrets.token_urlsafe(9)
                user = User.objects.create_user(
                    username=username,
                    password=password,
                    email=f"{username}@example.org",
                    is_staff=True,
                )
                self.stdout.write(f"created user {username!r} ({role.value})")
                logins.append(f"{label}  password: {password}")
            else:
                existing = True
                logins.append(f"{label}  exists (its password was shown when it was created)")
            user.groups.add(Group.objects.get(name=role.value))
            users[username] = user
        if existing:
            logins += ["", "Set a new one with .venv/bin/python manage.py changepassword <user>"]
        return users, logins

    @transaction.atomic
    def _sample_annotations(self, transcript, users):
        if Annotation.objects.filter(segment__transcript=transcript).exists():
            return
        segments = list(transcript.segments.order_by("ordinal"))
        annotator = users["annotator"]
        for words, claim_type, claim_text, verdict, submit in SAMPLE_CLAIMS:
            segment = next((s for s in segments if words in s.text), None)
            if segment is None:
                continue
            start = _sentence_start(segment.text, segment.text.index(words))
            end = _sentence_end(segment.text, start)
            annotation = services.annotation_create(
                actor=annotator,
                segment=segment,
                start=start,
                end=end,
                claim_type=claim_type,
                claim_text=claim_text,
                verdict=verdict,
                citations=[
                    {
                        "url": "https://example.org/reports/annual-audit",
                        "title": "Annual audit (sample citation)",
                        "publisher": "Example Audit Office",
                        "stance": "supports",
                    }
                ],
                reason="demo data",
            )
            if submit:
                services.annotation_submit(
                    actor=annotator, annotation=annotation, expected_version=annotation.version
                )
        self.stdout.write("sample annotations created")


def _publisher_line() -> str:
    """Who ClaimReview exports name as their publisher here, or what they still need."""
    try:
        publication = datasets.publication(exporters.get("claimreview"))
    except NotConfigured as error:
        return f"ClaimReview exports: {error.message}"
    publisher, base = publication["publisher"], publication["public_base_url"]
    return (
        f"ClaimReview exports: publisher {publisher['name']} <{publisher['url']}>, "
        f"fact-checks at {base.rstrip('/')}/<id> (README, Settings)"
    )


def _framed(lines: list[str]) -> str:
    """``lines`` in an ASCII frame, set off by a blank line before it."""
    width = max(len(line) for line in lines)
    border = "+" + "-" * (width + 2) + "+"
    return "\n".join(["", border, *(f"| {line:<{width}} |" for line in lines), border])


def _sentence_start(text: str, index: int) -> int:
    cut = max(text.rfind(". ", 0, index), text.rfind("\n", 0, index))
    return cut + 2 if text[cut : cut + 2] == ". " else cut + 1


def _sentence_end(text: str, start: int) -> int:
    cut = text.find(". ", start)
    return len(text) if cut == -1 else cut + 1
