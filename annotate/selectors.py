"""Reads shared by the admin, the API and the exports: querysets already shaped.

Every list here loads its relations up front (``select_related`` for single
relations, ``prefetch_related`` for citations and reviews), so rendering a page
costs the same number of queries for 1 row as for 100.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from annotate import workflow
from annotate.models import Annotation, Citation, Decision, Review, Status
from annotate.workflow import Action
from archive import ledger
from archive.models import Segment, Transcript
from archive.revisions import revision_chain
from common.roles import roles_of

ANNOTATION_RELATIONS = (
    "segment",
    "segment__transcript",
    "claim_type",
    "created_by",
    "last_edited_by",
    "assignee",
)


def annotation_list(*, with_children: bool = True) -> QuerySet[Annotation]:
    """All annotations with what a list page or serializer needs, newest change first."""
    queryset = Annotation.objects.select_related(*ANNOTATION_RELATIONS)
    if with_children:
        queryset = queryset.prefetch_related(
            Prefetch("citations", queryset=Citation.objects.select_related("added_by")),
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer")),
        )
    return queryset.order_by("-updated_at", "-id")


def annotation_filter(
    queryset: QuerySet[Annotation],
    *,
    status: Iterable[str] = (),
    verdict: Iterable[str] = (),
    claim_type: Iterable[str] = (),
    transcript: Iterable[uuid.UUID | str] = (),
    transcript_title: str = "",
    segment: uuid.UUID | str | None = None,
    speaker: str = "",
    creator: str = "",
    assignee: str = "",
    unassigned: bool = False,
    updated_since: datetime | None = None,
    updated_from: date | None = None,
    updated_to: date | None = None,
    anchor_status: Iterable[str] = (),
) -> QuerySet[Annotation]:
    """``queryset`` narrowed to the annotations that meet every condition given.

    The one definition of the filters the API, the admin's list and the exports share.
    A list (``status``, ``verdict``, ``claim_type`` slugs, ``transcript`` ids) matches
    any of its values (``verdict=[""]``: no verdict yet); ``transcript_title`` is words
    of the title, any case; ``speaker`` follows :func:`_speaker_is`; ``creator`` and
    ``assignee`` are usernames; ``updated_since`` is a moment, ``updated_from`` and
    ``updated_to`` are days (inclusive, in the project's time zone). With no condition
    the same queryset object comes back, so a caller can tell nothing was filtered.
    """
    conditions = [
        Q(status__in=list(status)) if status else None,
        Q(anchor_status__in=list(anchor_status)) if anchor_status else None,
        Q(verdict__in=list(verdict)) if verdict else None,
        Q(claim_type__slug__in=list(claim_type)) if claim_type else None,
        Q(segment__transcript_id__in=list(transcript)) if transcript else None,
        Q(segment__transcript__title__icontains=transcript_title.strip())
        if transcript_title.strip()
        else None,
        Q(segment_id=segment) if segment is not None else None,
        _speaker_is(speaker, relation="segment__"),
        Q(created_by__username=creator) if creator else None,
        Q(assignee__username=assignee) if assignee else None,
        Q(assignee__isnull=True) if unassigned else None,
        Q(updated_at__gte=updated_since) if updated_since is not None else None,
        Q(updated_at__date__gte=updated_from) if updated_from is not None else None,
        Q(updated_at__date__lte=updated_to) if updated_to is not None else None,
    ]
    given = [condition for condition in conditions if condition is not None]
    return queryset.filter(*given) if given else queryset


def segment_filter(queryset: QuerySet[Segment], *, speaker: str = "") -> QuerySet[Segment]:
    """``queryset`` narrowed to the segments of ``speaker`` (see :func:`_speaker_is`)."""
    condition = _speaker_is(speaker)
    return queryset if condition is None else queryset.filter(condition)


def _speaker_is(speaker: str, *, relation: str = "") -> Q | None:
    """The one speaker rule: the whole name as written, ignoring case and the spaces
    around it. A name of spaces only is no condition (``None``), not "no speaker"."""
    name = (speaker or "").strip()
    return Q(**{f"{relation}speaker__iexact": name}) if name else None


def review_queue(user) -> QuerySet[Annotation]:
    """Annotations in review that ``user`` may act on now.

    Not created or last edited by them (four-eyes), and not already approved by
    them in the current round. That last rule is one ``NOT EXISTS`` on a single
    review row: ``exclude()`` with several conditions across the multi-valued
    ``reviews`` relation could match them on different rows.
    """
    if not workflow.may(Action.REVIEW, roles_of(user)):
        return Annotation.objects.none()
    approved = Review.objects.filter(
        annotation=OuterRef("pk"),
        review_round=OuterRef("review_round"),
        reviewer=user,
        decision="approve",
    )
    return (
        annotation_list()
        .filter(status=Status.IN_REVIEW)
        .exclude(Q(created_by=user) | Q(last_edited_by=user))
        .exclude(Exists(approved))
    )


# The admin's name for the review queue.
awaiting_review_by = review_queue


def next_to_review(user, *, skip=()) -> Annotation | None:
    """The item of ``user``'s review queue that has waited longest, leaving out ``skip``."""
    return review_queue(user).exclude(pk__in=list(skip)).order_by("updated_at", "id").first()


def sent_back() -> Q:
    """A draft a reviewer sent back in its latest round, not yet changed and submitted
    again (the round is raised only when the draft is submitted again)."""
    request = Review.objects.filter(
        annotation=OuterRef("pk"),
        review_round=OuterRef("review_round"),
        decision=Decision.REQUEST_CHANGES,
    )
    return Q(status=Status.DRAFT) & Q(Exists(request))


def changes_requested(user) -> QuerySet[Annotation]:
    """Drafts of ``user``'s (created or assigned) that a reviewer sent back."""
    return annotation_list().filter(sent_back()).filter(Q(created_by=user) | Q(assignee=user))


def assigned_to(user) -> QuerySet[Annotation]:
    """Open annotations (draft or in review) assigned to ``user``."""
    return annotation_list().filter(assignee=user, status__in=[Status.DRAFT, Status.IN_REVIEW])


def transcript_segments(transcript: Transcript) -> QuerySet[Segment]:
    """A transcript's segments in reading order, each with its annotations loaded."""
    return (
        Segment.objects.filter(transcript=transcript)
        .order_by("ordinal")
        .prefetch_related(
            Prefetch(
                "annotations",
                queryset=Annotation.objects.select_related("claim_type").order_by("start"),
            )
        )
    )


def annotation_history(annotation: Annotation | str):
    """The annotation's own events and its citations' events, oldest first."""
    if isinstance(annotation, Annotation):
        return ledger.scoped_history(annotation)
    return ledger.LedgerEvent.objects.filter(scope=f"annotate.annotation:{annotation}").order_by(
        "sequence"
    )


# ---------------------------------------------------------------- API reads (issue 5)


def source_list() -> QuerySet:
    """Sources without their bytes and text (which can be megabytes each)."""
    from archive.models import Source

    return Source.objects.select_related("imported_by").defer("content", "text")


def source_detail() -> QuerySet:
    """Sources with their decoded text (segments and selectors are spans of it)."""
    from archive.models import Source

    return Source.objects.select_related("imported_by").defer("content")


def transcript_list() -> QuerySet[Transcript]:
    return Transcript.objects.all()


def segment_list() -> QuerySet[Segment]:
    return Segment.objects.all()


def citation_list() -> QuerySet[Citation]:
    """Citations with their author and annotation (whose version is the citation's ETag)."""
    return Citation.objects.select_related("added_by", "annotation")


def claim_type_list():
    from annotate.models import ClaimType

    return ClaimType.objects.all()


def export_list():
    """Dataset exports with their requester, newest first."""
    from annotate.models import Export

    return Export.objects.select_related("requested_by").order_by("-requested_at", "-id")


def revisions_with_counts(transcript: Transcript) -> list[Transcript]:
    """The revisions of ``transcript``'s report, first to latest, each with
    ``annotations``: how many of its annotations stand in each anchor status."""
    chain = revision_chain(transcript)
    counts: dict = {t.pk: {} for t in chain}
    rows = (
        Annotation.objects.filter(segment__transcript__in=[t.pk for t in chain])
        .values_list("segment__transcript_id", "anchor_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for transcript_id, status, n in rows:
        counts[transcript_id][status] = n
    for revision in chain:
        revision.annotations = counts[revision.pk]
    return chain
