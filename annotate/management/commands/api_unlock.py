"""manage.py api_unlock [ADDRESS ...] — lift the API's lock on addresses with failed tokens."""

from django.core.management.base import BaseCommand

from common.api import authentication


class Command(BaseCommand):
    help = (
        "Forget the failed API authentications of ADDRESS (every address when none is "
        "given), so its requests are answered again at once instead of 429."
    )

    def add_arguments(self, parser):
        parser.add_argument("addresses", nargs="*", metavar="ADDRESS")

    def handle(self, *args, addresses, **options):
        authentication.unlock(addresses or None)
        self.stdout.write(f"unlocked {', '.join(addresses) if addresses else 'every address'}")
