"""manage.py issue_token USERNAME — print the API token of a team member (creating it)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from annotate.roles import roles_of


class Command(BaseCommand):
    help = "Print the API token of USERNAME, creating one if needed (--rotate replaces it)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--rotate", action="store_true", help="Revoke the current token and issue a new one."
        )

    def handle(self, *args, username, rotate, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"no user named {username!r}") from None
        if not user.is_active:
            raise CommandError(f"{username} is inactive; activate the account first")
        if not roles_of(user):
            raise CommandError(
                f"{username} has no role (Annotator, Reviewer or Editor); the API would refuse "
                "every call. Add the user to a group first."
            )
        if rotate:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        if created:
            self.stderr.write(f"issued a new token for {username}")
        self.stdout.write(token.key)
