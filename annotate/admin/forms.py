"""Forms of the annotation admin. They parse and pre-check input; services write.

The checks here (span inside the text, quote matches, version not stale) only
give the user an early, field-level message; ``annotate.services`` repeats every
one of them inside its transaction, so a race still cannot store a bad change.
"""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator

from annotate import records
from annotate.models import Annotation, Citation
from annotate.services import CITATION_FIELDS, quote_span, require_verdict_to_submit
from annotate.workflow import Action
from archive import ledger
from archive.models import Segment
from common.errors import InvalidInput
from common.text import shorten

HTTP_ONLY = URLValidator(schemes=["http", "https"])


# What an author writes, in the sections the form shows it (after the span).
SECTIONS = (
    ("Claim", ("claim_type", "claim_text")),
    ("Verdict", ("verdict", "verdict_summary")),
    ("Note to the reviewers", ("note",)),
)


class AnnotationForm(forms.ModelForm):
    segment = forms.ModelChoiceField(
        queryset=Segment.objects.all(), widget=forms.HiddenInput, required=False
    )
    start = forms.IntegerField(
        required=False,
        min_value=0,
        help_text="Offset of the first character, counted in characters (Unicode code points) "
        "from 0. Filled in when you select words on the reading page.",
    )
    end = forms.IntegerField(
        required=False, min_value=0, help_text="Offset just after the last character."
    )
    quote = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        help_text="The exact words. Without offsets, typing words that occur once in the "
        "segment is enough; with offsets, they are checked against the text.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Set by the admin for "Save and submit": then the submit rules are checked here too,
    # so a refusal leaves the form as filled in and nothing is saved.
    submitting = False

    class Meta:
        model = Annotation
        fields = ("start", "end", "quote", *(name for _, names in SECTIONS for name in names))
        widgets = {
            name: forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"})
            for name in records.ANNOTATION_TEXT
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._editing:
            self.fields.pop("segment", None)
            self.fields["expected_version"].initial = self.instance.version
        else:
            self.fields.pop("expected_version", None)

    @property
    def _editing(self) -> bool:
        return not self.instance._state.adding

    @property
    def target_segment(self) -> Segment | None:
        if self._editing:
            return self.instance.segment
        return self.cleaned_data.get("segment") if hasattr(self, "cleaned_data") else None

    def clean(self):
        data = super().clean()
        if self._editing:
            self._check_version(data.get("expected_version"))
        if self.submitting:
            self._check_submittable(data)
        segment = self.target_segment
        if segment is None:
            raise forms.ValidationError(
                "Choose the words to annotate on a transcript's reading page "
                "(select them with the mouse, or use a segment's “Annotate” link)."
            )
        self._resolve_span(segment.text, data)
        return data

    def _check_version(self, expected):
        if expected is None:
            raise forms.ValidationError("The form has no version; reload the page.")
        if expected != self.instance.version:
            last = ledger.latest_change(self.instance)  # a citation change counts too
            who = last.actor_label if last else "someone"
            when = last.recorded_at.strftime("%Y-%m-%d %H:%M:%S UTC") if last else ""
            raise forms.ValidationError(
                f"Not saved: this annotation was changed by {who} at {when} while you were "
                f"editing (it is now version {self.instance.version}; your form was based on "
                f"version {expected}). Reload the page to see their change, then apply yours "
                "again.",
                code="conflict",
            )

    def _check_submittable(self, data: dict) -> None:
        try:  # the submit service's rule, which it applies again when it writes
            require_verdict_to_submit(data.get("verdict"))
        except InvalidInput as error:
            self.add_error("verdict", error.message)

    def _resolve_span(self, text: str, data: dict) -> None:
        start, end, quote = data.get("start"), data.get("end"), data.get("quote") or ""
        changed = set(self.changed_data)
        if self._editing and {"start", "end"} & changed and "quote" not in changed:
            quote = ""  # new offsets: the old quote no longer applies
        if self._editing and changed & {"start", "end", "quote"} == {"quote"}:
            start = end = None  # only the words changed: find them
        if start is None and end is None:
            if not quote:
                self.add_error("quote", "Select words, or type them, or give start and end.")
                return
            try:  # the service's rule, which it applies again when it writes
                start, end = quote_span(text, quote)
            except InvalidInput as error:
                self.add_error("quote", error.message)
                return
        elif start is None or end is None:
            self.add_error("end" if end is None else "start", "Give both start and end.")
            return
        if not 0 <= start < end <= len(text):
            self.add_error(
                "end", f"The span must satisfy 0 ≤ start < end ≤ {len(text)} (the text length)."
            )
            return
        if quote and text[start:end] != quote:
            self.add_error(
                "quote",
                f"The text at [{start}, {end}) is “{shorten(text[start:end], 80)}”, "
                "not these words.",
            )
            return
        data["start"], data["end"], data["quote"] = start, end, text[start:end]


class CitationForm(forms.ModelForm):
    class Meta:
        model = Citation
        fields = CITATION_FIELDS
        widgets = {"excerpt": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("url", "archived_url"):
            if name in self.fields:
                self.fields[name].validators.append(HTTP_ONLY)


class TransitionForm(forms.Form):
    """One workflow step on one annotation, based on the version the user saw."""

    action = forms.ChoiceField(choices=[(a.value, a.value) for a in Action if a is not Action.EDIT])
    expected_version = forms.IntegerField(min_value=1)
    comment = forms.CharField(required=False, strip=True, max_length=10_000)
