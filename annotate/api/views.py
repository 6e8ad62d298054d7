"""API views: parse the request, call one selector or service, format the answer.

No rule lives here. Reads come from :mod:`annotate.selectors`; every write is one
call to :mod:`annotate.services` (or :func:`archive.services.source_upload`), which
raise domain errors that :mod:`common.api.errors` turns into JSON.
"""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import router
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param

from annotate import selectors, services
from annotate.api import serializers as s
from annotate.api import webannotation
from annotate.api.filters import (
    AnnotationFilter,
    CitationFilter,
    SegmentFilter,
    SourceFilter,
    TranscriptFilter,
)
from annotate.api.renderers import JSONLDRenderer, JSONRenderer, PlainJSONLDRenderer
from annotate.fast import api_rows as rows
from annotate.fast import statements
from annotate.models import Annotation, Citation, ClaimType
from annotate.workflow import ROLES_FOR, Action
from archive.models import Segment, Transcript
from archive.revisions import revision_chain, segment_changes
from archive.services import source_upload
from common.api.errors import PreconditionRequired
from common.api.negotiation import RememberedNegotiation
from common.api.pagination import KeysetPagination
from common.api.parsers import BoundedJSONParser
from common.api.permissions import TeamMember
from common.api.schema import ClaimtrailAutoSchema
from common.errors import Conflict, InvalidInput

# ---------------------------------------------------------------- shared


def if_match_version(request) -> int:
    """The version named by ``If-Match`` (``"3"``, ``W/"3"`` or ``3``); 428 when missing.

    A value that is not a version can match nothing, so it is passed on as -1 and
    the service answers 412 with the current version.
    """
    raw = request.headers.get("If-Match", "").strip()
    if not raw or raw == "*":
        raise PreconditionRequired()
    first = raw.split(",")[0].strip()
    if first.startswith("W/"):
        first = first[2:]
    try:
        version = int(first.strip('"'))
    except ValueError:
        return -1
    return version if version >= 0 else -1


def if_match_raw(request) -> str:
    raw = request.headers.get("If-Match", "").strip()
    if not raw or raw == "*":
        raise PreconditionRequired()
    first = raw.split(",")[0].strip()
    return (first[2:] if first.startswith("W/") else first).strip('"')


def _me(request) -> dict:
    """The caller as ``{id: username}``, a name the row reads need not look up."""
    user = request.user
    return {user.pk: user.get_username()} if user.is_authenticated else {}


def _with_etag(response: Response, version) -> Response:
    response["ETag"] = f'"{version}"'
    return response


class ApiViewSet(viewsets.GenericViewSet):
    """Deny by default; JSON in and out; cursor pages over an immutable ordering."""

    content_negotiation_class = RememberedNegotiation
    permission_classes = [TeamMember]
    pagination_class = KeysetPagination
    renderer_classes = [JSONRenderer]
    parser_classes = [BoundedJSONParser]
    filter_backends = [DjangoFilterBackend]
    schema = ClaimtrailAutoSchema()
    cursor_ordering: tuple[str, ...] = ("id",)
    if_match_actions: tuple[str, ...] = ()
    sends_etag = False

    def filter_queryset(self, queryset):
        """The filterset's filters, when the query string names any of them.

        Building a filterset and its form costs more than the rest of a list page's
        Python; with none of its parameters it filters nothing, so it is skipped.
        """
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None and not any(
            name in self.request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)


def _read_only_docs(many_label: str):
    return extend_schema_view(
        list=extend_schema(summary=f"List {many_label}"),
        retrieve=extend_schema(summary=f"Read one of the {many_label}"),
    )


# ---------------------------------------------------------------- archive


