from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Fact-check matching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from matching import actions  # noqa: F401  (registers the ledger actions)
