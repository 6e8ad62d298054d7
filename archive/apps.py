from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archive (sources as received)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import privileges

        # Once per migrate, after every app's migrations (sent for each app: this one's).
        post_migrate.connect(privileges.grant_app_role, sender=self, dispatch_uid="archive.grants")
