"""import_transcript and verify_ledger as a user runs them: a real subprocess, real exit codes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from archive.models import Source
from tests.conftest import REPO, SAMPLE, SEED


def _run(*args, tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    env["DJANGO_SETTINGS_MODULE"] = "workbench.settings.test"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True
    )


def test_cli_imports_reports_and_refuses_without_traceback(tmp_path):
    assert _run("migrate", "-v0", tmp_path=tmp_path).returncode == 0
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("0900: Paris: Ana\n\nUn caf\u00e9.\n".encode("latin-1"))
    result = _run("import_transcript", str(SEED), str(bad), tmp_path=tmp_path)
    assert result.returncode == 1
    assert "30 segments" in result.stdout and "dropped page furniture" in result.stdout
    assert "latin1.txt: error: not valid UTF-8 at byte offset 24" in result.stderr
    assert "Traceback" not in result.stderr
    again = _run("import_transcript", str(SEED), tmp_path=tmp_path)
    assert again.returncode == 0 and "already imported" in again.stdout
    verified = _run("verify_ledger", tmp_path=tmp_path)
    assert verified.returncode == 0 and "ledger ok: 1 events" in verified.stdout


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (b"plain words without any structure", "detect the format"),
    ],
)
def test_bad_files_exit_non_zero_and_store_nothing(tmp_path, capsys, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError):
        call_command("import_transcript", str(path))
    assert message in capsys.readouterr().err
    assert Source.objects.count() == 0


@pytest.mark.django_db
def test_the_command_words_the_way_out_with_its_own_flags(tmp_path, capsys):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("0900: Paris: Ana\n\nUn caf\u00e9.\n".encode("latin-1"))
    prose = tmp_path / "prose.txt"
    prose.write_bytes(b"Just some prose.\nNothing else.\n")
    with pytest.raises(CommandError):
        call_command("import_transcript", str(latin1), str(prose))
    err = capsys.readouterr().err
    assert "latin1.txt: error: not valid UTF-8 at byte offset 24; pass --encoding" in err
    assert "prose.txt: error: could not detect the format; use --format (liveblog, srt" in err


@pytest.mark.django_db
def test_unknown_format_and_missing_file(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_transcript", str(tmp_path / "missing.txt"))
    assert "No such file" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("import_transcript", str(SAMPLE), "--format", "srt")
    assert Source.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["directory", "pipe", "device"])
def test_what_is_not_a_regular_file_is_refused_without_reading_it(tmp_path, capsys, kind):
    path = {"directory": tmp_path, "pipe": tmp_path / "fifo", "device": Path("/dev/zero")}[kind]
    if kind == "pipe":
        os.mkfifo(path)  # with no writer, opening it would wait for ever
    with pytest.raises(CommandError):
        call_command("import_transcript", str(path))
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: error: ")
    assert Source.objects.count() == 0


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_by_its_size(tmp_path, capsys, settings):
    settings.CLAIMTRAIL_IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(30_000_000)  # sparse: its size, not its bytes, says it is too big
    with pytest.raises(CommandError):
        call_command("import_transcript", str(path))
    assert "file is 30 MB, over the import limit of 1 kB" in capsys.readouterr().err
    assert Source.objects.count() == 0


@pytest.mark.django_db
def test_a_file_name_that_is_not_utf8_is_stored_and_printed_readably(tmp_path, capsys):
    path = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.txt"))
    path.write_bytes(Path(SAMPLE).read_bytes())
    call_command("import_transcript", str(path), "--reason", os.fsdecode(b"r\xe9ason"))
    assert "caf\ufffd.txt: transcript" in capsys.readouterr().out
    source = Source.objects.get()
    assert source.filename == "caf\ufffd.txt"


@pytest.mark.django_db
def test_demo_is_idempotent(capsys):
    call_command("demo")
    first = capsys.readouterr().out
    assert first.count("password: ") == 3
    call_command("demo")
    second = capsys.readouterr().out
    assert "password: " not in second and "already imported" in second
    from django.contrib.auth import get_user_model

    from annotate.models import Annotation

    users = get_user_model().objects.filter(username__in=["annotator", "reviewer", "editor"])
    assert {u.groups.get().name for u in users} == {"Annotator", "Reviewer", "Editor"}
    assert Source.objects.count() == 1
    assert Annotation.objects.count() == 2


def _frame(out: str) -> tuple[list[str], list[str]]:
    """The output before the framed block that ends it, and the lines inside the frame."""
    lines = out.rstrip("\n").splitlines()
    border = lines[-1]
    assert border.startswith("+-") and set(border) == {"+", "-"}, "the output ends with a frame"
    top = len(lines) - 2 - lines[-2::-1].index(border)
    inside = lines[top + 1 : -1]
    assert inside and all(
        line.startswith("| ") and line.endswith(" |") and len(line) == len(border)
        for line in inside
    )
    return lines[:top], inside


@pytest.mark.django_db
def test_demo_prints_the_passwords_last_in_a_frame(capsys, monkeypatch):
    monkeypatch.delenv("CLAIMTRAIL_DEMO_PASSWORD", raising=False)
    call_command("demo")
    before, inside = _frame(capsys.readouterr().out)
    assert "sample transcript imported" in "\n".join(before)
    assert not any("password" in line for line in before)
    for username in ("annotator", "reviewer", "editor"):
        assert sum(username in line and "password: " in line for line in inside) == 1
    call_command("demo")
    before, inside = _frame(capsys.readouterr().out)
    assert "already imported" in "\n".join(before)
    assert not any("password: " in line for line in inside)
    for username in ("annotator", "reviewer", "editor"):
        assert sum(line.startswith(f"| {username} ") and "exists" in line for line in inside) == 1
    assert sum(".venv/bin/python manage.py changepassword <user>" in line for line in inside) == 1


def test_sample_fixture_is_our_own():
    assert Path(SAMPLE).read_text().count("\n\n") > 12


def test_the_event_date_given_on_the_command_line_is_the_transcripts(tmp_path, db):
    from django.core.management import call_command

    from archive.models import Transcript

    path = tmp_path / "hearing.txt"
    path.write_text(
        "Sample hearing\n\n0900: Town: Ms. Ada Example\n\nThe town spent 4.2 million.\n"
    )
    call_command("import_transcript", str(path), "--event-date", "2017-08-22")
    assert str(Transcript.objects.get().event_date) == "2017-08-22"


def test_a_malformed_event_date_is_refused_before_anything_is_read(tmp_path, db):
    import pytest
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from archive.models import Transcript

    path = tmp_path / "hearing.txt"
    path.write_text("Sample hearing\n\n0900: Town: Ms. Ada Example\n\nWords.\n")
    with pytest.raises((CommandError, SystemExit)):
        call_command("import_transcript", str(path), "--event-date", "22/08/2017")
    assert not Transcript.objects.exists()
