"""The page django-axes answers with when a login is locked out (AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The admin-styled lockout page: what happened, and how long until the next try.

    It names neither the username nor whether it exists, so a locked-out guess tells an
    attacker nothing the ordinary "wrong password" answer does not.
    """
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "failure_limit": get_failure_limit(request, credentials),
        "cool_off_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
    }
    # Rendered now: Axes' middleware runs after the phase that renders TemplateResponses.
    return render(
        request,
        "admin/claimtrail/lockout.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
