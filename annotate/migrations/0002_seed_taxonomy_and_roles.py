"""Seed the claim-type taxonomy and create the three role groups with their permissions.

Groups carry Django model permissions so the admin shows each role the pages it
needs; the workflow rules themselves are enforced by annotate.services.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TAXONOMY = [
    ("quantity", "Quantity", "Numbers, statistics, amounts.", True),
    ("event", "Event", "Something happened.", True),
    ("attribution", "Attribution", "Someone said or found something.", True),
    ("causal", "Causal", "One thing caused another.", True),
    ("prediction", "Prediction", "Something will happen.", True),
    ("law-policy", "Law or policy", "What a law, rule or policy says or does.", True),
    ("testimony", "Testimony", "A first-hand account.", True),
    ("opinion", "Opinion", "A judgement or belief; not checkable.", False),
    ("other", "Other", "Anything else.", True),
]

VIEW_ARCHIVE = [
    ("archive", "view_source"),
    ("archive", "view_transcript"),
    ("archive", "view_segment"),
    ("archive", "view_ledgerevent"),
    ("annotate", "view_claimtype"),
    ("annotate", "view_annotation"),
    ("annotate", "view_citation"),
    ("annotate", "view_review"),
]
PERMISSIONS = {
    "Annotator": VIEW_ARCHIVE
    + [
        ("annotate", "add_annotation"),
        ("annotate", "change_annotation"),
        ("annotate", "delete_annotation"),
        ("annotate", "add_citation"),
        ("annotate", "change_citation"),
        ("annotate", "delete_citation"),
    ],
    "Reviewer": VIEW_ARCHIVE
    + [
        ("annotate", "change_annotation"),
        ("annotate", "add_review"),
    ],
    "Editor": VIEW_ARCHIVE
    + [
        ("archive", "add_source"),
        ("annotate", "add_claimtype"),
        ("annotate", "change_claimtype"),
        ("annotate", "delete_claimtype"),
        ("annotate", "add_annotation"),
        ("annotate", "change_annotation"),
        ("annotate", "delete_annotation"),
        ("annotate", "add_citation"),
        ("annotate", "change_citation"),
        ("annotate", "delete_citation"),
        ("annotate", "add_review"),
        ("auth", "view_user"),
        ("auth", "add_user"),
        ("auth", "change_user"),
        ("auth", "view_group"),
        ("authtoken", "view_tokenproxy"),
        ("authtoken", "add_tokenproxy"),
        ("authtoken", "delete_tokenproxy"),
    ],
}


def seed(apps, schema_editor):
    ClaimType = apps.get_model("annotate", "ClaimType")
    for slug, name, description, checkable in TAXONOMY:
        ClaimType.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "checkable": checkable}
        )
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, codename in codenames:
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)


def unseed(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotate", "0001_initial"),
        ("archive", "0002_ledger_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
