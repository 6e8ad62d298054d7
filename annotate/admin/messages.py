"""How the admin shows a refusal from a service: a message, nothing saved, the same page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect

from common.errors import DomainError


class ServiceErrorsAsMessages:
    """A ModelAdmin mixin: a :class:`~common.errors.DomainError` raised while saving (a
    rule the form could not see, such as a race) becomes an error message and a redirect
    back to the form, instead of a server error. The service's transaction rolled back."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            messages.error(request, f"Not saved: {error.message}")
            return HttpResponseRedirect(request.get_full_path())
