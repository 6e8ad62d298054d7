from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "Fact-check library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from annotate import signals
        from archive import evidence
        from library import actions, integrity, receivers  # noqa: F401  (actions registers)

        # The team's approved annotations join the library (after the approval commits).
        signals.annotation_approved.connect(
            receivers.join_approved_annotation, dispatch_uid="library.join_approved_annotation"
        )
        # verify_ledger checks the library against the ledger too.
        evidence.register(integrity.check_factchecks)
