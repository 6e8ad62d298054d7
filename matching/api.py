"""``/api/v1/segments/{id}/matches/``, ``/api/v1/claim-matches/`` and
``/api/v1/claim-matches/feedback/``: suggestions and what people say of them."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate.models import Annotation
from archive.models import Segment
from common.api.serializers import StrictCharField, StrictInput, StrictUUIDField
from common.errors import InvalidInput
from library.api.serializers import FactCheckSerializer, factcheck_data
from library.models import FactCheck
from matching import services
from matching.models import Outcome


class SuggestionSerializer(serializers.Serializer):
    factcheck = FactCheckSerializer(read_only=True)
    score = serializers.FloatField(read_only=True, help_text="0..1, higher is a likelier match.")
    rank = serializers.IntegerField(read_only=True)


class SuggestionsSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True, read_only=True)


class ClaimMatchInput(StrictInput):
    text = StrictCharField(max_length=services.MAX_TEXT, help_text="The words to match.")
    limit = serializers.IntegerField(
        required=False, default=10, min_value=1, max_value=services.MAX_LIMIT
    )
    segment = StrictUUIDField(
        required=False,
        help_text="The segment the words are in: its neighbours, speaker and day are the context.",
    )


class FeedbackInput(StrictInput):
    factcheck = StrictUUIDField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    text = StrictCharField(max_length=services.MAX_TEXT)
    segment = StrictUUIDField(required=False)
    annotation = StrictUUIDField(required=False)
    score = serializers.FloatField(required=False, min_value=0, max_value=1)
    rank = serializers.IntegerField(required=False, min_value=1, max_value=services.MAX_LIMIT)


class FeedbackSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    outcome = serializers.CharField(read_only=True)


def _answer(suggestions) -> Response:
    return Response(
        {
            "results": [
                {
                    "factcheck": factcheck_data(s.factcheck),
                    "score": round(s.score, 6),
                    "rank": s.rank,
                }
                for s in suggestions
            ]
        }
    )


def _get(queryset, pk, field: str):
    """The row named in the body; a 400 naming the field when there is none."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise InvalidInput(f"no such {field}", fields={field: ["does not exist"]})
    return found


class SegmentMatchesView(APIView):
    @extend_schema(
        summary="Fact-checks this segment may repeat, best first",
        parameters=[OpenApiParameter("limit", int, description="1 to 50, default 10")],
        responses={200: SuggestionsSerializer},
    )
    def get(self, request, pk):
        segment = Segment.objects.select_related("transcript").filter(pk=pk).first()
        if segment is None:
            raise NotFound("no such segment")
        return _answer(services.suggest_for_segment(segment, limit=request.GET.get("limit", 10)))


class ClaimMatchesView(APIView):
    @extend_schema(
        summary="Fact-checks these words may repeat, best first",
        request=ClaimMatchInput,
        responses={200: SuggestionsSerializer},
    )
    def post(self, request):
        form = ClaimMatchInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        segment = data.get("segment")
        if segment is not None:
            segment = _get(Segment.objects.select_related("transcript"), segment, "segment")
            query = services.segment_query(segment, text=data["text"])
        else:
            query = services.Query(text=data["text"])
        return _answer(services.suggest(query, limit=data["limit"]))


class MatchFeedbackView(APIView):
    @extend_schema(
        summary="Say a suggestion was used, or is not a match (on the ledger)",
        request=FeedbackInput,
        responses={201: FeedbackSerializer},
    )
    def post(self, request):
        form = FeedbackInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        segment = data.get("segment")
        annotation = data.get("annotation")
        feedback = services.record_feedback(
            actor=request.user,
            factcheck=_get(FactCheck.objects.all(), data["factcheck"], "factcheck"),
            outcome=data["outcome"],
            text=data["text"],
            segment=_get(Segment.objects.all(), segment, "segment") if segment else None,
            annotation=_get(Annotation.objects.all(), annotation, "annotation")
            if annotation
            else None,
            score=data.get("score"),
            rank=data.get("rank"),
        )
        return Response(
            {"id": str(feedback.pk), "outcome": feedback.outcome}, status=status.HTTP_201_CREATED
        )
