from django.apps import AppConfig


class AnnotateConfig(AppConfig):
    name = "annotate"
    verbose_name = "Annotations and review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from annotate import integrity, receivers
        from archive import evidence, signals

        # A transcript's next revision gets its annotations, in the import's transaction.
        signals.transcript_imported.connect(
            receivers.carry_to_revision, dispatch_uid="annotate.carry_to_revision"
        )

        # verify_ledger checks annotations and reviews against the ledger too.
        evidence.register(integrity.check_annotations)
        evidence.register(integrity.check_reviews)
