from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Fact-check matching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from library import signals
        from matching import actions, receivers  # noqa: F401  (actions registers)

        # New and changed fact-checks get their vectors (at once, or in the worker).
        signals.library_changed.connect(
            receivers.embed_changed, dispatch_uid="matching.embed_changed"
        )
