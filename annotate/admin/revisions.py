"""The admin's revisions page: a transcript's revisions with their annotations by anchor
status, and two revisions side by side with what changed highlighted."""

from __future__ import annotations

import difflib
import re
from itertools import zip_longest

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from annotate import selectors
from annotate.models import AnchorStatus
from archive.revisions import segment_changes

WORD = re.compile(r"\s+|[^\s]+")


def revisions_view(request, model_admin, object_id):
    transcript = model_admin.get_object(request, object_id)
    if transcript is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    if not model_admin.has_view_or_change_permission(request, transcript):
        raise PermissionDenied
    chain = selectors.revisions_with_counts(transcript)
    by_id = {str(t.pk): t for t in chain}
    new = transcript
    old = by_id.get(request.GET.get("against", ""))
    if old is None:
        old = next((t for t in chain if t.pk == new.revision_of_id), None)
    comparison = segment_changes(old, new) if old is not None and old.pk != new.pk else None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Revisions: {transcript.title}",
        "transcript": transcript,
        "opts": model_admin.opts,
        "revisions": [_revision_row(t) for t in chain],
        "old": old,
        "new": new,
        "comparison": comparison,
        "rows": _side_by_side(comparison) if comparison else [],
        "reading_url": reverse("admin:archive_transcript_change", args=[transcript.pk]),
        "queue_url": reverse("admin:annotate_annotation_changelist")
        + f"?anchor_status__exact={AnchorStatus.ORPHANED}",
    }
    return render(request, "admin/annotate/revisions.html", context)


def _revision_row(transcript) -> dict:
    counts = transcript.annotations
    return {
        "transcript": transcript,
        "url": reverse("admin:archive_transcript_change", args=[transcript.pk]),
        "revisions_url": reverse("admin:annotate_transcript_revisions", args=[transcript.pk]),
        # (how many, status) in AnchorStatus order, the statuses it has only.
        "counts": [(counts[s.value], s.value) for s in AnchorStatus if counts.get(s.value)],
    }


def _side_by_side(comparison: dict) -> list[dict]:
    """One row per unchanged run (folded) and per changed segment, the words that differ
    marked on each side. A removed segment and an added one that read alike (a paragraph
    moved and corrected) are shown as one change, where it is now."""
    removed = {
        ordinal: text
        for change in comparison["changes"]
        if change["op"] == "delete"
        for ordinal, text in zip(change["old"], change["old_text"], strict=True)
    }
    moved_from = _pair_moves(removed, comparison)
    rows = []
    for change in comparison["changes"]:
        if change["op"] == "equal":
            ordinals, now = change["old"], change["new"]
            rows.append(
                {
                    "equal": True,
                    "count": len(ordinals),
                    "first": ordinals[0],
                    "last": ordinals[-1],
                    "now": now[0] if now[0] != ordinals[0] else None,
                }
            )
            continue
        olds = list(zip(change["old"], change["old_text"], strict=True))
        news = list(zip(change["new"], change["new_text"], strict=True))
        if change["op"] == "delete":
            olds = [(o, t) for o, t in olds if o not in moved_from.values()]
        for old, new in zip_longest(olds, news):
            if old is None and new is not None and new[0] in moved_from:
                source = moved_from[new[0]]
                old = (source, removed[source])
            rows.append(
                _row(
                    change["op"] if old and new else change["op"],
                    old,
                    new,
                    moved=bool(old and new and new[0] in moved_from),
                )
            )
    return rows


def _pair_moves(removed: dict[int, str], comparison: dict) -> dict[int, int]:
    """New ordinal -> old ordinal for added segments that read like a removed one."""
    pairs: dict[int, int] = {}
    free = dict(removed)
    for change in comparison["changes"]:
        if change["op"] != "insert":
            continue
        for ordinal, text in zip(change["new"], change["new_text"], strict=True):
            best, score = None, MOVED_SIMILARITY
            for old_ordinal, old_text in free.items():
                matcher = difflib.SequenceMatcher(None, old_text, text, autojunk=False)
                if matcher.quick_ratio() >= score and matcher.ratio() >= score:
                    best, score = old_ordinal, matcher.ratio()
            if best is not None:
                pairs[ordinal] = best
                del free[best]
    return pairs


MOVED_SIMILARITY = 0.6


def _row(op, old, new, *, moved: bool) -> dict:
    old_parts, new_parts = _marked(old[1] if old else "", new[1] if new else "")
    return {
        "equal": False,
        "op": "moved" if moved else op,
        "old_ordinal": old[0] if old else None,
        "new_ordinal": new[0] if new else None,
        "old": old_parts,
        "new": new_parts,
    }


def _marked(old: str, new: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The two texts as (text, kind) parts, kind "" or "del" / "ins" (a word-level diff)."""
    a, b = WORD.findall(old), WORD.findall(new)
    old_parts, new_parts = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            old_parts.append(("".join(a[i1:i2]), ""))
            new_parts.append(("".join(b[j1:j2]), ""))
            continue
        if i2 > i1:
            old_parts.append(("".join(a[i1:i2]), "del"))
        if j2 > j1:
            new_parts.append(("".join(b[j1:j2]), "ins"))
    return old_parts, new_parts
