"""Shared fixtures: users in each role, an imported transcript, annotation factories."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from common.roles import Role
from tests import dbroles
from tests.factories import UserFactory, make_transcript

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seeds" / "000_59dbd672810bc89e.txt"
SAMPLE = REPO / "fixtures" / "sample_liveblog.txt"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Create and migrate the test database as the owner (DATABASE_OWNER_URL), if given."""
    owner = dbroles.owner_credentials()
    if owner:
        app = dbroles.current_credentials()
        _APP_CREDENTIALS.update(app)
        dbroles.use_credentials(owner)


_APP_CREDENTIALS: dict = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Then run every test as the app role, which owns nothing (tests/dbroles.py)."""
    if not _APP_CREDENTIALS or _APP_CREDENTIALS["USER"] == dbroles.current_credentials()["USER"]:
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    with django_db_blocker.unblock():
        dbroles.install_test_backdoor(_APP_CREDENTIALS["USER"])
    owner = dbroles.current_credentials()
    dbroles.use_credentials(_APP_CREDENTIALS)
    original_flush = DatabaseOperations.execute_sql_flush
    DatabaseOperations.execute_sql_flush = dbroles.flush_as_owner
    yield
    DatabaseOperations.execute_sql_flush = original_flush
    with django_db_blocker.unblock():
        dbroles.use_credentials(owner)  # the owner drops the test database


def _user(username: str, *roles: Role):
    user = UserFactory(username=username)
    user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
    return user


@pytest.fixture
def annotator(db):
    return _user("ann", Role.ANNOTATOR)


@pytest.fixture
def annotator2(db):
    return _user("ann2", Role.ANNOTATOR)


@pytest.fixture
def reviewer(db):
    return _user("rev", Role.REVIEWER)


@pytest.fixture
def reviewer2(db):
    return _user("rev2", Role.REVIEWER)


@pytest.fixture
def editor(db):
    return _user("ed", Role.EDITOR)


@pytest.fixture
def outsider(db):
    return _user("nobody")


@pytest.fixture
def transcript(db):
    return make_transcript()


@pytest.fixture
def segment(transcript):
    return transcript.segments.order_by("ordinal").first()


@pytest.fixture
def reseeded(transactional_db):
    """Transactional tests end with a flush, which also empties what the data migration
    seeded; put the taxonomy and the role groups back (the same lists it uses)."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    from annotate.models import ClaimType

    seed = importlib.import_module("annotate.migrations.0002_seed_taxonomy_and_roles")
    for slug, name, description, checkable in seed.TAXONOMY:
        ClaimType.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "checkable": checkable}
        )
    for group_name, codenames in seed.PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, codename in codenames:
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
    # ...less what a later migration took away again (no role may touch tokens).
    from django.apps import apps

    tokens = importlib.import_module("annotate.migrations.0007_token_store")
    tokens.remove_token_permissions(apps, None)


@pytest.fixture(autouse=True)
def _forget_auth_failures():
    """Each test starts with no failed API authentications counted against any address
    (the counts live in this process's memory for the whole run)."""
    from common.api.authentication import unlock

    unlock()
