"""manage.py ledger_key — create the seal signing key, or print its public half."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from archive import signing


class Command(BaseCommand):
    help = (
        "Print the public key that verifies the ledger's seals (keep a copy off this machine "
        "and pass it to verify_ledger --public-key), or --create the signing key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--create", action="store_true", help="create the signing key file")
        parser.add_argument(
            "--path", type=Path, help="the key file (default CLAIMTRAIL_LEDGER_SIGNING_KEY)"
        )

    def handle(self, *args, **options):
        path = options["path"] or settings.CLAIMTRAIL_LEDGER_SIGNING_KEY
        try:
            if options["create"]:
                public = signing.create_key(Path(path))
            else:
                public = signing.load_public_key(Path(path))
        except (OSError, signing.SigningError, ImproperlyConfigured) as error:
            raise CommandError(str(error)) from None
        self.stderr.write(f"key {signing.key_id(public)} ({path})")
        self.stdout.write(signing.public_pem(public), ending="")
