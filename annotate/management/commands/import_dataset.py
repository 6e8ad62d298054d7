"""Restore a JSONL dataset package: ``manage.py import_dataset PACKAGE``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotate.datasets.restore import dataset_import
from common.errors import DomainError


class Command(BaseCommand):
    help = (
        "Restore a JSONL dataset package (folder or zip) written by export_dataset: sources "
        "byte for byte, segments, annotations, citations and reviews with their UUIDs. "
        "A package whose files do not match its manifest is refused before anything is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("package", help="Package folder or zip file.")
        parser.add_argument("--actor", help="Username to record on the ledger (default: system).")
        parser.add_argument("--reason", default="")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        actor = None
        if options["actor"]:
            model = get_user_model()
            actor = model.objects.filter(**{model.USERNAME_FIELD: options["actor"]}).first()
            if actor is None:
                raise CommandError(f"no user named {options['actor']!r}")
        try:
            with tqdm(unit="segment", disable=options["no_progress"], file=self.stderr._out) as bar:
                result = dataset_import(
                    path=options["package"],
                    actor=actor,
                    reason=options["reason"],
                    on_progress=bar.update,
                )
        except DomainError as error:
            raise CommandError(error.message) from None
        except OSError as error:
            raise CommandError(
                f"cannot read {options['package']}: {error.strerror or error}"
            ) from None
        counts = result.as_dict()
        created = counts.pop("users_created")
        summary = ", ".join(f"{value} {key}" for key, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Restored {summary}"))
        if created:
            self.stdout.write(f"Created inactive users: {', '.join(created)}")
