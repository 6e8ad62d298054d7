"""manage.py sweep_exports [FOLDER...] — fail exports whose process died, remove their debris.

Every export runs this sweep first; run it when the worker starts (before
``db_worker``), so an export whose worker was killed is failed at once rather
than at the next export.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from annotate.datasets.service import exports_sweep


class Command(BaseCommand):
    help = (
        "Mark failed the running exports whose process is gone or silent, and remove the "
        "temporary .partial files killed exports left in CLAIMTRAIL_EXPORT_DIR and FOLDERs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "folders", nargs="*", type=Path, help="Other folders exports were written to."
        )

    def handle(self, *args, folders, **options):
        result = exports_sweep(folders=folders)
        for export_id in result.failed:
            self.stdout.write(f"marked failed: export {export_id} (its process is gone)")
        for path in result.removed:
            self.stdout.write(f"removed {path}")
        self.stdout.write(
            f"swept: {len(result.failed)} exports failed, {len(result.removed)} temporaries removed"
        )
