"""Export a dataset package: ``manage.py export_dataset --format jsonl --out FILE [filters]``."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotate.datasets import exporters
from annotate.datasets.exporters.package import check_destination
from annotate.datasets.service import ExportError, export_dataset, parse_request, segment_count
from common.errors import DomainError


class Command(BaseCommand):
    help = (
        "Export annotated data as a dataset package (a folder, or a zip file when --out ends "
        "in .zip): the data file(s), the source documents and a Frictionless datapackage.json."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", required=True, help=f"One of: {', '.join(exporters.FORMATS)}."
        )
        parser.add_argument("--out", required=True, help="Package folder, or FILE.zip.")
        parser.add_argument(
            "--unit",
            choices=["segment", "annotation"],
            default="segment",
            help="jsonl only: one segment a line (default) or one annotation a line.",
        )
        parser.add_argument(
            "--status", action="append", default=[], help="Repeat or comma-separate."
        )
        parser.add_argument("--verdict", action="append", default=[])
        parser.add_argument("--claim-type", action="append", default=[], dest="claim_type")
        parser.add_argument("--transcript", action="append", default=[], help="Transcript id.")
        parser.add_argument(
            "--from", dest="date_from", help="Annotations changed on or after YYYY-MM-DD."
        )
        parser.add_argument(
            "--to", dest="date_to", help="Annotations changed on or before YYYY-MM-DD."
        )
        approved = parser.add_mutually_exclusive_group()
        approved.add_argument(
            "--approved-only",
            dest="approved_only",
            action="store_const",
            const=True,
            help="Only approved annotations (the default for claimreview).",
        )
        approved.add_argument(
            "--any-status",
            dest="approved_only",
            action="store_const",
            const=False,
            help="Do not restrict to approved annotations (claimreview).",
        )
        parser.add_argument("--actor", help="Username to record on the ledger (default: system).")
        parser.add_argument(
            "--base-url",
            help="Base URL for the ids in Web Annotation exports (ClaimReview links each "
            "fact-check under CLAIMTRAIL_PUBLIC_BASE_URL).",
        )
        parser.add_argument("--reason", default="")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, **options):
        filters = {
            "status": _split(options["status"]),
            "verdict": _split(options["verdict"]),
            "claim_type": _split(options["claim_type"]),
            "transcript": _split(options["transcript"]),
            "date_from": options["date_from"],
            "date_to": options["date_to"],
            "approved_only": options["approved_only"],
        }
        export_options = {"unit": options["unit"]}
        actor = _actor(options["actor"])
        try:
            request = parse_request(options["format"], filters, export_options)
            check_destination(Path(options["out"]))  # before the count and the progress bar
            total = segment_count(request)
            with tqdm(
                total=total, unit="segment", disable=options["no_progress"], file=self.stderr._out
            ) as bar:
                export = export_dataset(
                    actor=actor,
                    format=options["format"],
                    filters=filters,
                    options=export_options,
                    out=options["out"],
                    reason=options["reason"],
                    base_url=options["base_url"],
                    on_progress=bar.update,
                )
        except DomainError as error:
            raise CommandError(error.message) from None
        except ExportError as error:
            raise CommandError(str(error)) from None
        counts = ", ".join(
            f"{value} {key}" for key, value in export.counts.items() if key != "records"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Exported {options['format']} to {export.path}: {counts}")
        )
        self.stdout.write(f"sha256 {export.sha256}; ledger position {export.ledger_sequence}")


def _split(values: list[str]) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _actor(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
    if user is None:
        raise CommandError(f"no user named {username!r}")
    return user
