"""manage.py issue_token USERNAME — issue an API token for a team member and print it once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotate import accounts
from common.errors import DomainError
from common.roles import roles_of


def _user(username: str):
    User = get_user_model()
    try:
        return User.objects.get_by_natural_key(username)
    except User.DoesNotExist:
        raise CommandError(f"no user named {username!r}") from None


class Command(BaseCommand):
    help = (
        "Issue a new API token for USERNAME and print its key (shown this once: only a "
        "digest is stored). --rotate revokes the user's other tokens first."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--rotate", action="store_true", help="Revoke the user's other tokens first."
        )
        parser.add_argument(
            "--actor",
            help="Username to record on the ledger: the user themself or a superuser "
            "(default: system, an operator at this console).",
        )
        parser.add_argument("--reason", default="", help="Why, for the ledger.")

    def handle(self, *args, username, rotate, actor, reason, **options):
        user = _user(username)
        if user.is_active and not roles_of(user):
            raise CommandError(
                f"{username} has no role (Annotator, Reviewer or Editor); the API would refuse "
                "every call. Add the user to a group first."
            )
        try:
            token, key = accounts.token_issue(
                actor=_user(actor) if actor else None, user=user, rotate=rotate, reason=reason
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        expiry = token.expiry.strftime("%Y-%m-%d %H:%M UTC")
        self.stderr.write(f"issued a new token for {username}, valid until {expiry}")
        self.stdout.write(key)