@extend_schema_view(
    list=extend_schema(summary="List sources (without their text)"),
    retrieve=extend_schema(summary="Read a source, with its decoded text"),
)
class SourceViewSet(mixins.ListModelMixin, ApiViewSet):
    """Documents as received. Editors upload new ones; the exact bytes are kept."""

    serializer_class = s.SourceSerializer
    filterset_class = SourceFilter
    cursor_ordering = ("imported_at", "id")
    # Any team member may try an upload: the import service decides who may import.
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.source_detail()
        return selectors.source_list()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.SourceDetailSerializer
        if self.action == "create":
            return s.SourceUploadSerializer
        return s.SourceSerializer

    @extend_schema(
        summary="Import a document (multipart upload)",
        description="Parses the file with the same importers and errors as `import_transcript`. "
        "Uploading bytes that are already stored answers 200 with the existing source.",
        request={"multipart/form-data": s.SourceUploadSerializer},
        responses={201: s.SourceImportSerializer, 200: s.SourceImportSerializer},
    )
    def create(self, request):
        form = s.SourceUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        upload = values["file"]
        result = source_upload(
            upload=upload,
            actor=request.user,
            filename=(upload.name or "").replace("\x00", ""),
            format=values["format"],
            encoding=values["encoding"] or None,
            origin_url=values["origin_url"],
            retrieved_at=values["retrieved_at"],
            reason=values["reason"],
            revision_of=str(values["revision_of"]) if values["revision_of"] else None,
        )
        body = s.SourceImportSerializer(
            {
                "created": result.created,
                "source": result.source,
                "transcript": result.transcript,
                "segment_count": result.segment_count,
                "dropped": result.dropped,
                "revision_of": result.revision_of.pk if result.revision_of else None,
                "derived": result.derived,
            }
        ).data
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        response = Response(body, status=code)
        response["Location"] = request.build_absolute_uri(f"{result.source.pk}/")
        return response


