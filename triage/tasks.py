"""Background tasks of triage (the worker is ``manage.py db_worker``; see annotate/tasks.py)."""

from __future__ import annotations

from django.tasks import task

from triage.models import TriageModel
from triage.services import sentences_rescore


@task()
def rescore_all(model_id: str) -> dict:
    """Score every transcript again with the model ``model_id`` (queued by training).

    Stops early, having changed nothing more, once a newer model is active: its own
    task takes over.
    """
    model = TriageModel.objects.defer("data").filter(pk=model_id).first()
    if model is None:
        return {"model": model_id, "missing": True}
    result = sentences_rescore(model=model, reason="queued after training")
    return {
        "model": model_id,
        "transcripts": result.transcripts,
        "sentences": result.sentences,
        "stopped": result.stopped,
    }
