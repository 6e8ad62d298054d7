"""``manage.py import_factchecks``: a summary line per file, exit codes, never a traceback."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from archive import ledger
from library.models import FactCheck
from tests.factories import make_annotation
from tests.library.conftest import as_json, as_jsonl, claim_review, data_feed

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_factchecks", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _fails(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failed:  # manage.py exits 1 and prints it, no traceback
        call_command("import_factchecks", *map(str, args), stdout=out, stderr=err)
    return err.getvalue(), str(failed.value)


def test_each_file_gets_one_summary_line(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_bytes(as_json(data_feed(claim_review(1), claim_review(2))))
    lines = tmp_path / "more.jsonl"
    lines.write_bytes(as_jsonl(claim_review(2), claim_review(3)))
    out, err = _run(feed, lines)
    assert out.splitlines() == [
        f"{feed} (jsonld): 2 created, 0 updated, 0 unchanged, 0 refused",
        f"{lines} (jsonl): 1 created, 0 updated, 1 unchanged, 0 refused",
    ]
    assert err == ""
    assert FactCheck.objects.count() == 3
    out, _ = _run(feed)
    assert out == f"{feed} (jsonld): 0 created, 0 updated, 2 unchanged, 0 refused\n"


def test_refused_records_are_named_on_the_summary_line_with_the_first_reasons(tmp_path):
    path = tmp_path / "f.jsonl"
    bad = [claim_review(n, url=None) for n in range(2, 7)]
    path.write_bytes(as_jsonl(claim_review(1), *bad))
    out, _ = _run(path)
    reason = "url is required (the fact-check's address)"
    assert out.splitlines()[0] == (
        f"{path} (jsonl): 1 created, 0 updated, 0 unchanged, 5 refused: line 2: {reason}; "
        f"line 3: {reason}; line 4: {reason}; and 2 more"
    )
    out, _ = _run(path, "--verbosity", 2)
    assert out.splitlines()[1:] == [f"  line {n}: {reason}" for n in range(2, 7)]


def test_strict_refuses_a_file_with_a_bad_record_and_exits_non_zero(tmp_path):
    good, mixed = tmp_path / "good.jsonl", tmp_path / "mixed.jsonl"
    good.write_bytes(as_jsonl(claim_review(1)))
    mixed.write_bytes(as_jsonl(claim_review(2), claim_review(3, claimReviewed=None)))
    err, message = _fails(good, mixed, "--strict")
    assert err.splitlines()[0] == (
        f"{mixed}: refused: 1 record cannot be imported, so none was (strict); first: line 2: "
        "claimReviewed is required (the claim the fact-check reviewed)"
    )
    assert message == "1 of 2 refused; nothing of those was imported"
    assert list(FactCheck.objects.values_list("url", flat=True)) == ["https://checks.example.org/1"]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b'[\n  {"url": }\n]', "error: not valid JSON: unexpected character"),
        (b"", "error: file is empty"),
        (b"\xff\xfe[\x00", "error: is UTF-16"),
        (as_json(data_feed()), "refused: it holds no fact-check"),
    ],
)
def test_a_file_that_cannot_be_read_gets_one_line_and_a_non_zero_exit(tmp_path, content, error):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    err, message = _fails(path)
    assert err.startswith(f"{path}: {error}")
    assert "Traceback" not in err
    assert message == "1 of 1 refused; nothing of those was imported"
    assert not FactCheck.objects.exists()


def test_malformed_json_names_its_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_bytes(b'{\n  "@type": "ClaimReview",\n  "url" "https://x.org"\n}')
    err, _ = _fails(path)
    assert err.rstrip().endswith("at line 3, column 9")


def test_a_missing_file_or_a_directory_is_refused_without_a_traceback(tmp_path):
    err, message = _fails(tmp_path / "nope.json", tmp_path)
    lines = err.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'nope.json'}: error: [Errno 2] No such file")
    assert lines[1] == f"{tmp_path}: error: is a directory, not a file"
    assert message == "2 of 2 refused; nothing of those was imported"


def test_a_document_over_the_bound_is_refused(tmp_path, settings):
    settings.CLAIMTRAIL_LIBRARY_MAX_DOCUMENT_BYTES = 500
    path = tmp_path / "big.json"
    path.write_bytes(as_json([claim_review(n) for n in range(5)]))
    err, _ = _fails(path)
    assert "a JSON document may have at most 500 bytes" in err
    lines = tmp_path / "big.jsonl"  # JSONL is streamed: no such bound
    lines.write_bytes(as_jsonl(*(claim_review(n) for n in range(5))))
    out, _ = _run(lines)
    assert "5 created" in out


def test_user_origin_and_reason_are_recorded(tmp_path, editor):
    path = tmp_path / "f.json"
    path.write_bytes(as_json(claim_review()))
    _run(path, "--user", editor.username, "--origin", "Data Commons feed", "--reason", "backfill")
    factcheck = FactCheck.objects.get()
    assert factcheck.origin == "Data Commons feed"
    event = ledger.history(factcheck).get()
    assert (event.actor_id, event.reason) == (editor.pk, "backfill")


def test_an_unknown_user_or_the_reserved_origin_is_refused(tmp_path):
    path = tmp_path / "f.json"
    path.write_bytes(as_json(claim_review()))
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        _run(path, "--user", "ghost")
    err, _ = _fails(path, "--origin", "claimtrail")
    assert "reserved for the team's own approved annotations" in err
    with pytest.raises(CommandError, match="name at least one FILE"):
        _run()


def test_approved_annotations_can_be_caught_up(annotator, reviewer, segment):
    from annotate import services

    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="true")
    annotation = services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )
    services.annotation_approve(
        actor=reviewer, annotation=annotation, expected_version=annotation.version
    )
    out, _ = _run("--approved-annotations")
    assert out == "approved annotations: 1 created, 0 updated, 0 unchanged, 0 refused\n"
    assert FactCheck.objects.get().origin == "claimtrail"
