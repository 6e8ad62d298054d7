"""Background tasks (Django's tasks framework; the worker is ``manage.py db_worker``).

Settings use ``django_tasks_db.DatabaseBackend``, so tasks wait in a database table
and no extra service is needed: the worker is the same image running ``db_worker``.
Tests use the immediate backend, which runs a task when it is enqueued.
"""

from __future__ import annotations

from django.tasks import task

from annotate.datasets.service import export_run


@task()
def run_export(export_id: str) -> dict:
    """Run a queued export; its outcome (done or failed, and why) is stored on the Export."""
    export = export_run(export_id, reason="queued export")
    return {"id": str(export.pk), "status": export.status, "error": export.error}
