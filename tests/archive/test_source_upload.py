"""Uploads on behalf of a person (the admin's form, the API): who may import, and how big."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archive import ledger
from archive.importers.base import DocumentError
from archive.models import Source
from archive.services import source_upload
from common.errors import NotAllowed
from tests.conftest import SAMPLE


def _upload(data: bytes = b"", name: str = "hearing.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or SAMPLE.read_bytes(), content_type="text/plain")


@pytest.mark.django_db
def test_an_editor_uploads_and_is_recorded_as_the_importer(editor):
    result = source_upload(actor=editor, upload=_upload(), filename="hearing.txt")
    assert result.created and result.source.imported_by == editor
    (event,) = ledger.history(result.source)
    assert event.actor == editor


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["annotator", "reviewer", "outsider"])
def test_only_editors_may_upload_and_a_refusal_stores_nothing(request, role):
    user = request.getfixturevalue(role)
    with pytest.raises(NotAllowed, match="only an editor may import sources"):
        source_upload(actor=user, upload=_upload(), filename="hearing.txt")
    assert Source.objects.count() == 0
    assert ledger.count() == 0


@pytest.mark.django_db
def test_an_inactive_editor_may_not_upload(editor):
    editor.is_active = False
    with pytest.raises(NotAllowed):
        source_upload(actor=editor, upload=_upload(), filename="hearing.txt")
    assert Source.objects.count() == 0


@pytest.mark.django_db
def test_the_permission_is_checked_before_the_size(annotator, settings):
    settings.CLAIMTRAIL_IMPORT_MAX_BYTES = 10
    with pytest.raises(NotAllowed):
        source_upload(actor=annotator, upload=_upload(), filename="hearing.txt")


@pytest.mark.django_db
def test_an_upload_over_the_limit_is_refused_by_its_size(editor, settings):
    settings.CLAIMTRAIL_IMPORT_MAX_BYTES = 100
    with pytest.raises(DocumentError, match="over the .* limit"):
        source_upload(actor=editor, upload=_upload(), filename="hearing.txt")
    assert Source.objects.count() == 0


def test_the_default_import_limit_is_the_20_mb_the_readme_names():
    from archive.services import check_import_size
    from common.errors import DocumentTooLarge

    with pytest.raises(DocumentTooLarge, match=r"^file is 25 MB, over the import limit of 20 MB$"):
        check_import_size(25_000_000)
