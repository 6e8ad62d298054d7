"""API tokens move to knox's hashed store: no role may touch tokens, no plaintext key stays.

Migration 0002 gave the Editor group view/add/delete on DRF's tokens, so every editor
could read every key in the admin and act as anyone. This takes every token permission
(DRF's authtoken and knox) away from the role groups.

The keys in DRF's table are revoked, not moved into the hashed store: knox could hash
them, but every one of them was readable by every editor, so each must be presumed
copied. Their holders get new ones with ``manage.py issue_token``. The table itself stays
(empty, never read): migration 0002 depends on DRF's authtoken migrations.

Reversing restores neither the permissions nor the keys.
"""

from django.db import migrations

TOKEN_APPS = ("authtoken", "knox")
ROLE_GROUPS = ("Annotator", "Reviewer", "Editor")


def remove_token_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    token_permissions = Permission.objects.filter(content_type__app_label__in=TOKEN_APPS)
    for group in Group.objects.filter(name__in=ROLE_GROUPS):
        group.permissions.remove(*token_permissions)


def revoke_plaintext_tokens(apps, schema_editor):
    apps.get_model("authtoken", "Token").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotate", "0006_export_liveness"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunPython(remove_token_permissions, migrations.RunPython.noop),
        migrations.RunPython(revoke_plaintext_tokens, migrations.RunPython.noop),
    ]
