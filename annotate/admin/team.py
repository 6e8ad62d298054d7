"""Admin for what editors manage besides annotations: the claim-type taxonomy and users.

Editors manage accounts and roles here, through :mod:`annotate.accounts`, so each change
is on the ledger. They never see or make API tokens (DRF's and knox's token admins are
unregistered; superusers get a list without keys or digests) and never set another
user's password: a user changes their own with Django's password change, which asks for
the old one.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.authtoken.models import TokenProxy

from annotate import accounts, records, services
from annotate.admin.messages import ServiceErrorsAsMessages
from annotate.models import ClaimType
from archive import admin as archive_admin
from common.errors import DomainError


class ClaimTypeForm(forms.ModelForm):
    """The claim type, with the fingerprint of what the editor was shown (the API's ETag)."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ClaimType
        fields = ("name", "slug", "description", "checkable")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen"].initial = services.claim_type_fingerprint(self.instance)


@admin.register(ClaimType)
class ClaimTypeAdmin(ServiceErrorsAsMessages, admin.ModelAdmin):
    """Through :mod:`annotate.services.claim_types`, as the API: same rules, same events."""

    form = ClaimTypeForm

    list_display = ("name", "slug", "checkable", "description")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_readonly_fields(self, request, obj=None):
        return ("slug",) if obj is not None else ()  # the slug is a claim type's stable name

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if obj is None else {}

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in records.CLAIM_TYPE_EDITABLE}
        if not change:
            saved = services.claim_type_create(actor=request.user, slug=obj.slug, **fields)
            obj.pk = saved.pk
            return
        # The page carries the fingerprint of what the editor was shown: a change made
        # meanwhile by someone else is refused, as the API refuses a stale If-Match.
        # A post without it (not from the page) is checked against the stored row.
        seen = form.cleaned_data.get("seen") or services.claim_type_fingerprint(
            {
                **{name: form.initial.get(name) for name in records.CLAIM_TYPE_FIELDS},
                "slug": obj.slug,
            }
        )
        services.claim_type_update(
            actor=request.user,
            claim_type=obj,
            expected_fingerprint=seen,
            **{name: fields[name] for name in form.changed_data if name in fields},
        )

    def delete_model(self, request, obj):
        services.claim_type_delete(actor=request.user, claim_type=obj)

    def delete_queryset(self, request, queryset):
        for claim_type in queryset:
            services.claim_type_delete(actor=request.user, claim_type=claim_type)

    def history_view(self, request, object_id, extra_context=None):
        claim_type = self.get_object(request, unquote(object_id))
        if claim_type is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return archive_admin.ledger_history_response(
            request, self, claim_type, archive_admin.ledger.history(claim_type)
        )


User = get_user_model()
for model in (User, TokenProxy, AuthToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(AuthToken)
class IssuedTokenAdmin(admin.ModelAdmin):
    """Superusers see who holds tokens until when, and revoke them; nobody adds one here
    (``manage.py issue_token`` does, on the ledger) and no key or digest is shown."""

    list_display = ("user", "created", "expiry")
    list_display_links = None  # no change page: its URL would carry the digest (the pk)
    list_filter = ("expiry",)
    search_fields = ("user__username",)
    fields = ("user", "created", "expiry")
    readonly_fields = fields
    list_select_related = ("user",)
    actions = ["delete_selected"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        accounts.token_revoke(actor=request.user, user=obj.user, tokens=[obj], reason="admin")

    def delete_queryset(self, request, queryset):
        for token in queryset.select_related("user"):
            self.delete_model(request, token)


@admin.register(User)
class TeamUserAdmin(UserAdmin):
    """Editors manage accounts and roles but cannot grant superuser powers."""

    list_display = ("username", "email", "roles", "is_active", "last_login")
    list_filter = ("groups", "is_active", "is_staff")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(group.name for group in obj.groups.all()) or "—"

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, "is_superuser", "user_permissions", "last_login", "date_joined")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        # No password field (and its "reset password" link) on someone else's account.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def user_change_password(self, request, id, form_url=""):
        """Only superusers set other users' passwords; one's own goes through Django's
        password change, which asks for the current one."""
        if request.user.is_superuser:
            return super().user_change_password(request, id, form_url)
        if str(request.user.pk) == unquote(id):
            return HttpResponseRedirect(reverse("admin:password_change"))
        raise PermissionDenied

    def save_model(self, request, obj, form, change):
        """Saved with its groups by :meth:`save_related`, in one service call."""

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        permissions = data.get("user_permissions") if request.user.is_superuser else None
        try:
            accounts.user_save(
                actor=request.user,
                user=form.instance,
                groups=data.get("groups"),
                permissions=permissions,
            )
        except DomainError as error:
            messages.error(request, error.message)
            raise PermissionDenied(error.message) from error
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
