"""Project shape: docker-compose.yml is a real production stack, settings are safe to deploy."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def _compose():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_has_postgres_with_volume_and_healthcheck():
    db = _compose()["services"]["db"]
    assert db["image"].startswith("postgres:16")
    assert any(v.startswith("pgdata:") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "pgdata" in _compose()["volumes"]


def test_compose_web_runs_gunicorn_after_migrate_and_waits_for_db():
    web = _compose()["services"]["web"]
    command = web["command"]
    assert command.index("migrate") < command.index("gunicorn")
    assert "-c workbench/gunicorn.py" in command  # threaded workers, keep-alive, preload
    assert (REPO / "workbench" / "gunicorn.py").is_file()
    assert web["ports"][0].endswith(":8000")
    assert web["depends_on"]["db"]["condition"] == "service_healthy"


def test_gunicorn_freezes_the_preloaded_app_before_forking():
    """Workers' full garbage collections must not walk the app loaded in the master."""
    script = (
        "import gc, runpy\n"
        "config = runpy.run_path('workbench/gunicorn.py')\n"
        "assert config['preload_app'] is True\n"
        "before = gc.get_freeze_count()\n"
        "config['when_ready'](None)\n"
        "print(before, gc.get_freeze_count())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    before, after = map(int, result.stdout.split())
    assert after > before + 1000  # everything imported so far, not a few objects


def test_compose_configures_everything_by_environment():
    for name in ("web", "worker"):
        env = _compose()["services"][name]["environment"]
        for key in ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"):
            assert key in env
        assert env["DJANGO_SETTINGS_MODULE"] == "workbench.settings.production"
        assert "${SECRET_KEY" in env["SECRET_KEY"]


def test_compose_worker_runs_the_task_worker():
    assert "db_worker" in _compose()["services"]["worker"]["command"]


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="workbench.settings.production",
        SECRET_KEY="k" * 30 + "-Zq8!mP2x#vL9@wR4tY7^uI1&oE5*aS3",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        CLAIMTRAIL_LEDGER_SIGNING_KEY=str(_signing_key(tmp_path)),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def _signing_key(tmp_path):
    key = tmp_path / "ledger-signing-key.pem"
    created = _manage("ledger_key", "--create", "--path", str(key))
    assert created.returncode == 0, created.stderr
    return key


def test_production_check_deploy_requires_the_signing_key(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        DJANGO_SETTINGS_MODULE="workbench.settings.production",
        SECRET_KEY="k" * 30 + "-Zq8!mP2x#vL9@wR4tY7^uI1&oE5*aS3",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        CLAIMTRAIL_LEDGER_SIGNING_KEY=str(tmp_path / "missing.pem"),
    )
    assert result.returncode != 0
    assert "archive.E001" in result.stderr and "ledger_key --create" in result.stderr


def test_compose_migrates_as_the_owner_and_runs_as_the_app_role():
    services = _compose()["services"]
    assert "migrate" in services["migrate"]["command"]
    assert "${POSTGRES_USER" in services["migrate"]["environment"]["DATABASE_URL"]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://claimtrail_app:")
        assert "POSTGRES_PASSWORD" not in str(env)
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    init = services["db"]["volumes"][1].split(":")[0]
    assert (REPO / init).is_file()


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env={**env, "DJANGO_SETTINGS_MODULE": "workbench.settings.production"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def _make(*args, venv):
    """What ``make`` would run (``-n``: nothing is run), with ``venv`` as the virtualenv."""
    result = subprocess.run(
        ["make", "-n", *args, f"VENV={venv}", "PYTHON=python3"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "pip install" in line]


def _installed(venv, *stamps):
    """A virtualenv that ``make`` finds already there, with these install stamps."""
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    for stamp in stamps:
        (venv / stamp).touch()


def test_make_demo_installs_the_runtime_and_make_test_the_test_extras(tmp_path):
    fresh = tmp_path / "fresh"
    demo = _make("demo", venv=fresh)
    assert any(line.endswith("pip install --quiet -e .") for line in demo), demo
    assert not any("[test]" in line for line in demo), demo
    test = _make("test", venv=fresh)
    assert any(line.endswith("pip install --quiet -e '.[test]'") for line in test), test


def test_make_test_after_make_demo_installs_the_test_extras(tmp_path):
    venv = tmp_path / "venv"
    _installed(venv, ".installed-run")
    assert _make("demo", venv=venv) == []
    assert any("[test]" in line for line in _make("test", venv=venv))
    _installed(tmp_path / "both", ".installed-run", ".installed-test")
    assert _make("test", venv=tmp_path / "both") == []
    assert _make("demo", venv=tmp_path / "both") == []


def test_local_settings_have_demo_publisher_values_only_while_debug_is_on():
    script = (
        "from django.conf import settings as s; "
        "print(s.CLAIMTRAIL_PUBLISHER['name'] or '-', s.CLAIMTRAIL_PUBLIC_BASE_URL or '-', sep='|')"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMTRAIL_PUBLI")}
    common = {**env, "DJANGO_SETTINGS_MODULE": "workbench.settings.local"}

    def shell(**extra):
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
            cwd=REPO,
            env={**common, **extra},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().split("|")

    name, base = shell(DEBUG="1")
    assert "demo" in name.lower() and base.startswith("https://")
    assert shell(DEBUG="0", SECRET_KEY="s" * 50) == ["-", "-"]
    chosen = shell(DEBUG="1", CLAIMTRAIL_PUBLISHER_NAME="Riverton")
    assert chosen[0] == "Riverton"
