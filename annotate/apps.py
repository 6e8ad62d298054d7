from django.apps import AppConfig


class AnnotateConfig(AppConfig):
    name = "annotate"
    verbose_name = "Annotations and review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from annotate import integrity
        from archive import evidence

        # verify_ledger checks annotations and reviews against the ledger too.
        evidence.register(integrity.check_annotations)
        evidence.register(integrity.check_reviews)