@_read_only_docs("transcripts")
class TranscriptViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = s.TranscriptSerializer
    filterset_class = TranscriptFilter
    cursor_ordering = ("created_at", "id")

    def get_queryset(self):
        return selectors.transcript_list()

    def _transcript(self, key) -> Transcript:
        try:
            pk = Transcript._meta.pk.to_python(key)
        except DjangoValidationError:
            raise NotFound() from None
        return get_object_or_404(Transcript.objects.all(), pk=pk)

    @extend_schema(
        summary="The revisions of this transcript's report, first to latest",
        responses={200: s.RevisionListSerializer},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def revisions(self, request, pk=None):
        chain = selectors.revisions_with_counts(self._transcript(pk))
        return Response({"results": s.RevisionSerializer(chain, many=True).data})

    @extend_schema(
        summary="What changed from a revision to this one (default: the previous)",
        parameters=[OpenApiParameter("against", str, description="The older transcript's id.")],
        responses={200: s.RevisionDiffSerializer},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def diff(self, request, pk=None):
        new = self._transcript(pk)
        against = request.query_params.get("against") or new.revision_of_id
        if against is None:
            raise InvalidInput(
                "this is the first revision: name the one to compare with (?against=ID)",
                fields={"against": ["required for a first revision"]},
            )
        try:
            old = Transcript.objects.get(pk=Transcript._meta.pk.to_python(against))
        except (DjangoValidationError, Transcript.DoesNotExist):
            raise InvalidInput(
                f"no transcript {str(against)[:80]} to compare with",
                fields={"against": ["unknown"]},
            ) from None
        if old.pk not in {t.pk for t in revision_chain(new)}:
            raise InvalidInput(
                "that transcript is not a revision of this one's report",
                fields={"against": ["another report"]},
            )
        return Response(s.RevisionDiffSerializer(segment_changes(old, new)).data)


@_read_only_docs("segments")
class SegmentViewSet(mixins.ListModelMixin, ApiViewSet):
    """Blocks of speech, in transcript and reading order. Read-only: the archive never changes."""

    serializer_class = s.SegmentSerializer
    filterset_class = SegmentFilter
    cursor_ordering = ("transcript_id", "ordinal")

    def get_queryset(self):
        return selectors.segment_list()


# ---------------------------------------------------------------- taxonomy


@extend_schema_view(
    list=extend_schema(summary="List claim types"),
    retrieve=extend_schema(summary="Read a claim type"),
)
class ClaimTypeViewSet(mixins.ListModelMixin, ApiViewSet):
    """The claim-type taxonomy: every member reads it, editors change it."""

    serializer_class = s.ClaimTypeSerializer
    lookup_field = "slug"
    cursor_ordering = ("slug",)
    write_roles = ROLES_FOR[Action.CHANGE_TAXONOMY]
    if_match_actions = ("partial_update",)
    sends_etag = True
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.claim_type_list()

    def retrieve(self, request, *args, **kwargs):
        claim_type = self.get_object()
        response = Response(s.ClaimTypeSerializer(claim_type).data)
        return _with_etag(response, services.claim_type_fingerprint(claim_type))

    @extend_schema(
        summary="Add a claim type (editors)",
        request=s.ClaimTypeCreateSerializer,
        responses={201: s.ClaimTypeSerializer},
    )
    def create(self, request):
        form = s.ClaimTypeCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        claim_type = services.claim_type_create(actor=request.user, **form.validated_data)
        response = Response(s.ClaimTypeSerializer(claim_type).data, status=201)
        response["Location"] = request.build_absolute_uri(f"{claim_type.slug}/")
        return _with_etag(response, services.claim_type_fingerprint(claim_type))

    @extend_schema(
        summary="Change a claim type (editors; needs If-Match)",
        request=s.ClaimTypeUpdateSerializer,
        responses={200: s.ClaimTypeSerializer},
    )
    def partial_update(self, request, slug=None):
        claim_type = get_object_or_404(ClaimType.objects.all(), slug=slug)
        expected = if_match_raw(request)
        form = s.ClaimTypeUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        try:
            claim_type = services.claim_type_update(
                actor=request.user,
                claim_type=claim_type,
                expected_fingerprint=expected,
                reason=values.pop("reason", ""),
                **values,
            )
        except Conflict as error:
            error.etag = (
                f'"{services.claim_type_fingerprint(ClaimType.objects.get(pk=claim_type.pk))}"'
            )
            raise
        response = Response(s.ClaimTypeSerializer(claim_type).data)
        return _with_etag(response, services.claim_type_fingerprint(claim_type))


# ---------------------------------------------------------------- annotations


_LD = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
_LD_ONE = OpenApiResponse(OpenApiTypes.OBJECT, description="A W3C Web Annotation (JSON-LD).")
_LD_PAGE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="An AnnotationCollection embedding its first page, or an AnnotationPage.",
)
_ANNOTATION_ONE = {
    (200, "application/json"): s.AnnotationSerializer,
    (200, _LD): _LD_ONE,
    (200, "application/ld+json"): _LD_ONE,
}
_TRANSITION_DOC = {
    Action.SUBMIT: "Send a draft to review (its author, assignee or an editor; needs a verdict).",
    Action.APPROVE: "Approve (reviewers; never your own work; false/mostly-false need two).",
    Action.REQUEST_CHANGES: "Send back to draft with a comment (reviewers).",
    Action.REJECT: "Reject with a comment (reviewers).",
    Action.REOPEN: "Send an approved or rejected annotation back to draft (editors).",
}


@extend_schema_view(
    list=extend_schema(
        summary="List annotations (oldest first; cursor pages)",
        responses={
            (200, "application/json"): s.AnnotationSerializer(many=True),
            (200, _LD): _LD_PAGE,
            (200, "application/ld+json"): _LD_PAGE,
        },
    ),
    retrieve=extend_schema(summary="Read an annotation", responses=_ANNOTATION_ONE),
)
class AnnotationViewSet(mixins.ListModelMixin, ApiViewSet):
    """Annotations with their citations and reviews. Ask for ``application/ld+json``
    (profile ``http://www.w3.org/ns/anno.jsonld``) to get W3C Web Annotations."""

    serializer_class = s.AnnotationSerializer
    filterset_class = AnnotationFilter
    renderer_classes = [JSONRenderer, JSONLDRenderer, PlainJSONLDRenderer]
    cursor_ordering = ("created_at", "id")
    if_match_actions = (
        "partial_update",
        "destroy",
        "assign",
        "submit",
        "approve",
        "request_changes",
        "reject",
        "reopen",
        "place",
        "retire",
    )
    # Refused with 409 when the annotation is not in the state they need (orphaned).
    state_actions = ("place", "retire")
    sends_etag = True
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.annotation_list()

    # ------------------------------------------------------------ helpers

    def _wants_ld(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return getattr(renderer, "format", "") == JSONLDRenderer.format

    def _base_url(self) -> str:
        return self.request.build_absolute_uri("/")

    def _answer(self, annotation: Annotation, code: int = 200, *, created: bool = False):
        """The annotation as stored now, with its version as ETag."""
        if self._wants_ld():
            fresh = selectors.annotation_list().get(pk=annotation.pk)
            body = webannotation.annotation(fresh, base_url=self._base_url())
            return _with_etag(Response(body, status=code), fresh.version)
        # The service returns the row it wrote with its relations loaded; only the
        # citations and reviews are read again, as plain rows (a new draft has no
        # reviews, so creating reads its citations only).
        body = rows.written(annotation, actor=self.request.user, has_reviews=not created)
        return _with_etag(Response(body, status=code), annotation.version)

    def _target(self) -> Annotation:
        return get_object_or_404(Annotation.objects.all(), pk=self.kwargs["pk"])

    def _change(self, request, form_class) -> tuple[Annotation, int, dict]:
        """For a change: the annotation named in the URL, If-Match's version, the body.

        The annotation is not read here: the service locks and reads it anyway, so the
        view passes a reference (its key only). Existence is checked only when the
        answer is an error, so a missing annotation is still a 404 ahead of a missing
        If-Match (428) or a bad body (400), and a 404 when the service cannot find it.
        """
        try:
            pk = Annotation._meta.pk.to_python(self.kwargs["pk"])
        except DjangoValidationError:
            raise NotFound() from None
        try:
            expected = if_match_version(request)
            form = form_class(data=request.data)
            form.is_valid(raise_exception=True)
        except Exception:
            self._target()  # 404 first, as when the annotation was read up front
            raise
        reference = Annotation.from_db(router.db_for_write(Annotation), ("id",), (pk,))
        return reference, expected, dict(form.validated_data)

    def _call(self, service, **kwargs) -> Annotation:
        """``service(actor=..., **kwargs)`` for :meth:`_change`: its error, or a 404."""
        try:
            return service(actor=self.request.user, **kwargs)
        except InvalidInput:
            if not Annotation.objects.filter(pk=kwargs["annotation"].pk).exists():
                raise NotFound() from None
            raise

    # ------------------------------------------------------------ reads

    def list(self, request, *args, **kwargs):
        if not self._wants_ld():
            everything = Annotation.objects.all()
            queryset = self.filter_queryset(everything)
            if queryset is everything and statements.fast(Annotation) is not None:
                # No filter: the page's fixed statement (the same SQL, compiled once).
                page = self.paginator.paginate(rows.page_rows, Annotation, request, view=self)
            else:
                page = self.paginate_queryset(rows.annotation_values(queryset))
            return self.get_paginated_response(rows.page_data(page, known=_me(request)))
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        paginator = self.paginator
        collection_url = _without(request.build_absolute_uri(), ("cursor", "page_size"))
        if request.query_params.get(paginator.cursor_query_param):
            document = webannotation.page(
                page,
                base_url=self._base_url(),
                page_url=request.build_absolute_uri(),
                collection_url=collection_url,
                next_url=paginator.get_next_link(),
                prev_url=paginator.get_previous_link(),
            )
        else:
            document = webannotation.first_page(
                page,
                base_url=self._base_url(),
                collection_url=collection_url,
                total=queryset.count() if paginator.more_after else len(page),
                next_url=paginator.get_next_link(),
            )
        return Response(document)

    def retrieve(self, request, *args, **kwargs):
        if self._wants_ld():
            annotation = self.get_object()
            body = webannotation.annotation(annotation, base_url=self._base_url())
            return _with_etag(Response(body), annotation.version)
        body = None
        with contextlib.suppress(ValueError, DjangoValidationError):
            body = rows.one(Annotation.objects.all(), self.kwargs["pk"], known=_me(request))
        if body is None:
            raise NotFound()
        return _with_etag(Response(body), body["version"])

    @extend_schema(
        summary="History of an annotation and its citations (ledger events, oldest first);"
        " still answered after the annotation was deleted",
        responses={200: s.LedgerEventSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer], filter_backends=[])
    def history(self, request, pk=None):
        # A deleted annotation keeps its history: who made it, changed it and deleted it.
        try:
            key = str(Annotation._meta.pk.to_python(self.kwargs["pk"]))
        except DjangoValidationError:
            raise NotFound() from None
        events = selectors.annotation_history(key)
        if not events.exists():
            raise NotFound()
        paginator = KeysetPagination()
        paginator.ordering_override = ("sequence",)
        events_page = paginator.paginate_queryset(events, request, view=SimpleNamespace())
        data = s.LedgerEventSerializer(events_page, many=True).data
        return paginator.get_paginated_response(data)

    # ------------------------------------------------------------ writes

    @extend_schema(
        summary="Create a draft annotation (annotators, editors)",
        request=s.AnnotationCreateSerializer,
        responses={201: s.AnnotationSerializer},
    )
    def create(self, request):
        form = s.AnnotationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        # Not first(): that orders by the model's ordering, which joins the transcript.
        try:
            segment = statements.get(Segment, "pk", values.pop("segment"))
        except Segment.DoesNotExist:
            raise InvalidInput("no such segment", fields={"segment": ["does not exist"]}) from None
        annotation = services.annotation_create(actor=request.user, segment=segment, **values)
        response = self._answer(annotation, status.HTTP_201_CREATED, created=True)
        response["Location"] = request.build_absolute_uri(f"{annotation.pk}/")
        return response

    @extend_schema(
        summary="Change a draft (needs If-Match)",
        request=s.AnnotationUpdateSerializer,
        responses={200: s.AnnotationSerializer},
    )
    def partial_update(self, request, pk=None):
        annotation, expected, values = self._change(request, s.AnnotationUpdateSerializer)
        annotation = self._call(
            services.annotation_update,
            annotation=annotation,
            expected_version=expected,
            reason=values.pop("reason", ""),
            **values,
        )
        return self._answer(annotation)

    @extend_schema(summary="Delete a draft that was never reviewed (needs If-Match)")
    def destroy(self, request, pk=None):
        annotation = self._target()
        services.annotation_delete(
            actor=request.user, annotation=annotation, expected_version=if_match_version(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Assign to a team member, or to nobody (editors, reviewers; needs If-Match)",
        request=s.AssignSerializer,
        responses=_ANNOTATION_ONE,
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        annotation = self._target()
        expected = if_match_version(request)
        form = s.AssignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        username = form.validated_data["assignee"]
        assignee = None
        if username is not None:
            assignee = get_user_model().objects.filter(username=username, is_active=True).first()
            if assignee is None:
                raise InvalidInput(f"no user named {username!r}", fields={"assignee": ["unknown"]})
        annotation = services.annotation_assign(
            actor=request.user,
            annotation=annotation,
            assignee=assignee,
            expected_version=expected,
            reason=form.validated_data["reason"],
        )
        return self._answer(annotation)

    # ------------------------------------------------------------ across revisions

    @extend_schema(
        summary="Place an orphaned annotation on the latest revision (If-Match)",
        request=s.PlaceSerializer,
        responses=_ANNOTATION_ONE,
    )
    @action(detail=True, methods=["post"])
    def place(self, request, pk=None):
        annotation, expected, values = self._change(request, s.PlaceSerializer)
        segment = Segment.objects.filter(pk=values["segment"]).first()
        if segment is None:
            raise InvalidInput("no such segment", fields={"segment": ["unknown"]})
        annotation = self._call(
            services.annotation_place,
            annotation=annotation,
            segment=segment,
            start=values["start"],
            end=values["end"],
            expected_version=expected,
            reason=values["reason"],
        )
        return self._answer(annotation)

    @extend_schema(
        summary="Retire an orphaned annotation, with the reason (If-Match)",
        request=s.RetireSerializer,
        responses=_ANNOTATION_ONE,
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        annotation, expected, values = self._change(request, s.RetireSerializer)
        annotation = self._call(
            services.annotation_retire,
            annotation=annotation,
            expected_version=expected,
            reason=values["reason"],
        )
        return self._answer(annotation)

    @extend_schema(
        summary="Where an orphaned annotation's words may be in the latest revision "
        "(suggestions, best first; nothing is placed)",
        responses={200: s.CandidateListSerializer},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="anchor-candidates",
        filter_backends=[],
        pagination_class=None,
    )
    def anchor_candidates(self, request, pk=None):
        candidates = services.anchor_candidates(self._target())
        return Response({"results": s.CandidateSerializer(candidates, many=True).data})

    def _transition(self, request, verb: Action) -> Response:
        annotation, expected, values = self._change(request, s.TransitionSerializer)
        annotation = self._call(
            services.TRANSITION_SERVICES[verb],
            annotation=annotation,
            expected_version=expected,
            comment=values["comment"],
            reason=values["reason"],
        )
        return self._answer(annotation)

    def _transition_schema(verb: Action):  # noqa: N805 - a decorator factory used in the body
        return extend_schema(
            summary=_TRANSITION_DOC[verb] + " Needs If-Match.",
            request=s.TransitionSerializer,
            responses=_ANNOTATION_ONE,
        )

    @_transition_schema(Action.SUBMIT)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, Action.SUBMIT)

    @_transition_schema(Action.APPROVE)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, Action.APPROVE)

    @_transition_schema(Action.REQUEST_CHANGES)
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        return self._transition(request, Action.REQUEST_CHANGES)

    @_transition_schema(Action.REJECT)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._transition(request, Action.REJECT)

    @_transition_schema(Action.REOPEN)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._transition(request, Action.REOPEN)


def _without(url: str, params: tuple[str, ...]) -> str:
    for name in params:
        url = remove_query_param(url, name)
    return url


# ---------------------------------------------------------------- citations


@extend_schema_view(
    list=extend_schema(summary="List citations"),
    retrieve=extend_schema(summary="Read a citation (ETag: its annotation's version)"),
)
class CitationViewSet(mixins.ListModelMixin, ApiViewSet):
    """Evidence for annotations. Every change needs If-Match with the annotation's version."""

    serializer_class = s.CitationSerializer
    filterset_class = CitationFilter
    cursor_ordering = ("added_at", "id")
    if_match_actions = ("create", "partial_update", "destroy")
    sends_etag = True
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.citation_list()

    def retrieve(self, request, *args, **kwargs):
        citation = self.get_object()
        response = Response(s.CitationSerializer(citation).data)
        return _with_etag(response, citation.annotation.version)

    def _answer(self, citation: Citation, code: int = 200) -> Response:
        fresh = selectors.citation_list().get(pk=citation.pk)
        response = Response(s.CitationSerializer(fresh).data, status=code)
        return _with_etag(response, fresh.annotation.version)

    @extend_schema(
        summary="Add a citation to a draft (If-Match: the annotation's version)",
        request=s.CitationCreateSerializer,
        responses={201: s.CitationSerializer},
    )
    def create(self, request):
        expected = if_match_version(request)
        form = s.CitationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        annotation = Annotation.objects.filter(pk=values.pop("annotation")).first()
        if annotation is None:
            raise InvalidInput("no such annotation", fields={"annotation": ["does not exist"]})
        citation = services.citation_add(
            actor=request.user,
            annotation=annotation,
            expected_version=expected,
            reason=values.pop("reason", ""),
            **values,
        )
        response = self._answer(citation, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{citation.pk}/")
        return response

    @extend_schema(
        summary="Change a citation of a draft (If-Match: the annotation's version)",
        request=s.CitationUpdateSerializer,
        responses={200: s.CitationSerializer},
    )
    def partial_update(self, request, pk=None):
        citation = get_object_or_404(Citation.objects.all(), pk=pk)
        expected = if_match_version(request)
        form = s.CitationUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        citation = services.citation_update(
            actor=request.user,
            citation=citation,
            expected_version=expected,
            reason=values.pop("reason", ""),
            **values,
        )
        return self._answer(citation)

    @extend_schema(summary="Remove a citation from a draft (If-Match: the annotation's version)")
    def destroy(self, request, pk=None):
        citation = get_object_or_404(Citation.objects.all(), pk=pk)
        services.citation_remove(
            actor=request.user, citation=citation, expected_version=if_match_version(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
