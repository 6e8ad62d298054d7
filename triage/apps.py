from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Claim triage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from archive import signals
        from triage import actions, receivers  # noqa: F401  (actions registers its enum)

        # A new transcript's sentences are split and scored inside its import.
        signals.transcript_imported.connect(
            receivers.score_imported_transcript, dispatch_uid="triage.score_imported_transcript"
        )
