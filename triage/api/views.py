"""``/api/v1/transcripts/{transcript_id}/sentences/``: a transcript's sentences ranked by
check-worthiness, and ``.../sentences/{id}/dismiss/`` (a person's "not worth checking").

Views parse and format; reads come from :mod:`triage.selectors`, the one write is
:func:`triage.services.sentence_dismiss`.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from annotate.api.views import ApiViewSet
from archive.models import Transcript
from triage import selectors, services
from triage.api.pagination import RankedKeysetPagination
from triage.api.serializers import DismissSerializer, SentenceSerializer, sentence_data

_BOOLEANS = {"true": True, "false": False}
_PARAMETERS = [
    OpenApiParameter(
        "ordering",
        str,
        enum=list(selectors.ORDERINGS),
        description="-checkworthiness (default: most check-worthy first, then reading "
        "order) or position (reading order).",
    ),
    OpenApiParameter("annotated", OpenApiTypes.BOOL, description="Only (not) annotated ones."),
    OpenApiParameter("dismissed", OpenApiTypes.BOOL, description="Only (not) dismissed ones."),
]


class SentenceViewSet(ApiViewSet):
    """A transcript's sentences with their check-worthiness (cursor pages)."""

    serializer_class = SentenceSerializer
    pagination_class = RankedKeysetPagination
    filter_backends = []
    cursor_ordering = selectors.ORDERINGS[selectors.DEFAULT_ORDERING]

    def _transcript(self) -> Transcript:
        transcript = Transcript.objects.filter(pk=self.kwargs["transcript_id"]).only("id").first()
        if transcript is None:
            raise NotFound("no such transcript")
        return transcript

    @extend_schema(
        summary="A transcript's sentences, most check-worthy first (cursor pages)",
        parameters=_PARAMETERS,
        responses={200: SentenceSerializer(many=True)},
    )
    def list(self, request, transcript_id=None):
        params = request.query_params
        ordering = params.get("ordering", selectors.DEFAULT_ORDERING)
        if ordering not in selectors.ORDERINGS:
            raise ValidationError({"ordering": [f"one of {', '.join(selectors.ORDERINGS)}"]})
        filters = {}
        for name in ("annotated", "dismissed"):
            if name in params:
                if params[name] not in _BOOLEANS:
                    raise ValidationError({name: ["true or false"]})
                filters[name] = _BOOLEANS[params[name]]
        transcript = self._transcript()
        services.transcript_sentences_ensure(transcript)
        self.cursor_ordering = selectors.ORDERINGS[ordering]
        queryset = selectors.transcript_sentences(transcript.pk).filter(**filters)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response([sentence_data(sentence) for sentence in page])

    @extend_schema(
        summary="Dismiss a sentence: not worth checking (annotators, editors; on the ledger)",
        description="Records a negative for the next training (`sentence.dismiss` on the "
        "ledger). Dismissing a dismissed sentence changes nothing and writes no event.",
        request=DismissSerializer,
        responses={200: SentenceSerializer},
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request, transcript_id=None, pk=None):
        form = DismissSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        sentence = selectors.transcript_sentences(transcript_id).filter(pk=pk).only("id").first()
        if sentence is None:
            raise NotFound("no such sentence in this transcript")
        services.sentence_dismiss(
            actor=request.user, sentence=sentence, reason=form.validated_data["reason"]
        )
        return Response(sentence_data(selectors.transcript_sentences(transcript_id).get(pk=pk)))
